// Opening a sync run, full or incremental: the run record, the connection's
// sync lock (one run per connection across processes, a crashed one's lock
// taken over) and the shapes every run carries to its end (snapshot-writer.ts
// for a full run, incremental-run.ts for an incremental one).
import os from 'node:os';
import { appendAudit } from '../audit/audit-log.js';
import { connectionRecordOrNull } from '../connections/connections.js';
import { UserError, type Clock } from '../context.js';
import type { Db } from '../db/database.js';
import { getMeta, setMeta } from '../db/meta.js';

export type RunTotals = { requests: number; throttledWaits: number; rateLimited: number };

/** What a finished run stores besides its counts. */
export type RunExtra = {
  /** Where the next incremental run resumes (System Log position, delta links), as JSON; null: none. */
  cursor?: string | null;
  /** Why this mode was chosen or what the run noticed. */
  note?: string | null;
};

export type StartedRun = { runId: number; connectionId: number; gen: number; startedAt: string; mode: 'full' | 'incremental' };

export type Actor = { actor: string; clock: Clock };

/** The meta key holding a connection's sync lock (who is syncing it). */
export const lockKey = (connectionId: number): string => `sync-lock:${connectionId}`;
type LockValue = { pid: number; host: string; runId: number };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Opens a sync run: records it ('running', audit 'sync.started') and takes the
 * connection's sync lock, in one transaction. A 'running' row left by a
 * process that no longer exists (a crash, a killed CLI) is marked failed on
 * the way; one held by a live process is a conflict.
 */
export function beginSyncRun(
  db: Db,
  connectionId: number,
  { actor, clock, mode = 'full' }: Actor & { mode?: 'full' | 'incremental' },
): StartedRun {
  return db
    .transaction((): StartedRun => {
      const c = connectionRecordOrNull(db, connectionId);
      if (!c) throw new UserError(`unknown connection #${connectionId}`, 'not-found');
      const conn = { name: c.name, live_gen: c.liveGen };
      const lockValue = getMeta(db, lockKey(connectionId));
      const lock = lockValue !== null ? (JSON.parse(lockValue) as LockValue) : null;
      const running = db
        .prepare("SELECT id FROM sync_runs WHERE connection_id = ? AND status = 'running' ORDER BY id")
        .all(connectionId) as { id: number }[];
      if (lock && running.some((r) => r.id === lock.runId) && lock.host === os.hostname() && lock.pid !== process.pid && processAlive(lock.pid)) {
        throw new UserError(`a sync of "${conn.name}" is already running in another Latchkey process (pid ${lock.pid})`, 'conflict');
      }
      const now = clock.now();
      for (const r of running) {
        const reason = 'interrupted: Latchkey stopped before this run finished';
        db.prepare("UPDATE sync_runs SET status = 'failed', finished_at = ?, error = ? WHERE id = ?").run(now.toISOString(), reason, r.id);
        appendAudit(db, { actor, action: 'sync.failed', targetType: 'connection', targetId: connectionId, details: { runId: r.id, reason } }, now);
      }
      // A full run writes the next generation beside the live one; an
      // incremental run patches the live one in place (snapshot-patch.ts).
      const gen = mode === 'incremental' ? conn.live_gen : conn.live_gen + 1;
      const startedAt = now.toISOString();
      const info = db
        .prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at) VALUES (?, ?, 'running', ?, ?)")
        .run(connectionId, mode, gen, startedAt);
      const runId = Number(info.lastInsertRowid);
      setMeta(db, lockKey(connectionId), JSON.stringify({ pid: process.pid, host: os.hostname(), runId } satisfies LockValue));
      appendAudit(db, { actor, action: 'sync.started', targetType: 'connection', targetId: connectionId, details: { runId, mode, gen } }, now);
      return { runId, connectionId, gen, startedAt, mode };
    })
    .immediate();
}
