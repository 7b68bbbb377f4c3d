// The Entra delta (incremental) run: Graph's users/delta and groups/delta
// since the last run, patched into the live snapshot generation. Separate
// from the full run (entra-sync.ts) because it has its own model: pages
// merged into a final state per object, a reader of the live generation to
// merge partial answers over, and one transaction that applies it all.
//
// A delta run reads both delta rounds to the end (members@delta merged by
// group id across pages, duplicates folded, the last state winning), re-reads
// apps and their assignments (Graph has no delta for them; a few requests),
// reads the full member list of groups new to the snapshot, then applies it
// all and moves the links in ONE transaction (incremental-run.ts): a failed
// run changes nothing and the next one replays the same changes.
// A delta link Graph no longer knows (410 syncStateNotFound) turns the run
// into a full one (same record) whose note names the expired link: the
// simplest way to be right, and Entra keeps changes for 7 days only.
import { performance } from 'node:perf_hooks';
import type { SyncRunSummary } from '../../../shared/domain.js';
import { normaliseScope, scopeFilter, type ScopeFilter } from '../connections/scope.js';
import { hasPermission } from '../connectors/entra/entra-connector.js';
import { EntraError } from '../connectors/entra/entra-errors.js';
import { appFromServicePrincipal, groupFromDelta, hasGroupProperties, identityFromProfile, managerOf, memberUserIds, userProfile } from '../connectors/entra/entra-normalise.js';
import type { AppAssignmentRecord, AppRecord, GroupRecord, IdentityRecord } from '../connectors/snapshot-model.js';
import type { ConnectionRecord } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { encodeEntraCursor, entraFailure, fmt, joinNotes, permissionNotes, type EntraCursor, type Runtime } from './entra-run.js';
import { commitIncrementalRun, failIncrementalRun } from './incremental-run.js';
import { convertToFull, finishFailedRun, finishSucceededRun, inPool } from './run-lifecycle.js';
import type { SnapshotPatch } from './snapshot-patch.js';
import type { StartedRun } from './run-start.js';

/** A reason to give up on the delta run and run a full sync instead (the message becomes the note). */
class FallBackToFull extends Error {}

type Json = Record<string, unknown>;

/** A user's final state across the delta pages. */
type UserDelta = { removed: boolean; raw: Json };
/** A group's final state: its properties (merged), removal, and the last word on each member. */
type GroupDelta = { removed: boolean; props: Json; members: Map<string, boolean> };

export type DeltaWork = {
  users: Map<string, UserDelta>;
  groups: Map<string, GroupDelta>;
  /** Full member lists of in-scope groups the snapshot did not have (new, or newly in scope). */
  newGroupMembers: Map<string, string[]>;
  /** The apps as they are now, with their group assignments; null: apps are not synced. */
  apps: { app: AppRecord; assignments: AppAssignmentRecord[] }[] | null;
};

/** Folds one page of users/delta into `users` (a later appearance overlays an earlier one). */
export function mergeUserDelta(users: Map<string, UserDelta>, items: readonly Json[]): number {
  let n = 0;
  for (const raw of items) {
    const id = typeof raw.id === 'string' ? raw.id : null;
    if (!id) continue;
    n++;
    const prev = users.get(id);
    if (raw['@removed'] !== undefined) users.set(id, { removed: true, raw: {} });
    else users.set(id, { removed: false, raw: prev && !prev.removed ? { ...prev.raw, ...raw } : raw });
  }
  return n;
}

/** Folds one page of groups/delta into `groups`: properties overlay, members@delta merge by group id, the last entry per member wins. */
export function mergeGroupDelta(groups: Map<string, GroupDelta>, items: readonly Json[]): number {
  let n = 0;
  for (const raw of items) {
    const id = typeof raw.id === 'string' ? raw.id : null;
    if (!id) continue;
    n++;
    if (raw['@removed'] !== undefined) {
      groups.set(id, { removed: true, props: {}, members: new Map() });
      continue;
    }
    let entry = groups.get(id);
    if (!entry || entry.removed) {
      entry = { removed: false, props: {}, members: new Map() };
      groups.set(id, entry);
    }
    const { ['members@delta']: membersDelta, ...props } = raw;
    Object.assign(entry.props, props);
    if (Array.isArray(membersDelta)) {
      const { added, removed } = memberUserIds(membersDelta);
      for (const u of removed) {
        entry.members.delete(u);
        entry.members.set(u, false);
      }
      for (const u of added) {
        entry.members.delete(u);
        entry.members.set(u, true);
      }
    }
  }
  return n;
}

