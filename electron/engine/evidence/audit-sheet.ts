// The evidence workbook's Audit log sheet: every audit event stamped in the
// period, in chain order, with every field its hash covers (so an auditor
// can recompute any row's hash from the row: audit-log.ts documents the
// form), and the chain's verification at export time as the sheet's
// reconciliations: the whole chain re-hashed from its first event, the
// signed checkpoints that verify, and the anchors outside the file that
// still hold. The chain is verified from genesis, not only over the period:
// an event of the period is only as good as every event before it.
import { auditEventsInPeriod, auditHead, countAuditEventsInPeriod } from '../audit/audit-log.js';
import { verifyAudit, type AuditVerifyReport } from '../audit/verify.js';
import type { Db } from '../db/database.js';
import type { EvidenceRow, EvidenceSheet } from './sheet-types.js';

/** One verification per chain head: the rows and the reconciliation of one export share it. */
const verified = new WeakMap<Db, { head: string; report: AuditVerifyReport }>();
function verification(db: Db): AuditVerifyReport {
  const head = auditHead(db).hash;
  const known = verified.get(db);
  if (known?.head === head) return known.report;
  const report = verifyAudit(db);
  verified.set(db, { head, report });
  return report;
}

export const auditLogSheet: EvidenceSheet = {
  name: 'Audit log',
  query: 'audit-events-in-period',
  description:
    'Every event of the hash-chained audit log stamped in the period (at or after its start and at or before its end), in chain order, with every field ' +
    'its SHA-256 covers: sequence, time, actor, channel, action, target, details as stored, the previous hash, its own hash and the hash format. ' +
    'The Manifest shows the chain verified from its first event at export time, the signed checkpoints that verify and the anchors that hold. ' +
    'Flagged: an event whose verification found a fault.',
  columns: [
    { header: 'Seq', type: 'integer' },
    { header: 'At (UTC)', type: 'date' },
    { header: 'Actor', type: 'text', width: 30 },
    { header: 'Channel', type: 'text' },
    { header: 'Action', type: 'text', width: 26 },
    { header: 'Target type', type: 'text' },
    { header: 'Target id', type: 'text' },
    { header: 'Details (as stored)', type: 'text', width: 60 },
    { header: 'Previous hash', type: 'text', width: 66 },
    { header: 'Hash', type: 'text', width: 66 },
    { header: 'Format', type: 'integer' },
  ],
  *rows(input) {
    // The verification's faults by event, to flag the rows they name.
    const faults = new Map<number, string[]>();
    for (const f of verification(input.db).findings) {
      if (f.seq === undefined) continue;
      faults.set(f.seq, [...(faults.get(f.seq) ?? []), `audit chain: ${f.message}`]);
    }
    for (const e of auditEventsInPeriod(input.db, input.from, input.to)) {
      const flags = faults.get(e.seq);
      const row: EvidenceRow = {
        cells: [e.seq, new Date(e.at), e.actor, e.channel, e.action, e.target_type, e.target_id, e.details, e.prev_hash, e.hash, e.format],
        ...(flags ? { flags } : {}),
      };
      yield row;
    }
  },
  reconcile(input, written) {
    const report = verification(input.db);
    const chainFaults = report.findings.filter((f) => f.seq !== undefined).length;
    return [
      { what: 'audit events stamped in the period (counted apart)', expected: countAuditEventsInPeriod(input.db, input.from, input.to), actual: written },
      { what: 'audit events re-hashed from the first one without a fault', expected: report.events, actual: report.events - chainFaults },
      { what: 'signed checkpoints whose signature verifies', expected: report.checkpoints.total, actual: report.checkpoints.valid },
      { what: 'anchors outside the file that still hold', expected: report.anchors.checked, actual: report.anchors.held },
    ];
  },
};
