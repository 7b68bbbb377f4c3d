// Reading sync run history (the sync_runs table) as the contract's SyncRunSummary.
import type { ChangeCounts, ChangeKind, ConnectionSummary, SyncRunSummary } from '../../../shared/domain.js';
import { listConnectionRecords, toSummary } from '../connections/connections.js';
import type { Db } from '../db/database.js';

type RunRow = {
  id: number;
  connection_id: number;
  connection_name: string;
  mode: 'full' | 'incremental';
  status: 'running' | 'succeeded' | 'failed';
  started_at: string;
  finished_at: string | null;
  users: number;
  groups: number;
  memberships: number;
  apps: number;
  app_assignments: number;
  requests: number;
  throttled_waits: number;
  rate_limited: number;
  error: string | null;
  changes: number;
  baseline: number;
  note: string | null;
};

const SELECT = `SELECT r.id, r.connection_id, c.name AS connection_name, r.mode, r.status, r.started_at, r.finished_at,
  r.users, r.groups, r.memberships, r.apps, r.app_assignments, r.requests, r.throttled_waits, r.rate_limited, r.error,
  r.changes, r.baseline, r.note
  FROM sync_runs r JOIN connections c ON c.id = r.connection_id`;

function runSummary(r: RunRow, changeCounts: ChangeCounts): SyncRunSummary {
  const finished = r.finished_at ? Date.parse(r.finished_at) : NaN;
  return {
    id: r.id,
    connectionId: r.connection_id,
    connectionName: r.connection_name,
    mode: r.mode,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    durationMs: Number.isFinite(finished) ? Math.max(0, finished - Date.parse(r.started_at)) : null,
    users: r.users,
    groups: r.groups,
    memberships: r.memberships,
    apps: r.apps,
    appAssignments: r.app_assignments,
    requests: r.requests,
    throttledWaits: r.throttled_waits,
    rateLimited: r.rate_limited,
    error: r.error,
    changes: r.changes,
    changeCounts,
    baseline: r.baseline === 1,
    note: r.note,
  };
}

/** Per-kind change counts of these runs (one grouped query over the run index). */
function countsFor(db: Db, rows: readonly RunRow[]): Map<number, ChangeCounts> {
  const out = new Map<number, ChangeCounts>();
  const ids = rows.filter((r) => r.changes > 0).map((r) => r.id);
  if (ids.length === 0) return out;
  const stmt = db.prepare(`SELECT run_id, kind, count(*) AS n FROM sync_changes WHERE run_id IN (${ids.map(() => '?').join(',')}) GROUP BY run_id, kind`);
  for (const r of stmt.all(...ids) as { run_id: number; kind: ChangeKind; n: number }[]) {
    const c = out.get(r.run_id) ?? {};
    c[r.kind] = r.n;
    out.set(r.run_id, c);
  }
  return out;
}

function summaries(db: Db, rows: RunRow[]): SyncRunSummary[] {
  const counts = countsFor(db, rows);
  return rows.map((r) => runSummary(r, counts.get(r.id) ?? {}));
}

/** Newest first, optionally for one connection. */
export function listSyncRuns(db: Db, opts: { connectionId?: number | undefined; limit: number }): SyncRunSummary[] {
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit)));
  const rows =
    opts.connectionId !== undefined
      ? (db.prepare(`${SELECT} WHERE r.connection_id = ? ORDER BY r.id DESC LIMIT ?`).all(opts.connectionId, limit) as RunRow[])
      : (db.prepare(`${SELECT} ORDER BY r.id DESC LIMIT ?`).all(limit) as RunRow[]);
  return summaries(db, rows);
}

export function getSyncRun(db: Db, id: number): SyncRunSummary | null {
  const row = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
  return row ? (summaries(db, [row])[0] ?? null) : null;
}

/** The newest run of a connection, what lists of connections show as "last sync". */
export function lastSyncRun(db: Db, connectionId: number): SyncRunSummary | null {
  return listSyncRuns(db, { connectionId, limit: 1 })[0] ?? null;
}

/**
 * Where incremental sync resumes: the cursor of the newest succeeded run of
 * the connection (with that run), or null when none left one (never synced,
 * or the last success predates incremental sync).
 */
export function lastCursor(db: Db, connectionId: number): { runId: number; mode: 'full' | 'incremental'; finishedAt: string; cursor: string } | null {
  const row = db
    .prepare(
      `SELECT id, mode, finished_at, cursor FROM sync_runs
       WHERE connection_id = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
    )
    .get(connectionId) as { id: number; mode: 'full' | 'incremental'; finished_at: string; cursor: string | null } | undefined;
  if (!row || row.cursor === null) return null;
  return { runId: row.id, mode: row.mode, finishedAt: row.finished_at, cursor: row.cursor };
}

/** Every connection as the UI and the CLI list it, with its newest run as "last sync". */
export function connectionSummaries(db: Db): ConnectionSummary[] {
  return listConnectionRecords(db).map((c) => toSummary(c, lastSyncRun(db, c.id)));
}

/** The newest succeeded run (id and start) of a connection, or of any when none is named: what the live snapshot can vouch for. */
export function lastSucceededRun(db: Db, connectionId?: number): { id: number; startedAt: string } | null {
  const r = db
    .prepare(`SELECT id, started_at FROM sync_runs WHERE status = 'succeeded' ${connectionId !== undefined ? 'AND connection_id = ?' : ''} ORDER BY id DESC LIMIT 1`)
    .get(...(connectionId !== undefined ? [connectionId] : [])) as { id: number; started_at: string } | undefined;
  return r ? { id: r.id, startedAt: r.started_at } : null;
}

/** The first succeeded run of a connection that started after `at`: the first whose snapshot can show a change made at `at`. */
export function firstSucceededRunAfter(db: Db, connectionId: number, at: string): { id: number; startedAt: string } | null {
  const r = db
    .prepare(`SELECT id, started_at FROM sync_runs WHERE connection_id = ? AND status = 'succeeded' AND started_at > ? ORDER BY id LIMIT 1`)
    .get(connectionId, at) as { id: number; started_at: string } | undefined;
  return r ? { id: r.id, startedAt: r.started_at } : null;
}

/** How many runs the history holds. */
export function countSyncRuns(db: Db): number {
  return db.prepare('SELECT count(*) FROM sync_runs').pluck().get() as number;
}

/** The newest run of a connection that succeeded and finished at or before `at` (ISO 8601 UTC): what an evidence export for a period ending at `at` names as its source. */
export function lastSucceededRunBy(db: Db, connectionId: number, at: string): { id: number; mode: 'full' | 'incremental'; startedAt: string; finishedAt: string } | null {
  const r = db
    .prepare(`SELECT id, mode, started_at, finished_at FROM sync_runs WHERE connection_id = ? AND status = 'succeeded' AND finished_at <= ? ORDER BY finished_at DESC, id DESC LIMIT 1`)
    .get(connectionId, at) as { id: number; mode: 'full' | 'incremental'; started_at: string; finished_at: string } | undefined;
  return r ? { id: r.id, mode: r.mode, startedAt: r.started_at, finishedAt: r.finished_at } : null;
}
