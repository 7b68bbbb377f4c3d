// What a full sync changed: the difference between a connection's old live
// generation and the new one, recorded in sync_changes with exactly the rows
// the incremental patch would have written for the same changes
// (snapshot-patch.ts; rules in change-rules.ts), so history does not depend
// on which mode ran.
//
// Why SQL set operations: a generation is up to ~1M memberships and 100k
// users, and ~1% of them change between two syncs. `A EXCEPT B ORDER BY <key>`
// over two generations runs as a merge of two primary-key range scans (both
// already sorted), without a temp B-tree and without a per-row index seek;
// only the ~1% of rows that differ are then joined for names. Nothing is
// loaded into JavaScript. The caller runs this inside the transaction that
// flips live_gen, so the history and the snapshot change together.
import type { ChangeCounts, ChangeKind } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';
import { LEAVER_STATUSES, TRACKED_APP_FIELDS, TRACKED_GROUP_FIELDS, TRACKED_IDENTITY_FIELDS } from './change-rules.js';

export type GenerationPair = { runId: number; connectionId: number; fromGen: number; toGen: number };

const INSERT = `INSERT INTO sync_changes
  (run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name, field, before, after)`;

const sqlString = (s: string): string => `'${s.replace(/'/g, "''")}'`;
/** The leaver statuses as an SQL list, from the one rule both writers share. */
const LEAVERS = `(${[...LEAVER_STATUSES].map(sqlString).join(', ')})`;
/** change-rules' statusChangeKind(before, after) in SQL. */
const statusKind = (before: string, after: string): string =>
  `CASE WHEN ${after} IN ${LEAVERS} AND ${before} NOT IN ${LEAVERS} THEN 'leaver' ELSE 'status' END`;
/** The patch compares these fields with '' and NULL treated alike (its `norm`). */
const norm = (col: string): string => `NULLIF(${col}, '')`;

/**
 * Rows of `table` in the new generation that are new or differ in `columns`
 * from the old one (and, swapped, rows that are gone), by merge. The columns
 * start with the primary key, so ORDER BY 1 is the index order.
 */
function except(table: string, columns: readonly string[], left: '@n' | '@o', right: '@n' | '@o'): string {
  const cols = columns.join(', ');
  return `SELECT ${cols} FROM ${table} WHERE connection_id = @c AND gen = ${left}
    EXCEPT SELECT ${cols} FROM ${table} WHERE connection_id = @c AND gen = ${right}
    ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`;
}

const IDENTITY_COMPARED = ['id', 'status', ...TRACKED_IDENTITY_FIELDS.map((f) => f.column)];
const GROUP_COMPARED = ['id', ...TRACKED_GROUP_FIELDS.map((f) => f.column)];
const APP_COMPARED = ['id', ...TRACKED_APP_FIELDS.map((f) => f.column)];

