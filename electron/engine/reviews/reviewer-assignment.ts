// Who reviews each item. Stage kinds: the account's manager, the catalog
// role's owner (else its app's owner), the IdP group's owner, or named people
// (several: items spread by person, deterministically). The fallback reviewer
// takes an item when the chosen one is missing, inactive (accounts in the
// snapshot, none ACTIVE) or the person under review — self-review is never
// allowed; when the fallback is the person under review, their manager
// reviews (and launch refuses, naming the item, if they have none).
// reviewer_source says which rule chose the reviewer; reviewer_note why the
// fallback took over.
//
// At 100k people the choice cannot be made item by item: it is made once per
// account (manager, named) or once per group (owners, with the few
// (group, account) pairs where the owner is the member as exceptions),
// written into TEMP tables, and population.ts joins them in its one
// INSERT … SELECT. The rules are the directory's: managerOf for the manager
// (the account's own manager first, then another of the person's accounts);
// "the person under review" is every account linked to the reviewer's
// address across IdPs (accountsForKeys: the relation addressesOfPerson
// reads, taken from the reviewer's side so it is one batch for all
// reviewers).
import { createHash } from 'node:crypto';
import type { ReviewerKind } from '../../../shared/contract-reviews.js';
import { roleInfo } from '../catalog/catalog-store.js';
import type { Db } from '../db/database.js';
import { keyOf } from '../db/query-kit.js';
import { accountsForKeys } from '../directory/people.js';
import { addressIndex, identityByKey, managerOf, normEmail, type AddressIndex } from '../directory/people-lookup.js';
import { isLiveMember } from '../directory/snapshot-lookups.js';
import { groupOwnersOf } from './group-owners.js';

/** The account status a reviewer needs somewhere in the snapshot ("not ACTIVE" = inactive). */
export const ACTIVE_STATUS = 'ACTIVE';
/** Marks an item no rule could give a reviewer: launch refuses it by name. */
export const NO_REVIEWER = '!no-reviewer';

export type StageConfig = { kind: ReviewerKind; named: string[] };
export type ScopeGroup = { connectionId: number; groupId: string; roleId: number | null };
/**
 * An account that may be under review, with its own manager as the snapshot
 * has it on the account (managerId null: none on record; managerName null:
 * that id is not in the snapshot).
 */
export type ScopeAccount = {
  connectionId: number;
  identityId: string;
  name: string;
  email: string | null;
  managerId: string | null;
  managerName: string | null;
  managerEmail: string | null;
  managerStatus: string | null;
};
export type Choice = { reviewer: string; source: ReviewerKind | 'fallback'; note: string | null };

/** The TEMP tables population.ts joins. */
export const RV = {
  byIdentity: 'temp.review_rv_identity',
  byGroup: 'temp.review_rv_group',
  override: 'temp.review_rv_override',
} as const;

/** Deterministic pick of one of `n` by a key (several named reviewers: a person always gets the same one). */
export function spreadIndex(key: string, n: number): number {
  return createHash('sha256').update(key).digest().readUInt32BE(0) % n;
}

/** What the snapshot says about reviewers: inactive ones and each one's own accounts (keyOf). */
export type ReviewerFacts = {
  inactive: (r: string) => boolean;
  owns: (r: string, connectionId: number, identityId: string) => boolean;
  /** Every account of the reviewer (linked across IdPs). */
  accountsOf: (r: string) => [number, string][];
  index: AddressIndex;
};

