// The dashboard's counts. "Stale" follows the usual access-review rule: an
// ACTIVE account nobody has signed in to for 90 days (or ever) is a candidate
// for removal. The clock is injected so the rule is testable.
import type { DashboardSummary, SyncRunSummary } from '../../../shared/domain.js';
import type { Clock } from '../context.js';
import type { Db } from '../db/database.js';
import { dataStamp, type PageCache } from '../db/query-kit.js';
import { userSource } from './users.js';

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

/**
 * The "users" counts are PEOPLE, as the Directory lists them: a person known
 * to Okta and Entra counts once. Active / suspended / deprovisioned go by the
 * status of the person's first account (the row the Directory shows, so a
 * count and the status filter agree). A person is stale when that account is
 * ACTIVE and none of their accounts has a sign-in within the cutoff: signing
 * in through either IdP is activity. Groups, apps and memberships stay
 * per-IdP objects.
 */
function countAll(db: Db, cutoff: string): Omit<DashboardSummary, 'recentRuns' | 'readOnly'> {
  const source = userSource(db, undefined);
  const staleAccount = "i.status = 'ACTIVE' AND (i.last_login IS NULL OR i.last_login < @cutoff)";
  // Only for the few stale-looking linked rows: a sign-in on another account of the person.
  // (CASE, not AND: only CASE promises not to evaluate the subquery for every row.)
  const stale = source.people
    ? `CASE WHEN ${staleAccount} THEN NOT EXISTS (
         SELECT 1 FROM person_links me JOIN person_links q ON q.person_id = me.person_id
         JOIN cur_identities o ON o.connection_id = q.connection_id AND o.id = q.identity_id
         WHERE me.connection_id = i.connection_id AND me.identity_id = i.id AND o.last_login >= @cutoff) ELSE 0 END`
    : staleAccount;
  const users = db
    .prepare(
      `SELECT count(*) AS users,
         coalesce(sum(i.status = 'ACTIVE'), 0) AS active,
         coalesce(sum(i.status = 'SUSPENDED'), 0) AS suspended,
         coalesce(sum(i.status = 'DEPROVISIONED'), 0) AS deprovisioned,
         coalesce(sum(${stale}), 0) AS stale
       FROM ${source.from} ${source.people ? `WHERE ${source.people.sql}` : ''}`,
    )
    .get(...(source.people?.params ?? []), { cutoff }) as {
    users: number;
    active: number;
    suspended: number;
    deprovisioned: number;
    stale: number;
  };
  const count = (sql: string): number => db.prepare(sql).pluck().get() as number;
  return {
    // Identity providers only: a Jira connection is the request record, not a source of people.
    connections: count("SELECT count(*) FROM connections WHERE kind IN ('okta', 'entra')"),
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
