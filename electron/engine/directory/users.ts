// Users in the Directory: the paged table, its filter facets and one user's
// detail. Always read through the cur_* views (the live generation only).
import type { UserQuery } from '../../../shared/contract.js';
import type { AppRow, Page, UserDetail, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { accountsForKeys } from './people.js';
import {
  dataStamp,
  equalTo,
  inClause,
  keyOf,
  oneOf,
  orderBy,
  pageOfRows,
  searchClause,
  whereSql,
  type Condition,
  type ObjectKey,
  type PageCache,
  type SearchColumn,
} from '../db/query-kit.js';
import {
  appRowsForKeys,
  connectionRef,
  groupCounts,
  groupRowsForKeys,
  managerNames,
  toUserRow,
  userRowsForKeys,
  type IdentityDbRow,
} from './rows.js';

/** Columns the search box looks in. */
export const USER_SEARCH_COLUMNS: readonly SearchColumn[] = [
  'i.display_name',
  'i.login',
  // Okta emails usually equal the login; then the login test already decided.
  { column: 'i.email', skipIf: 'i.email IS i.login' },
  'i.department',
  'i.title',
];

/**
 * The only ORDER BY expressions a user query can produce. Manager and group
 * count are correlated lookups (a primary-key probe and an index range count
 * per row); the cached key list makes their cost a once-per-query one.
 */
export const USER_SORT: Readonly<Record<UserQuery['sort'], string>> = {
  displayName: 'i.display_name COLLATE NOCASE',
  login: 'i.login COLLATE NOCASE',
  email: 'i.email COLLATE NOCASE',
  status: 'i.status',
  department: 'i.department COLLATE NOCASE',
  title: 'i.title COLLATE NOCASE',
  manager:
    '(SELECT m.display_name FROM cur_identities m WHERE m.connection_id = i.connection_id AND m.id = i.manager_id) COLLATE NOCASE',
  lastLogin: 'i.last_login',
  groupCount: '(SELECT count(*) FROM cur_memberships x WHERE x.connection_id = i.connection_id AND x.identity_id = i.id)',
};
const USER_TIE_BREAK = 'i.display_name COLLATE NOCASE, i.connection_id, i.id';

/** The filter menus' conditions. A department of '' means "no department". */
export function userFilters(q: Pick<UserQuery, 'status' | 'department' | 'connectionId'>): (Condition | undefined)[] {
  const none = q.department.includes('') ? ' OR i.department IS NULL' : '';
  return [
    equalTo('i.connection_id', q.connectionId),
    oneOf('i.status', q.status),
    q.department.length ? { sql: `(${inClause('i.department', q.department)}${none})`, params: q.department } : undefined,
  ];
}

/**
 * Where the listed users come from. Every connection at once lists PEOPLE:
 * one row per person, the row of the person's first account, so filters and
 * sort apply to the row the table shows (search also looks at the person's
 * other accounts, see peopleSearch). person_links has rows only for people
 * with two or more accounts, and matched_by is NULL only on a person's first
 * account: an identity is listed unless its link has a matched_by. So an
 * identity with no link (no refresh ran yet, or it joined since) is listed
 * as itself. One connection lists its accounts.
 *
 * Cost: the probe into person_links is most of the people list's price
 * (~0.4 us a row), so it is skipped where it cannot hide anything: a first
 * account is in the lowest connection of its person, so no account of the
 * lowest linked connection (or a lower one) is ever hidden. With no links at
 * all (one IdP, or nobody matched) there is no condition.
 */
export function userSource(db: Db, connectionId: number | undefined): { from: string; people: Condition | undefined } {
  const from = 'cur_identities i';
  if (connectionId !== undefined) return { from, people: undefined };
  const linked = linkedConnections(db);
  const lowest = linked[0];
  // Links naming a connection that was removed since the last refresh could
  // hide accounts whose first account went with it: until the next refresh
  // (after the next sync), list every identity rather than lose anyone.
  if (lowest === undefined || !linked.every((id) => connectionExists(db, id))) return { from, people: undefined };
  return {
    from,
    people: {
      sql: `(i.connection_id <= ? OR NOT EXISTS (SELECT 1 FROM person_links p
        WHERE p.connection_id = i.connection_id AND p.identity_id = i.id AND p.matched_by IS NOT NULL))`,
      params: [lowest],
    },
  };
}

/** The connections person_links has rows for, ascending: one primary-key probe per connection. */
function linkedConnections(db: Db): number[] {
  const next = db.prepare('SELECT connection_id FROM person_links WHERE connection_id > ? ORDER BY connection_id LIMIT 1').pluck();
  const out: number[] = [];
  for (let id = next.get(0) as number | undefined; id !== undefined; id = next.get(id) as number | undefined) out.push(id);
  return out;
}

function connectionExists(db: Db, id: number): boolean {
  return db.prepare('SELECT 1 FROM connections WHERE id = ?').get(id) !== undefined;
}

/**
 * The people list's search: the person's row matches, or another of their
 * accounts does (an Entra UPN, a display name spelt differently in the other
 * IdP), all terms within one account. The other accounts are searched once
 * per query and give their person's first account, not probed per row; it
 * roughly doubles the LIKE work of a search, as every account is looked at.
 */
export function peopleSearch(text: string): Condition | undefined {
  const own = searchClause(USER_SEARCH_COLUMNS, text);
  if (own.sql.length === 0) return undefined;
  const other = searchClause(
    USER_SEARCH_COLUMNS.map((c) => (typeof c === 'string' ? asAlias(c) : { column: asAlias(c.column), skipIf: asAlias(c.skipIf) })),
    text,
  );
  return {
    sql: `((${own.sql.join(' AND ')}) OR (i.connection_id, i.id) IN (
      SELECT f.connection_id, f.identity_id FROM person_links q
      JOIN cur_identities a ON a.connection_id = q.connection_id AND a.id = q.identity_id
      JOIN person_links f ON f.person_id = q.person_id AND f.matched_by IS NULL
      WHERE q.matched_by IS NOT NULL AND ${other.sql.join(' AND ')}))`,
    params: [...own.params, ...other.params],
  };
}
const asAlias = (sql: string): string => sql.replace(/\bi\./g, 'a.');

/**
 * A page of users matching search, filters and sort: people across every
 * connection (each row with all its accounts), or one connection's accounts.
 */
export function listUsers(db: Db, q: UserQuery, cache?: PageCache): Page<UserRow> {
  return db.transaction(() => {
    const source = userSource(db, q.connectionId);
    return pageOfRows(
      db,
      {
        from: source.from,
        keyAlias: 'i',
        filters: [source.people, ...userFilters(q)],
        search: { columns: USER_SEARCH_COLUMNS, text: q.search, ...(source.people ? { where: peopleSearch } : {}) },
        orderBy: orderBy(USER_SORT, q.sort, q.dir, USER_TIE_BREAK),
        rows: userRowsForKeys,
      },
      q,
      cache,
    );
  })();
}

export type Facet = { value: string; count: number };

/** Distinct statuses and departments with counts (a missing department is ''). */
export function userFacets(db: Db, q: { connectionId?: number | undefined }, cache?: PageCache): { statuses: Facet[]; departments: Facet[] } {
  const compute = (): { statuses: Facet[]; departments: Facet[] } => {
    // One scan grouped by both columns (a few hundred pairs), split in JS:
    // half the cost of one GROUP BY per facet on a 100k-user table.
    // People (first accounts) across connections, accounts within one: what the list shows.
    const source = userSource(db, q.connectionId);
    const where = [source.people?.sql, q.connectionId === undefined ? undefined : 'i.connection_id = ?'].filter((w) => w !== undefined);
    const pairs = db
      .prepare(`SELECT i.status, coalesce(i.department, ''), count(*) FROM ${source.from} ${whereSql(where)} GROUP BY 1, 2`)
      .raw()
      .all(...(source.people?.params ?? []), ...(q.connectionId === undefined ? [] : [q.connectionId])) as [string, string, number][];
    const statuses = new Map<string, number>();
    const departments = new Map<string, number>();
    for (const [status, department, n] of pairs) {
      statuses.set(status, (statuses.get(status) ?? 0) + n);
      departments.set(department, (departments.get(department) ?? 0) + n);
    }
    return { statuses: sortFacets(statuses), departments: sortFacets(departments) };
  };
  return db.transaction(() => (cache ? cache.memo(`facets\u0000${q.connectionId ?? ''}`, dataStamp(db), compute) : compute()))();
}

/** Most common first, then alphabetical (case-insensitive) for a stable menu. */
function sortFacets(counts: Map<string, number>): Facet[] {
  return [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => b.count - a.count || a.value.localeCompare(b.value, 'en', { sensitivity: 'base' }) || (a.value < b.value ? -1 : 1));
}

/**
 * Every profile attribute as a string: nested objects become dotted keys,
 * arrays are joined with ", ", null is ''. A malformed profile yields {}
 * rather than an error: the rest of the detail is still worth showing.
 */
export function flattenProfile(json: string): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const walk = (v: unknown, prefix: string): void => {
    if (v === null || v === undefined) {
      if (prefix) out[prefix] = '';
    } else if (Array.isArray(v)) {
      out[prefix] = v.map((x) => (x !== null && typeof x === 'object' ? JSON.stringify(x) : String(x))).join(', ');
    } else if (typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) walk(child, prefix ? `${prefix}.${k}` : k);
    } else if (prefix && (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint')) {
      out[prefix] = String(v);
    }
  };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) walk(value, '');
  return out;
}

