// The Jira write-back executor against the sandbox Jira through jira.js over
// real HTTP: the request's issue is created (once), each step is commented
// (once) and the issue follows the workflow; 429 storms, 5xx and dropped
// connections are retried without duplicating anything; Jira being down
// leaves the job queued and never blocks the request.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { enqueueJiraUpdate } from '../../electron/engine/jobs/jira-outbox.js';
import { jiraStatus } from '../../electron/engine/jira/jira-status.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import type { JobExecutor } from '../../electron/engine/jobs/job-types.js';
import { getRequest } from '../../electron/engine/requests/queries.js';
import { createRequest, decideRequest } from '../../electron/engine/requests/requests.js';
import { adfToText } from '../../electron/engine/connectors/jira/jira-fields.js';
import { workspaceId } from '../../electron/engine/context.js';
import { startJiraServer, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { jiraJobs, jiraWorkspace, recordingSleep, type JiraWorkspace } from './jira-helpers.js';

let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterAll(async () => {
  await jira.close();
});

const never = new AbortController().signal;

/** A console request for ada (manager bob), filed by cy. */
function fileRequest(w: JiraWorkspace, justification = 'Design review of the Q3 launch', beneficiary = 'ada@example.com'): number {
  return createRequest(w.ctx, { beneficiary: { email: beneficiary }, role: w.roleId, duration: '7d', justification }, { source: 'console', requester: beneficiary === 'cy@example.com' ? 'dee@example.com' : 'cy@example.com' }).id;
}

async function runAll(w: JiraWorkspace, exec: JobExecutor, requestId: number): Promise<void> {
  for (const job of jiraJobs(w.ctx, requestId).filter((j) => j.status === 'queued')) {
    const outcome = await exec(job, w.ctx, never);
    expect(outcome, `job ${job.id} (${String(job.payload.event)})`).toMatchObject({ status: 'succeeded' });
    w.ctx.db.prepare("UPDATE jobs SET status = 'succeeded', attempts = attempts + 1 WHERE id = ?").run(job.id);
  }
}

const issueKeyOf = (w: JiraWorkspace, id: number): string | null =>
  (w.ctx.db.prepare('SELECT jira_issue_key FROM requests WHERE id = ?').get(id) as { jira_issue_key: string | null }).jira_issue_key;

const commentTexts = (key: string): string[] => jira.state.comments(key).map((c) => JSON.stringify(c.body));

describe('Jira write-back', () => {
  it('creates the issue, comments each step and follows the workflow to Done', async () => {
    const w = await jiraWorkspace(jira);
    const exec = createJiraJobExecutor({ sleep: recordingSleep().sleep });
    const id = fileRequest(w);
    await runAll(w, exec, id);
    const key = issueKeyOf(w, id);
    expect(key).toMatch(/^ACC-\d+$/);
    const issue = jira.state.issue(key ?? '');
    expect(issue?.summary).toBe(`Access request #${id}: Figma / Editor for Ada Lovelace`);
    expect(issue?.labels).toEqual(['latchkey', `latchkey-request-${workspaceId(w.ctx.db)}-${id}`]);
    const description = JSON.stringify(issue?.description);
    for (const part of ['Design review of the Q3 launch', 'ada@example.com', '7 days', 'cy@example.com', 'bob@example.com']) expect(description).toContain(part);
    expect(issue?.status).toBe('waiting');
    // The created step is the description; no comment for it on an issue Latchkey made.
    expect(jira.state.comments(key ?? '')).toHaveLength(0);

    decideRequest(w.ctx, id, { decision: 'approve', comment: 'ok for the review', by: 'bob@example.com', channel: 'console' });
    await runAll(w, exec, id);
    expect(jira.state.issue(key ?? '')?.status).toBe('inProgress');
    expect(commentTexts(key ?? '')[0]).toContain('ok for the review');

    enqueueJiraUpdate(w.ctx.db, id, { event: 'provisioned', comment: 'Added ada@example.com to app-figma-editors (Okta) at 2026-11-22T09:01:00Z; expires 2026-11-29T09:01:00Z.', transition: 'done', discriminator: 1 }, w.ctx.clock.now());
    await runAll(w, exec, id);
    expect(jira.state.issue(key ?? '')?.status).toBe('done');
    expect(commentTexts(key ?? '')).toHaveLength(2);
    expect(commentTexts(key ?? '')[1]).toContain('app-figma-editors');
    // Each comment names its job, visibly and as a property.
    expect(jira.state.comments(key ?? '')[1]?.properties[0]?.key).toBe('latchkey.update');

    // Reopened: back to Waiting for approval through the workflow's own transition.
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'Reopened for a re-check.', transition: 'waiting-for-approval', discriminator: 'x' }, w.ctx.clock.now());
    await runAll(w, exec, id);
    expect(jira.state.issue(key ?? '')?.status).toBe('waiting');
    // Done straight from Waiting for approval goes through In progress.
    enqueueJiraUpdate(w.ctx.db, id, { event: 'revoked', comment: 'Access removed.', transition: 'done', discriminator: 'y' }, w.ctx.clock.now());
    await runAll(w, exec, id);
    expect(jira.state.issue(key ?? '')?.status).toBe('done');

    const linked = w.ctx.db.prepare("SELECT details FROM audit_events WHERE action = 'request.jira-linked'").all() as { details: string }[];
    expect(linked).toHaveLength(1);
    expect(verifyAuditChain(w.ctx.db).valid).toBe(true);
    expect(jira.state.issues().filter((i) => i.labels.includes(`latchkey-request-${workspaceId(w.ctx.db)}-${id}`))).toHaveLength(1);
  });

  it('never creates a second issue: a crash after Jira created it is found by the label', async () => {
    const w = await jiraWorkspace(jira);
    const exec = createJiraJobExecutor({ sleep: recordingSleep().sleep });
    const id = fileRequest(w);
    const [job] = jiraJobs(w.ctx, id);
    expect(await exec(job!, w.ctx, never)).toMatchObject({ status: 'succeeded' });
    const key = issueKeyOf(w, id);
    // The process died before the key was stored: forget it, as if never written.
    w.ctx.db.prepare('UPDATE requests SET jira_issue_key = NULL, jira_issue_id = NULL WHERE id = ?').run(id);
    const before = jira.state.issues().length;
    expect(await exec({ ...job!, attempt: 2 }, w.ctx, never)).toMatchObject({ status: 'succeeded', result: { issueKey: key, issueCreated: false } });
    expect(jira.state.issues().length).toBe(before);
    expect(issueKeyOf(w, id)).toBe(key);
  });

  it('does not comment twice when the transition failed after the comment (retry), and retries 5xx and dropped connections', async () => {
    const w = await jiraWorkspace(jira);
    const { sleep } = recordingSleep();
    const exec = createJiraJobExecutor({ sleep });
    const id = fileRequest(w);
    await runAll(w, exec, id);
    const key = issueKeyOf(w, id) ?? '';
    decideRequest(w.ctx, id, { decision: 'approve', comment: 'approved once', by: 'bob@example.com', channel: 'console' });
    const job = jiraJobs(w.ctx, id).find((j) => j.status === 'queued')!;
    // The transition POST fails (a 503 is not retried inline: a write that may have applied is re-checked by the job instead).
    jira.faults.add({ match: `/rest/api/3/issue/${key}/transitions`, method: 'POST', kind: '503' });
    const first = await exec(job, w.ctx, never);
    expect(first).toMatchObject({ status: 'retry', httpStatus: 503 });
    expect(commentTexts(key).filter((t) => t.includes('approved once'))).toHaveLength(1);
    const second = await exec({ ...job, attempt: 2 }, w.ctx, never);
    expect(second).toMatchObject({ status: 'succeeded', result: { comment: 'already' } });
    expect(commentTexts(key).filter((t) => t.includes('approved once'))).toHaveLength(1);
    expect(jira.state.issue(key)?.status).toBe('inProgress');

    // A dropped connection on the comment POST: retry outcome, then exactly one comment.
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'expires tomorrow', discriminator: 7 }, w.ctx.clock.now());
    const notice = jiraJobs(w.ctx, id).find((j) => j.payload.event === 'notice')!;
    jira.faults.add({ match: `/rest/api/3/issue/${key}/comment`, method: 'POST', kind: 'drop' });
    expect(await exec(notice, w.ctx, never)).toMatchObject({ status: 'retry' });
    expect(await exec({ ...notice, attempt: 2 }, w.ctx, never)).toMatchObject({ status: 'succeeded', result: { comment: 'posted' } });
    expect(commentTexts(key).filter((t) => t.includes('expires tomorrow'))).toHaveLength(1);

    // Reads are retried inline through 5xx and a body cut mid-way.
    jira.faults.add({ match: `/rest/api/3/issue/${key}/comment`, method: 'GET', kind: '500' });
    jira.faults.add({ match: `/rest/api/3/issue/${key}/comment`, method: 'GET', kind: 'reset-mid-body' });
    expect(await exec({ ...notice, attempt: 3 }, w.ctx, never)).toMatchObject({ status: 'succeeded', result: { comment: 'already' } });
    expect(commentTexts(key).filter((t) => t.includes('expires tomorrow'))).toHaveLength(1);
  });

  it('rides out a 429 storm honouring Retry-After, and hands a longer one back to the queue with its wait', async () => {
    const w = await jiraWorkspace(jira);
    const rec = recordingSleep();
    const exec = createJiraJobExecutor({ sleep: rec.sleep });
    const id = fileRequest(w);
    jira.faults.add({ match: '/rest/api/3/issue', method: 'POST', kind: '429', times: 3 });
    const before = jira.state.issues().length;
    await runAll(w, exec, id);
    expect(rec.waits).toEqual([1000, 1000, 1000]);
    expect(jira.state.issues().length).toBe(before + 1);

    const id2 = fileRequest(w, 'second', 'cy@example.com');
    jira.faults.add({ match: '/rest/api/3/search/jql', kind: '429', times: 10 });
    const [job] = jiraJobs(w.ctx, id2);
    const outcome = await exec(job!, w.ctx, never);
    expect(outcome).toMatchObject({ status: 'retry', retryAfterMs: 1000, httpStatus: 429 });
    expect(outcome.status === 'retry' && outcome.error).toMatch(/rate limited by Jira: Rate limit exceeded/);
    jira.faults.clear();
    expect(await exec({ ...job!, attempt: 2 }, w.ctx, never)).toMatchObject({ status: 'succeeded' });
    expect(jira.state.issues().length).toBe(before + 2);
  });

  it("fails with Jira's own message on 400/404 and never shows the token", async () => {
    const w = await jiraWorkspace(jira, { projectKey: 'NOPE', importRequests: false });
    const exec = createJiraJobExecutor({ sleep: recordingSleep().sleep });
    const id = fileRequest(w);
    const [job] = jiraJobs(w.ctx, id);
    const outcome = await exec(job!, w.ctx, never);
    expect(outcome).toMatchObject({ status: 'failed', httpStatus: 404 });
    expect(outcome.status === 'failed' && outcome.error).toContain("No project could be found with key 'NOPE'");

    const bad = await jiraWorkspace({ url: jira.url, email: jira.email, apiToken: 'ATATT-wrong-token-0123456789abcdef' }, { importRequests: false });
    const id2 = fileRequest(bad);
    const [job2] = jiraJobs(bad.ctx, id2);
    const denied = await exec(job2!, bad.ctx, never);
    expect(denied).toMatchObject({ status: 'failed', httpStatus: 401 });
    const text = JSON.stringify(denied);
    expect(text).not.toContain('ATATT-wrong-token-0123456789abcdef');
    expect(text).not.toContain(Buffer.from(`${jira.email}:ATATT-wrong-token-0123456789abcdef`).toString('base64'));
  });

  it("the request's detail shows the record as Latchkey wrote it: each comment, when it was written or why it waits, and the status", async () => {
    const w = await jiraWorkspace(jira);
    const noop: JobExecutor = () => Promise.resolve({ status: 'succeeded' });
    const run = () => runJobs(w.ctx, { executors: { provision: noop, revoke: noop, jira: createJiraJobExecutor({ sleep: recordingSleep().sleep }) }, random: () => 0.5 });
    const id = fileRequest(w);
    expect(getRequest(w.ctx.db, id).jiraRecord).toMatchObject({ status: null, entries: [{ event: 'created', state: 'queued', writtenAt: null, transitionTo: 'Waiting for approval' }] });
    await run();
    decideRequest(w.ctx, id, { decision: 'approve', comment: 'fine for the review', by: 'bob@example.com', channel: 'console' });
    await run();
    const key = issueKeyOf(w, id) ?? '';
    const record = getRequest(w.ctx.db, id).jiraRecord;
    const [created, approved] = record.entries;
    // The issue Latchkey created carries the request itself: that step is no comment.
    expect(created).toMatchObject({ state: 'written', commented: 'skipped', attempts: 1 });
    expect(created?.writtenAt).not.toBeNull();
    expect(approved).toMatchObject({ event: 'approved', state: 'written', commented: 'posted', transitionTo: 'In progress', transitions: ['Start progress → In progress'] });
    expect(approved?.comment).toContain('fine for the review');
    // Word for word what the issue got (Jira's copy adds the job's reference line).
    const onIssue = jira.state.comments(key).map((c) => adfToText(c.body));
    expect(onIssue[0]?.startsWith(approved?.comment ?? '?')).toBe(true);
    expect(record.status).toBe('In progress');
    expect(jira.state.issue(key)?.status).toBe('inProgress');
    const lastMove = record.entries.filter((e) => e.state === 'written' && e.transitionTo !== null).at(-1);
    expect(record.statusAt).toBe(lastMove?.writtenAt);

    // A write Jira refuses for now: the entry says it waits, why and until when.
    enqueueJiraUpdate(w.ctx.db, id, { event: 'notice', comment: 'Expires soon.', discriminator: 'n' }, w.ctx.clock.now());
    jira.faults.add({ match: `/rest/api/3/issue/${key}/comment`, method: 'POST', kind: '500', times: 20 });
    await run();
    jira.faults.clear();
    const waiting = getRequest(w.ctx.db, id).jiraRecord.entries.find((e) => e.event === 'notice');
    expect(waiting).toMatchObject({ state: 'retrying', writtenAt: null, attempts: 1, comment: 'Expires soon.' });
    expect(waiting?.lastError).toMatch(/500|Internal server error/);
    expect(Date.parse(waiting?.nextTryAt ?? '')).toBeGreaterThan(w.ctx.clock.now().getTime());
    expect(getRequest(w.ctx.db, id).jiraRecord.status).toBe('In progress');
  });

  it('Jira down: the write-back waits in the queue and the request goes on', async () => {
    const down = await startJiraServer();
    const w = await jiraWorkspace(down, { importRequests: false });
    await down.close();
    const id = fileRequest(w);
    const noop: JobExecutor = () => Promise.resolve({ status: 'succeeded' });
    const summary = await runJobs(w.ctx, { executors: { provision: noop, revoke: noop, jira: createJiraJobExecutor({ sleep: recordingSleep().sleep }) }, random: () => 0.5 });
    expect(summary).toMatchObject({ ran: 1, retried: 1 });
    const job = w.ctx.db.prepare("SELECT status, attempts, last_error, run_after FROM jobs WHERE kind = 'jira' AND request_id = ?").get(id) as { status: string; attempts: number; last_error: string; run_after: string };
    expect(job).toMatchObject({ status: 'queued', attempts: 1 });
    expect(job.last_error).toMatch(/no answer from the site/);
    expect(Date.parse(job.run_after)).toBeGreaterThan(w.ctx.clock.now().getTime());
    // The request is decided and provisioned regardless.
    decideRequest(w.ctx, id, { decision: 'approve', comment: '', by: 'bob@example.com', channel: 'console' });
    expect((w.ctx.db.prepare('SELECT status FROM requests WHERE id = ?').get(id) as { status: string }).status).toBe('approved');
    expect((w.ctx.db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'provision' AND request_id = ?").get(id) as { n: number }).n).toBe(1);
    const status = jiraStatus(w.ctx);
    expect(status).toMatchObject({ configured: true, pendingWriteBacks: 2 });
    expect(status.lastWriteBackError).toMatch(/no answer from the site/);
    // Neither the token nor the e-mail is in the database file.
    w.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(w.file).toString('latin1');
    expect(bytes).not.toContain(down.apiToken);
    expect(bytes).not.toContain(down.email);
  });
});
