// The Access and Privileged sheets: every (account, group) membership at the
// period's end (period-end.ts), how it was held, the catalog role it means,
// the Latchkey grant and request behind it or "outside the process", and,
// for privileged groups, the last access-review decision on it. One streamed
// statement per sheet in the order (connection, group id, account id): the
// live memberships in primary-key order merged with the few that were there
// at the period's end and are gone since.
import type { Db } from '../db/database.js';
import { ABSENT_AT_END, ANCHOR_CTES, anchoredConnections, GONE_MEMBERSHIPS, GROUP_CTES, LIVE_MEMBERSHIPS, LIVE_MEMBERSHIPS_WHERE, MEMBERSHIP_CTES, periodParams, USER_CTES, userAt } from './period-end.js';
import { dateCell, jiraCell, text } from './snapshot-cells.js';
import type { EvidenceColumn, EvidenceInput, EvidenceRow, EvidenceSheet, Reconciliation } from './sheet-types.js';

const RISK_RANK = `CASE cr.risk WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 END`;
const RISK_NAME = (rank: string): string => `CASE ${rank} WHEN 4 THEN 'critical' WHEN 3 THEN 'high' WHEN 2 THEN 'medium' WHEN 1 THEN 'low' END`;
/** Risk rank from which a group counts as privileged: a catalog role of high or critical risk maps it. */
const PRIVILEGED_RANK = 3;

/**
 * a_at: app assignments at @to (IdP app labels per group); g_info: per group
 * at @to, how its members hold it, the IdP apps it is assigned to, the
 * catalog roles mapped to it (the catalog as it is now) and the highest risk.
 */
const GROUP_INFO_CTES = `
a_first AS MATERIALIZED (
  SELECT connection_id, subject_id AS app_id, object_id AS group_id, min(seq) AS seq, kind, subject_name
  FROM sync_changes WHERE run_id IN (SELECT id FROM later) AND kind IN ('assignment-add', 'assignment-remove')
  GROUP BY connection_id, subject_id, object_id
),
a_at AS MATERIALIZED (
  SELECT x.connection_id, x.group_id, ap.label FROM anchor a
  JOIN app_assignments x ON x.connection_id = a.connection_id AND x.gen = a.live_gen
  JOIN apps ap ON ap.connection_id = x.connection_id AND ap.gen = x.gen AND ap.id = x.app_id
  LEFT JOIN a_first f ON f.connection_id = x.connection_id AND f.app_id = x.app_id AND f.group_id = x.group_id
  WHERE f.kind IS NOT 'assignment-add'
  UNION ALL
  SELECT f.connection_id, f.group_id, coalesce(f.subject_name, f.app_id) FROM a_first f JOIN anchor a ON a.connection_id = f.connection_id
  WHERE f.kind = 'assignment-remove'
    AND NOT EXISTS (SELECT 1 FROM app_assignments x WHERE x.connection_id = f.connection_id AND x.gen = a.live_gen AND x.app_id = f.app_id AND x.group_id = f.group_id)
),
g_info AS MATERIALIZED (
  SELECT g.connection_id, g.id, g.name, a.connection_name,
    CASE g.managed_by WHEN 'rule' THEN (CASE a.kind WHEN 'entra' THEN 'dynamic group' ELSE 'group rule' END)
      WHEN 'external' THEN 'source-managed' WHEN 'direct' THEN 'direct' WHEN 'latchkey' THEN 'direct'
      ELSE 'not recorded (group deleted since)' END AS held_via,
    (SELECT group_concat(label, '; ' ORDER BY label) FROM a_at WHERE a_at.connection_id = g.connection_id AND a_at.group_id = g.id) AS via_apps,
    (SELECT group_concat(ca.name || ' / ' || cr.name, '; ' ORDER BY ca.name, cr.name) FROM catalog_mappings z
       JOIN catalog_roles cr ON cr.id = z.role_id JOIN catalog_apps ca ON ca.id = cr.app_id
       WHERE z.connection_id = g.connection_id AND z.group_id = g.id) AS roles,
    (SELECT max(${RISK_RANK}) FROM catalog_mappings z JOIN catalog_roles cr ON cr.id = z.role_id
       WHERE z.connection_id = g.connection_id AND z.group_id = g.id) AS risk_rank
  FROM g_at g JOIN anchor a ON a.connection_id = g.connection_id
),
d_open AS MATERIALIZED (
  SELECT connection_id, group_id, identity_id, group_concat(kind || ' (drift #' || id || ')', '; ' ORDER BY id) AS what
  FROM drift WHERE kind IN ('reappeared', 'expired-still-member') AND detected_at <= @to AND (resolved_at IS NULL OR resolved_at > @to)
  GROUP BY connection_id, group_id, identity_id
)`;

