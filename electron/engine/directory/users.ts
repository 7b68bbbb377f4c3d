// Users in the Directory: the paged table and its filter facets (from the
// read model, model.ts) and one user's detail (from the cur_* views: the
// live generation only).
import type { UserQuery } from '../../../shared/contract.js';
import type { AppRow, Page, UserDetail, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { accountsForKeys } from './people.js';
import { accountMatch, indexedPeopleSort, personMatch, userOrderBy, userSortExpr, type ListMode } from './model.js';
import { dataStamp, equalTo, inClause, keyOf, oneOf, pageOfRows, type Condition, type ObjectKey, type PageCache, type SearchColumn } from '../db/query-kit.js';
import {
  appRowsForKeys,
  connectionRef,
  groupCounts,
  groupRowsForKeys,
  managerNames,
  toUserRow,
  userRowsForKeys,
  withAccounts,
  type IdentityDbRow,
} from './rows.js';

/** Columns the search box looks in, on the live identities (a group's members). */
export const USER_SEARCH_COLUMNS: readonly SearchColumn[] = [
  'i.display_name',
  'i.login',
  // Okta emails usually equal the login; then the login test already decided.
  { column: 'i.email', skipIf: 'i.email IS i.login' },
  'i.department',
  'i.title',
];

/** The only ORDER BY expressions a user query can produce (on the read model, aliased d). */
export const USER_SORT: Readonly<Record<UserQuery['sort'], string>> = userSortExpr('accounts');

/** The filter menus' conditions, on the model row `d`. A department of '' means "no department". */
export function userFilters(q: Pick<UserQuery, 'status' | 'department' | 'connectionId'>): (Condition | undefined)[] {
  const none = q.department.includes('') ? ' OR d.department IS NULL' : '';
  return [
    // '+': a scan of the slim model beats fetching a connection's 100k rows through an index.
    equalTo('+d.connection_id', q.connectionId),
    oneOf('d.status', q.status),
    q.department.length ? { sql: `(${inClause('d.department', q.department)}${none})`, params: q.department } : undefined,
  ];
}

/**
 * What a user list lists: every connection at once lists PEOPLE (one row per
 * person: their first account's, so filters and sort apply to the row the
 * table shows; search also looks at their other accounts), one connection
 * lists its accounts. The people's rows are the model's listed rows
 * (`+d.listed`: the unary plus keeps SQLite from fetching 100k rows through
 * an index when a scan is cheaper).
 */
export function userListMode(connectionId: number | undefined): ListMode {
  return connectionId === undefined ? 'people' : 'accounts';
}

/**
 * The people list's rows. By name or group count without a search,
 * `d.listed = 1` lets SQLite walk the index of that order and stop after the
 * page, at any offset; otherwise `+d.listed` keeps it from fetching 100k rows
 * one index lookup at a time where a scan of the slim table (or the search's
 * few rows) is cheaper.
 */
function listedRows(q: Pick<UserQuery, 'sort' | 'search'>): string {
  return indexedPeopleSort(q.sort) && q.search.trim() === '' ? 'd.listed = 1' : '+d.listed = 1';
}

/**
 * A page of users matching search, filters and sort: people across every
 * connection (each row with all its accounts), or one connection's accounts.
 */
export function listUsers(db: Db, q: UserQuery, cache?: PageCache): Page<UserRow> {
  return db.transaction(() => {
    const mode = userListMode(q.connectionId);
    return pageOfRows(
      db,
      {
        from: 'directory_accounts d',
        keyAlias: 'd',
        filters: [mode === 'people' ? { sql: listedRows(q), params: [] } : undefined, ...userFilters(q)],
        search: { columns: [], text: q.search, where: (text) => (mode === 'people' ? personMatch(text, 'd') : accountMatch(text, 'd')) },
        orderBy: userOrderBy(mode, q.sort, q.dir),
        rows: userRowsForKeys,
        direct: true,
      },
      q,
      cache,
    );
  })();
}

export type Facet = { value: string; count: number };

/**
 * Distinct statuses and departments with counts (a missing department is
 * ''): of the people across connections, of the accounts within one, as the
 * list shows them. One walk of a covering index, grouped in its order.
 */
export function userFacets(db: Db, q: { connectionId?: number | undefined }, cache?: PageCache): { statuses: Facet[]; departments: Facet[] } {
  const compute = (): { statuses: Facet[]; departments: Facet[] } => {
    // `listed = 1` written out: only then may SQLite use the partial index of listed rows.
    const where = q.connectionId === undefined ? 'listed = 1' : 'connection_id = ?';
    const pairs = db
      .prepare(`SELECT status, department, count(*) FROM directory_accounts WHERE ${where} GROUP BY status, department`)
      .raw()
      .all(...(q.connectionId === undefined ? [] : [q.connectionId])) as [string, string | null, number][];
    const statuses = new Map<string, number>();
    const departments = new Map<string, number>();
    for (const [status, department, n] of pairs) {
      statuses.set(status, (statuses.get(status) ?? 0) + n);
      departments.set(department ?? '', (departments.get(department ?? '') ?? 0) + n);
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
    const row = withAccounts(toUserRow(r, manager, groupCounts(db, [[connectionId, id]]).get(keyOf(connectionId, id)) ?? 0), accounts);

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
