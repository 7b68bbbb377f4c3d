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
// Peer groups (same connection, department and title) get an integer key once
// per account (every account of the connections, people filters or not: a
// peer group counts everyone), and the holders of each group in scope are
// counted per (group, peer key) into a keyed TEMP table: the count joins a
// narrow table instead of each member's identity row, groups on an integer
// instead of two texts, and the insert finds an item's holders by key.
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
export const LAUNCH_PEERS = 'temp.review_launch_peers';
export const LAUNCH_HOLDERS = 'temp.review_launch_holders';

const LIVE = `(${LIVE_GRANT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/**
 * Fills the TEMP tables for the connections of @scope_conns (a JSON array of
 * ids): the accounts that pass `peopleFilter` (SQL over account `i` and its
 * manager `mg`, with the scope's @scope_* parameters in `params`), each with
 * its reviewer from `reviewerTable` (keyed by account) when the stage has one;
 * the peer keys, and the holders per group of `groupsCte` (a WITH clause
 * naming scope_group: connection_id, group_id) and peer key.
 */
export function prepareLaunchInputs(db: Db, params: Record<string, unknown>, peopleFilter: string, reviewerTable: string | null, groupsCte: string): void {
  dropLaunchInputs(db);
  db.exec(`
    CREATE TABLE ${LAUNCH_PEOPLE} (connection_id INTEGER NOT NULL, identity_id TEXT NOT NULL,
      person_name, person_email, person_status, title, department, manager_email, manager_name, employment_type, last_login, account_created,
      rec_last_login TEXT, rec_created TEXT, rec_end_date TEXT, peer_key INTEGER, peer_size INTEGER, reviewer TEXT, reviewer_source TEXT, reviewer_note TEXT,
      PRIMARY KEY (connection_id, identity_id)) WITHOUT ROWID;
    CREATE TABLE ${LAUNCH_PEERS} (connection_id INTEGER NOT NULL, identity_id TEXT NOT NULL, peer_key INTEGER NOT NULL, PRIMARY KEY (connection_id, identity_id)) WITHOUT ROWID;
    CREATE TABLE ${LAUNCH_HOLDERS} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, peer_key INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (connection_id, group_id, peer_key)) WITHOUT ROWID;
    CREATE TABLE ${LAUNCH_GRANTS} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, identity_id TEXT NOT NULL, live_id INTEGER, expired INTEGER NOT NULL,
      PRIMARY KEY (connection_id, group_id, identity_id)) WITHOUT ROWID;
  `);
  // One key per (connection, department, title), as GROUP BY tells them apart; no key without both.
  db.prepare(
    `INSERT INTO ${LAUNCH_PEERS} (connection_id, identity_id, peer_key)
     SELECT connection_id, id, dense_rank() OVER (ORDER BY connection_id, department, title) FROM cur_identities
     WHERE connection_id IN (SELECT value FROM json_each(@scope_conns)) AND department IS NOT NULL AND title IS NOT NULL`,
  ).run({ scope_conns: params.scope_conns });
  db.prepare(
    `INSERT INTO ${LAUNCH_PEOPLE} (connection_id, identity_id, person_name, person_email, person_status, title, department, manager_email, manager_name, employment_type,
       last_login, account_created, rec_last_login, rec_created, rec_end_date, peer_key, peer_size, reviewer, reviewer_source, reviewer_note)
     WITH peers AS MATERIALIZED (SELECT peer_key, count(*) AS n FROM ${LAUNCH_PEERS} GROUP BY peer_key)
     SELECT i.connection_id, i.id, i.display_name, lower(i.email), i.status, i.title, i.department, lower(mg.email), mg.display_name, i.employee_type,
       i.last_login, i.created, ${isoMs('i.last_login')}, ${isoMs('i.created')},
       CASE WHEN lower(i.employee_type) IN ('contractor', 'partner') THEN ${isoMs(endDateSql('i.profile'))} END, pk.peer_key, p.n,
       ${reviewerTable ? 'rv.reviewer, rv.source, rv.note' : 'NULL, NULL, NULL'}
     FROM cur_identities i
     LEFT JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id
     LEFT JOIN ${LAUNCH_PEERS} pk ON pk.connection_id = i.connection_id AND pk.identity_id = i.id
     LEFT JOIN peers p ON p.peer_key = pk.peer_key
     ${reviewerTable ? `LEFT JOIN ${reviewerTable} rv ON rv.connection_id = i.connection_id AND rv.identity_id = i.id` : ''}
     WHERE i.connection_id IN (SELECT value FROM json_each(@scope_conns)) AND ${peopleFilter}`,
  ).run(params);
  db.prepare(
    `INSERT INTO ${LAUNCH_GRANTS} (connection_id, group_id, identity_id, live_id, expired)
     SELECT connection_id, group_id, identity_id, max(CASE WHEN status IN ${LIVE} THEN id END), max(status = 'expired')
     FROM grants WHERE connection_id IN (SELECT value FROM json_each(@scope_conns))
     GROUP BY connection_id, group_id, identity_id`,
  ).run({ scope_conns: params.scope_conns });
  // Holders: the members of each group in scope per peer key (an account gone from the snapshot has no key: not counted, as before).
  db.prepare(
    `INSERT INTO ${LAUNCH_HOLDERS} (connection_id, group_id, peer_key, n)
     ${groupsCte}
     SELECT m.connection_id, m.group_id, pk.peer_key, count(*)
     FROM scope_group sg JOIN cur_memberships m ON m.connection_id = sg.connection_id AND m.group_id = sg.group_id
     JOIN ${LAUNCH_PEERS} pk ON pk.connection_id = m.connection_id AND pk.identity_id = m.identity_id
     GROUP BY m.connection_id, m.group_id, pk.peer_key`,
  ).run(params);
}

export function dropLaunchInputs(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${LAUNCH_PEOPLE}; DROP TABLE IF EXISTS ${LAUNCH_GRANTS}; DROP TABLE IF EXISTS ${LAUNCH_PEERS}; DROP TABLE IF EXISTS ${LAUNCH_HOLDERS};`);
}

/** The account `lp` (in scope: an inner join) of membership `m`, its live grant `gr` and request `rq`, the per-membership `lg` inputs, and its peers holding the group `h`. */
export const LAUNCH_JOINS = `JOIN ${LAUNCH_PEOPLE} lp ON lp.connection_id = m.connection_id AND lp.identity_id = m.identity_id
  LEFT JOIN ${LAUNCH_GRANTS} lg ON lg.connection_id = m.connection_id AND lg.group_id = m.group_id AND lg.identity_id = m.identity_id
  LEFT JOIN grants gr ON gr.id = lg.live_id
  LEFT JOIN requests rq ON rq.id = gr.request_id
  LEFT JOIN ${LAUNCH_HOLDERS} h ON h.connection_id = m.connection_id AND h.group_id = m.group_id AND h.peer_key = lp.peer_key`;

/** The rec_* columns that come from the TEMP tables (the rest are population.ts's, shared with refresh). */
export const LAUNCH_INPUTS = {
  lastLogin: 'lp.rec_last_login',
  created: 'lp.rec_created',
  expiredWithoutLive: 'coalesce(lg.expired, 0)',
  endDate: 'lp.rec_end_date',
  peerSize: 'lp.peer_size',
} as const;
