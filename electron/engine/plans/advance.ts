// Moving plans along, by reconciliation: governance calls advancePlans after
// each job-runner run, after each sync and HR import, and on the tick. One
// immediate transaction per plan:
//   1. a waiting plan whose effective time has come starts (its Jira issue
//      is queued);
//   2. running and manual steps follow their jobs and tasks;
//   3. a critical step that failed (after the runner's retries) turns the
//      plan to rolling-back: steps not started are cancelled, the access the
//      plan added is removed (revocations through the jobs), and once every
//      removal has settled the plan fails with the reason;
//   4. otherwise the steps the graph allows now are started (plan-graph.ts),
//      a settled tier is recorded on the Jira issue, and a plan whose steps
//      have all settled is done (or partial); a leaver's last removal time
//      is kept for the evidence workbook.
// Every change is an audit event in the same transaction.
import type { EngineContext } from '../context.js';
import { getGrant, setGrant } from '../jobs/grant-store.js';
import { cancelOpenJobsOfGrant, jobRecord } from '../jobs/job-store.js';
import { appendAudit } from '../audit/audit-log.js';
import { auditGrant } from '../jobs/ledger.js';
import { closeTask, taskState } from '../jobs/manual-tasks.js';
import { criticalFailure, isSettled, nextSteps, planOutcome, rollbackSelection, tierName, type GraphStep } from './plan-graph.js';
import { enqueuePlanIssueUpdate } from './plan-jira.js';
import { planRecord, plansToAdvance, setPlan, setStep, stepsOf, type PlanRecord, type StepPatch, type StepRecord } from './plan-store.js';
import { auditPlan, followStep, PLANS_ACTOR, revokeForPlan, startStep } from './steps.js';

export type AdvanceSummary = { plans: number; started: number; finished: number[]; changed: number[] };

const graphOf = (s: StepRecord): GraphStep => ({
  id: s.id,
  key: s.step_key,
  tier: s.tier,
  kind: s.kind,
  status: s.status,
  dependsOn: JSON.parse(s.depends_on) as string[],
  critical: s.critical === 1,
  notBefore: s.not_before,
  grantId: s.grant_id,
  undoJobId: s.undo_job_id,
});

function patchStep(ctx: EngineContext, plan: PlanRecord, s: StepRecord, patch: StepPatch, now: Date): StepRecord {
  setStep(ctx.db, s.id, patch);
  const next = { ...s, ...patch };
  if (patch.status && patch.status !== s.status) {
    auditPlan(ctx, plan, `plan.step_${patch.status.replace('-', '_')}`, { stepId: s.id, step: s.step_key, tier: s.tier, label: s.label, grantId: next.grant_id, jobId: next.job_id, taskId: next.task_id, note: next.note, error: next.error }, now);
  }
  return next;
}

const hhmmss = (iso: string | null): string => (iso ? iso.slice(11, 19) : '');
const mark = (s: StepRecord): string => (s.status === 'done' ? '✔' : s.status === 'skipped' ? '–' : s.status === 'rolled-back' ? '↶' : s.status === 'manual' ? '✋' : '✘');

/** "Tier 2 — base access: okta:base-employee ✔ 15:05:20, …": one settled tier as the Jira issue and the timeline word it. */
export function tierLine(kind: PlanRecord['kind'], tier: number, steps: readonly StepRecord[]): string {
  const parts = steps.map((s) => `${s.label} ${mark(s)} ${hhmmss(s.finished_at ?? s.started_at)}`.trim() + (s.error ? ` (${s.error})` : ''));
  return `Tier ${tier} — ${tierName(tier, kind)}: ${parts.join(', ')}`;
}

/** Records each tier whose steps have all settled on the plan's Jira issue (once each: the update's key is the tier). */
function recordSettledTiers(ctx: EngineContext, plan: PlanRecord, steps: readonly StepRecord[], now: Date): void {
  const tiers = [...new Set(steps.map((s) => s.tier))].sort((a, b) => a - b);
  for (const t of tiers) {
    const of = steps.filter((s) => s.tier === t);
    if (!of.every((s) => isSettled(s.status))) break;
    if (t === 6) continue; // the notice step is itself the closing update
    enqueuePlanIssueUpdate(ctx, plan, { event: `tier-${t}`, comment: tierLine(plan.kind, t, of) }, now);
  }
}

function finish(ctx: EngineContext, plan: PlanRecord, steps: readonly StepRecord[], status: 'done' | 'partial' | 'failed', reason: string | null, now: Date): void {
  const at = now.toISOString();
  const removals = steps.filter((s) => s.kind === 'remove' && s.status === 'done' && s.finished_at !== null).map((s) => s.finished_at as string).sort();
  const lastRemoval = plan.kind === 'leaver' ? (removals.at(-1) ?? null) : null;
  setPlan(ctx.db, plan.id, { status, reason, finished_at: at, ...(lastRemoval ? { last_removal_at: lastRemoval } : {}) }, now);
  auditPlan(ctx, plan, `plan.${status}`, { reason, lastRemovalAt: lastRemoval, steps: steps.length, failed: steps.filter((s) => s.status === 'failed').map((s) => s.step_key) }, now);
  if (status === 'failed') enqueuePlanIssueUpdate(ctx, plan, { event: 'failed', comment: `Plan #${plan.id} failed and was rolled back: ${reason ?? ''}` }, now);
}

