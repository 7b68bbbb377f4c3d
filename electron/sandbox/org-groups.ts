// The sandbox organisation's groups other than the apps' own: the built-in
// Everyone group, the rule-managed department, office and employment-type
// groups, directory groups imported from Active Directory, hand-managed role
// groups, teams and projects, and at the end the coverage fill of the app
// groups that brings the org to its membership budget.
//
// Sizes follow a real mid/large company: ~1 group per 20 people and ~10
// group memberships per person (Everyone included).
import { PROJECT_CODENAMES, ROLE_GROUPS, TEAM_WORDS, type DepartmentDef, type LocationDef } from './org-data.js';
import { RULE_INELIGIBLE, slugify, type OrgApp, type OrgGroup, type OrgUser } from './org-model.js';
import { clamp, DAY, type OrgContext } from './org-context.js';
import type { CoverageGroup, GroupBuilder } from './org-group-builder.js';

const MEMBERSHIPS_PER_USER = 10;
const USERS_PER_GROUP = 20;

export type RuleGroups = {
  everyone: OrgGroup;
  /** Department slug -> index of its rule group. */
  deptGroup: Map<string, number>;
};

/** Everyone, then the groups Okta group rules fill: one per department, office and employment type. */
export function addRuleGroups(ctx: OrgContext, builder: GroupBuilder, users: OrgUser[]): RuleGroups {
  const { orgCreated, departments, locations } = ctx;
  const { memberLists, addGroup, addRule } = builder;
  const everyone = addGroup({ name: 'Everyone', description: 'All users in your organization', type: 'BUILT_IN', kind: 'everyone', created: orgCreated });
  memberLists[everyone.index] = users.map((u) => u.index);

  const ruleEligible = (u: OrgUser): boolean => !RULE_INELIGIBLE.has(u.status);
  const deptGroup = new Map<string, number>();
  for (let d = 0; d < departments.length; d++) {
    const def = departments[d] as DepartmentDef;
    const g = addGroup({ name: `dept-${def.slug}`, description: `${def.name} department (assigned by group rule)`, type: 'OKTA_GROUP', kind: 'department', created: orgCreated + (d + 2) * DAY });
    addRule(g, `Department: ${def.name}`, 'department', def.name);
    deptGroup.set(def.slug, g.index);
    memberLists[g.index] = users.filter((u) => u.department === d && ruleEligible(u)).map((u) => u.index);
  }
  for (let l = 0; l < locations.length; l++) {
    const loc = locations[l] as LocationDef;
    const g = addGroup({ name: `loc-${slugify(loc.city)}`, description: `People based in ${loc.city} (assigned by group rule)`, type: 'OKTA_GROUP', kind: 'location', created: orgCreated + (30 + l * 40) * DAY });
    addRule(g, `Office: ${loc.city}`, 'city', loc.city);
    memberLists[g.index] = users.filter((u) => u.location === l && ruleEligible(u)).map((u) => u.index);
  }
  for (const [type, name] of [['Employee', 'all-employees'], ['Contractor', 'all-contractors'], ['Partner', 'all-partners']] as const) {
    const g = addGroup({ name, description: `All ${type.toLowerCase()}s (assigned by group rule on userType)`, type: 'OKTA_GROUP', kind: 'employment', created: orgCreated + 5 * DAY });
    addRule(g, `Employment type: ${type}`, 'userType', type);
    memberLists[g.index] = users.filter((u) => u.employmentType === type && ruleEligible(u)).map((u) => u.index);
  }
  return { everyone, deptGroup };
}

export function addDirectoryGroups(ctx: OrgContext, builder: GroupBuilder, users: OrgUser[], adApp: OrgApp): void {
  const { n, rng, departments, locations } = ctx;
  const { memberLists, addGroup, pool } = builder;
  // Directory groups imported from Active Directory (APP_GROUP): network
  // access, file shares per department, printers per office.
  const adRng = rng('ad');
  const adDepartments = clamp(Math.round(n / 1000), 1, departments.length - 1);
  const adGroups: { name: string; description: string; from: Int32Array; p: number }[] = [
    { name: 'SG-VPN-Users', description: 'Remote access VPN', from: pool({}), p: 0.55 },
    { name: 'SG-WiFi-Corp', description: 'Corporate Wi-Fi (802.1X)', from: pool({}), p: 0.6 },
  ];
  for (let d = 1; d <= adDepartments; d++) {
    const def = departments[d] as DepartmentDef;
    const from = pool({ depts: [def.slug] });
    const share = def.name.replace(/\s+/g, '');
    adGroups.push({ name: `SG-FileShare-${share}-RW`, description: `\\\\files\\${def.slug} read/write`, from, p: 0.25 });
    adGroups.push({ name: `SG-FileShare-${share}-RO`, description: `\\\\files\\${def.slug} read only`, from, p: 0.45 });
  }
  for (let l = 0; l < locations.length; l++) {
    const loc = locations[l] as LocationDef;
    const from = Int32Array.from(users.filter((u) => u.location === l && u.status !== 'STAGED' && u.employmentType !== 'Partner').map((u) => u.index));
    adGroups.push({ name: `SG-Printers-${slugify(loc.city)}`, description: `Print queues in ${loc.city}`, from, p: 0.7 });
  }
  for (const def of adGroups) {
    const g = addGroup({ name: def.name, description: def.description, type: 'APP_GROUP', kind: 'directory', created: adApp.created + adRng.int(365 * DAY), fromAd: true });
    const list = memberLists[g.index] as number[];
    for (const u of def.from) if (adRng.next() < def.p) list.push(u);
  }
}