export function reviewerFacts(db: Db, reviewers: Iterable<string>, index: AddressIndex = addressIndex(db)): ReviewerFacts {
  const inactive = new Set<string>();
  const own = new Map<string, Set<string>>();
  const ownList = new Map<string, [number, string][]>();
  const keys: [number, string][] = [];
  const direct = new Map<string, [number, string][]>();
  for (const r of new Set(reviewers)) {
    const accounts = index(r);
    // An address nobody in the snapshot has (an auditor, an outside reviewer) is not "inactive": nothing says they left.
    if (accounts.length > 0 && !accounts.some((a) => a.status.toUpperCase() === ACTIVE_STATUS)) inactive.add(r);
    const ks = accounts.map((a) => [a.connectionId, a.identityId] as [number, string]);
    direct.set(r, ks);
    keys.push(...ks);
  }
  const linked = accountsForKeys(db, keys);
  for (const [r, ks] of direct) {
    const set = new Set<string>();
    const list: [number, string][] = [];
    const add = (c: number, id: string): void => {
      if (set.has(keyOf(c, id))) return;
      set.add(keyOf(c, id));
      list.push([c, id]);
    };
    for (const [c, id] of ks) {
      add(c, id);
      for (const a of linked.get(keyOf(c, id)) ?? []) add(a.connectionId, a.id);
    }
    own.set(r, set);
    ownList.set(r, list);
  }
  return { inactive: (r) => inactive.has(r), owns: (r, c, id) => own.get(r)?.has(keyOf(c, id)) ?? false, accountsOf: (r) => ownList.get(r) ?? [], index };
}

/**
 * The fallback's choice for one account: the fallback, or — when the
 * fallback is that person — their manager.
 */
export function fallbackFor(db: Db, facts: ReviewerFacts, fallback: string, connectionId: number, identityId: string, why: string): Choice {
  if (!facts.owns(fallback, connectionId, identityId)) return { reviewer: fallback, source: 'fallback', note: why };
  const b = identityByKey(db, connectionId, identityId);
  const m = b ? managerOf(db, b) : null;
  return { reviewer: m?.email ?? NO_REVIEWER, source: 'fallback', note: `${why}; the fallback ${fallback} is the person under review: their manager reviews` };
}

/** Applies the fallback rules to a candidate for one account. */
export function settle(db: Db, facts: ReviewerFacts, kind: ReviewerKind, fallback: string, cand: string | null, missingWhy: string | null, connectionId: number, identityId: string): Choice {
  if (!cand) return fallbackFor(db, facts, fallback, connectionId, identityId, missingWhy ?? 'no reviewer found');
  if (facts.inactive(cand)) return fallbackFor(db, facts, fallback, connectionId, identityId, `${cand} is not active in the identity provider`);
  if (facts.owns(cand, connectionId, identityId)) return fallbackFor(db, facts, fallback, connectionId, identityId, `${cand} is the person under review`);
  return { reviewer: cand, source: kind, note: null };
}

/** The person key named reviewers are spread by: the account's e-mail (one person in two IdPs gets one reviewer), else the account. */
const personKey = (a: { connectionId: number; identityId: string; email: string | null }): string => normEmail(a.email) ?? `${a.connectionId}:${a.identityId}`;

const LEFT_STATUSES = new Set(['DEPROVISIONED', 'DISABLED']);

/**
 * managerOf's rule on the account's own manager, from what the scope query
 * read (same outcome and wording): used when the person has no other account
 * (the common case); a person with accounts in several IdPs goes through
 * managerOf itself, which also looks at their other accounts.
 */
function ownManager(a: ScopeAccount): { cand: string | null; why: string | null } {
  if (!a.managerId) return { cand: null, why: `${a.name} has no manager on record` };
  if (a.managerName === null) return { cand: null, why: `${a.name}'s manager (id ${a.managerId}) is not in the snapshot` };
  if (a.managerStatus && LEFT_STATUSES.has(a.managerStatus.toUpperCase())) return { cand: null, why: `${a.name}'s manager ${a.managerName} is ${a.managerStatus.toLowerCase()}` };
  const email = normEmail(a.managerEmail);
  if (!email) return { cand: null, why: `${a.name}'s manager ${a.managerName} has no e-mail address` };
  return { cand: email, why: null };
}

