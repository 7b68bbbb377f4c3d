import { describe, expect, it } from 'vitest';
import { generateOrg } from '../../electron/sandbox/org-generator.js';
import type { Org, OrgUser } from '../../electron/sandbox/org-model.js';

const ANCHOR = new Date('2026-03-01T00:00:00.000Z');
const DAY = 86_400_000;

/** Everything that makes an organisation "the same": people, tree, groups, memberships, apps, rules, history. */
function fingerprint(org: Org): unknown {
  return {
    users: org.users.map((u) => [u.id, u.login, u.status, u.department, u.location, u.title, u.managerIndex, u.sponsorIndex, u.created, u.lastLogin]),
    groups: org.groups.map((g) => [g.id, g.name, g.type, g.rule, Array.from(org.memberships.members(g.index))]),
    apps: org.apps.map((a) => [a.id, a.name, a.label, a.assignments.map((x) => x.group)]),
    rules: org.rules.map((r) => [r.id, r.attribute, r.value, r.group]),
    events: org.events.map((e) => [e.published, e.eventType, e.user, e.group, e.uuid]),
    owners: [...org.groupOwners.entries()],
  };
}

describe('generateOrg determinism', () => {
  it('gives the same organisation for the same seed and size', () => {
    const a = generateOrg({ users: 1500, seed: 42, anchor: ANCHOR });
    const b = generateOrg({ users: 1500, seed: 42, anchor: ANCHOR });
    expect(fingerprint(b)).toEqual(fingerprint(a));
  });

  it('gives a different organisation for another seed', () => {
    const a = generateOrg({ users: 300, seed: 1, anchor: ANCHOR });
    const b = generateOrg({ users: 300, seed: 2, anchor: ANCHOR });
    expect(b.users[0]?.id).not.toBe(a.users[0]?.id);
    expect(b.users.map((u) => u.login)).not.toEqual(a.users.map((u) => u.login));
  });

  it('rejects a size that is not a positive number', () => {
    expect(() => generateOrg({ users: 0, seed: 1 })).toThrow(/positive/);
  });
});

