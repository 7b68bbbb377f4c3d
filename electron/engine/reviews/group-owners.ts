// The owners an IdP group has (synced by helper E's directory lookup,
// directory/snapshot-lookups.ts groupOwners). Until that lookup lands, no
// group has an owner here, so kind 'group-owner' falls back for every item —
// the one place to switch over is this function.
import type { Db } from '../db/database.js';

/** E-mails of the group's owners in the IdP (none known yet: see the header). */
export function groupOwnersOf(_db: Db, _connectionId: number, _groupId: string): string[] {
  return [];
}
