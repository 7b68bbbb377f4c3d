// Okta incremental sync: the System Log since the stored position, turned
// into changes to the live snapshot.
//
// How it stays equal to a fresh full sync:
// - The position (cursor) is a time on Okta's clock plus the ids of the
//   events just after it that were already applied. A full sync stores the
//   time it STARTED (less a minute): whatever changed while it listed is
//   replayed next time, which is harmless because every patch operation is
//   idempotent (snapshot-patch.ts).
// - Events say what changed; where they do not say enough, the object is
//   re-read: users in one `lastUpdated` search (or `id eq` batches when few),
//   a group or app by id, a group's members, an app's groups. Membership
//   events are applied as they are (last one per user and group wins).
// - What it cannot apply faithfully (group rule changes alter who manages a
//   group, and which rule adds whom) is reported, and the caller falls back
//   to a full sync and says why, as it does when the position is older than
//   Okta's 90-day retention, the log is not readable, or the scope changed.
// - Everything read is applied in ONE transaction that also advances the
//   cursor (incremental-run.ts): a failed run changes nothing.
import { inPool } from './run-lifecycle.js';
import { normaliseScope, scopeFilter, type ScopeFilter } from '../connections/scope.js';
import type { SyncScope } from '../../../shared/domain.js';
import type { OktaConnector } from '../connectors/okta/okta-connector.js';
import { classifyGroup, type OktaGroup, type OktaLogEvent } from '../connectors/okta/okta-normalise.js';
import type { Db } from '../db/database.js';
import type { SnapshotPatch } from './snapshot-patch.js';
import type { AppAssignmentRecord, AppRecord, GroupRecord, IdentityRecord, ManagerRef } from '../connectors/snapshot-model.js';

/** Okta keeps System Log events for 90 days. */
export const LOG_RETENTION_MS = 90 * 86_400_000;
/** A full sync's position: its start, less this (clock skew, Date header precision). */
export const FULL_SYNC_OVERLAP_MS = 60_000;
/** Events may become visible a little after their `published` time: re-poll this much before the newest one. */
export const LATE_EVENT_MS = 60_000;
/** At most this many already-applied event ids are kept in the cursor. */
const MAX_SEEN = 10_000;
/** Up to this many users are re-read by id; more by one `lastUpdated` search. */
const USERS_BY_ID_MAX = 40;

/** Where incremental sync resumes, stored as JSON in sync_runs.cursor. */
export type OktaCursor = {
  v: 1;
  kind: 'okta-system-log';
  /** Poll the System Log from here (ISO 8601, Okta's clock). */
  since: string;
  /** Events at or after `since` that were applied already (uuids), skipped when read again. */
  seen: string[];
  /** When (our clock) the log was last read to its end; older than 90 days and events may be lost. */
  readAt: string;
  /** The scope the snapshot was built with; another scope needs a full sync. */
  scope: SyncScope;
  /** The org the position belongs to: a connection re-pointed elsewhere needs a full sync (absent in older cursors). */
  orgUrl?: string;
};

export function encodeCursor(c: Omit<OktaCursor, 'v' | 'kind'>): string {
  const cursor: OktaCursor = {
    v: 1, kind: 'okta-system-log', since: c.since, seen: c.seen, readAt: c.readAt, scope: normaliseScope(c.scope),
    ...(c.orgUrl ? { orgUrl: c.orgUrl } : {}),
  };
  return JSON.stringify(cursor);
}

