// Birthright policy conditions without a database: each operator, nested
// all/any, case and spaces, regular expressions, the explanations of a match
// and a miss, and the tests that can never match (refused where written).
import { describe, expect, it } from 'vitest';
import { POLICY_ATTRIBUTES, type Condition, type PolicyAttribute } from '../../shared/contract-policies.js';
import { ATTRIBUTE_INDEX, idpStatus, type Person } from '../../electron/engine/policies/attributes.js';
import { compile, describe as describeCondition, explainMatch, explainMiss, neverMatches } from '../../electron/engine/policies/conditions.js';

function personOf(values: Partial<Record<PolicyAttribute, string | null>>, source: Person['source'] = 'hr'): Person {
  const raw = POLICY_ATTRIBUTES.map((a) => values[a] ?? null);
  return { id: 'p1', name: 'Ada', email: 'ada@acme.example', source, sourceLabel: source === 'hr' ? 'HR record id:1' : 'Okta profile', raw, low: raw.map((v) => (v?.trim() ? v.trim().toLowerCase() : null)) };
}

const leaf = (attribute: PolicyAttribute, op: 'equals' | 'starts_with' | 'matches', value: string): Condition => ({ attribute, op, value });
const isIn = (attribute: PolicyAttribute, value: string[]): Condition => ({ attribute, op: 'in', value });
const exists = (attribute: PolicyAttribute, value: boolean): Condition => ({ attribute, op: 'exists', value });
const holds = (c: Condition, p: Person): boolean => compile(c).test(p);

const ada = personOf({ department: 'Engineering', title: 'Senior Engineer', location: ' London ', employment_type: 'Full-Time', status: 'active', manager: 'grace@acme.example', start_date: '2021-03-15' });

describe('policy conditions', () => {
  it('equals ignores case and surrounding spaces, on both sides', () => {
    expect(holds(leaf('department', 'equals', 'engineering'), ada)).toBe(true);
    expect(holds(leaf('location', 'equals', 'LONDON  '), ada)).toBe(true);
    expect(holds(leaf('department', 'equals', 'Engineering Ops'), ada)).toBe(false);
    expect(holds(leaf('end_date', 'equals', ''), ada)).toBe(false);
  });

  it('in, starts_with, matches and exists', () => {
    expect(holds(isIn('location', ['Berlin', 'london']), ada)).toBe(true);
    expect(holds(isIn('location', ['Berlin']), ada)).toBe(false);
    expect(holds(isIn('end_date', ['']), ada)).toBe(false);
    expect(holds(leaf('title', 'starts_with', 'senior '), ada)).toBe(true);
    expect(holds(leaf('title', 'starts_with', 'Engineer'), ada)).toBe(false);
    // A regular expression matches anywhere unless anchored, case-insensitively, against the value as written.
    expect(holds(leaf('title', 'matches', 'engineer$'), ada)).toBe(true);
    expect(holds(leaf('title', 'matches', '^Engineer'), ada)).toBe(false);
    expect(holds(leaf('start_date', 'matches', '^2021-0[1-6]-'), ada)).toBe(true);
    expect(holds(leaf('end_date', 'matches', '.*'), ada)).toBe(false);
    expect(holds(exists('manager', true), ada)).toBe(true);
    expect(holds(exists('end_date', true), ada)).toBe(false);
    expect(holds(exists('end_date', false), ada)).toBe(true);
    expect(holds(exists('manager', false), ada)).toBe(false);
  });

  it('nests all and any; all of nothing holds for everyone, any of nothing for no one', () => {
    const c: Condition = {
      all: [leaf('department', 'equals', 'Engineering'), { any: [leaf('title', 'starts_with', 'Staff'), { all: [isIn('location', ['London']), exists('manager', true)] }] }],
    };
    expect(holds(c, ada)).toBe(true);
    expect(holds(c, personOf({ ...Object.fromEntries(POLICY_ATTRIBUTES.map((a, i) => [a, ada.raw[i]])), location: 'Paris' }))).toBe(false);
    expect(holds(c, personOf({ department: 'Engineering', title: 'Staff Engineer' }))).toBe(true);
    expect(holds({ all: [] }, ada)).toBe(true);
    expect(holds({ any: [] }, ada)).toBe(false);
    expect(holds({ any: [{ all: [] }] }, personOf({}))).toBe(true);
  });

  it('explains a match by the tests that held (an any-of by its first), with the values', () => {
    const c: Condition = { all: [leaf('department', 'equals', 'engineering'), { any: [leaf('title', 'starts_with', 'Staff'), leaf('location', 'equals', 'London')] }] };
    const compiled = compile(c);
    expect(explainMatch(compiled, ada)).toBe('department equals "engineering" ("Engineering"); location equals "London" (" London ")');
    expect(explainMatch(compile({ all: [] }), ada)).toBe('applies to everyone');
  });

  it('explains a miss by the first failing test of an all-of and every test of an any-of', () => {
    const c = compile({ all: [leaf('department', 'equals', 'Engineering'), { any: [leaf('title', 'starts_with', 'Staff'), exists('end_date', true)] }] });
    expect(explainMiss(c, ada)).toBe('none of: not title starts with "Staff" ("Senior Engineer"); not end_date is set (not set)');
    expect(explainMiss(c, personOf({ department: 'Sales' }))).toBe('not department equals "Engineering" ("Sales")');
  });

  it('describes a condition in words', () => {
    expect(describeCondition({ all: [isIn('status', ['active', 'pending']), { any: [exists('manager', false), leaf('title', 'matches', '^VP')] }] })).toBe(
      'all of (status in ["active", "pending"]; any of (manager is not set; title matches /^VP/))',
    );
  });

  it('folds IdP account states into person statuses', () => {
    expect(['ACTIVE', 'PASSWORD_EXPIRED', 'LOCKED_OUT', 'RECOVERY', 'STAGED', 'PROVISIONED', 'SUSPENDED', 'DISABLED', 'DEPROVISIONED'].map(idpStatus)).toEqual([
      'active', 'active', 'active', 'active', 'pending', 'pending', 'suspended', 'suspended', 'terminated',
    ]);
    expect(ATTRIBUTE_INDEX.status).toBe(POLICY_ATTRIBUTES.indexOf('status'));
  });
});

