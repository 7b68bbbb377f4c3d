// A connection's snapshot generations as tables of rows: counting one,
// purging the ones no reader sees (the old generation after a flip, a failed
// run's partial one) in short transactions, and discarding what a crashed run
// left behind.
import { liveGeneration } from '../connections/connections.js';
import type { Db } from '../db/database.js';
import type { SnapshotCounts } from '../connectors/snapshot-model.js';

/** The generation-stamped snapshot tables. */
export const SNAPSHOT_TABLES = ['memberships', 'app_assignments', 'group_owners', 'identities', 'groups', 'apps'] as const;

/** Rows of one generation of a connection, per snapshot table (what a run records as its totals). */
export function countGeneration(db: Db, connectionId: number, gen: number): SnapshotCounts {
  const count = (table: string): number =>
    (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE connection_id = ? AND gen = ?`).get(connectionId, gen) as { n: number }).n;
  return {
    users: count('identities'),
    groups: count('groups'),
    memberships: count('memberships'),
    apps: count('apps'),
    appAssignments: count('app_assignments'),
  };
}

const PURGE_BATCH = 20_000;

/**
 * Deletes snapshot rows of `connectionId` in the given generation range, in
 * short transactions so other writers get their turn between batches. Rows
 * outside the live generation are invisible, so nobody sees a half-purge.
 */
export async function purgeGenerations(db: Db, connectionId: number, range: { below?: number; above?: number; only?: number }): Promise<number> {
  let total = 0;
  const clauses: string[] = [];
  const params: number[] = [];
  if (range.only !== undefined) {
    clauses.push('gen = ?');
    params.push(range.only);
  }
  if (range.below !== undefined) {
    clauses.push('gen < ?');
    params.push(range.below);
  }
  if (range.above !== undefined) {
    clauses.push('gen > ?');
    params.push(range.above);
  }
  for (const table of SNAPSHOT_TABLES) {
    // Each clause separately: every one is a range on the primary key (connection_id, gen, ...).
    for (let c = 0; c < clauses.length; c++) {
      const where = `connection_id = ? AND ${clauses[c]}`;
      let stmt;
      try {
        stmt = db.prepare(`DELETE FROM ${table} WHERE ${where} LIMIT ${PURGE_BATCH}`);
      } catch {
        // SQLite built without DELETE ... LIMIT: one statement, still correct.
        stmt = null;
      }
      for (;;) {
        const changes = stmt
          ? db.transaction(() => stmt.run(connectionId, params[c]).changes).immediate()
          : db.prepare(`DELETE FROM ${table} WHERE ${where}`).run(connectionId, params[c]).changes;
        total += changes;
        if (!stmt || changes < PURGE_BATCH) break;
        await new Promise<void>((r) => setImmediate(r));
      }
    }
  }
  return total;
}

/** Removes whatever a crashed run or an interrupted purge left outside the live generation. */
export async function discardStaleGenerations(db: Db, connectionId: number): Promise<number> {
  const liveGen = liveGeneration(db, connectionId);
  if (liveGen === null) return 0;
  return purgeGenerations(db, connectionId, { below: liveGen, above: liveGen });
}
