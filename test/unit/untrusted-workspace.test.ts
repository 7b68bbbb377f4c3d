// Opening a workspace file someone else made: real SQLite files, written by
// the engine and then altered the way anyone with the sqlite3 shell could.
// Each is refused at open with a message naming the difference, before any
// query reads its tables; genuine files at every schema version still open.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { DatabaseOpenError, openDatabase, schemaVersion } from '../../electron/engine/db/database.js';
import { latestSchemaVersion, migrations } from '../../electron/engine/db/migrations/index.js';
import { expectedSchema, readSchema } from '../../electron/engine/db/schema-check.js';
import { alter, emptyViewInPlaceOf, genuineWorkspace, recursiveViewInPlaceOf } from '../fixtures/crafted-workspace.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-untrusted-');
let n = 0;
const fresh = (): string => genuineWorkspace(path.join(dir, `w${++n}.latchkey`));

/** The open's error message, for each mode; asserts both refuse and that the file was not changed. */
function refusal(file: string): { rw: string; ro: string } {
  const before = fs.readFileSync(file);
  const message = (readOnly: boolean): string => {
    try {
      openDatabase(file, { readOnly }).close();
    } catch (e) {
      expect(e).toBeInstanceOf(DatabaseOpenError);
      return (e as Error).message;
    }
    throw new Error(`${file} opened ${readOnly ? 'read-only' : 'read-write'}`);
  };
  const out = { ro: message(true), rw: message(false) };
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  for (const s of ['-wal', '-shm', '-journal']) expect(fs.existsSync(file + s)).toBe(false);
  return out;
}

const anIndex = expectedSchema(migrations, latestSchemaVersion).find((e) => e.type === 'index' && e.sql !== null);

