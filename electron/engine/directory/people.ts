// People across IdPs as the Directory and the request forms read them: every
// account of the person an account belongs to (with how they were matched and
// their group counts), and the matches correlation refused to guess. The
// links themselves are decided and written by correlation.ts.
import type { AccountRef, ConnectionKind, CorrelationIssue } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { keyOf, type ObjectKey } from '../db/query-kit.js';

type Reason = CorrelationIssue['reason'];
type MatchedBy = AccountRef['matchedBy'];

function compare(x: string, y: string): number {
  return x < y ? -1 : x > y ? 1 : 0;
}

type AccountDbRow = [
  person: string | null,
  cid: number,
  id: string,
  login: string,
  status: string,
  name: string,
  kind: ConnectionKind,
  matched: MatchedBy,
  groups: number | null,
];

function toAccountRef(r: AccountDbRow): AccountRef {
  return { connectionId: r[1], connectionName: r[5], kind: r[6], id: r[2], login: r[3], status: r[4], matchedBy: r[7], groupCount: r[8] ?? 0 };
}

/** An account's group count, from the read model (kept in step with the live memberships). */
const GROUPS_OF = '(SELECT d.group_count FROM directory_accounts d WHERE d.connection_id = i.connection_id AND d.id = i.id)';

/**
 * Every account of the person each key belongs to, the key's own first, then
 * by connection id. An identity with no link (none computed yet, or it joined
 * after the last refresh) is a person of one account. Two indexed queries
 * per call, whatever the number of keys.
 */
export function accountsForKeys(db: Db, keys: readonly ObjectKey[]): Map<string, AccountRef[]> {
  const out = new Map<string, AccountRef[]>();
  if (keys.length === 0) return out;
  const own = db
    .prepare(
      `SELECT l.person_id, i.connection_id, i.id, i.login, i.status, c.name, c.kind, l.matched_by, ${GROUPS_OF}
       FROM json_each(?) j
       JOIN cur_identities i ON i.connection_id = j.value ->> 0 AND i.id = j.value ->> 1
       JOIN connections c ON c.id = i.connection_id
       LEFT JOIN person_links l ON l.connection_id = i.connection_id AND l.identity_id = i.id`,
    )
    .raw()
    .all(JSON.stringify(keys)) as AccountDbRow[];
  const persons = [...new Set(own.map((r) => r[0]).filter((p): p is string => p !== null))];
  const byPerson = new Map<string, AccountDbRow[]>();
  if (persons.length > 0) {
    const rows = db
      .prepare(
        `SELECT l.person_id, i.connection_id, i.id, i.login, i.status, c.name, c.kind, l.matched_by, ${GROUPS_OF}
         FROM json_each(?) j
         JOIN person_links l ON l.person_id = j.value
         JOIN cur_identities i ON i.connection_id = l.connection_id AND i.id = l.identity_id
         JOIN connections c ON c.id = i.connection_id`,
      )
      .raw()
      .all(JSON.stringify(persons)) as AccountDbRow[];
    for (const r of rows) {
      const list = byPerson.get(r[0] as string) ?? [];
      list.push(r);
      byPerson.set(r[0] as string, list);
    }
  }
  for (const r of own) {
    const others = (r[0] === null ? [] : (byPerson.get(r[0]) ?? []))
      .filter((o) => o[1] !== r[1] || o[2] !== r[2])
      .sort((x, y) => x[1] - y[1] || compare(x[2], y[2]));
    out.set(keyOf(r[1], r[2]), [toAccountRef(r), ...others.map(toAccountRef)]);
  }
  return out;
}

/** Every account of the person `id` belongs to, its own first. */
export function accountsOf(db: Db, connectionId: number, id: string): AccountRef[] {
  return db.transaction(() => {
    const accounts = accountsForKeys(db, [[connectionId, id]]).get(keyOf(connectionId, id));
    if (!accounts) throw new UserError(`no user "${id}" in connection #${connectionId}`, 'not-found');
    return accounts;
  })();
}

/**
 * The matches the last refresh refused to guess, with each account's current
 * login and status. The list is rewritten after every sync; an account gone
 * since (its connection was removed) is left out, and an issue left with one
 * account is no longer one.
 */
export function correlationIssues(db: Db): CorrelationIssue[] {
  return db.transaction(() => {
    const rows = db.prepare('SELECT id, reason, match_key, accounts FROM correlation_issues ORDER BY id').raw().all() as [
      number,
      Reason,
      string,
      string,
    ][];
    const parsed = rows.map(([id, reason, key, json]) => ({ id, reason, key, keys: parseKeys(json) }));
    const all = parsed.flatMap((p) => p.keys);
    const live = new Map<string, AccountRef>();
    if (all.length > 0) {
      const found = db
        .prepare(
          `SELECT NULL, i.connection_id, i.id, i.login, i.status, c.name, c.kind, NULL, ${GROUPS_OF}
           FROM json_each(?) j
           JOIN cur_identities i ON i.connection_id = j.value ->> 0 AND i.id = j.value ->> 1
           JOIN connections c ON c.id = i.connection_id`,
        )
        .raw()
        .all(JSON.stringify(all)) as AccountDbRow[];
      for (const r of found) live.set(keyOf(r[1], r[2]), toAccountRef(r));
    }
    return parsed
      .map((p) => ({
        id: p.id,
        reason: p.reason,
        key: p.key,
        accounts: p.keys.map(([cid, id]) => live.get(keyOf(cid, id))).filter((x): x is AccountRef => x !== undefined),
      }))
      .filter((issue) => issue.accounts.length > 1);
  })();
}

function parseKeys(json: string): ObjectKey[] {
  try {
    const v = JSON.parse(json) as unknown;
    if (!Array.isArray(v)) return [];
    return v.filter((k): k is [number, string] => Array.isArray(k) && typeof k[0] === 'number' && typeof k[1] === 'string');
  } catch {
    return [];
  }
}
