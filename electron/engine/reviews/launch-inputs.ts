// The inputs of a launch (and its preview), computed once per account and
// once per membership with a grant into TEMP tables, instead of per item
// inside the population's INSERT … SELECT: an account holds ~10 memberships,
// and what the item copies of the person (the frozen person and manager
// columns), its sign-in and creation instants (strftime), a contractor's end
// date (json_extract over the profile), its peer group's size and — for the
// manager and named rules — its reviewer (reviewer-assignment.ts's per-account
// choice) are the same for each of them: one row per account in scope (people
// filters applied here), so the insert makes one lookup per item where it
// made four (the account, its manager, these inputs, the reviewer: ~2–3 µs
// each). The live-grant and expired-grant lookups were two correlated
// subqueries per item and are one join here.
// The values are the ones refresh (population.ts refreshCampaignRecommendations)
// computes inline, from the same expressions: launch and refresh must agree;
// the person columns are the bare population SELECT's expressions (the row
// hash holds them: the columns have no type, so values are stored as read).
//
// Reads cur_identities and grants (table-owners.ts lists population.ts's
// reads of them; this is the same read, moved).
import type { Db } from '../db/database.js';
import { LIVE_GRANT_STATUSES } from '../jobs/grant-store.js';
import { endDateSql, isoMs } from './recommendations.js';

export const LAUNCH_PEOPLE = 'temp.review_launch_people';
export const LAUNCH_GRANTS = 'temp.review_launch_grants';

const LIVE = `(${LIVE_GRANT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Fills the TEMP tables for the connections of @scope_conns (a JSON array of
 * ids): the accounts that pass `peopleFilter` (SQL over account `i` and its
 * manager `mg`, with the scope's @scope_* parameters in `params`), each with
 * its reviewer from `reviewerTable` (keyed by account) when the stage has one.
 */
export function prepareLaunchInputs(db: Db, params: Record<string, unknown>, peopleFilter: string, reviewerTable: string | null): void {
  dropLaunchInputs(db);
  db.exec(`
    CREATE TABLE ${LAUNCH_PEOPLE} (connection_id INTEGER NOT NULL, identity_id TEXT NOT NULL,
      person_name, person_email, person_status, title, department, manager_email, manager_name, employment_type, last_login, account_created,
      rec_last_login TEXT, rec_created TEXT, rec_end_date TEXT, peer_size INTEGER, reviewer TEXT, reviewer_source TEXT, reviewer_note TEXT,
      PRIMARY KEY (connection_id, identity_id)) WITHOUT ROWID;
    CREATE TABLE ${LAUNCH_GRANTS} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, identity_id TEXT NOT NULL, live_id INTEGER, expired INTEGER NOT NULL,
      PRIMARY KEY (connection_id, group_id, identity_id)) WITHOUT ROWID;
  `);
  db.prepare(
    `INSERT INTO ${LAUNCH_PEOPLE} (connection_id, identity_id, person_name, person_email, person_status, title, department, manager_email, manager_name, employment_type,
       last_login, account_created, rec_last_login, rec_created, rec_end_date, peer_size, reviewer, reviewer_source, reviewer_note)
     WITH peers AS MATERIALIZED (
       SELECT connection_id, department, title, count(*) AS n FROM cur_identities
       WHERE connection_id IN (SELECT value FROM json_each(@scope_conns)) AND department IS NOT NULL AND title IS NOT NULL
       GROUP BY connection_id, department, title)
     SELECT i.connection_id, i.id, i.display_name, lower(i.email), i.status, i.title, i.department, lower(mg.email), mg.display_name, i.employee_type,
       i.last_login, i.created, ${isoMs('i.last_login')}, ${isoMs('i.created')},
       CASE WHEN lower(i.employee_type) IN ('contractor', 'partner') THEN ${isoMs(endDateSql('i.profile'))} END, p.n,
       ${reviewerTable ? 'rv.reviewer, rv.source, rv.note' : 'NULL, NULL, NULL'}
     FROM cur_identities i
     LEFT JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id
     LEFT JOIN peers p ON p.connection_id = i.connection_id AND p.department = i.department AND p.title = i.title
     ${reviewerTable ? `LEFT JOIN ${reviewerTable} rv ON rv.connection_id = i.connection_id AND rv.identity_id = i.id` : ''}
     WHERE i.connection_id IN (SELECT value FROM json_each(@scope_conns)) AND ${peopleFilter}`,
  ).run(params);
  db.prepare(
    `INSERT INTO ${LAUNCH_GRANTS} (connection_id, group_id, identity_id, live_id, expired)
     SELECT connection_id, group_id, identity_id, max(CASE WHEN status IN ${LIVE} THEN id END), max(status = 'expired')
     FROM grants WHERE connection_id IN (SELECT value FROM json_each(@scope_conns))
     GROUP BY connection_id, group_id, identity_id`,
  ).run({ scope_conns: params.scope_conns });
}

export function dropLaunchInputs(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${LAUNCH_PEOPLE}; DROP TABLE IF EXISTS ${LAUNCH_GRANTS};`);
}

/** The account `lp` (in scope: an inner join) of membership `m`, its live grant `gr` and request `rq`, and the per-membership `lg` inputs. */
export const LAUNCH_JOINS = `JOIN ${LAUNCH_PEOPLE} lp ON lp.connection_id = m.connection_id AND lp.identity_id = m.identity_id
  LEFT JOIN ${LAUNCH_GRANTS} lg ON lg.connection_id = m.connection_id AND lg.group_id = m.group_id AND lg.identity_id = m.identity_id
  LEFT JOIN grants gr ON gr.id = lg.live_id
  LEFT JOIN requests rq ON rq.id = gr.request_id`;

/** The rec_* columns that come from the TEMP tables (the rest are population.ts's, shared with refresh). */
export const LAUNCH_INPUTS = {
  lastLogin: 'lp.rec_last_login',
  created: 'lp.rec_created',
  expiredWithoutLive: 'coalesce(lg.expired, 0)',
  endDate: 'lp.rec_end_date',
  peerSize: 'lp.peer_size',
} as const;
