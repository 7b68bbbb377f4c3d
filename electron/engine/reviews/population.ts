// The population of a campaign: its scope resolved against the workspace,
// and the frozen copy launch makes of every (account, group membership) in
// scope — with what the reviewer needs as of that moment — in ONE
// INSERT … SELECT over the live snapshot (cur_* views), the grant ledger, the
// requests and approvals, and the catalog (at 1M items nothing else fits in
// the budget; table-owners.ts lists these reads).
//
// Scope: catalog roles and apps (their mapped groups), IdP groups, IdP apps
// (the groups assigned to them), connections (none named: every IdP
// connection; no roles, apps, groups or IdP apps: every membership), people
// filters (department, employment type, status, manager e-mail), with or
// without time-bound memberships (the grant behind it has an end) and
// rule/dynamic/source-managed groups.
//
// The proof (what the evidence workbook shows):
// - row_hash = SHA-256 (hex) of the UTF-8 text of SQLite's
//     json_array('latchkey-review-item', 1, connection_id, identity_id, group_id, group_name,
//       person_name, person_email, person_status, title, department, manager_email, manager_name,
//       employment_type, last_login, account_created, held_via, via_apps, role_id, role_label, risk,
//       app_label, grant_id, request_id, approvers, jira_key, granted_at, expires_at)
//   over the stored column values (NULL as null; via_apps and approvers as the JSON text they are
//   stored as, i.e. a JSON string) — the same as JavaScript's JSON.stringify of that array.
// - population_hash = SHA-256 (hex) of the items' row_hash values, each followed by "\n", in the
//   order (connection_id, group_id, identity_id) compared as numbers / binary strings.
// - population_counts: per connection, the items frozen and the snapshot's own total for the same
//   scope, counted by a different query over the snapshot's base tables at the live generation,
//   with the sync run the data comes from. Launch refuses when the two differ.
import type { CampaignDefinition, PopulationCount, ReviewScope, StaleConnection } from '../../../shared/contract-reviews.js';
import { listRoles, roleGroups } from '../catalog/catalog-store.js';
import { liveGeneration, listConnectionRecords } from '../connections/connections.js';
import type { ConnectionRecord } from '../connectors/types.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { LIVE_GRANT_STATUSES } from '../jobs/grant-store.js';
import { getSyncRun, lastSucceededRun, listSyncRuns } from '../sync/sync-runs.js';
import { dropLaunchInputs, LAUNCH_INPUTS, LAUNCH_JOINS, prepareLaunchInputs } from './launch-inputs.js';
import { endDateSql, isoMs, recommendationParams, recommendationSql } from './recommendations.js';
import { applyRefreshedRecommendations, campaignReasonsForm, insertItemsSelect, itemCountsByConnection, itemWithReviewer, SAME_AS_REASONS } from './item-store.js';
import { canonicalRowSql, FROZEN_COLUMNS, populationHash, registerItemHash } from './population-proof.js';

// The proof's canonical forms live in population-proof.ts; importers of population.ts keep finding them here.
export { canonicalRow, canonicalRowSql, compareUtf8, FROZEN_COLUMNS, populationHash, ROW_HASH_TAG, ROW_HASH_VERSION, sha256Hex, type FrozenColumn } from './population-proof.js';
import { dropReviewerTables, NO_REVIEWER, prepareReviewerTables, reviewerSql, RV, type ScopeAccount, type ScopeGroup, type StageConfig } from './reviewer-assignment.js';

/** A scope resolved against the workspace: the IdP connections and, unless every membership is in scope, the groups. */
export type ScopePlan = {
  connections: ConnectionRecord[];
  /** null: every group of the connections. */
  groups: [number, string][] | null;
  scope: ReviewScope;
};

const IDP_KINDS = new Set(['okta', 'entra']);

