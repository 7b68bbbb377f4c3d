// Reading snapshot history: the changes sync runs recorded (sync_changes),
// one run's or the newest across runs, and the NET difference between two
// runs of a connection.
//
// A diff composes the changes of the runs in (from, to]: per key, the first
// row's `before` and the last row's `after`. Keys:
// - a link (membership, app assignment): (subject, group). Added then removed
//   is nothing; removed then added again is nothing.
// - an object's existence together with its "primary" field (a user's
//   status, a group's type, an app's status), because joiner/leaver and
//   added/removed rows carry that value: joiner ACTIVE then suspended nets to
//   a joiner SUSPENDED; leaver then joiner with the same status is nothing;
//   ACTIVE -> SUSPENDED -> ACTIVE is nothing; ACTIVE -> SUSPENDED ->
//   DEPROVISIONED is one leaver (change-rules' statusChangeKind, recomputed).
// - every other tracked field: (subject, field), dropped when the value comes
//   back to where it started, or when the object did not exist at one end (a
//   joiner's later title change is part of the joiner).
// It runs as GROUP BY over the run range in SQL (min/max seq per key), so a
// year of history is sorted by SQLite, never loaded into memory; only the
// requested page comes back.
import type { ChangesQuery, DiffQuery } from '../../../shared/contract.js';
import type { ChangeCounts, ChangeKind, Page, RunDiff, SnapshotChange } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { inClause, searchClause, whereSql } from '../db/query-kit.js';
import { EXISTENCE_PAIRS, LEAVER_STATUSES } from './change-rules.js';

type ChangeRow = {
  seq: number;
  run_id: number;
  connection_id: number;
  kind: ChangeKind;
  subject_type: 'user' | 'group' | 'app';
  subject_id: string;
  subject_name: string | null;
  object_id: string | null;
  object_name: string | null;
  field: string | null;
  before: string | null;
  after: string | null;
};

const COLUMNS = 'seq, run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name, field, before, after';
/** What the search box looks in: names, ids, the field and both values. */
const SEARCHED = ['subject_name', 'subject_id', 'object_name', 'object_id', 'field', 'before', 'after'] as const;

function toChange(r: ChangeRow): SnapshotChange {
  return {
    seq: r.seq,
    runId: r.run_id,
    connectionId: r.connection_id,
    kind: r.kind,
    subjectType: r.subject_type,
    subjectId: r.subject_id,
    subjectName: r.subject_name,
    objectId: r.object_id,
    objectName: r.object_name,
    field: r.field,
    before: r.before,
    after: r.after,
  };
}

type RunRow = { id: number; connection_id: number; connection_name: string; status: 'running' | 'succeeded' | 'failed'; started_at: string; finished_at: string | null; baseline: number };

function getRun(db: Db, id: number): RunRow {
  const run = db
    .prepare(
      `SELECT r.id, r.connection_id, c.name AS connection_name, r.status, r.started_at, r.finished_at, r.baseline
       FROM sync_runs r JOIN connections c ON c.id = r.connection_id WHERE r.id = ?`,
    )
    .get(id) as RunRow | undefined;
  if (!run) throw new UserError(`no sync run #${id}`, 'not-found');
  return run;
}

/** Filters shared by both queries, over a relation with sync_changes' columns; `kind` left out for the counts. */
function filters(q: { kind: readonly ChangeKind[]; search: string }): { where: string[]; params: unknown[]; kindWhere: string | null } {
  const s = searchClause(SEARCHED, q.search);
  return { where: s.sql, params: s.params, kindWhere: q.kind.length > 0 ? inClause('kind', q.kind) : null };
}

function countsOf(rows: readonly { kind: ChangeKind; n: number }[], kinds: readonly ChangeKind[]): { counts: ChangeCounts; total: number } {
  const counts: ChangeCounts = {};
  let total = 0;
  for (const r of rows) {
    counts[r.kind] = r.n;
    if (kinds.length === 0 || kinds.includes(r.kind)) total += r.n;
  }
  return { counts, total };
}

