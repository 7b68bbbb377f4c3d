// Syncs of one Entra ID connection: full (every object into a new snapshot
// generation) or delta (Graph's users/delta and groups/delta since the last
// run, patched into the live generation). startEntraSync chooses: delta when
// the last successful run left delta links that are still usable, else full,
// and the run's note says why.
//
// A full sync:
//   1. sign-in; which application permissions the token carries decides
//      whether sign-in times (AuditLog.Read.All) and apps
//      (Application.Read.All) are read;
//   2. delta links at "now" ($deltatoken=latest), BEFORE reading anything:
//      whatever changes while we list is replayed by the next delta run,
//      which is harmless (the patch is idempotent), so nothing is lost;
//   3. at once: users (with $expand=manager: no request per user) || groups
//      (with $expand=owners: the group owners, no request per group)
//      -> each in-scope group's members (a pool of `concurrency` listings
//      fed as group pages arrive) || enterprise apps -> their group
//      assignments (once the in-scope groups are known);
//   4. commit: the generation goes live with the delta links as its cursor.
// The delta run and what it does when a link has expired: entra-delta.ts;
// what both runs share (cursor, runtime, notes, failures): entra-run.ts.
import { performance } from 'node:perf_hooks';
import type { SyncRunSummary } from '../../../shared/domain.js';
import { entraOptions } from '../connections/connections.js';
import { createEntraConnector, hasPermission, type EntraConnector, type EntraConnectorOptions } from '../connectors/entra/entra-connector.js';
import { EntraError } from '../connectors/entra/entra-errors.js';
import { appFromServicePrincipal, groupFromGraph, groupOwnersFromGraph, identityFromProfile, managerOf, userProfile } from '../connectors/entra/entra-normalise.js';
import type { ConnectionRecord, EntraCredential } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import type { SyncSlot } from './active-syncs.js';
import { runDelta } from './entra-delta.js';
import { decodeEntraCursor, DELTA_LINK_MAX_AGE_MS, encodeEntraCursor, entraFailure, fmt, joinNotes, permissionNotes, type Counters, type EntraCursor, type Runtime } from './entra-run.js';
import {
  allOrAbort,
  connectorTotals,
  failEarly,
  feedQueue,
  finishFailedRun,
  finishSucceededRun,
  inPool,
  decideMode,
  launchSyncRun,
  phaseItems,
  progressReporter,
  type ModeDecision,
} from './run-lifecycle.js';
import { normaliseScope, scopeFilter } from '../connections/scope.js';
import type { AppRecord, GroupOwnerRecord, GroupRecord, IdentityRecord } from '../connectors/snapshot-model.js';
import type { StartedRun } from './run-start.js';
import { discardStaleGenerations } from './snapshot-generations.js';
import { openSnapshotWriter, type SnapshotWriter } from './snapshot-writer.js';

export type EntraSyncOptions = {
  full?: boolean;
  signal?: AbortSignal;
  /** A ready connector (tests, benchmarks); by default one is built from the connection and credential. */
  connector?: EntraConnector;
  /** Extra connector settings (time-outs, retries, page size) when the sync builds it. */
  connectorOptions?: Partial<Omit<EntraConnectorOptions, 'graphUrl' | 'authorityHost' | 'tenantId' | 'clientId' | 'credential'>>;
  /** Member and assignment listings at once (default 8). */
  concurrency?: number;
  /** Minimum time between two progress events (phase changes are sent at once). */
  progressIntervalMs?: number;
};

const safeOrigin = (link: string): string | null => {
  try {
    return new URL(link).origin;
  } catch {
    return null;
  }
};

type Decision = ModeDecision<EntraCursor>;

/** Full or delta, from the last successful run's links, the scope and the clock. */
export function decideEntraMode(ctx: EngineContext, connection: ConnectionRecord, full: boolean): Decision {
  return decideMode(ctx, connection, full, {
    what: 'delta links',
    decode: decodeEntraCursor,
    origin: (c) => safeOrigin(c.users),
    readAt: (c) => c.issuedAt,
    maxAgeMs: DELTA_LINK_MAX_AGE_MS,
    tooOld: (days) => `the delta links are ${days} days old, beyond the 7 days Entra keeps changes: full sync`,
  });
}

