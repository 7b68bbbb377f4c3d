// Finishing an incremental run: the changes, the run record, the new cursor
// and the audit event go in ONE transaction, so a run either happened
// entirely (snapshot patched, cursor advanced) or not at all (snapshot and
// cursor as before; the next run replays the same changes, which is
// harmless because every patch operation is idempotent).
import { appendAudit } from '../audit/audit-log.js';
import type { Clock } from '../context.js';
import type { Db } from '../db/database.js';
import { deleteMeta } from '../db/meta.js';
import { openSnapshotPatch, type SnapshotPatch } from './snapshot-patch.js';
import { lockKey, type RunExtra, type RunTotals, type StartedRun } from './run-start.js';
import { countGeneration } from './snapshot-generations.js';
import type { SnapshotCounts } from '../connectors/snapshot-model.js';

type Who = { actor: string; clock: Clock };

/**
 * Applies `apply` to the live generation and finishes the run as succeeded,
 * all in one immediate transaction. Returns what `apply` returned and the
 * number of changes recorded.
 */
export function commitIncrementalRun<T>(
  db: Db,
  run: StartedRun,
  who: Who,
  apply: (patch: SnapshotPatch) => T,
  finish: (result: T) => { totals: RunTotals } & RunExtra,
): { result: T; changes: number; counts: SnapshotCounts } {
  if (run.mode !== 'incremental') throw new TypeError('commitIncrementalRun needs an incremental run');
  return db
    .transaction(() => {
      const live = db.prepare('SELECT live_gen FROM connections WHERE id = ?').get(run.connectionId) as { live_gen: number } | undefined;
      if (!live) throw new Error('the connection was removed during the sync');
      if (live.live_gen !== run.gen) throw new Error(`a full sync replaced this connection's snapshot meanwhile (generation ${live.live_gen})`);
      const patch = openSnapshotPatch(db, { runId: run.runId, connectionId: run.connectionId, gen: run.gen });
      const result = apply(patch);
      const { totals, cursor = null, note = null } = finish(result);
      const counts = countGeneration(db, run.connectionId, run.gen);
      const now = who.clock.now();
      const changes = patch.total();
      db.prepare(
        `UPDATE sync_runs SET status = 'succeeded', finished_at = ?, users = ?, groups = ?, memberships = ?, apps = ?, app_assignments = ?,
           requests = ?, throttled_waits = ?, rate_limited = ?, error = NULL, cursor = ?, note = ?, changes = ? WHERE id = ?`,
      ).run(
        now.toISOString(), counts.users, counts.groups, counts.memberships, counts.apps, counts.appAssignments,
        totals.requests, totals.throttledWaits, totals.rateLimited, cursor, note, changes, run.runId,
      );
      deleteMeta(db, lockKey(run.connectionId));
      appendAudit(
        db,
        {
          actor: who.actor,
          action: 'sync.succeeded',
          targetType: 'connection',
          targetId: run.connectionId,
          details: { runId: run.runId, gen: run.gen, mode: 'incremental', durationMs: now.getTime() - Date.parse(run.startedAt), changes, ...counts, ...totals },
        },
        now,
      );
      return { result, changes, counts };
    })
    .immediate();
}

/** Records an incremental run's failure; nothing it read was applied. */
export function failIncrementalRun(db: Db, run: StartedRun, who: Who, reason: string, totals: RunTotals): void {
  db.transaction(() => {
    const now = who.clock.now();
    db.prepare(
      "UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ?, requests = ?, throttled_waits = ?, rate_limited = ? WHERE id = ?",
    ).run(now.toISOString(), reason, totals.requests, totals.throttledWaits, totals.rateLimited, run.runId);
    deleteMeta(db, lockKey(run.connectionId));
    appendAudit(
      db,
      { actor: who.actor, action: 'sync.failed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, mode: 'incremental', reason, ...totals } },
      now,
    );
  }).immediate();
}
