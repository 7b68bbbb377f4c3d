// Groups in the Directory: the paged table, one group's detail and its members.
import type { GroupMembersQuery, GroupQuery } from '../../../shared/contract.js';
import type { GroupDetail, GroupRow, Page, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { inClause, orderBy, pageOfKeys, searchClause, whereSql, type PageCache } from './query-kit.js';
import { appRowsForKeys, connectionRef, groupRowsForKeys, userRowsForKeys } from './rows.js';
import { USER_SEARCH_COLUMNS } from './users.js';

export const GROUP_SEARCH_COLUMNS = ['g.name', 'g.description', 'g.managed_by_name'] as const;

/** The only ORDER BY expressions a group query can produce. */
export const GROUP_SORT: Readonly<Record<GroupQuery['sort'], string>> = {
  name: 'g.name COLLATE NOCASE',
  type: 'g.type',
  managedBy: 'g.managed_by',
  // An index range count per group (primary key prefix), cached per query.
  memberCount: '(SELECT count(*) FROM cur_memberships x WHERE x.connection_id = g.connection_id AND x.group_id = g.id)',
};
const GROUP_TIE_BREAK = 'g.name COLLATE NOCASE, g.connection_id, g.id';

/** A page of groups. */
export function listGroups(db: Db, q: GroupQuery, cache?: PageCache): Page<GroupRow> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.connectionId !== undefined) {
    where.push('g.connection_id = ?');
    params.push(q.connectionId);
  }
  if (q.managedBy.length) {
    where.push(inClause('g.managed_by', q.managedBy));
    params.push(...q.managedBy);
  }
  if (q.type.length) {
    where.push(inClause('g.type', q.type));
    params.push(...q.type);
  }
  const search = searchClause(GROUP_SEARCH_COLUMNS, q.search);
  where.push(...search.sql);
  params.push(...search.params);
  const from = `FROM cur_groups g ${whereSql(where)}`;
  return db.transaction(() => {
    const { total, keys } = pageOfKeys(
      db,
      {
        keysSql: `SELECT g.connection_id, g.id ${from} ${orderBy(GROUP_SORT, q.sort, q.dir, GROUP_TIE_BREAK)}`,
        countSql: `SELECT count(*) ${from}`,
        params,
        preferKeys: q.search.trim() !== '',
      },
      q.offset,
      q.limit,
      cache,
    );
    return { total, offset: q.offset, rows: groupRowsForKeys(db, keys) };
  })();
}

/** One group with its assigned apps. */
export function getGroup(db: Db, connectionId: number, id: string): GroupDetail {
  return db.transaction(() => {
    const [row] = groupRowsForKeys(db, [[connectionId, id]]);
    const connection = connectionRef(db, connectionId);
    if (!row || !connection) throw new UserError(`no group "${id}" in connection #${connectionId}`, 'not-found');
    const appKeys = db
      .prepare(
        `SELECT x.connection_id, x.app_id FROM cur_app_assignments x
         JOIN cur_apps a ON a.connection_id = x.connection_id AND a.id = x.app_id
         WHERE x.connection_id = ? AND x.group_id = ?
         ORDER BY a.label COLLATE NOCASE, a.id`,
      )
      .raw()
      .all(connectionId, id) as [number, string][];
    return {
      ...row,
      connectionName: connection.name,
      apps: appRowsForKeys(db, appKeys),
      adminUrl: adminUrl(connection, { kind: 'group', id }),
    };
  })();
}

/** A page of a group's members, by name, optionally searched. */
export function listGroupMembers(db: Db, q: GroupMembersQuery, cache?: PageCache): Page<UserRow> {
  return db.transaction(() => {
    const exists = db.prepare('SELECT 1 FROM cur_groups WHERE connection_id = ? AND id = ?').get(q.connectionId, q.id);
    if (!exists) throw new UserError(`no group "${q.id}" in connection #${q.connectionId}`, 'not-found');
    const search = searchClause(USER_SEARCH_COLUMNS, q.search);
    const from =
      `FROM cur_memberships m JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id ` +
      whereSql(['m.connection_id = ?', 'm.group_id = ?', ...search.sql]);
    const params = [q.connectionId, q.id, ...search.params];
    const { total, keys } = pageOfKeys(
      db,
      {
        keysSql: `SELECT i.connection_id, i.id ${from} ORDER BY i.display_name COLLATE NOCASE, i.id`,
        countSql: `SELECT count(*) ${from}`,
        params,
        preferKeys: q.search.trim() !== '',
      },
      q.offset,
      q.limit,
      cache,
    );
    return { total, offset: q.offset, rows: userRowsForKeys(db, keys) };
  })();
}
