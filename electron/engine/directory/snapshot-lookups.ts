// Single objects of the live snapshot, for the areas that act on it: the
// catalog checks a group it maps exists, the jobs look at how a group is
// managed before changing it, drift asks whether a membership is there, a
// review asks who owns a group. The
// Directory's pages read through rows.ts and its list queries; the sync area
// is the only writer.
import type { GroupManagedBy, GroupOwner } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';

export type LiveGroup = { name: string; type: string; managedBy: GroupManagedBy; managedByName: string | null };

/** A group of a connection's live snapshot, or null (not synced, out of scope, or gone). */
export function liveGroup(db: Db, connectionId: number, groupId: string): LiveGroup | null {
  const g = cachedStatement(db, 'SELECT name, type, managed_by, managed_by_name FROM cur_groups WHERE connection_id = ? AND id = ?').get(connectionId, groupId) as
    | { name: string; type: string; managed_by: GroupManagedBy; managed_by_name: string | null }
    | undefined;
  return g ? { name: g.name, type: g.type, managedBy: g.managed_by, managedByName: g.managed_by_name } : null;
}

/** Ids of a connection's live groups with this name (case-insensitive). */
export function liveGroupIdsByName(db: Db, connectionId: number, name: string): string[] {
  return db.prepare('SELECT id FROM cur_groups WHERE connection_id = ? AND name = ? COLLATE NOCASE').pluck().all(connectionId, name) as string[];
}

/** True when the live snapshot shows the account in the group. */
export function isLiveMember(db: Db, connectionId: number, groupId: string, identityId: string): boolean {
  return cachedStatement(db, 'SELECT 1 FROM cur_memberships WHERE connection_id = ? AND group_id = ? AND identity_id = ?').get(connectionId, groupId, identityId) !== undefined;
}

/** Display names of live groups, keyed `connectionId \0 groupId` (missing ones are left out). */
export function liveGroupNames(db: Db, keys: readonly (readonly [number, string])[]): Map<string, string> {
  if (keys.length === 0) return new Map();
  const one = db.prepare('SELECT name FROM cur_groups WHERE connection_id = ? AND id = ?').pluck();
  const out = new Map<string, string>();
  for (const [c, id] of keys) {
    const name = one.get(c, id) as string | undefined;
    if (name !== undefined) out.set(`${c}\u0000${id}`, name);
  }
  return out;
}

/** Display names of live accounts, keyed `connectionId \0 identityId` (missing ones are left out). */
export function liveIdentityNames(db: Db, keys: readonly (readonly [number, string])[]): Map<string, string> {
  if (keys.length === 0) return new Map();
  const one = db.prepare('SELECT display_name FROM cur_identities WHERE connection_id = ? AND id = ?').pluck();
  const out = new Map<string, string>();
  for (const [c, id] of keys) {
    const name = one.get(c, id) as string | undefined;
    if (name !== undefined) out.set(`${c}\u0000${id}`, name);
  }
  return out;
}

/**
 * The active manager with the most active reports and an e-mail, lower-cased:
 * who the demo workspace acts as, so "My approvals" fills with their team's
 * requests. Null in an empty snapshot.
 */
export function busiestManagerEmail(db: Db): string | null {
  return (
    (db
      .prepare(
        `SELECT lower(m.email) FROM cur_identities m
         JOIN cur_identities r ON r.connection_id = m.connection_id AND r.manager_id = m.id AND r.status = 'ACTIVE'
         WHERE m.status = 'ACTIVE' AND m.email IS NOT NULL AND m.manager_id IS NOT NULL
         GROUP BY m.connection_id, m.id ORDER BY count(*) DESC, m.connection_id, m.id LIMIT 1`,
      )
      .pluck()
      .get() as string | undefined) ?? null
  );
}

export type { GroupOwner };

/**
 * The owners of a live group as the IdP names them (synced by the full sync:
 * Okta's Group Owners API, Graph's group owners), each with the account's
 * current status — inactive owners included, so a caller can tell "the owner
 * left" from "no owner". An owner that is a group (Okta) stands for its
 * members. Owners not in the snapshot (out of the sync scope, deleted since)
 * are left out. [] for a group without an owner, or not synced.
 */
export function groupOwners(db: Db, connectionId: number, groupId: string): GroupOwner[] {
  const rows = db
    .prepare(
      `SELECT i.id, i.email, i.display_name, i.status FROM cur_identities i
       WHERE i.connection_id = @c AND i.id IN (
         SELECT o.owner_id FROM cur_group_owners o WHERE o.connection_id = @c AND o.group_id = @g AND o.owner_type = 'user'
         UNION
         SELECT m.identity_id FROM cur_group_owners o
           JOIN cur_memberships m ON m.connection_id = o.connection_id AND m.group_id = o.owner_id
           WHERE o.connection_id = @c AND o.group_id = @g AND o.owner_type = 'group')
       ORDER BY i.display_name, i.id`,
    )
    .all({ c: connectionId, g: groupId }) as { id: string; email: string | null; display_name: string; status: string }[];
  return rows.map((r) => ({ identityId: r.id, email: r.email, name: r.display_name, status: r.status }));
}

/** The live groups one account is a member of (a leaver's memberships to remove), by id. */
export function liveGroupsOfAccount(db: Db, connectionId: number, identityId: string): { groupId: string; name: string }[] {
  return db
    .prepare('SELECT g.id AS groupId, g.name FROM cur_memberships m JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id WHERE m.connection_id = ? AND m.identity_id = ? ORDER BY g.id')
    .all(connectionId, identityId) as { groupId: string; name: string }[];
}
