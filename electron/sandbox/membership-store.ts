// Group memberships of the sandbox organisation, kept compact: a sandbox of
// 100,000 people has ~1,000,000 memberships, which as JS objects or Sets
// would cost hundreds of MB and seconds to build. Each group holds a sorted
// Int32Array of user indexes; the reverse direction (a user's groups) is one
// CSR pair of typed arrays built once, plus a small overlay for the users
// whose memberships changed since (the sandbox is read-mostly: a handful of
// PUT/DELETE calls against a million edges).

export type MembershipStore = {
  readonly groupCount: () => number;
  /** Members of a group, ascending user index. Do not mutate. */
  readonly members: (group: number) => Int32Array;
  /** Groups of a user, ascending group index. Do not mutate. */
  readonly groupsOf: (user: number) => Int32Array;
  readonly has: (group: number, user: number) => boolean;
  /** Adds; false when already a member (the call is idempotent). */
  readonly add: (group: number, user: number) => boolean;
  /** Removes; false when not a member. */
  readonly remove: (group: number, user: number) => boolean;
  /** Number of (group, user) edges. */
  readonly total: () => number;
  /** Makes room for a user appended to the organisation after construction. */
  readonly addUser: () => number;
  /** Adds an empty group; returns its index. */
  readonly addGroup: () => number;
};

/** Index of the first element >= value in a sorted array. */
export function lowerBound(sorted: Int32Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function insertSorted(sorted: Int32Array, value: number): Int32Array | null {
  const at = lowerBound(sorted, value);
  if (sorted[at] === value) return null;
  const out = new Int32Array(sorted.length + 1);
  out.set(sorted.subarray(0, at), 0);
  out[at] = value;
  out.set(sorted.subarray(at), at + 1);
  return out;
}

function deleteSorted(sorted: Int32Array, value: number): Int32Array | null {
  const at = lowerBound(sorted, value);
  if (sorted[at] !== value) return null;
  const out = new Int32Array(sorted.length - 1);
  out.set(sorted.subarray(0, at), 0);
  out.set(sorted.subarray(at + 1), at);
  return out;
}

/** Sorts and de-duplicates a list of user indexes into a compact array. */
export function toSortedUnique(values: readonly number[] | Int32Array): Int32Array {
  const sorted = Int32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[n++] = sorted[i] as number;
  }
  return n === sorted.length ? sorted : sorted.slice(0, n);
}

/**
 * Builds the store from per-group member arrays (sorted, unique: see
 * toSortedUnique) for `userCount` users.
 */
export function createMembershipStore(byGroup: Int32Array[], userCount: number): MembershipStore {
  const groups = byGroup.slice();
  let users = userCount;
  let edges = 0;

  // CSR of user -> groups: counts, prefix sums, then fill. Groups are visited
  // in ascending order, so every user's slice comes out sorted.
  const offsets = new Int32Array(users + 1);
  for (const members of groups) {
    edges += members.length;
    for (let i = 0; i < members.length; i++) offsets[(members[i] as number) + 1]! += 1;
  }
  for (let u = 0; u < users; u++) offsets[u + 1]! += offsets[u] as number;
  const flat = new Int32Array(edges);
  const cursor = offsets.slice(0, users);
  for (let g = 0; g < groups.length; g++) {
    const members = groups[g] as Int32Array;
    for (let i = 0; i < members.length; i++) {
      const u = members[i] as number;
      flat[cursor[u]!++] = g;
    }
  }
  const changed = new Map<number, Int32Array>();
  const empty = new Int32Array(0);

  const groupsOf = (user: number): Int32Array => {
    const over = changed.get(user);
    if (over) return over;
    if (user < 0 || user >= offsets.length - 1) return empty;
    return flat.subarray(offsets[user], offsets[user + 1]);
  };
  const members = (group: number): Int32Array => groups[group] ?? empty;

  return {
    groupCount: () => groups.length,
    members,
    groupsOf,
    has: (group, user) => {
      const m = members(group);
      return m[lowerBound(m, user)] === user;
    },
    add: (group, user) => {
      if (group < 0 || group >= groups.length || user < 0 || user >= users) throw new RangeError('no such group or user');
      const next = insertSorted(members(group), user);
      if (!next) return false;
      groups[group] = next;
      changed.set(user, insertSorted(groupsOf(user), group) ?? groupsOf(user));
      edges++;
      return true;
    },
    remove: (group, user) => {
      if (group < 0 || group >= groups.length) throw new RangeError('no such group');
      const next = deleteSorted(members(group), user);
      if (!next) return false;
      groups[group] = next;
      changed.set(user, deleteSorted(groupsOf(user), group) ?? groupsOf(user));
      edges--;
      return true;
    },
    total: () => edges,
    addUser: () => {
      changed.set(users, empty);
      return users++;
    },
    addGroup: () => {
      groups.push(empty);
      return groups.length - 1;
    },
  };
}
