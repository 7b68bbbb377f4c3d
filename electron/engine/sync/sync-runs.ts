// Reading sync run history (the sync_runs table) as the contract's SyncRunSummary.
import type { SyncRunSummary } from '../../../shared/domain.js';
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
};

const SELECT = `SELECT r.id, r.connection_id, c.name AS connection_name, r.mode, r.status, r.started_at, r.finished_at,
  r.users, r.groups, r.memberships, r.apps, r.app_assignments, r.requests, r.throttled_waits, r.rate_limited, r.error
  FROM sync_runs r JOIN connections c ON c.id = r.connection_id`;

function toSummary(r: RunRow): SyncRunSummary {
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
  };
}

/** Newest first, optionally for one connection. */
export function listSyncRuns(db: Db, opts: { connectionId?: number | undefined; limit: number }): SyncRunSummary[] {
  const limit = Math.max(1, Math.min(500, Math.floor(opts.limit)));
  const rows =
    opts.connectionId !== undefined
      ? (db.prepare(`${SELECT} WHERE r.connection_id = ? ORDER BY r.id DESC LIMIT ?`).all(opts.connectionId, limit) as RunRow[])
      : (db.prepare(`${SELECT} ORDER BY r.id DESC LIMIT ?`).all(limit) as RunRow[]);
  return rows.map(toSummary);
}

export function getSyncRun(db: Db, id: number): SyncRunSummary | null {
  const row = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RunRow | undefined;
  return row ? toSummary(row) : null;
}

/** The newest run of a connection, what lists of connections show as "last sync". */
export function lastSyncRun(db: Db, connectionId: number): SyncRunSummary | null {
  return listSyncRuns(db, { connectionId, limit: 1 })[0] ?? null;
}
