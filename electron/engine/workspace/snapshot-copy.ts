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
// - The chain's witnesses travel with it: the workspace's public key(s) and
//   signed checkpoints are in the copied tables; the copy also records the
//   head it was copied at (an 'origin' anchor, and in meta.snapshot_of with
//   the newest checkpoint), and the workspace records that head as a
//   'snapshot' anchor of its own (unless it is open read-only). Opening the
//   copy read-only verifies it against all of them (snapshotAuditStatus).
// - Never a half-written OUT: the copy is made beside it under a temporary
//   name and renamed over it at the end.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { auditHead, GENESIS_HASH, verifyAuditChain, type ChainCheck } from '../audit/audit-log.js';
import { insertAnchor, latestCheckpoint, listAnchors } from '../audit/checkpoint-store.js';
import { verifyAudit } from '../audit/verify.js';
import type { AuditStatus } from '../../../shared/domain.js';
import { UserError, type Clock } from '../context.js';
import { isReadOnly, openDatabase, schemaVersion, type Db } from '../db/database.js';
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
  /**
   * The head the copy carries (its origin anchor) and the newest signed
   * checkpoint in it; whether the workspace recorded that head as an anchor
   * of its own (not when read-only, nor when a writer held the file).
   */
  audit: Carried & { anchoredInWorkspace: boolean };
};

type Carried = { count: number; head: string; checkpoint: { id: number; count: number; headHash: string; keyId: string; at: string } | null };

/**
 * The workspace notes the head it handed out, so its own `audit verify`
 * checks it still holds it. Saving is a read and must not wait for a writer
 * (a sync's commit): a busy file skips the note instead of failing the save.
 */
function anchorInWorkspace(db: Db, carried: Carried, target: string, now: Date): boolean {
  if (isReadOnly(db)) return false;
  const timeout = db.pragma('busy_timeout', { simple: true }) as number;
  db.pragma('busy_timeout = 100');
  try {
    insertAnchor(db, { kind: 'snapshot', count: carried.count, headHash: carried.head, at: now.toISOString(), connectionId: null, issueKey: null, commentId: null, target });
    return true;
  } catch {
    // The copy is saved (and carries its origin anchor) either way.
    return false;
  } finally {
    db.pragma(`busy_timeout = ${timeout}`);
  }
}

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
  let carried: Carried = { count: 0, head: GENESIS_HASH, checkpoint: null };
  try {
    // Step 1 (rate 0) only sizes the copy; the callback then asks for every page at once.
    await db.backup(tmp, { progress: () => 0x7fffffff });

    const copy = new Database(tmp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
      copy
        .transaction(() => {
          const source = getMeta(copy, 'workspace_id');
          const savedAt = opts.clock.now().toISOString();
          const head = auditHead(copy);
          const cp = latestCheckpoint(copy);
          carried = { count: head.count, head: head.hash, checkpoint: cp ? { id: cp.id, count: cp.count, headHash: cp.headHash, keyId: cp.keyId, at: cp.at } : null };
          setMeta(copy, 'workspace_id', randomBytes(16).toString('hex'));
          setMeta(copy, 'snapshot_of', JSON.stringify({ workspaceId: source, savedAt, audit: carried }));
          insertAnchor(copy, { kind: 'origin', count: head.count, headHash: head.hash, at: savedAt, connectionId: null, issueKey: null, commentId: null, target: source });
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
    let summary: Omit<SavedSnapshot, 'file' | 'bytes' | 'audit'>;
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
    const anchored = anchorInWorkspace(db, carried, target, opts.clock.now());
    return { file: target, bytes: fs.statSync(target).size, ...summary, audit: { ...carried, anchoredInWorkspace: anchored } };
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

/** Opening a workspace read-only (app:info, `serve --read-only`): its audit chain verified against its checkpoints and the anchors known to it. */
export function snapshotAuditStatus(db: Db): AuditStatus {
  const report = verifyAudit(db);
  let copyOf: AuditStatus['copyOf'] = null;
  const raw = getMeta(db, 'snapshot_of');
  if (raw !== null) {
    let origin: { workspaceId?: unknown; savedAt?: unknown; audit?: { count?: unknown; head?: unknown } } = {};
    try {
      origin = JSON.parse(raw) as typeof origin;
    } catch {
      // An unreadable note: the origin anchor row still speaks for the copy.
    }
    const note = origin.audit;
    const noted = note && typeof note.count === 'number' && typeof note.head === 'string' ? { count: note.count, hash: note.head, source: 'the snapshot note' } : null;
    const check = noted ? verifyAudit(db, { anchors: [noted] }) : report;
    const originFaults = check.findings.filter((f) => f.anchor !== undefined && (f.anchor.includes('(origin') || f.anchor === 'the anchor from the snapshot note'));
    copyOf = {
      workspaceId: typeof origin.workspaceId === 'string' ? origin.workspaceId : null,
      savedAt: typeof origin.savedAt === 'string' ? origin.savedAt : null,
      matchesOrigin: originFaults.length === 0 && listAnchors(db).some((a) => a.kind === 'origin'),
    };
  }
  return {
    verified: report.ok && (copyOf?.matchesOrigin ?? true),
    events: report.events,
    head: report.head.hash,
    checkpoints: { total: report.checkpoints.total, valid: report.checkpoints.valid },
    anchors: report.anchors,
    copyOf,
    problems: report.findings.slice(0, 20).map((f) => f.message),
  };
}
