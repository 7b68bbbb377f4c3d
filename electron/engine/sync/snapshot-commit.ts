// How a full sync run ends, on the caller's connection: the flip that makes
// the new generation live together with the changes it records, the run
// record and its audit event (one transaction), and the record of a run's
// end, succeeded or failed, which also releases the connection's sync lock.
import { appendAudit } from '../audit/audit-log.js';
import { liveGeneration, setLiveGeneration } from '../connections/connections.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { deleteMeta } from '../db/meta.js';
import type { SnapshotCounts } from '../connectors/snapshot-model.js';
import { recordGenerationDiff } from './generation-diff.js';
import { lockKey, type Actor, type RunExtra, type RunTotals, type StartedRun } from './run-start.js';

/** Finishes the run record with its counts and totals, releases the connection's sync lock and audits the outcome; inside the caller's transaction. */
export function recordRunEnd(
  db: Db,
  run: StartedRun,
  who: Actor,
  status: 'succeeded' | 'failed',
  totals: RunTotals,
  counts: SnapshotCounts,
  error: string | null,
  changes?: number,
): void {
  const now = who.clock.now();
  db.prepare(
    `UPDATE sync_runs SET status = ?, finished_at = ?, users = ?, groups = ?, memberships = ?, apps = ?, app_assignments = ?,
       requests = ?, throttled_waits = ?, rate_limited = ?, error = ? WHERE id = ?`,
  ).run(
    status, now.toISOString(), counts.users, counts.groups, counts.memberships, counts.apps, counts.appAssignments,
    totals.requests, totals.throttledWaits, totals.rateLimited, error, run.runId,
  );
  deleteMeta(db, lockKey(run.connectionId));
  const durationMs = now.getTime() - Date.parse(run.startedAt);
  appendAudit(
    db,
    {
      actor: who.actor,
      action: status === 'succeeded' ? 'sync.succeeded' : 'sync.failed',
      targetType: 'connection',
      targetId: run.connectionId,
      details: {
        runId: run.runId, gen: run.gen, mode: run.mode, durationMs, ...counts, ...totals,
        ...(changes !== undefined ? { changes } : {}), ...(error ? { reason: error } : {}),
      },
    },
    now,
  );
}

/**
 * The flip: makes the run's generation live, records what changed against
 * the old one and finishes the run (with the position incremental sync
 * resumes from), in one immediate transaction. Refuses when the connection
 * went away or another sync replaced its snapshot meanwhile.
 */
export function flipLiveGeneration(db: Db, run: StartedRun, who: Actor, totals: RunTotals, counts: SnapshotCounts, extra: RunExtra): void {
  db.transaction(() => {
    const liveGen = liveGeneration(db, run.connectionId);
    if (liveGen === null) throw new UserError('the connection was removed during the sync', 'not-found');
    if (liveGen !== run.gen - 1) {
      throw new UserError(`another sync replaced this connection's snapshot meanwhile (generation ${liveGen})`, 'conflict');
    }
    // What changed since the old generation, in the same transaction as
    // the flip: the history never disagrees with the snapshot. The first
    // snapshot of a connection has nothing to compare with (a baseline):
    // listing every object as a joiner would bury real changes.
    const baseline = liveGen === 0;
    const changes = baseline
      ? 0
      : recordGenerationDiff(db, { runId: run.runId, connectionId: run.connectionId, fromGen: liveGen, toGen: run.gen }).total;
    setLiveGeneration(db, run.connectionId, run.gen, who.clock.now());
    recordRunEnd(db, run, who, 'succeeded', totals, counts, null, changes);
    db.prepare('UPDATE sync_runs SET cursor = ?, note = ?, changes = ?, baseline = ? WHERE id = ?').run(
      extra.cursor ?? null, extra.note ?? null, changes, baseline ? 1 : 0, run.runId,
    );
  }).immediate();
}
