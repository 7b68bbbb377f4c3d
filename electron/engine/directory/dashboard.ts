// The dashboard's counts. "Stale" follows the usual access-review rule: an
// ACTIVE account nobody has signed in to for 90 days (or ever) is a candidate
// for removal. The clock is injected so the rule is testable.
import type { DashboardSummary, SyncRunSummary } from '../../../shared/domain.js';
import type { Clock } from '../context.js';
import type { Db } from '../db/database.js';
import { dataStamp, type PageCache } from '../db/query-kit.js';

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

/** The statuses with a stat of their own; the rest are listed as "other" so the counts add up. */
const NAMED_STATUSES = new Set(['ACTIVE', 'SUSPENDED', 'DEPROVISIONED']);

/**
 * The "users" counts are PEOPLE, as the Directory lists them: a person known
 * to Okta and Entra counts once. Active / suspended / deprovisioned / other
 * go by the status of the person's first account (the row the Directory
 * shows, so a count and the status filter agree). A person is stale when
 * that account is ACTIVE and none of their accounts has a sign-in within the
 * cutoff: signing in through either IdP is activity. Groups, apps and
 * memberships stay per-IdP objects. All from the read model (model.ts):
 * a walk of one covering index, one scan of the listed rows, and the
 * per-group member counts.
 */
function countAll(db: Db, cutoff: string): Omit<DashboardSummary, 'recentRuns' | 'readOnly'> {
  const statuses = db.prepare('SELECT status, count(*) FROM directory_accounts WHERE listed = 1 GROUP BY status').raw().all() as [string, number][];
  const byStatus = new Map(statuses);
  const users = statuses.reduce((n, [, c]) => n + c, 0);
  // A range of directory_accounts_people_by_sign_in (the expression as the index has it).
  const stale = db
    .prepare(
      `SELECT count(*) FROM directory_accounts WHERE listed = 1 AND status = 'ACTIVE'
         AND coalesce(CASE WHEN linked = 1 THEN person_last_login ELSE last_login END, '') < ?`,
    )
    .pluck()
    .get(cutoff) as number;
  const count = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
  return {
    // Identity providers only: a Jira connection is the request record, not a source of people.
    connections: count("SELECT count(*) FROM connections WHERE kind IN ('okta', 'entra')"),
    users,
    activeUsers: byStatus.get('ACTIVE') ?? 0,
    suspendedUsers: byStatus.get('SUSPENDED') ?? 0,
    deprovisionedUsers: byStatus.get('DEPROVISIONED') ?? 0,
    otherStatuses: statuses
      .filter(([status]) => !NAMED_STATUSES.has(status))
      .map(([status, n]) => ({ status, count: n }))
      .sort((a, b) => b.count - a.count || (a.status < b.status ? -1 : 1)),
    staleUsers: stale,
    groups: count('SELECT count(*) FROM directory_groups'),
    apps: count('SELECT count(*) FROM cur_apps'),
    // What Coverage counts: an app with a group of the snapshot assigned.
    appsWithGroups: count(
      `SELECT count(*) FROM cur_apps a WHERE EXISTS (SELECT 1 FROM cur_app_assignments x
         JOIN directory_groups g ON g.connection_id = x.connection_id AND g.id = x.group_id
         WHERE x.connection_id = a.connection_id AND x.app_id = a.id)`,
    ),
    memberships: count('SELECT sum(member_count) FROM directory_groups'),
  };
}
