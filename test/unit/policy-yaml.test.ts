// Policies as code without a database: a policy file read into definitions,
// every problem named by its line (unknown attribute or test, a role not in
// the catalog, an invalid regular expression, a condition that can never
// match, a duplicate name, YAML syntax), all problems at once; and written
// back so that reading it again gives the same policies.
import { describe, expect, it } from 'vitest';
import { parsePolicyYaml, policiesToYaml, policyToYaml, type RoleResolver } from '../../electron/engine/policies/policy-yaml.js';

const ROLES = new Map([
  ['github / member', 1],
  ['aws / readonly', 2],
  ['slack / member', 3],
]);
const LABELS = new Map([[1, 'GitHub / Member'], [2, 'AWS / ReadOnly'], [3, 'Slack / Member']]);
const resolve: RoleResolver = (label) => {
  const id = ROLES.get(label.toLowerCase());
  return id === undefined ? { error: `role "${label}" is not in the catalog` } : { id };
};
const label = (id: number): string => LABELS.get(id) ?? `#${id}`;

const FILE = `policies:
  - name: Engineering base
    description: Everyone in engineering
    mode: monitor
    grace_days: 7
    when:
      all:
        - department: { equals: Engineering }
        - any:
            - title: { starts_with: Senior }
            - location: { in: [Berlin, London] }
        - manager: { exists: true }
    grants:
      - role: GitHub / Member
      - role: AWS / ReadOnly
        days: 90
  - name: Everyone
    when: { all: [] }
    grants:
      - Slack / Member
`;

const errorsOf = (text: string): [number, string][] => {
  const r = parsePolicyYaml(text, resolve);
  if (r.ok) throw new Error('expected errors');
  return r.errors.map((e) => [e.line, e.message]);
};

describe('policy YAML', () => {
  it('reads a policy file into definitions (defaults: monitor, 7 days grace, permanent grants)', () => {
    const r = parsePolicyYaml(FILE, resolve);
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.single).toBe(false);
    expect(r.policies.map((p) => p.line)).toEqual([2, 17]);
    expect(r.policies[0]?.definition).toEqual({
      name: 'Engineering base',
      description: 'Everyone in engineering',
      mode: 'monitor',
      graceDays: 7,
      when: {
        all: [
          { attribute: 'department', op: 'equals', value: 'Engineering' },
          { any: [{ attribute: 'title', op: 'starts_with', value: 'Senior' }, { attribute: 'location', op: 'in', value: ['Berlin', 'London'] }] },
          { attribute: 'manager', op: 'exists', value: true },
        ],
      },
      grants: [{ roleId: 1, days: null }, { roleId: 2, days: 90 }],
    });
    expect(r.policies[1]?.definition).toEqual({ name: 'Everyone', description: '', mode: 'monitor', graceDays: 7, when: { all: [] }, grants: [{ roleId: 3, days: null }] });
  });

  it('reads one policy (the editor) as well as a file', () => {
    const r = parsePolicyYaml('name: Solo\nmode: enforce\nwhen:\n  status: { equals: active }\ngrants:\n  - role: slack / member\n', resolve);
    expect(r.ok && r.single && r.policies[0]?.definition.mode).toBe('enforce');
  });

  it('writes what it reads: export then import is the identity, and the text is stable', () => {
    const first = parsePolicyYaml(FILE, resolve);
    if (!first.ok) throw new Error('invalid');
    const text = policiesToYaml(first.policies.map((p) => p.definition), label, ' exported');
    expect(text).toContain('- department: { equals: Engineering }');
    expect(text).toContain('- location: { in: [ Berlin, London ] }');
    const again = parsePolicyYaml(text, resolve);
    if (!again.ok) throw new Error(JSON.stringify(again.errors));
    expect(again.policies.map((p) => p.definition)).toEqual(first.policies.map((p) => p.definition));
    expect(policiesToYaml(again.policies.map((p) => p.definition), label, ' exported')).toBe(text);
    // Values YAML would read as numbers or booleans stay text.
    const tricky = { name: 'Tricky', description: 'a: b # not a comment', mode: 'monitor' as const, graceDays: 0, when: { any: [{ attribute: 'title' as const, op: 'equals' as const, value: '2021' }, { attribute: 'location' as const, op: 'in' as const, value: ['true', 'null', ' spaced '] }, { attribute: 'title' as const, op: 'matches' as const, value: '^(VP|Head) of .*$' }] }, grants: [{ roleId: 1, days: 1 }] };
    const back = parsePolicyYaml(policyToYaml(tricky, label), resolve);
    expect(back.ok && back.policies[0]?.definition).toEqual(tricky);
  });

  it('names the line of an unknown attribute, an unknown test, a role not in the catalog and an invalid pattern, all at once', () => {
    const text = `policies:
  - name: Broken
    when:
      all:
        - dept: { equals: Engineering }
        - title: { contains: Senior }
        - title: { matches: "(unclosed" }
    grants:
      - role: Figma / Editor
      - role: GitHub / Member
        days: 0
`;
    expect(errorsOf(text)).toEqual([
      [5, expect.stringContaining('line 5: unknown attribute "dept" (attributes: department, title, location, employment_type, status, manager, start_date, end_date; or all / any)')],
      [6, 'line 6: unknown test "contains" (equals, in, starts_with, matches, exists)'],
      [7, expect.stringMatching(/^line 7: title matches: invalid regular expression \/\(unclosed\/: /)],
      [9, 'line 9: role "Figma / Editor" is not in the catalog'],
      [11, 'line 11: days must be a whole number from 1 to 3650 (leave it out for permanent access)'],
    ]);
  });

  it('names the line of a condition that can never match', () => {
    const text = `policies:
  - name: Never
    when:
      all:
        - department: { equals: Engineering }
        - department: { equals: Sales }
    grants: [GitHub / Member]
  - name: Empty in
    when:
      any:
        - location: { in: [] }
        - status: { equals: retired }
    grants: [GitHub / Member]
`;
    expect(errorsOf(text)).toEqual([
      [5, 'line 5: department equals "Engineering" and department equals "Sales" can never hold together: no department passes every test'],
      [11, 'line 11: location in [] can never match: the list is empty'],
      [12, 'line 12: status equals "retired" can never match: status is one of active, pending, suspended, terminated'],
    ]);
  });

  it('names a duplicate policy name (ignoring case), unknown keys, missing parts and bad values', () => {
    const text = `policies:
  - name: Same
    when: { all: [] }
    grants: [GitHub / Member]
  - name: SAME
    owner: nobody
    when: { all: [] }
    grants: [GitHub / Member]
  - name: No grants
    mode: live
    grace_days: -1
    when:
      department: Engineering
    grants: []
`;
    expect(errorsOf(text)).toEqual([
      [5, 'line 5: duplicate policy name "SAME" (also on line 2): names are unique, ignoring case'],
      [6, 'line 6: unknown key "owner" in a policy (expected name, description, mode, grace_days, when, grants)'],
      [10, 'line 10: mode must be monitor or enforce, not "live"'],
      [11, 'line 11: grace_days must be a whole number of days from 0 to 365'],
      [13, expect.stringContaining('line 13: department takes one test')],
      [14, expect.stringContaining('line 14: a policy needs `grants:`')],
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(errorsOf('policies:\n  - name: A\n    name: B\n')[0]?.[0]).toBe(3);
    expect(errorsOf('policies:\n  - name: [unclosed\n')[0]?.[1]).toMatch(/^line \d+: /);
    expect(errorsOf('')).toEqual([[1, expect.stringContaining('the text is empty')]]);
  });
});
