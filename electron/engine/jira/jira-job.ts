// The 'jira' job executor: records one step of a request in its Jira issue.
//   1. the issue: the request's own (imported from JSM, or created earlier),
//      else one found by the request's label (created by an earlier try that
//      died before storing the key) whose entity property names this
//      workspace and request — an issue that belongs to another request is
//      skipped, never adopted — else a new one; its key is stored on the
//      request at once, with an audit event;
//   2. the update's comment (ADF), unless a comment of this job is already
//      there (a retry after the comment landed but the transition failed):
//      each comment carries a property and a visible reference naming the job;
//   3. the transition to the update's target, looked up by the connection's
//      status names (settings.jira.statuses; by default also the usual
//      variants and status categories, never hard-coded ids), through the
//      "approved" status when the workflow has no direct one. A workflow
//      without the status is not a failure: the issue gets a comment saying
//      so, the request a warning, and later updates still go through.
// 429 / 5xx / no answer: 'retry' (Retry-After honoured); 400 / 401 / 403 /
// 404: 'failed' with Jira's messages; anything else (a bug, a constraint) is
// final at once. Jira being down never blocks a request: this job just waits
// in the queue. When the last connection test found no write permission, the
// write-back says so (a warning, and in the error if Jira then refuses).
import { durationInWords, type DurationOption } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { JiraClient, JiraTransition } from '../connectors/jira/jira-client.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { adfFacts, adfText, COMMENT_PROPERTY, commentRef, JIRA_STATUS_NAMES, jiraStatusesOf, REQUEST_PROPERTY, requestLabel, adfToText, statusFits, statusServes, WARNING_PROPERTY, type AdfDoc, type JiraStatusMap } from '../connectors/jira/jira-fields.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { ClaimedJob, JobExecutor, JobOutcome } from '../jobs/job-types.js';
import { outcomeOfError } from '../jobs/error-class.js';
import { type JiraTarget, type JiraUpdate } from '../jobs/jira-outbox.js';
import { approvalRecords, linkJiraIssue, requestOfIssue, requestWithRoleLabel } from '../requests/request-store.js';
import { AUDIT_ANCHOR_EVENT, auditHeadLine, recordJiraAnchor, runAnchorJob } from './audit-anchors.js';
import { openJiraSite, type JiraClientTuning } from './jira-site.js';
import { runPlanIssueJob } from './plan-issues.js';
import { PLAN_ISSUE_TYPE } from '../plans/plan-jira.js';
import { REVIEW_ISSUE_TYPE, REVIEW_SUMMARY_TYPE, reviewJiraConnection, runReviewIssueJob, runReviewSummaryJob } from './review-issues.js';

type RequestFacts = {
  id: number;
  status: string;
  source: string;
  requester: string;
  beneficiary_name: string;
  beneficiary_email: string | null;
  duration: DurationOption;
  duration_minutes: number | null;
  ends_at: string | null;
  justification: string;
  jira_connection_id: number | null;
  jira_issue_key: string | null;
  jira_issue_id: string | null;
  role_label: string | null;
  created_at: string;
};

function requestFacts(ctx: EngineContext, requestId: number): RequestFacts | undefined {
  return requestWithRoleLabel(ctx.db, requestId) ?? undefined;
}

function approversLine(ctx: EngineContext, requestId: number): string {
  const steps = approvalRecords(ctx.db, requestId);
  if (steps.length === 0) return 'none yet';
  return steps.map((s) => (s.kind === 'auto' ? `step ${s.step}: auto-approved by policy` : `step ${s.step} (${s.kind}): ${s.approvers.join(', ') || '—'}`)).join('; ');
}

/** The issue's summary and ADF description, from the request. */
export function issueContent(ctx: EngineContext, r: RequestFacts): { summary: string; description: AdfDoc } {
  const who = r.beneficiary_email ? `${r.beneficiary_name} <${r.beneficiary_email}>` : r.beneficiary_name;
  const summary = `Access request #${r.id}: ${r.role_label ?? 'unknown role'} for ${r.beneficiary_name}`.slice(0, 255);
  const description = adfFacts(
    [
      ['Beneficiary', who],
      ['Access', r.role_label ?? 'unknown role'],
      ['Duration', `${durationInWords(r.duration, r.duration_minutes)}${r.ends_at ? ` (ends by ${r.ends_at})` : ''}`],
      ['Requester', r.requester],
      ['Approvers', approversLine(ctx, r.id)],
      ['Requested at', r.created_at],
    ],
    [`Justification: ${r.justification || '—'}`, `Recorded by Latchkey (request #${r.id}). Access is granted and removed in the identity provider; this issue is the record.`],
  );
  return { summary, description };
}

