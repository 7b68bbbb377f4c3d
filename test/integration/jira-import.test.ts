// The JSM import against the sandbox Jira over real HTTP: portal requests
// raised by a customer become Latchkey requests linked to their issue; a bad
// one is commented and declined, never dropped; polling twice is a no-op; an
// approver's answer in JSM is recorded as a decision through channel 'jira'
// when they are eligible, and commented on (once) when not.
import { ServiceDeskClient } from 'jira.js';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { pollJiraRequests, requestFromIssue } from '../../electron/engine/jira/jsm-import.js';
import { parseDuration as parseJsmDuration } from '../../electron/engine/requests/duration-text.js';
import { jiraStatus } from '../../electron/engine/jira/jira-status.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { JIRA_CUSTOM_FIELDS, startJiraServer, type JiraAccount, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { jiraJobs, jiraWorkspace, recordingSleep } from './jira-helpers.js';

let jira: JiraServer;
let ada: JiraAccount;
let bob: JiraAccount;
let cy: JiraAccount;
const servers: JiraServer[] = [];
/** A fresh Jira site per test, so one test's portal requests are not another's. */
beforeEach(async () => {
  let now = Date.parse('2026-11-22T09:00:00.000Z');
  // Jira's clock moves a second per request, so "created since" is exercised across minutes.
  jira = await startJiraServer({ clock: { now: () => new Date((now += 1000)) } });
  servers.push(jira);
  ada = jira.state.addUser({ email: 'ada@example.com', displayName: 'Ada Lovelace' });
  bob = jira.state.addUser({ email: 'bob@example.com', displayName: 'Bob Manager' });
  cy = jira.state.addUser({ email: 'cy@example.com', displayName: 'Cy Colleague' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const portal = (u: JiraAccount) => new ServiceDeskClient({ host: jira.url, authentication: { basic: { email: u.email, apiToken: u.apiToken } } });

async function raise(u: JiraAccount, fields: Record<string, unknown>): Promise<string> {
  const r = await portal(u).request.createCustomerRequest({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'Access please', ...fields } });
  return r.issueKey ?? '';
}

const tuning = { sleep: recordingSleep().sleep };

describe('JSM import', () => {
  it('imports portal requests, refuses a bad one with a comment and Declined, and is a no-op the second time', async () => {
    const w = await jiraWorkspace(jira);
    const good = await raise(ada, {
      description: 'Need it for the design review',
      [JIRA_CUSTOM_FIELDS.beneficiaryEmail]: 'ada@example.com',
      [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor',
      [JIRA_CUSTOM_FIELDS.duration]: '24h',
      [JIRA_CUSTOM_FIELDS.approvers]: [{ accountId: bob.accountId }],
    });
    const unknownRole = await raise(cy, { description: 'x', [JIRA_CUSTOM_FIELDS.access]: 'Payroll / God mode', [JIRA_CUSTOM_FIELDS.duration]: '7d' });
    const tooLong = await raise(cy, { description: 'x', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '90d' });

    const first = await pollJiraRequests(w.ctx, tuning);
    expect(first.errors).toEqual([]);
    expect(first.imported).toHaveLength(1);
    expect(first.skipped.map((s) => s.issueKey)).toEqual([unknownRole, tooLong]);
    const row = w.ctx.db.prepare('SELECT * FROM requests WHERE id = ?').get(first.imported[0]) as Record<string, unknown>;
    expect(row).toMatchObject({ source: 'jira', status: 'pending', jira_issue_key: good, jira_connection_id: w.jiraConnectionId, requester: 'ada@example.com', beneficiary_email: 'ada@example.com', duration: '24h', justification: 'Need it for the design review' });
    for (const key of [unknownRole, tooLong]) {
      expect(jira.state.issue(key)?.status).toBe('declined');
      expect(jira.state.comments(key)).toHaveLength(1);
    }
    expect(JSON.stringify(jira.state.comments(unknownRole)[0]?.body)).toMatch(/Latchkey could not accept this access request: unknown role/);
    // Like every comment Latchkey writes, the refusal ends with the audit chain's head, and that anchor is recorded.
    const refusal = jira.state.comments(unknownRole)[0];
    expect(JSON.stringify(refusal?.body)).toMatch(/"Audit chain: \d+ events?, head [0-9a-f]{64}"/);
    expect(w.ctx.db.prepare("SELECT comment_id FROM audit_anchors WHERE kind = 'jira-comment' AND issue_key = ?").pluck().all(unknownRole)).toEqual([refusal?.id]);

    const second = await pollJiraRequests(w.ctx, tuning);
    expect(second).toMatchObject({ imported: [], skipped: [], errors: [] });
    expect(jira.state.comments(unknownRole)).toHaveLength(1);
    expect((w.ctx.db.prepare("SELECT COUNT(*) AS n FROM requests WHERE source = 'jira'").get() as { n: number }).n).toBe(1);

    // The write-back goes to the portal request's own issue: no new issue, an acknowledgement comment.
    const issues = jira.state.issues().length;
    for (const job of jiraJobs(w.ctx, first.imported[0]!)) expect(await createJiraJobExecutor(tuning)(job, w.ctx, new AbortController().signal)).toMatchObject({ status: 'succeeded' });
    expect(jira.state.issues().length).toBe(issues);
    expect(JSON.stringify(jira.state.comments(good)[0]?.body)).toContain(`Access request #${first.imported[0]}`);

    // A newer portal request is picked up from the stored position.
    const later = await raise(cy, { description: 'me too', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d' });
    const third = await pollJiraRequests(w.ctx, tuning);
    expect(third.imported).toHaveLength(1);
    expect((w.ctx.db.prepare('SELECT jira_issue_key FROM requests WHERE id = ?').get(third.imported[0]) as { jira_issue_key: string }).jira_issue_key).toBe(later);
    expect(jiraStatus(w.ctx)).toMatchObject({ configured: true, lastPollError: null, connection: { requestTypeName: 'Access request', projectKey: 'ACC' } });
  });

  it('records an eligible approver’s JSM answer as a jira-channel decision, and comments once on an ineligible one', async () => {
    const w = await jiraWorkspace(jira);
    const okKey = await raise(cy, { description: 'review', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d', [JIRA_CUSTOM_FIELDS.approvers]: [{ accountId: bob.accountId }] });
    const selfKey = await raise(ada, { description: 'mine', [JIRA_CUSTOM_FIELDS.beneficiaryEmail]: 'ada@example.com', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d', [JIRA_CUSTOM_FIELDS.approvers]: [{ accountId: ada.accountId }] });
    const polled = await pollJiraRequests(w.ctx, tuning);
    const ids = Object.fromEntries(
      (w.ctx.db.prepare("SELECT id, jira_issue_key FROM requests WHERE jira_issue_key IN (?, ?)").all(okKey, selfKey) as { id: number; jira_issue_key: string }[]).map((r) => [r.jira_issue_key, r.id]),
    );
    expect(polled.imported).toEqual(expect.arrayContaining([ids[okKey], ids[selfKey]]));

    const answer = async (u: JiraAccount, key: string, decision: 'approve' | 'decline') => {
      const approvals = await portal(u).request.getApprovals({ issueIdOrKey: key });
      await portal(u).request.answerApproval({ issueIdOrKey: key, approvalId: Number(approvals.values?.[0]?.id), decision });
    };
    await answer(bob, okKey, 'approve');
    await answer(ada, selfKey, 'approve');
    const read = await pollJiraRequests(w.ctx, tuning);
    expect(read.decided).toEqual([ids[okKey]]);
    const decided = w.ctx.db.prepare('SELECT status, decided_by, channel, comment FROM approvals WHERE request_id = ?').get(ids[okKey]) as Record<string, unknown>;
    expect(decided).toMatchObject({ status: 'approved', decided_by: 'bob@example.com', channel: 'jira' });
    expect((w.ctx.db.prepare('SELECT status FROM requests WHERE id = ?').get(ids[okKey]) as { status: string }).status).toBe('approved');
    // Ada approving her own request: not recorded, and Jira is told why.
    expect((w.ctx.db.prepare('SELECT status FROM requests WHERE id = ?').get(ids[selfKey]) as { status: string }).status).toBe('pending');
    const said = jira.state.comments(selfKey).map((c) => JSON.stringify(c.body));
    expect(said.filter((t) => t.includes('Latchkey did not record the approval by Ada Lovelace'))).toHaveLength(1);
    expect(said.join()).toMatch(/self-approval is blocked/);
    await pollJiraRequests(w.ctx, tuning);
    expect(jira.state.comments(selfKey).filter((c) => JSON.stringify(c.body).includes('did not record'))).toHaveLength(1);
  });

  it('reports a Jira outage as the poll error and keeps the position', async () => {
    const w = await jiraWorkspace(jira);
    await pollJiraRequests(w.ctx, tuning);
    const position = jiraStatus(w.ctx).pollPosition;
    jira.faults.add({ match: '/rest/api/3/search/jql', kind: '503', times: 10 });
    const r = await pollJiraRequests(w.ctx, tuning);
    jira.faults.clear();
    expect(r.errors[0]?.error).toMatch(/Jira is unavailable/);
    expect(jiraStatus(w.ctx).lastPollError).toMatch(/HTTP 503/);
    expect(jiraStatus(w.ctx).pollPosition).toBe(position);
  });
});

describe('portal request fields', () => {
  it('parses durations and names what is missing', () => {
    expect(parseJsmDuration('7d')).toEqual({ duration: '7d', minutes: null });
    expect(parseJsmDuration('1440m')).toEqual({ duration: '24h', minutes: null });
    expect(parseJsmDuration('10 d')).toEqual({ duration: 'custom', minutes: 14400 });
    expect(() => parseJsmDuration('a while')).toThrow(/"a while" is not one of permanent/);
    const issue = { id: '1', key: 'ACC-1', summary: 's', status: { id: '', name: '', category: null }, created: null, labels: [], reporter: { accountId: 'x', email: 'a@example.com', displayName: 'A', timeZone: null }, description: null, fields: {} };
    expect(() => requestFromIssue(issue)).toThrow(/no access/);
  });
});
