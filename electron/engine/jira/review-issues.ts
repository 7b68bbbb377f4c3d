// Reviewers who never open Latchkey, reached in Jira: one issue per reviewer
// and stage of an active campaign, run as 'jira' jobs like every write-back.
//   - 'review-issue' {campaignId, stage, reviewer}: finds (by label, then the
//     issue's entity property naming this workspace, campaign, stage and
//     reviewer: an issue an earlier try created before its key was stored) or
//     creates the issue — a JSM request of the connection's request type
//     with the reviewer as approver (their Jira account found by e-mail) when
//     a service desk is configured, else a task — with the reviewer's items
//     as a table (the first 50) and the stage's due date; over 50 items, the
//     reviewer workbook is attached (review-attachments.ts) and the
//     description names it; its key, id and the account go into
//     review_reviewers, audited.
//   - 'review-summary' {campaignId}: at close, on each reviewer issue a
//     comment with what their items came to (kept / revoked / by default),
//     the population's hash and a link back; then the issue goes to done.
// queueReviewerIssues is the governance tick's step: a job for each reviewer
// of an active campaign's open stage who has no issue yet, so launch itself
// needs to know nothing of Jira.
import { createHash } from 'node:crypto';
import { appendAudit } from '../audit/audit-log.js';
import type { JiraClient } from '../connectors/jira/jira-client.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { adfText, adfToText, COMMENT_PROPERTY, commentRef, jiraFieldsOf, jiraStatusesOf, type AdfDoc, type AdfNode } from '../connectors/jira/jira-fields.js';
import { listConnectionRecords } from '../connections/connections.js';
import { workspaceId, type EngineContext } from '../context.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { ClaimedJob, JobOutcome } from '../jobs/job-types.js';
import { campaignRecord, type CampaignRecord } from '../reviews/campaign-store.js';
import { decodeReasons } from '../reviews/reason-codes.js';
import { stageDue } from '../reviews/reminders.js';
import { activeCampaignIds, iterateReviewerItems, reviewerLoads, reviewerOutcomes } from '../reviews/reviewer-items.js';
import { reviewerIssues, reviewerRecord, reviewersOf, setReviewerIssue } from '../reviews/reviewer-store.js';
import { transitionTo } from './jira-job.js';
import { issueUrl } from './issue-url.js';
import type { JiraSite } from './jira-site.js';
import { reviewerWorkbookFile } from '../reviews/workbook.js';
import { attachReviewerWorkbook, type AttachOutcome, type WorkbookFile } from './review-attachments.js';

export const REVIEW_ISSUE_TYPE = 'review-issue';
export const REVIEW_SUMMARY_TYPE = 'review-summary';
/** The issue entity property naming what a review issue is for: {workspace, campaign, stage, reviewer}. */
export const REVIEW_PROPERTY = 'latchkey.review';
/** The label every reviewer issue carries (the JSM import skips them: they are not portal requests for access). */
export const REVIEW_ISSUE_LABEL = 'latchkey-review';
/** Items listed in the issue's description; the rest are in the reviewer workbook. */
export const ISSUE_TABLE_ROWS = 50;
/** JSM's Request Type field on Jira Cloud sites: setting it makes an issue a customer request of that type. */
export const REQUEST_TYPE_FIELD = 'customfield_10010';

export const reviewIssueKey = (campaignId: number, stage: number, reviewer: string): string => `jira:review-issue:${campaignId}:${stage}:${reviewer}`;

/** The label of a reviewer's issue (labels have no spaces; the e-mail is hashed so it stays one short token). */
export function reviewLabel(ws: string, campaignId: number, stage: number, reviewer: string): string {
  return `latchkey-review-${ws.slice(0, 8)}-${campaignId}-${stage}-${createHash('sha256').update(reviewer).digest('hex').slice(0, 10)}`;
}

/** The Jira connection reviews go to: the first one configured (reviews have no per-campaign choice yet). */
export function reviewJiraConnection(ctx: EngineContext): number | null {
  return listConnectionRecords(ctx.db).find((c) => c.kind === 'jira' && c.settings.jira)?.id ?? null;
}

/** The tick's step: a 'review-issue' job for each reviewer of an active campaign's open stage without an issue. */
export function queueReviewerIssues(ctx: EngineContext): number[] {
  if (ctx.readOnly) return [];
  const connectionId = reviewJiraConnection(ctx);
  if (connectionId === null) return [];
  const now = ctx.clock.now();
  const queued: number[] = [];
  for (const campaignId of activeCampaignIds(ctx.db)) {
    const c = campaignRecord(ctx.db, campaignId);
    if (!c) continue;
    const have = new Set(reviewersOf(ctx.db, c.id, c.stage).filter((r) => r.jira_issue_key).map((r) => r.reviewer));
    for (const load of reviewerLoads(ctx.db, c.id, c.stage)) {
      if (have.has(load.reviewer)) continue;
      queued.push(
        enqueueJob(ctx.db, { kind: 'jira', connectionId, payload: { type: REVIEW_ISSUE_TYPE, campaignId: c.id, stage: c.stage, reviewer: load.reviewer }, idempotencyKey: reviewIssueKey(c.id, c.stage, load.reviewer) }, now),
      );
    }
  }
  return queued;
}

