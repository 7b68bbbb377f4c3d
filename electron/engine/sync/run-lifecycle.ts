// The parts of a sync run every IdP's runner shares: progress events,
// turning an incremental run into a full one, recording a failure that
// happened before the writer existed, running tasks so one failure stops the
// rest, describing failures, and how a run ends (succeeded or failed).
import { performance } from 'node:perf_hooks';
import type { SyncPhase, SyncProgress, SyncRunSummary, SyncScope } from '../../../shared/domain.js';
import { appendAudit } from '../audit/audit-log.js';
import { deleteMeta } from '../db/meta.js';
import { UserError, type EngineContext } from '../context.js';
import { releaseSyncSlot, reserveSyncSlot, type SyncSlot } from './active-syncs.js';
import { beginSyncRun, lockKey, type RunTotals, type StartedRun } from './run-start.js';
import { describeScope, normaliseScope, sameScope } from '../connections/scope.js';
import { getSyncRun, lastCursor } from './sync-runs.js';

/** A sync that ran and failed; the run is recorded, the previous snapshot is still live. */
export class SyncFailedError extends UserError {
  constructor(
    message: string,
    code: UserError['code'],
    readonly summary: SyncRunSummary | null,
  ) {
    super(message, code);
  }
}

/** A run's phase and message, and the progress events that report them. */
export type ProgressReporter = {
  phase: SyncPhase;
  message: string | null;
  /** A progress event, unless one went out less than the interval ago; `force`: at once. */
  emit: (force?: boolean) => void;
  /** A new phase or message goes out at once; the same phase and message again is not news. */
  setPhase: (phase: SyncPhase, message?: string | null) => void;
};

/** What a runner measures for a progress event; the phase, message and ids are the reporter's. */
export type ProgressCounts = Pick<SyncProgress, 'pages' | 'items' | 'expected' | 'requests' | 'budget'>;

/**
 * The reporter of one run, also answering the slot's progress (what
 * `activeSyncProgress` shows). `ids` is read at each event, so a runner may
 * fill in the run id once the run is recorded.
 */
export function progressReporter(
  ctx: EngineContext,
  slot: SyncSlot,
  ids: { readonly runId: number; readonly connectionId: number },
  start: { phase: SyncPhase; message: string | null; intervalMs?: number | undefined },
  counts: (phase: SyncPhase) => ProgressCounts,
): ProgressReporter {
  const interval = start.intervalMs ?? 250;
  let lastEmit = -Infinity;
  const progress = (): SyncProgress => ({ runId: ids.runId, connectionId: ids.connectionId, phase: r.phase, ...counts(r.phase), message: r.message });
  const r: ProgressReporter = {
    phase: start.phase,
    message: start.message,
    emit: (force = false) => {
      const now = performance.now();
      if (!force && now - lastEmit < interval) return;
      lastEmit = now;
      ctx.events.emit('sync:progress', progress());
    },
    setPhase: (p, message = null) => {
      if (p === r.phase && message === r.message) return;
      r.phase = p;
      r.message = message;
      r.emit(true);
    },
  };
  slot.progress = progress;
  return r;
}

/**
 * Items done in the current phase, from the counters a runner keeps per phase;
 * a phase without its own counter (starting, committing, ...) shows everything
 * read so far.
 */
export function phaseItems(phase: SyncPhase, perPhase: Partial<Record<SyncPhase, number>>, everything: number): number {
  return perPhase[phase] ?? everything;
}

/** The run totals from a connector's statistics. */
export function connectorTotals(connector: { stats: () => RunTotals }): RunTotals {
  const s = connector.stats();
  return { requests: s.requests, throttledWaits: s.throttledWaits, rateLimited: s.rateLimited };
}

/**
 * A committed run's end: its summary, the 'done' event (`done` says what it
 * did), off the active list before 'sync:finished' goes out so a listener
 * sees a consistent picture.
 */
export function finishSucceededRun(ctx: EngineContext, run: StartedRun, slot: SyncSlot, reporter: ProgressReporter, done: (summary: SyncRunSummary) => string): SyncRunSummary {
  const summary = getSyncRun(ctx.db, run.runId);
  if (!summary) throw new Error(`sync run ${run.runId} disappeared`);
  reporter.setPhase('done', done(summary));
  releaseSyncSlot(run.connectionId, slot);
  ctx.events.emit('sync:finished', summary);
  return summary;
}