/** Which status name of the connection each target is. */
const TARGET_KEY: Readonly<Record<JiraTarget, keyof JiraStatusMap>> = { 'waiting-for-approval': 'waiting', 'in-progress': 'approved', done: 'done', declined: 'declined' };

const fitsBy = (target: JiraTarget, s: { name: string; category: string | null }, names: JiraStatusMap, byName: boolean): boolean => statusFits(TARGET_KEY[target], s, names, byName);
const fits = (target: JiraTarget, s: { name: string; category: string | null }, names: JiraStatusMap): boolean => statusServes(TARGET_KEY[target], s, names);

/** What moving an issue did: the transitions taken, and why it could not get there (null when it did or already was). */
export type TransitionResult = { taken: string[]; missing: string | null };

/**
 * Moves the issue to a status fitting `target`: a direct transition when the
 * workflow has one, else (Done from Waiting for approval) one step through the
 * "approved" status first. Already there: nothing to do. A workflow without
 * such a transition is reported in `missing`, not thrown: the caller records it.
 */
export async function transitionTo(client: JiraClient, key: string, target: JiraTarget, names: JiraStatusMap = JIRA_STATUS_NAMES): Promise<TransitionResult> {
  const taken: string[] = [];
  const wanted = names[TARGET_KEY[target]];
  for (let hop = 0; hop < 3; hop++) {
    const issue = await client.issue(key, ['status']);
    if (fits(target, issue.status, names)) return { taken, missing: null };
    const available = await client.transitions(key);
    const pick =
      available.find((t) => fitsBy(target, t.to, names, true)) ??
      available.find((t) => fitsBy(target, t.to, names, false)) ??
      // Forward through the middle of the workflow (To Do → In Progress → Done).
      (target === 'done' && !fits('in-progress', issue.status, names) ? available.find((t) => fits('in-progress', t.to, names)) : undefined);
    if (!pick) {
      const from = issue.status.name === '' ? 'its status (the site did not show it)' : `"${issue.status.name}"`;
      return { taken, missing: `the workflow has no transition from ${from} of ${key} to "${wanted}" (available: ${describe(available)})` };
    }
    await client.transition(key, pick.id);
    taken.push(`${pick.name} → ${pick.to.name}`);
    if (fits(target, pick.to, names)) return { taken, missing: null };
  }
  return { taken, missing: `${key} did not reach "${wanted}" in three transitions (${taken.join(', ')})` };
}

const describe = (ts: readonly JiraTransition[]): string => (ts.length === 0 ? 'none' : ts.map((t) => `${t.name} → ${t.to.name}`).join(', '));

/** The request an issue's entity property names, when it names this workspace's request in the expected shape. */
function propertyNames(value: unknown): { workspace: string; request: number } | null {
  if (!value || typeof value !== 'object') return null;
  const v = value as { workspace?: unknown; request?: unknown };
  return typeof v.workspace === 'string' && typeof v.request === 'number' ? { workspace: v.workspace, request: v.request } : null;
}

/**
 * Finds or creates the request's issue and stores its key on the request
 * (audited) before anything else is written to it. An issue found by the
 * label is adopted only when it is this request's: its entity property names
 * this workspace and request (or, for an issue made before the property, it
 * carries exactly this label and no request here is linked to it). Any other
 * is skipped with a warning, and a new issue is created.
 */
