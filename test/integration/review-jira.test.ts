// Access reviews through the sandbox Jira over real HTTP: one issue per
// reviewer (a JSM request with the reviewer as approver, found by e-mail, or
// a task), its table of items and due date, found again rather than
// duplicated after a crash; reminders as comments through the outbox; the
// reviewer's JSM approval read back as "keep all" through channel 'jira';
// a decline recorded as nothing; the campaign summary at close.
import { ServiceDeskClient } from 'jira.js';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { adfToText } from '../../electron/engine/connectors/jira/jira-fields.js';
import { createJiraJobExecutor } from '../../electron/engine/jira/jira-job.js';
import { pollJiraRequests } from '../../electron/engine/jira/jsm-import.js';
import { createJiraNoticeSender } from '../../electron/engine/jira/notice-sender.js';
import { queueReviewerIssues, REVIEW_PROPERTY } from '../../electron/engine/jira/review-issues.js';
import { enqueueJob } from '../../electron/engine/jobs/job-store.js';
import type { ClaimedJob } from '../../electron/engine/jobs/job-types.js';
import { noticesAbout } from '../../electron/engine/notices/notice-store.js';
import { sendDueNotices } from '../../electron/engine/notices/outbox.js';
import { planReviewReminders, REVIEW_STAGE_ABOUT } from '../../electron/engine/reviews/reminders.js';
import { reviewerRecord } from '../../electron/engine/reviews/reviewer-store.js';
import { startJiraServer, type JiraAccount, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { insertCampaign, insertItems, setDecision } from '../helpers/review-items-fixture.js';
import { jiraWorkspace, recordingSleep, type JiraWorkspace } from './jira-helpers.js';

const ADA = 'ada@example.com';
const NOBODY = 'nobody@example.com';
const DUE = '2026-12-01T12:00:00.000Z';
const tuning = { sleep: recordingSleep().sleep };

let jira: JiraServer;
let ada: JiraAccount;
const servers: JiraServer[] = [];
beforeEach(async () => {
  jira = await startJiraServer({ clock: { now: () => new Date('2026-11-22T09:00:00.000Z') } });
  servers.push(jira);
  ada = jira.state.addUser({ email: ADA, displayName: 'Ada Lovelace' });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

type JobRow = { id: number; kind: 'jira'; request_id: number | null; grant_id: number | null; connection_id: number | null; payload: string; attempts: number; max_attempts: number };
const claimed = (w: JiraWorkspace, id: number, attempt = 1): ClaimedJob => {
  const r = w.ctx.db.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;
  return { id: r.id, kind: r.kind, grantId: r.grant_id, requestId: r.request_id, connectionId: r.connection_id, payload: JSON.parse(r.payload) as Record<string, unknown>, attempt, maxAttempts: r.max_attempts };
};
const run = (w: JiraWorkspace, id: number, attempt = 1) => createJiraJobExecutor(tuning)(claimed(w, id, attempt), w.ctx, new AbortController().signal);
/** The text of an ADF document (or any JSON) to search in. */
const text = (v: unknown): string => (v && typeof v === 'object' && (v as { type?: unknown }).type === 'doc' ? adfToText(v) : JSON.stringify(v));

async function world(opts: { jsm?: boolean } = {}) {
  const w = await jiraWorkspace(jira, { importRequests: opts.jsm ?? true });
  const campaign = insertCampaign(w.ctx.db, { name: 'Q4 Figma', dueAt: DUE });
  const adaItems = insertItems(w.ctx.db, campaign, w.oktaId, [{ reviewer: ADA, recommendation: 'revoke' }, { reviewer: ADA }, { reviewer: ADA }]);
  insertItems(w.ctx.db, campaign, w.oktaId, Array.from({ length: 60 }, () => ({ reviewer: NOBODY })), 100);
  return { w, campaign, adaItems };
}

describe('reviewer issues in Jira', () => {
  it('creates one JSM request per reviewer with the reviewer as approver (by e-mail), the items as a table, the due date; stored and audited', async () => {
    const { w, campaign } = await world();
    const jobs = queueReviewerIssues(w.ctx);
    expect(jobs).toHaveLength(2);
    // Queued once however often the tick runs.
    expect(queueReviewerIssues(w.ctx)).toEqual(jobs);
    const byReviewer = new Map(jobs.map((id) => [claimed(w, id).payload.reviewer as string, id]));
    const r = await run(w, byReviewer.get(ADA) as number);
    expect(r).toMatchObject({ status: 'succeeded', result: { issueCreated: true, accountId: ada.accountId, items: 3 } });
    const rec = reviewerRecord(w.ctx.db, campaign, 1, ADA);
    expect(rec).toMatchObject({ jira_connection_id: w.jiraConnectionId, jira_account_id: ada.accountId });
    const issue = jira.state.issue(rec?.jira_issue_key ?? '');
    expect(issue?.summary).toBe(`Access review: Q4 Figma — 3 items for ${ADA}`);
    expect(issue?.requestTypeId).toBe('10');
    expect(issue?.approverIds).toEqual([ada.accountId]);
    expect(issue?.approvals[0]?.finalDecision).toBe('pending');
    expect(issue?.fields.duedate).toBe('2026-12-01');
    expect(issue?.labels).toContain('latchkey-review');
    expect(issue?.properties[REVIEW_PROPERTY]).toMatchObject({ campaign, stage: 1, reviewer: ADA });
    const table = (issue?.description as { content: { type: string; content?: unknown[] }[] }).content.find((n) => n.type === 'table');
    expect(table?.content).toHaveLength(4);
    expect(text(table)).toContain('Person 000001 <person1@acme.example>');
    expect(text(table)).toContain('No sign-in for 90 days');
    expect(w.ctx.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'review.jira-issue-linked'").pluck().get()).toBe(1);

    // More than 50 items: the first 50 in the table, the rest named; no Jira account by that e-mail: no approver, said.
    const n = await run(w, byReviewer.get(NOBODY) as number);
    expect(n).toMatchObject({ status: 'succeeded', result: { accountId: null, items: 60 } });
    expect(text(n)).toContain(`no Jira account with the e-mail ${NOBODY} is visible`);
    const big = jira.state.issue(reviewerRecord(w.ctx.db, campaign, 1, NOBODY)?.jira_issue_key ?? '');
    const bigTable = (big?.description as { content: { type: string; content?: unknown[] }[] }).content.find((x) => x.type === 'table');
    expect(bigTable?.content).toHaveLength(51);
    expect(text(big?.description)).toContain('The first 50 of 60 items are listed');
    expect(big?.approvals).toEqual([]);
    // Every reviewer has an issue: nothing more to queue.
    expect(queueReviewerIssues(w.ctx)).toEqual([]);
  });

  it('finds the issue an earlier try created instead of making a second one (died before storing the key)', async () => {
    const { w, campaign } = await world();
    const id = queueReviewerIssues(w.ctx).find((j) => claimed(w, j).payload.reviewer === ADA) as number;
    await run(w, id);
    const key = reviewerRecord(w.ctx.db, campaign, 1, ADA)?.jira_issue_key;
    w.ctx.db.prepare('UPDATE review_reviewers SET jira_issue_key = NULL, jira_issue_id = NULL WHERE reviewer = ?').run(ADA);
    const before = jira.state.issues().length;
    expect(await run(w, id, 2)).toMatchObject({ status: 'succeeded', result: { issueKey: key, issueCreated: false } });
    expect(jira.state.issues().length).toBe(before);
  });

  it('makes a task when no service desk is configured', async () => {
    const { w, campaign } = await world({ jsm: false });
    const id = queueReviewerIssues(w.ctx).find((j) => claimed(w, j).payload.reviewer === ADA) as number;
    expect(await run(w, id)).toMatchObject({ status: 'succeeded' });
    const issue = jira.state.issue(reviewerRecord(w.ctx.db, campaign, 1, ADA)?.jira_issue_key ?? '');
    expect(issue?.issueTypeId).toBe('10004');
    expect(issue?.requestTypeId).toBeNull();
  });
});

describe('reminders, answers and the summary through Jira', () => {
  it('comments a reminder on the reviewer issue, once; reads the reviewer\'s approval as keep-all through channel jira; the summary closes the issue', async () => {
    const { w, campaign, adaItems } = await world();
    for (const id of queueReviewerIssues(w.ctx)) await run(w, id);
    const key = reviewerRecord(w.ctx.db, campaign, 1, ADA)?.jira_issue_key ?? '';
    // Seven days before the due date: one reminder each, sent as a comment with the outbox's reference.
    w.setNow(new Date(Date.parse(DUE) - 7 * 86_400_000));
    expect(planReviewReminders(w.ctx).planned).toHaveLength(2);
    const sent = await sendDueNotices(w.ctx, { 'jira-comment': createJiraNoticeSender(tuning) });
    expect(sent.sent).toHaveLength(2);
    const comments = jira.state.comments(key);
    expect(comments).toHaveLength(1);
    expect(text(comments[0]?.body)).toContain('3 of your 3 items in the access review "Q4 Figma" (stage 1) are still undecided; the review is due in 7 days (2026-12-01)');
    const notice = noticesAbout(w.ctx.db, { type: REVIEW_STAGE_ABOUT, id: `${campaign}:1` }).find((x) => x.recipient === ADA);
    expect(notice).toMatchObject({ status: 'sent', reference: `${key}#${comments[0]?.id}` });
    expect(reviewerRecord(w.ctx.db, campaign, 1, ADA)?.last_reminded_at).toBe(new Date(Date.parse(DUE) - 7 * 86_400_000).toISOString());
    expect((await sendDueNotices(w.ctx, { 'jira-comment': createJiraNoticeSender(tuning) })).sent).toEqual([]);

    // Ada decided one item in the console already (revoke): approving in Jira keeps the other two, never overturns it.
    setDecision(w.ctx.db, adaItems[0] as number, { decision: 'revoke' });
    const approval = jira.state.issue(key)?.approvals[0];
    const portal = new ServiceDeskClient({ host: jira.url, authentication: { basic: { email: ada.email, apiToken: ada.apiToken } } });
    await portal.request.answerApproval({ issueIdOrKey: key, approvalId: Number(approval?.id), decision: 'approve' });
    const polled = await pollJiraRequests(w.ctx, tuning);
    expect(polled.errors).toEqual([]);
    // The reviewer issues share the access request type: the import leaves them alone (not refused, not declined).
    expect(polled.skipped).toEqual([]);
    expect(polled.imported).toEqual([]);
    expect(polled.reviews?.recorded).toEqual([{ campaignId: campaign, reviewer: ADA, issueKey: key, items: 2 }]);
    const rows = w.ctx.db.prepare('SELECT item_id, decision, reason_code, comment, channel, decided_by, recorded_by, state FROM review_decisions ORDER BY item_id').all();
    expect(rows).toEqual([
      { item_id: adaItems[0], decision: 'revoke', reason_code: 'still-needed', comment: '', channel: 'console', decided_by: ADA, recorded_by: null, state: 'submitted' },
      ...[adaItems[1], adaItems[2]].map((item_id) => ({ item_id, decision: 'keep', reason_code: 'still-needed', comment: `approved in Jira ${key} by ${ada.accountId} (${ADA})`, channel: 'jira', decided_by: ADA, recorded_by: `${ada.accountId} (${ADA})`, state: 'submitted' })),
    ]);
    expect(w.ctx.db.prepare("SELECT submitted_by, evidence FROM review_submissions WHERE channel = 'jira'").all()).toEqual([{ submitted_by: `${ada.accountId} (${ADA})`, evidence: `${key} approval ${approval?.id} by ${ada.accountId}` }]);
    // Polled again: handled once.
    expect((await pollJiraRequests(w.ctx, tuning)).reviews?.recorded).toEqual([]);
    // Everything decided: no reminder the next day.
    w.setNow(new Date(Date.parse(DUE) - 3 * 86_400_000));
    expect(planReviewReminders(w.ctx).planned.filter((k) => k.includes(ADA))).toEqual([]);

    // Close: the summary comment with the counts and the population hash, and the issue moved to done.
    w.ctx.db.prepare("UPDATE review_campaigns SET status = 'remediating', closed_at = ? WHERE id = ?").run(DUE, campaign);
    const summary = enqueueJob(w.ctx.db, { kind: 'jira', connectionId: w.jiraConnectionId, payload: { type: 'review-summary', campaignId: campaign }, idempotencyKey: `jira:review-summary:${campaign}` }, new Date(DUE));
    expect(await run(w, summary)).toMatchObject({ status: 'succeeded', result: { issues: expect.arrayContaining([key]) as unknown } });
    const last = jira.state.comments(key).at(-1);
    expect(text(last?.body)).toContain('Your 3 items: 2 kept, 1 revoked.');
    expect(text(last?.body)).toContain(`SHA-256 ${'f'.repeat(64)}`);
    expect(jira.state.issue(key)?.status).toBe('done');
    // A retry of the summary finds its comment and does not post it twice.
    const count = jira.state.comments(key).length;
    expect(await run(w, summary, 2)).toMatchObject({ status: 'succeeded' });
    expect(jira.state.comments(key)).toHaveLength(count);
  });

  it('records nothing on a decline, and says so on the issue once', async () => {
    const { w, campaign } = await world();
    for (const id of queueReviewerIssues(w.ctx)) await run(w, id);
    const key = reviewerRecord(w.ctx.db, campaign, 1, ADA)?.jira_issue_key ?? '';
    const approval = jira.state.issue(key)?.approvals[0];
    const portal = new ServiceDeskClient({ host: jira.url, authentication: { basic: { email: ada.email, apiToken: ada.apiToken } } });
    await portal.request.answerApproval({ issueIdOrKey: key, approvalId: Number(approval?.id), decision: 'decline' });
    const polled = await pollJiraRequests(w.ctx, tuning);
    expect(polled.reviews?.refused).toEqual([{ issueKey: key, why: 'declined: nothing recorded (declining is not a revoke of everything)' }]);
    expect(w.ctx.db.prepare('SELECT count(*) FROM review_decisions').pluck().get()).toBe(0);
    expect(text(jira.state.comments(key).at(-1)?.body)).toContain('Declining does not revoke anything by itself');
    const n = jira.state.comments(key).length;
    await pollJiraRequests(w.ctx, tuning);
    expect(jira.state.comments(key)).toHaveLength(n);
  });
});