/** Rolling back: cancel what has not started, undo what the plan added, fail the plan once every undo has settled. */
function rollBack(ctx: EngineContext, plan: PlanRecord, steps: StepRecord[], now: Date): { queued: number; finished: boolean } {
  const at = now.toISOString();
  const sel = rollbackSelection(steps.map(graphOf));
  const byId = new Map(steps.map((s) => [s.id, s]));
  let queued = 0;
  for (const g of sel.cancel) {
    const s = byId.get(g.id) as StepRecord;
    byId.set(s.id, patchStep(ctx, plan, s, { status: 'cancelled', finished_at: at, note: 'cancelled: the plan is rolled back' }, now));
  }
  for (const s of steps.filter((x) => x.status === 'manual')) {
    const t = s.task_id !== null ? taskState(ctx.db, s.task_id) : null;
    if (s.task_id !== null && t?.status === 'open') closeTask(ctx.db, s.task_id, 'cancelled', { evidence: 'cancelled: the plan was rolled back', by: PLANS_ACTOR }, now);
    const g = s.grant_id !== null ? getGrant(ctx.db, s.grant_id) : null;
    if (g && (g.status === 'manual' || g.status === 'pending')) {
      setGrant(ctx.db, g.id, { status: 'cancelled', ended_at: at, end_reason: `cancelled by ${PLANS_ACTOR}: plan #${plan.id} rolled back` }, now);
      auditGrant(ctx.db, PLANS_ACTOR, 'grant.cancelled', g, { planId: plan.id, reason: 'plan rolled back' }, now, 'system');
    }
    byId.set(s.id, patchStep(ctx, plan, s, { status: 'cancelled', finished_at: at, note: 'cancelled: the plan is rolled back' }, now));
  }
  // The failed steps' own grants never reached the IdP: cancelled, so nobody retries half a rolled-back plan from Needs attention.
  for (const s of steps.filter((x) => x.kind === 'add' && x.status === 'failed' && x.grant_id !== null)) {
    const g = getGrant(ctx.db, s.grant_id as number);
    if (g && (g.status === 'failed' || g.status === 'pending')) {
      setGrant(ctx.db, g.id, { status: 'cancelled', ended_at: at, end_reason: `cancelled by ${PLANS_ACTOR}: plan #${plan.id} rolled back` }, now);
      auditGrant(ctx.db, PLANS_ACTOR, 'grant.cancelled', g, { planId: plan.id, reason: 'plan rolled back' }, now, 'system');
      const cancelled = cancelOpenJobsOfGrant(ctx.db, g.id, 'provision', `cancelled: plan #${plan.id} rolled back (retry the plan instead)`, now);
      for (const jobId of cancelled) appendAudit(ctx.db, { actor: PLANS_ACTOR, channel: 'system', action: 'job.cancelled', targetType: 'job', targetId: jobId, details: { kind: 'provision', grantId: g.id, reason: `plan #${plan.id} rolled back` } }, now);
    }
  }
  for (const u of sel.undo) {
    const s = byId.get(u.id) as StepRecord;
    const g = getGrant(ctx.db, u.grantId as number);
    if (!g || !['pending', 'active', 'manual', 'failed', 'revoking'].includes(g.status)) {
      byId.set(s.id, patchStep(ctx, plan, s, { status: 'rolled-back', note: `nothing to undo: grant #${u.grantId ?? '?'} had ended` }, now));
      continue;
    }
    const jobId = revokeForPlan(ctx, g, { reason: 'revoked', by: PLANS_ACTOR, channel: 'system', note: `rollback of plan #${plan.id}: ${plan.reason ?? 'a critical step failed'}` }, now);
    byId.set(s.id, patchStep(ctx, plan, s, { undo_job_id: jobId }, now));
    queued++;
  }
  // Undo jobs that have settled.
  let open = sel.wait.length > 0;
  for (const s of [...byId.values()]) {
    if (s.undo_job_id === null || s.status !== 'done') continue;
    const j = jobRecord(ctx.db, s.undo_job_id);
    if (!j || j.status === 'queued' || j.status === 'running') {
      open ||= j !== null;
      continue;
    }
    const patch: StepPatch = j.status === 'succeeded' ? { status: 'rolled-back', note: `removed again by job #${j.id}` } : { note: `undo job #${j.id} ${j.status}: ${j.lastError ?? ''}`, error: j.lastError };
    byId.set(s.id, patchStep(ctx, plan, s, patch, now));
  }
  if (open || queued > 0) return { queued, finished: false };
  const left = [...byId.values()].filter((s) => s.kind === 'add' && s.status === 'done');
  const reason = (plan.reason ?? 'a critical step failed') + (left.length > 0 ? `; ${left.length} addition(s) could not be undone: ${left.map((s) => s.label).join(', ')}` : '');
  finish(ctx, plan, [...byId.values()], 'failed', reason, now);
  return { queued, finished: true };
}