function candidateForAccount(db: Db, stage: StageConfig, named: string[], a: ScopeAccount, linked: boolean): { cand: string | null; why: string | null } {
  if (stage.kind === 'named') {
    const cand = named.length === 0 ? null : (named[named.length === 1 ? 0 : spreadIndex(personKey(a), named.length)] ?? null);
    return { cand, why: cand ? null : 'no named reviewer' };
  }
  const own = ownManager(a);
  if (own.cand || !linked) return own;
  const b = identityByKey(db, a.connectionId, a.identityId);
  const m = b ? managerOf(db, b) : { email: null, why: 'the account left the snapshot' };
  return { cand: m.email, why: m.email === null ? m.why : null };
}

function candidateForGroup(db: Db, kind: ReviewerKind, g: ScopeGroup): { cand: string | null; why: string | null } {
  if (kind === 'owner') {
    const info = g.roleId === null ? null : roleInfo(db, g.roleId);
    const cand = normEmail(info?.roleOwner ?? info?.appOwner ?? null);
    return { cand, why: cand ? null : info ? `${info.label} has no role or app owner` : 'the group is not mapped to a catalog role (no owner)' };
  }
  const owners = groupOwnersOf(db, g.connectionId, g.groupId)
    .map((o) => normEmail(o))
    .filter((o): o is string => o !== null)
    .sort();
  return { cand: owners[0] ?? null, why: owners[0] ? null : 'the group has no owner in the identity provider' };
}

/**
 * Fills the TEMP tables for one stage's choice: per account (manager,
 * named) or per group plus the (group, account) exceptions (owners).
 * `accounts` are every account that may appear; `groups` the groups in scope.
 */
export function prepareReviewerTables(db: Db, stage: StageConfig, fallback: string, accounts: readonly ScopeAccount[], groups: readonly ScopeGroup[]): void {
  dropReviewerTables(db);
  db.exec(`
    CREATE TABLE ${RV.byIdentity} (connection_id INTEGER NOT NULL, identity_id TEXT NOT NULL, reviewer TEXT NOT NULL, source TEXT NOT NULL, note TEXT, PRIMARY KEY (connection_id, identity_id)) WITHOUT ROWID;
    CREATE TABLE ${RV.byGroup} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, reviewer TEXT NOT NULL, source TEXT NOT NULL, note TEXT, PRIMARY KEY (connection_id, group_id)) WITHOUT ROWID;
    CREATE TABLE ${RV.override} (connection_id INTEGER NOT NULL, group_id TEXT NOT NULL, identity_id TEXT NOT NULL, reviewer TEXT NOT NULL, source TEXT NOT NULL, note TEXT, PRIMARY KEY (connection_id, group_id, identity_id)) WITHOUT ROWID;
  `);
  const fb = normEmail(fallback) ?? fallback;
  const named = [...new Set(stage.named.map((n) => normEmail(n)).filter((n): n is string => n !== null))];
  if (stage.kind === 'manager' || stage.kind === 'named') {
    // Only accounts without a usable manager of their own need to know whether the person has other accounts (one batch).
    const needLinks = stage.kind === 'manager' ? accounts.filter((a) => ownManager(a).cand === null).map((a) => [a.connectionId, a.identityId] as [number, string]) : [];
    const links = accountsForKeys(db, needLinks);
    const cands = accounts.map((a) => candidateForAccount(db, stage, named, a, (links.get(keyOf(a.connectionId, a.identityId))?.length ?? 0) > 1));
    const facts = reviewerFacts(db, [fb, ...cands.map((c) => c.cand).filter((c): c is string => c !== null)]);
    const ins = db.prepare(`INSERT OR REPLACE INTO ${RV.byIdentity} (connection_id, identity_id, reviewer, source, note) VALUES (?, ?, ?, ?, ?)`);
    accounts.forEach((a, i) => {
      const c = cands[i] as { cand: string | null; why: string | null };
      const choice = settle(db, facts, stage.kind, fb, c.cand, c.why, a.connectionId, a.identityId);
      ins.run(a.connectionId, a.identityId, choice.reviewer, choice.source, choice.note);
    });
    return;
  }
  const cands = groups.map((g) => candidateForGroup(db, stage.kind, g));
  const facts = reviewerFacts(db, [fb, ...cands.map((c) => c.cand).filter((c): c is string => c !== null)]);
  const insGroup = db.prepare(`INSERT OR REPLACE INTO ${RV.byGroup} (connection_id, group_id, reviewer, source, note) VALUES (?, ?, ?, ?, ?)`);
  const insOverride = db.prepare(`INSERT OR REPLACE INTO ${RV.override} (connection_id, group_id, identity_id, reviewer, source, note) VALUES (?, ?, ?, ?, ?, ?)`);
  groups.forEach((g, i) => {
    const c = cands[i] as { cand: string | null; why: string | null };
    let choice: Choice;
    if (!c.cand) choice = { reviewer: fb, source: 'fallback', note: c.why };
    else if (facts.inactive(c.cand)) choice = { reviewer: fb, source: 'fallback', note: `${c.cand} is not active in the identity provider` };
    else choice = { reviewer: c.cand, source: stage.kind, note: null };
    insGroup.run(g.connectionId, g.groupId, choice.reviewer, choice.source, choice.note);
    // The exceptions: the chosen reviewer's own accounts in this group (self-review), then the fallback's.
    for (const who of new Set([choice.reviewer, fb])) {
      for (const [conn, ident] of ownAccountsIn(db, facts, who, g)) {
        const own = settle(db, facts, stage.kind, fb, choice.source === 'fallback' ? null : choice.reviewer, choice.note, conn, ident);
        insOverride.run(conn, g.groupId, ident, own.reviewer, own.source, own.note);
      }
    }
  });
}

