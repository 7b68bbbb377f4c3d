// The Entra view of the generated organisation: deterministic GUIDs that map
// back to their objects, hybrid identity with Okta, group kinds, and the
// $filter subset.
import { describe, expect, it } from 'vitest';
import { createGraphDirectory, entraMembershipRule } from '../../electron/sandbox/graph-directory.js';
import { parseFilter } from '../../electron/sandbox/graph-filter.js';
import { generateOrg } from '../../electron/sandbox/org-generator.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('createGraphDirectory', () => {
  const org = generateOrg({ users: 300, seed: 9 });
  const dir = createGraphDirectory(org);

  it('derives GUIDs from the seed and maps them back', () => {
    expect(dir.tenantId).toMatch(GUID);
    expect(createGraphDirectory(generateOrg({ users: 300, seed: 9 })).userId(17)).toBe(dir.userId(17));
    expect(createGraphDirectory(generateOrg({ users: 300, seed: 10 })).userId(17)).not.toBe(dir.userId(17));
    const seen = new Set<string>();
    for (const u of org.users) {
      const id = dir.userId(u.index);
      expect(id).toMatch(GUID);
      expect(dir.userIndex(id)).toBe(u.index);
      expect(dir.userIndex(id.toUpperCase())).toBe(u.index);
      seen.add(id);
    }
    expect(seen.size).toBe(org.users.length);
    for (const g of dir.groups) expect(dir.groupIndex(dir.groupId(g))).toBe(g);
    // A user id is not a group id, and a tampered id resolves to nothing.
    expect(dir.groupIndex(dir.userId(3))).toBe(-1);
    const id = dir.userId(3);
    expect(dir.userIndex(`${id.slice(0, 35)}${id.endsWith('0') ? '1' : '0'}`)).toBe(-1);
    expect(dir.userIndex('not-a-guid')).toBe(-1);
  });

  it('shares people with Okta (e-mail, employee id) and maps group kinds', () => {
    for (const u of org.users.slice(0, 20)) expect(dir.user(u.index)).toMatchObject({ mail: u.email, userPrincipalName: u.email, employeeId: u.employeeNumber });
    const everyone = org.groups.find((g) => g.kind === 'everyone');
    expect(everyone && dir.groups.includes(everyone.index)).toBe(false);
    for (const g of dir.groups) {
      const group = org.groups[g];
      const rule = group && group.rule >= 0 ? org.rules[group.rule] : undefined;
      if (rule) expect(dir.group(g)).toMatchObject({ groupTypes: ['DynamicMembership'], membershipRule: entraMembershipRule(rule), membershipRuleProcessingState: 'On' });
      else expect(dir.group(g).membershipRule).toBeNull();
    }
  });

  it('keeps its own memberships: Entra changes do not touch the Okta org', () => {
    const g = dir.groups.find((i) => !dir.isDynamic(i) && dir.memberships.members(i).length > 0);
    if (g === undefined) throw new Error('no group');
    const u = dir.memberships.members(g)[0] ?? 0;
    expect(dir.memberships.remove(g, u)).toBe(true);
    expect(org.memberships.has(g, u)).toBe(true);
    dir.memberships.add(g, u);
  });
});

describe('parseFilter', () => {
  const user = { mail: "O'Brien@Example.com", accountEnabled: true, department: 'Sales', displayName: 'Ann Smith' };
  it('handles eq, ne, startswith and and', () => {
    expect(parseFilter("mail eq 'o''brien@example.com'", 'user')?.(user)).toBe(true);
    expect(parseFilter('accountEnabled eq false', 'user')?.(user)).toBe(false);
    expect(parseFilter("department ne 'Sales'", 'user')?.(user)).toBe(false);
    expect(parseFilter("startswith(displayName,'ann') and accountEnabled eq true", 'user')?.(user)).toBe(true);
    expect(parseFilter("groupTypes/any(c:c eq 'Unified')", 'group')?.({ groupTypes: ['Unified'] })).toBe(true);
    expect(parseFilter(null, 'user')).toBeNull();
  });
  it('rejects what it does not support', () => {
    expect(() => parseFilter("favourite eq 'x'", 'user')).toThrow(/favourite/);
    expect(() => parseFilter("mail in ('a')", 'user')).toThrow();
    expect(() => parseFilter('mail eq banana', 'user')).toThrow();
  });
});