/**
 * Recorded changes, newest first: one run's (`runId`), or across runs
 * (optionally of one connection). `counts` are per kind for the same filters
 * without the kind filter, so a filter menu can show what each kind would give.
 */
export function listChanges(db: Db, q: ChangesQuery): Page<SnapshotChange> & { counts: ChangeCounts } {
  const scope: string[] = [];
  const scopeParams: unknown[] = [];
  if (q.runId !== undefined) {
    getRun(db, q.runId);
    scope.push('run_id = ?');
    scopeParams.push(q.runId);
  }
  if (q.connectionId !== undefined) {
    scope.push('connection_id = ?');
    scopeParams.push(q.connectionId);
  }
  const f = filters(q);
  const base = [...scope, ...f.where];
  const baseParams = [...scopeParams, ...f.params];
  const grouped = db.prepare(`SELECT kind, count(*) AS n FROM sync_changes ${whereSql(base)} GROUP BY kind`).all(...baseParams) as {
    kind: ChangeKind;
    n: number;
  }[];
  const { counts, total } = countsOf(grouped, q.kind);
  const where = f.kindWhere ? [...base, f.kindWhere] : base;
  const rows =
    total === 0
      ? []
      : (db
          .prepare(`SELECT ${COLUMNS} FROM sync_changes ${whereSql(where)} ORDER BY seq DESC LIMIT ? OFFSET ?`)
          .all(...baseParams, ...q.kind, q.limit, q.offset) as ChangeRow[]);
  return { total, offset: q.offset, rows: rows.map(toChange), counts };
}

const sqlList = (xs: readonly string[]): string => `(${xs.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')})`;
const OBJECT_TYPES = ['user', 'group', 'app'] as const;
const ADD_KINDS = sqlList(OBJECT_TYPES.map((t) => EXISTENCE_PAIRS[t]!.add));
const REMOVE_KINDS = sqlList(OBJECT_TYPES.map((t) => EXISTENCE_PAIRS[t]!.remove));
const LEAVERS = sqlList([...LEAVER_STATUSES]);
/** The field an object's existence rows carry as before/after (see snapshot-patch: joiner after = status, group-added after = type). */
const PRIMARY_FIELD = `CASE subject_type WHEN 'group' THEN 'type' ELSE 'status' END`;
const isAdd = (x: string): string => `(${x}.field IS NULL AND ${x}.kind IN ${ADD_KINDS})`;
const isRemove = (x: string): string => `(${x}.field IS NULL AND ${x}.kind IN ${REMOVE_KINDS})`;

/**
 * The composed changes of runs (@from, @to] of connection @c, one row per
 * key that still differs, with the columns of sync_changes (seq and run of
 * the key's last change, its latest names).
 */
