// Identity correlation: which accounts of the Okta and Entra connections
// belong to the same human, so the Directory can show that person once, with
// every account. This module decides and writes the links (person_links,
// correlation_issues); people.ts reads them for the Directory and the
// request forms; the rules themselves run in correlation-rules.ts.
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
import type { Db } from '../db/database.js';
import { getMeta, setMeta } from '../db/meta.js';
import { correlate, type Correlation, type Issue } from './correlation-rules.js';
import { inDirectoryBulk } from './model.js';

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
