// What follows a successful sync in the other areas, so the sync area does
// not call them: people are re-linked across IdPs (joiners, changed e-mails:
// the Directory shows people, so before anyone reads), then the grant ledger
// is compared with what the IdP now shows (drift: flagged, never changing a
// grant), then the due HR events become joiner / mover / leaver plans.
// Every caller that starts a sync for a person to see — the console,
// the CLI, the demo — goes through syncAndReconcile.
import type { SyncRunSummary } from '../../../shared/domain.js';
import type { EngineContext } from '../context.js';
import { mappedGroupIds } from '../catalog/catalog-store.js';
import { refreshCorrelation } from '../directory/correlation.js';
import { detectDrift } from '../jobs/drift.js';
import { refreshRecommendations } from '../reviews/refresh.js';
import { syncRemediationStates, verifyRemediations } from '../reviews/remediation.js';
import { startSync, type StartedSync } from '../sync/sync-service.js';
import { checkpointQuietly } from './audit-anchoring.js';
import { planAndAdvance } from './plans.js';

/** Starts a sync (see startSync); its `done` resolves after the follow-ups of a successful run. */
export async function syncAndReconcile(ctx: EngineContext, connectionId: number, opts: Parameters<typeof startSync>[2] = {}): Promise<StartedSync> {
  // The catalog's mapped groups have their owners read even where a large Okta org limits that to app-assigned groups (sync/group-owners.ts).
  const started = await startSync(ctx, connectionId, { ownerGroups: mappedGroupIds(ctx.db, connectionId), ...opts });
  const done = started.done.then(async (summary: SyncRunSummary) => {
    if (summary.status === 'succeeded') afterSync(ctx, connectionId, summary.id);
    // Every run's end, succeeded or not, is a signed checkpoint of the audit chain.
    await checkpointQuietly(ctx, 'sync');
    return summary;
  });
  return { runId: started.runId, done };
}

/** The follow-ups of one successful sync of a connection (`runId`: the run, which verifies access-review revocations). */
export function afterSync(ctx: EngineContext, connectionId: number, runId?: number): void {
  refreshCorrelation(ctx.db);
  if (runId !== undefined) {
    try {
      // Revocations the jobs finished, then what this run shows of them: verified (naming the run) or not.
      syncRemediationStates(ctx);
      verifyRemediations(ctx, connectionId, runId);
    } catch {
      // Like drift: a report about the sync, never a reason to fail it.
    }
  }
  try {
    const drift = detectDrift(ctx.db, connectionId, ctx.clock.now());
    if (drift.detected.length > 0 || drift.resolved.length > 0) ctx.events.emit('governance:changed', { area: 'jobs', ids: [...drift.detected, ...drift.resolved] });
  } catch {
    // Drift is a report about the sync, not part of it: a failure here must not fail the sync.
  }
  try {
    // Open review campaigns: recommendations refreshed, a leaver's undecided items to the fallback.
    refreshRecommendations(ctx, [connectionId]);
  } catch {
    // Same as drift: the next sync refreshes again.
  }
  // Joiners, movers and leavers: due HR events planned on the accounts this sync shows, plans moved on (never fails the sync).
  planAndAdvance(ctx);
}

