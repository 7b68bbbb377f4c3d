// Users in the Directory: the paged table, its filter facets and one user's
// detail. Always read through the cur_* views (the live generation only).
import type { UserQuery } from '../../../shared/contract.js';
import type { AppRow, Page, UserDetail, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import {
  dataStamp,
  equalTo,
  inClause,
  keyOf,
  listPage,
  oneOf,
  orderBy,
  selectKeys,
  type Condition,
  type ObjectKey,
  type PageCache,
  type SearchColumn,
} from './query-kit.js';
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

/** A page of users matching search, filters and sort. */
export function listUsers(db: Db, q: UserQuery, cache?: PageCache): Page<UserRow> {
  return listPage(
    db,
    {
      from: 'cur_identities i',
      keyAlias: 'i',
      filters: userFilters(q),
      search: { columns: USER_SEARCH_COLUMNS, text: q.search },
      orderBy: orderBy(USER_SORT, q.sort, q.dir, USER_TIE_BREAK),
      rows: userRowsForKeys,
    },
    q,
    cache,
  );
}

export type Facet = { value: string; count: number };

/** Distinct statuses and departments with counts (a missing department is ''). */
export function userFacets(db: Db, q: { connectionId?: number | undefined }, cache?: PageCache): { statuses: Facet[]; departments: Facet[] } {
  const compute = (): { statuses: Facet[]; departments: Facet[] } => {
    // One scan grouped by both columns (a few hundred pairs), split in JS:
    // half the cost of one GROUP BY per facet on a 100k-user table.
    const pairs = (
      q.connectionId === undefined
        ? db.prepare(`SELECT i.status, coalesce(i.department, ''), count(*) FROM cur_identities i GROUP BY 1, 2`).raw().all()
        : db
            .prepare(`SELECT i.status, coalesce(i.department, ''), count(*) FROM cur_identities i WHERE i.connection_id = ? GROUP BY 1, 2`)
            .raw()
            .all(q.connectionId)
    ) as [string, string, number][];
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

/** One user's profile, groups and the apps those groups give. */
export function getUser(db: Db, connectionId: number, id: string): UserDetail {
  return db.transaction(() => {
    const r = db.prepare('SELECT * FROM cur_identities WHERE connection_id = ? AND id = ?').get(connectionId, id) as IdentityDbRow | undefined;
    const connection = connectionRef(db, connectionId);
    if (!r || !connection) throw new UserError(`no user "${id}" in connection #${connectionId}`, 'not-found');
    const manager = r.manager_id === null ? null : (managerNames(db, [r]).get(keyOf(connectionId, r.manager_id)) ?? null);
    const groupKeys = selectKeys(
      db,
      `SELECT m.connection_id, m.group_id FROM cur_memberships m
       JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id
       WHERE m.connection_id = ? AND m.identity_id = ?
       ORDER BY g.name COLLATE NOCASE, g.id`,
      connectionId,
      id,
    );
    const groups = groupRowsForKeys(db, groupKeys);
    const row = toUserRow(r, manager, groupCounts(db, [[connectionId, id]]).get(keyOf(connectionId, id)) ?? 0);

    // Apps reached through any of the user's groups, each with the groups that grant it.
    const grants = db
      .prepare(
        `SELECT x.app_id, x.group_id FROM cur_memberships m
         JOIN cur_app_assignments x ON x.connection_id = m.connection_id AND x.group_id = m.group_id
         WHERE m.connection_id = ? AND m.identity_id = ?`,
      )
      .raw()
      .all(connectionId, id) as [string, string][];
    const groupName = new Map(groups.map((g) => [g.id, g.name]));
    const via = new Map<string, { id: string; name: string }[]>();
    for (const [appId, groupId] of grants) {
      const list = via.get(appId) ?? [];
      list.push({ id: groupId, name: groupName.get(groupId) ?? groupId });
      via.set(appId, list);
    }
    const appKeys: ObjectKey[] = [...via.keys()].map((appId) => [connectionId, appId]);
    const apps = appRowsForKeys(db, appKeys)
      .sort((a: AppRow, b: AppRow) => a.label.localeCompare(b.label))
      .map((app) => ({ app, viaGroups: (via.get(app.id) ?? []).sort((a, b) => a.name.localeCompare(b.name)) }));

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