/** Every CTE the membership rows need. */
const CTES = `WITH ${ANCHOR_CTES}, ${USER_CTES}, ${GROUP_CTES}, ${MEMBERSHIP_CTES}, ${GROUP_INFO_CTES}`;

/** The memberships at @to as keys, in the sheet's order; `privileged` keeps those of privileged groups. */
function keysSql(privileged: boolean): string {
  // Privileged: the groups as an IN list, so the memberships are read as ranges of the primary key, still in order.
  const liveGroups = privileged ? `AND m.group_id IN (SELECT p.id FROM g_info p WHERE p.connection_id = @c AND p.risk_rank >= ${PRIVILEGED_RANK})` : '';
  const goneGroups = privileged
    ? `AND EXISTS (SELECT 1 FROM g_info p WHERE p.connection_id = gm.connection_id AND p.id = gm.group_id AND p.risk_rank >= ${PRIVILEGED_RANK})`
    : '';
  return `
  SELECT m.connection_id, m.group_id, m.identity_id FROM ${LIVE_MEMBERSHIPS}
  WHERE ${LIVE_MEMBERSHIPS_WHERE} AND NOT ${ABSENT_AT_END} ${liveGroups}
  UNION ALL
  SELECT * FROM (${GONE_MEMBERSHIPS}) gm WHERE true ${goneGroups}`;
}

/** The grant behind membership `k` at @to: provisioned by then and not ended by then (the newest such). */
const GRANT_AT_END = `(SELECT x.id FROM grants x WHERE x.connection_id = k.connection_id AND x.group_id = k.group_id AND x.identity_id = k.identity_id
    AND x.provisioned_at <= @to AND (x.ended_at IS NULL OR x.ended_at > @to) ORDER BY x.id DESC LIMIT 1)`;

/**
 * The last access-review decision on membership `k` submitted by @to (the
 * decision log keeps every word with when it was given, so a decision
 * changed or submitted after the period's end does not count):
 * "<decision> by <who> (<channel>), campaign #<id> <name>", and when.
 */
const LAST_REVIEW = `(SELECT json_array(d.decision || ' by ' || d.decided_by || ' (' || d.channel || '), campaign #' || rc.id || ' ' || rc.name, d.at)
    FROM review_items ri JOIN review_decision_log d ON d.item_id = ri.id AND d.state = 'submitted' JOIN review_campaigns rc ON rc.id = ri.campaign_id
    WHERE ri.connection_id = k.connection_id AND ri.group_id = k.group_id AND ri.identity_id = k.identity_id AND d.at <= @to
    ORDER BY d.at DESC, d.id DESC LIMIT 1)`;

/**
 * The rows of connection @c, as arrays (raw mode: no object per row) in the
 * order of ROW_COLUMNS; the group's columns come from groupsSql, read once
 * per connection (a few thousand groups), not joined per membership.
 */
function rowsSql(privileged: boolean): string {
  return `${CTES}, keys AS (${keysSql(privileged)})
  SELECT k.group_id, k.identity_id,
    coalesce(i.display_name, ua.name), ${userAt('email')}, ${userAt('status')},
    gr.id, gr.request_id, rq.jira_issue_key, jc.base_url, coalesce(gr.provisioned_at, gr.starts_at), gr.expires_at, dr.what
    ${privileged ? `, ${LAST_REVIEW}` : ''}
  FROM keys k
  LEFT JOIN identities i ON i.connection_id = @c AND i.gen = @gen AND i.id = k.identity_id
  LEFT JOIN u_at ua ON ua.connection_id = k.connection_id AND ua.id = k.identity_id
  LEFT JOIN grants gr ON gr.id = ${GRANT_AT_END}
  LEFT JOIN requests rq ON rq.id = gr.request_id
  LEFT JOIN connections jc ON jc.id = rq.jira_connection_id
  LEFT JOIN d_open dr ON dr.connection_id = k.connection_id AND dr.group_id = k.group_id AND dr.identity_id = k.identity_id
  ORDER BY k.group_id, k.identity_id`;
}

