// What the console and the CLI see of plans (plans:list, plans:get: the
// timeline by tier) and the one thing a person does to them: retry a
// failed or partial plan. A retry puts every failed, cancelled or rolled-back
// step back to waiting (a new grant and job when it starts again: the old
// ones keep their record) and the plan back to running; the advance takes
// it from there. Audited with who and through which channel.
import type { PlanStatus, PlanStepView, PlanSummary, PlanView } from '../../../shared/contract-plans.js';
import { UserError, type EngineContext } from '../context.js';
import { advancePlan } from './advance.js';
import { tierName } from './plan-graph.js';
import { listPlanRecords, planRecord, setPlan, setStep, stepsOf, type PlanFilter, type PlanRecord, type StepRecord } from './plan-store.js';
import { auditPlan } from './steps.js';

const versions = (json: string): { policyId: number; version: number }[] => {
  try {
    const v = JSON.parse(json) as unknown;
    return Array.isArray(v) ? (v as { policyId: number; version: number }[]) : [];
  } catch {
    return [];
  }
};

// As the evidence workbook rounds them (evidence/ledger-kit.ts): hours to two decimals.
const hoursBetween = (from: string, to: string | null): number | null => (to === null ? null : Math.round((Date.parse(to) - Date.parse(from)) / 36_000) / 100);

function summaryOf(p: PlanRecord, counts: { steps: number; done: number; failed: number }, hrEventId: string | null): PlanSummary {
  return {
    id: p.id,
    kind: p.kind,
    status: p.status,
    personId: p.person_id,
    personName: p.person_name,
    personEmail: p.person_email,
    hrEventId,
    effectiveDate: p.effective_date,
    effectiveAt: p.effective_at,
    policyVersions: versions(p.policy_versions),
    reason: p.reason,
    stepCount: counts.steps,
    stepsDone: counts.done,
    stepsFailed: counts.failed,
    jiraIssueKey: p.jira_issue_key,
    createdAt: p.created_at,
    startedAt: p.started_at,
    finishedAt: p.finished_at,
    lastRemovalAt: p.last_removal_at,
    hoursToRemoval: p.kind === 'leaver' ? hoursBetween(p.effective_at, p.last_removal_at) : null,
  };
}

const triggerEvent = (p: PlanRecord): string | null => (p.trigger_key.startsWith('hr:') ? p.trigger_key.slice(3) : null);

export function stepView(kind: PlanRecord['kind'], s: StepRecord): PlanStepView {
  return {
    id: s.id,
    key: s.step_key,
    tier: s.tier,
    tierName: tierName(s.tier, kind),
    kind: s.kind,
    label: s.label,
    critical: s.critical === 1,
    dependsOn: JSON.parse(s.depends_on) as string[],
    status: s.status,
    note: s.note,
    error: s.error,
    policy: s.policy_id !== null && s.policy_version !== null ? { policyId: s.policy_id, version: s.policy_version } : null,
    roleId: s.role_id,
    connectionId: s.connection_id,
    groupName: s.group_name,
    assignee: s.assignee,
    notBefore: s.not_before,
    grantId: s.grant_id,
    jobId: s.job_id,
    taskId: s.task_id,
    undoJobId: s.undo_job_id,
    startedAt: s.started_at,
    finishedAt: s.finished_at,
  };
}

export function listPlans(ctx: EngineContext, q: PlanFilter): { rows: PlanSummary[]; total: number } {
  const { rows, total } = listPlanRecords(ctx.db, q);
  return { rows: rows.map((r) => summaryOf(r, r, triggerEvent(r))), total };
}

export function getPlan(ctx: EngineContext, planId: number): PlanView {
  const p = planRecord(ctx.db, planId);
  if (!p) throw new UserError(`plan #${planId} does not exist`, 'not-found');
  const steps = stepsOf(ctx.db, p.id);
  const counts = { steps: steps.length, done: steps.filter((s) => s.status === 'done' || s.status === 'skipped').length, failed: steps.filter((s) => s.status === 'failed').length };
  return { ...summaryOf(p, counts, triggerEvent(p)), steps: steps.map((s) => stepView(p.kind, s)) };
}

const RETRYABLE: readonly PlanStatus[] = ['failed', 'partial'];

/** Runs a failed or partial plan's failed, cancelled and rolled-back steps again. */
export function retryPlan(ctx: EngineContext, planId: number): PlanView {
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      const p = planRecord(ctx.db, planId);
      if (!p) throw new UserError(`plan #${planId} does not exist`, 'not-found');
      if (!RETRYABLE.includes(p.status)) throw new UserError(`plan #${planId} is ${p.status}: only a failed or partial plan can be retried`, 'conflict');
      const again = stepsOf(ctx.db, p.id).filter((s) => s.status === 'failed' || s.status === 'cancelled' || s.status === 'rolled-back');
      for (const s of again) {
        setStep(ctx.db, s.id, { status: 'waiting', error: null, note: `retried after: ${s.error ?? s.note ?? s.status}`, grant_id: null, job_id: null, task_id: null, undo_job_id: null, started_at: null, finished_at: null });
      }
      setPlan(ctx.db, p.id, { status: 'running', reason: null, finished_at: null }, now);
      auditPlan(ctx, p, 'plan.retried', { previousStatus: p.status, previousReason: p.reason, steps: again.map((s) => s.step_key) }, now, ctx.actor, ctx.channel ?? 'system');
    })
    .immediate();
  advancePlan(ctx, planId);
  ctx.events.emit('governance:changed', { area: 'plans', ids: [planId] });
  return getPlan(ctx, planId);
}
