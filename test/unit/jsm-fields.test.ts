// Reading a JSM portal request: the field ids are the connection's own where
// it names them (real sites number custom fields themselves), the duration
// text maps onto the catalog's options, and a missing field is named.
import { describe, expect, it } from 'vitest';
import { addJiraConnectionInput } from '../../shared/contract.js';
import { jiraFieldsOf } from '../../electron/engine/connectors/jira/jira-fields.js';
import type { JiraIssue } from '../../electron/engine/connectors/jira/jira-client.js';
import { requestFromIssue } from '../../electron/engine/jira/jsm-import.js';
import { parseDuration } from '../../electron/engine/requests/duration-text.js';

const issue = (fields: Record<string, unknown>): JiraIssue => ({
  id: '10001',
  key: 'ACC-7',
  summary: 'Figma access',
  status: { id: '1', name: 'Waiting for support', category: 'new' },
  created: '2026-11-22T08:00:00.000+0000',
  labels: [],
  reporter: { accountId: 'abc', displayName: 'Grace Hopper', email: 'grace@example.com', timeZone: null },
  description: 'For the design review',
  fields,
});

describe('JSM portal requests', () => {
  it("reads a site's own custom field ids, falling back to the defaults for the rest", () => {
    const fields = jiraFieldsOf({ beneficiaryEmail: 'customfield_20001', access: 'customfield_20002' });
    expect(fields).toMatchObject({ beneficiaryEmail: 'customfield_20001', access: 'customfield_20002', duration: 'customfield_10052' });
    const r = requestFromIssue(issue({ customfield_20001: 'ada@example.com', customfield_20002: 'Figma / Editor', customfield_10052: '90m' }), fields);
    expect(r).toEqual({
      input: { beneficiary: { email: 'ada@example.com' }, role: 'Figma / Editor', duration: 'custom', minutes: 90, justification: 'For the design review' },
      requester: 'grace@example.com',
    });
    // With the defaults, the same issue names no access.
    expect(() => requestFromIssue(issue({ customfield_20001: 'ada@example.com', customfield_20002: 'Figma / Editor', customfield_10052: '90m' }))).toThrow(/names no access/);
  });

  it('maps durations onto the catalog options and refuses what it cannot read', () => {
    expect(parseDuration('7d')).toEqual({ duration: '7d', minutes: null });
    expect(parseDuration('10080m')).toEqual({ duration: '7d', minutes: null });
    expect(parseDuration('12 h')).toEqual({ duration: 'custom', minutes: 720 });
    expect(parseDuration('Permanent')).toEqual({ duration: 'permanent', minutes: null });
    expect(() => parseDuration('a fortnight')).toThrow(/duration "a fortnight" is not one of permanent/);
  });

  it('refuses a field id that is not a custom field id, naming the field', () => {
    const r = addJiraConnectionInput.safeParse({
      kind: 'jira', name: 'J', siteUrl: 'https://acme.atlassian.net', email: 'bot@acme.com', apiToken: 't', projectKey: 'ACC',
      fields: { access: 'Access role' },
    });
    expect(r.success).toBe(false);
    expect(JSON.stringify(r.error?.issues)).toContain('customfield_10050');
  });
});
