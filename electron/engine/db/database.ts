// Opens a workspace file. Two modes:
// - read-write: WAL, foreign keys, migrations applied in a transaction each;
// - read-only: for a copied snapshot inspected offline. SQLite's own read-only
//   flag plus `query_only` so nothing (not even a stray PRAGMA) can write.
// Either way the file may be one someone else made (copied, mailed, passed
// with --db): before any query on its tables its schema must be exactly the
// one the migrations create for its version (schema-check.ts), and SQLite
// runs hardened (see `harden`). A read-only open also runs `quick_check`.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { latestSchemaVersion, migrations, type Migration } from './migrations/index.js';
import { describeDifferences, schemaMismatch } from './schema-check.js';

export type Db = Database.Database;

export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}

export type OpenOptions = {
  readOnly?: boolean;
  migrations?: readonly Migration[];
  /** Read-only opens run `PRAGMA quick_check` (it reads the whole file) unless this is false: for the bench's comparison. */
  quickCheck?: boolean;
};

const SQLITE_MAGIC = 'SQLite format 3\u0000';
const HEADER_BYTES = 100;

/**
 * Fails early, with a message a person can act on, when `file` is not a
 * SQLite database or is cut short (a partial download or copy): SQLite
 * itself would only say "database disk image is malformed" on some later query.
 */
