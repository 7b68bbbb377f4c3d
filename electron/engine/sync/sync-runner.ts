// A full sync of one Okta connection into a new snapshot generation.
//
// Order of work (what depends on what):
//   1. group rules and apps (a few requests): needed to tell who manages each group;
//   2. all at once: users  ||  groups -> each group's members (a pool of
//      `concurrency` listings fed as group pages arrive)  ||  each app's
//      groups. Different rate-limit buckets, so overlapping them is free;
//   3. commit: the new generation goes live in one transaction, or abort:
//      the failure is recorded and the previous snapshot stays live.
// Everything is bounded: the pool size, the writer's batch size, and the
// rate budget (connector) that keeps us inside our share of each Okta bucket.
import { performance } from 'node:perf_hooks';
import type { SyncPhase, SyncProgress, SyncRunSummary } from '../../../shared/domain.js';
import { createOktaConnector, type OktaConnector, type OktaConnectorOptions } from '../connectors/okta/okta-connector.js';
import { OktaError, redact } from '../connectors/okta/okta-errors.js';
import { classifyGroup, ruleIndex } from '../connectors/okta/okta-normalise.js';
import type { ConnectionRecord, OktaCredential } from '../connectors/types.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { beginSyncRun, discardStaleGenerations, openSnapshotWriter, type RunTotals, type SnapshotWriter, type StartedRun } from './snapshot-writer.js';
import type { ManagerRef } from './snapshot-types.js';
import { getSyncRun } from './sync-runs.js';
import { releaseSyncSlot, reserveSyncSlot, type SyncSlot } from './active-syncs.js';

export { getSyncRun, listSyncRuns } from './sync-runs.js';

export type SyncOptions = {
  signal?: AbortSignal;
  /** A ready connector (tests, benchmarks); by default one is built from the connection and credential. */
  connector?: OktaConnector;
  /** Extra connector settings (time-outs, retries, transport) when the runner builds it. */
  connectorOptions?: Partial<Omit<OktaConnectorOptions, 'orgUrl' | 'credential'>>;
  /** Group-member and app-group listings at once (default 8). */
  concurrency?: number;
  /** Minimum time between two progress events (phase changes are sent at once). */
  progressIntervalMs?: number;
};

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

type Active = SyncSlot;

export { activeSyncProgress, isSyncRunning } from './active-syncs.js';

/**
 * Records the run and starts it; returns at once with the run id and a promise
 * of the outcome. Throws (UserError) before anything starts when the workspace
 * is read-only or this connection is already syncing.
 */
export function startFullSync(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: OktaCredential,
  opts: SyncOptions = {},
): { runId: number; done: Promise<SyncRunSummary> } {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only (a copied snapshot): it cannot be synced', 'read-only');
  if (connection.kind !== 'okta') throw new UserError(`syncing ${connection.kind} connections is not supported yet`, 'bad-input');
  // Reserved before the first await so two clicks cannot both get past the check.
  const slot = reserveSyncSlot(connection.id);
  if (!slot) throw new UserError(`a sync of "${connection.name}" is already running`, 'conflict');
  let run: StartedRun;
  try {
    run = beginSyncRun(ctx.db, connection.id, { actor: ctx.actor, clock: ctx.clock, mode: 'full' });
  } catch (e) {
    releaseSyncSlot(connection.id, slot);
    throw e;
  }
  const done = execute(ctx, connection, credential, run, opts, slot).finally(() => releaseSyncSlot(connection.id, slot));
  // The caller may only look at runId; the outcome is also recorded and emitted.
  done.catch(() => undefined);
  return { runId: run.runId, done };
}

/** Runs a full sync to the end: the summary on success, SyncFailedError (with the summary) on failure. */
export async function runFullSync(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: OktaCredential,
  opts: SyncOptions = {},
): Promise<SyncRunSummary> {
  return startFullSync(ctx, connection, credential, opts).done;
}


type Counters = {
  pages: number;
  users: number;
  groups: number;
  memberships: number;
  expectedMemberships: number | null;
  groupsListed: number;
  groupsWithMembers: number;
  apps: number;
  appAssignments: number;
  appsWithGroups: number;
};

const fmt = (n: number): string => n.toLocaleString('en-US');

