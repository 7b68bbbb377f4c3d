// Starting one plan step and following it to its end. Each runs inside the
// advance's transaction: the step's row, the grant, the durable job (or
// manual task) and the audit events move together, so a process killed at
// any point either started the step (its job is in the queue, and the
// runner resumes it) or did not (the next advance starts it): never twice
// to different effect. The job's own retries with backoff are the runner's.
import type { AuditChannel } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { isLiveMember } from '../directory/snapshot-lookups.js';
import { getGrant, insertGrant, liveGrantOfMembership, setGrant, type GrantRecord } from '../jobs/grant-store.js';
import { enqueueJob, jobByKey, jobRecord } from '../jobs/job-store.js';
import { JOB_PRIORITY, SUSPEND_OP } from '../jobs/job-types.js';
import { auditGrant, cancelProvisioning, enqueueRevoke, revokeKey, type RevokePayload } from '../jobs/ledger.js';
import { closeTask, insertManualTask, openTasksOfGrant, taskOfJob, taskState } from '../jobs/manual-tasks.js';
import { enqueuePlanIssueUpdate } from './plan-jira.js';
import type { PlanRecord, StepPatch, StepRecord } from './plan-store.js';

/** Who the plan's own changes are made by (its state changes, removals); grants name their policy version instead. */
export const PLANS_ACTOR = 'latchkey:plans';
const SYSTEM: AuditChannel = 'system';

/** "policy:4@v2": the actor of a grant a birthright policy justifies (SOC 2 CC6.2: prior authorisation by policy). */
export const policyActor = (policyId: number, version: number): string => `policy:${policyId}@v${version}`;

export function auditPlan(ctx: EngineContext, plan: PlanRecord, action: string, details: Record<string, unknown>, now: Date, actor = PLANS_ACTOR, channel: AuditChannel = SYSTEM): void {
  appendAudit(ctx.db, { actor, channel, action, targetType: 'plan', targetId: plan.id, details: { kind: plan.kind, person: plan.person_email ?? plan.person_name, ...details } }, now);
}

const beneficiary = (plan: PlanRecord): { beneficiary_email: string | null; beneficiary_name: string } => ({ beneficiary_email: plan.person_email, beneficiary_name: plan.person_name });

/** A plan's removal, as the grant's end reason words it: "revoked by latchkey:plans via system: leaver (plan #3, HR effective 2026-12-01)". */
function removalPayload(plan: PlanRecord, why: string): RevokePayload {
  return { reason: 'revoked', by: PLANS_ACTOR, channel: SYSTEM, note: `${why} (plan #${plan.id}, ${plan.kind}, effective ${plan.effective_date})` };
}

/** Queues the removal of a live grant (as a revocation from the console does); returns the revoke job. */
export function revokeForPlan(ctx: EngineContext, g: GrantRecord, payload: RevokePayload, now: Date): number {
  const { db } = ctx;
  if (g.status === 'revoking') return jobByKey(db, revokeKey(g.id))?.id ?? enqueueRevoke(db, g, payload, JOB_PRIORITY.revoke, now);
  const cancelled = cancelProvisioning(db, g.id, `cancelled: ${payload.reason === 'revoked' ? payload.note : 'removed by a plan'}`, now);
  const open = openTasksOfGrant(db, g.id, 'add');
  for (const t of open) closeTask(db, t.id, 'cancelled', { evidence: `cancelled: the access is removed by a plan`, by: PLANS_ACTOR }, now);
  const jobId = enqueueRevoke(db, g, payload, JOB_PRIORITY.revoke, now);
  setGrant(db, g.id, { status: 'revoking' }, now);
  auditGrant(db, PLANS_ACTOR, 'grant.revoke_requested', g, { reason: payload.reason === 'revoked' ? payload.note : '', revokeJobId: jobId, cancelledJobs: cancelled, cancelledTasks: open.map((t) => t.id) }, now, SYSTEM);
  return jobId;
}