/** The stored cursor, or null when it is not an Okta System Log position we understand. */
export function decodeCursor(raw: string): OktaCursor | null {
  try {
    const o = JSON.parse(raw) as Partial<OktaCursor>;
    if (o.v !== 1 || o.kind !== 'okta-system-log' || typeof o.since !== 'string' || typeof o.readAt !== 'string') return null;
    if (!Number.isFinite(Date.parse(o.since)) || !Number.isFinite(Date.parse(o.readAt))) return null;
    const seen = Array.isArray(o.seen) ? o.seen.filter((x): x is string => typeof x === 'string') : [];
    return {
      v: 1, kind: 'okta-system-log', since: o.since, seen, readAt: o.readAt, scope: normaliseScope(o.scope),
      ...(typeof o.orgUrl === 'string' ? { orgUrl: o.orgUrl } : {}),
    };
  } catch {
    return null;
  }
}

export { sameScope } from '../connections/scope.js';

/**
 * Event types incremental sync reads (a System Log `filter`): user lifecycle
 * and account changes, groups (membership, lifecycle, profile, app
 * assignment, rules), app lifecycle. Sign-ins, which are most of a real
 * org's log, are left on the server.
 */
export const LOG_FILTER = ['user.lifecycle.', 'user.account.', 'group.', 'application.lifecycle.'].map((p) => `eventType sw "${p}"`).join(' or ');

/** Events whose effect cannot be derived (or re-read) object by object: they need a full sync. */
export function cannotApply(eventType: string): boolean {
  // Group rules decide who manages a group and whom a rule adds; a rule
  // created, changed, (de)activated or deleted changes that for many people.
  return /^group\.rule\./.test(eventType) || /^group_rule\./.test(eventType);
}

export type MembershipOp = { groupId: string; userId: string; add: boolean };

/** What a run of System Log events asks for. */
export type OktaChangePlan = {
  /** Events read (after the already-applied ones were skipped). */
  events: number;
  /** Events skipped as already applied (the cursor's overlap). */
  replayed: number;
  /** Newest `published` read (ms), null when the log had nothing. */
  newest: number | null;
  /** Uuids of events read, with their time, for the next cursor. */
  read: { uuid: string; at: number }[];
  /** Users to re-read (lifecycle, account, profile changes). */
  users: Set<string>;
  /** Oldest event (ms) that named a user to re-read. */
  usersSince: number | null;
  /** Users created in this window (they join Everyone, which Okta does not log). */
  createdUsers: Set<string>;
  deletedUsers: Set<string>;
  /** Groups to re-read (created, profile changed, or otherwise named). */
  groups: Set<string>;
  createdGroups: Set<string>;
  deletedGroups: Set<string>;
  /** Membership changes, the last per (group, user) wins. */
  memberships: Map<string, MembershipOp>;
  /** Groups named by membership events: their name in the event and the newest change (ISO). */
  membershipGroups: Map<string, { name: string | null; last: string }>;
  /** Apps whose group assignments changed: re-read their groups. */
  appAssignments: Set<string>;
  /** Apps created / changed / deleted: re-read the app (and its groups). */
  apps: Set<string>;
  /** Event types that need a full sync, with their counts. */
  unappliable: Map<string, number>;
};

const targetsOf = (e: OktaLogEvent, type: string): string[] => e.targets.filter((t) => t.type === type).map((t) => t.id);