export function addRoleGroups(ctx: OrgContext, builder: GroupBuilder): void {
  const { n, rng, anchor, orgCreated, between } = ctx;
  const { addGroup, pool, sampleInto } = builder;
  // Hand-managed role groups.
  const roleRng = rng('roles');
  const sizeScale = Math.min(1, n / 10000);
  for (const def of ROLE_GROUPS) {
    const from = pool(def.audience);
    if (from.length === 0) continue;
    const g = addGroup({ name: def.name, description: def.description, type: 'OKTA_GROUP', kind: 'role', created: between(orgCreated + 100 * DAY, anchor - 60 * DAY) });
    const k = clamp(Math.round(roleRng.range(def.size[0], def.size[1]) * sizeScale), 1, from.length);
    sampleInto(g.index, from, k, roleRng);
  }
}

export function addTeamAndProjectGroups(ctx: OrgContext, builder: GroupBuilder, users: OrgUser[], isHead: Uint8Array): void {
  const { n, rng, anchor, orgCreated, departments, between } = ctx;
  const { groups, memberLists, addGroup, pool, sampleInto } = builder;
  // Teams (a manager and their direct reports) and projects fill the rest of
  // the ~1-per-20-people group budget.
  const targetGroups = Math.max(groups.length, Math.round(n / USERS_PER_GROUP));
  const remaining = targetGroups - groups.length;
  const teamRng = rng('teams');
  const directReports = new Map<number, number[]>();
  for (const u of users) {
    if (u.managerIndex >= 0 && u.status !== 'STAGED') {
      const list = directReports.get(u.managerIndex);
      if (list) list.push(u.index);
      else directReports.set(u.managerIndex, [u.index]);
    }
  }
  const candidates = [...directReports.keys()].filter((m) => m !== 0 && !isHead[m] && (directReports.get(m)?.length ?? 0) >= 3);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = teamRng.int(i + 1);
    [candidates[i], candidates[j]] = [candidates[j] as number, candidates[i] as number];
  }
  const teamCount = Math.min(candidates.length, Math.round(remaining * 0.6));
  const usedNames = new Map<string, number>();
  const uniqueName = (base: string): string => {
    const seen = (usedNames.get(base) ?? 0) + 1;
    usedNames.set(base, seen);
    return seen === 1 ? base : `${base}-${seen}`;
  };
  for (let t = 0; t < teamCount; t++) {
    const mgr = users[candidates[t] as number] as OrgUser;
    const dept = departments[mgr.department] as DepartmentDef;
    const word = teamRng.pick(TEAM_WORDS[dept.slug] ?? ['team']);
    const g = addGroup({
      name: uniqueName(`team-${dept.slug}-${word}`),
      description: `${dept.name} ${word.replace(/-/g, ' ')} team (${mgr.firstName} ${mgr.lastName}'s reports)`,
      type: 'OKTA_GROUP',
      kind: 'team',
      created: between(Math.max(mgr.created, orgCreated + 60 * DAY), anchor - 7 * DAY),
    });
    memberLists[g.index] = [mgr.index, ...(directReports.get(mgr.index) ?? [])];
  }
  const projectCount = Math.max(0, remaining - teamCount);
  const realDepts = departments.slice(1).map((d) => d.slug);
  for (let p = 0; p < projectCount; p++) {
    const codename = PROJECT_CODENAMES[p % PROJECT_CODENAMES.length] as string;
    const round = Math.floor(p / PROJECT_CODENAMES.length);
    const depts = [teamRng.pick(realDepts), teamRng.pick(realDepts)];
    if (teamRng.chance(0.3)) depts.push(teamRng.pick(realDepts));
    const g = addGroup({
      name: round === 0 ? `proj-${codename}` : `proj-${codename}-${round + 1}`,
      description: `Project ${codename[0]?.toUpperCase() ?? ''}${codename.slice(1)} working group`,
      type: 'OKTA_GROUP',
      kind: 'project',
      created: between(anchor - 3 * 365 * DAY, anchor - 7 * DAY),
    });
    const from = pool({ depts });
    if (from.length > 0) sampleInto(g.index, from, Math.min(from.length, teamRng.range(4, 40)), teamRng);
  }
}

export function fillCoverageGroups(ctx: OrgContext, builder: GroupBuilder, coverageGroups: CoverageGroup[]): void {
  const { n, rng } = ctx;
  const { memberLists } = builder;
  // Now the coverage-based app groups, scaled to the membership budget.
  let fixed = 0;
  for (const list of memberLists) fixed += list.length;
  let expected = 0;
  for (const c of coverageGroups) expected += c.p * c.from.length;
  const budget = MEMBERSHIPS_PER_USER * n - fixed;
  const scale = expected > 0 ? Math.max(0.05, budget / expected) : 1;
  const fillRng = rng('fill');
  for (const c of coverageGroups) {
    const p = Math.min(0.97, c.p * scale);
    const list = memberLists[c.group] as number[];
    // Geometric skips: draws proportional to the members picked, not to the pool.
    const logq = Math.log(1 - p);
    let i = Math.floor(Math.log(1 - fillRng.next()) / logq);
    while (i < c.from.length) {
      list.push(c.from[i] as number);
      i += 1 + Math.floor(Math.log(1 - fillRng.next()) / logq);
    }
  }
}
