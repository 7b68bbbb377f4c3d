// Group owners of the sandbox organisation: who Okta's Group Owners API and
// Graph's group `owners` name for each group, so access reviews can send a
// group's items to its owner.
//
// Runs after every other step and draws only from its own 'owners' stream
// (no ids, no dates): adding it left every other part of a seed's company
// as it was. Rule-managed groups (department, location, employment) and
// Everyone have no owner, as in most orgs; about two thirds of the other
// groups have one (an active member, else an active employee), some two;
// and one group keeps an owner who has since been suspended or deactivated
// (the case a reviewer assignment must fall back from).
import type { MembershipStore } from './membership-store.js';
import type { GroupKind, OrgGroup, OrgUser } from './org-model.js';
import type { OrgContext } from './org-context.js';

/** Kinds whose groups may have an owner; the rest are filled by group rules or by Okta. */
const OWNED_KINDS: ReadonlySet<GroupKind> = new Set<GroupKind>(['app', 'directory', 'role', 'team', 'project']);

/** Group index -> owner user indexes, in the order the IdP lists them. */
export type GroupOwners = Map<number, number[]>;

export function generateOwners(ctx: OrgContext, users: readonly OrgUser[], groups: readonly OrgGroup[], memberships: MembershipStore): GroupOwners {
  const rng = ctx.rng('owners');
  const owners: GroupOwners = new Map();
  const active = (u: number): boolean => users[u]?.status === 'ACTIVE' && users[u]?.employmentType === 'Employee';
  const someActive = (members: Int32Array | readonly number[]): number => {
    for (let tries = 0; tries < 8 && members.length > 0; tries++) {
      const u = members[rng.int(members.length)] as number;
      if (active(u)) return u;
    }
    for (let tries = 0; tries < 50; tries++) {
      const u = rng.int(users.length);
      if (active(u)) return u;
    }
    return -1;
  };
  for (const g of groups) {
    if (!OWNED_KINDS.has(g.kind) || !rng.chance(0.65)) continue;
    const members = memberships.members(g.index);
    const first = someActive(members);
    if (first < 0) continue;
    const list = [first];
    if (rng.chance(0.15)) {
      const second = someActive(members);
      if (second >= 0 && second !== first) list.push(second);
    }
    owners.set(g.index, list);
  }
  // One owner who is no longer active: the first owned group's first owner
  // becomes the first suspended or deactivated employee.
  const inactive = users.findIndex((u) => (u.status === 'SUSPENDED' || u.status === 'DEPROVISIONED') && u.employmentType === 'Employee');
  const firstOwned = [...owners.keys()].sort((a, b) => a - b)[0];
  if (inactive >= 0 && firstOwned !== undefined) {
    const list = owners.get(firstOwned) as number[];
    owners.set(firstOwned, [inactive, ...list.slice(1).filter((u) => u !== inactive)]);
  }
  return owners;
}
