// A joiner / mover / leaver plan's Jira issue (onboarding, move,
// offboarding), written by 'plan-issue' jobs (queued by plans/plan-jira.ts):
//   1. the issue: the plan's own (key stored on the plan), else one found by
//      the plan's label whose entity property names this workspace and plan
//      (an earlier try that died before storing the key), else a new task;
//      its key goes on the plan at once, audited;
//   2. the update's comment, unless a comment carrying this job's reference
//      is already there (a retry after it landed);
//   3. the transition, if the update has one (a workflow without it is a
//      warning, never a failure).
// One plan's updates run in the order they were queued: a job whose
// predecessor is still open waits (a retry in two seconds), so the issue is
// created once, by the first.
import { appendAudit } from '../audit/audit-log.js';
import { adfFacts, adfText, adfToText, COMMENT_PROPERTY, commentRef, jiraStatusesOf } from '../connectors/jira/jira-fields.js';
import { JiraApiError } from '../connectors/jira/jira-errors.js';
import { workspaceId, type EngineContext } from '../context.js';
import { earlierOpenJob } from '../jobs/job-store.js';
import type { ClaimedJob, JobOutcome } from '../jobs/job-types.js';
import { planIssueKey } from '../plans/plan-jira.js';
import { planRecord, setPlan, type PlanRecord } from '../plans/plan-store.js';
import { transitionTo } from './jira-job.js';
import type { JiraSite } from './jira-site.js';

/** The issue entity property naming the plan an issue records: {workspace, plan}. */
export const PLAN_PROPERTY = 'latchkey.plan';
export const planLabel = (ws: string, planId: number): string => `latchkey-plan-${ws.slice(0, 8)}-${planId}`;

const TITLE: Record<PlanRecord['kind'], string> = { joiner: 'Onboarding', mover: 'Move', leaver: 'Offboarding' };

function content(p: PlanRecord): { summary: string; description: ReturnType<typeof adfFacts> } {
  const who = p.person_email ? `${p.person_name} <${p.person_email}>` : p.person_name;
  return {
    summary: `${TITLE[p.kind]}: ${p.person_name} (effective ${p.effective_date})`.slice(0, 255),
    description: adfFacts(
      [
        ['Person', who],
        ['Plan', `#${p.id} (${p.kind})`],
        ['Effective', p.effective_date],
        ['HR event', p.trigger_key.startsWith('hr:') ? p.trigger_key.slice(3) : '—'],
        ['Policy versions', p.policy_versions],
      ],
      ['Recorded by Latchkey: each tier of the plan is commented here as it settles. Access is changed in the identity provider; this issue is the record.'],
    ),
  };
}

async function ensureIssue(ctx: EngineContext, site: JiraSite, p: PlanRecord, warnings: string[]): Promise<string> {
  if (p.jira_issue_key) return p.jira_issue_key;
  const { client, settings } = site;
  const ws = workspaceId(ctx.db);
  const label = planLabel(ws, p.id);
  let ref: { id: string; key: string } | null = null;
  let created = false;
  for (const candidate of await client.search(`project = "${settings.projectKey}" AND labels = "${label}" ORDER BY created ASC`, ['summary', 'labels'], 20)) {
    const v = (await client.issueProperty(candidate.key, PLAN_PROPERTY)) as Record<string, unknown> | undefined;
    if (v && v.workspace === ws && v.plan === p.id) {
      ref = { id: candidate.id, key: candidate.key };
      break;
    }
    warnings.push(`${candidate.key} carries this plan's label but not its property: not adopted`);
  }
  if (!ref) {
    const project = await client.project(settings.projectKey);
    const type = project.issueTypes.find((t) => /^task$/i.test(t.name)) ?? project.issueTypes.find((t) => /task/i.test(t.name)) ?? project.issueTypes[0];
    if (!type) throw new JiraApiError(`Jira project ${settings.projectKey} has no issue type for plans`, 'bad-request', 400, [], null);
    const { summary, description } = content(p);
    ref = await client.createIssue({ project: { key: settings.projectKey }, issuetype: { id: type.id }, summary, description, labels: ['latchkey', 'latchkey-plan', label] }, [
      { key: PLAN_PROPERTY, value: { workspace: ws, plan: p.id } },
    ]);
    created = true;
  }
  const issue = ref;
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      setPlan(ctx.db, p.id, { jira_connection_id: site.connection.id, jira_issue_key: issue.key, jira_issue_id: issue.id }, now);
      appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel ?? 'system', action: 'plan.jira-linked', targetType: 'plan', targetId: p.id, details: { issueKey: issue.key, issueId: issue.id, created } }, now);
    })
    .immediate();
  return issue.key;
}

/** Runs a 'plan-issue' job on an opened site. */
export async function runPlanIssueJob(ctx: EngineContext, job: ClaimedJob, site: JiraSite): Promise<JobOutcome> {
  const { planId, event, comment, transition } = job.payload;
  if (typeof planId !== 'number' || typeof event !== 'string' || typeof comment !== 'string') return { status: 'failed', error: `job #${job.id} has no plan update in its payload` };
  const p = planRecord(ctx.db, planId);
  if (!p) return { status: 'failed', error: `plan #${planId} no longer exists` };
  if (earlierOpenJob(ctx.db, planIssueKey(p.id, ''), job.id)) return { status: 'retry', error: `waiting for an earlier update of plan #${p.id}'s issue`, retryAfterMs: 2000 };
  const warnings: string[] = [];
  const key = await ensureIssue(ctx, site, p, warnings);
  const ws = workspaceId(ctx.db);
  const ref = commentRef(ws, job.id);
  const already = job.attempt > 1 && (await site.client.comments(key)).some((c) => c.properties.some((x) => x.key === COMMENT_PROPERTY && (x.value as { ref?: unknown } | null)?.ref === ref) || adfToText(c.body).includes(ref));
  if (!already) await site.client.addComment(key, adfText(`${comment}\n\n${ref}`), [{ key: COMMENT_PROPERTY, value: { ref, job: job.id, plan: p.id, event, workspace: ws } }]);
  let notMoved: string | null = null;
  if (transition === 'in-progress' || transition === 'done') {
    const moved = await transitionTo(site.client, key, transition, jiraStatusesOf(site.settings.statuses));
    notMoved = moved.missing;
  }
  warnings.push(...(notMoved ? [notMoved] : []), ...site.client.takeWarnings());
  return { status: 'succeeded', result: { issueKey: key, comment: already ? 'already' : 'posted', ...(warnings.length > 0 ? { warnings } : {}) } };
}
