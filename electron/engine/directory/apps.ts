// Apps in the Directory: the paged table and one app's assigned groups.
import type { AppQuery } from '../../../shared/contract.js';
import type { AppDetail, AppRow, Page } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { adminUrl } from './admin-urls.js';
import { orderBy, pageOfKeys, searchClause, whereSql, type PageCache } from './query-kit.js';
import { appRowsForKeys, connectionRef, groupRowsForKeys } from './rows.js';

/** The only ORDER BY expressions an app query can produce. */
export const APP_SORT: Readonly<Record<AppQuery['sort'], string>> = {
  label: 'a.label COLLATE NOCASE',
  status: 'a.status',
  groupCount: '(SELECT count(*) FROM cur_app_assignments x WHERE x.connection_id = a.connection_id AND x.app_id = a.id)',
};
const APP_TIE_BREAK = 'a.label COLLATE NOCASE, a.connection_id, a.id';

/** A page of apps with their assigned group counts. */
export function listApps(db: Db, q: AppQuery, cache?: PageCache): Page<AppRow> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.connectionId !== undefined) {
    where.push('a.connection_id = ?');
    params.push(q.connectionId);
  }
  const search = searchClause(['a.label', 'a.name'], q.search);
  where.push(...search.sql);
  params.push(...search.params);
  const from = `FROM cur_apps a ${whereSql(where)}`;
  return db.transaction(() => {
    const { total, keys } = pageOfKeys(
      db,
      {
        keysSql: `SELECT a.connection_id, a.id ${from} ${orderBy(APP_SORT, q.sort, q.dir, APP_TIE_BREAK)}`,
        countSql: `SELECT count(*) ${from}`,
        params,
        preferKeys: q.search.trim() !== '',
      },
      q.offset,
      q.limit,
      cache,
    );
    return { total, offset: q.offset, rows: appRowsForKeys(db, keys) };
  })();
}

/** One app with its assigned groups. */
export function getApp(db: Db, connectionId: number, id: string): AppDetail {
  return db.transaction(() => {
    const [row] = appRowsForKeys(db, [[connectionId, id]]);
    const connection = connectionRef(db, connectionId);
    if (!row || !connection) throw new UserError(`no app "${id}" in connection #${connectionId}`, 'not-found');
    const groupKeys = db
      .prepare(
        `SELECT x.connection_id, x.group_id FROM cur_app_assignments x
         JOIN cur_groups g ON g.connection_id = x.connection_id AND g.id = x.group_id
         WHERE x.connection_id = ? AND x.app_id = ?
         ORDER BY x.priority NULLS LAST, g.name COLLATE NOCASE, g.id`,
      )
      .raw()
      .all(connectionId, id) as [number, string][];
    return {
      ...row,
      connectionName: connection.name,
      groups: groupRowsForKeys(db, groupKeys),
      adminUrl: adminUrl(connection, { kind: 'app', id, name: row.name }),
    };
  })();
}
