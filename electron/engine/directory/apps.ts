// Apps in the Directory: the paged table and one app's assigned groups.
import type { AppQuery } from '../../../shared/contract.js';
import type { AppDetail, AppRow, Page } from '../../../shared/domain.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { equalTo, listPage, orderBy, selectKeys, type PageCache } from '../db/query-kit.js';
import { appRowsForKeys, groupRowsForKeys, objectWithConnection } from './rows.js';

/** The only ORDER BY expressions an app query can produce. */
export const APP_SORT: Readonly<Record<AppQuery['sort'], string>> = {
  label: 'a.label COLLATE NOCASE',
  status: 'a.status',
  groupCount: '(SELECT count(*) FROM cur_app_assignments x WHERE x.connection_id = a.connection_id AND x.app_id = a.id)',
};
const APP_TIE_BREAK = 'a.label COLLATE NOCASE, a.connection_id, a.id';

/** A page of apps with their assigned group counts. */
export function listApps(db: Db, q: AppQuery, cache?: PageCache): Page<AppRow> {
  return listPage(
    db,
    {
      from: 'cur_apps a',
      keyAlias: 'a',
      filters: [equalTo('a.connection_id', q.connectionId)],
      search: { columns: ['a.label', 'a.name'], text: q.search },
      orderBy: orderBy(APP_SORT, q.sort, q.dir, APP_TIE_BREAK),
      rows: appRowsForKeys,
    },
    q,
    cache,
  );
}

/** One app with its assigned groups. */
export function getApp(db: Db, connectionId: number, id: string): AppDetail {
  return db.transaction(() => {
    const { row, connection } = objectWithConnection(db, 'app', appRowsForKeys, connectionId, id);
    const groupKeys = selectKeys(
      db,
      `SELECT x.connection_id, x.group_id FROM cur_app_assignments x
       JOIN cur_groups g ON g.connection_id = x.connection_id AND g.id = x.group_id
       WHERE x.connection_id = ? AND x.app_id = ?
       ORDER BY x.priority NULLS LAST, g.name COLLATE NOCASE, g.id`,
      connectionId,
      id,
    );
    return {
      ...row,
      connectionName: connection.name,
      groups: groupRowsForKeys(db, groupKeys),
      adminUrl: adminUrl(connection, { kind: 'app', id, name: row.name }),
    };
  })();
}
