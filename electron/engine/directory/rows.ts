// Turning a page of keys into the rows the UI shows. Each kind of row needs an
// aggregate (a user's group count, a group's member count, an app's group
// count); it is computed with ONE grouped query over the page's keys, never a
// subquery per row over the whole membership table.
import type { AccountRef, AppRow, GroupManagedBy, GroupRow, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { accountsForKeys } from './people.js';
import { inKeyOrder, keyOf, keysJson, type ObjectKey } from '../db/query-kit.js';

export type IdentityDbRow = {
  connection_id: number;
  id: string;
  login: string;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  display_name: string;
  status: string;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  location: string | null;
  employee_type: string | null;
  employee_number: string | null;
  last_login: string | null;
  created: string | null;
  last_updated: string | null;
  profile: string;
};

type GroupDbRow = {
  connection_id: number;
  id: string;
  name: string;
  description: string | null;
  type: string;
  managed_by: GroupManagedBy;
  managed_by_name: string | null;
  last_membership_updated: string | null;
};

type AppDbRow = {
  connection_id: number;
  id: string;
  name: string;
  label: string;
  status: string;
  sign_on_mode: string | null;
};

/** Counts per key from `SELECT connection_id, id, n ...` rows. */
function countsByKey(rows: readonly [number, string, number][]): Map<string, number> {
  return new Map(rows.map(([cid, id, n]) => [keyOf(cid, id), n]));
}

/** The columns a UserRow needs (no profile JSON, which can be kilobytes per user). */
export type IdentityListRow = Pick<
  IdentityDbRow,
  'connection_id' | 'id' | 'login' | 'email' | 'display_name' | 'status' | 'department' | 'title' | 'manager_id' | 'employee_type' | 'last_login'
>;
const LIST_COLUMNS =
  'i.connection_id, i.id, i.login, i.email, i.display_name, i.status, i.department, i.title, i.manager_id, i.employee_type, i.last_login';

export function toUserRow(r: IdentityListRow, managerName: string | null, groupCount: number): UserRow {
  return {
    connectionId: r.connection_id,
    id: r.id,
    login: r.login,
    email: r.email,
    displayName: r.display_name,
    status: r.status,
    department: r.department,
    title: r.title,
    managerId: r.manager_id,
    managerName,
    employeeType: r.employee_type,
    lastLogin: r.last_login,
    groupCount,
    // Filled in by userRowsForKeys (people.ts knows the other accounts).
    personGroupCount: groupCount,
    accounts: [],
  };
}

/** The person's groups: every account's (the row's own count when the person has one account). */
export function withAccounts(row: UserRow, accounts: AccountRef[]): UserRow {
  row.accounts = accounts;
  if (accounts.length > 1) row.personGroupCount = accounts.reduce((n, a) => n + a.groupCount, 0);
  return row;
}

/** Identity rows for `keys`, unordered. */
export function identitiesForKeys(db: Db, keys: readonly ObjectKey[]): IdentityListRow[] {
  if (keys.length === 0) return [];
  return db
    .prepare(
      `SELECT ${LIST_COLUMNS} FROM json_each(?) j
       JOIN cur_identities i ON i.connection_id = j.value ->> 0 AND i.id = j.value ->> 1`,
    )
    .all(keysJson(keys)) as IdentityListRow[];
}

/** Display names of the managers referenced by `rows`. */
export function managerNames(db: Db, rows: readonly { connection_id: number; manager_id: string | null }[]): Map<string, string> {
  const wanted = new Map<string, ObjectKey>();
  for (const r of rows) if (r.manager_id !== null) wanted.set(keyOf(r.connection_id, r.manager_id), [r.connection_id, r.manager_id]);
  if (wanted.size === 0) return new Map();
  const found = db
    .prepare(
      `SELECT m.connection_id, m.id, m.display_name FROM json_each(?) j
       JOIN cur_identities m ON m.connection_id = j.value ->> 0 AND m.id = j.value ->> 1`,
    )
    .raw()
    .all(keysJson([...wanted.values()])) as [number, string, string][];
  return new Map(found.map(([cid, id, name]) => [keyOf(cid, id), name]));
}

/** Group counts for the users in `keys`: one GROUP BY over their memberships. */
export function groupCounts(db: Db, keys: readonly ObjectKey[]): Map<string, number> {
  if (keys.length === 0) return new Map();
  return countsByKey(
    db
      .prepare(
        `SELECT m.connection_id, m.identity_id, count(*) FROM json_each(?) j
         JOIN cur_memberships m ON m.connection_id = j.value ->> 0 AND m.identity_id = j.value ->> 1
         GROUP BY m.connection_id, m.identity_id`,
      )
      .raw()
      .all(keysJson(keys)) as [number, string, number][],
  );
}

/** Full UserRows for `keys`, in the keys' order, each with every account of its person (its own first). */
export function userRowsForKeys(db: Db, keys: readonly ObjectKey[]): UserRow[] {
  const rows = identitiesForKeys(db, keys);
  const managers = managerNames(db, rows);
  const counts = groupCounts(db, keys);
  const accounts = accountsForKeys(db, keys);
  const out = rows.map((r) => {
    const row = toUserRow(
      r,
      r.manager_id === null ? null : (managers.get(keyOf(r.connection_id, r.manager_id)) ?? null),
      counts.get(keyOf(r.connection_id, r.id)) ?? 0,
    );
    return withAccounts(row, accounts.get(keyOf(r.connection_id, r.id)) ?? []);
  });
  return inKeyOrder(keys, out);
}

/**
 * The rows `rowsSql` selects for `keys`, each mapped with its count from
 * `countsSql` (`SELECT connection_id, id, count(*) ... GROUP BY`), in the
 * keys' order. Both statements take the keys as their one JSON parameter.
 */
function rowsWithCounts<D extends { connection_id: number; id: string }, R extends { connectionId: number; id: string }>(
  db: Db,
  keys: readonly ObjectKey[],
  sql: { rows: string; counts: string },
  toRow: (d: D, count: number) => R,
): R[] {
  if (keys.length === 0) return [];
  const json = keysJson(keys);
  const rows = db.prepare(sql.rows).all(json) as D[];
  const counts = countsByKey(db.prepare(sql.counts).raw().all(json) as [number, string, number][]);
  return inKeyOrder(keys, rows.map((d) => toRow(d, counts.get(keyOf(d.connection_id, d.id)) ?? 0)));
}

/** Full GroupRows (with member counts) for `keys`, in the keys' order. */
export function groupRowsForKeys(db: Db, keys: readonly ObjectKey[]): GroupRow[] {
  return rowsWithCounts<GroupDbRow, GroupRow>(
    db,
    keys,
    {
      rows: `SELECT g.connection_id, g.id, g.name, g.description, g.type, g.managed_by, g.managed_by_name, g.last_membership_updated
       FROM json_each(?) j JOIN cur_groups g ON g.connection_id = j.value ->> 0 AND g.id = j.value ->> 1`,
      counts: `SELECT m.connection_id, m.group_id, count(*) FROM json_each(?) j
         JOIN cur_memberships m ON m.connection_id = j.value ->> 0 AND m.group_id = j.value ->> 1
         GROUP BY m.connection_id, m.group_id`,
    },
    (g, memberCount) => ({
      connectionId: g.connection_id,
      id: g.id,
      name: g.name,
      description: g.description,
      type: g.type,
      managedBy: g.managed_by,
      managedByName: g.managed_by_name,
      memberCount,
      lastMembershipUpdated: g.last_membership_updated,
    }),
  );
}

/** Full AppRows (with assigned group counts) for `keys`, in the keys' order. */
export function appRowsForKeys(db: Db, keys: readonly ObjectKey[]): AppRow[] {
  return rowsWithCounts<AppDbRow, AppRow>(
    db,
    keys,
    {
      rows: `SELECT a.connection_id, a.id, a.name, a.label, a.status, a.sign_on_mode
       FROM json_each(?) j JOIN cur_apps a ON a.connection_id = j.value ->> 0 AND a.id = j.value ->> 1`,
      counts: `SELECT x.connection_id, x.app_id, count(*) FROM json_each(?) j
         JOIN cur_app_assignments x ON x.connection_id = j.value ->> 0 AND x.app_id = j.value ->> 1
         GROUP BY x.connection_id, x.app_id`,
    },
    (a, groupCount) => ({
      connectionId: a.connection_id,
      id: a.id,
      name: a.name,
      label: a.label,
      status: a.status,
      signOnMode: a.sign_on_mode,
      groupCount,
    }),
  );
}

export type ConnectionRef = { id: number; name: string; kind: string; baseUrl: string };

export function connectionRef(db: Db, connectionId: number): ConnectionRef | undefined {
  const row = db.prepare('SELECT id, name, kind, base_url FROM connections WHERE id = ?').get(connectionId) as
    | { id: number; name: string; kind: string; base_url: string }
    | undefined;
  return row && { id: row.id, name: row.name, kind: row.kind, baseUrl: row.base_url };
}

/**
 * One object's row (through the same loader as its table) and its connection,
 * for a detail view; a missing either is a not-found error naming `kind`.
 * Call inside the detail's transaction so the row and what follows agree.
 */
export function objectWithConnection<R>(
  db: Db,
  kind: 'app' | 'group',
  rowsForKeys: (db: Db, keys: readonly ObjectKey[]) => R[],
  connectionId: number,
  id: string,
): { row: R; connection: ConnectionRef } {
  const [row] = rowsForKeys(db, [[connectionId, id]]);
  const connection = connectionRef(db, connectionId);
  if (!row || !connection) throw new UserError(`no ${kind} "${id}" in connection #${connectionId}`, 'not-found');
  return { row, connection };
}