type RawRow = [
  groupId: string,
  identityId: string,
  personName: string | null,
  email: string | null,
  status: string | null,
  grantId: number | null,
  requestId: number | null,
  jiraKey: string | null,
  jiraSite: string | null,
  grantedAt: string | null,
  expiresAt: string | null,
  drift: string | null,
  lastReview?: string | null,
];

/** The groups of connection @c at @to with their columns on the sheet. */
const GROUPS_SQL = `${CTES} SELECT id, connection_name, name, held_via, via_apps, roles, ${RISK_NAME('risk_rank')} AS risk FROM g_info WHERE connection_id = @c`;
type GroupRow = { id: string; connection_name: string; name: string | null; held_via: string; via_apps: string | null; roles: string | null; risk: string | null };

/**
 * The memberships of connection @c at @to counted by another route: the
 * Directory's per-group member counts (kept by triggers beside the
 * snapshot) less the live ones that were not there then, plus those gone since.
 */
function countSql(privileged: boolean): string {
  const priv = (alias: string, group: string): string =>
    privileged ? `AND EXISTS (SELECT 1 FROM g_info p WHERE p.connection_id = ${alias}.connection_id AND p.id = ${alias}.${group} AND p.risk_rank >= ${PRIVILEGED_RANK})` : '';
  return `${CTES}
  SELECT
    (SELECT coalesce(sum(dg.member_count), 0) FROM directory_groups dg WHERE dg.connection_id = @c ${priv('dg', 'id')})
    - (SELECT count(*) FROM ${LIVE_MEMBERSHIPS} WHERE ${LIVE_MEMBERSHIPS_WHERE} AND ${ABSENT_AT_END} ${priv('m', 'group_id')})
    + (SELECT count(*) FROM (${GONE_MEMBERSHIPS}) gm WHERE true ${priv('gm', 'group_id')})`;
}

const COLUMNS: readonly EvidenceColumn[] = [
  { header: 'Connection', type: 'text' },
  { header: 'Group id', type: 'text' },
  { header: 'Group', type: 'text', width: 32 },
  { header: 'Account id', type: 'text' },
  { header: 'Person', type: 'text', width: 24 },
  { header: 'E-mail', type: 'text', width: 30 },
  { header: 'Status at period end', type: 'text' },
  { header: 'How held', type: 'text' },
  { header: 'Via IdP apps', type: 'text', width: 24 },
  { header: 'Catalog role', type: 'text', width: 28 },
  { header: 'Risk', type: 'text' },
  { header: 'Process', type: 'text', width: 20 },
  { header: 'Grant', type: 'integer' },
  { header: 'Request', type: 'integer' },
  { header: 'Jira', type: 'link' },
  { header: 'Granted at (UTC)', type: 'date' },
  { header: 'Expires at (UTC)', type: 'date' },
  { header: 'Open drift at period end', type: 'text', width: 28 },
];

const PRIVILEGED_COLUMNS: readonly EvidenceColumn[] = [...COLUMNS, { header: 'Last review', type: 'text', width: 40 }, { header: 'Last review at (UTC)', type: 'date' }];

export const OUTSIDE_THE_PROCESS = 'outside the process';