const cellText = (v: string | null | undefined): string => (v === null || v === undefined || v === '' ? '—' : v);
const para = (text: string): AdfNode => ({ type: 'paragraph', content: text === '' ? [] : [{ type: 'text', text }] });
const cell = (type: 'tableHeader' | 'tableCell', text: string): AdfNode => ({ type, content: [para(text)] });

/** The reasons' texts, from either stored form (reviews/reason-codes.ts). */
function reasonsOf(stored: string): string {
  try {
    return (decodeReasons(stored) as { text?: string }[]).map((r) => r.text ?? '').filter(Boolean).join('; ');
  } catch {
    return '';
  }
}

/** The issue's summary and description: the reviewer's items as a table (the first 50), the due date, how to answer; `workbook`: the attached workbook's file name. */
export function reviewIssueContent(ctx: EngineContext, c: CampaignRecord, stage: number, reviewer: string, total: number, workbook: string | null = null): { summary: string; description: AdfDoc } {
  const due = stageDue(c);
  const rows: AdfNode[] = [
    { type: 'tableRow', content: ['Person', 'Access', 'How held', 'Last sign-in', 'Recommendation', 'Reasons'].map((h) => cell('tableHeader', h)) },
  ];
  let n = 0;
  for (const item of iterateReviewerItems(ctx.db, c.id, reviewer, stage)) {
    if (n++ >= ISSUE_TABLE_ROWS) break;
    const person = item.person_email ? `${String(item.person_name ?? '')} <${String(item.person_email)}>` : String(item.person_name ?? '');
    const access = item.role_label ? `${String(item.role_label)} (${String(item.group_name ?? '')})` : String(item.group_name ?? '');
    rows.push({
      type: 'tableRow',
      content: [person, access, cellText(item.held_via as string | null), cellText(item.last_login as string | null), item.recommendation, cellText(reasonsOf(item.reasons))].map((t) => cell('tableCell', t)),
    });
  }
  const content: AdfNode[] = [
    para(`You are asked to review ${total} item${total === 1 ? '' : 's'} of access in the access review "${c.name}"${c.stage > 1 || stage > 1 ? ` (stage ${stage})` : ''}${due ? `, due ${due.toISOString().slice(0, 10)}` : ''}.`),
    para(
      workbook
        ? 'Approve this request to keep all of them, decide item by item in Latchkey, or fill in the attached reviewer workbook (Keep or Revoke per row, a Reason where needed) and attach it back to this issue.'
        : 'Approve this request to keep all of them, decide item by item in Latchkey, or fill in the reviewer workbook (Keep or Revoke per row) and attach it to this issue.',
    ),
    { type: 'table', attrs: { isNumberColumnEnabled: false, layout: 'default' }, content: rows },
  ];
  if (total > ISSUE_TABLE_ROWS) {
    content.push(
      para(
        workbook
          ? `The first ${ISSUE_TABLE_ROWS} of ${total} items are listed; the full list is in the attached workbook ${workbook}.`
          : `The first ${ISSUE_TABLE_ROWS} of ${total} items are listed. All of them are in the reviewer workbook (latchkey review workbook export ${c.id} --reviewer ${reviewer}).`,
      ),
    );
  }
  content.push(para(`Recorded by Latchkey (review campaign #${c.id}, reviewer ${reviewer}).`));
  return { summary: `Access review: ${c.name} — ${total} item${total === 1 ? '' : 's'} for ${reviewer}`.slice(0, 255), description: { type: 'doc', version: 1, content } };
}

type ReviewIssuePayload = { campaignId: number; stage: number; reviewer: string };

function payloadOf(p: Record<string, unknown>): ReviewIssuePayload | null {
  return typeof p.campaignId === 'number' && typeof p.stage === 'number' && typeof p.reviewer === 'string' ? { campaignId: p.campaignId, stage: p.stage, reviewer: p.reviewer } : null;
}

/** The reviewer's Jira account, by e-mail (null when none is visible: a hidden e-mail, no account on the site). */
async function accountOf(client: JiraClient, email: string): Promise<string | null> {
  const found = await client.findUsers(email);
  return found.find((u) => (u.email ?? '').toLowerCase() === email.toLowerCase())?.accountId ?? null;
}

