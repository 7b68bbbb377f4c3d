// How suggestions name apps and roles (the sandbox org's group names and
// real-world shapes), the starting risk, and the CSV reader/writer pair.
import { describe, expect, it } from 'vitest';
import { toCsv, CATALOG_COLUMNS, formatSteps } from '../../electron/engine/catalog/catalog-io.js';
import { parseCsv } from '../../electron/engine/csv.js';
import { checkRoleValues } from '../../electron/engine/catalog/catalog.js';
import { cleanAppName, deriveRoleName, suggestRisk } from '../../electron/engine/catalog/suggestions.js';
import { APP_CATALOG, AWS_ACCOUNTS } from '../../electron/sandbox/org-data.js';
import { defaultPolicyFor } from '../../shared/governance.js';

describe('deriveRoleName', () => {
  it.each([
    ['app-figma-editors', 'Figma', 'Editor'],
    ['figma-admins', 'Figma', 'Admin'],
    ['Figma Viewers', 'Figma', 'Viewer'],
    ['SG_Figma_RO', 'Figma', 'Read-only'],
    ['GRP-Salesforce-ReadOnly', 'Salesforce', 'Read-only'],
    ['Okta-Tableau-Creators', 'Tableau', 'Creator'],
    ['app-google-workspace-users', 'Google Workspace', 'User'],
    ['GoogleWorkspace-Admins', 'Google Workspace', 'Admin'],
    ['app-workday-hr-admins', 'Workday', 'HR Admin'],
    ['app-aws-prod-admins', 'AWS', 'Prod Admin'],
    ['app-jira-users', 'Jira Software', 'User'],
    ['app-sales-ops-policies', 'Sales', 'Ops Policy'],
    ['figma', 'Figma', 'User'],
    // Not named after the app: the group's own name is the role.
    ['dept-engineering', 'GitHub Enterprise Cloud', 'dept-engineering'],
    ['Everyone', 'Zoom', 'Everyone'],
  ])('%s in %s -> %s', (group, label, role) => {
    expect(deriveRoleName(group, { label })).toBe(role);
  });

  it('uses the IdP app name too (Okta: githubcloud, amazon_aws)', () => {
    expect(deriveRoleName('app-github-members', { label: 'GitHub Enterprise Cloud', name: 'githubcloud' })).toBe('Member');
    expect(deriveRoleName('amazon-readonly', { label: 'AWS', name: 'amazon_aws' })).toBe('Read-only');
  });

  it('names every app role group of the sandbox org without the app in it', () => {
    for (const def of APP_CATALOG) {
      const prefixes = def.perAccount ? AWS_ACCOUNTS.slice(0, 3).map((a) => `app-${def.key}-${a}`) : [`app-${def.key}`];
      for (const p of prefixes) {
        for (const r of def.roles) {
          const role = deriveRoleName(`${p}-${r.suffix}`, { label: def.label, name: def.name });
          expect(role, `${p}-${r.suffix}`).toMatch(/^[A-Z0-9][A-Za-z0-9 -]*$/);
          expect(role.toLowerCase(), `${p}-${r.suffix}`).not.toContain(def.key.split('-')[0] as string);
          expect(role.toLowerCase()).not.toMatch(/^app\b/);
        }
      }
    }
  });

  it('cleans protocol suffixes off app labels', () => {
    expect(cleanAppName('Figma (SAML)')).toBe('Figma');
    expect(cleanAppName('Salesforce - SSO')).toBe('Salesforce');
    expect(cleanAppName('Slack SAML 2.0')).toBe('Slack');
    expect(cleanAppName('SSO')).toBe('SSO');
  });
});

describe('suggestRisk', () => {
  it.each([
    ['Viewer', 'low'],
    ['Read-only', 'low'],
    ['Prod Read-only', 'medium'],
    ['User', 'medium'],
    ['Prod Developer', 'high'],
    ['Admin', 'high'],
    ['HR Admin', 'high'],
    ['Owner', 'critical'],
  ])('%s -> %s', (name, risk) => {
    expect(suggestRisk(name)).toBe(risk);
  });
});

describe('checkRoleValues', () => {
  const base = {
    name: 'R',
    description: '',
    risk: 'medium' as const,
    policy: defaultPolicyFor('medium'),
    durations: ['30d', '1h', '30d'] as ('30d' | '1h')[],
    defaultDuration: '1h' as const,
    maxDurationMinutes: 90,
    owner: null,
    requestable: true,
  };

  it('normalises: durations in order without repeats, no maximum without custom, approvers only on named steps', () => {
    const { values, issues } = checkRoleValues({
      ...base,
      policy: { ...base.policy, steps: [{ kind: 'manager', approvers: ['x@example.com'] }, { kind: 'named', approvers: ['A@Example.com', 'a@example.com'] }] },
    });
    expect(issues).toEqual([]);
    expect(values.durations).toEqual(['1h', '30d']);
    expect(values.maxDurationMinutes).toBeNull();
    expect(values.policy.steps).toEqual([{ kind: 'manager' }, { kind: 'named', approvers: ['a@example.com'] }]);
  });

  it('names each field in trouble', () => {
    const { issues } = checkRoleValues({ ...base, durations: [], defaultDuration: '1h' });
    expect(issues.map((i) => i.field)).toEqual(['durations', 'defaultDuration']);
  });
});

describe('CSV', () => {
  it('reads quotes, doubled quotes, line breaks, CRLF and a BOM', () => {
    expect(parseCsv('\uFEFFa,b,c\r\n"x, y","say ""hi""","line\nbreak"\r\n,,\n')).toEqual([
      ['a', 'b', 'c'],
      ['x, y', 'say "hi"', 'line\nbreak'],
      ['', '', ''],
    ]);
    expect(parseCsv('a,b')).toEqual([['a', 'b']]);
    expect(() => parseCsv('a,"b')).toThrow(/quoted field/);
  });

  it('writes what it reads back', () => {
    const row = Object.fromEntries(CATALOG_COLUMNS.map((c, i) => [c, i % 3 === 0 ? `v${i}, "q"\n` : i % 3 === 1 ? ` padded ` : '@SUM(A1)'])) as Record<
      (typeof CATALOG_COLUMNS)[number],
      string
    >;
    const [header, back] = parseCsv(toCsv([row]));
    expect(header).toEqual([...CATALOG_COLUMNS]);
    // The formula guard is an apostrophe the importer removes (see catalog-io unguard).
    expect(back?.map((v) => (v.startsWith("'@") ? v.slice(1) : v))).toEqual(CATALOG_COLUMNS.map((c) => row[c]));
  });

  it('formats approval steps the way the importer reads them', () => {
    expect(formatSteps([{ kind: 'manager' }, { kind: 'app-owner' }, { kind: 'named', approvers: ['a@x.com', 'b@x.com'] }])).toBe(
      'manager > app-owner > named: a@x.com, b@x.com',
    );
  });
});
