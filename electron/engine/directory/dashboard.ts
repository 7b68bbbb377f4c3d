// The dashboard's counts. "Stale" follows the usual access-review rule: an
// ACTIVE account nobody has signed in to for 90 days (or ever) is a candidate
// for removal. The clock is injected so the rule is testable.
import type { DashboardSummary, SyncRunSummary } from '../../../shared/domain.js';
import type { Clock } from '../context.js';
import type { Db } from '../db/database.js';
import { dataStamp, type PageCache } from './query-kit.js';

export const STALE_AFTER_DAYS = 90;

/** ISO instant before which an ACTIVE user's last login counts as stale. */
export function staleCutoff(now: Date, days = STALE_AFTER_DAYS): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString();
}

/** Counts for the dashboard and the most recent sync runs. */
export function dashboardSummary(
  db: Db,
  deps: { clock: Clock; readOnly: boolean; recentRuns: (limit: number) => SyncRunSummary[]; cache?: PageCache },
): DashboardSummary {
  return db.transaction(() => {
    // To the minute: a finer cutoff changes nothing over 90 days, and lets the
    // counts (a million memberships take tens of ms) be reused until the data changes.
    const cutoff = staleCutoff(new Date(Math.floor(deps.clock.now().getTime() / 60_000) * 60_000));
    const counts = deps.cache ? deps.cache.memo(`dashboard\u0000${cutoff}`, dataStamp(db), () => countAll(db, cutoff)) : countAll(db, cutoff);
    return { ...counts, recentRuns: deps.recentRuns(10), readOnly: deps.readOnly };
  })();
}

function countAll(db: Db, cutoff: string): Omit<DashboardSummary, 'recentRuns' | 'readOnly'> {
  const users = db
    .prepare(
      `SELECT count(*) AS users,
         coalesce(sum(status = 'ACTIVE'), 0) AS active,
         coalesce(sum(status = 'SUSPENDED'), 0) AS suspended,
         coalesce(sum(status = 'DEPROVISIONED'), 0) AS deprovisioned,
         coalesce(sum(status = 'ACTIVE' AND (last_login IS NULL OR last_login < ?)), 0) AS stale
       FROM cur_identities`,
    )
    .get(cutoff) as { users: number; active: number; suspended: number; deprovisioned: number; stale: number };
  const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
  return {
    connections: count('SELECT count(*) FROM connections'),
    users: users.users,
    activeUsers: users.active,
    suspendedUsers: users.suspended,
    deprovisionedUsers: users.deprovisioned,
    staleUsers: users.stale,
    groups: count('SELECT count(*) FROM cur_groups'),
    apps: count('SELECT count(*) FROM cur_apps'),
    memberships: count('SELECT count(*) FROM cur_memberships'),
  };
}
