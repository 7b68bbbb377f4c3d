// Jira sites that are not like the sandbox (issue 10), each against the
// sandbox Jira in a quirk mode over real HTTP through jira.js:
// - a label search that returns an issue already linked to another request:
//   not adopted (the entity property is checked), a new issue is created, no
//   constraint failure;
// - Atlassian's example workflow (custom status categories, no "Waiting for
//   approval") with the status field absent: a missing transition is a
//   comment on the issue and a warning on the request, later comments and
//   transitions still go through; configured status names move the issue;
//   the connection test lists the workflow's statuses and names the missing
//   mapping;
// - a JSM approvals pager that never says isLastPage: bounded, and said;
// - a refused portal request says whether the reporter's e-mail is hidden or
//   there is no reporter at all;
// - the last connection test found no write permission: the write-back warns,
//   and says so when Jira refuses.
import { afterAll, describe, expect, it } from 'vitest';
import { testConnection } from '../../electron/engine/connections/connection-test.js';
import { createJiraClient, JIRA_PAGER_LIMITS } from '../../electron/engine/connectors/jira/jira-client.js';
import { adfToText, REQUEST_PROPERTY, requestLabel, WARNING_PROPERTY } from '../../electron/engine/connectors/jira/jira-fields.js';
import { workspaceId } from '../../electron/engine/context.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { setJiraStatuses } from '../../electron/engine/jira/jira-site.js';
import { jiraStatus } from '../../electron/engine/jira/jira-status.js';
import { pollJiraRequests, requestFromIssue } from '../../electron/engine/jira/jsm-import.js';
import { enqueueJiraUpdate } from '../../electron/engine/jobs/jira-outbox.js';
import type { JobOutcome } from '../../electron/engine/jobs/job-types.js';
import { getRequest } from '../../electron/engine/requests/queries.js';
import { cancelRequest, createRequest, decideRequest } from '../../electron/engine/requests/requests.js';
import { JIRA_CUSTOM_FIELDS, startJiraServer, type JiraQuirks, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { jiraJobs, jiraWorkspace, recordingSleep, type JiraWorkspace } from './jira-helpers.js';

const servers: JiraServer[] = [];
async function site(quirks: JiraQuirks = {}): Promise<JiraServer> {
  const s = await startJiraServer({ quirks });
  servers.push(s);
  return s;
}
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const never = new AbortController().signal;
const exec = createJiraJobExecutor({ sleep: recordingSleep().sleep });

function fileRequest(w: JiraWorkspace, beneficiary = 'ada@example.com'): number {
  return createRequest(w.ctx, { beneficiary: { email: beneficiary }, role: w.roleId, duration: '7d', justification: 'Design review' }, { source: 'console', requester: 'cy@example.com' }).id;
}

/** Runs the request's queued Jira jobs in order as the runner would, marking each as it ends; returns their outcomes. */
async function runQueued(w: JiraWorkspace, requestId: number): Promise<JobOutcome[]> {
  const out: JobOutcome[] = [];
  for (const job of jiraJobs(w.ctx, requestId).filter((j) => j.status === 'queued')) {
    const outcome = await exec(job, w.ctx, never);
    out.push(outcome);
    const result = outcome.status === 'succeeded' ? JSON.stringify(outcome.result ?? {}) : null;
    w.ctx.db
      .prepare("UPDATE jobs SET status = ?, attempts = attempts + 1, result = ?, finished_at = '2026-11-22T09:00:00.000Z' WHERE id = ?")
      .run(outcome.status === 'succeeded' ? 'succeeded' : outcome.status === 'failed' ? 'failed' : 'queued', result, job.id);
  }
  return out;
}

const keyOf = (w: JiraWorkspace, id: number): string | null => (w.ctx.db.prepare('SELECT jira_issue_key FROM requests WHERE id = ?').get(id) as { jira_issue_key: string | null }).jira_issue_key;
const warningsOf = (o: JobOutcome | undefined): string[] => (o?.status === 'succeeded' ? ((o.result?.warnings as string[] | undefined) ?? []) : []);

describe('an issue that belongs to another request', () => {
  it('found by a loose label search is skipped, a new issue is created: no UNIQUE constraint failure', async () => {
    const jira = await site({ looseLabelSearch: true });
    const w = await jiraWorkspace(jira, { importRequests: false });
    // Requests #1..#11 filed and cancelled (their write-backs wait), #12 recorded first.
    const first = fileRequest(w);
    cancelRequest(w.ctx, first, { by: 'cy@example.com', reason: 'later' });
    for (let i = 0; i < 10; i++) cancelRequest(w.ctx, fileRequest(w), { by: 'cy@example.com', reason: 'later' });
    const twelfth = fileRequest(w);
    expect(twelfth).toBe(first + 11);
    expect(await runQueued(w, twelfth)).toMatchObject([{ status: 'succeeded' }]);
    const theirs = keyOf(w, twelfth) ?? '';
    const ws = workspaceId(w.ctx.db);
    expect(jira.state.issue(theirs)?.properties[REQUEST_PROPERTY]).toEqual({ workspace: ws, request: twelfth });

    // Request #1's search for its label "…-1" returns #12's issue (labelled "…-12").
    const outcomes = await runQueued(w, first);
    expect(outcomes.map((o) => o.status)).toEqual(['succeeded', 'succeeded']);
    const mine = keyOf(w, first) ?? '';
    expect(mine).not.toBe(theirs);
    expect(jira.state.issue(mine)?.labels).toContain(requestLabel(ws, first));
    expect(jira.state.issue(mine)?.properties[REQUEST_PROPERTY]).toEqual({ workspace: ws, request: first });
    expect(warningsOf(outcomes[0])).toEqual([`${theirs} turned up in the search for this request's label but records request #${twelfth}: not adopted`]);
    // #12 keeps its issue; the cancellation went to #1's own.
    expect(keyOf(w, twelfth)).toBe(theirs);
    expect(jira.state.comments(theirs)).toHaveLength(0);
    expect(jira.state.comments(mine).map((c) => adfToText(c.body)).join('\n')).toContain('Cancelled by cy@example.com');
    // The request's detail shows the warning on its Jira record.
    expect(getRequest(w.ctx.db, first).jiraRecord.entries[0]?.warnings).toEqual(warningsOf(outcomes[0]));
  });

  it("an issue with this request's exact label whose property names another workspace is not adopted; its own (crash before the key was stored) is", async () => {
    const jira = await site();
    const w = await jiraWorkspace(jira, { importRequests: false });
    const id = fileRequest(w);
    const ws = workspaceId(w.ctx.db);
    // A copy of this workspace (same label text) recorded its own request #1 in the same project.
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
    const stray = await client.createIssue({ project: { key: 'ACC' }, issuetype: { id: '10004' }, summary: 'copy', labels: [requestLabel(ws, id)] }, [{ key: REQUEST_PROPERTY, value: { workspace: 'other-ws', request: id } }]);
    const [job] = jiraJobs(w.ctx, id);
    const outcome = await exec(job!, w.ctx, never);
    expect(outcome).toMatchObject({ status: 'succeeded', result: { issueCreated: true } });
    expect(warningsOf(outcome)).toEqual([`${stray.key} turned up in the search for this request's label but records another workspace's request #${id}: not adopted`]);
    const own = keyOf(w, id) ?? '';
    expect(own).not.toBe(stray.key);
    // The key is forgotten (a crash before it was stored): the retry finds its own issue by label and property, and adopts it.
    w.ctx.db.prepare('UPDATE requests SET jira_issue_key = NULL, jira_issue_id = NULL WHERE id = ?').run(id);
    const before = jira.state.issues().length;
    expect(await exec({ ...job!, attempt: 2 }, w.ctx, never)).toMatchObject({ status: 'succeeded', result: { issueKey: own, issueCreated: false } });
    expect(jira.state.issues().length).toBe(before);
  });
});

describe("a workflow unlike the sandbox's", () => {
  it("Atlassian's example workflow without a status field: a missing status is a comment and a warning, later updates go through; configured names move the issue", async () => {
    const jira = await site({ workflow: 'atlassian-example', statusFieldAbsent: true });
    const w = await jiraWorkspace(jira, { importRequests: false });
    const id = fileRequest(w);

    // Created → "Waiting for approval": the workflow has none.
    const [created] = await runQueued(w, id);
    expect(created?.status).toBe('succeeded');
    const key = keyOf(w, id) ?? '';
    const missing = `not moved to "Waiting for approval": the workflow has no transition from its status (the site did not show it) of ${key} to "Waiting for approval" (available: Close Issue → In Progress, QA Review → Closed)`;
    expect(warningsOf(created)).toEqual([missing]);
    expect(jira.state.issue(key)?.status).toBe('open');
    const warningComment = jira.state.comments(key).find((c) => c.properties.some((p) => p.key === WARNING_PROPERTY));
    expect(adfToText(warningComment?.body)).toContain('Latchkey could not move this issue to "Waiting for approval": the workflow has no transition');
    let record = getRequest(w.ctx.db, id).jiraRecord;
    expect(record.entries[0]).toMatchObject({ state: 'written', warnings: [missing] });
    // Not moved: the record does not claim a status Latchkey never set.
    expect(record.status).toBeNull();

    // Approved → "In progress" by its usual name: Close Issue → In Progress; the comment lands.
    decideRequest(w.ctx, id, { decision: 'approve', comment: 'ok for the review', by: 'bob@example.com', channel: 'console' });
    const [approved] = await runQueued(w, id);
    expect(approved).toMatchObject({ status: 'succeeded', result: { comment: 'posted', transitions: ['Close Issue → In Progress'] } });
    expect(warningsOf(approved)).toEqual([]);
    expect(jira.state.issue(key)?.status).toBe('inProgress');

    // Declined: the workflow has none; warned, the comment still posted, the job not failed.
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'A decline was recorded.', transition: 'declined', discriminator: 1 }, w.ctx.clock.now());
    const [declined] = await runQueued(w, id);
    expect(declined).toMatchObject({ status: 'succeeded', result: { comment: 'posted', transitions: [], notMoved: 'Declined' } });
    expect(warningsOf(declined)).toEqual([`not moved to "Declined": the workflow has no transition from its status (the site did not show it) of ${key} to "Declined" (available: QA Review → Closed)`]);
    expect(jira.state.comments(key).map((c) => adfToText(c.body)).join('\n')).toContain('A decline was recorded.');
    expect(jira.state.issue(key)?.status).toBe('inProgress');

    // A later transition still goes through: Done by its usual name "Closed" (category completed, not done).
    enqueueJiraUpdate(w.ctx.db, id, { event: 'provisioned', comment: 'Added ada to app-figma-editors.', transition: 'done', discriminator: 1 }, w.ctx.clock.now());
    const [done] = await runQueued(w, id);
    expect(done).toMatchObject({ status: 'succeeded', result: { comment: 'posted', transitions: ['QA Review → Closed'] } });
    expect(warningsOf(done)).toEqual([]);
    expect(jira.state.issue(key)?.status).toBe('closed');

    // The admin names this workflow's statuses: "Waiting for approval" is Open here, reached through Reopen Issue.
    setJiraStatuses(w.ctx, w.jiraConnectionId, { waiting: 'Open', declined: 'Closed' });
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'Reopened for a re-check.', transition: 'waiting-for-approval', discriminator: 2 }, w.ctx.clock.now());
    const [reopened] = await runQueued(w, id);
    expect(reopened).toMatchObject({ status: 'succeeded', result: { transitions: ['Reopen Issue → Open'] } });
    expect(warningsOf(reopened)).toEqual([]);
    expect(jira.state.issue(key)?.status).toBe('open');
    record = getRequest(w.ctx.db, id).jiraRecord;
    expect(record.status).toBe('Open');
    const audit = w.ctx.db.prepare("SELECT details FROM audit_events WHERE action = 'connection.jira_statuses_changed'").all() as { details: string }[];
    expect(JSON.parse(audit[0]?.details ?? '{}')).toMatchObject({ before: { waiting: 'Waiting for approval', declined: 'Declined' }, after: { waiting: 'Open', approved: 'In progress', done: 'Done', declined: 'Closed' } });
  });

  it("a configured name is taken literally: 'no-waiting' with waiting=To Do needs no transition and says nothing", async () => {
    const jira = await site({ workflow: 'no-waiting' });
    const w = await jiraWorkspace(jira, { importRequests: false });
    setJiraStatuses(w.ctx, w.jiraConnectionId, { waiting: 'To Do' });
    const id = fileRequest(w);
    const [created] = await runQueued(w, id);
    expect(created).toMatchObject({ status: 'succeeded', result: { transitions: [] } });
    expect(warningsOf(created)).toEqual([]);
    expect(jira.state.comments(keyOf(w, id) ?? '')).toHaveLength(0);
  });

  it('the connection test lists the workflow statuses and names each missing mapping', async () => {
    const jira = await site({ workflow: 'atlassian-example' });
    const w = await jiraWorkspace(jira, { importRequests: false });
    const result = await testConnection(w.ctx, w.jiraConnectionId);
    expect(result.ok).toBe(true);
    expect(result.details).toContain('workflow statuses of ACC: Open (queued), In Progress (in-flight), Closed (completed)');
    const missing = result.details.filter((d) => d.startsWith('missing status mapping'));
    expect(missing.map((d) => d.split(' — ')[0])).toEqual([
      'missing status mapping: waiting (waiting for approval)',
      'missing status mapping: declined (declined)',
    ]);
    expect(missing[0]).toContain('no status "Waiting for approval" in ACC\'s workflow; set it with --statuses waiting=NAME');
    setJiraStatuses(w.ctx, w.jiraConnectionId, { waiting: 'Open', declined: 'Closed' });
    const again = await testConnection(w.ctx, w.jiraConnectionId);
    expect(again.details.filter((d) => d.startsWith('missing status mapping'))).toEqual([]);
    expect(again.details).toContain('every status mapping has a status: waiting=Open, approved=In progress, done=Done, declined=Closed');
  });
});