/** The accounts of `who` that are members of the group (so the group-level choice would be self-review). */
function ownAccountsIn(db: Db, facts: ReviewerFacts, who: string, g: ScopeGroup): [number, string][] {
  return facts.accountsOf(who).filter(([c, id]) => c === g.connectionId && isLiveMember(db, g.connectionId, g.groupId, id));
}

export function dropReviewerTables(db: Db): void {
  db.exec(`DROP TABLE IF EXISTS ${RV.byIdentity}; DROP TABLE IF EXISTS ${RV.byGroup}; DROP TABLE IF EXISTS ${RV.override};`);
}

/**
 * SQL (reviewer, source, note) for a row of account (`conn`, `ident`) in group `grp`, with the LEFT JOINs it needs.
 * `carried`: the alias of a row that already carries the per-account choice as rv_reviewer, rv_source, rv_note
 * (the launch's input table joined it once per account: launch-inputs.ts), for the manager and named rules.
 */
export function reviewerSql(kind: ReviewerKind, conn: string, ident: string, grp: string, carried?: string): { joins: string; reviewer: string; source: string; note: string } {
  if ((kind === 'manager' || kind === 'named') && carried) {
    return { joins: '', reviewer: `coalesce(${carried}.rv_reviewer, '${NO_REVIEWER}')`, source: `coalesce(${carried}.rv_source, 'fallback')`, note: `${carried}.rv_note` };
  }
  if (kind === 'manager' || kind === 'named') {
    return {
      joins: `LEFT JOIN ${RV.byIdentity} rvi ON rvi.connection_id = ${conn} AND rvi.identity_id = ${ident}`,
      reviewer: `coalesce(rvi.reviewer, '${NO_REVIEWER}')`,
      source: `coalesce(rvi.source, 'fallback')`,
      note: 'rvi.note',
    };
  }
  return {
    joins: `LEFT JOIN ${RV.byGroup} rvg ON rvg.connection_id = ${conn} AND rvg.group_id = ${grp}
            LEFT JOIN ${RV.override} rvo ON rvo.connection_id = ${conn} AND rvo.group_id = ${grp} AND rvo.identity_id = ${ident}`,
    reviewer: `coalesce(rvo.reviewer, rvg.reviewer, '${NO_REVIEWER}')`,
    source: `coalesce(rvo.source, rvg.source, 'fallback')`,
    note: `CASE WHEN rvo.reviewer IS NOT NULL THEN rvo.note ELSE rvg.note END`,
  };
}
