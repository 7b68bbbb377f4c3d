// The snapshot writes other areas need between syncs, kept here with the
// rest of the snapshot's SQL: a provisioning or revocation job reflects its
// membership change at once (the Directory shows it before the next sync),
// and a removed connection's link rows go with it.
import { liveGeneration } from '../connections/connections.js';
import type { Db } from '../db/database.js';

/** The IdP-side half of a change: patch the live snapshot so the Directory shows it before the next sync. */
export function patchLiveMembership(db: Db, connectionId: number, groupId: string, identityId: string, present: boolean): void {
  const liveGen = liveGeneration(db, connectionId);
  if (liveGen === null) return;
  const live = { live_gen: liveGen };
  if (present) {
    // Only for a group in the snapshot (a group outside the sync scope has no members listed at all).
    db.prepare(
      `INSERT OR IGNORE INTO memberships (connection_id, gen, group_id, identity_id)
       SELECT ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM groups WHERE connection_id = ? AND gen = ? AND id = ?)`,
    ).run(connectionId, live.live_gen, groupId, identityId, connectionId, live.live_gen, groupId);
  } else {
    db.prepare('DELETE FROM memberships WHERE connection_id = ? AND gen = ? AND group_id = ? AND identity_id = ?').run(connectionId, live.live_gen, groupId, identityId);
  }
}

/**
 * Deletes a connection's membership, assignment and group owner rows (they carry no
 * foreign key, for bulk-insert speed; identities, groups and apps go with the
 * connection row by cascade). Inside the caller's transaction.
 */
export function dropConnectionSnapshot(db: Db, connectionId: number): void {
  db.prepare('DELETE FROM memberships WHERE connection_id = ?').run(connectionId);
  db.prepare('DELETE FROM app_assignments WHERE connection_id = ?').run(connectionId);
  db.prepare('DELETE FROM group_owners WHERE connection_id = ?').run(connectionId);
}