describe('pagers', () => {
  it('a JSM approvals pager that never says isLastPage: the poll ends and says the site repeated a page', async () => {
    const jira = await site({ approvalsNeverLastPage: true });
    const ada = jira.state.addUser({ email: 'ada@example.com' });
    const bob = jira.state.addUser({ email: 'bob@example.com' });
    const w = await jiraWorkspace(jira);
    const portal = await fetch(`${jira.url}/rest/servicedeskapi/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${ada.email}:${ada.apiToken}`).toString('base64')}` },
      body: JSON.stringify({
        serviceDeskId: '1',
        requestTypeId: '10',
        requestFieldValues: { summary: 'Access', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d', [JIRA_CUSTOM_FIELDS.approvers]: [bob.accountId] },
      }),
    });
    const key = ((await portal.json()) as { issueKey: string }).issueKey;
    const before = jira.stats().requests;
    const result = await pollJiraRequests(w.ctx, { sleep: recordingSleep().sleep });
    expect(result.errors).toEqual([]);
    expect(result.imported).toHaveLength(1);
    expect(result.warnings).toEqual([`the approvals of ${key}: the site repeated a page without saying it was the last (isLastPage), so paging stopped after 2 pages`]);
    // Two approval pages, not an endless loop.
    expect(jira.stats().requests - before).toBeLessThan(12);
    // The Jira card shows it until the next poll.
    expect(jiraStatus(w.ctx).lastPollWarnings).toEqual(result.warnings);
  });

  it('an approvals list longer than the bound stops at the bound and says so', async () => {
    const jira = await site();
    const ada = jira.state.addUser({ email: 'ada@example.com' });
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
    const r = await fetch(`${jira.url}/rest/servicedeskapi/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${ada.email}:${ada.apiToken}`).toString('base64')}` },
      body: JSON.stringify({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'x' } }),
    });
    const key = ((await r.json()) as { issueKey: string }).issueKey;
    const issue = jira.state.issue(key)!;
    for (let i = 0; i < JIRA_PAGER_LIMITS.approvalItems + 1; i++) {
      issue.approvals.push({ id: String(1000 + i), name: 'a', approvers: [], finalDecision: 'pending', created: new Date(), completed: null });
    }
    const approvals = await client.approvals(key);
    expect(approvals).toHaveLength(JIRA_PAGER_LIMITS.approvalItems);
    expect(client.takeWarnings()).toEqual([
      `the approvals of ${key} were read up to ${JIRA_PAGER_LIMITS.approvalItems} (the bound of ${JIRA_PAGER_LIMITS.approvalPages} pages / ${JIRA_PAGER_LIMITS.approvalItems} approvals): the site never said it was the last page`,
    ]);
    // Exactly at the bound: all read, nothing said.
    issue.approvals.pop();
    expect(await client.approvals(key)).toHaveLength(JIRA_PAGER_LIMITS.approvalItems);
    expect(client.takeWarnings()).toEqual([]);
  });
});

