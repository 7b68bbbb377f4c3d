// Incremental sync's writer: applies individual changes to a connection's
// live generation in place and records each one in sync_changes, with the
// same rules the full sync's generation diff uses (change-rules.ts).
//
// Why in place and not a new generation: an incremental run touches a few
// hundred rows; copying a million-row generation to change them would cost
// more than the full sync it replaces. The caller runs every call of one
// run inside ONE transaction (see applyPatch), so readers see all of a run's
// changes or none, and a failed run leaves the snapshot as it was.
//
// Every method is idempotent (adding a present membership, removing an
// absent one, upserting an identical row: no change, nothing recorded), so
// replaying an event twice, or events older than the snapshot, is harmless.
import type { ChangeKind } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';
import { statusChangeKind, TRACKED_APP_FIELDS, TRACKED_GROUP_FIELDS, TRACKED_IDENTITY_FIELDS } from './change-rules.js';
import type { AppAssignmentRecord, AppRecord, GroupRecord, IdentityRecord, ManagerRef } from '../connectors/snapshot-model.js';

export type PatchTarget = { runId: number; connectionId: number; gen: number };

export type SnapshotPatch = {
  /** Inserts or replaces users; manager references (login/email/...) are resolved after all of them are in. */
  upsertIdentities: (records: readonly IdentityRecord[], managerRefs?: readonly ManagerRef[]) => void;
  /** Removes a user (deleted in the IdP) and their memberships. */
  removeIdentity: (id: string) => boolean;
  upsertGroups: (records: readonly GroupRecord[]) => void;
  /** Removes a group with its memberships and app assignments. */
  removeGroup: (id: string) => boolean;
  /** False when already a member, or when the group is not in the snapshot (e.g. out of scope). */
  addMembership: (groupId: string, identityId: string) => boolean;
  removeMembership: (groupId: string, identityId: string) => boolean;
  /** Makes a group's members exactly these (a re-read group). */
  setGroupMembers: (groupId: string, identityIds: readonly string[]) => { added: number; removed: number };
  upsertApps: (records: readonly AppRecord[]) => void;
  /** Removes an app with its group assignments. */
  removeApp: (id: string) => boolean;
  /** False when already assigned (a new priority is stored silently), or when app or group is not in the snapshot. */
  addAppAssignment: (record: AppAssignmentRecord) => boolean;
  removeAppAssignment: (appId: string, groupId: string) => boolean;
  /** Makes an app's assigned groups exactly these (a re-read app). */
  setAppGroups: (appId: string, records: readonly AppAssignmentRecord[]) => { added: number; removed: number };
  hasIdentity: (id: string) => boolean;
  hasGroup: (id: string) => boolean;
  hasApp: (id: string) => boolean;
  /** Changes recorded so far, per kind. */
  counts: () => Partial<Record<ChangeKind, number>>;
  total: () => number;
};

type IdentityRow = {
  id: string;
  login: string;
  email: string | null;
  display_name: string;
  status: string;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  employee_type: string | null;
  employee_number: string | null;
};
type GroupRowDb = { id: string; name: string; description: string | null; type: string; managed_by: string };
type AppRowDb = { id: string; label: string; status: string };

const norm = (v: string | null | undefined): string | null => (v === undefined || v === null || v === '' ? null : v);

/** Runs `fn` with a patch on the live generation, in one immediate transaction. */
export function applyPatch<T>(db: Db, target: PatchTarget, fn: (patch: SnapshotPatch) => T): T {
  return db.transaction(() => fn(openSnapshotPatch(db, target))).immediate();
}