/**
 * Records the run and starts it (delta when it can, see decideEntraMode);
 * returns at once with the run id and a promise of the outcome. Throws
 * (UserError) before anything starts when the workspace is read-only or the
 * connection is already syncing.
 */
export function startEntraSync(
  ctx: EngineContext,
  connection: ConnectionRecord,
  credential: EntraCredential,
  opts: EntraSyncOptions = {},
): { runId: number; done: Promise<SyncRunSummary> } {
  return launchSyncRun<Decision>(ctx, connection, 'entra', opts.signal, (slot) => {
    const decision = decideEntraMode(ctx, connection, opts.full ?? false);
    const rt = makeRuntime(ctx, connection, credential, opts, slot);
    return {
      decision,
      cancel: () => rt.internal.abort(new EntraError('the sync was cancelled', 'aborted')),
      cleanup: () => {
        if (!opts.connector) rt.connector.close();
      },
      execute: (run, d) => {
        rt.ids.runId = run.runId;
        return d.mode === 'incremental'
          ? runDelta(ctx, connection, run, d.cursor, d.fromRun, rt, (fullRun, note) => runFull(ctx, connection, fullRun, rt, note))
          : runFull(ctx, connection, run, rt, d.note);
      },
    };
  });
}

function makeRuntime(ctx: EngineContext, connection: ConnectionRecord, credential: EntraCredential, opts: EntraSyncOptions, slot: SyncSlot): Runtime {
  const internal = new AbortController();
  const concurrency = Math.max(1, opts.concurrency ?? opts.connector?.concurrency ?? 8);
  const connector = opts.connector ?? createEntraConnector({ ...entraOptions(connection, credential), concurrency, ...opts.connectorOptions, signal: internal.signal });
  const c: Counters = { pages: 0, users: 0, groups: 0, memberships: 0, groupsListed: 0, groupsWithMembers: 0, apps: 0, appAssignments: 0, appsWithAssignments: 0, changesRead: 0 };
  const ids = { runId: 0, connectionId: connection.id };
  const report = progressReporter(ctx, slot, ids, { phase: 'starting', message: null, intervalMs: opts.progressIntervalMs }, (phase) => {
    const items = phaseItems(
      phase,
      { users: c.users, groups: c.groups, memberships: c.memberships, apps: c.apps, 'app-assignments': c.appsWithAssignments, changes: c.changesRead },
      c.users + c.groups + c.memberships + c.apps + c.appAssignments,
    );
    const expected = phase === 'app-assignments' ? c.apps : null;
    // Graph does not say what is left of its budget: no bucket to show.
    return { pages: c.pages, items, expected, requests: connector.stats().requests, budget: null };
  });
  return {
    ids,
    slot,
    connector,
    internal,
    secrets: credential.type === 'secret' ? [credential.clientSecret] : [credential.certificatePem],
    concurrency,
    t0: performance.now(),
    c,
    report,
    setPhase: report.setPhase,
    tick: (message) => {
      if (message !== undefined) report.message = message;
      report.emit(false);
    },
    check: () => {
      if (internal.signal.aborted) throw internal.signal.reason instanceof Error ? internal.signal.reason : new EntraError('the sync was cancelled', 'aborted');
    },
    totals: () => connectorTotals(connector),
  };
}

// ---- full sync ----

