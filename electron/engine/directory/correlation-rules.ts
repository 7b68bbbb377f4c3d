// The correlation rules (correlation.ts states them in words, at its top)
// over plain arrays, with no database: which accounts are one person, and
// which matches are refused as ambiguous or conflicting. Kept apart so they
// can be tested and timed alone (test/unit/correlation.test.ts).
import type { AccountRef, CorrelationIssue } from '../../../shared/domain.js';

type Reason = CorrelationIssue['reason'];
type MatchedBy = AccountRef['matchedBy'];

/** Each account's connection and normalised keys, in person_links' key order. */
export type KeyColumns = { cid: readonly number[]; email: readonly (string | null)[]; employeeId: readonly (string | null)[] };

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
export type Issue = { reason: Reason; key: string; keyKind: 'email' | 'employee-id'; accounts: number[] };

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
export function correlate(a: KeyColumns): Correlation {
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
