// The one status word of a request, as people see it and filter on it. The
// stored requests.status is the decision alone (pending, approved, denied,
// expired while pending, cancelled); what became of the access lives in the
// request's grants. A request approved whose access ran out is 'expired', not
// "Approved" next to an "Expired" badge. Computed here only, as SQL, so the
// list filter, the rows (badge, detail header) and the CLI all read the same
// value; there is no second copy in TypeScript to drift from it.
//
// From the grants of an approved request, in this order:
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

/** The state of the request aliased `r` (a correlated subquery on grants_by_request, run only for approved requests). */
export function requestStateSql(r = 'r'): string {
  return `(CASE WHEN ${r}.status <> 'approved' THEN ${r}.status ELSE (
      SELECT CASE
        WHEN count(*) = 0 THEN 'approved'
        WHEN max(g.status = 'failed') THEN 'failed'
        WHEN max(g.status IN ('pending', 'active', 'manual', 'revoking')) THEN 'approved'
        WHEN max(g.status = 'revoked') THEN 'revoked'
        WHEN max(g.status = 'expired') THEN 'expired'
        WHEN max(g.status = 'cancelled' AND g.end_reason LIKE '${SUPERSEDED_PREFIX}%') THEN 'extended'
        ELSE 'cancelled' END
      FROM grants g WHERE g.request_id = ${r}.id) END)`;
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
export function stateFilter(states: readonly RequestState[], r = 'r'): { sql: string; params: string[] } {
  const stored = [...new Set(states.flatMap((s) => STORED_FOR[s]))];
  const sql = `${r}.status IN (${stored.map(() => '?').join(', ')})`;
  if (states.every((s) => s === 'pending' || s === 'denied')) return { sql, params: stored };
  return { sql: `${sql} AND ${requestStateSql(r)} IN (${states.map(() => '?').join(', ')})`, params: [...stored, ...states] };
}