async function ensureIssue(ctx: EngineContext, client: JiraClient, connectionId: number, projectKey: string, r: RequestFacts, warnings: string[]): Promise<{ key: string; created: boolean }> {
  if (r.jira_issue_key) return { key: r.jira_issue_key, created: false };
  const ws = workspaceId(ctx.db);
  const label = requestLabel(ws, r.id);
  const found = await client.search(`project = "${projectKey}" AND labels = "${label}" ORDER BY created ASC`, ['summary', 'labels'], 20);
  let ref: { id: string; key: string } | null = null;
  for (const candidate of found) {
    const linked = requestOfIssue(ctx.db, connectionId, candidate.key);
    if (linked !== null && linked !== r.id) {
      warnings.push(`${candidate.key} turned up in the search for this request's label but records request #${linked}: not adopted`);
      continue;
    }
    const owner = propertyNames(await client.issueProperty(candidate.key, REQUEST_PROPERTY));
    const mine = owner ? owner.workspace === ws && owner.request === r.id : candidate.labels.includes(label);
    if (!mine) {
      const whose = owner ? (owner.workspace === ws ? `request #${owner.request}` : `another workspace's request #${owner.request}`) : 'no Latchkey request of this workspace';
      warnings.push(`${candidate.key} turned up in the search for this request's label but records ${whose}: not adopted`);
      continue;
    }
    ref = { id: candidate.id, key: candidate.key };
    break;
  }
  let created = false;
  if (!ref) {
    const project = await client.project(projectKey);
    const type =
      project.issueTypes.find((t) => /access request/i.test(t.name)) ??
      project.issueTypes.find((t) => /service request|task/i.test(t.name)) ??
      project.issueTypes[0];
    if (!type) throw new JiraApiError(`Jira project ${projectKey} has no issue type to record requests with`, 'bad-request', 400, [], null);
    const { summary, description } = issueContent(ctx, r);
    ref = await client.createIssue({ project: { key: projectKey }, issuetype: { id: type.id }, summary, description, labels: ['latchkey', label] }, [
      { key: REQUEST_PROPERTY, value: { workspace: ws, request: r.id } },
    ]);
    created = true;
  }
  const now = ctx.clock.now();
  const issue = ref;
  ctx.db
    .transaction(() => {
      // Linked meanwhile to another request (another process): say so plainly, never a raw constraint failure.
      const other = requestOfIssue(ctx.db, connectionId, issue.key);
      if (other !== null && other !== r.id) throw new UserError(`Jira issue ${issue.key} is already linked to request #${other}; request #${r.id} was not linked to it`, 'conflict');
      if (linkJiraIssue(ctx.db, r.id, { connectionId, key: issue.key, id: issue.id }, now)) {
        appendAudit(
          ctx.db,
          { actor: ctx.actor, channel: ctx.channel, action: 'request.jira-linked', targetType: 'request', targetId: r.id, details: { issueKey: issue.key, issueId: issue.id, connectionId, created, summary: `${created ? 'Created' : 'Found'} Jira issue ${issue.key}` } },
          now,
        );
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'requests', ids: [r.id] });
  return { key: issue.key, created };
}

/** Was this job's comment (or, with WARNING_PROPERTY, its warning) already posted (an earlier try of it got that far)? */
async function alreadyCommented(client: JiraClient, key: string, ref: string, property = COMMENT_PROPERTY): Promise<boolean> {
  const comments = await client.comments(key);
  return comments.some(
    (c) => c.properties.some((p) => p.key === property && (p.value as { ref?: unknown } | null)?.ref === ref) || (property === COMMENT_PROPERTY && adfToText(c.body).includes(ref) && !c.properties.some((p) => p.key === WARNING_PROPERTY)),
  );
}

function parseUpdate(payload: Record<string, unknown>): JiraUpdate | null {
  if (typeof payload.event !== 'string' || typeof payload.comment !== 'string') return null;
  const t = payload.transition;
  const transition = t === 'waiting-for-approval' || t === 'in-progress' || t === 'done' || t === 'declined' ? t : undefined;
  return { event: payload.event as JiraUpdate['event'], comment: payload.comment, ...(transition ? { transition } : {}) };
}

function outcomeOf(e: unknown): JobOutcome {
  if (e instanceof JiraApiError) {
    const httpStatus = e.status ?? undefined;
    if (e.transient) return { status: 'retry', error: e.message, ...(e.retryAfterMs !== null ? { retryAfterMs: e.retryAfterMs } : {}), ...(httpStatus ? { httpStatus } : {}) };
    return { status: 'failed', error: e.message, ...(httpStatus ? { httpStatus } : {}) };
  }
  if (e instanceof UserError) return { status: 'failed', error: e.message };
  // Anything else (a database constraint, a bug) is not the network: final at once, never 8 tries of back-off.
  return outcomeOfError(e);
}

export type JiraJobOptions = JiraClientTuning;

/** The executor with its client tuning (tests pass a fast sleep). */
export function createJiraJobExecutor(options: JiraJobOptions = {}): JobExecutor {
  return async (job: ClaimedJob, ctx: EngineContext, signal: AbortSignal): Promise<JobOutcome> => {
    if (job.requestId === null && job.payload.event === AUDIT_ANCHOR_EVENT && job.connectionId !== null) {
      const connectionId = job.connectionId;
      return openJiraSite(ctx, connectionId, { ...options, signal }).then((site) => runAnchorJob(ctx, job, site)).catch(outcomeOf);
    }
    // Access reviews: a reviewer's issue, and the campaign's summary at close (review-issues.ts).
    const type = job.payload.type;
    // Joiner / mover / leaver plans: the plan's issue, updated per tier (plan-issues.ts).
    if (job.requestId === null && type === PLAN_ISSUE_TYPE && job.connectionId !== null) {
      const connectionId = job.connectionId;
      return openJiraSite(ctx, connectionId, { ...options, signal }).then((site) => runPlanIssueJob(ctx, job, site)).catch(outcomeOf);
    }
    if (job.requestId === null && (type === REVIEW_ISSUE_TYPE || type === REVIEW_SUMMARY_TYPE)) {
      const connectionId = job.connectionId ?? reviewJiraConnection(ctx);
      if (connectionId === null) return { status: 'failed', error: 'no Jira connection is configured' };
      return openJiraSite(ctx, connectionId, { ...options, signal })
        .then((site) => (type === REVIEW_ISSUE_TYPE ? runReviewIssueJob(ctx, job, site) : runReviewSummaryJob(ctx, job, site)))
        .catch(outcomeOf);
    }
    if (job.requestId === null) return { status: 'failed', error: 'a Jira job without a request: nothing to record' };
    const update = parseUpdate(job.payload);
    if (!update) return { status: 'failed', error: `job #${job.id} has no Jira update in its payload` };
    const r = requestFacts(ctx, job.requestId);
    if (!r) return { status: 'failed', error: `request #${job.requestId} no longer exists` };
    // The issue lives where the request is linked (an imported request's own site), else on the job's connection.
    const connectionId = r.jira_connection_id ?? job.connectionId;
    if (connectionId === null) return { status: 'failed', error: 'no Jira connection is configured' };
    const warnings: string[] = [];
    let noWrite: string | null = null;
    try {
      const site = await openJiraSite(ctx, connectionId, { ...options, signal });
      const { client } = site;
      const names = jiraStatusesOf(site.settings.statuses);
      if (site.connection.settings.canWrite === false) {
        // Warned before the first write: the last test found Jira would refuse; try anyway (the permission may have been granted since).
        noWrite = `the last connection test of "${site.connection.name}" found that its Jira account may not create issues, comment or transition in ${site.settings.projectKey}`;
        warnings.push(`${noWrite}: writing anyway (test the connection again once the permission is granted)`);
      }
      const issue = await ensureIssue(ctx, client, connectionId, site.settings.projectKey, r, warnings);
      const ref = commentRef(workspaceId(ctx.db), job.id);
      // The issue Latchkey created carries the request in its description; an imported one gets the acknowledgement.
      const skipComment = update.event === 'created' && r.source !== 'jira';
      let commented: 'posted' | 'already' | 'skipped' = 'skipped';
      if (!skipComment) {
        // Only a retry can find its own comment already there; the first try saves the read.
        if (!issue.created && job.attempt > 1 && (await alreadyCommented(client, issue.key, ref))) commented = 'already';
        else {
          // Every comment also anchors the audit chain's head in the Jira record (jira/audit-anchors.ts).
          const head = auditHeadLine(ctx.db);
          const body = adfText(`${update.comment}\n\n${head.text}\n${ref}`);
          const posted = await client.addComment(issue.key, body, [
            { key: COMMENT_PROPERTY, value: { ref, job: job.id, request: r.id, event: update.event, workspace: workspaceId(ctx.db) } },
          ]);
          recordJiraAnchor(ctx.db, { kind: 'jira-comment', count: head.count, hash: head.hash, connectionId, issueKey: issue.key, commentId: posted.id }, ctx.clock.now());
          commented = 'posted';
        }
      }
      const moved = update.transition ? await transitionTo(client, issue.key, update.transition, names) : { taken: [], missing: null };
      if (moved.missing !== null && update.transition) {
        const wanted = names[TARGET_KEY[update.transition]];
        warnings.push(`not moved to "${wanted}": ${moved.missing}`);
        // Recorded on the issue too, once per job: whoever works the ticket sees why its status lags.
        if (!(job.attempt > 1 && (await alreadyCommented(client, issue.key, ref, WARNING_PROPERTY)))) {
          await client.addComment(
            issue.key,
            adfText(`Latchkey could not move this issue to "${wanted}": ${moved.missing}. Later updates still go through; an admin can name this workflow's statuses in the Jira connection's settings.\n\n${ref}`),
            [{ key: WARNING_PROPERTY, value: { ref, job: job.id, request: r.id, target: update.transition } }],
          );
        }
      }
      warnings.push(...client.takeWarnings());
      return {
        status: 'succeeded',
        result: {
          issueKey: issue.key,
          issueCreated: issue.created,
          comment: commented,
          transitions: moved.taken,
          ...(moved.missing !== null && update.transition ? { notMoved: names[TARGET_KEY[update.transition]] } : {}),
          ...(warnings.length > 0 ? { warnings } : {}),
        },
      };
    } catch (e) {
      const outcome = outcomeOf(e);
      // The refusal the last connection test foresaw: say that it did.
      if (noWrite !== null && outcome.status === 'failed') return { ...outcome, error: `${outcome.error} (${noWrite})` };
      return outcome;
    }
  };
}

export const runJiraJob: JobExecutor = createJiraJobExecutor();