/** Runs a 'review-issue' job on an opened site. */
export async function runReviewIssueJob(ctx: EngineContext, job: ClaimedJob, site: JiraSite): Promise<JobOutcome> {
  const p = payloadOf(job.payload);
  if (!p) return { status: 'failed', error: `job #${job.id} has no campaign, stage and reviewer in its payload` };
  const c = campaignRecord(ctx.db, p.campaignId);
  if (!c) return { status: 'failed', error: `review campaign #${p.campaignId} no longer exists` };
  if (c.status !== 'active' || c.stage !== p.stage) return { status: 'succeeded', result: { skipped: `review campaign #${c.id} is ${c.status === 'active' ? `in stage ${c.stage}` : c.status}: no issue needed` } };
  const existing = reviewerRecord(ctx.db, c.id, p.stage, p.reviewer);
  if (existing?.jira_issue_key) return { status: 'succeeded', result: { issueKey: existing.jira_issue_key, issueCreated: false } };
  const load = reviewerLoads(ctx.db, c.id, p.stage).find((l) => l.reviewer === p.reviewer);
  if (!load) return { status: 'succeeded', result: { skipped: `${p.reviewer} has no items in stage ${p.stage} any more` } };
  const { client, settings } = site;
  const ws = workspaceId(ctx.db);
  const label = reviewLabel(ws, c.id, p.stage, p.reviewer);
  const mine = { workspace: ws, campaign: c.id, stage: p.stage, reviewer: p.reviewer };
  const warnings: string[] = [];
  // An issue an earlier try created (it died before storing the key): adopted only when its property says it is this one.
  let ref: { id: string; key: string } | null = null;
  for (const candidate of await client.search(`project = "${settings.projectKey}" AND labels = "${label}" ORDER BY created ASC`, ['summary', 'labels'], 20)) {
    const v = (await client.issueProperty(candidate.key, REVIEW_PROPERTY)) as Record<string, unknown> | undefined;
    if (v && v.workspace === ws && v.campaign === c.id && v.stage === p.stage && v.reviewer === p.reviewer) {
      ref = { id: candidate.id, key: candidate.key };
      break;
    }
    warnings.push(`${candidate.key} carries this reviewer's label but not their review property: not adopted`);
  }
  const accountId = await accountOf(client, p.reviewer);
  if (accountId === null) warnings.push(`no Jira account with the e-mail ${p.reviewer} is visible: the issue has no approver (they can still answer with the workbook)`);
  let created = false;
  // Over 50 items: the whole list goes with the issue as the reviewer workbook (written before creating, so the description can name it).
  const workbook: WorkbookFile | null = load.total > ISSUE_TABLE_ROWS ? await reviewerWorkbookFile(ctx, c.id, p.reviewer) : null;
  if (!ref) {
    const { summary, description } = reviewIssueContent(ctx, c, p.stage, p.reviewer, load.total, workbook?.filename ?? null);
    const due = stageDue(c);
    const fields: Record<string, unknown> = { project: { key: settings.projectKey }, summary, description, labels: ['latchkey', REVIEW_ISSUE_LABEL, label], ...(due ? { duedate: due.toISOString().slice(0, 10) } : {}) };
    if (settings.serviceDeskId && settings.requestTypeId) {
      // A JSM request of the configured type: its approval is the reviewer's "keep all".
      const rt = await client.requestType(settings.serviceDeskId, settings.requestTypeId);
      fields.issuetype = { id: rt.issueTypeId ?? '' };
      fields[REQUEST_TYPE_FIELD] = settings.requestTypeId;
      if (accountId) fields[jiraFieldsOf(settings.fields).approvers] = [{ accountId }];
    } else {
      const project = await client.project(settings.projectKey);
      const type = project.issueTypes.find((t) => /^task$/i.test(t.name)) ?? project.issueTypes.find((t) => /task/i.test(t.name)) ?? project.issueTypes[0];
      if (!type) throw new JiraApiError(`Jira project ${settings.projectKey} has no issue type for review tasks`, 'bad-request', 400, [], null);
      fields.issuetype = { id: type.id };
    }
    ref = await client.createIssue(fields, [{ key: REVIEW_PROPERTY, value: mine }]);
    created = true;
  }
  const issue = ref;
  // Attached before the key is stored: a try that dies in between finds the issue again and attaches then (once: it looks first).
  let attached: AttachOutcome | null = null;
  if (workbook) {
    attached = await attachReviewerWorkbook(ctx, client, { connectionId: site.connection.id, issueKey: issue.key, campaignId: c.id, reviewer: p.reviewer }, workbook);
    if (attached.warning) warnings.push(attached.warning);
  }
  const attachedWorkbook = workbook && attached ? { filename: workbook.filename, rows: workbook.rows, sha256: workbook.sha256, attachmentId: attached.attachmentId } : null;
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      setReviewerIssue(ctx.db, c.id, p.stage, p.reviewer, { connectionId: site.connection.id, key: issue.key, id: issue.id, accountId });
      appendAudit(
        ctx.db,
        {
          actor: ctx.actor,
          channel: ctx.channel ?? 'system',
          action: 'review.jira-issue-linked',
          targetType: 'review-campaign',
          targetId: c.id,
          details: {
            stage: p.stage,
            reviewer: p.reviewer,
            issueKey: issue.key,
            issueId: issue.id,
            accountId,
            created,
            ...(attachedWorkbook ? { workbook: attachedWorkbook } : {}),
            summary: `${created ? 'Created' : 'Found'} Jira issue ${issue.key} for ${p.reviewer}${attachedWorkbook?.attachmentId ? ` with the workbook ${attachedWorkbook.filename}` : ''}`,
          },
        },
        now,
      );
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'reviews', ids: [c.id] });
  warnings.push(...client.takeWarnings());
  return { status: 'succeeded', result: { issueKey: issue.key, issueCreated: created, accountId, items: load.total, ...(attachedWorkbook ? { workbook: attachedWorkbook } : {}), ...(warnings.length > 0 ? { warnings } : {}) } };
}