/** Advances one plan (see the header); returns how many steps it started and whether it finished. */
export function advancePlan(ctx: EngineContext, planId: number): { started: number; finished: boolean; changed: boolean } {
  const now = ctx.clock.now();
  const at = now.toISOString();
  return ctx.db
    .transaction(() => {
      let plan = planRecord(ctx.db, planId);
      if (!plan) return { started: 0, finished: false, changed: false };
      const before = `${plan.status}:${stepsOf(ctx.db, plan.id).map((s) => s.status).join()}`;
      const changed = (): boolean => `${planRecord(ctx.db, planId)?.status ?? ''}:${stepsOf(ctx.db, planId).map((s) => s.status).join()}` !== before;
      if (plan.status === 'waiting') {
        if (plan.effective_at > at) return { started: 0, finished: false, changed: false };
        setPlan(ctx.db, plan.id, { status: 'running', started_at: at }, now);
        plan = { ...plan, status: 'running', started_at: at };
        auditPlan(ctx, plan, 'plan.started', { effectiveAt: plan.effective_at, hrEventId: plan.hr_event_id }, now);
        const jiraId = enqueuePlanIssueUpdate(ctx, plan, { event: 'started', comment: `${plan.kind} plan #${plan.id} for ${plan.person_name} started at ${at} (effective ${plan.effective_date}).`, transition: 'in-progress' }, now);
        if (jiraId !== null && plan.jira_connection_id === null) {
          const j = jobRecord(ctx.db, jiraId);
          if (j?.connectionId) setPlan(ctx.db, plan.id, { jira_connection_id: j.connectionId }, now);
        }
      }
      if (plan.status !== 'running' && plan.status !== 'rolling-back') return { started: 0, finished: false, changed: false };
      let steps = stepsOf(ctx.db, plan.id);
      steps = steps.map((s) => {
        const p = followStep(ctx, s, now);
        return p ? patchStep(ctx, plan as PlanRecord, s, p, now) : s;
      });
      if (plan.status === 'running') {
        const failed = criticalFailure(steps.map(graphOf));
        if (failed) {
          const s = steps.find((x) => x.id === failed.id) as StepRecord;
          const reason = `critical step "${s.label}" (tier ${s.tier}, ${tierName(s.tier, plan.kind)}) failed: ${s.error ?? 'no reason given'}`;
          setPlan(ctx.db, plan.id, { status: 'rolling-back', reason }, now);
          plan = { ...plan, status: 'rolling-back', reason };
          auditPlan(ctx, plan, 'plan.rolling_back', { reason, stepId: s.id }, now);
        }
      }
      if (plan.status === 'rolling-back') {
        const r = rollBack(ctx, plan, steps, now);
        return { started: r.queued, finished: r.finished, changed: changed() };
      }

      let started = 0;
      // Starting a step can settle it at once (a check, an access already held): look again until nothing more can start.
      for (let round = 0; round < 8; round++) {
        // Settled tiers go on the Jira issue before the next tier starts (the closing notice is itself a step of tier 6).
        recordSettledTiers(ctx, plan, steps, now);
        const { start, blocked } = nextSteps(steps.map(graphOf), at);
        if (start.length === 0 && blocked.length === 0) break;
        const byId = new Map(steps.map((s) => [s.id, s]));
        for (const b of blocked) {
          const s = byId.get(b.step.id) as StepRecord;
          byId.set(s.id, patchStep(ctx, plan, s, { status: 'cancelled', finished_at: at, note: `not run: ${b.because}` }, now));
        }
        for (const g of start) {
          const s = byId.get(g.id) as StepRecord;
          byId.set(s.id, patchStep(ctx, plan, s, startStep(ctx, plan, s, now), now));
          started++;
        }
        steps = steps.map((s) => byId.get(s.id) as StepRecord);
      }
      recordSettledTiers(ctx, plan, steps, now);
      const outcome = planOutcome(steps.map(graphOf));
      if (outcome) finish(ctx, plan, steps, outcome, outcome === 'partial' ? `failed: ${steps.filter((s) => s.status === 'failed' || s.status === 'cancelled').map((s) => s.label).join(', ')}` : null, now);
      return { started, finished: outcome !== null, changed: changed() };
    })
    .immediate();
}

/** Advances every plan that is due or under way. */
export function advancePlans(ctx: EngineContext): AdvanceSummary {
  const summary: AdvanceSummary = { plans: 0, started: 0, finished: [], changed: [] };
  if (ctx.readOnly) return summary;
  for (const id of plansToAdvance(ctx.db, ctx.clock.now())) {
    const r = advancePlan(ctx, id);
    summary.plans++;
    summary.started += r.started;
    if (r.finished) summary.finished.push(id);
    if (r.changed) summary.changed.push(id);
  }
  if (summary.changed.length > 0) ctx.events.emit('governance:changed', { area: 'plans', ids: summary.changed });
  return summary;
}
