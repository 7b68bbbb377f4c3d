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

/**
 * How supersede() in requests.ts words the end of a grant an approved
 * extension replaced: the state reads it from the grant itself, so telling
 * "extended" from "cancelled" needs no scan of other requests.
 */
export const SUPERSEDED_PREFIX = 'superseded by request #';

/**
 * The state of the request aliased `r`: one correlated aggregate over its
 * grants (grants_by_request), run only for approved requests. The grant that
 * decides is the one of lowest rank: 1 failed, 2 held or on its way, 3
 * revoked, 4 expired, 5 superseded, 6 otherwise cancelled; none: 'approved'.
 */
export function requestStateSql(r = 'r'): string {
  return `(CASE WHEN ${r}.status <> 'approved' THEN ${r}.status ELSE CASE (
      SELECT min(CASE
        WHEN g.status = 'failed' THEN 1
        WHEN g.status IN ('pending', 'active', 'manual', 'revoking') THEN 2
        WHEN g.status = 'revoked' THEN 3
        WHEN g.status = 'expired' THEN 4
        WHEN g.end_reason LIKE '${SUPERSEDED_PREFIX}%' THEN 5
        ELSE 6 END)
      FROM grants g WHERE g.request_id = ${r}.id)
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
