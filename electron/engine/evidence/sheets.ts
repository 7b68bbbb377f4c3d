// The evidence workbook's data sheets, in workbook order: the one registry
// the writer, the CLI and `evidence verify` read. The sheets themselves live
// in sheets-snapshot.ts (People, Access, Privileged, Drift, Changes) and
// sheets-ledger.ts (Requests, Approvals, Grants, Leavers, Reviews); each is
// added here when it lands.
import type { EvidenceSheet } from './sheet-types.js';

export const EVIDENCE_SHEETS: readonly EvidenceSheet[] = [];