describe('generateOrg shape (5,000 people)', () => {
  const org = generateOrg({ users: 5000, seed: 7, anchor: ANCHOR, domain: 'acme.example.com' });
  const users = org.users;
  const byType = (t: OrgUser['employmentType']): number => users.filter((u) => u.employmentType === t).length;

  it('has ~1 group per 20 people and ~10 memberships per person', () => {
    expect(org.groups.length).toBeGreaterThanOrEqual(230);
    expect(org.groups.length).toBeLessThanOrEqual(270);
    const perUser = org.memberships.total() / users.length;
    expect(perUser).toBeGreaterThan(9);
    expect(perUser).toBeLessThan(11);
  });

  it('has unique Okta-style ids and logins', () => {
    const ids = [...users.map((u) => u.id), ...org.groups.map((g) => g.id), ...org.apps.map((a) => a.id), ...org.rules.map((r) => r.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const u of users) expect(u.id).toMatch(/^00u[0-9A-Za-z]{17}$/);
    for (const g of org.groups) expect(g.id).toMatch(/^00g[0-9A-Za-z]{17}$/);
    for (const a of org.apps) expect(a.id).toMatch(/^0oa[0-9A-Za-z]{17}$/);
    for (const r of org.rules) expect(r.id).toMatch(/^0pr[0-9A-Za-z]{17}$/);
    const logins = users.map((u) => u.login.toLowerCase());
    expect(new Set(logins).size).toBe(logins.length);
    for (const u of users) {
      expect(u.login).toMatch(/^[a-z0-9-]+\.[a-z0-9-]+\d*@[a-z0-9.-]+$/);
      if (u.employmentType !== 'Partner') expect(u.login.endsWith('@acme.example.com')).toBe(true);
    }
    // Name clashes are disambiguated, not dropped: some first.last2 exist at this size.
    expect(users.some((u) => /\d@/.test(u.login))).toBe(true);
  });

  it('has one CEO and an acyclic manager tree, managers mostly in the same department', () => {
    const roots = users.filter((u) => u.managerIndex < 0 && u.employmentType !== 'Partner');
    expect(roots.map((u) => u.index)).toEqual([0]);
    expect(users[0]?.title).toBe('Chief Executive Officer');
    for (const u of users) {
      let cur = u;
      const seen = new Set<number>();
      while (cur.managerIndex >= 0) {
        expect(seen.has(cur.index)).toBe(false);
        seen.add(cur.index);
        const m = users[cur.managerIndex] as OrgUser;
        expect(m.employmentType).toBe('Employee');
        cur = m;
      }
      if (u.employmentType !== 'Partner') expect(cur.index).toBe(0);
    }
    const withManager = users.filter((u) => u.managerIndex > 0);
    const sameDept = withManager.filter((u) => (users[u.managerIndex] as OrgUser).department === u.department).length;
    expect(sameDept / withManager.length).toBeGreaterThan(0.95);
    expect(sameDept).toBeLessThan(withManager.length);
    const reports = new Map<number, number>();
    for (const u of users) if (u.managerIndex >= 0) reports.set(u.managerIndex, (reports.get(u.managerIndex) ?? 0) + 1);
    const spans = [...reports.entries()].filter(([m]) => m !== 0).map(([, n]) => n);
    const typical = spans.filter((n) => n >= 1 && n <= 12).length;
    expect(typical / spans.length).toBeGreaterThan(0.9);
  });

  it('has ~15% contractors and ~5% partners, each partner sponsored by an active employee', () => {
    expect(byType('Contractor') / users.length).toBeGreaterThan(0.11);
    expect(byType('Contractor') / users.length).toBeLessThan(0.19);
    expect(byType('Partner') / users.length).toBeGreaterThan(0.03);
    expect(byType('Partner') / users.length).toBeLessThan(0.07);
    for (const u of users) {
      if (u.employmentType === 'Partner') {
        const sponsor = users[u.sponsorIndex] as OrgUser;
        expect(sponsor.employmentType).toBe('Employee');
        expect(sponsor.status).toBe('ACTIVE');
        expect(u.managerIndex).toBe(-1);
        expect(u.organization).not.toBe(org.company.name);
      } else {
        expect(u.sponsorIndex).toBe(-1);
      }
    }
  });

  it('has mostly active people, every other lifecycle status, and consistent dates', () => {
    const count = (s: string): number => users.filter((u) => u.status === s).length;
    expect(count('ACTIVE') / users.length).toBeGreaterThan(0.8);
    for (const s of ['SUSPENDED', 'DEPROVISIONED', 'STAGED', 'PROVISIONED', 'LOCKED_OUT']) expect(count(s)).toBeGreaterThan(0);
    const anchor = ANCHOR.getTime();
    for (const u of users) {
      expect(u.created).toBeLessThan(anchor);
      expect(u.lastUpdated).toBeGreaterThanOrEqual(u.created);
      expect(u.lastUpdated).toBeLessThanOrEqual(anchor);
      if (u.status === 'STAGED') {
        expect(u.lastLogin).toBeNull();
        expect(u.activated).toBeNull();
      }
      if (u.lastLogin !== null) {
        expect(u.lastLogin).toBeGreaterThanOrEqual(u.created);
        expect(u.lastLogin).toBeLessThanOrEqual(anchor);
      }
    }
    const active = users.filter((u) => u.status === 'ACTIVE');
    const stale = active.filter((u) => u.lastLogin !== null && u.lastLogin < anchor - 90 * DAY).length;
    expect(stale / active.length).toBeGreaterThan(0.02);
    expect(stale / active.length).toBeLessThan(0.2);
    const lastWeek = active.filter((u) => u.lastLogin !== null && u.lastLogin > anchor - 7 * DAY).length;
    expect(lastWeek / active.length).toBeGreaterThan(0.5);
  });

  it('keeps rule groups consistent with their rule expressions', () => {
    expect(org.rules.length).toBeGreaterThan(0);
    for (const rule of org.rules) {
      const group = org.groups[rule.group];
      expect(group?.rule).toBe(rule.index);
      const expected = users
        .filter((u) => {
          const value = rule.attribute === 'department' ? org.departments[u.department]?.name : rule.attribute === 'city' ? org.locations[u.location]?.city : u.employmentType;
          return value === rule.value && u.status !== 'STAGED';
        })
        .map((u) => u.index);
      expect(Array.from(org.memberships.members(rule.group))).toEqual(expected);
    }
    // Deactivated people stay in rule groups (Okta does not re-evaluate rules on deactivation).
    const deprovisioned = users.find((u) => u.status === 'DEPROVISIONED') as OrgUser;
    const deptRule = org.rules.find((r) => r.attribute === 'department' && r.value === org.departments[deprovisioned.department]?.name);
    expect(deptRule && org.memberships.has(deptRule.group, deprovisioned.index)).toBe(true);
  });

  it('has Everyone (BUILT_IN, all people), app groups, AD-imported APP_GROUPs, teams and projects', () => {
    const everyone = org.groups.find((g) => g.type === 'BUILT_IN');
    expect(everyone?.name).toBe('Everyone');
    expect(org.memberships.members(everyone?.index ?? -1).length).toBe(users.length);
    const names = org.groups.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toContain('dept-engineering');
    expect(names).toContain('app-figma-editors');
    expect(names).toContain('app-salesforce-users');
    expect(names.some((n) => /^app-aws-prod-admins$/.test(n))).toBe(true);
    expect(names.some((n) => n.startsWith('team-'))).toBe(true);
    expect(names.some((n) => n.startsWith('proj-'))).toBe(true);
    const appGroups = org.groups.filter((g) => g.type === 'APP_GROUP');
    expect(appGroups.length).toBeGreaterThan(0);
    const ad = org.apps.find((a) => a.name === 'active_directory');
    expect(ad?.signOnMode).toBeNull();
    for (const g of appGroups) {
      expect(g.sourceApp).toBe(ad?.index);
      expect(g.ad?.dn).toContain(`CN=${g.name},`);
    }
    expect(org.groups.filter((g) => g.type === 'OKTA_GROUP').length).toBeGreaterThan(appGroups.length);
  });

  it('assigns every app with sign-on to existing groups', () => {
    expect(org.apps.length).toBeGreaterThanOrEqual(15);
    for (const app of org.apps) {
      if (app.signOnMode === null) continue;
      expect(app.assignments.length).toBeGreaterThan(0);
      for (const a of app.assignments) expect(org.groups[a.group]).toBeDefined();
      expect(new Set(app.assignments.map((a) => a.priority)).size).toBe(app.assignments.length);
    }
    const salesforce = org.apps.find((a) => a.name === 'salesforce');
    const assigned = salesforce?.assignments.map((a) => org.groups[a.group]?.name) ?? [];
    expect(assigned).toContain('dept-sales');
    expect(assigned).toContain('app-salesforce-users');
  });

  it('keeps both directions of the membership index in agreement', () => {
    let edges = 0;
    for (const g of org.groups) {
      const members = org.memberships.members(g.index);
      edges += members.length;
      for (let i = 1; i < members.length; i++) expect((members[i] as number) > (members[i - 1] as number)).toBe(true);
    }
    expect(edges).toBe(org.memberships.total());
    for (const u of users.filter((x) => x.index % 97 === 0)) {
      for (const g of org.memberships.groupsOf(u.index)) expect(org.memberships.has(g, u.index)).toBe(true);
      const reverse = org.groups.filter((g) => org.memberships.has(g.index, u.index)).map((g) => g.index);
      expect(Array.from(org.memberships.groupsOf(u.index))).toEqual(reverse);
    }
  });

  it('seeds a week of System Log history consistent with the organisation', () => {
    const anchor = ANCHOR.getTime();
    expect(org.events.length).toBeGreaterThan(50);
    for (let i = 1; i < org.events.length; i++) expect(org.events[i]!.published).toBeGreaterThanOrEqual(org.events[i - 1]!.published);
    for (const e of org.events) {
      expect(e.published).toBeGreaterThanOrEqual(anchor - 7 * DAY);
      expect(e.published).toBeLessThan(anchor);
      if (e.eventType === 'group.user_membership.remove') expect(org.memberships.has(e.group, e.user)).toBe(false);
      if (e.eventType === 'user.lifecycle.deactivate') expect(users[e.user]?.status).toBe('DEPROVISIONED');
      if (e.group >= 0) expect(org.groups[e.group]!.lastMembershipUpdated).toBeGreaterThanOrEqual(e.published);
    }
    const types = new Set(org.events.map((e) => e.eventType));
    for (const t of ['group.user_membership.add', 'group.user_membership.remove', 'user.lifecycle.create', 'user.lifecycle.activate']) expect(types.has(t as never)).toBe(true);
  });
});

describe('generateOrg scaling', () => {
  it('gives groups owners: none on rule groups and Everyone, most others one or two active employees, exactly one inactive owner', () => {
    const org = generateOrg({ users: 3000, seed: 42, anchor: ANCHOR });
    const ownable = org.groups.filter((g) => ['app', 'directory', 'role', 'team', 'project'].includes(g.kind));
    for (const g of org.groups) if (!ownable.includes(g)) expect(org.groupOwners.has(g.index)).toBe(false);
    const owned = ownable.filter((g) => org.groupOwners.has(g.index));
    expect(owned.length).toBeGreaterThan(ownable.length / 2);
    expect(owned.length).toBeLessThan(ownable.length);
    const lists = owned.map((g) => org.groupOwners.get(g.index) as number[]);
    expect(lists.every((l) => l.length >= 1 && l.length <= 2 && new Set(l).size === l.length)).toBe(true);
    expect(lists.some((l) => l.length === 2)).toBe(true);
    const owners = lists.flat().map((u) => org.users[u] as OrgUser);
    expect(owners.every((u) => u.employmentType === 'Employee')).toBe(true);
    const inactive = owners.filter((u) => u.status !== 'ACTIVE');
    expect(inactive.length).toBe(1);
    expect(['SUSPENDED', 'DEPROVISIONED']).toContain(inactive[0]?.status);
  });

  it('scales groups and memberships with the head count (20,000 people)', () => {
    const org = generateOrg({ users: 20_000, seed: 3, anchor: ANCHOR });
    expect(Math.abs(org.groups.length - 1000)).toBeLessThanOrEqual(50);
    expect(Math.abs(org.memberships.total() - 200_000)).toBeLessThan(20_000);
    // More departments, offices and apps than a small org.
    const small = generateOrg({ users: 60, seed: 3, anchor: ANCHOR });
    expect(org.apps.length).toBeGreaterThan(small.apps.length);
    expect(org.locations.length).toBeGreaterThan(small.locations.length);
    expect(small.users.length).toBe(60);
  });
});