/** Runs a 'review-summary' job: a summary comment on each reviewer issue (once each), then the issue to done. */
export async function runReviewSummaryJob(ctx: EngineContext, job: ClaimedJob, site: JiraSite): Promise<JobOutcome> {
  const campaignId = job.payload.campaignId;
  if (typeof campaignId !== 'number') return { status: 'failed', error: `job #${job.id} names no campaign` };
  const c = campaignRecord(ctx.db, campaignId);
  if (!c) return { status: 'failed', error: `review campaign #${campaignId} no longer exists` };
  const ws = workspaceId(ctx.db);
  const ref = commentRef(ws, job.id);
  const outcomes = reviewerOutcomes(ctx.db, c.id);
  const names = jiraStatusesOf(site.settings.statuses);
  const done: string[] = [];
  const notMoved: string[] = [];
  for (const r of reviewerIssues(ctx.db, c.id)) {
    if (r.jira_connection_id !== site.connection.id || !r.jira_issue_key) continue;
    const key = r.jira_issue_key;
    const o = outcomes.find((x) => x.reviewer === r.reviewer && x.stage === r.stage);
    const already = job.attempt > 1 && (await site.client.comments(key)).some((cm) => cm.properties.some((pp) => pp.key === COMMENT_PROPERTY && (pp.value as { ref?: unknown } | null)?.ref === ref) || adfToText(cm.body).includes(ref));
    if (!already) {
      const lines = [
        `Access review "${c.name}" is ${c.status === 'active' ? 'closing' : c.status === 'complete' ? 'complete' : 'closed'}${c.closed_at ? ` (closed ${c.closed_at})` : ''}.`,
        o ? `Your ${o.total} item${o.total === 1 ? '' : 's'}: ${o.kept} kept, ${o.revoked} revoked${o.byDefault > 0 ? `, ${o.byDefault} of them by the campaign's default (undecided at close)` : ''}${o.undecided > 0 ? `, ${o.undecided} undecided` : ''}.` : 'You had no items at close.',
        `Population: ${c.population_count ?? 0} items, SHA-256 ${c.population_hash ?? '—'}.`,
        `Revocations are carried out in the identity provider and verified by the next sync. Campaign #${c.id} in Latchkey: ${issueUrl(site.client.siteUrl, key)}`,
        '',
        ref,
      ];
      await site.client.addComment(key, adfText(lines.join('\n')), [{ key: COMMENT_PROPERTY, value: { ref, job: job.id, campaign: c.id, reviewer: r.reviewer, event: REVIEW_SUMMARY_TYPE, workspace: ws } }]);
    }
    // Through "in progress" first: from "waiting for approval" a workflow's only done-category step may be Decline, and a finished review is not declined.
    const current = await site.client.issue(key, ['status']);
    if (current.status.category !== 'done') await transitionTo(site.client, key, 'in-progress', names);
    const moved = await transitionTo(site.client, key, 'done', names);
    if (moved.missing) notMoved.push(`${key}: ${moved.missing}`);
    done.push(key);
  }
  const warnings = [...notMoved, ...site.client.takeWarnings()];
  return { status: 'succeeded', result: { campaignId: c.id, issues: done, ...(warnings.length > 0 ? { warnings } : {}) } };
}
