// Groups in the Directory: the paged table, one group's detail and its members.
import type { GroupMembersQuery, GroupQuery } from '../../../shared/contract.js';
import type { GroupDetail, GroupRow, Page, UserRow } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { equalTo, listPage, oneOf, orderBy, pageOfRows, selectKeys, type PageCache } from '../db/query-kit.js';
import { appRowsForKeys, groupRowsForKeys, objectWithConnection, userRowsForKeys } from './rows.js';
import { groupOwners } from './snapshot-lookups.js';
import { USER_SEARCH_COLUMNS } from './users.js';

export const GROUP_SEARCH_COLUMNS = ['g.name', 'g.description', 'g.managed_by_name'] as const;

/** The only ORDER BY expressions a group query can produce. */
export const GROUP_SORT: Readonly<Record<GroupQuery['sort'], string>> = {
  name: 'g.name COLLATE NOCASE',
  type: 'g.type',
  managedBy: 'g.managed_by',
  // The read model keeps each group's member count (a probe, not a count over its members).
  memberCount: '(SELECT n.member_count FROM directory_groups n WHERE n.connection_id = g.connection_id AND n.id = g.id)',
};
const GROUP_TIE_BREAK = 'g.name COLLATE NOCASE, g.connection_id, g.id';

/** A page of groups. */
export function listGroups(db: Db, q: GroupQuery, cache?: PageCache): Page<GroupRow> {
  return listPage(
    db,
    {
      from: 'cur_groups g',
      keyAlias: 'g',
      filters: [equalTo('g.connection_id', q.connectionId), oneOf('g.managed_by', q.managedBy), oneOf('g.type', q.type)],
      search: { columns: GROUP_SEARCH_COLUMNS, text: q.search },
      orderBy: orderBy(GROUP_SORT, q.sort, q.dir, GROUP_TIE_BREAK),
      rows: groupRowsForKeys,
    },
    q,
    cache,
  );
}

/** One group with its assigned apps and its owners. */
export function getGroup(db: Db, connectionId: number, id: string): GroupDetail {
  return db.transaction(() => {
    const { row, connection } = objectWithConnection(db, 'group', groupRowsForKeys, connectionId, id);
    const appKeys = selectKeys(
      db,
      `SELECT x.connection_id, x.app_id FROM cur_app_assignments x
       JOIN cur_apps a ON a.connection_id = x.connection_id AND a.id = x.app_id
       WHERE x.connection_id = ? AND x.group_id = ?
       ORDER BY a.label COLLATE NOCASE, a.id`,
      connectionId,
      id,
    );
    return {
      ...row,
      connectionName: connection.name,
      apps: appRowsForKeys(db, appKeys),
      adminUrl: adminUrl(connection, { kind: 'group', id }),
      owners: groupOwners(db, connectionId, id),
    };
  })();
}

/** A page of a group's members, by name, optionally searched. */
export function listGroupMembers(db: Db, q: GroupMembersQuery, cache?: PageCache): Page<UserRow> {
  return db.transaction(() => {
    const exists = db.prepare('SELECT 1 FROM cur_groups WHERE connection_id = ? AND id = ?').get(q.connectionId, q.id);
    if (!exists) throw new UserError(`no group "${q.id}" in connection #${q.connectionId}`, 'not-found');
    return pageOfRows(
      db,
      {
        from: 'cur_memberships m JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id',
        keyAlias: 'i',
        filters: [equalTo('m.connection_id', q.connectionId), equalTo('m.group_id', q.id)],
        search: { columns: USER_SEARCH_COLUMNS, text: q.search },
        orderBy: 'ORDER BY i.display_name COLLATE NOCASE, i.id',
        rows: userRowsForKeys,
      },
      q,
      cache,
    );
  })();
}
