// Jira error normalisation and the small pure helpers of the Jira connector.
import { HttpException } from 'jira.js';
import { describe, expect, it } from 'vitest';
import { jiraMessages, redact, retryAfterMsOf, toJiraError } from '../../electron/engine/connectors/jira/jira-errors.js';
import { adfFacts, adfText, adfToText, requestLabel } from '../../electron/engine/connectors/jira/jira-fields.js';
import { jqlDate } from '../../electron/engine/jira/jsm-import.js';

const NOW = Date.parse('2026-11-22T10:00:00Z');

describe('Jira errors', () => {
  it('reads Retry-After (seconds or a date) and X-RateLimit-Reset', () => {
    expect(retryAfterMsOf({ 'retry-after': '3' }, NOW)).toBe(3000);
    expect(retryAfterMsOf({ 'retry-after': 'Sun, 22 Nov 2026 10:00:05 GMT' }, NOW)).toBe(5000);
    expect(retryAfterMsOf({ 'x-ratelimit-reset': '2026-11-22T10:00:07Z' }, NOW)).toBe(7000);
    expect(retryAfterMsOf({}, NOW)).toBeNull();
  });

  it("keeps Jira's own messages from an ErrorCollection and a JSM error", () => {
    expect(jiraMessages({ errorMessages: ['Issue does not exist'], errors: { summary: 'required' } })).toEqual(['Issue does not exist', 'summary: required']);
    expect(jiraMessages({ errorMessage: 'The request type does not exist' })).toEqual(['The request type does not exist']);
    expect(jiraMessages('<html>502</html>')).toEqual([]);
  });

  it('normalises a jira.js HttpException without the token, even when the cause echoes the Authorization header', () => {
    const token = 'ATATT3xFfGF0-secret-token-value';
    const basic = Buffer.from(`bot@example.com:${token}`).toString('base64');
    const cause = { response: { headers: { 'retry-after': '2' } }, config: { headers: { Authorization: `Basic ${basic}` } } };
    const e = new HttpException({ code: 'ERR', message: `Request failed Basic ${basic}`, data: { errorMessages: [`bad token ${token}`], errors: {} }, status: 429 }, 429, { cause });
    const err = toJiraError(e, 'create the issue', { secrets: [token, basic], nowMs: NOW });
    expect(err).toMatchObject({ kind: 'rate-limited', status: 429, retryAfterMs: 2000, transient: true });
    expect(err.message).toBe('Jira could not create the issue: HTTP 429 — rate limited by Jira: bad token [redacted]');
    expect(JSON.stringify({ ...err, message: err.message })).not.toContain(token);
    const net = toJiraError(Object.assign(new Error(`connect ECONNREFUSED Basic ${basic}`), { code: 'ECONNREFUSED' }), 'read the account (myself)', { secrets: [token], nowMs: NOW });
    expect(net).toMatchObject({ kind: 'network', status: null });
    expect(net.message).not.toContain(basic);
    expect(redact(`Authorization: Basic ${basic}`, [])).toBe('Authorization: Basic [redacted]');
  });
});

describe('Jira fields', () => {
  it('builds ADF and reads it back as text', () => {
    expect(adfToText(adfText('one\ntwo'))).toBe('one\ntwo');
    expect(adfToText(adfFacts([['Access', 'Figma / Editor']], ['Why: review']))).toBe('Why: review\nAccess: Figma / Editor');
    expect(requestLabel('a1b2 c3', 7)).toBe('latchkey-request-a1b2c3-7');
  });

  it('writes JQL dates in the account time zone at minute precision', () => {
    expect(jqlDate(new Date('2026-11-22T03:05:59Z'), 'UTC')).toBe('2026-11-22 03:05');
    expect(jqlDate(new Date('2026-11-22T03:05:59Z'), 'Australia/Sydney')).toBe('2026-11-22 14:05');
    expect(jqlDate(new Date('2026-11-22T03:05:59Z'), 'Not/AZone')).toBe('2026-11-22 03:05');
  });
});
