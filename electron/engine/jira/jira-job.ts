// The 'jira' job executor: records one step of a request in its Jira issue.
//   1. the issue: the request's own (imported from JSM, or created earlier),
//      else one found by the request's label (created by an earlier try that
//      died before storing the key), else a new one; its key is stored on the
//      request at once, with an audit event;
//   2. the update's comment (ADF), unless a comment of this job is already
//      there (a retry after the comment landed but the transition failed):
//      each comment carries a property and a visible reference naming the job;
//   3. the transition to the update's target, looked up by the workflow's
//      status names and categories (never hard-coded ids), through an
//      intermediate status when the workflow has no direct one.
// 429 / 5xx / no answer: 'retry' (Retry-After honoured); 400 / 401 / 403 /
// 404: 'failed' with Jira's messages. Jira being down never blocks a request:
// this job just waits in the queue.
import { durationInWords, type DurationOption } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { JiraClient, JiraTransition } from '../connectors/jira/jira-client.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { adfFacts, adfText, COMMENT_PROPERTY, commentRef, requestLabel, adfToText, type AdfDoc } from '../connectors/jira/jira-fields.js';
import { UserError, workspaceId, type EngineContext } from '../context.js';
import type { ClaimedJob, JobExecutor, JobOutcome } from '../jobs/job-types.js';
import { outcomeOfError } from '../jobs/error-class.js';
import { JIRA_TARGET_WORDS, type JiraTarget, type JiraUpdate } from '../jobs/jira-outbox.js';
import { approvalRecords, linkJiraIssue, requestWithRoleLabel } from '../requests/request-store.js';
import { AUDIT_ANCHOR_EVENT, auditHeadLine, recordJiraAnchor, runAnchorJob } from './audit-anchors.js';
import { openJiraSite, type JiraClientTuning } from './jira-site.js';

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

/** Does a workflow status serve as `target`? By name first (what admins call it), then by status category. */
function statusFits(target: JiraTarget, s: { name: string; category: string | null }, byName: boolean): boolean {
  const n = s.name.toLowerCase();
  const declined = /declin|reject|denied|cancel|won'?t do/.test(n);
  if (byName) {
    switch (target) {
      case 'waiting-for-approval':
        return /waiting for approval|awaiting approval|pending approval/.test(n);
      case 'in-progress':
        return /in progress|implementing|work in progress/.test(n);
      case 'done':
        return /^(done|resolved|closed|completed)$/.test(n);
      case 'declined':
        return declined;
    }
  }
  switch (target) {
    case 'waiting-for-approval':
      return s.category === 'new';
    case 'in-progress':
      return s.category === 'indeterminate';
    case 'done':
      return s.category === 'done' && !declined;
    case 'declined':
      return false;
  }
}

const TARGET_WORDS = JIRA_TARGET_WORDS;

/**
 * Moves the issue to a status fitting `target`: a direct transition when the
 * workflow has one, else (Done from Waiting for approval) one step through an
 * In progress status first. Already there: nothing to do.
 */
export async function transitionTo(client: JiraClient, key: string, target: JiraTarget): Promise<string[]> {
  const taken: string[] = [];
  for (let hop = 0; hop < 3; hop++) {
    const issue = await client.issue(key, ['status']);
    if (statusFits(target, issue.status, true) || statusFits(target, issue.status, false)) return taken;
    const available = await client.transitions(key);
    const pick =
      available.find((t) => statusFits(target, t.to, true)) ??
      available.find((t) => statusFits(target, t.to, false)) ??
      // Forward through the middle of the workflow (To Do → In Progress → Done).
      (target === 'done' && issue.status.category === 'new' ? available.find((t) => t.to.category === 'indeterminate') : undefined);
    if (!pick) {
      throw new JiraApiError(
        `Jira has no transition from "${issue.status.name}" of ${key} to a "${TARGET_WORDS[target]}" status (available: ${describe(available)})`,
        'bad-request',
        400,
        [],
        null,
      );
    }
    await client.transition(key, pick.id);
    taken.push(`${pick.name} → ${pick.to.name}`);
    if (statusFits(target, pick.to, true) || statusFits(target, pick.to, false)) return taken;
  }
  throw new JiraApiError(`Jira: ${key} did not reach a "${TARGET_WORDS[target]}" status in three transitions (${taken.join(', ')})`, 'bad-request', 400, [], null);
}

