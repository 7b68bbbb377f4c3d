// The dashboard's governance counts: what is waiting for a decision, what
// access is live for a time and about to end, and what went wrong (failed
// jobs, open manual tasks, open drift). Reads only, so a read-only snapshot
// shows them too. Here rather than in directory/dashboard.ts: these are the
// request and job tables', and requests may read the jobs area, not the
// other way round.
import type { GovernanceCounts } from '../../../shared/contract-requests.js';
import type { EngineContext } from '../context.js';
import { attentionCounts, listGrants } from '../jobs/operations.js';
import { addressesOf } from '../directory/people-lookup.js';
import { listRequests } from './queries.js';

/** The window of the dashboard's "expiring" card: a day, whatever the notice setting. */
export const EXPIRING_WITHIN_HOURS = 24;

/** `operator`: the e-mail of who is at the console (signed in, or acting as in a sandbox), for "waiting for you". */
export function governanceCounts(ctx: EngineContext, operator: string | null): GovernanceCounts {
  const pending = listRequests(ctx.db, { view: 'open', status: [], search: '', offset: 0, limit: 1 }, []).total;
  const waitingForOperator = operator
    ? listRequests(ctx.db, { view: 'mine', status: [], search: '', offset: 0, limit: 1 }, [...addressesOf(ctx.db, operator)]).total
    : null;
  const attention = attentionCounts(ctx);
  return {
    pendingApprovals: pending,
    waitingForOperator,
    activeTimeBound: listGrants(ctx, { filter: 'time-bound', limit: 1 }).total,
    expiringSoon: listGrants(ctx, { filter: 'expiring-soon', withinHours: EXPIRING_WITHIN_HOURS, limit: 1 }).total,
    expiringWithinHours: EXPIRING_WITHIN_HOURS,
    failedJobs: attention.failed,
    manualTasks: attention.manual,
    openDrift: attention.drift,
  };
}
