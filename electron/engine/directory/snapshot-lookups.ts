// Single objects of the live snapshot, for the areas that act on it: the
// catalog checks a group it maps exists, the jobs look at how a group is
// managed before changing it, drift asks whether a membership is there. The
// Directory's pages read through rows.ts and its list queries; the sync area
// is the only writer.
import type { GroupManagedBy } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';

export type LiveGroup = { name: string; type: string; managedBy: GroupManagedBy; managedByName: string | null };

/** A group of a connection's live snapshot, or null (not synced, out of scope, or gone). */
export function liveGroup(db: Db, connectionId: number, groupId: string): LiveGroup | null {
  const g = db.prepare('SELECT name, type, managed_by, managed_by_name FROM cur_groups WHERE connection_id = ? AND id = ?').get(connectionId, groupId) as
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
  return db.prepare('SELECT 1 FROM cur_memberships WHERE connection_id = ? AND group_id = ? AND identity_id = ?').get(connectionId, groupId, identityId) !== undefined;
}
