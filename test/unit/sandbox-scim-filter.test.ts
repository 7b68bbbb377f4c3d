import { describe, expect, it } from 'vitest';
import { evaluateFilter, filterTerms, FilterSyntaxError, parseFilter, usesNot, type AttributeValue } from '../../electron/sandbox/scim-filter.js';

const person: Record<string, AttributeValue> = {
  status: 'ACTIVE',
  lastUpdated: '2024-06-15T10:00:00.000Z',
  'profile.department': 'Engineering',
  'profile.lastName': 'Smith',
  'profile.title': 'Senior Software Engineer',
  'target.id': ['00u1', '00g2'],
  'profile.nickName': null,
};
const run = (expr: string, caseInsensitive = false): boolean => evaluateFilter(parseFilter(expr), (a) => person[a], { caseInsensitive });

describe('scim filter', () => {
  it('evaluates comparisons, and/or precedence and parentheses', () => {
    expect(run('status eq "ACTIVE"')).toBe(true);
    expect(run('status eq "SUSPENDED"')).toBe(false);
    expect(run('status ne "SUSPENDED"')).toBe(true);
    expect(run('profile.title sw "Senior"')).toBe(true);
    expect(run('profile.title ew "Engineer"')).toBe(true);
    expect(run('profile.title co "Software"')).toBe(true);
    // and binds tighter than or
    expect(run('status eq "X" and status eq "Y" or profile.lastName eq "Smith"')).toBe(true);
    expect(run('status eq "X" and (status eq "Y" or profile.lastName eq "Smith")')).toBe(false);
    expect(run('not (status eq "ACTIVE")')).toBe(false);
  });

  it('compares dates as instants, whatever the precision', () => {
    expect(run('lastUpdated gt "2024-06-15T09:59:59Z"')).toBe(true);
    expect(run('lastUpdated eq "2024-06-15T10:00:00Z"')).toBe(true);
    expect(run('lastUpdated lt "2024-06-15T10:00:00Z"')).toBe(false);
    expect(run('lastUpdated ge "2024-06-15T10:00:00.000Z"')).toBe(true);
  });

  it('is case-sensitive for filter values and case-insensitive for search values; operators always case-insensitive', () => {
    expect(run('profile.department eq "engineering"')).toBe(false);
    expect(run('profile.department eq "engineering"', true)).toBe(true);
    expect(run('profile.department EQ "Engineering" AND status Eq "ACTIVE"')).toBe(true);
  });

  it('matches array attributes when any element matches, and supports pr', () => {
    expect(run('target.id eq "00g2"')).toBe(true);
    expect(run('target.id eq "00g3"')).toBe(false);
    expect(run('profile.department pr')).toBe(true);
    expect(run('profile.nickName pr')).toBe(false);
    expect(run('profile.unknown pr')).toBe(false);
  });

  it('reports the terms and use of not, for endpoint restrictions', () => {
    const node = parseFilter('status eq "ACTIVE" or lastUpdated gt "2024-01-01T00:00:00.000Z"');
    expect(filterTerms(node).map((t) => `${t.attr} ${t.op}`)).toEqual(['status eq', 'lastUpdated gt']);
    expect(usesNot(node)).toBe(false);
    expect(usesNot(parseFilter('not status eq "A"'))).toBe(true);
  });

  it('rejects malformed expressions with a syntax error', () => {
    for (const bad of ['', 'status', 'status eq', 'status equals "A"', '(status eq "A"', 'status eq "A" and', 'status eq "unterminated', 'status eq ACTIVE', '"x" eq "y"']) {
      expect(() => parseFilter(bad), bad).toThrow(FilterSyntaxError);
    }
  });

  it('handles escaped quotes inside values', () => {
    const node = parseFilter('profile.lastName eq "O\\"Brien"');
    expect(evaluateFilter(node, () => 'O"Brien', { caseInsensitive: false })).toBe(true);
  });
});