async function execute(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: OktaCredential,
  run: StartedRun,
  opts: SyncOptions,
  slot: Active,
): Promise<SyncRunSummary> {
  const t0 = performance.now();
  const internal = new AbortController();
  const onOuterAbort = (): void => internal.abort(new OktaError('the sync was cancelled', 'aborted'));
  if (opts.signal?.aborted) onOuterAbort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const concurrency = Math.max(1, opts.concurrency ?? opts.connector?.concurrency ?? 8);
  const connector =
    opts.connector ??
    createOktaConnector({
      orgUrl: connection.baseUrl,
      credential,
      budgetShare: connection.settings.budgetShare,
      concurrency,
      ...opts.connectorOptions,
      // The budget runs on real time whatever ctx.clock is: a test's frozen
      // clock must not make a rate-limit window last forever.
      signal: internal.signal,
    });
  const secrets = credential.type === 'token' ? [credential.token] : [credential.privateKeyPem];

  const c: Counters = {
    pages: 0, users: 0, groups: 0, memberships: 0, expectedMemberships: null, groupsListed: 0, groupsWithMembers: 0,
    apps: 0, appAssignments: 0, appsWithGroups: 0,
  };
  let phase: SyncPhase = 'starting';
  let usersDone = false;
  let groupsDone = false;
  let message: string | null = 'reading group rules and apps';

  const progress = (): SyncProgress => {
    const s = connector.stats();
    const t = s.tightest;
    let items = 0;
    let expected: number | null = null;
    switch (phase) {
      case 'users':
        items = c.users;
        break;
      case 'groups':
        items = c.groups;
        break;
      case 'memberships':
        items = c.memberships;
        expected = c.expectedMemberships !== null && groupsDone ? Math.max(c.expectedMemberships, c.memberships) : null;
        break;
      case 'apps':
        items = c.apps;
        expected = c.apps;
        break;
      case 'app-assignments':
        items = c.appAssignments;
        break;
      default:
        items = c.users + c.groups + c.memberships + c.apps + c.appAssignments;
    }
    return {
      runId: run.runId,
      connectionId: connection.id,
      phase,
      pages: c.pages,
      items,
      expected,
      requests: s.requests,
      // The bucket closest to our share's end; none while the server sends no rate-limit headers.
      budget:
        t && t.limit !== null && t.remaining !== null && t.resetAt !== null
          ? { bucket: t.bucket, remaining: t.remaining, limit: t.limit, resetAt: t.resetAt }
          : null,
      message,
    };
  };
  slot.progress = progress;

  const interval = opts.progressIntervalMs ?? 250;
  let lastEmit = -Infinity;
  const emit = (force = false): void => {
    const now = performance.now();
    if (!force && now - lastEmit < interval) return;
    lastEmit = now;
    ctx.events.emit('sync:progress', progress());
  };
  const setPhase = (p: SyncPhase, msg: string | null = null): void => {
    if (p === phase && msg === message) return;
    phase = p;
    message = msg;
    emit(true);
  };
  const bulkMessage = (): string =>
    `users ${fmt(c.users)}${usersDone ? ' (done)' : ''} · groups ${fmt(c.groups)}${groupsDone ? ' (done)' : ''} · memberships ${fmt(c.memberships)}` +
    (c.expectedMemberships !== null && groupsDone ? ` of ~${fmt(c.expectedMemberships)}` : '') +
    ` (${fmt(c.groupsWithMembers)}/${fmt(c.groupsListed)} groups)`;
  const tick = (): void => {
    let changed = false;
    if (phase === 'users' || phase === 'groups' || phase === 'memberships') {
      // Users, groups and memberships overlap; report the one that finishes last.
      const next: SyncPhase = c.groupsListed > 0 ? 'memberships' : 'users';
      changed = next !== phase;
      phase = next;
      message = bulkMessage();
    }
    emit(changed);
  };
  const totals = (): RunTotals => {
    const s = connector.stats();
    return { requests: s.requests, throttledWaits: s.throttledWaits, rateLimited: s.rateLimited };
  };
  const check = (): void => {
    if (internal.signal.aborted) throw internal.signal.reason instanceof Error ? internal.signal.reason : new OktaError('the sync was cancelled', 'aborted');
  };

  let writer: SnapshotWriter | null = null;
  try {
    emit(true);
    const w = await openSnapshotWriter(ctx.db, run, { actor: ctx.actor, clock: ctx.clock });
    writer = w;
    // Rows a crashed run (or an interrupted purge) left outside the live generation.
    await discardStaleGenerations(ctx.db, connection.id);

    // 1. Rules and apps first: they decide each group's managed_by.
    const [rules, apps] = await Promise.all([
      collect(connector.groupRules(), check, () => c.pages++),
      collect(connector.apps(), check, () => c.pages++),
    ]);
    w.addApps(apps);
    c.apps = apps.length;
    const rulesByGroup = ruleIndex(rules);
    const appLabels = new Map(apps.map((a) => [a.id, a.label]));

    // 2. Users, groups -> members and apps -> groups, overlapped.
    setPhase('users', bulkMessage());
    const managerRefs: ManagerRef[] = [];
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    const signalQueue = (): void => {
      const f = wake;
      wake = null;
      f?.();
    };
    const usersTask = async (): Promise<void> => {
      for await (const page of connector.users()) {
        check();
        c.pages++;
        w.addIdentities(page.identities);
        for (const r of page.managerRefs) managerRefs.push(r);
        c.users += page.identities.length;
        tick();
        await w.backpressure();
      }
      usersDone = true;
      // Managers named by login/email/employee number become ids now that everyone is known.
      await w.resolveManagers(managerRefs);
      tick();
    };
    const groupsTask = async (): Promise<void> => {
      try {
        for await (const page of connector.groups()) {
          check();
          c.pages++;
          w.addGroups(page.map((g) => classifyGroup(g, rulesByGroup, appLabels)));
          for (const g of page) {
            queue.push(g.id);
            if (g.usersCount !== null) c.expectedMemberships = (c.expectedMemberships ?? 0) + g.usersCount;
          }
          c.groups += page.length;
          c.groupsListed += page.length;
          signalQueue();
          tick();
        }
      } finally {
        groupsDone = true;
        // Wake every idle worker so they can see the queue is final.
        signalQueue();
      }
    };
    const memberWorker = async (): Promise<void> => {
      for (;;) {
        check();
        const groupId = queue.shift();
        if (groupId === undefined) {
          if (groupsDone) return;
          await new Promise<void>((resolve) => {
            const prev = wake;
            wake = () => {
              prev?.();
              resolve();
            };
          });
          continue;
        }
        for await (const ids of connector.groupMembers(groupId)) {
          check();
          c.pages++;
          w.addMemberships(groupId, ids);
          c.memberships += ids.length;
          tick();
          await w.backpressure();
        }
        c.groupsWithMembers++;
      }
    };
    // App -> group assignments count against the apps bucket, not the users
    // or groups ones, so under rate limits they cost nothing extra when they
    // run alongside; a couple of listings at a time is plenty for ~100 apps.
    const appQueue = apps.map((a) => a.id);
    const appWorker = async (): Promise<void> => {
      for (let id = appQueue.shift(); id !== undefined; id = appQueue.shift()) {
        for await (const rows of connector.appGroups(id)) {
          check();
          c.pages++;
          w.addAppAssignments(rows);
          c.appAssignments += rows.length;
          tick();
        }
        c.appsWithGroups++;
      }
    };
    const appWorkers = Math.min(Math.max(1, Math.ceil(concurrency / 4)), Math.max(1, appQueue.length));
    await allOrAbort(internal, [
      usersTask(),
      groupsTask(),
      ...Array.from({ length: concurrency }, () => memberWorker()),
      ...Array.from({ length: appWorkers }, () => appWorker()),
    ]);
    if (c.appsWithGroups < apps.length) setPhase('app-assignments', `${fmt(c.appsWithGroups)} of ${fmt(apps.length)} apps`);
    await w.flush();

    // 3. Commit.
    check();
    setPhase('committing', null);
    await w.commit(totals());
    const summary = getSyncRun(ctx.db, run.runId);
    if (!summary) throw new Error(`sync run ${run.runId} disappeared`);
    setPhase('done', `${fmt(summary.users)} users, ${fmt(summary.groups)} groups, ${fmt(summary.memberships)} memberships in ${Math.round(performance.now() - t0)} ms`);
    // Off the active list before 'finished' goes out, so a listener sees a consistent picture.
    releaseSyncSlot(connection.id, slot);
    ctx.events.emit('sync:finished', summary);
    return summary;
  } catch (e) {
    const reason = redact(describeFailure(e), secrets);
    internal.abort(e);
    let summary: SyncRunSummary | null = null;
    try {
      if (writer) await writer.abort(reason, totals());
      else failRun(ctx, run, reason);
      summary = getSyncRun(ctx.db, run.runId);
    } catch {
      // The run stays 'running' and is marked failed by the next start; the live snapshot is untouched either way.
      summary = null;
    }
    setPhase('failed', reason);
    releaseSyncSlot(connection.id, slot);
    if (summary) ctx.events.emit('sync:finished', summary);
    const code: UserError['code'] = e instanceof OktaError && e.kind === 'unauthorized' ? 'unauthorized' : e instanceof UserError ? e.code : 'failed';
    throw new SyncFailedError(`sync of "${connection.name}" failed: ${reason}`, code, summary);
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** Failure before the writer existed: the run is still recorded as failed, with its audit event. */
function failRun(ctx: EngineContext, run: StartedRun, reason: string): void {
  ctx.db
    .transaction(() => {
      const now = ctx.clock.now();
      ctx.db.prepare("UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?").run(now.toISOString(), reason, run.runId);
      ctx.db.prepare('DELETE FROM meta WHERE key = ?').run(`sync-lock:${run.connectionId}`);
      appendAudit(ctx.db, { actor: ctx.actor, action: 'sync.failed', targetType: 'connection', targetId: run.connectionId, details: { runId: run.runId, reason } }, now);
    })
    .immediate();
}

function describeFailure(e: unknown): string {
  if (e instanceof OktaError || e instanceof UserError) return e.message;
  if (e instanceof Error) {
    if (e.name === 'AbortError') return 'the sync was cancelled';
    if (/SQLITE_FULL|database or disk is full/i.test(e.message)) return 'the disk is full: free some space and sync again';
    return e.message;
  }
  return String(e);
}

/** Drains an async iterable of pages into one array. */
async function collect<T>(it: AsyncIterable<T[]>, check: () => void, onPage: () => void): Promise<T[]> {
  const out: T[] = [];
  for await (const page of it) {
    check();
    onPage();
    for (const x of page) out.push(x);
  }
  return out;
}

/**
 * Waits for every task; on the first failure aborts the others (so they stop
 * at their next page) and still waits for all of them before rethrowing, so
 * nothing writes to the snapshot after the caller starts cleaning it up.
 */
async function allOrAbort(ctrl: AbortController, tasks: Promise<void>[]): Promise<void> {
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
