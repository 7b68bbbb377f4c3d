// Each table has one owning module: the declaration (electron/engine/db/
// table-owners.ts) covers exactly the tables and views a fresh workspace
// has, and no statement in the main process, the engine or the CLI names a
// table outside its owner and its declared readers. The scan reads SQL as
// written (FROM / JOIN / INTO / UPDATE / DELETE FROM / EXISTS, upper case),
// the way every query in the code is written.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { TABLE_OWNERS } from '../../electron/engine/db/table-owners.js';

const root = path.resolve(import.meta.dirname, '../../electron');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' || e.name === 'sandbox' ? [] : sourceFiles(p);
    return /\.(c|m)?ts$/.test(e.name) ? [p] : [];
  });
}

type Use = { file: string; table: string; writes: boolean; line: number };

/** Every table named by a SQL keyword in the code, with whether the statement writes it. */
function tableUses(tables: ReadonlySet<string>): Use[] {
  const out: Use[] = [];
  for (const abs of sourceFiles(root)) {
    const file = path.relative(root, abs).split(path.sep).join('/');
    const text = fs.readFileSync(abs, 'utf8');
    for (const m of text.matchAll(/\b(FROM|JOIN|INTO|UPDATE|DELETE\s+FROM)\s+([a-z_][a-z0-9_]*)\b/g)) {
      const table = m[2] as string;
      if (!tables.has(table)) continue;
      const keyword = (m[1] as string).replace(/\s+/g, ' ');
      const line = text.slice(0, m.index).split('\n').length;
      out.push({ file, table, writes: keyword === 'INTO' || keyword === 'UPDATE' || keyword === 'DELETE FROM', line });
    }
  }
  return out;
}

const within = (file: string, place: string): boolean => (place.endsWith('/') ? file.startsWith(place) : file === place);

describe('table owners', () => {
  const db = openDatabase(':memory:');
  const schema = db
    .prepare("SELECT name, type, sql FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string; type: string; sql: string | null }[];
  db.close();
  // A virtual table's shadow tables (an FTS index's _data, _idx, ...) belong to it.
  const virtual = schema.filter((t) => /CREATE VIRTUAL TABLE/i.test(t.sql ?? '')).map((t) => t.name);
  const tables = schema.map((t) => t.name).filter((n) => !virtual.some((v) => n.startsWith(`${v}_`)));

  it('declares exactly the tables and views of a fresh workspace', () => {
    expect(Object.keys(TABLE_OWNERS).sort()).toEqual([...tables].sort());
  });

  it('names owners and readers that exist', () => {
    for (const [table, o] of Object.entries(TABLE_OWNERS)) {
      for (const place of [o.owner, ...Object.keys(o.readers ?? {})]) {
        expect(fs.existsSync(path.join(root, place)), `${table}: ${place} does not exist`).toBe(true);
      }
    }
  });

  const uses = tableUses(new Set(tables));

  it('finds the statements it checks (the scan is not blind)', () => {
    const seen = new Set(uses.map((u) => u.table));
    for (const t of ['grants', 'jobs', 'requests', 'approvals', 'catalog_roles', 'memberships', 'connections', 'audit_events']) expect(seen).toContain(t);
    expect(uses.some((u) => u.table === 'grants' && u.writes)).toBe(true);
  });

  it('writes each table only in its owner', () => {
    const strays = uses.filter((u) => u.writes && !within(u.file, TABLE_OWNERS[u.table]?.owner ?? '?')).map((u) => `${u.file}:${u.line} writes ${u.table}`);
    expect(strays).toEqual([]);
  });

  it('reads each table only in its owner and its declared readers', () => {
    const strays = uses
      .filter((u) => {
        const o = TABLE_OWNERS[u.table];
        if (!o) return true;
        return !within(u.file, o.owner) && !Object.keys(o.readers ?? {}).some((r) => within(u.file, r));
      })
      .map((u) => `${u.file}:${u.line} reads ${u.table}`);
    expect(strays).toEqual([]);
  });

  it('lists no reader that no longer reads (a stale exception hides nothing)', () => {
    for (const [table, o] of Object.entries(TABLE_OWNERS)) {
      for (const reader of Object.keys(o.readers ?? {})) {
        expect(
          uses.some((u) => u.table === table && within(u.file, reader)),
          `${reader} is listed as a reader of ${table} but does not read it`,
        ).toBe(true);
      }
    }
  });
});
