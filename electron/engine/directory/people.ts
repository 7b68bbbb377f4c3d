// One person across IdPs (identity correlation): which accounts of the Okta
// and Entra connections belong to the same human, so the Directory can show
// that person once, with every account.
//
// The rules, in order (a person has at most one account per connection):
// 1. Keys. The e-mail is the `email` column, trimmed and lower-cased. For Entra
//    that column is the user's `mail`; the userPrincipalName (`login`) is NOT
//    used as a fallback: a UPN is a sign-in name, often a tenant-internal
//    `x@tenant.onmicrosoft.com` or a guest's `x_partner.com#EXT#@...`, and when
//    it looks like an address it can equal another person's (old or recycled)
//    mailbox. A wrong link merges two people's access in every view, so an
//    account without `mail` is matched by employee id only. Okta's e-mail is a
//    required profile field, so its login is never needed either. The
//    employee id is `employee_number` (Okta employeeNumber, Entra employeeId),
//    trimmed and compared case-insensitively.
// 2. Ambiguity. A key shared by accounts of two or more connections, where one
//    connection has two or more accounts with it (two Entra accounts for one
//    Okta user), cannot say which account is the person's: none of the
//    accounts holding that key are linked at all, and the key is listed as
//    'ambiguous-email' / 'ambiguous-employee-id'. A key held only inside one
//    connection links nothing and is no issue (shared mailboxes in one IdP).
// 3. E-mail: accounts of different connections with the same e-mail are one
//    person, unless their employee ids disagree ('conflicting-keys': an
//    address re-used for a new hire while the old account lingers elsewhere).
// 4. Employee id, for accounts e-mail did not match: accounts with the same
//    employee id are one person, and an e-mail-matched person takes in the
//    unmatched accounts that share its employee id. When that would give a
//    person two accounts in one connection, or join two people e-mail already
//    told apart, the keys point at different people: 'conflicting-keys', and
//    none of those accounts are linked.
// 5. Everything else (no keys, no match) is a person of one account.
// Each cluster's person_id is "<connectionId>:<identityId>" of its account in
// the lowest connection id, so ids are stable across runs while the links hold.
//
// Refused matches are never half-applied: every account named in an issue is
// left as a person of its own, so the admin sees the accounts side by side.
//
// Storage: person_links holds a row for every account of a person with two or
// more accounts, and nothing for a person of one account (the migration's
// comment says "every live identity"; a row for the other 100k would carry
// nothing a reader can use, since readers must treat a missing row as "its
// own person" anyway: a workspace where no refresh ran yet, an identity that
// joined after the last one). So a single-IdP workspace has no rows at all
// and its Directory queries skip the join.
//
// Cost: the refresh runs after every successful sync and does only what the
// sync made necessary (see refreshCorrelation). A full recompute of 2 x 100k
// accounts is bench/directory-queries.ts --hybrid (figures in bench/RESULTS.md).
import { createHash } from 'node:crypto';
import type { AccountRef, ConnectionKind, CorrelationIssue } from '../../../shared/domain.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { getMeta, setMeta } from '../db/meta.js';
import { keyOf, type ObjectKey } from '../db/query-kit.js';
import { inDirectoryBulk } from './model.js';

type Reason = CorrelationIssue['reason'];
type MatchedBy = AccountRef['matchedBy'];

/** Bump when the rules change, so a stored fingerprint no longer lets a refresh be skipped. */
const RULES_VERSION = 1;
const FINGERPRINT_KEY = 'correlation_fingerprint';

/** What a refresh did; the counts are those of a recompute (0 otherwise, except `accounts` when read). */
export type CorrelationStats = {
  outcome: 'skipped' | 'unchanged' | 'recomputed';
  accounts: number;
  people: number;
  /** Accounts linked to another account of their person. */
  linked: number;
  issues: number;
  /** person_links rows inserted, updated or deleted. */
  written: number;
};

