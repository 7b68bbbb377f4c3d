// Okta syncs of one connection: full (every object into a new snapshot
// generation) or incremental (the System Log since the last run, patched
// into the live generation; okta-incremental.ts). startOktaSync chooses:
// incremental when the last successful run left a System Log position and
// no full sync was asked for; otherwise full, and the run's note says why.
// An incremental run that finds it cannot be trusted (log not readable,
// changes it cannot apply) turns into a full run of the same record.
//
// A full sync's order of work (what depends on what):
//   1. group rules and apps (a few requests): needed to tell who manages each group;
//   2. all at once: users  ||  groups -> each group's members (a pool of
//      `concurrency` listings fed as group pages arrive)  ||  each app's
//      groups. Different rate-limit buckets, so overlapping them is free;
//   3. group owners, one request per group, for a bounded set of groups
//      (group-owners.ts: all in a small org, else app-assigned and mapped);
//   4. commit: the new generation goes live in one transaction, or abort:
//      the failure is recorded and the previous snapshot stays live.
// The connection's scope applies to both: groups out of scope are not stored
// and their members never requested; apps out of scope are dropped with
// their assignments, and so are assignments to groups not stored.
// Everything is bounded: the pool size, the writer's batch size, and the
// rate budget (connector) that keeps us inside our share of each Okta bucket.
import { performance } from 'node:perf_hooks';
import type { SyncPhase, SyncProgress, SyncRunSummary } from '../../../shared/domain.js';
import type { ConnectorStats } from '../connectors/okta/okta-connector.js';
import { createOktaConnector, type OktaConnector, type OktaConnectorOptions } from '../connectors/okta/okta-connector.js';
import { OktaError, redact } from '../connectors/okta/okta-errors.js';
import { classifyGroup, ruleIndex } from '../connectors/okta/okta-normalise.js';
import type { ConnectionRecord, OktaCredential } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';
import { commitIncrementalRun, failIncrementalRun } from './incremental-run.js';
import {
  applyChanges,
  decodeCursor,
  encodeCursor,
  FULL_SYNC_OVERLAP_MS,
  LOG_RETENTION_MS,
  nextCursor,
  planOktaChanges,
  readChanges,
  readLog,
  type OktaCursor,
} from './okta-incremental.js';
import {
  allOrAbort,
  connectorTotals,
  convertToFull,
  failEarly,
  feedQueue,
  finishFailedRun,
  finishSucceededRun,
  decideMode,
  launchSyncRun,
  type ModeDecision,
  phaseItems,
  progressReporter,
  SyncFailedError,
  type FailedRunEnd,
  type ProgressReporter,
} from './run-lifecycle.js';
import { normaliseScope, scopeFilter } from '../connections/scope.js';
import type { StartedRun } from './run-start.js';
import { chooseOwnerGroups, readOktaOwners } from './group-owners.js';
import { discardStaleGenerations } from './snapshot-generations.js';
import { openSnapshotWriter, type SnapshotWriter } from './snapshot-writer.js';
import type { AppAssignmentRecord, ManagerRef } from '../connectors/snapshot-model.js';
import type { SyncSlot } from './active-syncs.js';

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
  /** A full sync even when an incremental one could run (`latchkey sync --full`). */
  full?: boolean;
  /** Groups whose owners a full sync reads in a large org besides the app-assigned ones: the catalog's mapped groups (group-owners.ts). */
  ownerGroups?: readonly string[];
};

export { SyncFailedError };

type Active = SyncSlot;

/** What a run will be, and why (the run's note). */
type OktaDecision = ModeDecision<OktaCursor>;

/** Full or incremental, from the last successful run's position, the scope and the clock. */
export function decideOktaMode(ctx: EngineContext, connection: ConnectionRecord, full: boolean): OktaDecision {
  return decideMode(ctx, connection, full, {
    what: 'System Log position',
    decode: decodeCursor,
    origin: (c) => (c.orgUrl === undefined ? undefined : new URL(c.orgUrl).origin),
    readAt: (c) => c.readAt,
    maxAgeMs: LOG_RETENTION_MS,
    tooOld: (days) => `the System Log position is ${days} days old, beyond Okta's 90-day retention: full sync`,
  });
}