async function runFull(ctx: EngineContext, connection: ConnectionRecord, run: StartedRun, rt: Runtime, note: string | null): Promise<SyncRunSummary> {
  const { connector, c, check } = rt;
  const scope = scopeFilter(normaliseScope(connection.settings.scope));
  let writer: SnapshotWriter | null = null;
  try {
    rt.setPhase('starting', 'signing in');
    const w = await openSnapshotWriter(ctx.db, run, { actor: ctx.actor, clock: ctx.clock });
    writer = w;
    // Rows a crashed run (or an interrupted purge) left outside the live generation.
    await discardStaleGenerations(ctx.db, connection.id);
    const roles = await connector.grantedRoles();
    const signIns = hasPermission(roles, 'AuditLog.Read.All');
    const withApps = hasPermission(roles, 'Application.Read.All');
    check();
    // Positioned before anything is read: changes made while we list are replayed next time, never missed.
    const issuedAt = ctx.clock.now().toISOString();
    const links = await connector.latestDeltaLinks();
    c.pages += 2;

    const bulkMessage = (): string =>
      `users ${fmt(c.users)} · groups ${fmt(c.groups)} · memberships ${fmt(c.memberships)} (${fmt(c.groupsWithMembers)}/${fmt(c.groupsListed)} groups)` +
      (withApps ? ` · apps ${fmt(c.appsWithAssignments)}/${fmt(c.apps)}` : '');
    rt.setPhase('users', bulkMessage());
    const tick = (): void => {
      // Users, groups and memberships overlap; report the one that finishes last.
      if (rt.report.phase === 'users' && c.groupsListed > 0) rt.setPhase('memberships', bulkMessage());
      else rt.tick(bulkMessage());
    };

    const groupIds = new Set<string>();
    const queue = feedQueue<string>();
    let markGroupsListed: () => void = () => undefined;
    const groupsListed = new Promise<void>((resolve) => {
      markGroupsListed = resolve;
    });

    const usersTask = async (): Promise<void> => {
      await connector.users({ signIns }, async (items) => {
        check();
        c.pages++;
        const records: IdentityRecord[] = [];
        for (const u of items) {
          const r = identityFromProfile(userProfile(u, null), managerOf(u) ?? null);
          if (r) records.push(r);
        }
        w.addIdentities(records);
        c.users += records.length;
        tick();
        await w.backpressure();
      });
    };
    const groupsTask = async (): Promise<void> => {
      try {
        await connector.groups((items) => {
          check();
          c.pages++;
          const kept: GroupRecord[] = [];
          const owners: GroupOwnerRecord[] = [];
          for (const g of items) {
            const r = groupFromGraph(g);
            // Out of scope: not stored, and its members never requested.
            if (!r || !scope.group({ name: r.name, type: r.type })) continue;
            kept.push(r);
            groupIds.add(r.id);
            for (const o of groupOwnersFromGraph(r.id, g)) owners.push(o);
          }
          w.addGroups(kept);
          w.addGroupOwners(owners);
          c.groups += kept.length;
          c.groupsListed += kept.length;
          queue.push(kept.map((r) => r.id));
          tick();
        });
      } finally {
        markGroupsListed();
        queue.close();
      }
    };
    const memberWorker = (): Promise<void> =>
      queue.work(check, async (groupId) => {
        await connector.groupMembers(groupId, async (ids) => {
          check();
          c.pages++;
          w.addMemberships(groupId, ids);
          c.memberships += ids.length;
          tick();
          await w.backpressure();
        });
        c.groupsWithMembers++;
      });
    const appsTask = async (): Promise<void> => {
      if (!withApps) return;
      const apps = (await connector.servicePrincipals()).map(appFromServicePrincipal).filter((a): a is AppRecord => a !== null && scope.app(a));
      check();
      c.pages++;
      w.addApps(apps);
      c.apps = apps.length;
      // Assignments to groups out of scope are dropped: wait until the groups are known.
      await groupsListed;
      check();
      await inPool(apps, Math.max(1, Math.ceil(rt.concurrency / 4)), async (app) => {
        const rows = (await connector.appGroupAssignments(app.id)).filter((r) => groupIds.has(r.groupId));
        check();
        c.pages++;
        w.addAppAssignments(rows);
        c.appAssignments += rows.length;
        c.appsWithAssignments++;
        tick();
      });
    };
    await allOrAbort(rt.internal, [usersTask(), groupsTask(), ...Array.from({ length: rt.concurrency }, () => memberWorker()), appsTask()]);
    await w.flush();

    check();
    rt.setPhase('committing', null);
    const cursor = encodeEntraCursor({ users: links.users, groups: links.groups, issuedAt, scope: connection.settings.scope, signIns, apps: withApps });
    await w.commit(rt.totals(), { cursor, note: joinNotes(note, ...permissionNotes(signIns, withApps)) });
    return finishSucceededRun(ctx, run, rt.slot, rt.report, (summary) => `${fmt(summary.users)} users, ${fmt(summary.groups)} groups, ${fmt(summary.memberships)} memberships in ${Math.round(performance.now() - rt.t0)} ms`);
  } catch (e) {
    return finishFailedRun(ctx, run, e, entraFailure(connection, rt, async (reason) => {
      if (writer) await writer.abort(reason, rt.totals());
      else failEarly(ctx, run, reason, rt.totals());
    }));
  }
}