type Accounts = {
  cid: number[];
  /** The loaded row ("id US email US employee-id") and where its id ends: ids are sliced out only when needed. */
  row: string[];
  idEnd: number[];
  email: (string | null)[];
  employeeId: (string | null)[];
  /** SHA-1 of every account's keys and id, in load order: equal digests, equal links. */
  digest: string;
};

/**
 * Every live account of the IdP connections, with its keys normalised, in
 * person_links' key order (connection id, then id as SQLite's BINARY
 * collation sorts it). Each account is ONE string "id US email US
 * employee-id" (US = unit separator), and each connection's accounts come as
 * one string joined by RS (record separator): building 200k JS values row by
 * row costs more than SQLite's own work, and the joined text is also what the
 * digest hashes. SQLite folds ASCII case on the way; trimming, and folding
 * the rare key with non-ASCII letters ("JÖRG@x"), is done here only where a
 * row needs it. IdP object ids hold no control characters (Okta ids are
 * alphanumeric, Entra's are GUIDs), and neither should e-mails or employee
 * ids: a row with a third US keeps no keys (never linked, never guessed); a
 * connection whose text does not split into its row count, or whose rows do
 * not come back in id order, is read again row by row.
 */
function loadAccounts(db: Db): Accounts {
  const a: Omit<Accounts, 'digest'> = { cid: [], row: [], idEnd: [], email: [], employeeId: [] };
  const hash = createHash('sha1');
  const connections = db.prepare("SELECT id, live_gen FROM connections WHERE kind IN ('okta', 'entra') ORDER BY id").raw().all() as [number, number][];
  const live = 'FROM identities WHERE connection_id = ? AND gen = ? ORDER BY id';
  const row = `id || char(31) || coalesce(lower(email), '') || char(31) || coalesce(lower(employee_number), '')`;
  // The ordered subquery feeds the aggregate in id order (an ORDER BY inside group_concat would sort again).
  const joinedRows = db.prepare(`SELECT count(*), coalesce(group_concat(r, char(30)), '') FROM (SELECT ${row} AS r ${live})`);
  const eachRow = db.prepare(`SELECT ${row} ${live}`).pluck();
  let nonAscii = false;
  const field = (text: string, from: number, to: number): string | null => {
    if (from === to) return null;
    let v = text.slice(from, to);
    if (isBlank(v.charCodeAt(0)) || isBlank(v.charCodeAt(v.length - 1))) {
      v = v.trim();
      if (v === '') return null;
    }
    return nonAscii ? v.toLowerCase() : v;
  };
  for (const [cid, gen] of connections) {
    const [count, joined] = joinedRows.raw().get(cid, gen) as [number, string];
    let rows = count === 0 ? [] : joined.split(RS);
    if (rows.length !== count || !ascending(rows)) rows = eachRow.all(cid, gen) as string[];
    hash.update(`${cid}\n${count}\n`).update(joined);
    // One test per connection answers "any non-ASCII?"; rows are tested one by one only when some are.
    const someNonAscii = NON_ASCII.test(joined);
    for (const text of rows) {
      nonAscii = someNonAscii && NON_ASCII.test(text);
      const x = text.indexOf(US);
      const y = text.indexOf(US, x + 1);
      const broken = text.indexOf(US, y + 1) !== -1;
      a.cid.push(cid);
      a.row.push(text);
      a.idEnd.push(x);
      a.email.push(broken ? null : field(text, x + 1, y));
      a.employeeId.push(broken ? null : field(text, y + 1, text.length));
    }
  }
  return { ...a, digest: hash.digest('hex') };
}

/** Rows in increasing order ("id US ..." compares as the ids do, US sorting below any id character). */
function ascending(rows: readonly string[]): boolean {
  for (let k = 1; k < rows.length; k++) if ((rows[k - 1] as string) >= (rows[k] as string)) return false;
  return true;
}

function idOf(a: Accounts, i: number): string {
  return (a.row[i] as string).slice(0, a.idEnd[i]);
}