/** Resolves the scope's roles, apps, groups and IdP apps into the groups in scope (and checks every reference exists). */
export function resolveScope(db: Db, scope: ReviewScope): ScopePlan {
  const idps = listConnectionRecords(db).filter((c) => IDP_KINDS.has(c.kind));
  for (const id of scope.connectionIds) {
    if (!idps.some((c) => c.id === id)) throw new UserError(`connection #${id} is not an Okta or Entra connection of this workspace`, 'bad-input');
  }
  const connections = scope.connectionIds.length > 0 ? idps.filter((c) => scope.connectionIds.includes(c.id)) : idps;
  const inConn = new Set(connections.map((c) => c.id));
  const anyGroupScope = scope.roleIds.length + scope.appIds.length + scope.groups.length + scope.idpApps.length > 0;
  if (!anyGroupScope) return { connections, groups: null, scope };
  const set = new Map<string, [number, string]>();
  const add = (c: number, g: string): void => {
    if (inConn.has(c)) set.set(`${c}\u0000${g}`, [c, g]);
  };
  const roles = new Map(listRoles(db).map((r) => [r.info.id, r.info]));
  for (const id of scope.roleIds) {
    if (!roles.has(id)) throw new UserError(`catalog role #${id} does not exist`, 'bad-input');
    for (const g of roleGroups(db, id)) add(g.connectionId, g.groupId);
  }
  for (const appId of scope.appIds) {
    const ofApp = [...roles.values()].filter((r) => r.appId === appId);
    if (ofApp.length === 0 && !listRoles(db, { appId }).length && !appExists(db, appId)) throw new UserError(`catalog app #${appId} does not exist`, 'bad-input');
    for (const r of ofApp) for (const g of roleGroups(db, r.id)) add(g.connectionId, g.groupId);
  }
  for (const g of scope.groups) {
    if (!idps.some((c) => c.id === g.connectionId)) throw new UserError(`group ${g.groupId}: connection #${g.connectionId} is not an Okta or Entra connection`, 'bad-input');
    if (!groupExists(db, g.connectionId, g.groupId)) throw new UserError(`group ${g.groupId} is not in connection #${g.connectionId}'s snapshot (sync it, or check the id)`, 'bad-input');
    add(g.connectionId, g.groupId);
  }
  for (const a of scope.idpApps) {
    if (!idps.some((c) => c.id === a.connectionId)) throw new UserError(`app ${a.appId}: connection #${a.connectionId} is not an Okta or Entra connection`, 'bad-input');
    const groups = db.prepare('SELECT group_id FROM cur_app_assignments WHERE connection_id = ? AND app_id = ?').pluck().all(a.connectionId, a.appId) as string[];
    if (groups.length === 0 && !(db.prepare('SELECT 1 FROM cur_apps WHERE connection_id = ? AND id = ?').get(a.connectionId, a.appId) !== undefined)) {
      throw new UserError(`app ${a.appId} is not in connection #${a.connectionId}'s snapshot`, 'bad-input');
    }
    for (const g of groups) add(a.connectionId, g);
  }
  return { connections, groups: [...set.values()].sort((x, y) => x[0] - y[0] || (x[1] < y[1] ? -1 : x[1] > y[1] ? 1 : 0)), scope };
}

/** Ids of a connection's live IdP apps with this label or name (case-insensitive). */
export function idpAppIdsByLabel(db: Db, connectionId: number, label: string): string[] {
  return db.prepare('SELECT id FROM cur_apps WHERE connection_id = ? AND (label = ? COLLATE NOCASE OR name = ? COLLATE NOCASE) ORDER BY id').pluck().all(connectionId, label, label) as string[];
}

function appExists(db: Db, appId: number): boolean {
  return listRoles(db).some((r) => r.info.appId === appId) || db.prepare('SELECT 1 FROM catalog_apps WHERE id = ?').get(appId) !== undefined;
}