describe('a crafted workspace file is refused at open, naming the difference', () => {
  it('a genuine workspace opens both ways (the baseline the crafted files start from)', () => {
    const f = fresh();
    openDatabase(f, { readOnly: true }).close();
    const db = openDatabase(f);
    expect(verifyAuditChain(db)).toEqual({ valid: true, count: 3 });
    db.close();
  });

  it('a recursive view in place of the connections table', () => {
    const f = fresh();
    alter(f, recursiveViewInPlaceOf('connections'));
    // The crafted file is what the issue says: the view never ends.
    const raw = new Database(f, { readonly: true });
    expect(raw.prepare('SELECT count(*) FROM (SELECT * FROM connections LIMIT 50000)').pluck().get()).toBe(50000);
    raw.close();
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) {
      expect(m).toContain('connections is a view in this file, a table in a Latchkey workspace');
      expect(m).toContain('was refused');
    }
  });

  it('a view named audit_events that returns no rows (the chain would "verify" 0 events)', () => {
    const f = fresh();
    alter(f, emptyViewInPlaceOf('audit_events'));
    const raw = new Database(f, { readonly: true });
    expect(verifyAuditChain(raw)).toEqual({ valid: true, count: 0 });
    raw.close();
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('audit_events is a view in this file, a table in a Latchkey workspace');
  });

  it('audit_events pointed at the storage of an empty table (same SQL, rootpage edited): refused on every open', () => {
    const f = fresh();
    alter(f, (db) => {
      db.unsafeMode(true); // what the sqlite3 shell allows: writable_schema
      const empty = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'settings'").pluck().get() as number;
      db.pragma('writable_schema = ON');
      db.prepare("UPDATE sqlite_schema SET rootpage = ? WHERE name = 'audit_events'").run(empty);
    });
    const raw = new Database(f, { readonly: true });
    expect(verifyAuditChain(raw)).toEqual({ valid: true, count: 0 });
    raw.close();
    const { rw, ro } = refusal(f);
    expect(rw).toMatch(/audit_events and settings share their storage \(page \d+\) in this file/);
    expect(ro).toMatch(/audit_events and settings share their storage \(page \d+\) in this file/);
  });

  it('an added trigger', () => {
    const f = fresh();
    alter(f, "CREATE TRIGGER leak AFTER INSERT ON audit_events BEGIN UPDATE meta SET value = 'x' WHERE key = 'workspace_id'; END;");
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('unexpected trigger leak on audit_events');
  });

  it('a dropped index', () => {
    expect(anIndex).toBeDefined();
    const f = fresh();
    alter(f, `DROP INDEX ${anIndex?.name}`);
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain(`index ${anIndex?.name} on ${anIndex?.tbl_name} missing`);
  });

  it('an index made partial (it would miss every row)', () => {
    const f = fresh();
    expect(anIndex?.sql).not.toContain('WHERE');
    alter(f, `DROP INDEX ${anIndex?.name}; ${anIndex?.sql} WHERE 0;`);
    const { ro } = refusal(f);
    expect(ro).toContain(`index ${anIndex?.name} is defined differently`);
  });

  it('an extra table', () => {
    const f = fresh();
    alter(f, 'CREATE TABLE notes (body TEXT)');
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('unexpected table notes');
  });

  it('an added column', () => {
    const f = fresh();
    alter(f, 'ALTER TABLE connections ADD COLUMN token TEXT');
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('table connections: unexpected column token');
  });

  it("a column whose type and NOT NULL changed (the table rebuilt the usual way)", () => {
    const f = fresh();
    alter(f, `CREATE TABLE meta_new (key TEXT PRIMARY KEY, value BLOB);
      INSERT INTO meta_new SELECT * FROM meta; DROP TABLE meta; ALTER TABLE meta_new RENAME TO meta;`);
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('table meta: column value is BLOB in this file, TEXT NOT NULL in a Latchkey workspace');
  });

  it('a constraint loosened with the columns unchanged (named with where the definitions part)', () => {
    const f = fresh();
    alter(f, (db) => {
      db.pragma('legacy_alter_table = ON'); // rename under the views that name it, as the sqlite3 shell's users do
      const sql = db.prepare("SELECT sql FROM sqlite_schema WHERE name = 'connections'").pluck().get() as string;
      const loose = sql.replace("CHECK (kind IN ('okta', 'entra', 'jira'))", '').replace('CREATE TABLE connections', 'CREATE TABLE c2');
      expect(loose).not.toContain('CHECK (kind');
      db.exec(`${loose}; INSERT INTO c2 SELECT * FROM connections; DROP TABLE connections; ALTER TABLE c2 RENAME TO connections;`);
    });
    const { ro } = refusal(f);
    expect(ro).toMatch(/table connections is defined differently \(this file has …"[^"]*"… where a Latchkey workspace has …"[^"]*CHECK \(kind/);
  });

  it('a cur_* view that shows every generation instead of the live one', () => {
    const f = fresh();
    alter(f, 'DROP VIEW cur_groups; CREATE VIEW cur_groups AS SELECT * FROM groups;');
    const { ro } = refusal(f);
    expect(ro).toContain('view cur_groups is defined differently');
  });

  it('a newer user_version', () => {
    const f = fresh();
    alter(f, `PRAGMA user_version = ${latestSchemaVersion + 5}`);
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain(`written by a newer Latchkey (schema ${latestSchemaVersion + 5}; this build knows up to ${latestSchemaVersion})`);
  });

  it('an older user_version on a newer schema (a version number lowered to slip past the check)', () => {
    const f = fresh();
    alter(f, `PRAGMA user_version = ${latestSchemaVersion - 1}`);
    const { rw } = refusal(f);
    expect(rw).toContain(`not the one Latchkey creates for schema version ${latestSchemaVersion - 1}`);
    // Whatever the latest migration added is named as unexpected: an object, or (a migration that only adds columns) a column.
    const before = expectedSchema(migrations, latestSchemaVersion - 1);
    const latest = expectedSchema(migrations, latestSchemaVersion);
    const added = latest.filter((e) => !before.some((o) => o.name === e.name));
    const altered = latest.filter((e) => before.some((o) => o.name === e.name && o.sql !== e.sql));
    expect(added.length + altered.length).toBeGreaterThan(0);
    if (added[0]) expect(rw).toContain(`unexpected ${added[0].type} ${added[0].name}`);
    else expect(rw).toContain(`table ${altered[0]?.name ?? '?'}: unexpected column`);
  });

  it('another program\'s SQLite database: "not a Latchkey workspace", and no migration is run into it', () => {
    const f = path.join(dir, 'other.db');
    alter(f, 'CREATE TABLE recipes (title TEXT); INSERT INTO recipes VALUES (\'bread\');');
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toMatch(/is not a Latchkey workspace \(an SQLite database with schema version 0 and 1 tables/);
    const other = path.join(dir, 'other7.db');
    alter(other, 'CREATE TABLE recipes (title TEXT); PRAGMA user_version = 3;');
    expect(refusal(other).rw).toMatch(/is not a Latchkey workspace \(an SQLite database with schema version 3/);
  });

  it('an empty file opened read-only is not a workspace (read-write makes it a new one)', () => {
    const f = path.join(dir, 'empty.latchkey');
    fs.writeFileSync(f, '');
    expect(() => openDatabase(f, { readOnly: true })).toThrow('is not a Latchkey workspace (an empty database)');
    expect(fs.statSync(f).size).toBe(0);
  });

  it('a file that is not SQLite', () => {
    const f = path.join(dir, 'notes.latchkey');
    fs.writeFileSync(f, 'quarterly review notes\n'.repeat(50));
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain('is not a Latchkey workspace (not an SQLite database)');
  });

  it('a truncated file (cut at half, and cut inside the header)', () => {
    const f = fresh();
    const full = fs.readFileSync(f);
    fs.writeFileSync(f, full.subarray(0, Math.floor(full.length / 2)));
    const { rw, ro } = refusal(f);
    for (const m of [rw, ro]) expect(m).toContain(`is truncated (${Math.floor(full.length / 2)} bytes; its header says ${full.length})`);
    fs.writeFileSync(f, full.subarray(0, 60));
    expect(refusal(f).ro).toContain('is truncated (60 bytes, shorter than an SQLite header)');
  });

  it('a truncated WAL-mode file (a plain copy of a live workspace, cut short) is named as damaged by SQLite itself', () => {
    const f = fresh();
    alter(f, 'PRAGMA journal_mode = WAL');
    const full = fs.readFileSync(f);
    expect(full[18]).toBe(2); // WAL mode: the header's page count is not the whole story, so only SQLite judges it
    fs.writeFileSync(f, full.subarray(0, Math.floor(full.length / 2)));
    for (const readOnly of [true, false]) {
      expect(() => openDatabase(f, { readOnly })).toThrow(/is damaged \(database disk image is malformed\); it was not changed/);
    }
  });

  it('a damaged page is named by quick_check on a read-only open', () => {
    const f = fresh();
    const db = new Database(f);
    const page = db.pragma('page_size', { simple: true }) as number;
    // The root page of the audit log, overwritten with junk (its schema row intact).
    const root = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'audit_events'").pluck().get() as number;
    db.close();
    const fd = fs.openSync(f, 'r+');
    fs.writeSync(fd, Buffer.alloc(page, 0xa5), 0, page, (root - 1) * page);
    fs.closeSync(fd);
    expect(() => openDatabase(f, { readOnly: true })).toThrow(/is damaged \(Tree \d+ page \d+: .+\); it was not changed/);
  });

  it('the statistics tables ANALYZE adds are allowed (they only steer the query planner)', () => {
    const f = fresh();
    alter(f, 'ANALYZE');
    const names = readSchema(new Database(f, { readonly: true })).map((e) => e.name);
    expect(names).toContain('sqlite_stat1');
    openDatabase(f, { readOnly: true }).close();
  });
});

describe('every open is hardened', () => {
  it('trusted_schema off, cell_size_check on, no mmap, and the defensive flag keeps sqlite_schema read-only', () => {
    const f = fresh();
    for (const readOnly of [false, true]) {
      const db = openDatabase(f, { readOnly });
      expect(db.pragma('trusted_schema', { simple: true })).toBe(0);
      expect(db.pragma('cell_size_check', { simple: true })).toBe(1);
      expect(db.pragma('mmap_size', { simple: true }) ?? 0).toBe(0);
      db.close();
    }
    const db = openDatabase(f);
    db.pragma('writable_schema = ON');
    expect(() => db.prepare("UPDATE sqlite_schema SET sql = 'x' WHERE name = 'meta'").run()).toThrow(/may not be modified/);
    db.close();
  });

  it("the workspace's own triggers still keep the search index under trusted_schema off", () => {
    const db = openDatabase(fresh());
    expect(db.pragma('trusted_schema', { simple: true })).toBe(0);
    db.prepare("UPDATE identities SET display_name = 'Ada King' WHERE id = 'u1'").run();
    const find = db.prepare('SELECT a.id FROM directory_search s JOIN directory_accounts a ON a.row = s.rowid WHERE directory_search MATCH ?').pluck();
    expect(find.all('"king"')).toEqual(['u1']);
    db.close();
  });
});

describe('genuine files at every older schema version still open', () => {
  it.each(migrations.slice(0, -1).map((m) => m.version))('a workspace made by migrations 1..%i matches that version, upgrades read-write, and then matches the latest', (k) => {
    const f = path.join(dir, `v${k}.latchkey`);
    const old = openDatabase(f, { migrations: migrations.slice(0, k) });
    expect(schemaVersion(old)).toBe(k);
    // The file's schema is exactly what the in-memory migrations produce, ALTER TABLE rewrites and FTS5 shadow tables included.
    expect(readSchema(old)).toEqual(expectedSchema(migrations, k));
    old.close();
    // Read-only inspection needs the latest schema: said as such, not as a crafted file.
    expect(() => openDatabase(f, { readOnly: true })).toThrow(`uses schema ${k}; read-only inspection needs ${latestSchemaVersion}`);
    const db = openDatabase(f);
    expect(schemaVersion(db)).toBe(latestSchemaVersion);
    expect(readSchema(db)).toEqual(expectedSchema(migrations, latestSchemaVersion));
    db.close();
    openDatabase(f, { readOnly: true }).close();
  });

  it('the check follows the migrations it is given (a later migration needs no change here)', () => {
    const f = path.join(dir, 'extra.latchkey');
    const list = [...migrations, { version: latestSchemaVersion + 1, name: 'test-extra', sql: 'CREATE TABLE extra (x INTEGER); CREATE INDEX extra_x ON extra (x);' }];
    openDatabase(f, { migrations: list }).close();
    openDatabase(f, { migrations: list, readOnly: true }).close();
    alter(f, 'DROP INDEX extra_x');
    expect(() => openDatabase(f, { migrations: list, readOnly: true })).toThrow('index extra_x on extra missing');
  });
});
