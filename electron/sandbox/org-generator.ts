// Generates the sandbox tenant's organisation: people, a manager tree,
// groups (rule-managed, app-imported and hand-managed), memberships, apps and
// their group assignments, group rules, and a week of System Log history.
//
// The output is a pure function of (seed, users, domain, anchor): no
// Math.random, no wall clock. Benchmarks and tests rely on "seed 1, 100k
// users" meaning the same company everywhere. Timestamps are offsets from
// `anchor` (the sandbox passes the start of the current UTC day, so "stale
// login" stays meaningful in a demo run next year).
//
// Sizes follow a real mid/large company: ~1 group per 20 people and ~10
// group memberships per person (Everyone included), so 100,000 people give
// ~5,000 groups and ~1,000,000 memberships. Memberships are kept as typed
// arrays (see membership-store.ts); JSON is only built when a page is served.
//
// generateOrg composes the steps, each in its own module, in the order they
// draw: the context (ids, company, shape; org-context.ts), people
// (org-people.ts), apps (org-apps.ts), groups (org-group-builder.ts,
// org-groups.ts, and the apps' own groups), then the history
// (org-history.ts), and the groups' owners (org-owners.ts). Each aspect draws from its own named random stream, but
// the id minter and the 'dates' stream run on from step to step: reordering
// the steps would change the company a seed makes. The org's shapes are in
// org-model.ts.
import { createMembershipStore, toSortedUnique } from './membership-store.js';
import type { Org, OrgApp } from './org-model.js';
import { createOrgContext } from './org-context.js';
import { generatePeople } from './org-people.js';
import { addAppGroups, createApps } from './org-apps.js';
import { createGroupBuilder } from './org-group-builder.js';
import { addDirectoryGroups, addRoleGroups, addRuleGroups, addTeamAndProjectGroups, fillCoverageGroups } from './org-groups.js';
import { generateHistory } from './org-history.js';
import { generateOwners } from './org-owners.js';

export type GenerateOrgOptions = {
  users: number;
  seed: number;
  /** E-mail domain of employees (default `<company>.example.com`). */
  domain?: string;
  /** "Now" for the generated history (default 2026-01-15T00:00Z, so the function stays pure). */
  anchor?: Date;
};

const DEFAULT_ANCHOR = Date.UTC(2026, 0, 15);

export function generateOrg(options: GenerateOrgOptions): Org {
  const n = Math.floor(options.users);
  if (!Number.isFinite(n) || n < 1) throw new RangeError(`users must be a positive integer, got ${options.users}`);
  const seed = Math.floor(options.seed);
  const anchor = options.anchor ? options.anchor.getTime() : DEFAULT_ANCHOR;
  const ctx = createOrgContext(n, seed, anchor, options.domain);

  const { users, isHead, superAdmin, readOnlyAdmin } = generatePeople(ctx);
  // Apps (definitions; assignments once groups exist).
  const orgApps = createApps(ctx);

  const builder = createGroupBuilder(ctx, users);
  const ruleGroups = addRuleGroups(ctx, builder, users);
  const coverageGroups = addAppGroups(ctx, builder, orgApps, ruleGroups);
  addDirectoryGroups(ctx, builder, users, orgApps.apps[0] as OrgApp);
  addRoleGroups(ctx, builder);
  addTeamAndProjectGroups(ctx, builder, users, isHead);
  fillCoverageGroups(ctx, builder, coverageGroups);
  const { groups, rules, memberLists } = builder;
  const byGroup = memberLists.map((list) => toSortedUnique(list));
  const memberships = createMembershipStore(byGroup, n);

  const events = generateHistory(ctx, users, groups, memberships, superAdmin);
  // Last, from its own stream: owners change nothing else a seed makes.
  const groupOwners = generateOwners(ctx, users, groups, memberships);

  return {
    seed,
    anchor,
    company: ctx.company,
    departments: ctx.departments,
    locations: ctx.locations,
    users,
    groups,
    memberships,
    rules,
    apps: orgApps.apps,
    admins: { superAdmin, readOnlyAdmin },
    userTypeId: ctx.newId('oty'),
    systemPrincipalId: ctx.newId('0oa'),
    idSuffix: ctx.idSuffix,
    events,
    groupOwners,
  };
}