/** Whitespace JS's trim() would remove, for the characters IdPs let through. */
function isBlank(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff;
}
const US = '\u001f';
const RS = '\u001e';
// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * Accounts per key, for keys held by two or more accounts (the rest cannot
 * link anything). One map whose value is the single account index until a
 * second one turns it into a list: half the map operations of a separate
 * "seen once" map, which is most of the cost at 200k keys.
 */
function* sharedKeys(keys: readonly (string | null)[]): Generator<[string, number[]]> {
  const byKey = new Map<string, number | number[]>();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === null || k === undefined) continue;
    const seen = byKey.get(k);
    if (seen === undefined) byKey.set(k, i);
    else if (typeof seen === 'number') byKey.set(k, [seen, i]);
    else seen.push(i);
  }
  for (const [k, v] of byKey) if (typeof v !== 'number') yield [k, v];
}

/** `key` is the normalised e-mail or employee id (`keyKind` says which). */
type Issue = { reason: Reason; key: string; keyKind: 'email' | 'employee-id'; accounts: number[] };

export type Correlation = {
  /** Index of each account's person's first account. */
  first: Int32Array;
  /** 1 for the accounts of people with two or more accounts. */
  linked: Uint8Array;
  matchedBy: MatchedBy[];
  issues: Issue[];
};

/**
 * The rules above, over plain arrays (no database), so they can be tested
 * and timed alone. Written for 2 x 100k accounts where nearly everyone is
 * linked: no allocation per key on the common paths (a key held by exactly
 * one account of each of two connections, an employee id inside one e-mail
 * match).
 */
