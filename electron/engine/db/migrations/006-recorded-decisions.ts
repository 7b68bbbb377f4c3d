// Migration 6: decisions recorded for someone else.
//
// Why: an operator at the console may record another approver's decision
// (given by e-mail, in a meeting), but that is recording, not deciding: the
// approval must show both people — the approver (decided_by) and the
// operator who recorded it (recorded_by, already there) — with why it was
// recorded and where the evidence is (e.g. "approved by e-mail, message id
// …"). NULL on decisions made by the approver themselves.
export const migration006 = {
  version: 6,
  name: 'recorded-decisions',
  sql: `
ALTER TABLE approvals ADD COLUMN record_reason TEXT;
ALTER TABLE approvals ADD COLUMN evidence_ref TEXT;
`,
} as const;