/** Turns System Log events (oldest first) into a plan; pure, so the decisions are unit-testable. */
export function planOktaChanges(events: readonly OktaLogEvent[], alreadyApplied: ReadonlySet<string> = new Set()): OktaChangePlan {
  const plan: OktaChangePlan = {
    events: 0,
    replayed: 0,
    newest: null,
    read: [],
    users: new Set(),
    usersSince: null,
    createdUsers: new Set(),
    deletedUsers: new Set(),
    groups: new Set(),
    createdGroups: new Set(),
    deletedGroups: new Set(),
    memberships: new Map(),
    membershipGroups: new Map(),
    appAssignments: new Set(),
    apps: new Set(),
    unappliable: new Map(),
  };
  for (const e of events) {
    const at = Date.parse(e.published);
    plan.newest = plan.newest === null ? at : Math.max(plan.newest, at);
    plan.read.push({ uuid: e.uuid, at });
    if (alreadyApplied.has(e.uuid)) {
      plan.replayed++;
      continue;
    }
    plan.events++;
    // A failed or denied operation changed nothing.
    if (e.outcome === 'FAILURE' || e.outcome === 'DENY') continue;
    const type = e.eventType;
    if (cannotApply(type)) {
      plan.unappliable.set(type, (plan.unappliable.get(type) ?? 0) + 1);
      continue;
    }
    const users = targetsOf(e, 'User');
    const groups = targetsOf(e, 'UserGroup');
    const apps = targetsOf(e, 'AppInstance');
    const rereadUsers = (): void => {
      for (const u of users) plan.users.add(u);
      if (users.length > 0) plan.usersSince = plan.usersSince === null ? at : Math.min(plan.usersSince, at);
    };
    if (type === 'user.lifecycle.delete.completed') {
      for (const u of users) {
        plan.deletedUsers.add(u);
        plan.users.delete(u);
      }
    } else if (type.startsWith('user.lifecycle.') || type.startsWith('user.account.')) {
      if (type === 'user.lifecycle.create') for (const u of users) plan.createdUsers.add(u);
      rereadUsers();
    } else if (type === 'group.user_membership.add' || type === 'group.user_membership.remove') {
      const add = type === 'group.user_membership.add';
      for (const g of groups) {
        const prev = plan.membershipGroups.get(g);
        const name = e.targets.find((t) => t.id === g)?.displayName ?? null;
        plan.membershipGroups.set(g, { name: name ?? prev?.name ?? null, last: prev && prev.last > e.published ? prev.last : e.published });
        for (const u of users) plan.memberships.set(`${g}\u0000${u}`, { groupId: g, userId: u, add });
      }
    } else if (type === 'group.lifecycle.create') {
      for (const g of groups) {
        plan.createdGroups.add(g);
        plan.groups.add(g);
      }
    } else if (type === 'group.lifecycle.delete') {
      for (const g of groups) plan.deletedGroups.add(g);
    } else if (type.startsWith('group.application_assignment.')) {
      for (const a of apps) plan.appAssignments.add(a);
    } else if (type === 'group.profile.update') {
      for (const g of groups) plan.groups.add(g);
    } else if (type.startsWith('group.user_membership.rule.') || type.startsWith('group.privilege.')) {
      // Rule exclusion lists and admin privileges: nothing the snapshot holds.
    } else if (type.startsWith('group.')) {
      // Another group change (an import, a push): re-read the group itself.
      for (const g of groups) plan.groups.add(g);
    } else if (type.startsWith('application.lifecycle.')) {
      for (const a of apps) plan.apps.add(a);
    }
  }
  for (const g of plan.deletedGroups) {
    plan.groups.delete(g);
    plan.createdGroups.delete(g);
  }
  for (const u of plan.deletedUsers) plan.createdUsers.delete(u);
  return plan;
}

/**
 * The position after reading these events (see OktaCursor): a minute before
 * the newest event or Okta's "now", whichever is later (an event is visible
 * within that minute of its `published` time), remembering the events read
 * at or after it so they are not applied twice.
 */
export function nextCursor(
  previous: Pick<OktaCursor, 'since' | 'seen'>,
  plan: Pick<OktaChangePlan, 'newest' | 'read'>,
  serverNow: number,
): { since: string; seen: string[] } {
  const horizon = Math.max(plan.newest ?? -Infinity, serverNow);
  let since = Math.max(Date.parse(previous.since), horizon - LATE_EVENT_MS);
  let seen = plan.read.filter((r) => r.at >= since).map((r) => r.uuid);
  if (seen.length > MAX_SEEN && plan.newest !== null) {
    // A burst: resume at the newest event itself rather than carry its whole minute.
    since = Math.max(since, plan.newest);
    seen = plan.read.filter((r) => r.at >= since).map((r) => r.uuid);
  }
  return { since: new Date(since).toISOString(), seen };
}