export function correlate(a: Pick<Accounts, 'cid' | 'email' | 'employeeId'>): Correlation {
  const n = a.cid.length;
  const cid = a.cid;
  const held = new Uint8Array(n);
  const issues: Issue[] = [];

  /** The key's accounts: 'local' (one connection), 'clean' (one per connection) or 'ambiguous'. */
  const classify = (members: readonly number[]): 'local' | 'clean' | 'ambiguous' => {
    if (members.length === 2) return cid[members[0] as number] === cid[members[1] as number] ? 'local' : 'clean';
    const seen = new Set<number>();
    let dup = false;
    for (const m of members) {
      const c = cid[m] as number;
      if (seen.has(c)) dup = true;
      else seen.add(c);
    }
    return seen.size < 2 ? 'local' : dup ? 'ambiguous' : 'clean';
  };
  const hold = (members: readonly number[]): void => {
    for (const m of members) held[m] = 1;
  };
  const unheld = (members: number[]): number[] => (members.every((m) => held[m] === 0) ? members : members.filter((m) => held[m] === 0));

  // 2. Ambiguous keys hold every account that has them.
  const cleanEmails: number[][] = [];
  const cleanEmployeeIds: [string, number[]][] = [];
  for (const [key, members] of sharedKeys(a.email)) {
    const kind = classify(members);
    if (kind === 'clean') cleanEmails.push(members);
    else if (kind === 'ambiguous') {
      issues.push({ reason: 'ambiguous-email', key, keyKind: 'email', accounts: members });
      hold(members);
    }
  }
  for (const [key, members] of sharedKeys(a.employeeId)) {
    const kind = classify(members);
    if (kind === 'clean') cleanEmployeeIds.push([key, members]);
    else if (kind === 'ambiguous') {
      issues.push({ reason: 'ambiguous-employee-id', key, keyKind: 'employee-id', accounts: members });
      hold(members);
    }
  }

  // 3. E-mail clusters (one account per connection, as the key is clean).
  const clusterOf = new Int32Array(n).fill(-1);
  const clusters: number[][] = [];
  const viaEmail = new Uint8Array(n);
  for (const group of cleanEmails) {
    const members = unheld(group);
    if (members.length < 2) continue;
    let employeeId: string | null = null;
    let conflict = false;
    for (const m of members) {
      const e = a.employeeId[m] ?? null;
      if (e === null) continue;
      if (employeeId === null) employeeId = e;
      else if (e !== employeeId) conflict = true;
    }
    if (conflict) {
      issues.push({ reason: 'conflicting-keys', key: a.email[members[0] as number] as string, keyKind: 'email', accounts: members });
      hold(members);
      continue;
    }
    const c = clusters.length;
    clusters.push(members);
    for (const m of members) {
      clusterOf[m] = c;
      viaEmail[m] = 1;
    }
  }

  // 4. Employee ids. Every cluster so far carries at most one employee id, so
  // each key touches its own clusters and the order keys are visited in does
  // not matter.
  for (const [key, group] of cleanEmployeeIds) {
    const c0 = clusterOf[group[0] as number] as number;
    let inOne = c0 >= 0;
    for (let k = 1; inOne && k < group.length; k++) inOne = clusterOf[group[k] as number] === c0;
    if (inOne) continue; // already one e-mail match (the common case)
    const members = unheld(group);
    const emailClusters = new Set<number>();
    const singles: number[] = [];
    for (const m of members) {
      const c = clusterOf[m] as number;
      if (c >= 0) emailClusters.add(c);
      else singles.push(m);
    }
    if (emailClusters.size + singles.length < 2) continue;
    const joined = [...[...emailClusters].flatMap((c) => clusters[c] as number[]), ...singles];
    if (emailClusters.size > 1 || classify(joined) !== 'clean') {
      issues.push({ reason: 'conflicting-keys', key, keyKind: 'employee-id', accounts: joined });
      hold(joined);
      for (const c of emailClusters) {
        for (const m of clusters[c] as number[]) {
          clusterOf[m] = -1;
          viaEmail[m] = 0;
        }
        clusters[c] = [];
      }
      continue;
    }
    const [into] = emailClusters;
    const target = into ?? clusters.length;
    if (into === undefined) clusters.push([]);
    const list = clusters[target] as number[];
    for (const m of singles) {
      list.push(m);
      clusterOf[m] = target;
    }
  }

  // 5. People: the first account is the one in the lowest connection id.
  const first = new Int32Array(n);
  for (let i = 0; i < n; i++) first[i] = i;
  const linked = new Uint8Array(n);
  const matchedBy: MatchedBy[] = new Array<MatchedBy>(n).fill(null);
  for (const members of clusters) {
    if (members.length < 2) continue;
    let f = members[0] as number;
    for (const m of members) if ((cid[m] as number) < (cid[f] as number)) f = m;
    for (const m of members) {
      first[m] = f;
      linked[m] = 1;
      if (m !== f) matchedBy[m] = viaEmail[f] === 1 && viaEmail[m] === 1 ? 'email' : 'employee-id';
    }
  }
  return { first, linked, matchedBy, issues };
}

/**
 * What the last refresh saw. `connections`: every IdP connection with its live
 * generation (a full sync flips it) and creation time (an id can be re-used
 * after a removal). `changeSeq`: the sync_changes position. `inputs`: a
 * SHA-1 of every account's normalised keys, in order. `links`: a SHA-1 of what
 * the refresh wrote to person_links (nothing else writes it).
 */
type Fingerprint = { rules: number; connections: string; changeSeq: number; inputs: string; links: string };

function connectionsStamp(db: Db): string {
  return (db.prepare("SELECT id, kind, live_gen, created_at FROM connections WHERE kind IN ('okta', 'entra') ORDER BY id").raw().all() as unknown[][])
    .map((r) => r.join('|'))
    .join(',');
}

function storedFingerprint(db: Db): Fingerprint | null {
  const raw = getMeta(db, FINGERPRINT_KEY);
  if (raw === null) return null;
  try {
    const v = JSON.parse(raw) as Partial<Fingerprint>;
    return typeof v.rules === 'number' &&
      typeof v.connections === 'string' &&
      typeof v.changeSeq === 'number' &&
      typeof v.inputs === 'string' &&
      typeof v.links === 'string'
      ? { rules: v.rules, connections: v.connections, changeSeq: v.changeSeq, inputs: v.inputs, links: v.links }
      : null;
  } catch {
    return null;
  }
}