type IdentityRow = {
  id: string; login: string; email: string | null; first_name: string | null; last_name: string | null; display_name: string; status: string;
  department: string | null; title: string | null; manager_id: string | null; location: string | null; employee_type: string | null;
  employee_number: string | null; last_login: string | null; created: string | null; last_updated: string | null; profile: string;
};
type GroupRowDb = { id: string; name: string; description: string | null; type: string; managed_by: GroupRecord['managedBy']; managed_by_name: string | null; last_membership_updated: string | null; last_updated: string | null };

type SnapshotReader = {
  identity: (id: string) => IdentityRecord | null;
  /** People whose manager is one of these (one scan: identities have no index on manager_id). */
  reportsOf: (managerIds: readonly string[]) => string[];
  group: (id: string) => GroupRecord | null;
  appIds: () => string[];
};

/** Reads of the live generation the delta needs (what a partial delta answer is merged over). */
function snapshotReader(db: Db, connectionId: number, gen: number): SnapshotReader {
  const identity = db.prepare('SELECT * FROM identities WHERE connection_id = ? AND gen = ? AND id = ?');
  const group = db.prepare('SELECT * FROM groups WHERE connection_id = ? AND gen = ? AND id = ?');
  const apps = db.prepare('SELECT id FROM apps WHERE connection_id = ? AND gen = ?').pluck();
  return {
    identity: (id) => {
      const r = identity.get(connectionId, gen, id) as IdentityRow | undefined;
      if (!r) return null;
      return {
        id: r.id, login: r.login, email: r.email, firstName: r.first_name, lastName: r.last_name, displayName: r.display_name, status: r.status,
        department: r.department, title: r.title, managerId: r.manager_id, location: r.location, employeeType: r.employee_type,
        employeeNumber: r.employee_number, lastLogin: r.last_login, created: r.created, lastUpdated: r.last_updated, profile: r.profile,
      };
    },
    reportsOf: (managerIds) => {
      const out: string[] = [];
      for (let i = 0; i < managerIds.length; i += 500) {
        const chunk = managerIds.slice(i, i + 500);
        const sql = `SELECT id FROM identities WHERE connection_id = ? AND gen = ? AND manager_id IN (${chunk.map(() => '?').join(',')})`;
        out.push(...(db.prepare(sql).pluck().all(connectionId, gen, ...chunk) as string[]));
      }
      return out;
    },
    group: (id) => {
      const r = group.get(connectionId, gen, id) as GroupRowDb | undefined;
      if (!r) return null;
      return { id: r.id, name: r.name, description: r.description, type: r.type, managedBy: r.managed_by, managedByName: r.managed_by_name, lastMembershipUpdated: r.last_membership_updated, lastUpdated: r.last_updated };
    },
    appIds: () => apps.all(connectionId, gen) as string[],
  };
}

const parseProfile = (raw: string): Json | null => {
  try {
    const o = JSON.parse(raw) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as Json) : null;
  } catch {
    return null;
  }
};

/** What a group's delta entry means for the snapshot: its record (null: not ours to keep), whether it is new to the snapshot, whether it is in scope. */
function planGroup(read: SnapshotReader, scope: ScopeFilter, id: string, delta: GroupDelta): { record: GroupRecord | null; existing: GroupRecord | null; inScope: boolean } {
  const existing = read.group(id);
  // Only members@delta for a group the snapshot does not hold: out of scope (or never seen); nothing to keep.
  if (!existing && !hasGroupProperties(delta.props)) return { record: null, existing, inScope: false };
  const record = groupFromDelta({ ...delta.props, id }, existing);
  if (!record) return { record: null, existing, inScope: false };
  return { record, existing, inScope: scope.group({ name: record.name, type: record.type }) };
}