function toRow(g: GroupRow | undefined, connection: string, r: RawRow, privileged: boolean): EvidenceRow {
  const [groupId, identityId, personName, email, status, grantId, requestId, jiraKey, jiraSite, grantedAt, expiresAt, drift] = r;
  const cells = [
    connection,
    groupId,
    text(g?.name),
    identityId,
    text(personName),
    text(email),
    text(status),
    g?.held_via ?? 'not recorded',
    text(g?.via_apps),
    text(g?.roles),
    text(g?.risk),
    grantId === null ? OUTSIDE_THE_PROCESS : 'Latchkey grant',
    grantId,
    requestId,
    jiraCell(jiraKey, jiraSite),
    dateCell(grantedAt),
    dateCell(expiresAt),
    text(drift),
  ];
  const flags: string[] = [];
  if (drift) flags.push(`held outside the process: open drift at period end, ${drift}`);
  if (privileged) {
    const review = r[12] ? (JSON.parse(r[12]) as [string, string]) : null;
    cells.push(review ? review[0] : null, dateCell(review ? review[1] : null));
  }
  return flags.length > 0 ? { cells, flags } : { cells };
}

function* streamRows(db: Db, input: EvidenceInput, privileged: boolean): Iterable<EvidenceRow> {
  const { to } = periodParams(input);
  const stmt = db.prepare(rowsSql(privileged)).raw(true);
  const groupsStmt = db.prepare(GROUPS_SQL);
  for (const a of anchoredConnections(db, to)) {
    const params = { to, c: a.connectionId, gen: a.liveGen };
    const groups = new Map((groupsStmt.all(params) as GroupRow[]).map((g) => [g.id, g]));
    for (const r of stmt.iterate(params) as IterableIterator<RawRow>) {
      const g = groups.get(r[0]);
      yield toRow(g, g?.connection_name ?? a.name, r, privileged);
    }
  }
}

function reconcile(db: Db, input: EvidenceInput, written: number, privileged: boolean): Reconciliation[] {
  const { to } = periodParams(input);
  const stmt = db.prepare(countSql(privileged)).pluck();
  let expected = 0;
  for (const a of anchoredConnections(db, to)) expected += stmt.get({ to, c: a.connectionId, gen: a.liveGen }) as number;
  return [{ what: privileged ? 'privileged memberships at period end' : 'memberships at period end', expected, actual: written }];
}

const PERIOD_END_RULE =
  "As of the period's end: for each Okta or Entra connection, the snapshot of its last successful sync finished by then, i.e. the live snapshot with every change recorded by later syncs undone, and with memberships Latchkey itself added or removed after the period's end (the grant ledger) put back as they were. Connections with no sync finished by the period's end, and connections since removed from the workspace, are not included. Names, e-mail and status are as of the period's end where a sync recorded their change; the catalog (roles, risk) is as it is now.";

export const accessSheet: EvidenceSheet = {
  name: 'Access',
  query: 'access-at-period-end',
  description: `Every (account, group) membership in the IdPs at the period's end, with how it was held (direct, group rule, dynamic group, source-managed; the IdP apps the group is assigned to), the catalog role the group is mapped to, and the Latchkey grant in force then with its request and Jira issue, or "${OUTSIDE_THE_PROCESS}" when none was. ${PERIOD_END_RULE} Flagged: memberships held outside the process that were open drift at the period's end (a membership Latchkey had removed that came back, or an expired grant still a member); other memberships without a grant (access that predates Latchkey or is not governed through it) are listed, not flagged. Order: connection, group id, account id.`,
  columns: COLUMNS,
  rows: (input) => streamRows(input.db, input, false),
  reconcile: (input, written) => reconcile(input.db, input, written, false),
};

export const privilegedSheet: EvidenceSheet = {
  name: 'Privileged',
  query: 'privileged-at-period-end',
  description: `Members at the period's end of privileged groups: groups mapped to a catalog role of critical or high risk (the IdPs have no privileged marker on groups, so the catalog's risk tier defines it), with the same columns as Access and the last submitted access-review decision on that membership made by the period's end (decision, reviewer, channel, campaign). ${PERIOD_END_RULE} Flagged as on Access. Order: connection, group id, account id.`,
  columns: PRIVILEGED_COLUMNS,
  rows: (input) => streamRows(input.db, input, true),
  reconcile: (input, written) => reconcile(input.db, input, written, true),
};

/** The statements (for the query-plan test and the bench). */
export const accessSql = { rows: rowsSql, count: countSql };