function groupExists(db: Db, connectionId: number, groupId: string): boolean {
  return db.prepare('SELECT 1 FROM cur_groups WHERE connection_id = ? AND id = ?').get(connectionId, groupId) !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Staleness

/**
 * Connections in scope whose data is too old (no successful sync finished
 * within `hours` before now — exactly `hours` is still fresh) or whose last
 * finished sync failed.
 */
export function staleConnections(db: Db, connections: readonly ConnectionRecord[], hours: number, now: Date): StaleConnection[] {
  const out: StaleConnection[] = [];
  for (const c of connections) {
    const ok = lastSucceededRun(db, c.id);
    const okRun = ok ? getSyncRun(db, ok.id) : null;
    const lastDone = listSyncRuns(db, { connectionId: c.id, limit: 20 }).find((r) => r.status !== 'running') ?? null;
    const lastSuccessAt = okRun?.finishedAt ?? null;
    const base = { connectionId: c.id, name: c.name, lastSuccessAt, lastStatus: lastDone?.status ?? null };
    if (lastDone?.status === 'failed') out.push({ ...base, why: `the last sync of ${c.name} failed${lastDone.error ? `: ${lastDone.error}` : ''}` });
    else if (!lastSuccessAt) out.push({ ...base, why: `${c.name} has never been synced successfully` });
    else if (now.getTime() - Date.parse(lastSuccessAt) > hours * 3_600_000) out.push({ ...base, why: `${c.name} was last synced ${lastSuccessAt}, more than ${hours} h ago` });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The row source

const LIVE = `(${LIVE_GRANT_STATUSES.map((s) => `'${s}'`).join(', ')})`;

/** Parameters of the population SQL (@scope_*), for a plan. */
export function scopeParamsOf(plan: ScopePlan): Record<string, string | number> {
  const p = plan.scope.people;
  return {
    scope_conns: JSON.stringify(plan.connections.map((c) => c.id)),
    scope_entra: JSON.stringify(plan.connections.filter((c) => c.kind === 'entra').map((c) => c.id)),
    scope_groups: JSON.stringify(plan.groups ?? []),
    scope_all_groups: plan.groups === null ? 1 : 0,
    scope_rule_managed: plan.scope.includeRuleManaged ? 1 : 0,
    scope_time_bound: plan.scope.includeTimeBound ? 1 : 0,
    scope_departments: JSON.stringify(p.departments.map((d) => d.toLowerCase())),
    scope_types: JSON.stringify(p.employmentTypes.map((d) => d.toLowerCase())),
    scope_statuses: JSON.stringify(p.statuses.map((d) => d.toUpperCase())),
    scope_managers: JSON.stringify(p.managerEmails.map((d) => d.toLowerCase())),
  };
}

/** The groups in scope with their held-via, IdP apps and catalog role (lowest role id when several map it). */
const GROUPS_CTE = `
  scope_group AS MATERIALIZED (
    SELECT g.connection_id, g.id AS group_id, g.name AS group_name,
      CASE g.managed_by WHEN 'rule' THEN (CASE WHEN g.connection_id IN (SELECT value FROM json_each(@scope_entra)) THEN 'dynamic-group' ELSE 'group-rule' END)
                        WHEN 'external' THEN 'external' ELSE 'direct' END AS held_via,
      coalesce((SELECT json_group_array(label) || '' FROM (
         SELECT a.label FROM cur_app_assignments x JOIN cur_apps a ON a.connection_id = x.connection_id AND a.id = x.app_id
         WHERE x.connection_id = g.connection_id AND x.group_id = g.id ORDER BY a.label, a.id)), '[]') AS via_apps,
      cr.id AS role_id, ca.name || ' / ' || cr.name AS role_label, cr.risk, ca.name AS app_label
    FROM cur_groups g
    LEFT JOIN catalog_roles cr ON cr.id = (SELECT min(z.role_id) FROM catalog_mappings z WHERE z.connection_id = g.connection_id AND z.group_id = g.id)
    LEFT JOIN catalog_apps ca ON ca.id = cr.app_id
    WHERE g.connection_id IN (SELECT value FROM json_each(@scope_conns))
      AND (@scope_all_groups = 1 OR EXISTS (SELECT 1 FROM json_each(@scope_groups) s WHERE s.value ->> 0 = g.connection_id AND s.value ->> 1 = g.id))
      AND (@scope_rule_managed = 1 OR g.managed_by NOT IN ('rule', 'external'))
  )`;

/** People filters on identity `i` (and its manager `mg`, with `managers`). */
const peopleFilter = (managers = true): string => `
      (json_array_length(@scope_departments) = 0 OR lower(i.department) IN (SELECT value FROM json_each(@scope_departments)))
  AND (json_array_length(@scope_types) = 0 OR lower(i.employee_type) IN (SELECT value FROM json_each(@scope_types)))
  AND (json_array_length(@scope_statuses) = 0 OR upper(i.status) IN (SELECT value FROM json_each(@scope_statuses)))
  ${managers ? 'AND (json_array_length(@scope_managers) = 0 OR lower(mg.email) IN (SELECT value FROM json_each(@scope_managers)))' : ''}`;
const PEOPLE_FILTER = peopleFilter();

/**
 * SELECT of every row in scope: the frozen columns (named as review_items'),
 * the recommendation inputs (rec_*), the peer counts, and the per-account
 * reviewer columns (rv_*: NULL unless the stage chooses per account) — over
 * the launch's input tables (launch-inputs.ts, prepared by prepareReviewers:
 * one row per account in scope, people filters applied). `withInputs` false
 * gives the frozen columns only, with no TEMP table (the bench's baseline).
 */
export function populationRowsSql(withInputs = true): string {
  const common = `sg.held_via, sg.via_apps, sg.role_id, sg.role_label, sg.risk, sg.app_label,
    gr.id AS grant_id, gr.request_id,
    CASE WHEN gr.request_id IS NULL THEN '[]' ELSE coalesce((SELECT json_group_array(decided_by) || '' FROM (
      SELECT a.decided_by FROM approvals a WHERE a.request_id = gr.request_id AND a.status = 'approved' AND a.decided_by IS NOT NULL ORDER BY a.step)), '[]') END AS approvers,
    rq.jira_issue_key AS jira_key, rq.jira_connection_id, coalesce(gr.provisioned_at, gr.starts_at) AS granted_at, gr.expires_at`;
  if (!withInputs) {
    return `
  WITH ${GROUPS_CTE}
  SELECT m.connection_id, m.identity_id, m.group_id, sg.group_name,
    i.display_name AS person_name, lower(i.email) AS person_email, i.status AS person_status, i.title, i.department,
    lower(mg.email) AS manager_email, mg.display_name AS manager_name, i.employee_type AS employment_type, i.last_login, i.created AS account_created,
    ${common}
  FROM scope_group sg
  JOIN cur_memberships m ON m.connection_id = sg.connection_id AND m.group_id = sg.group_id
  JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id
  LEFT JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id
  ${LIVE_GRANT_JOIN}
  WHERE ${PEOPLE_FILTER}
    AND (@scope_time_bound = 1 OR gr.expires_at IS NULL)`;
  }
  // The person's columns come from the account's input row (the same expressions, computed once per account).
  return `
  WITH ${GROUPS_CTE}
  SELECT m.connection_id, m.identity_id, m.group_id, sg.group_name,
    lp.person_name, lp.person_email, lp.person_status, lp.title, lp.department,
    lp.manager_email, lp.manager_name, lp.employment_type, lp.last_login, lp.account_created,
    ${common},
${inputColumnsSql(true)},
    lp.reviewer AS rv_reviewer, lp.reviewer_source AS rv_source, lp.reviewer_note AS rv_note
  FROM scope_group sg
  JOIN cur_memberships m ON m.connection_id = sg.connection_id AND m.group_id = sg.group_id
  ${LAUNCH_JOINS}
  WHERE @scope_time_bound = 1 OR gr.expires_at IS NULL`;
}

/**
 * The recommendation inputs (rec_* columns) over the row's membership `m`
 * (connection_id, group_id, identity_id), identity `i`, live grant `gr`, its
 * request `rq`, and the peer counts `p` and `h` — shared by launch and refresh;
 * launch reads the per-account ones and the expired-grant flag from its input
 * tables (launch-inputs.ts: the same expressions, computed once per account).
 */
function inputColumnsSql(launch = false): string {
  const v = launch
    ? LAUNCH_INPUTS
    : {
        lastLogin: isoMs('i.last_login'),
        created: isoMs('i.created'),
        expiredWithoutLive: `EXISTS (SELECT 1 FROM grants x WHERE x.connection_id = m.connection_id AND x.group_id = m.group_id AND x.identity_id = m.identity_id AND x.status = 'expired')`,
        endDate: `CASE WHEN lower(i.employee_type) IN ('contractor', 'partner') THEN ${isoMs(endDateSql('i.profile'))} END`,
        peerSize: 'p.n',
      };
  return `
    ${v.lastLogin} AS rec_last_login, ${v.created} AS rec_created,
    CASE WHEN gr.id IS NOT NULL THEN (gr.expires_at IS NOT NULL AND ${isoMs('gr.expires_at')} <= @rec_now) ELSE ${v.expiredWithoutLive} END AS rec_expired,
    ${v.endDate} AS rec_end_date,
    ${v.peerSize} AS rec_peer_size, h.n AS rec_peer_holders,
    CASE WHEN gr.id IS NOT NULL THEN (SELECT group_concat(DISTINCT sc.field) FROM sync_changes sc JOIN sync_runs sr ON sr.id = sc.run_id
       WHERE sc.connection_id = m.connection_id AND sc.subject_type = 'user' AND sc.subject_id = m.identity_id AND sc.kind = 'attribute'
         AND sc.field IN ('department', 'manager') AND ${isoMs('sr.started_at')} > ${isoMs('coalesce(gr.provisioned_at, gr.starts_at)')}) END AS rec_moved,
    CASE WHEN rq.status = 'approved' AND ${isoMs('rq.decided_at')} >= @rec_recent_cut THEN rq.id END AS rec_recent_request`;
}

/** Peer group sizes per (connection, department, title) over the connections of @scope_conns; holders per group over `groups` (a CTE of connection_id, group_id). */
function peerCtes(groups: string): string {
  return `peers AS MATERIALIZED (
    SELECT connection_id, department, title, count(*) AS n FROM cur_identities
    WHERE connection_id IN (SELECT value FROM json_each(@scope_conns)) AND department IS NOT NULL AND title IS NOT NULL
    GROUP BY connection_id, department, title
  ), ${holdersCte(groups)}`;
}

function holdersCte(groups: string): string {
  return `holders AS MATERIALIZED (
    SELECT m.connection_id, m.group_id, i.department, i.title, count(*) AS n
    FROM ${groups} sg JOIN cur_memberships m ON m.connection_id = sg.connection_id AND m.group_id = sg.group_id
    JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id
    WHERE i.department IS NOT NULL AND i.title IS NOT NULL
    GROUP BY m.connection_id, m.group_id, i.department, i.title
  )`;
}

const LIVE_GRANT_JOIN = `LEFT JOIN grants gr ON gr.id = (SELECT max(x.id) FROM grants x WHERE x.connection_id = m.connection_id AND x.group_id = m.group_id AND x.identity_id = m.identity_id AND x.status IN ${LIVE})
  LEFT JOIN requests rq ON rq.id = gr.request_id`;
const HOLDERS_JOIN = `LEFT JOIN holders h ON h.connection_id = m.connection_id AND h.group_id = m.group_id AND h.department = i.department AND h.title = i.title`;
const PEER_JOINS = `LEFT JOIN peers p ON p.connection_id = i.connection_id AND p.department = i.department AND p.title = i.title
  ${HOLDERS_JOIN}`;

// ---------------------------------------------------------------------------------------------
// Reviewer preparation and the insert

/** Every account of the connections in scope, with its own manager (for the manager and named rules). */
function scopeAccounts(db: Db, plan: ScopePlan): ScopeAccount[] {
  const rows = db
    .prepare(
      `SELECT i.connection_id, i.id, i.display_name, i.email, i.manager_id, mg.display_name, coalesce(mg.email, CASE WHEN mg.login LIKE '%@%' THEN mg.login END), mg.status
       FROM cur_identities i
       LEFT JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id
       WHERE i.connection_id IN (SELECT value FROM json_each(?))`,
    )
    .raw()
    .all(JSON.stringify(plan.connections.map((c) => c.id))) as [number, string, string, string | null, string | null, string | null, string | null, string | null][];
  return rows.map(([connectionId, identityId, name, email, managerId, managerName, managerEmail, managerStatus]) => ({ connectionId, identityId, name, email, managerId, managerName, managerEmail, managerStatus }));
}

function scopeGroups(db: Db, plan: ScopePlan): ScopeGroup[] {
  return (db.prepare(`WITH ${GROUPS_CTE} SELECT connection_id, group_id, role_id FROM scope_group`).all(scopeParamsOf(plan)) as { connection_id: number; group_id: string; role_id: number | null }[]).map(
    (g) => ({ connectionId: g.connection_id, groupId: g.group_id, roleId: g.role_id }),
  );
}

/** Fills the reviewer and recommendation-input TEMP tables for the plan and stage (the launch's insert and the preview join them; dropLaunchTables drops them). */
export function prepareReviewers(db: Db, plan: ScopePlan, stage: StageConfig, fallback: string): void {
  const needsAccounts = stage.kind === 'manager' || stage.kind === 'named';
  prepareReviewerTables(db, stage, fallback, needsAccounts ? scopeAccounts(db, plan) : [], needsAccounts ? [] : scopeGroups(db, plan));
  prepareLaunchInputs(db, scopeParamsOf(plan), PEOPLE_FILTER, needsAccounts ? RV.byIdentity : null, `WITH ${GROUPS_CTE}`);
}

export function dropLaunchTables(db: Db): void {
  dropReviewerTables(db);
  dropLaunchInputs(db);
}

/**
 * Keeps a subquery a subquery: SQLite flattens a FROM-subquery into its outer
 * query by substituting each column's expression wherever it is used, so a
 * recommendation input used in five reasons would be evaluated five times per
 * row (and an EXISTS with it). A subquery with an OFFSET is never flattened
 * (it runs as a co-routine, nothing materialised).
 */
const NO_FLATTEN = 'LIMIT -1 OFFSET 0';

/** The recommendation over a row source `r` with the rec_* inputs (launch and the refresh after sync read the same columns). */
const recommendationOfRows = (): ReturnType<typeof recommendationSql> =>
  recommendationSql({
    status: 'r.person_status',
    lastLogin: 'r.rec_last_login',
    created: 'r.rec_created',
    grantId: 'r.grant_id',
    expiredGrant: 'r.rec_expired',
    employmentType: 'r.employment_type',
    endDate: 'r.rec_end_date',
    peerSize: 'r.rec_peer_size',
    peerHolders: 'r.rec_peer_holders',
    moved: 'r.rec_moved',
    risk: 'r.risk',
    recentRequest: 'r.rec_recent_request',
  });

/** The full row SELECT with the reviewer and recommendation columns (over prepared reviewer tables); the reasons in the codes form (reason-codes.ts). */
export function decoratedRowsSql(stage: StageConfig): string {
  const rv = reviewerSql(stage.kind, 'r.connection_id', 'r.identity_id', 'r.group_id', 'r');
  const rec = recommendationOfRows();
  return `SELECT r.*, ${rv.reviewer} AS reviewer, ${rv.source} AS reviewer_source, ${rv.note} AS reviewer_note,
      ${rec.recommendation} AS recommendation, ${rec.reasonCodes} AS reasons, ${rec.peerPct} AS peer_pct
    FROM (${populationRowsSql(true)} ${NO_FLATTEN}) r ${rv.joins}`;
}

/**
 * Where a launch is: its thread opened the file (launch-thread.ts), reviewers and inputs being prepared,
 * items being written (done of total), the proof being computed, the transaction committed (launch-thread.ts).
 */
export type LaunchProgress = { phase: 'opened' | 'reviewers' | 'items' | 'proof' | 'committed'; done: number; total: number };

export type LaunchParams = { campaignId: number; definition: CampaignDefinition; plan: ScopePlan; now: Date };

/**
 * Inserts the frozen population of a campaign (inside the caller's
 * transaction) and returns its proof. Refuses when an item has no possible
 * reviewer or when the counts do not reconcile with the snapshot.
 */
export function insertPopulation(db: Db, p: LaunchParams, progress?: (p: LaunchProgress) => void): { count: number; hash: string; counts: PopulationCount[] } {
  // The snapshot's own totals first: the other side of the reconciliation, and the progress's total.
  const totals = snapshotTotals(db, p.plan);
  const total = [...totals.values()].reduce((a, b) => a + b, 0);
  progress?.({ phase: 'reviewers', done: 0, total });
  const itemHash = registerItemHash(db, progress ? (n) => progress({ phase: 'items', done: n, total }) : undefined);
  const stage: StageConfig = { kind: p.definition.reviewers.stage1.kind, named: p.definition.reviewers.stage1.named };
  prepareReviewers(db, p.plan, stage, p.definition.reviewers.fallback);
  progress?.({ phase: 'items', done: 0, total });
  const cols = [...FROZEN_COLUMNS];
  const inserted = insertItemsSelect(
    db,
    ['campaign_id', ...cols, 'row_hash', 'peer_pct', 'recommendation', 'reasons', 'launch_recommendation', 'launch_reasons', 'stage', 'reviewer', 'reviewer_source', 'reviewer_note'],
    `SELECT @campaign_id, ${cols.map((c) => `d.${c}`).join(', ')}, latchkey_item_hash(${canonicalRowSql('d')}, d.connection_id, d.group_id, d.identity_id), d.peer_pct, d.recommendation, d.reasons, d.recommendation, '${SAME_AS_REASONS}', 1, d.reviewer, d.reviewer_source, d.reviewer_note
     FROM (${decoratedRowsSql(stage)} ${NO_FLATTEN}) d`,
    { ...scopeParamsOf(p.plan), ...recommendationParams(p.definition.thresholds, p.now), campaign_id: p.campaignId },
    total,
  );
  dropLaunchTables(db);
  const orphan = itemWithReviewer(db, p.campaignId, NO_REVIEWER);
  if (orphan) {
    throw new UserError(
      `nobody can review ${orphan.person_name}${orphan.person_email ? ` <${orphan.person_email}>` : ''} in ${orphan.group_name}: the fallback reviewer is that person and has no manager; choose another fallback`,
      'bad-input',
    );
  }
  // The items per connection as the insert's own rows counted them when every inserted row went through the count (SQLite's
  // changes agree), else read back; the snapshot's side stays the independent query above.
  const items = itemHash.rows() === inserted ? itemHash.byConnection() : itemCountsByConnection(db, p.campaignId);
  const counts = reconcile(db, p.plan, items, totals);
  const count = counts.reduce((n, c) => n + c.items, 0);
  progress?.({ phase: 'proof', done: count, total });
  // The hash folded in during the insert, when every inserted row went through it in canonical order; else the sorted pass.
  const folded = itemHash.rows() === count ? itemHash.populationHash() : null;
  if (process.env.LATCHKEY_DEBUG_POPULATION_HASH) process.stderr.write(`population hash: ${folded ? 'folded in the insert' : 'sorted pass'}\n`);
  return { count, hash: folded ?? populationHash(db, p.campaignId), counts };
}


/**
 * The snapshot's own total for the scope, per connection: a different query
 * from the launch's (the base tables at the connection's live generation read
 * from connections.live_gen, not the cur_* views; no catalog, ledger or
 * reviewer joins), so a fault in either shows as a difference.
 */
export function snapshotTotals(db: Db, plan: ScopePlan): Map<number, number> {
  const out = new Map<number, number>();
  const params = scopeParamsOf(plan);
  // The manager's row only when the scope filters on it (a lookup per membership otherwise spent on nothing: the join cannot add or drop a row).
  const managers = plan.scope.people.managerEmails.length > 0;
  const stmt = db.prepare(
    `SELECT count(*) FROM groups g
     JOIN memberships m ON m.connection_id = g.connection_id AND m.gen = g.gen AND m.group_id = g.id
     JOIN identities i ON i.connection_id = m.connection_id AND i.gen = m.gen AND i.id = m.identity_id
     ${managers ? 'LEFT JOIN identities mg ON mg.connection_id = i.connection_id AND mg.gen = i.gen AND mg.id = i.manager_id' : ''}
     WHERE g.connection_id = @conn AND g.gen = @gen
       AND (@scope_all_groups = 1 OR g.id IN (SELECT s.value ->> 1 FROM json_each(@scope_groups) s WHERE s.value ->> 0 = @conn))
       AND (@scope_rule_managed = 1 OR g.managed_by NOT IN ('rule', 'external'))
       AND ${peopleFilter(managers)}
       AND (@scope_time_bound = 1 OR NOT EXISTS (SELECT 1 FROM grants t WHERE t.connection_id = m.connection_id AND t.group_id = m.group_id AND t.identity_id = m.identity_id
             AND t.status IN ${LIVE} AND t.expires_at IS NOT NULL
             AND t.id = (SELECT max(u.id) FROM grants u WHERE u.connection_id = t.connection_id AND u.group_id = t.group_id AND u.identity_id = t.identity_id AND u.status IN ${LIVE})))`,
  );
  for (const c of plan.connections) {
    const gen = liveGeneration(db, c.id);
    out.set(c.id, gen === null ? 0 : (stmt.pluck().get({ ...params, conn: c.id, gen }) as number));
  }
  return out;
}

function reconcile(db: Db, plan: ScopePlan, items: Map<number, number>, totals: Map<number, number>): PopulationCount[] {
  const out: PopulationCount[] = plan.connections.map((c) => {
    const ok = lastSucceededRun(db, c.id);
    return { connectionId: c.id, name: c.name, items: items.get(c.id) ?? 0, snapshotTotal: totals.get(c.id) ?? 0, syncRunId: ok?.id ?? null, syncedAt: ok ? (getSyncRun(db, ok.id)?.finishedAt ?? null) : null };
  });
  const off = out.filter((c) => c.items !== c.snapshotTotal);
  if (off.length > 0) {
    throw new UserError(`the population does not reconcile with the snapshot: ${off.map((c) => `${c.name} ${c.items} items, snapshot ${c.snapshotTotal}`).join('; ')} — nothing was launched`, 'failed');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Refresh after a sync

const REFRESH_TABLE = 'temp.review_refresh';

/**
 * Recomputes the recommendations of a campaign's items on `connectionIds`
 * from the live snapshot and ledger (the frozen columns stay as launched; a
 * membership gone from the snapshot keeps its last inputs but an account gone
 * counts as deprovisioned), writes the changed ones and returns how many.
 * The reasons are written in the form the campaign's items hold (reason-codes.ts:
 * JSON for campaigns launched before the codes form), so comparing the stored
 * text tells a change, and "changed since launch" compares like with like.
 */
export function refreshCampaignRecommendations(db: Db, campaignId: number, connectionIds: readonly number[], definition: CampaignDefinition, now: Date): number {
  const rec = recommendationOfRows();
  const reasons = campaignReasonsForm(db, campaignId) === 'json' ? rec.reasons : rec.reasonCodes;
  db.exec(`DROP TABLE IF EXISTS ${REFRESH_TABLE}; CREATE TABLE ${REFRESH_TABLE} (id INTEGER PRIMARY KEY, recommendation TEXT NOT NULL, reasons TEXT NOT NULL, peer_pct REAL)`);
  try {
    db.prepare(
      `INSERT INTO ${REFRESH_TABLE} (id, recommendation, reasons, peer_pct)
       WITH m AS MATERIALIZED (SELECT id, connection_id, group_id, identity_id, risk, employment_type AS frozen_type FROM review_items
              WHERE campaign_id = @campaign AND connection_id IN (SELECT value FROM json_each(@scope_conns))),
            item_groups AS MATERIALIZED (SELECT DISTINCT connection_id, group_id FROM m),
            ${peerCtes('item_groups')}
       SELECT r.id, ${rec.recommendation}, ${reasons}, ${rec.peerPct} FROM (
         SELECT m.id, coalesce(i.status, 'DEPROVISIONED') AS person_status, coalesce(i.employee_type, m.frozen_type) AS employment_type, m.risk, gr.id AS grant_id,
           ${inputColumnsSql()}
         FROM m
         LEFT JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id
         ${LIVE_GRANT_JOIN}
         ${PEER_JOINS}
         ${NO_FLATTEN}
       ) r`,
    ).run({ campaign: campaignId, scope_conns: JSON.stringify(connectionIds), ...recommendationParams(definition.thresholds, now) });
    return applyRefreshedRecommendations(db, REFRESH_TABLE, now);
  } finally {
    db.exec(`DROP TABLE IF EXISTS ${REFRESH_TABLE}`);
  }
}
