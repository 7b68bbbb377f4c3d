// The owners an IdP group has, as group-owner reviewers: the directory's
// groupOwners (synced from Okta's Group Owners API and Graph's group owners),
// active accounts first. An owner whose account is no longer active is still
// returned when no active one is, so the item says "the owner is not active"
// (fallback) rather than "no owner".
import type { Db } from '../db/database.js';
import { normEmail } from '../directory/people-lookup.js';
import { groupOwners } from '../directory/snapshot-lookups.js';

/** E-mails of the group's owners: the active ones (sorted), else the inactive ones; [] when none is known. */
export function groupOwnersOf(db: Db, connectionId: number, groupId: string): string[] {
  const owners = groupOwners(db, connectionId, groupId)
    .map((o) => ({ email: normEmail(o.email), active: o.status.toUpperCase() === 'ACTIVE' }))
    .filter((o): o is { email: string; active: boolean } => o.email !== null);
  const active = owners.filter((o) => o.active);
  return [...new Set((active.length > 0 ? active : owners).map((o) => o.email))].sort();
}