/**
 * One user's profile, groups and the apps those groups give. When the user
 * is one of a person's accounts in several IdPs, `accounts` lists them all
 * and `groups` / `apps` cover every account (the requested account's first,
 * then the others in `accounts` order; each GroupRow and AppRow names its
 * connection), so the detail answers "what can this person reach". The
 * profile, manager, `groupCount` and admin link stay the requested account's.
 */
export function getUser(db: Db, connectionId: number, id: string): UserDetail {
  return db.transaction(() => {
    const r = db.prepare('SELECT * FROM cur_identities WHERE connection_id = ? AND id = ?').get(connectionId, id) as IdentityDbRow | undefined;
    const connection = connectionRef(db, connectionId);
    if (!r || !connection) throw new UserError(`no user "${id}" in connection #${connectionId}`, 'not-found');
    const manager = r.manager_id === null ? null : (managerNames(db, [r]).get(keyOf(connectionId, r.manager_id)) ?? null);
    const accounts = accountsForKeys(db, [[connectionId, id]]).get(keyOf(connectionId, id)) ?? [];
    const owners: ObjectKey[] = accounts.length > 0 ? accounts.map((a) => [a.connectionId, a.id]) : [[connectionId, id]];

    const groupsOf = db.prepare(
      `SELECT m.connection_id, m.group_id FROM cur_memberships m
       JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id
       WHERE m.connection_id = ? AND m.identity_id = ?
       ORDER BY g.name COLLATE NOCASE, g.id`,
    );
    const groupKeys = owners.flatMap(([cid, uid]) => groupsOf.raw().all(cid, uid) as [number, string][]);
    const groups = groupRowsForKeys(db, groupKeys);
    const row = toUserRow(r, manager, groupCounts(db, [[connectionId, id]]).get(keyOf(connectionId, id)) ?? 0);
    row.accounts = accounts;

    // Apps reached through any of the accounts' groups, each with the groups that grant it.
    const grantsOf = db.prepare(
      `SELECT x.app_id, x.group_id FROM cur_memberships m
       JOIN cur_app_assignments x ON x.connection_id = m.connection_id AND x.group_id = m.group_id
       WHERE m.connection_id = ? AND m.identity_id = ?`,
    );
    const groupName = new Map(groups.map((g) => [keyOf(g.connectionId, g.id), g.name]));
    const via = new Map<string, { id: string; name: string }[]>();
    const apps: UserDetail['apps'] = [];
    for (const [cid, uid] of owners) {
      const found: ObjectKey[] = [];
      for (const [appId, groupId] of grantsOf.raw().all(cid, uid) as [string, string][]) {
        const k = keyOf(cid, appId);
        let list = via.get(k);
        if (!list) {
          via.set(k, (list = []));
          found.push([cid, appId]);
        }
        list.push({ id: groupId, name: groupName.get(keyOf(cid, groupId)) ?? groupId });
      }
      for (const app of appRowsForKeys(db, found).sort((a: AppRow, b: AppRow) => a.label.localeCompare(b.label))) {
        apps.push({ app, viaGroups: (via.get(keyOf(cid, app.id)) ?? []).sort((a, b) => a.name.localeCompare(b.name)) });
      }
    }

    return {
      ...row,
      firstName: r.first_name,
      lastName: r.last_name,
      location: r.location,
      employeeNumber: r.employee_number,
      created: r.created,
      lastUpdated: r.last_updated,
      profile: flattenProfile(r.profile),
      groups,
      apps,
      adminUrl: adminUrl(connection, { kind: 'user', id }),
      connectionName: connection.name,
    };
  })();
}