/** Objects (users, groups, apps): added, removed, and tracked fields changed. */
function objectStatements(): string[] {
  const identityFields = TRACKED_IDENTITY_FIELDS.map(
    ({ column, field }) =>
      `SELECT 'attribute', 'user', id, name, NULL, NULL, ${sqlString(field)}, ${norm(`o_${column}`)}, ${norm(`n_${column}`)}
       FROM d WHERE o_id IS NOT NULL AND ${norm(`o_${column}`)} IS NOT ${norm(`n_${column}`)}`,
  );
  const users = `${INSERT}
    WITH d AS MATERIALIZED (
      SELECT n.id AS id, n.display_name AS name, o.id AS o_id, o.status AS o_status, n.status AS n_status,
        ${TRACKED_IDENTITY_FIELDS.map(({ column }) => `o.${column} AS o_${column}, n.${column} AS n_${column}`).join(', ')}
      FROM (${except('identities', IDENTITY_COMPARED, '@n', '@o')}) x
      JOIN identities n ON n.connection_id = @c AND n.gen = @n AND n.id = x.id
      LEFT JOIN identities o ON o.connection_id = @c AND o.gen = @o AND o.id = x.id
    )
    SELECT @run, @c, k, t, id, name, oid, oname, field, b, a FROM (
      SELECT 'joiner' AS k, 'user' AS t, id, name, NULL AS oid, NULL AS oname, NULL AS field, NULL AS b, n_status AS a FROM d WHERE o_id IS NULL
      UNION ALL
      SELECT ${statusKind('o_status', 'n_status')}, 'user', id, name, NULL, NULL, 'status', o_status, n_status
      FROM d WHERE o_id IS NOT NULL AND o_status IS NOT n_status
      UNION ALL ${identityFields.join('\n      UNION ALL ')}
    ) ORDER BY id, field`;
  // A user gone from the IdP (deleted, or no longer listed): a leaver with the last status seen.
  const removedUsers = `${INSERT}
    SELECT @run, @c, 'leaver', 'user', o.id, o.display_name, NULL, NULL, NULL, o.status, NULL
    FROM (${except('identities', ['id'], '@o', '@n')}) x
    JOIN identities o ON o.connection_id = @c AND o.gen = @o AND o.id = x.id`;

  const fieldRows = (kind: ChangeKind, type: 'group' | 'app', nameCol: string, fields: readonly { column: string; field: string }[], normalise: boolean): string =>
    fields
      .map(({ column, field }) => {
        const [a, b] = normalise ? [norm(`o.${column}`), norm(`n.${column}`)] : [`o.${column}`, `n.${column}`];
        return `SELECT '${kind}' AS k, '${type}' AS t, n.id AS id, n.${nameCol} AS name, ${sqlString(field)} AS field, ${a} AS b, ${b} AS a
          FROM x JOIN ${type === 'group' ? 'groups' : 'apps'} n ON n.connection_id = @c AND n.gen = @n AND n.id = x.id
          JOIN ${type === 'group' ? 'groups' : 'apps'} o ON o.connection_id = @c AND o.gen = @o AND o.id = x.id
          WHERE ${a} IS NOT ${b}`;
      })
      .join('\n      UNION ALL ');

  const objects = (
    type: 'group' | 'app',
    table: 'groups' | 'apps',
    compared: readonly string[],
    nameCol: string,
    existenceCol: string,
    kinds: { added: ChangeKind; removed: ChangeKind; changed: ChangeKind },
    fields: readonly { column: string; field: string }[],
    // The patch normalises '' to NULL for group fields, not for app fields (label and status are NOT NULL anyway).
    normalise: boolean,
  ): string[] => [
    `${INSERT}
    SELECT @run, @c, '${kinds.added}', '${type}', n.id, n.${nameCol}, NULL, NULL, NULL, NULL, n.${existenceCol}
    FROM (${except(table, ['id'], '@n', '@o')}) x
    JOIN ${table} n ON n.connection_id = @c AND n.gen = @n AND n.id = x.id`,
    `${INSERT}
    SELECT @run, @c, '${kinds.removed}', '${type}', o.id, o.${nameCol}, NULL, NULL, NULL, o.${existenceCol}, NULL
    FROM (${except(table, ['id'], '@o', '@n')}) x
    JOIN ${table} o ON o.connection_id = @c AND o.gen = @o AND o.id = x.id`,
    `${INSERT}
    WITH x AS MATERIALIZED (SELECT id FROM (${except(table, compared, '@n', '@o')}))
    SELECT @run, @c, k, t, id, name, NULL, NULL, field, b, a FROM (
      ${fieldRows(kinds.changed, type, nameCol, fields, normalise)}
    ) ORDER BY id, field`,
  ];

  return [
    users,
    removedUsers,
    ...objects('group', 'groups', GROUP_COMPARED, 'name', 'type', { added: 'group-added', removed: 'group-removed', changed: 'group-changed' }, TRACKED_GROUP_FIELDS, true),
    ...objects('app', 'apps', APP_COMPARED, 'label', 'status', { added: 'app-added', removed: 'app-removed', changed: 'app-changed' }, TRACKED_APP_FIELDS, false),
  ];
}