/** Applies a delta run to the live generation (inside the caller's transaction); every step is idempotent. */
export function applyEntraDelta(db: Db, target: { connectionId: number; gen: number }, patch: SnapshotPatch, work: DeltaWork, scope: ScopeFilter): void {
  const read = snapshotReader(db, target.connectionId, target.gen);

  // 1. Users. Removed ones first (with their memberships); their reports lose the manager, as a fresh read shows them.
  const removed = [...work.users].filter(([, d]) => d.removed).map(([id]) => id);
  const changed = [...work.users].filter(([, d]) => !d.removed);
  const changedIds = new Set(changed.map(([id]) => id));
  const upserts: IdentityRecord[] = [];
  const removedIds = new Set(removed);
  for (const r of removed.length ? read.reportsOf(removed) : []) {
    if (changedIds.has(r) || removedIds.has(r)) continue;
    const rec = read.identity(r);
    if (rec) upserts.push({ ...rec, managerId: null });
  }
  for (const id of removed) patch.removeIdentity(id);
  for (const [id, d] of changed) {
    const existing = read.identity(id);
    const profile = userProfile({ ...d.raw, id }, existing ? parseProfile(existing.profile) : null);
    const manager = managerOf(d.raw);
    const rec = identityFromProfile(profile, manager === undefined ? (existing?.managerId ?? null) : manager);
    if (rec) upserts.push(rec);
  }
  patch.upsertIdentities(upserts);

  // 2. Groups: removals, property changes (and scope), then members.
  for (const [id, d] of work.groups) {
    if (d.removed) {
      patch.removeGroup(id);
      continue;
    }
    const { record, existing, inScope } = planGroup(read, scope, id, d);
    if (!record) continue;
    if (!inScope) {
      // Renamed (or retyped) out of scope: it leaves the snapshot with its memberships.
      if (existing) patch.removeGroup(id);
      continue;
    }
    if (!existing || hasGroupProperties(d.props)) patch.upsertGroups([record]);
    const full = existing ? undefined : work.newGroupMembers.get(id);
    if (full) {
      patch.setGroupMembers(id, full);
      continue;
    }
    for (const [user, added] of d.members) {
      if (added) patch.addMembership(id, user);
      else patch.removeMembership(id, user);
    }
  }

  // 3. Apps and their group assignments, as they are now (Graph keeps no delta for them).
  if (work.apps) {
    const now = new Set(work.apps.map((a) => a.app.id));
    for (const id of read.appIds()) if (!now.has(id)) patch.removeApp(id);
    patch.upsertApps(work.apps.map((a) => a.app));
    for (const { app, assignments } of work.apps) patch.setAppGroups(app.id, assignments.filter((a) => patch.hasGroup(a.groupId)));
  }
}

/**
 * Runs a delta sync from `cursor`; when it has to give up (expired link,
 * changed permissions), converts the run and hands it to `runFull` (the full
 * run of entra-sync.ts, passed in so this module does not import back into it).
 */