function saveFingerprint(db: Db, f: Fingerprint): void {
  setMeta(db, FINGERPRINT_KEY, JSON.stringify(f));
}

/**
 * Whether changes recorded after `seq` can move a link: joiners, deletions
 * (a 'leaver' without a field; a leaver by status keeps its keys) and e-mail
 * / employee-id attribute changes (change-rules.ts; employee ids only once
 * they are tracked there). A rowid range over the newest changes only.
 */
function identityChangesSince(db: Db, seq: number): boolean {
  return (
    (db
      .prepare(
        `SELECT EXISTS (SELECT 1 FROM sync_changes WHERE seq > ? AND subject_type = 'user'
           AND (kind = 'joiner' OR (kind = 'leaver' AND field IS NULL)
             OR (kind = 'attribute' AND field IN ('email', 'employeeNumber'))))`,
      )
      .pluck()
      .get(seq) as number) === 1
  );
}

/**
 * Recomputes person_links and correlation_issues from the live snapshots of
 * every Okta and Entra connection, in one (immediate) transaction. It runs
 * after every successful sync, so it does as little as the sync changed:
 * - 'skipped': the connections' generations are the same and no change
 *   recorded since the last refresh touches an identity's keys (an
 *   incremental sync of memberships, titles, ...), or fewer than two IdPs
 *   have a snapshot: nothing is read;
 * - 'unchanged': the accounts' keys hash to what the last refresh saw (a full
 *   sync where nobody joined, left or changed e-mail): read, not recomputed;
 * - 'recomputed': the rules run and only the links that differ are written.
 * `force` recomputes regardless (tests, or rows edited by hand).
 */
export function refreshCorrelation(db: Db, opts: { force?: boolean } = {}): CorrelationStats {
  return db
    .transaction((): CorrelationStats => {
      const before = opts.force ? null : storedFingerprint(db);
      const connections = connectionsStamp(db);
      const changeSeq = db.prepare('SELECT coalesce(max(seq), 0) FROM sync_changes').pluck().get() as number;
      const same = before !== null && before.rules === RULES_VERSION && before.connections === connections;
      if (same && before.changeSeq <= changeSeq && !identityChangesSince(db, before.changeSeq)) {
        if (before.changeSeq !== changeSeq) saveFingerprint(db, { ...before, changeSeq });
        return { outcome: 'skipped', accounts: 0, people: 0, linked: 0, issues: 0, written: 0 };
      }
      // One IdP with a snapshot (the common workspace): nobody can have two
      // accounts, so there is nothing to read, only stale links to drop.
      const synced = db.prepare("SELECT count(*) FROM connections WHERE kind IN ('okta', 'entra') AND live_gen > 0").pluck().get() as number;
      if (synced < 2) {
        const stale = db.prepare('SELECT EXISTS (SELECT 1 FROM person_links)').pluck().get() === 1;
        const written = stale ? inDirectoryBulk(db, 'correlation', () => db.prepare('DELETE FROM person_links').run().changes) : 0;
        db.prepare('DELETE FROM correlation_issues').run();
        saveFingerprint(db, { rules: RULES_VERSION, connections, changeSeq, inputs: '', links: '' });
        return { outcome: 'skipped', accounts: 0, people: 0, linked: 0, issues: 0, written };
      }
      const accounts = loadAccounts(db);
      const sameRules = before !== null && before.rules === RULES_VERSION;
      if (sameRules && before.inputs === accounts.digest) {
        saveFingerprint(db, { ...before, connections, changeSeq });
        return { outcome: 'unchanged', accounts: accounts.cid.length, people: 0, linked: 0, issues: 0, written: 0 };
      }
      const result = correlate(accounts);
      // The links are a function of the account list (in `inputs`) and, per
      // account, its person's first account and how it matched: when those
      // hash the same as last time (keys changed, links did not), the stored
      // rows are already right and reading them back to compare is skipped.
      const links = createHash('sha1')
        .update(accounts.digest)
        .update(new Uint8Array(result.first.buffer, result.first.byteOffset, result.first.byteLength))
        .update(Uint8Array.from(result.matchedBy, (m) => (m === null ? 0 : m === 'email' ? 1 : 2)))
        .digest('hex');
      const written = sameRules && before.links === links ? 0 : writeLinks(db, accounts, result);
      writeIssues(db, accounts, result.issues);
      saveFingerprint(db, { rules: RULES_VERSION, connections, changeSeq, inputs: accounts.digest, links });
      let linked = 0;
      for (const m of result.matchedBy) if (m !== null) linked++;
      return {
        outcome: 'recomputed',
        accounts: accounts.cid.length,
        people: accounts.cid.length - linked,
        linked,
        issues: result.issues.length,
        written,
      };
    })
    .immediate();
}

