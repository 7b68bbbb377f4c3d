// Reading the Directory's read model (migration 4: directory_accounts, its
// trigram index directory_search, directory_groups): what a people or
// accounts list selects from, how the search box's text becomes a
// condition, and the sort expressions. The model is kept in step with the
// live snapshot by triggers, in the same transaction as every change, so a
// query here never sees it lag behind the cur_* views.
//
// Search: every term must match one of the searched columns (name, login,
// e-mail, department, title), as a case-insensitive substring; that is what
// the Directory always did with LIKE. Terms of 3 or more characters go
// through the trigram index, which finds every row LIKE would (and a few
// more: it folds non-ASCII case too), then LIKE re-checks those rows, so the
// result is exactly LIKE's. A trigram index cannot look up 1 or 2
// characters: a search made only of such terms matches them at the START of
// the name, login or e-mail (through their NOCASE indexes) instead of
// anywhere: "a" would otherwise match nearly everyone, and it is what an
// admin typing the first letters of someone means. Terms that short beside
// a longer one keep the substring meaning (the longer term finds the rows).
import type { Db } from '../db/database.js';
import { searchClause, searchTerms, type Condition, type SortDir } from '../db/query-kit.js';

/** The columns the search box looks in, on the model row aliased `alias`. */
export const searchColumns = (alias: string): string[] => ['display_name', 'login', 'email', 'department', 'title'].map((c) => `${alias}.${c}`);

/** Columns a short term (1-2 characters) is matched at the start of. */
const PREFIX_COLUMNS = ['display_name', 'login', 'email'] as const;

/** True when `term` is long enough for the trigram index (3 Unicode characters). */
export const isTrigramTerm = (term: string): boolean => [...term].length >= 3;

/** An FTS5 query asking for every term as a phrase (a substring, to the trigram tokenizer). */
export function trigramQuery(terms: readonly string[]): string {
  return terms.map((t) => `"${t.replaceAll('"', '""')}"`).join(' AND ');
}

/** `LIKE 'term%'` for each prefix column of `alias`, per term (all terms must match). */
function prefixClause(alias: string, terms: readonly string[]): Condition {
  const sql: string[] = [];
  const params: string[] = [];
  for (const t of terms) {
    const pattern = `${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    sql.push(`(${PREFIX_COLUMNS.map((c) => `${alias}.${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`);
    for (let i = 0; i < PREFIX_COLUMNS.length; i++) params.push(pattern);
  }
  return { sql: sql.join(' AND '), params };
}

export type SearchOptions = {
  /** Match the terms against these columns of the model row `a` (default: the searched columns). */
  columns?: (alias: string) => string[];
};

/**
 * The accounts (model rows aliased `a`) matching `text`: an SQL condition on
 * `a` and its parameters, or undefined when the text has no terms.
 */
export function accountMatch(text: string, alias: string, options: SearchOptions = {}): Condition | undefined {
  const terms = searchTerms(text);
  if (terms.length === 0) return undefined;
  const long = terms.filter(isTrigramTerm);
  if (long.length === 0) return prefixClause(alias, terms);
  const recheck = searchClause((options.columns ?? searchColumns)(alias), text);
  return {
    sql: `${alias}.row IN (SELECT rowid FROM directory_search WHERE directory_search MATCH ?) AND ${recheck.sql.join(' AND ')}`,
    params: [trigramQuery(long), ...recheck.params],
  };
}

/**
 * People (listed rows aliased `d`) with an account matching `text`: the
 * person's own row, or any other of their accounts (an Entra UPN, a name
 * spelt differently in the other IdP), all terms within one account.
 */
export function personMatch(text: string, alias: string, options: SearchOptions = {}): Condition | undefined {
  const match = accountMatch(text, 'a', options);
  if (!match) return undefined;
  return { sql: `${alias}.person_id IN (SELECT a.person_id FROM directory_accounts a WHERE ${match.sql})`, params: match.params };
}

export type ListMode = 'people' | 'accounts';

/**
 * The only ORDER BY expressions a user list can produce on the model. The
 * people list's group count is the person's (every account's groups): the
 * number its rows show and its detail lists.
 */
export function userSortExpr(mode: ListMode): Readonly<Record<UserSortKey, string>> {
  return {
    displayName: 'd.display_name COLLATE NOCASE',
    login: 'd.login COLLATE NOCASE',
    email: 'd.email COLLATE NOCASE',
    status: 'd.status',
    department: 'd.department COLLATE NOCASE',
    title: 'd.title COLLATE NOCASE',
    manager: 'd.manager_name COLLATE NOCASE',
    lastLogin: 'd.last_login',
    groupCount: mode === 'people' ? 'coalesce(d.person_group_count, d.group_count)' : 'd.group_count',
  };
}
export type UserSortKey = 'displayName' | 'login' | 'email' | 'status' | 'department' | 'title' | 'manager' | 'lastLogin' | 'groupCount';

/**
 * ORDER BY for a user list. By name, and by the people list's group count
 * (neither is ever NULL), the ties follow the same direction, so the people
 * list walks directory_accounts_people_by_name / _by_groups in either
 * direction, at any offset, instead of sorting 100k rows; other keys break
 * ties by name and sort (a scan of the slim model).
 */
export function userOrderBy(mode: ListMode, key: UserSortKey, dir: SortDir): string {
  const map = userSortExpr(mode);
  if (!Object.hasOwn(map, key)) throw new Error(`unknown sort key ${String(key)}`);
  const d = dir === 'desc' ? 'DESC' : 'ASC';
  if (key === 'displayName') return `ORDER BY d.display_name COLLATE NOCASE ${d}, d.connection_id ${d}, d.id ${d}`;
  if (key === 'groupCount' && mode === 'people') {
    return `ORDER BY ${map.groupCount} ${d}, d.display_name COLLATE NOCASE ${d}, d.connection_id ${d}, d.id ${d}`;
  }
  return `ORDER BY ${map[key]} ${d} NULLS LAST, d.display_name COLLATE NOCASE, d.connection_id, d.id`;
}

/** The sorts the people list answers from an index led by `listed` (so the query must say `d.listed = 1`, not `+d.listed`). */
export const indexedPeopleSort = (key: UserSortKey): boolean => key === 'displayName' || key === 'groupCount';

/**
 * Runs `fn` as one bulk change of the model (e.g. a correlation refresh
 * rewriting thousands of links): the person totals are recomputed once, for
 * the people it touched, when it ends. Call inside a transaction.
 */
export function inDirectoryBulk<T>(db: Db, owner: string, fn: () => T): T {
  db.prepare('INSERT INTO directory_bulk (owner) VALUES (?)').run(owner);
  try {
    return fn();
  } finally {
    // Ending it recomputes the totals (trigger directory_bulk_end). On an
    // error the caller's transaction rolls back, the row with it.
    db.prepare('DELETE FROM directory_bulk WHERE owner = ?').run(owner);
  }
}