/** How a failed run ends, for finishFailedRun. */
export type FailedRunEnd = {
  connectionName: string;
  slot: SyncSlot;
  reporter: ProgressReporter;
  /** Stopped so no task keeps reading or writing. */
  internal: AbortController;
  /** Removed from the reason before it is stored, shown or logged. */
  redact: (reason: string) => string;
  /** The connector's own error classes, whose messages are already written for people. */
  known: (e: unknown) => boolean;
  /** Records the failure (writer abort, early failure, incremental failure). */
  record: (reason: string) => void | Promise<void>;
  code: (e: unknown) => UserError['code'];
};

/**
 * Ends a failed run: records it (if even that fails, the run stays 'running'
 * and is marked failed by the next start; the live snapshot is untouched
 * either way), reports it, and throws SyncFailedError with the summary.
 */
export async function finishFailedRun(ctx: EngineContext, run: StartedRun, e: unknown, end: FailedRunEnd): Promise<never> {
  const reason = end.redact(describeFailure(e, end.known));
  end.internal.abort(e);
  let summary: SyncRunSummary | null = null;
  try {
    await end.record(reason);
    summary = getSyncRun(ctx.db, run.runId);
  } catch {
    summary = null;
  }
  end.reporter.setPhase('failed', reason);
  releaseSyncSlot(run.connectionId, end.slot);
  if (summary) ctx.events.emit('sync:finished', summary);
  throw new SyncFailedError(`sync of "${end.connectionName}" failed: ${reason}`, end.code(e), summary);
}

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
        { actor: ctx.actor, channel: ctx.channel, action: 'sync.mode-changed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, from: 'incremental', to: 'full', reason } },
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
      deleteMeta(ctx.db, lockKey(run.connectionId));
      appendAudit(
        ctx.db,
        { actor: ctx.actor, channel: ctx.channel, action: 'sync.failed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, mode: run.mode, reason } },
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

/** Items one task finds (e.g. group pages) while a pool of workers takes them. */
export type FeedQueue<T> = {
  /** Adds items and wakes every idle worker. */
  push: (items: readonly T[]) => void;
  /** No more items will come: idle workers wake, and stop once the queue is empty. */
  close: () => void;
  /** One worker: `fn` on each item as it comes (`check`, for cancellation, before each look) until the queue is closed and empty. */
  work: (check: () => void, fn: (item: T) => Promise<void>) => Promise<void>;
};

export function feedQueue<T>(): FeedQueue<T> {
  const items: T[] = [];
  let closed = false;
  let idle: (() => void)[] = [];
  const wakeAll = (): void => {
    const ws = idle;
    idle = [];
    for (const f of ws) f();
  };
  return {
    push: (more) => {
      for (const x of more) items.push(x);
      wakeAll();
    },
    close: () => {
      closed = true;
      wakeAll();
    },
    work: async (check, fn) => {
      for (;;) {
        check();
        if (items.length === 0) {
          if (closed) return;
          await new Promise<void>((resolve) => idle.push(resolve));
          continue;
        }
        await fn(items.shift() as T);
      }
    },
  };
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

/** What a runner plans once it holds the connection's slot: the mode, how to run it, how to cancel it. */
export type RunPlan<D extends { mode: 'full' | 'incremental' }> = {
  decision: D;
  execute: (run: StartedRun, decision: D) => Promise<SyncRunSummary>;
  /** Called when the caller's signal aborts. */
  cancel: () => void;
  /** After the run, whatever its outcome (e.g. close the connector). */
  cleanup?: () => void;
};

/**
 * Starts a sync run of any IdP: refuses on a read-only workspace, a
 * connection of another kind or one already syncing (the slot is reserved
 * before anything awaits, so two clicks cannot both get past the check),
 * records the run in the mode the plan chose and runs it in the background.
 * Returns at once with the run id and a promise of the outcome.
 */
export function launchSyncRun<D extends { mode: 'full' | 'incremental' }>(
  ctx: EngineContext,
  connection: { id: number; name: string; kind: string },
  kind: 'okta' | 'entra',
  signal: AbortSignal | undefined,
  plan: (slot: SyncSlot) => RunPlan<D>,
): { runId: number; done: Promise<SyncRunSummary> } {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only (a copied snapshot): it cannot be synced', 'read-only');
  if (connection.kind !== kind) throw new UserError(`"${connection.name}" is not an ${kind === 'okta' ? 'Okta' : 'Entra'} connection`, 'bad-input');
  const slot = reserveSyncSlot(connection.id);
  if (!slot) throw new UserError(`a sync of "${connection.name}" is already running`, 'conflict');
  let p: RunPlan<D>;
  let run: StartedRun;
  try {
    p = plan(slot);
    run = beginSyncRun(ctx.db, connection.id, { actor: ctx.actor, clock: ctx.clock, mode: p.decision.mode });
  } catch (e) {
    releaseSyncSlot(connection.id, slot);
    throw e;
  }
  const onAbort = (): void => p.cancel();
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  const done = p.execute(run, p.decision).finally(() => {
    signal?.removeEventListener('abort', onAbort);
    p.cleanup?.();
    releaseSyncSlot(connection.id, slot);
  });
  // The caller may only look at runId; the outcome is also recorded and emitted.
  done.catch(() => undefined);
  return { runId: run.runId, done };
}

/** A run's mode and why (the run's note), or where an incremental run resumes. */
export type ModeDecision<C> = { mode: 'full'; note: string | null } | { mode: 'incremental'; cursor: C; fromRun: number };

/** How one IdP's stored position reads (Okta: System Log position; Entra: delta links). */
export type PositionSpec<C extends { scope: SyncScope }> = {
  /** How notes name it, e.g. "System Log position", "delta links". */
  what: string;
  decode: (raw: string) => C | null;
  /** The origin the position was read from; undefined when an older cursor does not say. */
  origin: (c: C) => string | null | undefined;
  /** When it was last brought up to date (ISO 8601, our clock). */
  readAt: (c: C) => string;
  /** Older than this and the IdP may have dropped changes. */
  maxAgeMs: number;
  tooOld: (days: number) => string;
};

const DAY_MS = 86_400_000;

/**
 * Full or incremental, from the last successful run's position, the scope and
 * the clock; every full sync after the first says why in its note.
 */
export function decideMode<C extends { scope: SyncScope }>(
  ctx: EngineContext,
  connection: { id: number; baseUrl: string; settings: { scope: SyncScope } },
  full: boolean,
  spec: PositionSpec<C>,
): ModeDecision<C> {
  const last = lastCursor(ctx.db, connection.id);
  const anySuccess = last !== null || ctx.db.prepare("SELECT 1 FROM sync_runs WHERE connection_id = ? AND status = 'succeeded' LIMIT 1").get(connection.id) !== undefined;
  // The first snapshot of a connection is a baseline: nothing to explain.
  if (!anySuccess) return { mode: 'full', note: null };
  if (full) return { mode: 'full', note: 'full sync requested' };
  if (!last) return { mode: 'full', note: `the last sync left no ${spec.what}: full sync` };
  const cursor = spec.decode(last.cursor);
  if (!cursor) return { mode: 'full', note: `the ${spec.what} of run #${last.runId} cannot be read: full sync` };
  // A position in another org or endpoint says nothing about this one (a
  // re-pointed connection, a restarted sandbox); for Graph, following its
  // links would also carry the token elsewhere.
  const origin = spec.origin(cursor);
  if (origin !== undefined && origin !== new URL(connection.baseUrl).origin) {
    return { mode: 'full', note: `the connection points at ${connection.baseUrl} now, the ${spec.what} of run #${last.runId} at ${origin ?? 'an unreadable URL'}: full sync` };
  }
  const scope = normaliseScope(connection.settings.scope);
  if (!sameScope(cursor.scope, scope)) {
    return { mode: 'full', note: `the sync scope changed since run #${last.runId} (was: ${describeScope(cursor.scope)}; now: ${describeScope(scope)}): full sync` };
  }
  const age = ctx.clock.now().getTime() - Date.parse(spec.readAt(cursor));
  if (age > spec.maxAgeMs) return { mode: 'full', note: spec.tooOld(Math.floor(age / DAY_MS)) };
  return { mode: 'incremental', cursor, fromRun: last.runId };
}