/**
 * Writes the difference between the stored links and `result`; returns the
 * rows touched. Only accounts of people with two or more accounts have a row
 * (an identity without one is a person of its own: that is also what a
 * workspace that never ran a refresh, or a joiner not linked yet, looks
 * like). Both lists are in primary-key order, so they are merged in one walk
 * comparing one string per row ("cid US id US person US matched_by"); keys
 * are compared only where the rows differ.
 */
function writeLinks(db: Db, a: Accounts, result: Correlation): number {
  const n = a.cid.length;
  const persons = new Map<number, string>(); // one person_id string per person, not per account
  const personOf = (i: number): string => {
    const f = result.first[i] as number;
    let p = persons.get(f);
    if (p === undefined) persons.set(f, (p = `${a.cid[f] as number}:${idOf(a, f)}`));
    return p;
  };
  // Whether a stored row is account i's link, compared in place (no string
  // built per row: at 200k rows the allocations cost more than the compare).
  const cidText: string[] = [];
  for (const c of a.cid) cidText[c] ??= String(c);
  const at = (row: string, p: number, part: string, then: number): number =>
    row.startsWith(part, p) && row.charCodeAt(p + part.length) === then ? p + part.length + 1 : -1;
  const atId = (row: string, p: number, k: number, then: number): number => {
    const src = a.row[k] as string;
    const len = a.idEnd[k] as number;
    if (row.charCodeAt(p + len) !== then) return -1;
    for (let c = 0; c < len; c++) if (row.charCodeAt(p + c) !== src.charCodeAt(c)) return -1;
    return p + len + 1;
  };
  const isRowOf = (row: string, i: number): boolean => {
    const f = result.first[i] as number;
    const m = result.matchedBy[i] ?? '';
    let p = at(row, 0, cidText[a.cid[i] as number] as string, 31);
    if (p >= 0) p = atId(row, p, i, 31);
    if (p >= 0) p = at(row, p, cidText[a.cid[f] as number] as string, 58); // ':'
    if (p >= 0) p = atId(row, p, f, 31);
    return p >= 0 && row.length === p + m.length && row.endsWith(m);
  };
  const nextLinked = (from: number): number => {
    let i = from;
    while (i < n && result.linked[i] === 0) i++;
    return i;
  };
  let upserts: number[] = [];
  const deletes: [number, string][] = [];
  let rewrite = false;
  let i = nextLinked(0);
  const stored = db
    .prepare(
      `SELECT connection_id || char(31) || identity_id || char(31) || person_id || char(31) || coalesce(matched_by, '')
       FROM person_links ORDER BY connection_id, identity_id`,
    )
    .pluck()
    .all() as string[];
  for (const row of stored) {
    if (i < n && isRowOf(row, i)) {
      i = nextLinked(i + 1);
      continue;
    }
    const x = row.indexOf(US);
    const y = row.indexOf(US, x + 1);
    if (row.split(US).length !== 4) {
      rewrite = true; // an id with a US in it: the row cannot be split, so start over
      break;
    }
    const cid = Number(row.slice(0, x));
    const id = row.slice(x + 1, y);
    let order = -1;
    while (i < n && (order = compareKeys(a.cid[i] as number, idOf(a, i), cid, id)) < 0) {
      upserts.push(i); // newly linked
      i = nextLinked(i + 1);
    }
    if (i < n && order === 0) {
      upserts.push(i); // same account, another person or match
      i = nextLinked(i + 1);
    } else deletes.push([cid, id]); // no longer linked, left the IdP, or its connection was removed
  }
  for (; i < n; i = nextLinked(i + 1)) upserts.push(i);
  if (upserts.length === 0 && deletes.length === 0 && !rewrite) return 0;
  // One bulk change of the Directory's model: its people and their totals
  // follow the links in one pass at the end, not once per link.
  return inDirectoryBulk(db, 'correlation', () => {
    if (rewrite) {
      db.prepare('DELETE FROM person_links').run();
      deletes.length = 0;
      upserts = [];
      for (let k = nextLinked(0); k < n; k = nextLinked(k + 1)) upserts.push(k);
    }
    return writeChanges(db, a, result, upserts, deletes, personOf);
  });
}

