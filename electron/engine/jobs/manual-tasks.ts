// Manual tasks: group changes Latchkey may not make itself (rule-managed or
// dynamic groups, groups owned by their source, a connection without write
// permission, a person with no account in that IdP). Someone makes the change
// where the group is managed and records the evidence here; completing an
// 'add' task makes the grant active, a 'remove' task ends it. Never a silent
// success: the task stays open in "Needs attention" until someone acts.
import type { ManualTask } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { patchLiveMembership } from '../sync/live-snapshot.js';
import { auditGrant, getGrant, markEnded, markProvisioned, setGrant } from './ledger.js';
import { revokePayload } from './runner.js';

type TaskDb = {
  id: number;
  grant_id: number | null;
  job_id: number | null;
  action: 'add' | 'remove';
  reason: string;
  instructions: string;
  status: 'open' | 'done' | 'cancelled';
  evidence: string | null;
  completed_by: string | null;
  completed_at: string | null;
  created_at: string;
};

export type ManualTaskRow = ManualTask & { groupName: string | null; beneficiary: string | null; connectionId: number | null; requestId: number | null };

const toTask = (r: TaskDb & { group_name: string | null; beneficiary: string | null; connection_id: number | null; request_id: number | null }): ManualTaskRow => ({
  id: r.id,
  grantId: r.grant_id,
  jobId: r.job_id,
  action: r.action,
  reason: r.reason,
  instructions: r.instructions,
  status: r.status,
  evidence: r.evidence,
  completedBy: r.completed_by,
  completedAt: r.completed_at,
  createdAt: r.created_at,
  groupName: r.group_name,
  beneficiary: r.beneficiary,
  connectionId: r.connection_id,
  requestId: r.request_id,
});

export function listManualTasks(ctx: EngineContext, q: { status?: 'open' | 'done' | 'cancelled' | 'all'; limit?: number } = {}): ManualTaskRow[] {
  const status = q.status ?? 'open';
  const rows = ctx.db
    .prepare(
      `SELECT t.*, g.group_name, coalesce(g.beneficiary_email, g.beneficiary_name) AS beneficiary, g.connection_id, g.request_id
       FROM manual_tasks t LEFT JOIN grants g ON g.id = t.grant_id
       WHERE (@status = 'all' OR t.status = @status) ORDER BY t.id DESC LIMIT @limit`,
    )
    .all({ status, limit: q.limit ?? 500 }) as Parameters<typeof toTask>[0][];
  return rows.map(toTask);
}

function openTask(ctx: EngineContext, taskId: number): TaskDb {
  const t = ctx.db.prepare('SELECT * FROM manual_tasks WHERE id = ?').get(taskId) as TaskDb | undefined;
  if (!t) throw new UserError(`manual task #${taskId} does not exist`, 'not-found');
  if (t.status !== 'open') throw new UserError(`manual task #${taskId} is already ${t.status === 'done' ? 'done' : 'cancelled'}${t.completed_by ? ` (by ${t.completed_by} at ${t.completed_at})` : ''}`, 'conflict');
  return t;
}

