// A plan's record in Jira (an onboarding / offboarding issue), queued as
// 'jira' jobs like every write-back: one update when the plan starts (the
// issue is created then), one per tier as it settles, one at the end. The
// executor (jira/plan-issues.ts) finds or creates the issue and comments;
// the updates of one plan run in the order they were queued (it waits for
// an earlier one still open). No Jira connection: nothing is queued.
import type { EngineContext } from '../context.js';
import { jiraConnectionId, type JiraTarget } from '../jobs/jira-outbox.js';
import { enqueueJob } from '../jobs/job-store.js';
import type { PlanRecord } from './plan-store.js';

export const PLAN_ISSUE_TYPE = 'plan-issue';

export type PlanIssueUpdate = { event: string; comment: string; transition?: JiraTarget };

/** The idempotency key of one update of a plan's issue (its prefix finds the plan's earlier ones). */
export const planIssueKey = (planId: number, event: string): string => `jira:plan:${planId}:${event}`;

/** Queues one update of the plan's Jira issue; null when no Jira connection is configured. */
export function enqueuePlanIssueUpdate(ctx: EngineContext, plan: PlanRecord, u: PlanIssueUpdate, now: Date): number | null {
  const connectionId = plan.jira_connection_id ?? jiraConnectionId(ctx.db);
  if (connectionId === null) return null;
  return enqueueJob(
    ctx.db,
    { kind: 'jira', connectionId, payload: { type: PLAN_ISSUE_TYPE, planId: plan.id, ...u }, idempotencyKey: planIssueKey(plan.id, u.event) },
    now,
  );
}