/** Writes the link rows `writeLinks` found different; returns how many. */
function writeChanges(
  db: Db,
  a: Accounts,
  result: Correlation,
  upserts: readonly number[],
  deletes: readonly (readonly [number, string])[],
  personOf: (i: number) => string,
): number {
  const upsert = db.prepare(
    `INSERT INTO person_links (connection_id, identity_id, person_id, matched_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (connection_id, identity_id) DO UPDATE SET person_id = excluded.person_id, matched_by = excluded.matched_by`,
  );
  for (const k of upserts) upsert.run(a.cid[k], idOf(a, k), personOf(k), result.matchedBy[k] ?? null);
  const remove = db.prepare('DELETE FROM person_links WHERE connection_id = ? AND identity_id = ?');
  for (const [cid, id] of deletes) remove.run(cid, id);
  return upserts.length + deletes.length;
}

/** (connection id, id) in SQLite's order: ids compare as UTF-8 bytes (BINARY). */
function compareKeys(c1: number, id1: string, c2: number, id2: string): number {
  if (c1 !== c2) return c1 - c2;
  if (id1 === id2) return 0;
  const len = Math.min(id1.length, id2.length);
  for (let k = 0; k < len; k++) {
    const x = id1.charCodeAt(k);
    const y = id2.charCodeAt(k);
    if (x === y) continue;
    // Below the surrogates, UTF-16 code units sort as UTF-8 bytes do.
    if (x < 0xd800 && y < 0xd800) return x - y;
    return Buffer.compare(Buffer.from(id1), Buffer.from(id2));
  }
  return id1.length - id2.length;
}

function writeIssues(db: Db, a: Accounts, issues: readonly Issue[]): void {
  db.prepare('DELETE FROM correlation_issues').run();
  const insert = db.prepare('INSERT INTO correlation_issues (reason, match_key, accounts) VALUES (?, ?, ?)');
  const shownEmployeeId = db.prepare('SELECT trim(employee_number) FROM cur_identities WHERE connection_id = ? AND id = ?').pluck();
  const rows = issues.map((issue) => {
    const accounts = [...issue.accounts]
      .sort((x, y) => (a.cid[x] as number) - (a.cid[y] as number) || compare(idOf(a, x), idOf(a, y)))
      .map((i) => [a.cid[i] as number, idOf(a, i)] as const);
    const [c0, id0] = accounts[0] ?? [0, ''];
    // Employee ids are shown as the IdP spells them ("C20001"), not case-folded.
    const key = issue.keyKind === 'employee-id' ? ((shownEmployeeId.get(c0, id0) as string | undefined) ?? issue.key) : issue.key;
    return { reason: issue.reason, key, accounts };
  });
  // A stable order for the admin's list: by reason, then key.
  rows.sort((x, y) => compare(x.reason, y.reason) || compare(x.key, y.key));
  for (const r of rows) insert.run(r.reason, r.key, JSON.stringify(r.accounts));
}

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