describe('a search that never ends', () => {
  it('stops at the page bound and says so (searchNeverLast)', async () => {
    const jira = await site({ searchNeverLast: true });
    const client = createJiraClient({ siteUrl: jira.url, email: jira.email, apiToken: jira.apiToken });
    await client.createIssue({ project: { key: 'ACC' }, issuetype: { id: '10004' }, summary: 's', labels: ['x'] });
    const before = jira.stats().requests;
    const found = await client.search('project = ACC AND labels = "x"', ['summary'], 1000);
    expect(found.map((i) => i.summary)).toEqual(['s']);
    expect(jira.stats().requests - before).toBe(JIRA_PAGER_LIMITS.searchPages);
    expect(client.takeWarnings()).toEqual([`search stopped at ${JIRA_PAGER_LIMITS.searchPages} pages (1 issue): the site kept offering more pages`]);
    // Warnings are handed out once.
    expect(client.takeWarnings()).toEqual([]);
  });
});

describe('a refused portal request says why', () => {
  it('no reporter at all (quirk) vs an e-mail hidden by privacy settings', async () => {
    const jira = await site({ noReporter: true });
    const ada = jira.state.addUser({ email: 'ada@example.com' });
    const w = await jiraWorkspace(jira);
    await fetch(`${jira.url}/rest/servicedeskapi/request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Basic ${Buffer.from(`${ada.email}:${ada.apiToken}`).toString('base64')}` },
      body: JSON.stringify({ serviceDeskId: '1', requestTypeId: '10', requestFieldValues: { summary: 'x', [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d' } }),
    });
    const result = await pollJiraRequests(w.ctx, { sleep: recordingSleep().sleep });
    expect(result.skipped.map((s) => s.reason)).toEqual(['the request names no beneficiary e-mail, and the issue has no reporter to take it from']);

    const base = { id: '1', key: 'ACC-1', summary: 's', status: { id: '', name: '', category: null }, created: null, labels: [], description: null, fields: { [JIRA_CUSTOM_FIELDS.access]: 'Figma / Editor', [JIRA_CUSTOM_FIELDS.duration]: '7d' } };
    expect(() => requestFromIssue({ ...base, reporter: { accountId: '712020:abc', email: null, displayName: 'Ada Lovelace', timeZone: null } })).toThrow(
      "the request names no beneficiary e-mail, and the reporter's (Ada Lovelace) e-mail is hidden by their Atlassian privacy settings",
    );
    expect(() => requestFromIssue({ ...base, reporter: null })).toThrow('the request names no beneficiary e-mail, and the issue has no reporter to take it from');
  });
});

describe('the last connection test found no write permission', () => {
  it('the write-back warns at its start, and the refusal says the test foresaw it; once granted, it goes through with the warning', async () => {
    const jira = await site();
    const viewer = jira.state.addUser({ email: 'viewer@example.com', permissions: ['BROWSE_PROJECTS'] });
    const w = await jiraWorkspace({ url: jira.url, email: viewer.email, apiToken: viewer.apiToken }, { importRequests: false });
    const test = await testConnection(w.ctx, w.jiraConnectionId);
    expect(test.canWrite).toBe(false);
    const id = fileRequest(w);
    const [job] = jiraJobs(w.ctx, id);
    const refused = await exec(job!, w.ctx, never);
    expect(refused).toMatchObject({ status: 'failed', httpStatus: 403 });
    expect(refused.status === 'failed' && refused.error).toBe(
      'Jira could not create the issue: HTTP 403 — the Jira account lacks permission: You do not have permission to create issues in project ACC. (the last connection test of "Jira" found that its Jira account may not create issues, comment or transition in ACC)',
    );
    // Granted meanwhile, not re-tested: the write-back goes through and still says what the last test found.
    (viewer.permissions as Set<string>).add('CREATE_ISSUES');
    const ok = await exec({ ...job!, attempt: 2 }, w.ctx, never);
    expect(ok.status).toBe('succeeded');
    expect(warningsOf(ok)).toEqual(['the last connection test of "Jira" found that its Jira account may not create issues, comment or transition in ACC: writing anyway (test the connection again once the permission is granted)']);
    // A connection whose test found write permission says nothing.
    const fine = await jiraWorkspace(jira, { importRequests: false });
    await testConnection(fine.ctx, fine.jiraConnectionId);
    const id2 = fileRequest(fine);
    const [job2] = jiraJobs(fine.ctx, id2);
    expect(warningsOf(await exec(job2!, fine.ctx, never))).toEqual([]);
  });
});
