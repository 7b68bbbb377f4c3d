// `snapshot save`: a consistent copy of a workspace for offline inspection
// (a copied `.latchkey` file opens read-only, with no credentials and no
// network).
//
// - Consistent while the app and a sync write: SQLite's online backup,
//   copying every page in ONE step, i.e. inside one read transaction. In WAL
//   mode that reader sees one committed state and never blocks the writer;
//   the default (100 pages per step) would restart the copy after every
//   write the app commits meanwhile.
// - Opens anywhere, read-only: the copy is switched to a rollback journal.
//   A WAL-mode file opened read-only makes SQLite create -wal and -shm next
//   to it (and fails with SQLITE_READONLY_DIRECTORY on read-only media such as
//   a mounted share or a write-protected stick); a rollback-journal file is
//   only ever read.
// - No credentials: there are none in the file (they live in the OS
//   keychain, named after the workspace id), and the copy gets a fresh
//   workspace id, so even opened read-write on this machine it can never
//   reach, use or delete the original's keychain entries.
// - History intact: audit events, sync runs and recorded changes are copied
//   as they are (nothing is appended to either audit log: saving is a read,
//   and works on a read-only workspace); the copy's hash chain is verified
//   and reported.
// - Never a half-written OUT: the copy is made beside it under a temporary
//   name and renamed over it at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { verifyAuditChain, type ChainCheck } from '../audit/audit-log.js';
import { UserError, type Clock } from '../context.js';
import { openDatabase, schemaVersion, type Db } from '../db/database.js';
import { listConnectionRecords } from '../connections/connections.js';
import { deleteMetaWithPrefix, getMeta, setMeta } from '../db/meta.js';
import { countSyncRuns } from '../sync/sync-runs.js';

export type SavedSnapshot = {
  file: string;
  bytes: number;
  schemaVersion: number;
  connections: number;
  syncRuns: number;
  /** The copy's audit chain; broken only if the workspace's own chain is (a copy of tampered evidence is still saved). */
  auditChain: ChainCheck;
};

const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const sa = fs.statSync(a);
    const sb = fs.statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

function removeQuietly(file: string): void {
  for (const f of [file, ...SIDE_FILES.map((s) => file + s)]) fs.rmSync(f, { force: true });
}

/** Copies the workspace open on `db` to `out`; refuses to replace an existing file unless `force`. */
export async function saveSnapshot(db: Db, out: string, opts: { force?: boolean; clock: Clock }): Promise<SavedSnapshot> {
  if (db.memory) throw new UserError('an in-memory workspace has no file to save', 'bad-input');
  const target = path.resolve(out);
  if (sameFile(target, db.name) || SIDE_FILES.some((s) => sameFile(target, db.name + s))) {
    throw new UserError(`${out} is the workspace itself: give another file name`, 'bad-input');
  }
  const dir = path.dirname(target);
  if (!fs.existsSync(dir)) throw new UserError(`cannot save to ${out}: the folder ${dir} does not exist`, 'not-found');
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new UserError(`${out} is a folder: give a file name`, 'bad-input');
  const present = [target, ...SIDE_FILES.map((s) => target + s)].filter((f) => fs.existsSync(f));
  if (present.length > 0 && !opts.force) {
    throw new UserError(`${present[0]} already exists: choose another name, or pass --force to replace it`, 'conflict');
  }

  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`);
  try {
    // Step 1 (rate 0) only sizes the copy; the callback then asks for every page at once.
    await db.backup(tmp, { progress: () => 0x7fffffff });

    const copy = new Database(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      copy
        .transaction(() => {
          const source = getMeta(copy, 'workspace_id');
          setMeta(copy, 'workspace_id', randomBytes(16).toString('hex'));
          setMeta(copy, 'snapshot_of', JSON.stringify({ workspaceId: source, savedAt: opts.clock.now().toISOString() }));
          // A sync running in the app while we copied: its lock means nothing
          // in the copy (the next read-write open marks that run interrupted).
          deleteMetaWithPrefix(copy, 'sync-lock:');
        })
        .immediate();
    } finally {
      copy.close();
    }

    // Check the copy the way it will be used: opened read-only, chain intact.
    const ro = openDatabase(tmp, { readOnly: true });
    let summary: Omit<SavedSnapshot, 'file' | 'bytes'>;
    try {
      summary = {
        schemaVersion: schemaVersion(ro),
        connections: listConnectionRecords(ro).length,
        syncRuns: countSyncRuns(ro),
        auditChain: verifyAuditChain(ro),
      };
    } finally {
      ro.close();
    }

    if (opts.force) for (const s of SIDE_FILES) fs.rmSync(target + s, { force: true });
    fs.renameSync(tmp, target);
    return { file: target, bytes: fs.statSync(target).size, ...summary };
  } catch (e) {
    removeQuietly(tmp);
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOSPC' || /SQLITE_FULL|disk is full/i.test(String((e as Error).message))) {
      throw new UserError(`cannot save to ${out}: the disk is full; nothing was saved`, 'failed');
    }
    throw new UserError(`cannot save to ${out}: ${(e as Error).message}; nothing was saved`, 'failed');
  }
}
