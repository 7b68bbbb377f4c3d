// Manual tasks: group changes Latchkey may not make itself (rule-managed or
// dynamic groups, groups owned by their source, a connection without write
// permission, a person with no account in that IdP). Someone makes the change
// where the group is managed and records the evidence here; completing an
// 'add' task makes the grant active, a 'remove' task ends it. Never a silent
// success: the task stays open in "Needs attention" until someone acts.
//
// This module owns the manual_tasks table: every statement on it is here.
import type { ManualTask } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';
import { patchLiveMembership } from '../sync/live-snapshot.js';
import { getGrant, grantsByIds, setGrant } from './grant-store.js';
import { jobRecord } from './job-store.js';
import { auditGrant, markEnded, markProvisioned, revokePayload } from './ledger.js';

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

const toTask = (r: TaskDb): ManualTask => ({
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
});

/** Tasks with what they are about, from their grants (one lookup for the page). */
function withGrants(db: Db, tasks: TaskDb[]): ManualTaskRow[] {
  const grants = grantsByIds(
    db,
    tasks.flatMap((t) => (t.grant_id === null ? [] : [t.grant_id])),
  );
  return tasks.map((t) => {
    const g = t.grant_id === null ? undefined : grants.get(t.grant_id);
    return {
      ...toTask(t),
      groupName: g?.group_name ?? null,
      beneficiary: g ? (g.beneficiary_email ?? g.beneficiary_name) : null,
      connectionId: g?.connection_id ?? null,
      requestId: g?.request_id ?? null,
    };
  });
}

/** Opens a task for a change Latchkey may not make itself; returns its id. Inside the caller's transaction. */
export function insertManualTask(
  db: Db,
  t: { grantId: number | null; jobId?: number | null; action: 'add' | 'remove'; reason: string; instructions: string },
  now: Date,
): number {
  return Number(
    db
      .prepare("INSERT INTO manual_tasks (grant_id, job_id, action, reason, instructions, status, created_at) VALUES (?, ?, ?, ?, ?, 'open', ?)")
      .run(t.grantId, t.jobId ?? null, t.action, t.reason, t.instructions, now.toISOString()).lastInsertRowid,
  );
}

/** A grant's open tasks (optionally of one action). */
export function openTasksOfGrant(db: Db, grantId: number, action?: 'add' | 'remove'): { id: number; action: 'add' | 'remove' }[] {
  return cachedStatement(db, "SELECT id, action FROM manual_tasks WHERE grant_id = ? AND status = 'open' AND (? IS NULL OR action = ?) ORDER BY id")
    .all(grantId, action ?? null, action ?? null) as { id: number; action: 'add' | 'remove' }[];
}

/** Closes a task: done with its evidence, or cancelled with why (in `evidence`). */
export function closeTask(db: Db, taskId: number, to: 'done' | 'cancelled', x: { evidence: string; by: string }, now: Date): void {
  db.prepare('UPDATE manual_tasks SET status = ?, evidence = ?, completed_by = ?, completed_at = ? WHERE id = ?').run(to, x.evidence, x.by, now.toISOString(), taskId);
}

export function countOpenTasks(db: Db): number {
  return db.prepare("SELECT count(*) FROM manual_tasks WHERE status = 'open'").pluck().get() as number;
}

/** A grant's tasks, oldest first (the request timeline). */
export function tasksOfGrants(db: Db, grantIds: readonly number[]): ManualTask[] {
  if (grantIds.length === 0) return [];
  return (db.prepare('SELECT * FROM manual_tasks WHERE grant_id IN (SELECT value FROM json_each(?)) ORDER BY id').all(JSON.stringify([...grantIds])) as TaskDb[]).map(toTask);
}

export function listManualTasks(ctx: EngineContext, q: { status?: 'open' | 'done' | 'cancelled' | 'all'; limit?: number } = {}): ManualTaskRow[] {
  const status = q.status ?? 'open';
  const rows = ctx.db.prepare("SELECT * FROM manual_tasks WHERE (@status = 'all' OR status = @status) ORDER BY id DESC LIMIT @limit").all({ status, limit: q.limit ?? 500 }) as TaskDb[];
  return withGrants(ctx.db, rows);
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
      closeTask(ctx.db, t.id, 'done', { evidence, by }, now);
      appendAudit(ctx.db, { actor: by, channel: ctx.channel, action: 'manual_task.completed', targetType: 'manual_task', targetId: t.id, details: { grantId: t.grant_id, jobId: t.job_id, action: t.action, evidence } }, now);
      const g = t.grant_id !== null ? getGrant(ctx.db, t.grant_id) : null;
      if (!g) return;
      const how = `manual task #${t.id} done by ${by}: ${evidence}`;
      if (t.action === 'add') {
        if (g.identity_id !== '') patchLiveMembership(ctx.db, g.connection_id, g.group_id, g.identity_id, true);
        markProvisioned(ctx.db, g, by, now, how);
      } else {
        if (g.identity_id !== '') patchLiveMembership(ctx.db, g.connection_id, g.group_id, g.identity_id, false);
        const job = t.job_id !== null ? jobRecord(ctx.db, t.job_id) : null;
        markEnded(ctx.db, g, revokePayload(job?.payload ?? {}, g), by, now, how);
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
      closeTask(ctx.db, t.id, 'cancelled', { evidence: `cancelled: ${input.reason}`, by }, now);
      appendAudit(ctx.db, { actor: by, channel: ctx.channel, action: 'manual_task.cancelled', targetType: 'manual_task', targetId: t.id, details: { grantId: t.grant_id, action: t.action, reason: input.reason } }, now);
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
  const t = ctx.db.prepare('SELECT * FROM manual_tasks WHERE id = ?').get(taskId) as TaskDb | undefined;
  if (!t) throw new UserError(`manual task #${taskId} does not exist`, 'not-found');
  return withGrants(ctx.db, [t])[0] as ManualTaskRow;
}

/** A task's state and evidence (a plan follows its manual steps by it), or null when it does not exist. */
export function taskState(db: Db, taskId: number): { status: 'open' | 'done' | 'cancelled'; evidence: string | null; completedBy: string | null } | null {
  const t = cachedStatement(db, 'SELECT status, evidence, completed_by FROM manual_tasks WHERE id = ?').get(taskId) as
    | { status: 'open' | 'done' | 'cancelled'; evidence: string | null; completed_by: string | null }
    | undefined;
  return t ? { status: t.status, evidence: t.evidence, completedBy: t.completed_by } : null;
}

/** The task a job was turned into (its outcome was 'manual'), or null. */
export function taskOfJob(db: Db, jobId: number): number | null {
  return (cachedStatement(db, 'SELECT id FROM manual_tasks WHERE job_id = ? ORDER BY id DESC LIMIT 1').pluck().get(jobId) as number | undefined) ?? null;
}