describe('conditions that can never match', () => {
  const messages = (c: Condition): string[] => neverMatches(c).map((f) => f.message);

  it('finds none in satisfiable conditions', () => {
    expect(messages({ all: [leaf('department', 'equals', 'Engineering'), leaf('department', 'starts_with', 'eng'), isIn('status', ['active', 'pending'])] })).toEqual([]);
    expect(messages({ all: [leaf('title', 'starts_with', 'Senior'), leaf('title', 'starts_with', 'Senior Eng')] })).toEqual([]);
    expect(messages({ any: [leaf('department', 'equals', 'A'), leaf('department', 'equals', 'B')] })).toEqual([]);
    expect(messages({ all: [] })).toEqual([]);
  });

  it('an all-of with two different equals on one attribute (nested all-ofs count)', () => {
    const first = leaf('department', 'equals', 'Engineering');
    const c: Condition = { all: [first, { all: [leaf('department', 'equals', 'Sales')] }] };
    const found = neverMatches(c);
    expect(found).toHaveLength(1);
    expect(found[0]?.node).toBe(first);
    expect(found[0]?.message).toBe('department equals "Engineering" and department equals "Sales" can never hold together: no department passes every test');
  });

  it('equals outside an in, disjoint prefixes, set and not set', () => {
    expect(messages({ all: [leaf('location', 'equals', 'Paris'), isIn('location', ['London', 'Berlin'])] })[0]).toMatch(/no location passes every test/);
    expect(messages({ all: [leaf('title', 'starts_with', 'Senior'), leaf('title', 'starts_with', 'Staff')] })[0]).toMatch(/cannot start with both/);
    expect(messages({ all: [exists('manager', false), leaf('manager', 'equals', 'grace@acme.example')] })[0]).toMatch(/cannot be both set and not set/);
    expect(messages({ all: [leaf('department', 'equals', 'Legal'), leaf('department', 'matches', '^Eng')] })[0]).toMatch(/no department passes/);
  });

  it('in [] and an empty value', () => {
    const empty = isIn('department', []);
    expect(neverMatches({ all: [empty] })).toEqual([{ node: empty, message: 'department in [] can never match: the list is empty' }]);
    expect(messages(leaf('title', 'equals', '  '))[0]).toMatch(/an empty value counts as not set/);
  });

  it('a value outside the closed set of statuses', () => {
    expect(messages(leaf('status', 'equals', 'employed'))).toEqual(['status equals "employed" can never match: status is one of active, pending, suspended, terminated']);
    expect(messages(isIn('status', ['Active', 'gone']))).toEqual(['status in [...] names "gone", which can never match: status is one of active, pending, suspended, terminated']);
    expect(messages(leaf('status', 'starts_with', 'x'))).toHaveLength(1);
    expect(messages(leaf('status', 'matches', '^(fired|left)$'))).toHaveLength(1);
    expect(messages(leaf('status', 'matches', '^susp'))).toEqual([]);
    expect(messages({ all: [isIn('status', ['active', 'pending']), leaf('status', 'equals', 'terminated')] })[0]).toMatch(/no status passes/);
  });

  it('any of nothing; an any-of fails only when every branch does, each branch reported once', () => {
    expect(messages({ any: [] })).toEqual(['any of nothing can never match: list at least one condition']);
    const c: Condition = { all: [{ any: [isIn('title', []), leaf('status', 'equals', 'gone')] }, leaf('department', 'equals', 'x')] };
    expect(messages(c)).toHaveLength(2);
    expect(messages({ any: [isIn('title', []), leaf('title', 'equals', 'CEO')] })).toHaveLength(1);
  });
});
