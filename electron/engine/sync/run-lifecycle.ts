// The parts of a sync run every IdP's runner shares: turning an incremental
// run into a full one, recording a failure that happened before the writer
// existed, running tasks so one failure stops the rest, describing failures.
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { lockKey, type RunTotals, type StartedRun } from './snapshot-writer.js';

/**
 * Turns a running incremental run into a full one (same record, audited with
 * the reason): it will write the next generation instead of patching the live one.
 */
export function convertToFull(ctx: EngineContext, run: StartedRun, reason: string): StartedRun {
  return ctx.db
    .transaction((): StartedRun => {
      const live = ctx.db.prepare('SELECT live_gen FROM connections WHERE id = ?').get(run.connectionId) as { live_gen: number } | undefined;
      if (!live) throw new UserError('the connection was removed during the sync', 'not-found');
      const gen = live.live_gen + 1;
      ctx.db.prepare("UPDATE sync_runs SET mode = 'full', gen = ? WHERE id = ? AND status = 'running'").run(gen, run.runId);
      appendAudit(
        ctx.db,
        { actor: ctx.actor, action: 'sync.mode-changed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, from: 'incremental', to: 'full', reason } },
        ctx.clock.now(),
      );
      return { ...run, gen, mode: 'full' };
    })
    .immediate();
}

/** Failure before the writer existed: the run is still recorded as failed, with its audit event. */
export function failEarly(ctx: EngineContext, run: StartedRun, reason: string, totals?: RunTotals): void {
  ctx.db
    .transaction(() => {
      const now = ctx.clock.now();
      ctx.db.prepare("UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?").run(now.toISOString(), reason, run.runId);
      if (totals) {
        ctx.db
          .prepare('UPDATE sync_runs SET requests = ?, throttled_waits = ?, rate_limited = ? WHERE id = ?')
          .run(totals.requests, totals.throttledWaits, totals.rateLimited, run.runId);
      }
      ctx.db.prepare('DELETE FROM meta WHERE key = ?').run(lockKey(run.connectionId));
      appendAudit(
        ctx.db,
        { actor: ctx.actor, action: 'sync.failed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, mode: run.mode, reason } },
        now,
      );
    })
    .immediate();
}

/**
 * Waits for every task; on the first failure aborts the others (so they stop
 * at their next page) and still waits for all of them before rethrowing, so
 * nothing writes to the snapshot after the caller starts cleaning it up.
 */
export async function allOrAbort(ctrl: AbortController, tasks: Promise<void>[]): Promise<void> {
  let first: { error: unknown } | null = null;
  await Promise.all(
    tasks.map((t) =>
      t.catch((e: unknown) => {
        if (!first) {
          first = { error: e };
          ctrl.abort(e);
        }
      }),
    ),
  );
  if (first) throw (first as { error: unknown }).error;
}

/** Runs `fn` over `items` with at most `n` at once; stops taking new items after a failure. */
export async function inPool<T>(items: readonly T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const item = items[next++] as T;
      try {
        await fn(item);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, () => worker()));
}

/** One line for the run record; `known` are the connector's own error classes, whose messages are already written for people. */
export function describeFailure(e: unknown, known: (e: unknown) => boolean): string {
  if (known(e) || e instanceof UserError) return (e as Error).message;
  if (e instanceof Error) {
    if (e.name === 'AbortError') return 'the sync was cancelled';
    if (/SQLITE_FULL|database or disk is full/i.test(e.message)) return 'the disk is full: free some space and sync again';
    return e.message;
  }
  return String(e);
}
