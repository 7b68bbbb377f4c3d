// Building blocks shared by the list queries of every area (directory,
// changes, requests): LIKE patterns that treat the user's text literally,
// whitelisted ORDER BY clauses, the paging strategy with its small result
// cache, and the one shape every directory table's query takes (`ListSpec`),
// so each table states only what differs.
//
// Paging: for a first page without a search, SQLite's top-N sort plus a
// COUNT(*) is the cheapest plan. Deep offsets (a virtualised table scrolled
// to row 50,000) and searches are cheaper as one query that returns every
// matching key in order: total and page come from the same scan, and the
// following pages of the same query are slices of a cached key list. The
// cache is keyed by the SQL, its parameters and a data stamp that changes
// with every write to the file, so a sync (here or in another process) is
// never hidden behind a stale page.
import type { Page } from '../../../shared/domain.js';
import type { Db } from './database.js';

/** (connection id, object id): how every snapshot object is addressed. */
export type ObjectKey = readonly [connectionId: number, id: string];

export type SortDir = 'asc' | 'desc';

/** Escapes LIKE wildcards so `50%_off` matches itself; pair with `ESCAPE '\'`. */
export function likeContains(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Splits search text into terms (whitespace-separated, at most 8): every term
 * must match one of the columns, so "ada engineering" finds Ada in
 * Engineering. SQLite's LIKE folds ASCII case only.
 */
export function searchTerms(search: string): string[] {
  return search.trim().split(/\s+/).filter((t) => t !== '').slice(0, 8);
}

/**
 * A column the search box looks in. `skipIf` names a condition under which the
 * column cannot add a match (e.g. an email equal to the login), sparing a LIKE
 * per row on large tables.
 */
export type SearchColumn = string | { column: string; skipIf: string };

/** `(a LIKE ? ESCAPE '\' OR b LIKE ? ESCAPE '\' ...)` for each term, with its parameters. */
export function searchClause(columns: readonly SearchColumn[], search: string): { sql: string[]; params: string[] } {
  const sql: string[] = [];
  const params: string[] = [];
  const tests = columns.map((c) =>
    typeof c === 'string' ? `${c} LIKE ? ESCAPE '\\'` : `(NOT (${c.skipIf}) AND ${c.column} LIKE ? ESCAPE '\\')`,
  );
  for (const term of searchTerms(search)) {
    const pattern = likeContains(term);
    sql.push(`(${tests.join(' OR ')})`);
    for (let i = 0; i < columns.length; i++) params.push(pattern);
  }
  return { sql, params };
}

/** `col IN (?, ?, ...)`; callers skip it for an empty list. */
export function inClause(column: string, values: readonly unknown[]): string {
  return `${column} IN (${values.map(() => '?').join(', ')})`;
}

/**
 * ORDER BY from a whitelist: the sort key picks a SQL expression written in
 * this file's callers, never text from the request, and the direction is one
 * of two keywords. Ties break on `tieBreak` so paging is stable.
 */
export function orderBy<K extends string>(map: Readonly<Record<K, string>>, key: K, dir: SortDir, tieBreak: string): string {
  if (!Object.hasOwn(map, key)) throw new Error(`unknown sort key ${String(key)}`);
  const direction = dir === 'desc' ? 'DESC' : 'ASC';
  const expr = map[key];
  // Sorting by the tie-break's own first column: do not sort on it twice.
  const tie = tieBreak.startsWith(`${expr}, `) ? tieBreak.slice(expr.length + 2) : tieBreak;
  return `ORDER BY ${expr} ${direction} NULLS LAST, ${tie}`;
}

export function whereSql(parts: readonly string[]): string {
  return parts.length ? `WHERE ${parts.join(' AND ')}` : '';
}

/**
 * Changes whenever the file's content may have changed: `data_version` moves
 * on commits by other connections (a sync in another process), and
 * `total_changes()` on writes through this one.
 */
export function dataStamp(db: Db): string {
  const version = db.pragma('data_version', { simple: true }) as number;
  const changes = (db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
  return `${version}:${changes}`;
}

type Entry = { stamp: string; value: unknown };

/**
 * Values computed once per data stamp: ordered key lists (large, few kept)
 * and counts/facets (small, more kept). One per open workspace.
 */
export type PageCache = {
  get: <T>(key: string, stamp: string) => T | undefined;
  set: (key: string, stamp: string, value: unknown, size?: 'large' | 'small') => void;
  memo: <T>(key: string, stamp: string, compute: () => T) => T;
  clear: () => void;
};

export function createPageCache(limits: { large?: number; small?: number } = {}): PageCache {
  const large = new Map<string, Entry>();
  const small = new Map<string, Entry>();
  const touch = (map: Map<string, Entry>, key: string, entry: Entry, max: number): void => {
    map.delete(key);
    map.set(key, entry); // most recently used goes last
    while (map.size > max) {
      const oldest = map.keys().next();
      if (oldest.done) break;
      map.delete(oldest.value);
    }
  };
  const get = <T>(key: string, stamp: string): T | undefined => {
    for (const map of [large, small]) {
      const hit = map.get(key);
      if (!hit) continue;
      if (hit.stamp !== stamp) {
        map.delete(key);
        return undefined;
      }
      map.delete(key);
      map.set(key, hit);
      return hit.value as T;
    }
    return undefined;
  };
  const set = (key: string, stamp: string, value: unknown, size: 'large' | 'small' = 'small'): void => {
    if (size === 'large') touch(large, key, { stamp, value }, limits.large ?? 6);
    else touch(small, key, { stamp, value }, limits.small ?? 64);
  };
  return {
    get,
    set,
    memo<T>(key: string, stamp: string, compute: () => T): T {
      const hit = get<T>(key, stamp);
      if (hit !== undefined) return hit;
      const value = compute();
      set(key, stamp, value);
      return value;
    },
    clear: () => {
      large.clear();
      small.clear();
    },
  };
}

/** Below this offset + limit, a query without search pages with LIMIT/OFFSET directly. */
const DIRECT_WINDOW = 1000;

export type KeyedQuery = {
  /** `SELECT <connection id>, <id> FROM ... WHERE ... ORDER BY ...` (two columns, in that order). */
  keysSql: string;
  /** `SELECT count(*) FROM ... WHERE ...` over the same rows. */
  countSql: string;
  params: readonly unknown[];
  /** True when a full key scan is cheaper than COUNT + top-N (e.g. a LIKE search). */
  preferKeys: boolean;
  /**
   * Page with LIMIT/OFFSET at any offset (the read model's lists, whose sort
   * is an index walk or a scan of a slim table): cheaper than handing every
   * key of 100k rows to JS to slice one page from.
   */
  direct?: boolean;
};

/** The total and the keys of one page, in order. */
export function pageOfKeys(db: Db, q: KeyedQuery, offset: number, limit: number, cache?: PageCache): { total: number; keys: ObjectKey[] } {
  const params = JSON.stringify(q.params);
  const keysKey = `keys\u0000${q.keysSql}\u0000${params}`;
  // The count does not depend on the sort, so every sort of one filter shares it.
  const countKey = `count\u0000${q.countSql}\u0000${params}`;
  const stamp = cache ? dataStamp(db) : '';
  const cached = cache?.get<ObjectKey[]>(keysKey, stamp);
  if (cached) return { total: cached.length, keys: cached.slice(offset, offset + limit) };

  if (!q.preferKeys && (q.direct === true || offset + limit <= DIRECT_WINDOW)) {
    const count = (): number => (db.prepare(q.countSql).pluck().get(...q.params) as number | undefined) ?? 0;
    const total = cache ? cache.memo(countKey, stamp, count) : count();
    const page = (): ObjectKey[] => db.prepare(`${q.keysSql} LIMIT ? OFFSET ?`).raw().all(...q.params, limit, offset) as [number, string][];
    const keys = cache ? cache.memo(`page\u0000${keysKey}\u0000${offset}\u0000${limit}`, stamp, page) : page();
    return { total, keys };
  }
  const all = db.prepare(q.keysSql).raw().all(...q.params) as [number, string][];
  cache?.set(keysKey, stamp, all, 'large');
  cache?.set(countKey, stamp, all.length);
  return { total: all.length, keys: all.slice(offset, offset + limit) };
}

/** JSON for `json_each(?)`, so a page's keys go to SQLite as one parameter. */
export function keysJson(keys: readonly ObjectKey[]): string {
  return JSON.stringify(keys);
}

export function keyOf(connectionId: number, id: string): string {
  return `${connectionId}\u0000${id}`;
}

/** Reorders `rows` to follow `keys` (json_each joins do not promise an order). */
export function inKeyOrder<T extends { connectionId: number; id: string }>(keys: readonly ObjectKey[], rows: readonly T[]): T[] {
  const byKey = new Map(rows.map((r) => [keyOf(r.connectionId, r.id), r]));
  const out: T[] = [];
  for (const [cid, id] of keys) {
    const row = byKey.get(keyOf(cid, id));
    if (row) out.push(row);
  }
  return out;
}

/**
 * One WHERE condition with its parameters. Optional filters come out as
 * `undefined` when they do not apply, so a list can state all of them inline.
 */
export type Condition = { sql: string; params: readonly unknown[] };

/** `column = ?`, or no condition when `value` is undefined (e.g. "every connection"). */
export function equalTo(column: string, value: unknown): Condition | undefined {
  return value === undefined ? undefined : { sql: `${column} = ?`, params: [value] };
}

/** `column IN (...)`, or no condition for an empty list (an empty filter menu means "any"). */
export function oneOf(column: string, values: readonly unknown[]): Condition | undefined {
  return values.length ? { sql: inClause(column, values), params: values } : undefined;
}

/**
 * What one directory table states; the paging, the search box and loading the
 * rows are the same for every table and live in `pageOfRows`.
 */
export type ListSpec<R> = {
  /** The FROM clause's body, e.g. `cur_apps a` (joins allowed). */
  from: string;
  /** Alias of the view whose `connection_id, id` are the listed objects' keys. */
  keyAlias: string;
  filters: readonly (Condition | undefined)[];
  /**
   * Columns the search box looks in and its text; every term must match one
   * column. `where` replaces the column test with a condition of its own
   * (e.g. "this row, or another account of the same person, matches"), built
   * from the same text; the text still picks the paging strategy.
   */
  search: { columns: readonly SearchColumn[]; text: string; where?: (text: string) => Condition | undefined };
  /** The whole ORDER BY clause, from `orderBy` or fixed; it must end on a unique key. */
  orderBy: string;
  /** Turns a page of keys into rows, in the keys' order. */
  rows: (db: Db, keys: readonly ObjectKey[]) => R[];
  /** See KeyedQuery.direct. */
  direct?: boolean;
};

/**
 * A page of `spec`'s rows. Reads several statements, so call it inside a
 * transaction (`listPage` does) to keep total and rows from one snapshot.
 */
export function pageOfRows<R>(db: Db, spec: ListSpec<R>, page: { offset: number; limit: number }, cache?: PageCache): Page<R> {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const c of spec.filters) {
    if (!c) continue;
    where.push(c.sql);
    params.push(...c.params);
  }
  if (spec.search.where) {
    const c = spec.search.where(spec.search.text);
    if (c) {
      where.push(c.sql);
      params.push(...c.params);
    }
  } else {
    const search = searchClause(spec.search.columns, spec.search.text);
    where.push(...search.sql);
    params.push(...search.params);
  }
  const from = `FROM ${spec.from} ${whereSql(where)}`;
  const { total, keys } = pageOfKeys(
    db,
    {
      keysSql: `SELECT ${spec.keyAlias}.connection_id, ${spec.keyAlias}.id ${from} ${spec.orderBy}`,
      countSql: `SELECT count(*) ${from}`,
      params,
      preferKeys: spec.search.text.trim() !== '',
      direct: spec.direct ?? false,
    },
    page.offset,
    page.limit,
    cache,
  );
  return { total, offset: page.offset, rows: spec.rows(db, keys) };
}

/** `pageOfRows` in its own read transaction. */
export function listPage<R>(db: Db, spec: ListSpec<R>, page: { offset: number; limit: number }, cache?: PageCache): Page<R> {
  return db.transaction(() => pageOfRows(db, spec, page, cache))();
}

/** The keys a `SELECT <connection id>, <id> ...` returns, in its order. */
export function selectKeys(db: Db, sql: string, ...params: readonly unknown[]): ObjectKey[] {
  return db.prepare(sql).raw().all(...params) as [number, string][];
}
