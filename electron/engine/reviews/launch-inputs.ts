// The recommendation inputs of a launch (and its preview), computed once per
// account and once per membership with a grant into TEMP tables, instead of
// per item inside the population's INSERT … SELECT: an account holds ~10
// memberships, and its sign-in and creation instants (strftime), a
// contractor's end date (json_extract over the profile) and its peer group's
// size are the same for each of them; the live-grant and expired-grant
// lookups were two correlated subqueries per item and are one join here.
// The values are the ones refresh (population.ts refreshCampaignRecommendations)
// computes inline, from the same expressions: launch and refresh must agree.
//
// Reads cur_identities and grants (table-owners.ts lists population.ts's
// reads of them; this is the same read, moved).
import type { Db } from '../db/database.js';
import { LIVE_GRANT_STATUSES } from '../jobs/grant-store.js';
import { endDateSql, isoMs } from './recommendations.js';

export const LAUNCH_PEOPLE = 'temp.review_launch_people';
export const LAUNCH_GRANTS = 'temp.review_launch_grants';

const LIVE = `(${LIVE_GRANT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Fills the TEMP tables for the connections of @scope_conns (a JSON array of ids). */
export function prepareLaunchInputs(db: Db, scopeConns: string): void {
  dropLaunchInputs(db);
  db.exec(`
    CREATE TABLE ${LAUNCH_PEOPLE} (connection_id INTEGER NOT NULL, identity_id TEXT NOT NULL, last_login TEXT, created TEXT, end_date TEXT, peer_size INTEGER,
      PRIMARY KEY (connection_id, identity_id)) WITHOUT ROWID;
    CREATE TABLE ${LAUNCH_GRANTS} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, identity_id TEXT NOT NULL, live_id INTEGER, expired INTEGER NOT NULL,
      PRIMARY KEY (connection_id, group_id, identity_id)) WITHOUT ROWID;
  `);
  db.prepare(
    `INSERT INTO ${LAUNCH_PEOPLE} (connection_id, identity_id, last_login, created, end_date, peer_size)
     WITH peers AS MATERIALIZED (
       SELECT connection_id, department, title, count(*) AS n FROM cur_identities
       WHERE connection_id IN (SELECT value FROM json_each(@scope_conns)) AND department IS NOT NULL AND title IS NOT NULL
       GROUP BY connection_id, department, title)
     SELECT i.connection_id, i.id, ${isoMs('i.last_login')}, ${isoMs('i.created')},
       CASE WHEN lower(i.employee_type) IN ('contractor', 'partner') THEN ${isoMs(endDateSql('i.profile'))} END, p.n
     FROM cur_identities i
     LEFT JOIN peers p ON p.connection_id = i.connection_id AND p.department = i.department AND p.title = i.title
     WHERE i.connection_id IN (SELECT value FROM json_each(@scope_conns))`,
  ).run({ scope_conns: scopeConns });
  db.prepare(
    `INSERT INTO ${LAUNCH_GRANTS} (connection_id, group_id, identity_id, live_id, expired)
     SELECT connection_id, group_id, identity_id, max(CASE WHEN status IN ${LIVE} THEN id END), max(status = 'expired')
     FROM grants WHERE connection_id IN (SELECT value FROM json_each(@scope_conns))
     GROUP BY connection_id, group_id, identity_id`,
  ).run({ scope_conns: scopeConns });
}

export function dropLaunchInputs(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${LAUNCH_PEOPLE}; DROP TABLE IF EXISTS ${LAUNCH_GRANTS};`);
}

/** The live grant `gr` and its request `rq` of membership `m`, and the launch's per-account `lp` and per-membership `lg` inputs. */
export const LAUNCH_JOINS = `LEFT JOIN ${LAUNCH_PEOPLE} lp ON lp.connection_id = i.connection_id AND lp.identity_id = i.id
  LEFT JOIN ${LAUNCH_GRANTS} lg ON lg.connection_id = m.connection_id AND lg.group_id = m.group_id AND lg.identity_id = m.identity_id
  LEFT JOIN grants gr ON gr.id = lg.live_id
  LEFT JOIN requests rq ON rq.id = gr.request_id`;

/** The rec_* columns that come from the TEMP tables (the rest are population.ts's, shared with refresh). */
export const LAUNCH_INPUTS = {
  lastLogin: 'lp.last_login',
  created: 'lp.created',
  expiredWithoutLive: 'coalesce(lg.expired, 0)',
  endDate: 'lp.end_date',
  peerSize: 'lp.peer_size',
} as const;