/** Marks a task done with its evidence; the grant follows (add: active, remove: ended). */
export function completeManualTask(ctx: EngineContext, taskId: number, input: { evidence: string; by?: string }): ManualTaskRow {
  const evidence = input.evidence.trim();
  if (evidence === '') throw new UserError('evidence is required: say what was done and where (ticket, change record, screenshot reference)', 'bad-input');
  const by = input.by ?? ctx.actor;
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      const t = openTask(ctx, taskId);
      ctx.db.prepare("UPDATE manual_tasks SET status = 'done', evidence = ?, completed_by = ?, completed_at = ? WHERE id = ?").run(evidence, by, now.toISOString(), t.id);
      appendAudit(ctx.db, { actor: by, action: 'manual_task.completed', targetType: 'manual_task', targetId: t.id, details: { grantId: t.grant_id, jobId: t.job_id, action: t.action, evidence } }, now);
      const g = t.grant_id !== null ? getGrant(ctx.db, t.grant_id) : null;
      if (!g) return;
      const how = `manual task #${t.id} done by ${by}: ${evidence}`;
      if (t.action === 'add') {
        if (g.identity_id !== '') patchLiveMembership(ctx.db, g.connection_id, g.group_id, g.identity_id, true);
        markProvisioned(ctx.db, g, by, now, how);
      } else {
        if (g.identity_id !== '') patchLiveMembership(ctx.db, g.connection_id, g.group_id, g.identity_id, false);
        const job = t.job_id !== null ? (ctx.db.prepare('SELECT payload FROM jobs WHERE id = ?').get(t.job_id) as { payload: string } | undefined) : undefined;
        markEnded(ctx.db, g, revokePayload(job ? (JSON.parse(job.payload) as Record<string, unknown>) : {}, g), by, now, how);
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [taskId] });
  return getManualTask(ctx, taskId);
}

/**
 * Cancels a task. An 'add' task's grant is cancelled (the access was never
 * given). A 'remove' task of a grant past its expiry cannot be cancelled:
 * the access must end (complete it with evidence); one of a manual
 * revocation puts the grant back to active.
 */
export function cancelManualTask(ctx: EngineContext, taskId: number, input: { reason: string; by?: string }): ManualTaskRow {
  const by = input.by ?? ctx.actor;
  const now = ctx.clock.now();
  const at = now.toISOString();
  ctx.db
    .transaction(() => {
      const t = openTask(ctx, taskId);
      const g = t.grant_id !== null ? getGrant(ctx.db, t.grant_id) : null;
      if (t.action === 'remove' && g && g.expires_at !== null && g.expires_at <= at) {
        throw new UserError(`manual task #${t.id} removes access that expired at ${g.expires_at}: it cannot be cancelled; remove the membership and mark it done with the evidence`, 'conflict');
      }
      ctx.db.prepare("UPDATE manual_tasks SET status = 'cancelled', evidence = ?, completed_by = ?, completed_at = ? WHERE id = ?").run(`cancelled: ${input.reason}`, by, at, t.id);
      appendAudit(ctx.db, { actor: by, action: 'manual_task.cancelled', targetType: 'manual_task', targetId: t.id, details: { grantId: t.grant_id, action: t.action, reason: input.reason } }, now);
      if (!g) return;
      if (t.action === 'add') {
        setGrant(ctx.db, g.id, { status: 'cancelled', ended_at: at, end_reason: `cancelled by ${by}: ${input.reason}` }, now);
        auditGrant(ctx.db, by, 'grant.cancelled', g, { taskId: t.id, reason: input.reason }, now);
      } else if (g.provisioned_at !== null) {
        setGrant(ctx.db, g.id, { status: 'active' }, now);
        auditGrant(ctx.db, by, 'grant.revocation_withdrawn', g, { taskId: t.id, reason: input.reason }, now);
      } else {
        // Never provisioned: nothing to keep.
        setGrant(ctx.db, g.id, { status: 'cancelled', ended_at: at, end_reason: `cancelled by ${by}: ${input.reason}` }, now);
        auditGrant(ctx.db, by, 'grant.cancelled', g, { taskId: t.id, reason: input.reason }, now);
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [taskId] });
  return getManualTask(ctx, taskId);
}

export function getManualTask(ctx: EngineContext, taskId: number): ManualTaskRow {
  const r = ctx.db
    .prepare(
      `SELECT t.*, g.group_name, coalesce(g.beneficiary_email, g.beneficiary_name) AS beneficiary, g.connection_id, g.request_id
       FROM manual_tasks t LEFT JOIN grants g ON g.id = t.grant_id WHERE t.id = ?`,
    )
    .get(taskId) as Parameters<typeof toTask>[0] | undefined;
  if (!r) throw new UserError(`manual task #${taskId} does not exist`, 'not-found');
  return toTask(r);
}
