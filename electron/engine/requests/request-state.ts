// The one status word of a request, as people see it and filter on it. The
// stored requests.status is the decision alone (pending, approved, denied,
// expired while pending, cancelled); what became of the access lives in the
// request's grants. A request approved whose access ran out is 'expired', not
// "Approved" next to an "Expired" badge. Computed here only, as SQL, so the
// list filter, the rows (badge, detail header) and the CLI all read the same
// value; there is no second copy in TypeScript to drift from it.
//
// From the grants of an approved request, the first that applies:
//   any grant failed (provisioning or removal)           -> 'failed' (needs attention)
//   any grant pending, active, manual or being revoked   -> 'approved' (access granted or on its way)
//   otherwise every grant ended: any revoked             -> 'revoked'
//                                 any expired            -> 'expired'
//                                 superseded by an extension -> 'extended'
//                                 else (cancelled)       -> 'cancelled'
//   no grant at all (nothing was mapped)                 -> 'approved'
import type { RequestState, RequestStatus } from '../../../shared/governance.js';
import { grantsOfRequestSql } from '../jobs/grant-store.js';

/**
 * The state of the request aliased `r`: one correlated aggregate over its
 * grants (the grant store's outcome rank), run only for approved requests;
 * no grant at all reads as 'approved'.
 */
export function requestStateSql(r = 'r'): string {
  return `(CASE WHEN ${r}.status <> 'approved' THEN ${r}.status ELSE CASE ${grantsOfRequestSql.outcomeRank(`${r}.id`)}
    WHEN 1 THEN 'failed' WHEN 3 THEN 'revoked' WHEN 4 THEN 'expired' WHEN 5 THEN 'extended' WHEN 6 THEN 'cancelled'
    ELSE 'approved' END END)`;
}

/** Which stored statuses can show as each state: the filter narrows on the indexed column first. */
const STORED_FOR: Record<RequestState, readonly RequestStatus[]> = {
  pending: ['pending'],
  approved: ['approved'],
  denied: ['denied'],
  expired: ['expired', 'approved'],
  revoked: ['approved'],
  cancelled: ['cancelled', 'approved'],
  failed: ['approved'],
  extended: ['approved'],
};

/**
 * The WHERE clause of a filter on states: the stored statuses that can hold
 * them (indexed), and the derived state itself only when a stored status
 * alone does not decide it (pending and denied are what they are stored as).
 */
export function stateFilter(states: readonly RequestState[], r = 'r'): { sql: string; params: string[]; derived: boolean } {
  const stored = [...new Set(states.flatMap((s) => STORED_FOR[s]))];
  const sql = `${r}.status IN (${stored.map(() => '?').join(', ')})`;
  if (states.every((s) => s === 'pending' || s === 'denied')) return { sql, params: stored, derived: false };
  return { sql: `${sql} AND ${requestStateSql(r)} IN (${states.map(() => '?').join(', ')})`, params: [...stored, ...states], derived: true };
}
