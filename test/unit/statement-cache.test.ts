// The per-connection statement cache (db/statement-cache.ts): the same
// statement for the same connection and SQL, never one shared across
// connections, plucked statements apart from plain ones, nothing kept for a
// closed connection, and a bounded size.
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { cachedPluck, cachedStatement, cachedStatementCount, MAX_STATEMENTS } from '../../electron/engine/db/statement-cache.js';

describe('statement cache', () => {
  it('returns the same statement for the same connection and SQL, a different one per connection', () => {
    const a = openDatabase(':memory:');
    const b = openDatabase(':memory:');
    const sql = 'SELECT count(*) AS n FROM grants WHERE id = ?';
    const s1 = cachedStatement(a, sql);
    expect(cachedStatement(a, sql)).toBe(s1);
    expect(cachedStatement(a, `${sql} `)).not.toBe(s1);
    const s2 = cachedStatement(b, sql);
    expect(s2).not.toBe(s1);
    expect(s2.database).toBe(b);
    expect(s1.database).toBe(a);
    // Each answers for its own file.
    for (const db of [a, b]) db.exec('CREATE TEMP TABLE scratch (x INTEGER)');
    a.exec('INSERT INTO scratch VALUES (1)');
    const count = 'SELECT count(*) FROM scratch';
    expect(cachedPluck(a, count).get()).toBe(1);
    expect(cachedPluck(b, count).get()).toBe(0);
    a.close();
    b.close();
  });

  it('keeps a plucked statement apart from the plain one', () => {
    const db = openDatabase(':memory:');
    const sql = 'SELECT 7 AS seven';
    expect(cachedPluck(db, sql).get()).toBe(7);
    expect(cachedStatement(db, sql).get()).toEqual({ seven: 7 });
    expect(cachedPluck(db, sql).get()).toBe(7);
    db.close();
  });

  it('keeps nothing for a closed connection: the call fails as prepare would', () => {
    const db = openDatabase(':memory:');
    cachedStatement(db, 'SELECT 1');
    expect(cachedStatementCount(db)).toBe(1);
    db.close();
    expect(() => cachedStatement(db, 'SELECT 1')).toThrow(/not open/);
    expect(cachedStatementCount(db)).toBe(0);
  });

  it('stays bounded', () => {
    const db = openDatabase(':memory:');
    for (let i = 0; i < MAX_STATEMENTS + 10; i++) expect(cachedStatement(db, `SELECT ${i} AS n`).get()).toEqual({ n: i });
    expect(cachedStatementCount(db)).toBeLessThanOrEqual(MAX_STATEMENTS);
    db.close();
  });
});