/** What the snapshot holds now (read before the re-reads, outside the write transaction). */
type Known = {
  groups: Map<string, { type: string; record: GroupRecord }>;
  apps: Map<string, string>;
  builtIn: string[];
};

/** A row of the groups table, as GROUP_COLUMNS selects it. */
type GroupRow = {
  id: string;
  name: string;
  description: string | null;
  type: string;
  managed_by: GroupRecord['managedBy'];
  managed_by_name: string | null;
  last_membership_updated: string | null;
  last_updated: string | null;
};
const GROUP_COLUMNS = 'id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated';

function groupFromRow(r: GroupRow): GroupRecord {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    type: r.type,
    managedBy: r.managed_by,
    managedByName: r.managed_by_name,
    lastMembershipUpdated: r.last_membership_updated,
    lastUpdated: r.last_updated,
  };
}

function readKnown(db: Db, connectionId: number, gen: number): Known {
  const groups = new Map<string, { type: string; record: GroupRecord }>();
  const rows = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE connection_id = ? AND gen = ?`).all(connectionId, gen) as GroupRow[];
  for (const r of rows) groups.set(r.id, { type: r.type, record: groupFromRow(r) });
  const apps = new Map(
    (db.prepare('SELECT id, label FROM apps WHERE connection_id = ? AND gen = ?').all(connectionId, gen) as { id: string; label: string }[]).map((a) => [a.id, a.label]),
  );
  const builtIn = rows.filter((r) => r.type === 'BUILT_IN').map((r) => r.id);
  return { groups, apps, builtIn };
}

/** Could a group with this name be in scope, whatever its type? (Events name groups, not their type.) */
function nameMayBeInScope(filter: ScopeFilter, name: string | null): boolean {
  if (filter.unlimited || name === null) return true;
  return ['OKTA_GROUP', 'APP_GROUP', 'BUILT_IN'].some((type) => filter.group({ name, type }));
}

/** Everything read for one incremental run, ready to apply. */
export type OktaIncrementalWork = {
  plan: OktaChangePlan;
  apps: AppRecord[];
  removedApps: string[];
  groups: GroupRecord[];
  /** Groups in the snapshot that left the scope (renamed) or no longer exist. */
  removedGroups: string[];
  identities: IdentityRecord[];
  managerRefs: ManagerRef[];
  /** Users named by events that Okta no longer has. */
  missingUsers: string[];
  /** Groups whose members were re-read (new to the snapshot): members set exactly. */
  members: Map<string, string[]>;
  /** Apps whose group assignments were re-read. */
  appGroups: Map<string, AppAssignmentRecord[]>;
  /** Groups whose record came from a re-read (their lastMembershipUpdated is current). */
  reread: Set<string>;
  known: Known;
  /** Re-read counts, for progress and the note. */
  counts: { users: number; groups: number; apps: number };
};

export type ReadLogResult = { events: OktaLogEvent[] };

/** Reads the System Log from the cursor to its end (every page, until an empty one). */
export async function readLog(connector: OktaConnector, cursor: OktaCursor, onPage: (events: number) => void, check: () => void): Promise<ReadLogResult> {
  const events: OktaLogEvent[] = [];
  for await (const page of connector.logEvents({ since: cursor.since, filter: LOG_FILTER })) {
    check();
    for (const e of page) events.push(e);
    onPage(events.length);
  }
  return { events };
}

/**
 * Re-reads what the plan names (users, groups, apps, members, app groups),
 * applying the connection's scope. Nothing is written here.
 */
export async function readChanges(
  db: Db,
  target: { connectionId: number; gen: number },
  connector: OktaConnector,
  plan: OktaChangePlan,
  scope: SyncScope,
  opts: { concurrency: number; check: () => void; onRead: (what: string) => void },
): Promise<OktaIncrementalWork> {
  const filter = scopeFilter(normaliseScope(scope));
  const known = readKnown(db, target.connectionId, target.gen);
  const { check } = opts;
  const work: OktaIncrementalWork = {
    plan,
    apps: [],
    removedApps: [],
    groups: [],
    removedGroups: [],
    identities: [],
    managerRefs: [],
    missingUsers: [],
    members: new Map(),
    appGroups: new Map(),
    reread: new Set(),
    known,
    counts: { users: 0, groups: 0, apps: 0 },
  };

  // 1. Apps (lifecycle events): the app itself, then its groups below.
  const appLabels = new Map(known.apps);
  const appsToList = new Set<string>();
  await inPool([...plan.apps], opts.concurrency, async (id) => {
    const app = await connector.app(id);
    check();
    work.counts.apps++;
    // The full sync lists apps the default way, which leaves out inactive ones (spec: includeNonDeleted).
    if (app && app.status === 'ACTIVE' && filter.app(app)) {
      work.apps.push(app);
      appLabels.set(app.id, app.label);
      appsToList.add(app.id);
    } else if (known.apps.has(id)) work.removedApps.push(id);
  });
  for (const a of plan.appAssignments) if (appLabels.has(a)) appsToList.add(a);

  // 2. Groups: created or changed ones, and groups named by membership events
  // that the snapshot does not hold but may belong to the scope.
  const groupIds = new Set(plan.groups);
  for (const [id, { name }] of plan.membershipGroups) {
    if (known.groups.has(id) || plan.deletedGroups.has(id)) continue;
    if (nameMayBeInScope(filter, name)) groupIds.add(id);
  }
  let enteredExisting = false;
  const sourceLabels = new Map<string, string | null>();
  const labelOf = async (appId: string): Promise<string | null> => {
    const have = appLabels.get(appId);
    if (have !== undefined) return have;
    if (!sourceLabels.has(appId)) sourceLabels.set(appId, (await connector.app(appId))?.label ?? null);
    return sourceLabels.get(appId) ?? null;
  };
  await inPool([...groupIds], opts.concurrency, async (id) => {
    const g: OktaGroup | null = await connector.group(id);
    check();
    work.counts.groups++;
    const had = known.groups.get(id);
    if (!g || !filter.group(g)) {
      if (had) work.removedGroups.push(id);
      return;
    }
    let record: GroupRecord;
    if (had) {
      // Who manages it only changes with group rules (which force a full sync) or its type.
      record = { ...classifyGroup(g, new Map(), new Map()), managedBy: had.record.managedBy, managedByName: had.record.managedByName };
      if (had.type !== g.type) record = classifyGroup(g, new Map(), g.sourceAppId ? new Map([[g.sourceAppId, (await labelOf(g.sourceAppId)) ?? '']]) : new Map());
    } else {
      const label = g.sourceAppId ? await labelOf(g.sourceAppId) : null;
      record = classifyGroup(g, new Map(), g.sourceAppId && label !== null ? new Map([[g.sourceAppId, label]]) : new Map());
      // New to the snapshot: its members are read in full. One that existed
      // before (renamed into scope) may also be assigned to apps already.
      work.members.set(id, []);
      if (!plan.createdGroups.has(id)) enteredExisting = true;
    }
    work.groups.push(record);
    work.reread.add(id);
  });
  if (enteredExisting) for (const a of appLabels.keys()) appsToList.add(a);
  for (const a of work.removedApps) appsToList.delete(a);

  // 3. Users: one lastUpdated search when many, `id eq` batches when few
  // (or for whoever the search did not return). Whoever neither returns no
  // longer exists.
  const wanted = new Set([...plan.users].filter((u) => !plan.deletedUsers.has(u)));
  if (wanted.size > 0) {
    const got = new Set<string>();
    const take = (page: { identities: IdentityRecord[]; managerRefs: ManagerRef[] }): void => {
      for (const i of page.identities) {
        got.add(i.id);
        work.identities.push(i);
      }
      for (const r of page.managerRefs) work.managerRefs.push(r);
    };
    if (wanted.size > USERS_BY_ID_MAX && plan.usersSince !== null) {
      // lastUpdated is set with the change, the event right after: a minute's margin.
      const since = new Date(plan.usersSince - LATE_EVENT_MS).toISOString();
      for await (const page of connector.usersUpdatedSince(since)) {
        check();
        take(page);
        opts.onRead(`users ${got.size}`);
      }
    }
    const rest = [...wanted].filter((u) => !got.has(u));
    if (rest.length > 0) {
      for await (const page of connector.usersByIds(rest)) {
        check();
        take(page);
      }
    }
    for (const u of wanted) if (!got.has(u)) work.missingUsers.push(u);
    work.counts.users = got.size;
  }

  // 4. Members of groups new to the snapshot, and the groups of apps whose assignments changed.
  await inPool([...work.members.keys()], opts.concurrency, async (id) => {
    const ids: string[] = [];
    for await (const page of connector.groupMembers(id)) {
      check();
      for (const u of page) ids.push(u);
    }
    work.members.set(id, ids);
  });
  await inPool([...appsToList], opts.concurrency, async (id) => {
    const rows: AppAssignmentRecord[] = [];
    for await (const page of connector.appGroups(id)) {
      check();
      for (const r of page) rows.push(r);
    }
    work.appGroups.set(id, rows);
  });
  return work;
}

/** Applies what was read to the live snapshot (inside the caller's transaction). */
export function applyChanges(db: Db, target: { connectionId: number; gen: number }, patch: SnapshotPatch, work: OktaIncrementalWork): void {
  const { plan } = work;
  // Objects before links, removals of links' ends last.
  if (work.apps.length) patch.upsertApps(work.apps);
  for (const a of work.removedApps) patch.removeApp(a);
  if (work.groups.length) patch.upsertGroups(work.groups);
  for (const g of work.removedGroups) patch.removeGroup(g);
  patch.upsertIdentities(work.identities, work.managerRefs);

  for (const [g, ids] of work.members) patch.setGroupMembers(g, ids.filter((u) => patch.hasIdentity(u)));
  // Everyone holds every user; Okta logs no membership event for it.
  for (const u of plan.createdUsers) {
    if (!patch.hasIdentity(u)) continue;
    for (const g of work.known.builtIn) patch.addMembership(g, u);
  }
  for (const op of plan.memberships.values()) {
    if (work.members.has(op.groupId)) continue;
    if (op.add) {
      if (patch.hasIdentity(op.userId)) patch.addMembership(op.groupId, op.userId);
    } else patch.removeMembership(op.groupId, op.userId);
  }

  for (const u of plan.deletedUsers) patch.removeIdentity(u);
  for (const u of work.missingUsers) patch.removeIdentity(u);
  for (const g of plan.deletedGroups) patch.removeGroup(g);

  for (const [appId, rows] of work.appGroups) patch.setAppGroups(appId, rows.filter((r) => patch.hasGroup(r.groupId)));

  // A group's lastMembershipUpdated is the time of its newest membership change.
  const current = db.prepare(`SELECT ${GROUP_COLUMNS} FROM groups WHERE connection_id = ? AND gen = ? AND id = ?`);
  const touched: GroupRecord[] = [];
  for (const [g, { last }] of plan.membershipGroups) {
    if (work.reread.has(g)) continue;
    const r = current.get(target.connectionId, target.gen, g) as GroupRow | undefined;
    if (!r || (r.last_membership_updated !== null && Date.parse(r.last_membership_updated) >= Date.parse(last))) continue;
    touched.push({ ...groupFromRow(r), lastMembershipUpdated: new Date(Date.parse(last)).toISOString() });
  }
  if (touched.length) patch.upsertGroups(touched);
}