/** A patch bound to one run; every method must be called inside a transaction the caller owns. */
export function openSnapshotPatch(db: Db, target: PatchTarget): SnapshotPatch {
  const { runId, connectionId: c, gen } = target;
  const key = [c, gen] as const;
  const counts: Partial<Record<ChangeKind, number>> = {};
  let total = 0;

  const recordStmt = db.prepare(
    `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name, field, before, after)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const record = (
    kind: ChangeKind,
    subjectType: 'user' | 'group' | 'app',
    subjectId: string,
    subjectName: string | null,
    extra: { objectId?: string; objectName?: string | null; field?: string; before?: string | null; after?: string | null } = {},
  ): void => {
    recordStmt.run(
      runId, c, kind, subjectType, subjectId, subjectName,
      extra.objectId ?? null, extra.objectName ?? null, extra.field ?? null, extra.before ?? null, extra.after ?? null,
    );
    counts[kind] = (counts[kind] ?? 0) + 1;
    total++;
  };

  const s = {
    identity: db.prepare(
      `SELECT id, login, email, display_name, status, department, title, manager_id, employee_type, employee_number
       FROM identities WHERE connection_id = ? AND gen = ? AND id = ?`,
    ),
    identityName: db.prepare('SELECT display_name FROM identities WHERE connection_id = ? AND gen = ? AND id = ?').pluck(),
    upsertIdentity: db.prepare(
      `INSERT OR REPLACE INTO identities (connection_id, gen, id, login, email, first_name, last_name, display_name, status, department, title,
         manager_id, location, employee_type, employee_number, last_login, created, last_updated, profile)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    setManager: db.prepare('UPDATE identities SET manager_id = ? WHERE connection_id = ? AND gen = ? AND id = ?'),
    deleteIdentity: db.prepare('DELETE FROM identities WHERE connection_id = ? AND gen = ? AND id = ?'),
    groupsOf: db.prepare('SELECT group_id FROM memberships WHERE connection_id = ? AND gen = ? AND identity_id = ?').pluck(),
    group: db.prepare('SELECT id, name, description, type, managed_by FROM groups WHERE connection_id = ? AND gen = ? AND id = ?'),
    groupName: db.prepare('SELECT name FROM groups WHERE connection_id = ? AND gen = ? AND id = ?').pluck(),
    upsertGroup: db.prepare(
      `INSERT OR REPLACE INTO groups (connection_id, gen, id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    deleteGroup: db.prepare('DELETE FROM groups WHERE connection_id = ? AND gen = ? AND id = ?'),
    // Owners are read by the full sync only; a group or user that goes takes its owner rows along.
    deleteOwnersOf: db.prepare('DELETE FROM group_owners WHERE connection_id = ? AND gen = ? AND group_id = ?'),
    deleteOwnerships: db.prepare("DELETE FROM group_owners WHERE connection_id = ? AND gen = ? AND owner_id = ? AND owner_type = 'user'"),
    membersOf: db.prepare('SELECT identity_id FROM memberships WHERE connection_id = ? AND gen = ? AND group_id = ?').pluck(),
    hasMembership: db.prepare('SELECT 1 FROM memberships WHERE connection_id = ? AND gen = ? AND group_id = ? AND identity_id = ?').pluck(),
    addMembership: db.prepare('INSERT OR IGNORE INTO memberships (connection_id, gen, group_id, identity_id) VALUES (?, ?, ?, ?)'),
    removeMembership: db.prepare('DELETE FROM memberships WHERE connection_id = ? AND gen = ? AND group_id = ? AND identity_id = ?'),
    app: db.prepare('SELECT id, label, status FROM apps WHERE connection_id = ? AND gen = ? AND id = ?'),
    appLabel: db.prepare('SELECT label FROM apps WHERE connection_id = ? AND gen = ? AND id = ?').pluck(),
    upsertApp: db.prepare(
      'INSERT OR REPLACE INTO apps (connection_id, gen, id, name, label, status, sign_on_mode) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteApp: db.prepare('DELETE FROM apps WHERE connection_id = ? AND gen = ? AND id = ?'),
    assignment: db.prepare('SELECT priority FROM app_assignments WHERE connection_id = ? AND gen = ? AND app_id = ? AND group_id = ?'),
    groupsOfApp: db.prepare('SELECT group_id FROM app_assignments WHERE connection_id = ? AND gen = ? AND app_id = ?').pluck(),
    appsOfGroup: db.prepare('SELECT app_id FROM app_assignments WHERE connection_id = ? AND gen = ? AND group_id = ?').pluck(),
    upsertAssignment: db.prepare(
      'INSERT OR REPLACE INTO app_assignments (connection_id, gen, app_id, group_id, priority) VALUES (?, ?, ?, ?, ?)',
    ),
    deleteAssignment: db.prepare('DELETE FROM app_assignments WHERE connection_id = ? AND gen = ? AND app_id = ? AND group_id = ?'),
    allForManagerIndex: db.prepare('SELECT id, login, email, employee_number, display_name FROM identities WHERE connection_id = ? AND gen = ?'),
  };
  const userName = (id: string): string | null => (s.identityName.get(...key, id) as string | undefined) ?? null;
  const groupName = (id: string): string | null => (s.groupName.get(...key, id) as string | undefined) ?? null;
  const appLabel = (id: string): string | null => (s.appLabel.get(...key, id) as string | undefined) ?? null;

  // Manager references resolve like the full sync's writer does: by id, else
  // by a unique login / e-mail / employee number / display name (ambiguous:
  // left as given). The index is built on first use and after upserts.
  let managerIndex: { ids: Set<string>; byKey: Map<string, string | null> } | null = null;
  const resolveRef = (ref: string): string | null => {
    if (!managerIndex) {
      const ids = new Set<string>();
      const byKey = new Map<string, string | null>();
      const index = (k: string | null, id: string): void => {
        if (!k) return;
        const kk = k.trim().toLowerCase();
        const prev = byKey.get(kk);
        byKey.set(kk, prev === undefined || prev === id ? id : null);
      };
      for (const r of s.allForManagerIndex.iterate(...key) as IterableIterator<{
        id: string;
        login: string;
        email: string | null;
        employee_number: string | null;
        display_name: string;
      }>) {
        ids.add(r.id);
        index(r.login, r.id);
        index(r.email, r.id);
        index(r.employee_number, r.id);
        index(r.display_name, r.id);
      }
      managerIndex = { ids, byKey };
    }
    if (managerIndex.ids.has(ref)) return ref;
    return managerIndex.byKey.get(ref.trim().toLowerCase()) ?? null;
  };

  const membershipRemoved = (groupId: string, identityId: string): void =>
    record('membership-remove', 'user', identityId, userName(identityId), { objectId: groupId, objectName: groupName(groupId) });
  const assignmentRemoved = (appId: string, groupId: string): void =>
    record('assignment-remove', 'app', appId, appLabel(appId), { objectId: groupId, objectName: groupName(groupId) });

  const patch: SnapshotPatch = {
    upsertIdentities(records, managerRefs = []) {
      if (records.length === 0) return;
      const before = new Map<string, IdentityRow | null>();
      for (const r of records) {
        if (!before.has(r.id)) before.set(r.id, (s.identity.get(...key, r.id) as IdentityRow | undefined) ?? null);
        s.upsertIdentity.run(
          ...key, r.id, r.login, r.email, r.firstName, r.lastName, r.displayName, r.status, r.department, r.title, r.managerId,
          r.location, r.employeeType, r.employeeNumber, r.lastLogin, r.created, r.lastUpdated, r.profile,
        );
      }
      if (managerRefs.length > 0) {
        managerIndex = null;
        for (const { identityId, ref } of managerRefs) {
          const id = resolveRef(ref);
          if (id && id !== identityId) s.setManager.run(id, ...key, identityId);
        }
      }
      managerIndex = null;
      for (const [id, old] of before) {
        const now = s.identity.get(...key, id) as IdentityRow;
        if (!old) {
          record('joiner', 'user', id, now.display_name, { after: now.status });
          continue;
        }
        if (old.status !== now.status) {
          record(statusChangeKind(old.status, now.status), 'user', id, now.display_name, { field: 'status', before: old.status, after: now.status });
        }
        for (const { column, field } of TRACKED_IDENTITY_FIELDS) {
          const a = norm(old[column]);
          const b = norm(now[column]);
          if (a !== b) record('attribute', 'user', id, now.display_name, { field, before: a, after: b });
        }
      }
    },
    removeIdentity(id) {
      const old = s.identity.get(...key, id) as IdentityRow | undefined;
      if (!old) return false;
      for (const g of s.groupsOf.all(...key, id) as string[]) {
        membershipRemoved(g, id);
        s.removeMembership.run(...key, g, id);
      }
      s.deleteIdentity.run(...key, id);
      s.deleteOwnerships.run(...key, id);
      managerIndex = null;
      record('leaver', 'user', id, old.display_name, { before: old.status });
      return true;
    },
    upsertGroups(records) {
      for (const r of records) {
        const old = (s.group.get(...key, r.id) as GroupRowDb | undefined) ?? null;
        s.upsertGroup.run(...key, r.id, r.name, r.description, r.type, r.managedBy, r.managedByName, r.lastMembershipUpdated, r.lastUpdated);
        if (!old) {
          record('group-added', 'group', r.id, r.name, { after: r.type });
          continue;
        }
        const now: GroupRowDb = { id: r.id, name: r.name, description: r.description, type: r.type, managed_by: r.managedBy };
        for (const { column, field } of TRACKED_GROUP_FIELDS) {
          const a = norm(old[column]);
          const b = norm(now[column]);
          if (a !== b) record('group-changed', 'group', r.id, r.name, { field, before: a, after: b });
        }
      }
    },
    removeGroup(id) {
      const old = s.group.get(...key, id) as GroupRowDb | undefined;
      if (!old) return false;
      for (const u of s.membersOf.all(...key, id) as string[]) {
        membershipRemoved(id, u);
        s.removeMembership.run(...key, id, u);
      }
      for (const a of s.appsOfGroup.all(...key, id) as string[]) {
        assignmentRemoved(a, id);
        s.deleteAssignment.run(...key, a, id);
      }
      s.deleteGroup.run(...key, id);
      s.deleteOwnersOf.run(...key, id);
      record('group-removed', 'group', id, old.name, { before: old.type });
      return true;
    },
    addMembership(groupId, identityId) {
      if (s.hasMembership.get(...key, groupId, identityId)) return false;
      const name = groupName(groupId);
      if (name === null) return false;
      s.addMembership.run(...key, groupId, identityId);
      record('membership-add', 'user', identityId, userName(identityId), { objectId: groupId, objectName: name });
      return true;
    },
    removeMembership(groupId, identityId) {
      if (!s.hasMembership.get(...key, groupId, identityId)) return false;
      membershipRemoved(groupId, identityId);
      s.removeMembership.run(...key, groupId, identityId);
      return true;
    },
    setGroupMembers(groupId, identityIds) {
      if (groupName(groupId) === null) return { added: 0, removed: 0 };
      const want = new Set(identityIds);
      let added = 0;
      let removed = 0;
      for (const u of s.membersOf.all(...key, groupId) as string[]) {
        if (want.has(u)) want.delete(u);
        else if (patch.removeMembership(groupId, u)) removed++;
      }
      for (const u of want) if (patch.addMembership(groupId, u)) added++;
      return { added, removed };
    },
    upsertApps(records) {
      for (const r of records) {
        const old = (s.app.get(...key, r.id) as AppRowDb | undefined) ?? null;
        s.upsertApp.run(...key, r.id, r.name, r.label, r.status, r.signOnMode);
        if (!old) {
          record('app-added', 'app', r.id, r.label, { after: r.status });
          continue;
        }
        const now: AppRowDb = { id: r.id, label: r.label, status: r.status };
        for (const { column, field } of TRACKED_APP_FIELDS) {
          if (old[column] !== now[column]) record('app-changed', 'app', r.id, r.label, { field, before: old[column], after: now[column] });
        }
      }
    },
    removeApp(id) {
      const old = s.app.get(...key, id) as AppRowDb | undefined;
      if (!old) return false;
      for (const g of s.groupsOfApp.all(...key, id) as string[]) {
        assignmentRemoved(id, g);
        s.deleteAssignment.run(...key, id, g);
      }
      s.deleteApp.run(...key, id);
      record('app-removed', 'app', id, old.label, { before: old.status });
      return true;
    },
    addAppAssignment(r) {
      const existing = s.assignment.get(...key, r.appId, r.groupId) as { priority: number | null } | undefined;
      if (existing) {
        if (existing.priority !== r.priority) s.upsertAssignment.run(...key, r.appId, r.groupId, r.priority);
        return false;
      }
      const label = appLabel(r.appId);
      const gname = groupName(r.groupId);
      if (label === null || gname === null) return false;
      s.upsertAssignment.run(...key, r.appId, r.groupId, r.priority);
      record('assignment-add', 'app', r.appId, label, { objectId: r.groupId, objectName: gname });
      return true;
    },
    removeAppAssignment(appId, groupId) {
      if (!s.assignment.get(...key, appId, groupId)) return false;
      assignmentRemoved(appId, groupId);
      s.deleteAssignment.run(...key, appId, groupId);
      return true;
    },
    setAppGroups(appId, records) {
      if (appLabel(appId) === null) return { added: 0, removed: 0 };
      const want = new Map(records.map((r) => [r.groupId, r]));
      let added = 0;
      let removed = 0;
      for (const g of s.groupsOfApp.all(...key, appId) as string[]) {
        if (!want.has(g) && patch.removeAppAssignment(appId, g)) removed++;
      }
      for (const r of want.values()) if (patch.addAppAssignment(r)) added++;
      return { added, removed };
    },
    hasIdentity: (id) => s.identity.get(...key, id) !== undefined,
    hasGroup: (id) => groupName(id) !== null,
    hasApp: (id) => appLabel(id) !== null,
    counts: () => ({ ...counts }),
    total: () => total,
  };
  return patch;
}