const NET = `
WITH w AS (
  SELECT seq, subject_type, subject_id, IFNULL(object_id, '') AS oid,
    CASE WHEN object_id IS NOT NULL THEN '' WHEN field IS NULL OR field = ${PRIMARY_FIELD} THEN '~' ELSE field END AS k
  -- the run range from the run index; +connection_id keeps the planner off the per-subject index,
  -- which would read the connection's whole history
  FROM sync_changes WHERE run_id > @from AND run_id <= @to AND +connection_id = @c
),
g AS (
  SELECT k, subject_type, subject_id, min(seq) AS f, max(seq) AS l,
    -- the subject's newest row in the range, for its latest name
    max(max(seq)) OVER (PARTITION BY subject_type, subject_id) AS n
  FROM w GROUP BY subject_type, subject_id, oid, k
),
ex AS (
  SELECT subject_type, subject_id, min(seq) AS f, max(seq) AS l FROM sync_changes
  WHERE run_id > @from AND run_id <= @to AND +connection_id = @c AND object_id IS NULL AND field IS NULL
  GROUP BY subject_type, subject_id
),
c AS (
  SELECT g.k, L.seq, L.run_id, L.connection_id, L.subject_type, L.subject_id, N.subject_name, L.object_id, L.object_name,
    F.kind AS f_kind, L.kind AS l_kind, F.before AS f_before, L.after AS l_after, L.field AS l_field,
    NOT ${isAdd('F')} AS existed, NOT ${isRemove('L')} AS exists_now,
    ex.f IS NULL OR (${isRemove('EF')} AND ${isAdd('EL')}) AS both_ends
  FROM g JOIN sync_changes F ON F.seq = g.f JOIN sync_changes L ON L.seq = g.l JOIN sync_changes N ON N.seq = g.n
  LEFT JOIN ex ON g.k NOT IN ('', '~') AND ex.subject_type = g.subject_type AND ex.subject_id = g.subject_id
  LEFT JOIN sync_changes EF ON EF.seq = ex.f
  LEFT JOIN sync_changes EL ON EL.seq = ex.l
),
net AS (
  -- links: added and still there, or removed and still gone
  SELECT seq, run_id, connection_id, l_kind AS kind, subject_type, subject_id, subject_name, object_id, object_name,
    NULL AS field, NULL AS before, NULL AS after
  FROM c WHERE k = '' AND f_kind = l_kind
  UNION ALL
  -- existence and the primary field
  SELECT seq, run_id, connection_id,
    CASE WHEN NOT existed THEN f_kind WHEN NOT exists_now THEN l_kind
      WHEN subject_type = 'user' THEN CASE WHEN l_after IN ${LEAVERS} AND f_before NOT IN ${LEAVERS} THEN 'leaver' ELSE 'status' END
      WHEN subject_type = 'group' THEN 'group-changed' ELSE 'app-changed' END,
    subject_type, subject_id, subject_name, object_id, object_name,
    CASE WHEN existed AND exists_now THEN ${PRIMARY_FIELD} END,
    CASE WHEN existed THEN f_before END,
    CASE WHEN exists_now THEN l_after END
  FROM c WHERE k = '~' AND (existed OR exists_now) AND NOT (existed AND exists_now AND f_before IS l_after)
  UNION ALL
  -- other fields, while the object existed at both ends
  SELECT seq, run_id, connection_id, l_kind, subject_type, subject_id, subject_name, object_id, object_name, l_field, f_before, l_after
  FROM c WHERE k NOT IN ('', '~') AND both_ends AND f_before IS NOT l_after
)`;

type ValidRange = { from: RunRow; to: RunRow; params: { from: number; to: number; c: number } };

/** The two runs of a diff, checked: same connection, older first, both with a snapshot, not before history starts. */
function diffRange(db: Db, q: { fromRunId: number; toRunId: number }): ValidRange {
  const from = getRun(db, q.fromRunId);
  const to = getRun(db, q.toRunId);
  if (from.connection_id !== to.connection_id) {
    throw new UserError(
      `run #${from.id} is of "${from.connection_name}" and run #${to.id} of "${to.connection_name}": a diff compares two runs of the same connection`,
      'bad-input',
    );
  }
  if (from.id === to.id) throw new UserError(`run #${from.id} compared with itself: give two different runs, the older first`, 'bad-input');
  if (from.id > to.id) throw new UserError(`run #${from.id} is newer than run #${to.id}: give the older run first (#${to.id} #${from.id})`, 'bad-input');
  for (const r of [from, to]) {
    if (r.status === 'failed') throw new UserError(`run #${r.id} failed: it left no snapshot to compare`, 'bad-input');
    if (r.status === 'running') throw new UserError(`run #${r.id} is still running: its snapshot is not complete`, 'bad-input');
  }
  const baseline = db.prepare('SELECT max(id) FROM sync_runs WHERE connection_id = ? AND baseline = 1 AND id <= ?').pluck().get(from.connection_id, to.id) as
    | number
    | null;
  if (baseline !== null && from.id < baseline) {
    throw new UserError(`run #${from.id} is older than "${from.connection_name}"'s first snapshot (run #${baseline}): history starts there`, 'bad-input');
  }
  return { from, to, params: { from: from.id, to: to.id, c: from.connection_id } };
}