/** A ledger grant for a membership held outside the process, so that what the plan removes is on the ledger. */
function adopt(ctx: EngineContext, plan: PlanRecord, s: StepRecord, now: Date): GrantRecord {
  const id = insertGrant(
    ctx.db,
    { request_id: null, role_id: s.role_id, connection_id: s.connection_id as number, group_id: s.group_id as string, group_name: s.group_name ?? s.group_id ?? '', identity_id: s.identity_id ?? '', ...beneficiary(plan), status: 'active', expires_at: null },
    now,
  );
  setGrant(ctx.db, id, { provisioned_at: now.toISOString() }, now);
  const g = getGrant(ctx.db, id) as GrantRecord;
  auditGrant(ctx.db, PLANS_ACTOR, 'grant.adopted', g, { how: `adopted for removal by plan #${plan.id} (${plan.kind}): the membership was held outside the process`, planId: plan.id }, now, SYSTEM);
  return g;
}

/** Starts a waiting step; returns the patch for its row. */
export function startStep(ctx: EngineContext, plan: PlanRecord, s: StepRecord, now: Date): StepPatch {
  const at = now.toISOString();
  const { db } = ctx;
  switch (s.kind) {
    case 'check':
      // The accounts were matched when the plan was made; a person with none in a step's connection gets a manual step there.
      return { status: 'done', started_at: at, finished_at: at };
    case 'add': {
      if (s.identity_id === null || s.connection_id === null || s.group_id === null) {
        const reason = `${plan.person_name} has no account in connection #${s.connection_id ?? '?'}`;
        const taskId = insertManualTask(db, { grantId: null, action: 'add', reason, instructions: `Create or link ${plan.person_email ?? plan.person_name}'s account, add it to "${s.group_name ?? '?'}", then mark this task done with the evidence (plan #${plan.id}).` }, now);
        return { status: 'manual', task_id: taskId, started_at: at, note: reason };
      }
      const held = liveGrantOfMembership(db, s.connection_id, s.group_id, s.identity_id);
      if (held) return { status: 'skipped', started_at: at, finished_at: at, note: `already held through grant #${held.id} (${held.status})` };
      if (isLiveMember(db, s.connection_id, s.group_id, s.identity_id)) return { status: 'skipped', started_at: at, finished_at: at, note: 'already a member in the IdP (outside the process): left as it is' };
      // A role given for a duration ends that long after it is given (expiry removes it then).
      const expiresAt = s.duration_days !== null ? new Date(now.getTime() + s.duration_days * 86_400_000).toISOString() : null;
      const grantId = insertGrant(
        db,
        { request_id: null, role_id: s.role_id, connection_id: s.connection_id, group_id: s.group_id, group_name: s.group_name ?? s.group_id, identity_id: s.identity_id, ...beneficiary(plan), status: 'pending', expires_at: expiresAt },
        now,
      );
      const jobId = enqueueJob(db, { kind: 'provision', grantId, connectionId: s.connection_id, payload: { planId: plan.id, stepId: s.id }, idempotencyKey: `provision:grant:${grantId}` }, now);
      const actor = s.policy_id !== null && s.policy_version !== null ? policyActor(s.policy_id, s.policy_version) : PLANS_ACTOR;
      appendAudit(
        db,
        {
          actor,
          channel: s.policy_id !== null ? 'policy' : SYSTEM,
          action: 'grant.created',
          targetType: 'grant',
          targetId: grantId,
          details: {
            planId: plan.id,
            planKind: plan.kind,
            policyId: s.policy_id,
            policyVersion: s.policy_version,
            justification: 'SOC 2 CC6.2: prior authorisation by policy',
            connectionId: s.connection_id,
            groupId: s.group_id,
            groupName: s.group_name,
            identityId: s.identity_id,
            status: 'pending',
          },
        },
        now,
      );
      return { status: 'running', grant_id: grantId, job_id: jobId, started_at: at };
    }
    case 'remove': {
      const grantId = s.step_key.startsWith('remove:grant:') ? Number(s.step_key.slice('remove:grant:'.length)) : null;
      let g = grantId !== null ? getGrant(db, grantId) : null;
      if (g && !['pending', 'active', 'manual', 'failed', 'revoking'].includes(g.status)) {
        return { status: 'skipped', started_at: at, finished_at: at, grant_id: g.id, note: `grant #${g.id} had already ended (${g.status})` };
      }
      if (!g && s.connection_id !== null && s.group_id !== null && s.identity_id !== null) {
        g = liveGrantOfMembership(db, s.connection_id, s.group_id, s.identity_id);
        if (!g) {
          if (!isLiveMember(db, s.connection_id, s.group_id, s.identity_id)) return { status: 'skipped', started_at: at, finished_at: at, note: 'no longer a member' };
          g = adopt(ctx, plan, s, now);
        }
      }
      if (!g) return { status: 'failed', started_at: at, finished_at: at, error: 'the step names no grant and no membership' };
      const jobId = revokeForPlan(ctx, g, removalPayload(plan, plan.kind === 'leaver' ? 'leaver' : 'no longer given by a birthright policy'), now);
      return { status: 'running', grant_id: g.id, job_id: jobId, started_at: at };
    }
    case 'manual': {
      const who = s.assignee ?? 'the IT team';
      const taskId = insertManualTask(
        db,
        {
          grantId: null,
          action: 'add',
          reason: `${plan.kind} plan #${plan.id} for ${plan.person_email ?? plan.person_name}: ${s.label}`,
          instructions: `Assigned to ${who}. ${s.label}${s.note ? ` (${s.note})` : ''}. Mark this task done with the evidence (ticket, change record, asset tag).`,
        },
        now,
      );
      return { status: 'manual', task_id: taskId, started_at: at };
    }
    case 'notice': {
      const jobId = enqueuePlanIssueUpdate(ctx, plan, { event: 'finished', comment: `${plan.kind} plan #${plan.id} for ${plan.person_name}: every step has run.`, transition: 'done' }, now);
      return jobId === null ? { status: 'skipped', started_at: at, finished_at: at, note: 'no Jira connection: nothing to record' } : { status: 'running', job_id: jobId, started_at: at };
    }
    case 'suspend': {
      if (s.connection_id === null || s.identity_id === null) return { status: 'failed', started_at: at, finished_at: at, error: 'the step names no account' };
      // A 'revoke' job without a grant whose payload says suspend: governance/run-jobs.ts sends it to the suspension executor.
      const jobId = enqueueJob(db, { kind: 'revoke', connectionId: s.connection_id, payload: { op: SUSPEND_OP, identityId: s.identity_id, planId: plan.id }, idempotencyKey: `suspend:plan:${plan.id}:${s.connection_id}:${s.identity_id}` }, now);
      return { status: 'running', job_id: jobId, started_at: at };
    }
  }
}