function assertSqliteFile(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const header = Buffer.alloc(HEADER_BYTES);
    const n = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    if (n === 0) return; // an empty file becomes a new workspace
    if (n < 16 || header.toString('latin1', 0, 16) !== SQLITE_MAGIC) {
      throw new DatabaseOpenError(`${file} is not a Latchkey workspace (not an SQLite database); nothing was changed`);
    }
    const size = fs.fstatSync(fd).size;
    if (n < HEADER_BYTES) throw new DatabaseOpenError(`${file} is truncated (${size} bytes, shorter than an SQLite header); nothing was changed — copy it again`);
    // The page count in the header is valid when its "version-valid-for" matches the change counter (SQLite >= 3.7.0).
    // Only for a rollback-journal file (a `snapshot save` copy) with no journal beside it: in WAL mode the size
    // also lives in the -wal file (a checkpoint in progress writes page 1 before the pages after it), and a
    // journal means an interrupted write SQLite will roll back on open.
    const rollbackMode = header[18] === 1 && header[19] === 1 && !fs.existsSync(`${file}-journal`);
    const pageSize = header.readUInt16BE(16) === 1 ? 65536 : header.readUInt16BE(16);
    const pages = header.readUInt32BE(28);
    if (rollbackMode && pages > 0 && header.readUInt32BE(24) === header.readUInt32BE(92) && size < pages * pageSize) {
      throw new DatabaseOpenError(
        `${file} is truncated (${size} bytes; its header says ${pages * pageSize}); nothing was changed — copy it again`,
      );
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * SQLite settings for a file that may be hostile. better-sqlite3 (12) already
 * turns on SQLITE_DBCONFIG_DEFENSIVE (no writable_schema, no direct writes to
 * shadow tables) and leaves loading extensions from SQL off. On top:
 * - trusted_schema OFF: views and triggers may only call functions and
 *   virtual tables marked innocuous (our own schema needs nothing else: the
 *   FTS5 index kept by triggers still works);
 * - cell_size_check ON: a malformed b-tree cell is an error, not a wild read;
 * - mmap_size 0: pages are read, never mapped (a file shrunk under us cannot
 *   crash the process with SIGBUS).
 */
function harden(db: Db): void {
  db.pragma('trusted_schema = OFF');
  db.pragma('cell_size_check = ON');
  db.pragma('mmap_size = 0');
}

/** Refuses a file whose schema is not exactly the one `list` creates for its version (schema-check.ts). */
function assertKnownSchema(db: Db, file: string, list: readonly Migration[], version: number): void {
  const mismatch = schemaMismatch(db, list, version);
  if (!mismatch) return;
  if (mismatch.kind === 'foreign') {
    throw new DatabaseOpenError(
      `${file} is not a Latchkey workspace (an SQLite database with schema version ${version} and ${mismatch.objects} tables, views, indexes or triggers of its own); nothing was changed`,
    );
  }
  throw new DatabaseOpenError(
    `${file} was refused: its schema is not the one Latchkey creates for schema version ${version} — ${describeDifferences(mismatch.differences)}. ` +
      'It was altered or made by another program; nothing was read from it or changed',
  );
}

export function openDatabase(file: string, options: OpenOptions = {}): Db {
  const readOnly = options.readOnly ?? false;
  const list = options.migrations ?? migrations;
  const latest = list[list.length - 1]?.version ?? latestSchemaVersion;
  const exists = file !== ':memory:' && fs.existsSync(file);
  if (readOnly && !exists) throw new DatabaseOpenError(`${file} does not exist`);
  if (exists) assertSqliteFile(file);

  let db: Db;
  try {
    db = new Database(file, { readonly: readOnly, fileMustExist: readOnly });
  } catch (e) {
    throw new DatabaseOpenError(`cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    harden(db);
    // Version and schema read in one read transaction: another process
    // migrating the same workspace between the two must not look like a crafted file.
    const version = db.transaction(() => {
      const v = readVersion(db, file);
      if (v > latest) {
        throw new DatabaseOpenError(
          `${file} was written by a newer Latchkey (schema ${v}; this build knows up to ${latest}). ` +
            'Update Latchkey to open it; the file was not changed.',
        );
      }
      assertKnownSchema(db, file, list, v);
      return v;
    })();
    if (readOnly) {
      db.pragma('query_only = ON');
      if (version === 0) throw new DatabaseOpenError(`${file} is not a Latchkey workspace (an empty database); nothing was changed`);
      if (version < latest) {
        throw new DatabaseOpenError(
          `${file} uses schema ${version}; read-only inspection needs ${latest}. Open it once read-write to upgrade a copy.`,
        );
      }
      if (options.quickCheck !== false) assertIntact(db, file);
      return db;
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, list);
    return db;
  } catch (e) {
    db.close();
    throw asOpenError(e, file);
  }
}

/** SQLite found the file damaged (SQLITE_CORRUPT and its extended codes, SQLITE_NOTADB). */
export function isDamagedFileError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** SQLite's own corruption codes become one message that names the file and what to do. */
function asOpenError(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (isDamagedFileError(e)) {
    return new DatabaseOpenError(`${file} is damaged (${(e as Error).message}); it was not changed — restore it from a copy`);
  }
  // A plain copy of a live workspace is in WAL mode: even reading it needs
  // side files next to it, which a read-only folder or medium refuses.
  if (code === 'SQLITE_READONLY_DIRECTORY') {
    return new DatabaseOpenError(
      `${file} cannot be opened here: SQLite needs to create ${path.basename(file)}-wal/-shm beside it and the folder is read-only. ` +
        'Copy it to a writable folder, or make copies with `latchkey --db FILE snapshot save OUT`, which open read-only anywhere',
    );
  }
  return e;
}

/**
 * A copy from elsewhere is read-only: `quick_check` walks every page once
 * (b-tree structure, cell sizes, NOT NULL and CHECK; not index contents), so
 * damage is named at open instead of surfacing as a failed query later.
 */
function assertIntact(db: Db, file: string): void {
  const problems = db.pragma('quick_check(3)', { simple: false }) as { quick_check: string }[];
  const found = problems.map((p) => p.quick_check.replace(/\*\*\* in database main \*\*\*\s*/, '').replace(/\s+/g, ' ')).filter((p) => p !== 'ok');
  if (found.length > 0) throw new DatabaseOpenError(`${file} is damaged (${found.join('; ')}); it was not changed — restore it from a copy`);
}

function readVersion(db: Db, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (e) {
    const known = asOpenError(e, file);
    if (known instanceof DatabaseOpenError) throw known;
    throw new DatabaseOpenError(`${file} is not a Latchkey workspace: ${(e as Error).message}`);
  }
}

/** Applies every migration above the file's version, each in its own transaction. */
export function migrate(db: Db, list: readonly Migration[] = migrations): number {
  let version = db.pragma('user_version', { simple: true }) as number;
  for (const m of list) {
    if (m.version <= version) continue;
    if (m.version !== version + 1) throw new DatabaseOpenError(`migration ${m.version} (${m.name}) skips a version`);
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
    version = m.version;
  }
  return version;
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export function isReadOnly(db: Db): boolean {
  return db.readonly || (db.pragma('query_only', { simple: true }) as number) === 1;
}