/**
 * Records the run and starts it: incremental when the last successful run
 * left a System Log position (and `full` is not set), else full. Returns at
 * once with the run id and a promise of the outcome. Throws (UserError)
 * before anything starts when the workspace is read-only or this connection
 * is already syncing.
 */
export function startOktaSync(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: OktaCredential,
  opts: SyncOptions = {},
): { runId: number; done: Promise<SyncRunSummary> } {
  return launchSyncRun<OktaDecision>(ctx, connection, 'okta', opts.signal, (slot) => {
    try {
      scopeFilter(normaliseScope(connection.settings.scope));
    } catch (e) {
      throw new UserError(`the sync scope of "${connection.name}" is not usable: ${(e as Error).message}`, 'bad-input');
    }
    const decision = decideOktaMode(ctx, connection, opts.full ?? false);
    const rt = makeRuntime(connection, credential, opts);
    return {
      decision,
      cancel: () => rt.internal.abort(new OktaError('the sync was cancelled', 'aborted')),
      execute: (run, d) =>
        d.mode === 'incremental' ? executeIncremental(ctx, connection, run, d.cursor, d.fromRun, opts, slot, rt) : execute(ctx, connection, run, opts, slot, rt, d.note),
    };
  });
}

/** Runs a sync (incremental when it can, see startOktaSync) to the end. */
export async function runOktaSync(ctx: EngineContext, connection: ConnectionRecord, credential: OktaCredential, opts: SyncOptions = {}): Promise<SyncRunSummary> {
  return startOktaSync(ctx, connection, credential, opts).done;
}

