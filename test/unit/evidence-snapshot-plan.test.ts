// The Access and Privileged sheets stream up to 1M memberships: their
// statement must read a connection's live memberships as a range of the
// primary key, already in the sheet's order (group, account), and merge the
// few memberships gone since the period end in — never sort the population
// (a temp B-tree over 1M rows is time and memory the writer cannot bound).
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { accessSql } from '../../electron/engine/evidence/access-sheets.js';

type PlanRow = { id: number; parent: number; detail: string };

describe('the Access statement plan', () => {
  const db = openDatabase(':memory:');
  for (const privileged of [false, true]) {
    it(`reads memberships in primary-key order without sorting them${privileged ? ' (privileged groups only)' : ''}`, () => {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${accessSql.rows(privileged)}`).all({ to: '2026-01-01T00:00:00.000Z', c: 1, gen: 1 }) as PlanRow[];
      const top = plan.find((r) => r.parent === 0);
      expect(top?.detail).toBe('MERGE (UNION ALL)');
      // The merge's left side: the live memberships.
      const left = plan.find((r) => r.parent === top!.id && r.detail === 'LEFT')!;
      const under = plan.filter((r) => r.parent === left.id).map((r) => r.detail);
      expect(under).toContainEqual(expect.stringMatching(/^SEARCH m USING PRIMARY KEY \(connection_id=\? AND gen=\?( AND group_id=\?)?\)$/));
      expect(under.filter((d) => d.includes('TEMP B-TREE'))).toEqual([]);
    });
  }
});