/**
 * Links (memberships: user → group; app assignments: app → group). An added
 * link is named as the new generation names it; a removed one by the new
 * name when the object is still there, else by the last name it had (as the
 * patch names a removal before it deletes the user or group).
 */
function linkStatements(): string[] {
  const link = (
    table: 'memberships' | 'app_assignments',
    subjectCol: 'identity_id' | 'app_id',
    subject: { type: 'user' | 'app'; table: 'identities' | 'apps'; name: string },
    kinds: { add: ChangeKind; remove: ChangeKind },
  ): string[] => {
    // Key order of the table's primary key: (group_id, identity_id) / (app_id, group_id).
    const key = table === 'memberships' ? ['group_id', 'identity_id'] : ['app_id', 'group_id'];
    const named = (gen: '@n' | '@o', alias: string): string =>
      `LEFT JOIN ${subject.table} s${alias} ON s${alias}.connection_id = @c AND s${alias}.gen = ${gen} AND s${alias}.id = x.${subjectCol}
       LEFT JOIN groups g${alias} ON g${alias}.connection_id = @c AND g${alias}.gen = ${gen} AND g${alias}.id = x.group_id`;
    return [
      `${INSERT}
      SELECT @run, @c, '${kinds.add}', '${subject.type}', x.${subjectCol}, sn.${subject.name}, x.group_id, gn.name, NULL, NULL, NULL
      FROM (${except(table, key, '@n', '@o')}) x
      ${named('@n', 'n')}`,
      `${INSERT}
      SELECT @run, @c, '${kinds.remove}', '${subject.type}', x.${subjectCol}, COALESCE(sn.${subject.name}, so.${subject.name}), x.group_id,
        COALESCE(gn.name, go.name), NULL, NULL, NULL
      FROM (${except(table, key, '@o', '@n')}) x
      ${named('@n', 'n')}
      ${named('@o', 'o')}`,
    ];
  };
  return [
    ...link('memberships', 'identity_id', { type: 'user', table: 'identities', name: 'display_name' }, { add: 'membership-add', remove: 'membership-remove' }),
    ...link('app_assignments', 'app_id', { type: 'app', table: 'apps', name: 'label' }, { add: 'assignment-add', remove: 'assignment-remove' }),
  ];
}

const STATEMENTS = [...objectStatements(), ...linkStatements()];
const cache = new WeakMap<Db, ReturnType<Db['prepare']>[]>();

/**
 * Records the changes from generation `fromGen` to `toGen` of one connection
 * as rows of run `runId`; returns how many of each kind. The caller owns the
 * transaction.
 */
export function recordGenerationDiff(db: Db, pair: GenerationPair): { total: number; counts: ChangeCounts } {
  let stmts = cache.get(db);
  if (!stmts) {
    stmts = STATEMENTS.map((sql) => db.prepare(sql));
    cache.set(db, stmts);
  }
  const params = { run: pair.runId, c: pair.connectionId, o: pair.fromGen, n: pair.toGen };
  let total = 0;
  for (const s of stmts) total += s.run(params).changes;
  const counts: ChangeCounts = {};
  if (total > 0) {
    for (const r of db.prepare('SELECT kind, count(*) AS n FROM sync_changes WHERE run_id = ? GROUP BY kind').all(pair.runId) as { kind: ChangeKind; n: number }[]) {
      counts[r.kind] = r.n;
    }
  }
  return { total, counts };
}

/** The statements with their query plans, for the bench and for checking that every diff is a merge. */
export function generationDiffPlans(db: Db): { sql: string; plan: string[] }[] {
  return STATEMENTS.map((sql) => ({
    sql,
    plan: (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ run: 0, c: 0, o: 0, n: 0 }) as { detail: string }[]).map((r) => r.detail),
  }));
}