/** A full sync whatever the last run left (tests, benchmarks, `--full`). */
export function startFullSync(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: OktaCredential,
  opts: SyncOptions = {},
): { runId: number; done: Promise<SyncRunSummary> } {
  return startOktaSync(ctx, connection, credential, { ...opts, full: true });
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

/** What both kinds of run share: the connector, the abort switch, the secrets to redact. */
type Runtime = { connector: OktaConnector; internal: AbortController; secrets: string[]; concurrency: number };

function makeRuntime(connection: ConnectionRecord, credential: OktaCredential, opts: SyncOptions): Runtime {
  const internal = new AbortController();
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
  return { connector, internal, secrets, concurrency };
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
  run: StartedRun,
  opts: SyncOptions,
  slot: Active,
  rt: Runtime,
  note: string | null,
): Promise<SyncRunSummary> {
  const t0 = performance.now();
  const { connector, internal, concurrency } = rt;
  const startedAt = ctx.clock.now();
  const scope = normaliseScope(connection.settings.scope);
  const inScope = scopeFilter(scope);

  const c: Counters = {
    pages: 0, users: 0, groups: 0, memberships: 0, expectedMemberships: null, groupsListed: 0, groupsWithMembers: 0,
    apps: 0, appAssignments: 0, appsWithGroups: 0,
  };
  let usersDone = false;
  let groupsDone = false;

  const report = progressReporter(ctx, slot, run, { phase: 'starting', message: 'reading group rules and apps', intervalMs: opts.progressIntervalMs }, (phase) => {
    const s = connector.stats();
    const items = phaseItems(
      phase,
      { users: c.users, groups: c.groups, memberships: c.memberships, apps: c.apps, 'app-assignments': c.appAssignments },
      c.users + c.groups + c.memberships + c.apps + c.appAssignments,
    );
    const expected =
      phase === 'memberships'
        ? c.expectedMemberships !== null && groupsDone ? Math.max(c.expectedMemberships, c.memberships) : null
        : phase === 'apps'
          ? c.apps
          : null;
    return { pages: c.pages, items, expected, requests: s.requests, budget: oktaBudget(s.tightest) };
  });
  const setPhase = report.setPhase;
  const bulkMessage = (): string =>
    `users ${fmt(c.users)}${usersDone ? ' (done)' : ''} · groups ${fmt(c.groups)}${groupsDone ? ' (done)' : ''} · memberships ${fmt(c.memberships)}` +
    (c.expectedMemberships !== null && groupsDone ? ` of ~${fmt(c.expectedMemberships)}` : '') +
    ` (${fmt(c.groupsWithMembers)}/${fmt(c.groupsListed)} groups)`;
  const tick = (): void => {
    let changed = false;
    if (report.phase === 'users' || report.phase === 'groups' || report.phase === 'memberships') {
      // Users, groups and memberships overlap; report the one that finishes last.
      const next: SyncPhase = c.groupsListed > 0 ? 'memberships' : 'users';
      changed = next !== report.phase;
      report.phase = next;
      report.message = bulkMessage();
    }
    report.emit(changed);
  };
  const totals = (): ReturnType<typeof connectorTotals> => connectorTotals(connector);
  const check = (): void => {
    if (internal.signal.aborted) throw internal.signal.reason instanceof Error ? internal.signal.reason : new OktaError('the sync was cancelled', 'aborted');
  };

  let writer: SnapshotWriter | null = null;
  try {
    report.emit(true);
    const w = await openSnapshotWriter(ctx.db, run, { actor: ctx.actor, clock: ctx.clock });
    writer = w;
    // Rows a crashed run (or an interrupted purge) left outside the live generation.
    await discardStaleGenerations(ctx.db, connection.id);

    // 1. Rules and apps first: they decide each group's managed_by.
    const [rules, allApps] = await Promise.all([
      collect(connector.groupRules(), check, () => c.pages++),
      collect(connector.apps(), check, () => c.pages++),
    ]);
    const apps = allApps.filter((a) => inScope.app(a));
    w.addApps(apps);
    c.apps = apps.length;
    const rulesByGroup = ruleIndex(rules);
    // Every app's label, in scope or not: an APP_GROUP names the app it comes from.
    const appLabels = new Map(allApps.map((a) => [a.id, a.label]));
    // With a group scope, assignments wait until every kept group is known.
    const keptGroups = new Set<string>();
    const heldAssignments: AppAssignmentRecord[] = [];
    const groupScoped = !inScope.unlimited;
    // For the owners step: every stored group, and those assigned to an app.
    const storedGroups: string[] = [];
    const assignedGroups = new Set<string>();

    // 2. Users, groups -> members and apps -> groups, overlapped.
    setPhase('users', bulkMessage());
    const managerRefs: ManagerRef[] = [];
    const queue = feedQueue<string>();
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
          // Out of scope: not stored, and its members never requested.
          const kept = groupScoped ? page.filter((g) => inScope.group(g)) : page;
          w.addGroups(kept.map((g) => classifyGroup(g, rulesByGroup, appLabels)));
          for (const g of kept) {
            storedGroups.push(g.id);
            if (groupScoped) keptGroups.add(g.id);
            if (g.usersCount !== null) c.expectedMemberships = (c.expectedMemberships ?? 0) + g.usersCount;
          }
          c.groups += kept.length;
          c.groupsListed += kept.length;
          queue.push(kept.map((g) => g.id));
          tick();
        }
      } finally {
        groupsDone = true;
        // Wake every idle worker so they can see the queue is final.
        queue.close();
      }
    };
    const memberWorker = (): Promise<void> =>
      queue.work(check, async (groupId) => {
        for await (const ids of connector.groupMembers(groupId)) {
          check();
          c.pages++;
          w.addMemberships(groupId, ids);
          c.memberships += ids.length;
          tick();
          await w.backpressure();
        }
        c.groupsWithMembers++;
      });
    // App -> group assignments count against the apps bucket, not the users
    // or groups ones, so under rate limits they cost nothing extra when they
    // run alongside; a couple of listings at a time is plenty for ~100 apps.
    const appQueue = apps.map((a) => a.id);
    const appWorker = async (): Promise<void> => {
      for (let id = appQueue.shift(); id !== undefined; id = appQueue.shift()) {
        for await (const rows of connector.appGroups(id)) {
          check();
          c.pages++;
          for (const r of rows) assignedGroups.add(r.groupId);
          if (groupScoped) for (const r of rows) heldAssignments.push(r);
          else w.addAppAssignments(rows);
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
    if (groupScoped) {
      // Assignments to groups that are not stored would point at nothing.
      const kept = heldAssignments.filter((r) => keptGroups.has(r.groupId));
      w.addAppAssignments(kept);
      c.appAssignments = kept.length;
    }
    // 3. Group owners (bounded: see group-owners.ts).
    const ownerChoice = chooseOwnerGroups(storedGroups, assignedGroups, new Set(opts.ownerGroups ?? []));
    report.message = `reading the owners of ${fmt(ownerChoice.groupIds.length)} groups`;
    report.emit(true);
    const owners = await readOktaOwners(connector, ownerChoice.groupIds, { concurrency, internal, check, add: (rows) => w.addGroupOwners(rows) });
    const ownerNote = owners.unavailable ? `group owners not read: ${owners.unavailable}` : ownerChoice.note;
    await w.flush();

    // 4. Commit, with the System Log position incremental sync resumes from:
    // when this sync started, on Okta's clock (what changed while it listed
    // is replayed next time; replaying is harmless).
    check();
    setPhase('committing', null);
    const serverStart = connector.serverTime().first ?? startedAt.getTime();
    const cursor = encodeCursor({ since: new Date(serverStart - FULL_SYNC_OVERLAP_MS).toISOString(), seen: [], readAt: startedAt.toISOString(), scope, orgUrl: connection.baseUrl });
    await w.commit(totals(), { cursor, note: [note, ownerNote].filter((x) => x !== null).join('; ') || null });
    // A full sync leaves its million rows (and the old generation's purge)
    // in the WAL; whichever write comes next would copy them into the file
    // (SQLite's auto-checkpoint), e.g. an admin's approval stalling for half
    // a second. Copy them now, as part of the sync that wrote them. PASSIVE:
    // readers are never blocked; what they still need is copied later.
    try {
      ctx.db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // busy or not in WAL mode: the next writer's auto-checkpoint does it
    }
    return finishSucceededRun(ctx, run, slot, report, (summary) => `${fmt(summary.users)} users, ${fmt(summary.groups)} groups, ${fmt(summary.memberships)} memberships in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    return finishFailedRun(ctx, run, e, oktaFailure(connection, slot, report, rt, async (reason) => {
      if (writer) await writer.abort(reason, totals());
      else failEarly(ctx, run, reason);
    }));
  }
}

/** Thrown inside an incremental run when it cannot be trusted: the run becomes a full one. */
class FallBackToFull extends Error {
  override readonly name = 'FallBackToFull';
}

/**
 * The incremental run: System Log since the cursor -> plan -> re-reads ->
 * one transaction. Falls back to a full run of the same record (and says
 * why) when the log is not readable or holds changes it cannot apply.
 */
async function executeIncremental(
  ctx: EngineContext,
  connection: ConnectionRecord,
  run: StartedRun,
  cursor: OktaCursor,
  fromRun: number,
  opts: SyncOptions,
  slot: Active,
  rt: Runtime,
): Promise<SyncRunSummary> {
  const t0 = performance.now();
  const { connector, internal, concurrency } = rt;
  let events = 0;
  const report = progressReporter(ctx, slot, run, { phase: 'changes', message: 'reading the System Log', intervalMs: opts.progressIntervalMs }, () => {
    const s = connector.stats();
    return { pages: s.requests, items: events, expected: null, requests: s.requests, budget: oktaBudget(s.tightest) };
  });
  const setPhase = report.setPhase;
  const totals = (): ReturnType<typeof connectorTotals> => connectorTotals(connector);
  const check = (): void => {
    if (internal.signal.aborted) throw internal.signal.reason instanceof Error ? internal.signal.reason : new OktaError('the sync was cancelled', 'aborted');
  };
  const who = { actor: ctx.actor, clock: ctx.clock };

  try {
    report.emit(true);
    // 1. The System Log, from the position to its end.
    const readAt = ctx.clock.now();
    let log;
    try {
      log = await readLog(
        connector,
        cursor,
        (n) => {
          events = n;
          report.message = `reading the System Log: ${fmt(n)} events`;
          report.emit();
        },
        check,
      );
    } catch (e) {
      if (e instanceof OktaError && e.kind === 'forbidden') {
        const what = e.details.missingScope ? `${e.details.missingScope} not granted` : 'the credential may not read it';
        throw new FallBackToFull(`cannot read the System Log (${what}): full sync`);
      }
      throw e;
    }
    // 2. What it asks for; some changes only a full sync can apply.
    const plan = planOktaChanges(log.events, new Set(cursor.seen));
    if (plan.unappliable.size > 0) {
      const kinds = [...plan.unappliable].map(([t, n]) => (n > 1 ? `${t} x${n}` : t)).join(', ');
      throw new FallBackToFull(`the System Log has changes incremental sync cannot apply (${kinds}): full sync`);
    }
    // 3. Re-read what the events do not say.
    setPhase('changes', `${fmt(plan.events)} events: re-reading ${fmt(plan.users.size)} users, ${fmt(plan.groups.size)} groups, ${fmt(plan.apps.size + plan.appAssignments.size)} apps`);
    const work = await readChanges(ctx.db, { connectionId: connection.id, gen: run.gen }, connector, plan, connection.settings.scope, {
      concurrency,
      check,
      onRead: (what) => {
        report.message = `${fmt(plan.events)} events: re-reading ${what}`;
        report.emit();
      },
    });
    check();
    // 4. Apply it all, and move the position, in one transaction.
    setPhase('committing', null);
    const serverNow = connector.serverTime().last ?? readAt.getTime();
    const next = nextCursor(cursor, plan, serverNow);
    const newCursor = encodeCursor({ since: next.since, seen: next.seen, readAt: readAt.toISOString(), scope: connection.settings.scope, orgUrl: connection.baseUrl });
    const replayed = plan.replayed > 0 ? `, ${fmt(plan.replayed)} already applied` : '';
    const note = `incremental from run #${fromRun}: ${fmt(plan.events)} System Log events since ${cursor.since}${replayed}`;
    const target = { connectionId: connection.id, gen: run.gen };
    const { changes } = commitIncrementalRun(ctx.db, run, who, (patch) => applyChanges(ctx.db, target, patch, work), () => ({ totals: totals(), cursor: newCursor, note }));
    return finishSucceededRun(ctx, run, slot, report, () => `${fmt(changes)} changes from ${fmt(plan.events)} events in ${Math.round(performance.now() - t0)} ms`);
  } catch (caught) {
    let e = caught;
    if (e instanceof FallBackToFull) {
      let fullRun: StartedRun | null = null;
      try {
        fullRun = convertToFull(ctx, run, e.message);
      } catch (err) {
        e = err;
      }
      if (fullRun) return execute(ctx, connection, fullRun, opts, slot, rt, (caught as FallBackToFull).message);
    }
    return finishFailedRun(ctx, run, e, oktaFailure(connection, slot, report, rt, (reason) => failIncrementalRun(ctx.db, run, who, reason, totals())));
  }
}

/** The bucket closest to our share's end; none while the server sends no rate-limit headers. */
function oktaBudget(t: ConnectorStats['tightest']): SyncProgress['budget'] {
  return t && t.limit !== null && t.remaining !== null && t.resetAt !== null ? { bucket: t.bucket, remaining: t.remaining, limit: t.limit, resetAt: t.resetAt } : null;
}

/** How an Okta run's failure ends; `record` stores it (full and incremental runs differ). */
function oktaFailure(connection: ConnectionRecord, slot: Active, reporter: ProgressReporter, rt: Runtime, record: FailedRunEnd['record']): FailedRunEnd {
  return {
    connectionName: connection.name,
    slot,
    reporter,
    internal: rt.internal,
    redact: (reason) => redact(reason, rt.secrets),
    known: (x) => x instanceof OktaError,
    record,
    code: (e) => (e instanceof OktaError && e.kind === 'unauthorized' ? 'unauthorized' : e instanceof UserError ? e.code : 'failed'),
  };
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
