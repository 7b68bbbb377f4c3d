// The snapshot as it stood at the period's end, rebuilt in SQL from the live
// snapshot and the history kept beside it. The snapshot keeps one generation
// per connection (older ones are purged after each flip), so "at period end"
// is the live generation with the changes recorded after that instant undone:
//
// - A connection's period-end run is its last successful sync that finished
//   at or before the period's end (@to). A connection with none had no
//   snapshot then and is left out (the sheets' descriptions say so).
// - Changes "after" are those of the connection's runs not finished by @to
//   (finished later, or still running). For each key the FIRST change after
//   @to tells the state at @to: a membership whose first later change is an
//   add was not there; one whose first later change is a remove was; a user
//   whose first later existence row is a joiner did not exist; a tracked
//   field's value at @to is the `before` of its first later change.
// - Latchkey's own membership changes between syncs (provisioning and
//   revocation jobs patch the live generation: sync/live-snapshot.ts) never
//   reach sync_changes, so the grant ledger supplies them: a membership whose
//   grant was provisioned after @to (and none ended after it) was not there;
//   one whose grant was revoked or expired after @to, having been provisioned
//   by then, was (unless the job found nothing to change: jobs.result).
// - Untracked fields (name, login, location, created, last sign-in, the
//   person correlation, the catalog) are as the live snapshot holds them now.
//
// Timestamps in the workspace are ISO 8601 with milliseconds and 'Z'
// (toISOString), so text comparison is time order; @to is normalised to that
// form by periodParams.
import type { Db } from '../db/database.js';
import type { EvidenceInput } from './sheet-types.js';

/** The IdP connections the snapshot sheets cover. */
export const IDP_KINDS_SQL = "('okta', 'entra')";

/** ISO 8601 UTC with milliseconds: the form every workspace timestamp is written in. */
export function isoInstant(s: string): string {
  const t = Date.parse(s);
  if (!Number.isFinite(t)) throw new Error(`not an instant: ${s}`);
  return new Date(t).toISOString();
}

/** The named parameters of the period-end SQL. */
export function periodParams(input: Pick<EvidenceInput, 'from' | 'to'>): { from: string; to: string } {
  return { from: isoInstant(input.from), to: isoInstant(input.to) };
}

/** Per tracked user field: the sync_changes field name and the identities column. */
const USER_FIELDS = [
  { f: 'department', col: 'department' },
  { f: 'title', col: 'title' },
  { f: 'manager', col: 'manager_id' },
  { f: 'email', col: 'email' },
  { f: 'employeeType', col: 'employee_type' },
] as const;

/**
 * anchor: per IdP connection with a period-end run, that run (id, finished at, its recorded totals).
 * later: the runs whose changes happened after @to.
 */
export const ANCHOR_CTES = `
anchor AS MATERIALIZED (
  SELECT c.id AS connection_id, c.name AS connection_name, c.kind, c.live_gen, r.id AS run_id, r.finished_at AS run_at,
    r.users AS run_users, r.memberships AS run_memberships
  FROM connections c
  JOIN sync_runs r ON r.id = (SELECT max(x.id) FROM sync_runs x WHERE x.connection_id = c.id AND x.status = 'succeeded' AND x.finished_at <= @to)
  WHERE c.kind IN ${IDP_KINDS_SQL}
),
later AS MATERIALIZED (
  SELECT x.id FROM sync_runs x
  WHERE x.connection_id IN (SELECT connection_id FROM anchor) AND (x.finished_at IS NULL OR x.finished_at > @to)
)`;

/**
 * u_at: per user changed after @to, what @to looked like: joined_after (did
 * not exist), removed_after (existed, gone now), and h_<f>/<f> per tracked
 * field (h_ = 1 when the value at @to differs from the live one's source).
 */