function diffHead(r: ValidRange, counts: ChangeCounts, total: number, offset: number): Omit<RunDiff, 'rows'> {
  return {
    connectionId: r.from.connection_id,
    fromRunId: r.from.id,
    toRunId: r.to.id,
    fromAt: r.from.finished_at ?? r.from.started_at,
    toAt: r.to.finished_at ?? r.to.started_at,
    counts,
    total,
    offset,
  };
}

/**
 * The net change between two runs of one connection: what a person comparing
 * the snapshot after `fromRunId` with the snapshot after `toRunId` would see.
 * Rows newest first; `counts` per kind for the same search without the kind
 * filter. One statement: the composition is computed once for counts and page.
 */
export function diffRuns(db: Db, q: DiffQuery): RunDiff {
  const range = diffRange(db, q);
  const f = filters(q);
  const cols = COLUMNS.split(', ');
  // Positional parameters (filters, paging) after the named range: better-sqlite3 binds both.
  const rows = db
    .prepare(
      `${NET}, hits AS MATERIALIZED (SELECT * FROM net ${whereSql(f.where)})
      SELECT 0 AS page, kind AS k, count(*) AS n, ${cols.map((c) => `NULL AS ${c}`).join(', ')} FROM hits GROUP BY kind
      UNION ALL
      SELECT * FROM (SELECT 1, NULL, NULL, ${COLUMNS} FROM hits ${whereSql(f.kindWhere ? [f.kindWhere] : [])} ORDER BY seq DESC LIMIT ? OFFSET ?)`,
    )
    .all(range.params, ...f.params, ...q.kind, q.limit, q.offset) as (ChangeRow & { page: 0 | 1; k: ChangeKind; n: number })[];
  const { counts, total } = countsOf(
    rows.filter((r) => r.page === 0).map((r) => ({ kind: r.k, n: r.n })),
    q.kind,
  );
  return { ...diffHead(range, counts, total, q.offset), rows: rows.filter((r) => r.page === 1).map(toChange) };
}

/**
 * The whole diff for an export (the CLI's output): the head with counts, and
 * every row streamed from SQLite in the same order as diffRuns pages them,
 * so a large diff is neither recomputed per page nor held twice in memory.
 */
export function diffRunsAll(
  db: Db,
  q: Pick<DiffQuery, 'fromRunId' | 'toRunId' | 'kind' | 'search'>,
): { head: Omit<RunDiff, 'rows'>; rows: () => IterableIterator<SnapshotChange> } {
  const range = diffRange(db, q);
  const f = filters(q);
  const grouped = db.prepare(`${NET} SELECT kind, count(*) AS n FROM net ${whereSql(f.where)} GROUP BY kind`).all(range.params, ...f.params) as {
    kind: ChangeKind;
    n: number;
  }[];
  const { counts, total } = countsOf(grouped, q.kind);
  const where = f.kindWhere ? [...f.where, f.kindWhere] : f.where;
  const stmt = db.prepare(`${NET} SELECT ${COLUMNS} FROM net ${whereSql(where)} ORDER BY seq DESC`);
  return {
    head: diffHead(range, counts, total, 0),
    *rows() {
      for (const r of stmt.iterate(range.params, ...f.params, ...q.kind) as IterableIterator<ChangeRow>) yield toChange(r);
    },
  };
}

/** The diff's query plan (for tests: the run range must come from the run index, not a scan). */
export function diffQueryPlan(db: Db): string[] {
  return (db.prepare(`EXPLAIN QUERY PLAN ${NET} SELECT kind, count(*) AS n FROM net GROUP BY kind`).all({ from: 1, to: 2, c: 1 }) as { detail: string }[]).map(
    (r) => r.detail,
  );
}
