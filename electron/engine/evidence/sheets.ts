// The evidence workbook's data sheets, in workbook order: the one registry
// the writer, the CLI and `evidence verify` read. The population at period
// end first (People, Access), then the ledger of the period (Requests,
// Approvals, Grants, Leavers, the reviews), then the views an auditor tests
// separately (Privileged, Drift, Changes) and the audit log. The sheets live
// in sheets-snapshot.ts, sheets-ledger.ts and audit-sheet.ts.
import { auditLogSheet } from './audit-sheet.js';
import type { EvidenceSheet } from './sheet-types.js';
import { approvalsSheet, requestsSheet } from './sheets-ledger.js';
import { grantsSheet } from './sheets-grants.js';
import { leaversSheet } from './sheets-leavers.js';
import { reviewCampaignsSheet, reviewsSheet } from './sheets-reviews.js';
import { accessSheet, changesSheet, driftSheet, peopleSheet, privilegedSheet } from './sheets-snapshot.js';

export const EVIDENCE_SHEETS: readonly EvidenceSheet[] = [
  peopleSheet,
  accessSheet,
  requestsSheet,
  approvalsSheet,
  grantsSheet,
  leaversSheet,
  reviewCampaignsSheet,
  reviewsSheet,
  privilegedSheet,
  driftSheet,
  changesSheet,
  auditLogSheet,
];
