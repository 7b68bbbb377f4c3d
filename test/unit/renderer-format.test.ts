import { describe, expect, it } from 'vitest';
import { splitFieldErrors } from '../../renderer/src/lib/field-errors.js';
import { formatAbsolute, formatDuration, formatRelative, humanize, initials, isStale, jobAttemptsText, truncateMiddle } from '../../renderer/src/lib/format.js';
import { localPage } from '../../renderer/src/lib/local-pages.js';

const now = Date.parse('2026-06-01T12:00:00Z');
const ago = (ms: number): string => new Date(now - ms).toISOString();
const DAY = 86_400_000;

describe('renderer formatting', () => {
  it('says relative times the way admins read them', () => {
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative(ago(10_000), now)).toBe('just now');
    expect(formatRelative(ago(5 * 60_000), now)).toBe('5 min ago');
    expect(formatRelative(ago(59.6 * 60_000), now)).toBe('59 min ago');
    expect(formatRelative(ago(60 * 60_000), now)).toBe('1 h ago');
    expect(formatRelative(ago(3 * 3_600_000), now)).toBe('3 h ago');
    expect(formatRelative(ago(1.2 * DAY), now)).toBe('yesterday');
    expect(formatRelative(ago(12 * DAY), now)).toBe('12 days ago');
    expect(formatRelative(ago(120 * DAY), now)).toBe('4 mo ago');
    expect(formatRelative(ago(800 * DAY), now)).toBe('2.2 yr ago');
  });

  it('turns "just now" into minutes at exactly 60 s', () => {
    expect(formatRelative(ago(0), now)).toBe('just now');
    expect(formatRelative(ago(59_000), now)).toBe('just now');
    expect(formatRelative(ago(59_999), now)).toBe('just now');
    expect(formatRelative(ago(60_000), now)).toBe('1 min ago');
    expect(formatRelative(ago(119_999), now)).toBe('1 min ago');
    expect(formatRelative(ago(120_000), now)).toBe('2 min ago');
  });

  it('never phrases a past event in the future, whatever the skew', () => {
    // The row was stamped by a clock a second (or minutes) ahead of the one counting.
    expect(formatRelative(ago(-1_000), now)).toBe('just now');
    expect(formatRelative(ago(-4 * 60_000), now)).toBe('just now');
    expect(formatRelative(ago(-3 * 3_600_000), now, 'event')).toBe('just now');
    for (const ms of [-1_000, -59_000, -60_000, -4 * 60_000, -2 * DAY]) expect(formatRelative(ago(ms), now)).not.toMatch(/^in /);
  });

  it('says how far ahead a deadline is, and how long ago it passed', () => {
    expect(formatRelative(ago(-1_000), now, 'deadline')).toBe('in under a minute');
    expect(formatRelative(ago(-59_000), now, 'deadline')).toBe('in under a minute');
    expect(formatRelative(ago(-60_000), now, 'deadline')).toBe('in 1 min');
    expect(formatRelative(ago(-57 * 60_000), now, 'deadline')).toBe('in 57 min');
    expect(formatRelative(ago(-3 * 3_600_000), now, 'deadline')).toBe('in 3 h');
    expect(formatRelative(ago(-1.2 * DAY), now, 'deadline')).toBe('tomorrow');
    expect(formatRelative(ago(-12 * DAY), now, 'deadline')).toBe('in 12 days');
    expect(formatRelative(ago(0), now, 'deadline')).toBe('just now');
    expect(formatRelative(ago(3 * 60_000), now, 'deadline')).toBe('3 min ago');
  });

  it('shows the absolute time with its zone, and reads job attempts as outcomes', () => {
    const abs = formatAbsolute('2026-06-01T12:00:05Z');
    expect(abs).toMatch(/2026/);
    expect(abs).toMatch(/:05/);
    // The zone is named (UTC, GMT+2, CEST…), so a screenshot or a copied title is unambiguous.
    expect(abs).toMatch(/(UTC|GMT|[A-Z]{3,5})([+-]\d+)?\s*$/);
    expect(formatAbsolute('not a date')).toBe('not a date');
    expect(jobAttemptsText({ status: 'succeeded', attempts: 1, maxAttempts: 8 })).toBe('succeeded on attempt 1');
    expect(jobAttemptsText({ status: 'succeeded', attempts: 3, maxAttempts: 8 })).toBe('succeeded on attempt 3');
    expect(jobAttemptsText({ status: 'failed', attempts: 8, maxAttempts: 8 })).toBe('failed on attempt 8 of 8');
    expect(jobAttemptsText({ status: 'queued', attempts: 3, maxAttempts: 8 })).toBe('attempt 3 of 8 failed; will retry');
    expect(jobAttemptsText({ status: 'queued', attempts: 0, maxAttempts: 8 })).toBe('not tried yet');
    expect(jobAttemptsText({ status: 'running', attempts: 2, maxAttempts: 8 })).toBe('attempt 2 of 8');
    expect(jobAttemptsText({ status: 'cancelled', attempts: 1, maxAttempts: 8 })).toBe('cancelled after 1 attempt');
  });

  it('flags logins older than 90 days, and never-logged-in, as stale', () => {
    expect(isStale(ago(89 * DAY), now)).toBe(false);
    expect(isStale(ago(91 * DAY), now)).toBe(true);
    expect(isStale(null, now)).toBe(true);
  });

  it('formats durations, enums, initials and long paths', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(9_040)).toBe('9.0 s');
    expect(formatDuration(42_100)).toBe('42 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
    expect(formatDuration(null)).toBe('—');
    expect(humanize('PASSWORD_EXPIRED')).toBe('Password expired');
    expect(initials('Ada  Lovelace King')).toBe('AK');
    expect(initials('')).toBe('?');
    const path = '/home/someone/.config/Latchkey/workspaces/a-very-long-workspace-name.latchkey';
    const short = truncateMiddle(path, 40);
    expect(short).toHaveLength(40);
    expect(short.endsWith('workspace-name.latchkey')).toBe(true);
    expect(short.startsWith('/home/')).toBe(true);
  });

  it('puts server validation messages next to their fields', () => {
    const fields = ['name', 'orgUrl', 'auth.token', 'auth.scopes', 'auth'];
    expect(
      splitFieldErrors('orgUrl: not a URL: expected something like https://x; auth.scopes.0: too short; weird thing', fields),
    ).toEqual({ fields: { orgUrl: 'not a URL: expected something like https://x', 'auth.scopes': 'too short' }, form: 'weird thing' });
    expect(splitFieldErrors('connection "Acme" already exists', fields)).toEqual({ fields: {}, form: 'connection "Acme" already exists' });
    // Catalog paths name a list item: the item's own key wins over its list, and an unknown item falls back to the list.
    const role = ['name', 'policy.steps', 'policy.steps[1].approvers'];
    expect(splitFieldErrors('policy.steps[1].approvers: needs an e-mail; policy.steps[4].kind: unknown; Jira: down', role)).toEqual({
      fields: { 'policy.steps[1].approvers': 'needs an e-mail', 'policy.steps': 'unknown' },
      form: 'Jira: down',
    });
  });

  it('pages and sorts in-memory rows like the server does, blanks last', () => {
    const rows = [{ n: 'b' }, { n: null }, { n: 'a' }, { n: 'C' }];
    expect(localPage(rows, 0, 10, { sortValue: (r) => r.n, dir: 'asc' }).rows.map((r) => r.n)).toEqual(['a', 'b', 'C', null]);
    expect(localPage(rows, 0, 10, { sortValue: (r) => r.n, dir: 'desc' }).rows.map((r) => r.n)).toEqual(['C', 'b', 'a', null]);
    expect(localPage(rows, 1, 2, { sortValue: (r) => r.n })).toEqual({ total: 4, offset: 1, rows: [{ n: 'b' }, { n: 'C' }] });
  });
});