export const USER_CTES = `
u_first AS MATERIALIZED (
  SELECT connection_id, subject_id AS id, coalesce(field, 'status') AS f, min(seq) AS seq, kind, field IS NULL AS existence, before, subject_name
  FROM sync_changes WHERE run_id IN (SELECT id FROM later) AND subject_type = 'user' AND object_id IS NULL
  GROUP BY connection_id, subject_id, coalesce(field, 'status')
),
u_at AS MATERIALIZED (
  SELECT connection_id, id,
    coalesce(max(CASE WHEN f = 'status' THEN existence AND kind = 'joiner' END), 0) AS joined_after,
    coalesce(max(CASE WHEN f = 'status' THEN existence AND kind = 'leaver' END), 0) AS removed_after,
    max(CASE WHEN f = 'status' THEN subject_name END) AS name,
    max(f = 'status') AS h_status, max(CASE WHEN f = 'status' THEN before END) AS status,
    ${USER_FIELDS.map((x) => `max(f = '${x.f}') AS h_${x.col}, max(CASE WHEN f = '${x.f}' THEN before END) AS ${x.col}`).join(',\n    ')}
  FROM u_first GROUP BY connection_id, id
)`;

/** A tracked user column at @to, for live identity `i` with its u_at row `ua` (LEFT JOINed). */
export const userAt = (col: 'status' | (typeof USER_FIELDS)[number]['col'], i = 'i', ua = 'ua'): string =>
  `CASE WHEN ${ua}.h_${col} = 1 THEN ${ua}.${col} ELSE ${i}.${col} END`;

/**
 * g_at: every group at @to (live ones not added after it, and ones removed
 * since, named as the removal recorded them), with its name and management
 * at @to (managed_by NULL: removed since, management not recorded).
 */
export const GROUP_CTES = `
g_first AS MATERIALIZED (
  SELECT connection_id, subject_id AS id, coalesce(field, 'type') AS f, min(seq) AS seq, kind, field IS NULL AS existence, before, subject_name
  FROM sync_changes WHERE run_id IN (SELECT id FROM later) AND subject_type = 'group'
  GROUP BY connection_id, subject_id, coalesce(field, 'type')
),
g_x AS MATERIALIZED (
  SELECT connection_id, id,
    coalesce(max(CASE WHEN f = 'type' THEN existence AND kind = 'group-added' END), 0) AS added_after,
    coalesce(max(CASE WHEN f = 'type' THEN existence AND kind = 'group-removed' END), 0) AS removed_after,
    max(CASE WHEN f = 'type' THEN subject_name END) AS removed_name,
    max(f = 'name') AS h_name, max(CASE WHEN f = 'name' THEN before END) AS name,
    max(f = 'managedBy') AS h_managed_by, max(CASE WHEN f = 'managedBy' THEN before END) AS managed_by
  FROM g_first GROUP BY connection_id, id
),
g_at AS MATERIALIZED (
  SELECT g.connection_id, g.id, CASE WHEN x.h_name = 1 THEN x.name ELSE g.name END AS name,
    CASE WHEN x.h_managed_by = 1 THEN x.managed_by ELSE g.managed_by END AS managed_by
  FROM anchor a JOIN groups g ON g.connection_id = a.connection_id AND g.gen = a.live_gen
  LEFT JOIN g_x x ON x.connection_id = g.connection_id AND x.id = g.id
  WHERE coalesce(x.added_after, 0) = 0
  UNION ALL
  SELECT x.connection_id, x.id, CASE WHEN x.h_name = 1 THEN x.name ELSE x.removed_name END, NULL
  FROM g_x x WHERE x.removed_after = 1
    AND NOT EXISTS (SELECT 1 FROM anchor a JOIN groups g ON g.connection_id = a.connection_id AND g.gen = a.live_gen WHERE g.connection_id = x.connection_id AND g.id = x.id)
)`;

