// Opens a workspace file. Two modes:
// - read-write: WAL, foreign keys, migrations applied in a transaction each;
// - read-only: for a copied snapshot inspected offline. SQLite's own read-only
//   flag plus `query_only` so nothing (not even a stray PRAGMA) can write.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { latestSchemaVersion, migrations, type Migration } from './migrations/index.js';

export type Db = Database.Database;

export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
}

export type OpenOptions = { readOnly?: boolean; migrations?: readonly Migration[] };

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** Fails early, with a message a person can act on, when `file` is not a SQLite database. */
function assertSqliteFile(file: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const header = Buffer.alloc(16);
    const n = fs.readSync(fd, header, 0, 16, 0);
    if (n === 0) return; // an empty file becomes a new workspace
    if (n < 16 || header.toString('latin1') !== SQLITE_MAGIC) {
      throw new DatabaseOpenError(`${file} is not a Latchkey workspace (not an SQLite database); nothing was changed`);
    }
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
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
    const version = readVersion(db, file);
    if (version > latest) {
      throw new DatabaseOpenError(
        `${file} was written by a newer Latchkey (schema ${version}; this build knows up to ${latest}). ` +
          'Update Latchkey to open it; the file was not changed.',
      );
    }
    if (readOnly) {
      db.pragma('query_only = ON');
      if (version < latest) {
        throw new DatabaseOpenError(
          `${file} uses schema ${version}; read-only inspection needs ${latest}. Open it once read-write to upgrade a copy.`,
        );
      }
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

/** SQLite's own corruption codes become one message that names the file and what to do. */
function asOpenError(e: unknown, file: string): unknown {
  const code = (e as { code?: unknown }).code;
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
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