/** Where a running or manual step is now (from its job or task), or null when it has not moved. */
export function followStep(ctx: EngineContext, s: StepRecord, now: Date): StepPatch | null {
  const { db } = ctx;
  if (s.status === 'manual') {
    const taskId = s.task_id ?? (s.job_id !== null ? taskOfJob(db, s.job_id) : null);
    if (taskId === null) return null;
    const t = taskState(db, taskId);
    if (!t || t.status === 'open') return s.task_id === taskId ? null : { task_id: taskId };
    const at = now.toISOString();
    return t.status === 'done'
      ? { status: 'done', task_id: taskId, finished_at: at, note: `done by ${t.completedBy ?? '?'}: ${t.evidence ?? ''}` }
      : { status: 'failed', task_id: taskId, finished_at: at, error: `manual task #${taskId} was cancelled: ${t.evidence ?? ''}` };
  }
  if (s.status !== 'running' || s.job_id === null) return null;
  const j = jobRecord(db, s.job_id);
  if (!j) return { status: 'failed', error: `job #${s.job_id} no longer exists` };
  switch (j.status) {
    case 'succeeded': {
      const skipped = j.result ? (JSON.parse(j.result) as { skipped?: unknown }).skipped : undefined;
      if (typeof skipped === 'string' && s.kind === 'add') return { status: 'failed', finished_at: j.finishedAt, error: `not added: ${skipped}` };
      return { status: 'done', finished_at: j.finishedAt };
    }
    case 'failed':
      return { status: 'failed', finished_at: j.finishedAt, error: j.lastError ?? 'the job failed' };
    case 'cancelled':
      return { status: 'failed', finished_at: j.finishedAt, error: j.lastError ?? 'the job was cancelled' };
    case 'manual': {
      const taskId = taskOfJob(db, j.id);
      return { status: 'manual', task_id: taskId, note: j.lastError };
    }
    default:
      return null;
  }
}
