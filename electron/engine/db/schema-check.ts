// Is this file's schema exactly the one this build creates? A `.latchkey`
// file is copied and mailed around, and SQLite trusts the schema it finds:
// a view put where a table belongs (a recursive one never finishes, and the
// process cannot even be stopped while SQLite runs), an `audit_events` view
// that returns no rows (the chain "verifies"), an added trigger that fires
// on our own writes. So before any query touches a workspace's tables, its
// `sqlite_schema` (every table, index, view and trigger: type, name, table,
// SQL text) is compared with what running migrations 1..v into an empty
// in-memory database produces, v being the file's `user_version`. Any
// difference refuses the file and is named.
//
// Generic over the migrations (no list of tables here): the expected schema
// is whatever the migrations create, FTS5 shadow tables, autoindexes and
// ALTER TABLE-rewritten SQL included, because they are created the same way.
// Reading `sqlite_schema` parses the schema but runs none of it, so even a
// crafted file is safe to compare. Cost (bench/RESULTS.md, workspace-open):
// 10-25 ms once per version per process (the in-memory migrations), then
// under a millisecond per open, whatever the file's size.
import Database from 'better-sqlite3';
import type { Migration } from './migrations/index.js';

export type SchemaEntry = { type: string; name: string; tbl_name: string; sql: string | null };

const READ_SCHEMA = 'SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY name';

/** The schema as SQLite stores it (rootpage left out: it legitimately differs between files). */
export function readSchema(db: Database.Database): SchemaEntry[] {
  return db.prepare(READ_SCHEMA).all() as SchemaEntry[];
}

const expectedCache = new WeakMap<readonly Migration[], Map<number, SchemaEntry[]>>();

/** What migrations 1..version of `list` create, built once per list and version. */
export function expectedSchema(list: readonly Migration[], version: number): SchemaEntry[] {
  let byVersion = expectedCache.get(list);
  if (!byVersion) expectedCache.set(list, (byVersion = new Map<number, SchemaEntry[]>()));
  const cached = byVersion.get(version);
  if (cached) return cached;
  const mem = buildReference(list, version);
  try {
    const schema = readSchema(mem);
    byVersion.set(version, schema);
    return schema;
  } finally {
    mem.close();
  }
}

function buildReference(list: readonly Migration[], version: number): Database.Database {
  const mem = new Database(':memory:');
  try {
    for (const m of list) if (m.version <= version) mem.exec(m.sql);
    return mem;
  } catch (e) {
    mem.close();
    throw e;
  }
}

let statistics: SchemaEntry[] | undefined;

/**
 * The planner statistics tables `ANALYZE` adds (sqlite_stat1, and
 * sqlite_stat4 in this build), exactly as SQLite defines them: allowed, not
 * required. Someone may run ANALYZE on their workspace (the directory bench
 * does); what the tables hold can only change a query plan, and SQLite
 * checks their content when it reads them.
 */
function statisticsTables(): SchemaEntry[] {
  if (statistics) return statistics;
  const mem = new Database(':memory:');
  try {
    mem.exec('CREATE TABLE t (a); CREATE INDEX t_a ON t (a); INSERT INTO t VALUES (1); ANALYZE;');
    return (statistics = readSchema(mem).filter((e) => e.name.startsWith('sqlite_stat')));
  } finally {
    mem.close();
  }
}

type Column = { name: string; type: string; notnull: number; dflt_value: string | null; pk: number; hidden: number };

/** Columns of an ordinary table (never a view or a virtual table: reading those would run or connect them). */
function columns(db: Database.Database, table: string): Column[] {
  return db.prepare('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?)').all(table) as Column[];
}

const isPlainTable = (e: SchemaEntry): boolean => e.type === 'table' && /^CREATE TABLE\b/i.test(e.sql ?? '');

function describeColumn(c: Column): string {
  return [c.type || '(no type)', c.notnull ? 'NOT NULL' : '', c.dflt_value !== null ? `DEFAULT ${c.dflt_value}` : '', c.pk ? 'PRIMARY KEY' : '']
    .filter(Boolean)
    .join(' ');
}

/** Where two definitions first part, a few words either side (after the name, which a rename may have quoted). */
function firstDifference(fileSql: string, ourSql: string): string {
  const body = (sql: string) => sql.slice(Math.max(0, sql.indexOf('(')));
  const [a, b] = [body(fileSql), body(ourSql)];
  if (a === b) return `its name is written differently: ${JSON.stringify(fileSql.slice(0, fileSql.indexOf('(')).trim())}`;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const clip = (s: string) => JSON.stringify(s.slice(Math.max(0, i - 20), i + 30).replace(/\s+/g, ' '));
  return `this file has …${clip(a)}… where a Latchkey workspace has …${clip(b)}…`;
}