const describe = (ts: readonly JiraTransition[]): string => (ts.length === 0 ? 'none' : ts.map((t) => `${t.name} → ${t.to.name}`).join(', '));

/** Finds or creates the request's issue and stores its key on the request (audited) before anything else is written to it. */
async function ensureIssue(ctx: EngineContext, client: JiraClient, connectionId: number, projectKey: string, r: RequestFacts): Promise<{ key: string; created: boolean }> {
  if (r.jira_issue_key) return { key: r.jira_issue_key, created: false };
  const label = requestLabel(workspaceId(ctx.db), r.id);
  const found = await client.search(`project = "${projectKey}" AND labels = "${label}" ORDER BY created ASC`, ['summary'], 5);
  let ref: { id: string; key: string };
  let created = false;
  if (found[0]) ref = { id: found[0].id, key: found[0].key };
  else {
    const project = await client.project(projectKey);
    const type =
      project.issueTypes.find((t) => /access request/i.test(t.name)) ??
      project.issueTypes.find((t) => /service request|task/i.test(t.name)) ??
      project.issueTypes[0];
    if (!type) throw new JiraApiError(`Jira project ${projectKey} has no issue type to record requests with`, 'bad-request', 400, [], null);
    const { summary, description } = issueContent(ctx, r);
    ref = await client.createIssue({ project: { key: projectKey }, issuetype: { id: type.id }, summary, description, labels: ['latchkey', label] });
    created = true;
  }
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      if (linkJiraIssue(ctx.db, r.id, { connectionId, key: ref.key, id: ref.id }, now)) {
        appendAudit(
          ctx.db,
          { actor: ctx.actor, action: 'request.jira-linked', targetType: 'request', targetId: r.id, details: { issueKey: ref.key, issueId: ref.id, connectionId, created, summary: `${created ? 'Created' : 'Found'} Jira issue ${ref.key}` } },
          now,
        );
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'requests', ids: [r.id] });
  return { key: ref.key, created };
}

/** Was this job's comment already posted (an earlier try of it got that far)? */
async function alreadyCommented(client: JiraClient, key: string, ref: string): Promise<boolean> {
  const comments = await client.comments(key);
  return comments.some((c) => c.properties.some((p) => p.key === COMMENT_PROPERTY && (p.value as { ref?: unknown } | null)?.ref === ref) || adfToText(c.body).includes(ref));
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
    if (job.requestId === null) return { status: 'failed', error: 'a Jira job without a request: nothing to record' };
    const update = parseUpdate(job.payload);
    if (!update) return { status: 'failed', error: `job #${job.id} has no Jira update in its payload` };
    const r = requestFacts(ctx, job.requestId);
    if (!r) return { status: 'failed', error: `request #${job.requestId} no longer exists` };
    // The issue lives where the request is linked (an imported request's own site), else on the job's connection.
    const connectionId = r.jira_connection_id ?? job.connectionId;
    if (connectionId === null) return { status: 'failed', error: 'no Jira connection is configured' };
    try {
      const site = await openJiraSite(ctx, connectionId, { ...options, signal });
      const { client } = site;
      const issue = await ensureIssue(ctx, client, connectionId, site.settings.projectKey, r);
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
      const transitions = update.transition ? await transitionTo(client, issue.key, update.transition) : [];
      return { status: 'succeeded', result: { issueKey: issue.key, issueCreated: issue.created, comment: commented, transitions } };
    } catch (e) {
      return outcomeOf(e);
    }
  };
}

export const runJiraJob: JobExecutor = createJiraJobExecutor();