export async function runDelta(
  ctx: EngineContext,
  connection: ConnectionRecord,
  run: StartedRun,
  cursor: EntraCursor,
  fromRun: number,
  rt: Runtime,
  runFull: (fullRun: StartedRun, note: string) => Promise<SyncRunSummary>,
): Promise<SyncRunSummary> {
  const { connector, c, check } = rt;
  const scope = scopeFilter(normaliseScope(connection.settings.scope));
  const who = { actor: ctx.actor, clock: ctx.clock };
  try {
    rt.setPhase('changes', 'signing in');
    const roles = await connector.grantedRoles();
    const signIns = hasPermission(roles, 'AuditLog.Read.All');
    const withApps = hasPermission(roles, 'Application.Read.All');
    if (signIns !== cursor.signIns || withApps !== cursor.apps) {
      const what = [signIns !== cursor.signIns ? `AuditLog.Read.All ${signIns ? 'granted' : 'withdrawn'}` : null, withApps !== cursor.apps ? `Application.Read.All ${withApps ? 'granted' : 'withdrawn'}` : null].filter(Boolean).join(', ');
      throw new FallBackToFull(`the app's permissions changed since run #${fromRun} (${what}): full sync`);
    }
    check();

    // 1. Both delta rounds to their end.
    const issuedAt = ctx.clock.now().toISOString();
    const work: DeltaWork = { users: new Map(), groups: new Map(), newGroupMembers: new Map(), apps: null };
    const message = (): string => `${fmt(c.changesRead)} changed objects read`;
    rt.setPhase('changes', message());
    const follow = async (which: 'users' | 'groups', link: string, merge: (items: Json[]) => number): Promise<string> => {
      try {
        const r = await connector.pages(link, { what: `reading ${which} delta`, needs: which === 'users' ? 'User.Read.All' : 'Group.Read.All (or GroupMember.Read.All)' }, (items) => {
          check();
          c.pages++;
          c.changesRead += merge(items);
          rt.tick(message());
        });
        if (!r.deltaLink) throw new EntraError(`the ${which} delta round ended without a deltaLink`, 'bad-response');
        return r.deltaLink;
      } catch (e) {
        if (e instanceof EntraError && e.kind === 'delta-expired') {
          throw new FallBackToFull(`the ${which} delta link of run #${fromRun} expired (410 syncStateNotFound): full sync`);
        }
        throw e;
      }
    };
    // Both to the end, even when one fails: nothing keeps reading once the run has moved on (e.g. to a full sync).
    const [usersRead, groupsRead] = await Promise.allSettled([
      follow('users', cursor.users, (items) => mergeUserDelta(work.users, items)),
      follow('groups', cursor.groups, (items) => mergeGroupDelta(work.groups, items)),
    ]);
    for (const r of [usersRead, groupsRead]) if (r.status === 'rejected' && r.reason instanceof FallBackToFull) throw r.reason;
    if (usersRead.status === 'rejected') throw usersRead.reason;
    if (groupsRead.status === 'rejected') throw groupsRead.reason;
    const usersLink = usersRead.value;
    const groupsLink = groupsRead.value;

    // 2. Full member lists of in-scope groups new to the snapshot (their members@delta only says what changed).
    const read = snapshotReader(ctx.db, connection.id, run.gen);
    const newGroups = [...work.groups]
      .filter(([id, d]) => {
        if (d.removed) return false;
        const p = planGroup(read, scope, id, d);
        return p.record !== null && p.inScope && p.existing === null;
      })
      .map(([id]) => id);
    await inPool(newGroups, rt.concurrency, async (id) => {
      const ids: string[] = [];
      await connector.groupMembers(id, (page) => {
        check();
        c.pages++;
        ids.push(...page);
      });
      work.newGroupMembers.set(id, ids);
    });

    // 3. Apps and assignments, re-read.
    if (withApps) {
      rt.setPhase('apps', null);
      const apps = (await connector.servicePrincipals()).map(appFromServicePrincipal).filter((a): a is AppRecord => a !== null && scope.app(a));
      c.pages++;
      c.apps = apps.length;
      const out: { app: AppRecord; assignments: AppAssignmentRecord[] }[] = apps.map((app) => ({ app, assignments: [] }));
      rt.setPhase('app-assignments', `${fmt(apps.length)} apps`);
      await inPool(out, Math.max(1, Math.ceil(rt.concurrency / 2)), async (entry) => {
        entry.assignments = await connector.appGroupAssignments(entry.app.id);
        check();
        c.pages++;
        c.appsWithAssignments++;
        rt.tick();
      });
      work.apps = out;
    }

    // 4. Apply it all, and move the links, in one transaction.
    check();
    rt.setPhase('committing', null);
    const newCursor = encodeEntraCursor({ users: usersLink, groups: groupsLink, issuedAt, scope: connection.settings.scope, signIns, apps: withApps });
    const note = joinNotes(
      `delta from run #${fromRun}: ${fmt(work.users.size)} users and ${fmt(work.groups.size)} groups changed` + (newGroups.length ? `, ${fmt(newGroups.length)} groups read in full` : ''),
      ...permissionNotes(signIns, withApps),
    );
    const target = { connectionId: connection.id, gen: run.gen };
    const { changes } = commitIncrementalRun(ctx.db, run, who, (patch) => applyEntraDelta(ctx.db, target, patch, work, scope), () => ({ totals: rt.totals(), cursor: newCursor, note }));
    return finishSucceededRun(ctx, run, rt.slot, rt.report, () => `${fmt(changes)} changes from ${fmt(c.changesRead)} changed objects in ${Math.round(performance.now() - rt.t0)} ms`);
  } catch (e) {
    if (e instanceof FallBackToFull) {
      const fullRun = convertToFull(ctx, run, e.message);
      return runFull(fullRun, e.message);
    }
    return finishFailedRun(ctx, run, e, entraFailure(connection, rt, (reason) => failIncrementalRun(ctx.db, run, who, reason, rt.totals())));
  }
}