function tableDifferences(db: Database.Database, ref: Database.Database, name: string, actual: SchemaEntry, expected: SchemaEntry): string[] {
  const mine = columns(db, name);
  const theirs = columns(ref, name);
  const out: string[] = [];
  for (const c of theirs) {
    const m = mine.find((x) => x.name === c.name);
    if (!m) out.push(`table ${name}: column ${c.name} missing`);
    else if (describeColumn(m) !== describeColumn(c) || m.hidden !== c.hidden) {
      out.push(`table ${name}: column ${c.name} is ${describeColumn(m)} in this file, ${describeColumn(c)} in a Latchkey workspace`);
    }
  }
  for (const m of mine) if (!theirs.some((c) => c.name === m.name)) out.push(`table ${name}: unexpected column ${m.name}`);
  if (out.length === 0) out.push(`table ${name} is defined differently (${firstDifference(actual.sql ?? '', expected.sql ?? '')})`);
  return out;
}

/**
 * Two tables or indexes pointed at the same b-tree (sqlite_schema's rootpage
 * edited with writable_schema): the SQL still matches, but one of them reads
 * the other's rows — `audit_events` pointed at an empty table reads as an
 * empty, "verified" log. Cheap to see here on every open; quick_check (run
 * on read-only opens) also finds a root moved to a page nothing else uses.
 */
function sharedStorage(db: Database.Database): string[] {
  const rows = db.prepare("SELECT name, rootpage FROM sqlite_schema WHERE type IN ('table', 'index') AND rootpage > 0 ORDER BY rootpage, name").all() as { name: string; rootpage: number }[];
  const out: string[] = [];
  for (let i = 1; i < rows.length; i++) {
    const [a, b] = [rows[i - 1], rows[i]];
    if (a && b && a.rootpage === b.rootpage) out.push(`${a.name} and ${b.name} share their storage (page ${b.rootpage}) in this file`);
  }
  return out;
}

const on = (e: SchemaEntry): string => (e.type === 'index' || e.type === 'trigger' ? ` on ${e.tbl_name}` : '');

/**
 * Every way `db`'s schema differs from what `list`'s migrations 1..version
 * create, in words; empty when it is exactly that schema.
 */
export function schemaDifferences(db: Database.Database, list: readonly Migration[], version: number): string[] {
  const expected = expectedSchema(list, version);
  const actual = readSchema(db);
  const want = new Map(expected.map((e) => [e.name, e]));
  const have = new Map(actual.map((e) => [e.name, e]));
  const out: string[] = [];
  let ref: Database.Database | null = null; // the in-memory reference, only built when a table's SQL differs
  try {
    for (const a of actual) {
      const e = want.get(a.name);
      if (!e) {
        if (statisticsTables().some((st) => st.name === a.name && st.type === a.type && st.sql === a.sql && st.tbl_name === a.tbl_name)) continue;
        out.push(`unexpected ${a.type} ${a.name}${on(a)}`);
      } else if (a.type !== e.type) {
        out.push(`${a.name} is a ${a.type} in this file, a ${e.type} in a Latchkey workspace`);
      } else if (a.tbl_name !== e.tbl_name) {
        out.push(`${a.type} ${a.name} is on ${a.tbl_name} in this file, on ${e.tbl_name} in a Latchkey workspace`);
      } else if (a.sql !== e.sql) {
        if (isPlainTable(a) && isPlainTable(e)) {
          ref ??= buildReference(list, version);
          out.push(...tableDifferences(db, ref, a.name, a, e));
        } else {
          out.push(`${a.type} ${a.name} is defined differently (${firstDifference(a.sql ?? '', e.sql ?? '')})`);
        }
      }
    }
    for (const e of expected) if (!have.has(e.name)) out.push(`${e.type} ${e.name}${on(e)} missing`);
    out.push(...sharedStorage(db));
  } finally {
    ref?.close();
  }
  return out;
}

export type SchemaMismatch =
  /** Shares none of a workspace's tables: some other program's database. */
  | { kind: 'foreign'; objects: number }
  /** A workspace's schema with differences: altered, or made by something else. */
  | { kind: 'altered'; differences: string[] };

/** Null when the schema is exactly what the migrations 1..version create. */
export function schemaMismatch(db: Database.Database, list: readonly Migration[], version: number): SchemaMismatch | null {
  const differences = schemaDifferences(db, list, version);
  if (differences.length === 0) return null;
  const actual = readSchema(db);
  const tables = new Set(actual.filter((a) => a.type === 'table').map((a) => a.name));
  const ours = expectedSchema(list, version).filter((e) => e.type === 'table' && !e.name.startsWith('sqlite_'));
  if (!ours.some((e) => tables.has(e.name))) return { kind: 'foreign', objects: actual.filter((a) => !a.name.startsWith('sqlite_')).length };
  return { kind: 'altered', differences };
}

/** The first few differences in one line. */
export function describeDifferences(differences: readonly string[], shown = 6): string {
  const more = differences.length - shown;
  return differences.slice(0, shown).join('; ') + (more > 0 ? `; and ${more} more difference${more === 1 ? '' : 's'}` : '');
}