/** 1 when grant `g`'s job of this kind succeeded without changing the IdP ("already a member" / "already removed"). */
const unchanged = (kind: 'provision' | 'revoke'): string =>
  `EXISTS (SELECT 1 FROM jobs j WHERE j.grant_id = g.id AND j.kind = '${kind}' AND j.status = 'succeeded' AND json_extract(j.result, '$.changed') = 0)`;

/**
 * m_first: per membership changed by a sync after @to, its first change.
 * l_after: per membership Latchkey changed after @to (the ledger): removed
 * (a grant held at @to ended after it) and added (a grant provisioned after
 * it), each only when its job changed the IdP (an add that found the person
 * already a member says nothing about @to's absence).
 */
export const MEMBERSHIP_CTES = `
m_first AS MATERIALIZED (
  SELECT connection_id, object_id AS group_id, subject_id AS identity_id, min(seq) AS seq, kind
  FROM sync_changes WHERE run_id IN (SELECT id FROM later) AND kind IN ('membership-add', 'membership-remove')
  GROUP BY connection_id, object_id, subject_id
),
l_after AS MATERIALIZED (
  SELECT g.connection_id, g.group_id, g.identity_id,
    max(g.status IN ('revoked', 'expired') AND g.ended_at > @to AND g.provisioned_at <= @to AND NOT ${unchanged('revoke')}) AS removed,
    max(g.provisioned_at > @to AND NOT ${unchanged('provision')}) AS added
  FROM grants g WHERE (g.provisioned_at > @to OR g.ended_at > @to) AND g.identity_id != '' AND g.connection_id IN (SELECT connection_id FROM anchor)
  GROUP BY g.connection_id, g.group_id, g.identity_id
)`;

/** 1 when the live membership `m` (with its LEFT JOINed m_first `mf` and l_after `lf`) was not there at @to. */
export const ABSENT_AT_END = `coalesce(mf.kind = 'membership-add', lf.added = 1 AND lf.removed = 0, 0)`;

/**
 * The live memberships of connection @c (live generation @gen), alias m, with
 * mf and lf joined: one connection per statement, so the rows come in the
 * primary key's order (group, account) without a sort.
 */
export const LIVE_MEMBERSHIPS = `memberships m
  LEFT JOIN m_first mf ON mf.connection_id = m.connection_id AND mf.group_id = m.group_id AND mf.identity_id = m.identity_id
  LEFT JOIN l_after lf ON lf.connection_id = m.connection_id AND lf.group_id = m.group_id AND lf.identity_id = m.identity_id`;
export const LIVE_MEMBERSHIPS_WHERE = 'm.connection_id = @c AND m.gen = @gen';

/** The period-end run of every IdP connection that has one, in connection order. */
export function anchoredConnections(db: Db, to: string): { connectionId: number; liveGen: number; name: string; runId: number; runUsers: number }[] {
  return db
    .prepare(`WITH ${ANCHOR_CTES} SELECT connection_id AS connectionId, live_gen AS liveGen, connection_name AS name, run_id AS runId, run_users AS runUsers FROM anchor ORDER BY connection_id`)
    .all({ to }) as { connectionId: number; liveGen: number; name: string; runId: number; runUsers: number }[];
}

/** Memberships of connection @c there at @to but not in its live generation @gen: keys (connection_id, group_id, identity_id). */
export const GONE_MEMBERSHIPS = `
  SELECT k.connection_id, k.group_id, k.identity_id FROM (
    SELECT connection_id, group_id, identity_id FROM m_first WHERE kind = 'membership-remove'
    UNION
    SELECT lf.connection_id, lf.group_id, lf.identity_id FROM l_after lf
    WHERE lf.removed = 1 AND NOT EXISTS (SELECT 1 FROM m_first mf WHERE mf.connection_id = lf.connection_id AND mf.group_id = lf.group_id AND mf.identity_id = lf.identity_id)
  ) k
  WHERE k.connection_id = @c
    AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.connection_id = @c AND m.gen = @gen AND m.group_id = k.group_id AND m.identity_id = k.identity_id)`;
