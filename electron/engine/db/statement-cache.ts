// Prepared statements kept per connection, keyed by their SQL text, for the
// helpers called once per item inside a large transaction (an access
// review's close adopts, audits and queues a revocation per item): preparing
// the same statement again for each item cost ~40% of such a close.
//
// Safe by construction:
// - per connection: the cache is a WeakMap keyed by the Db, so a statement is
//   never used on another connection, and a connection that is dropped takes
//   its statements with it; a closed connection's cache is discarded and the
//   call fails as db.prepare would;
// - only for .run(), .get() and .all(), which finish before they return: a
//   statement being walked by .iterate() is busy and cannot run again until
//   the walk ends, so an iterated statement is never taken from here;
// - the returned statement must not have its mode changed (.pluck(), .raw(),
//   .expand(), .safeIntegers(), .bind()): every caller shares it. A plucked
//   statement is its own entry (cachedPluck);
// - bounded: a connection keeps at most MAX_STATEMENTS; past that its cache
//   starts again (SQL built from a bounded set of column names only: never
//   text with values in it).
import type Database from 'better-sqlite3';
import type { Db } from './database.js';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- better-sqlite3's own bound for named parameters
type Params = unknown[] | {};
type Statement = Database.Statement<Params, unknown>;

/** The most statements one connection keeps. */
export const MAX_STATEMENTS = 256;

const caches = new WeakMap<Db, Map<string, Statement>>();
const PLUCK = '\u0000pluck\u0000';

function lookup(db: Db, key: string, make: () => Statement): Statement {
  if (!db.open) {
    caches.delete(db);
    return make(); // throws: the connection is not open
  }
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let st = cache.get(key);
  if (!st) {
    st = make();
    if (cache.size >= MAX_STATEMENTS) cache.clear();
    cache.set(key, st);
  }
  return st;
}

/** The statement for `sql` on `db`, prepared once per connection. Only .run() / .get() / .all(); never change its mode. */
export function cachedStatement<P extends Params = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  return lookup(db, sql, () => db.prepare(sql)) as unknown as Database.Statement<P, R>;
}

/** The same, in pluck mode (the first column of each row). */
export function cachedPluck<P extends Params = unknown[], R = unknown>(db: Db, sql: string): Database.Statement<P, R> {
  return lookup(db, PLUCK + sql, () => db.prepare(sql).pluck()) as unknown as Database.Statement<P, R>;
}

/** How many statements `db` holds (tests). */
export function cachedStatementCount(db: Db): number {
  return caches.get(db)?.size ?? 0;
}
