// What people do with jobs, grants and drift from the console and the CLI:
// list them, retry or cancel a job, revoke a grant now, resolve drift. Each
// change is one transaction with its audit event.
import type { GrantRow, GrantStatus, JobRow, JobStatus } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { roleLabels } from '../catalog/catalog-store.js';
import { listConnectionRecords } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { getSettings } from '../settings/settings.js';
import { countOpenDrift } from './drift.js';
import { getGrant, grantsByIds, listGrantRecords, setGrant, type GrantFilter, type GrantRecord } from './grant-store.js';
import { cancelJobRow, countJobs, jobAttempts as attemptsOf, jobRecord, jobsOfRequest as jobRecordsOfRequest, listJobRecords, requeueJob, type JobRecord } from './job-store.js';
import { JOB_PRIORITY, SUSPEND_OP } from './job-types.js';
import { auditGrant, cancelProvisioning, enqueueRevoke, who } from './ledger.js';
import { closeTask, countOpenTasks, openTasksOfGrant } from './manual-tasks.js';

/** Connection names and kinds by id, for the lines that name where a job or grant acts. */
function connectionsById(db: Db): Map<number, { name: string; kind: string }> {
  return new Map(listConnectionRecords(db).map((c) => [c.id, { name: c.name, kind: c.kind }]));
}

/** Jobs as the console shows them: each with one line saying what it does, from its grant and connection. */
function jobRows(db: Db, jobs: readonly JobRecord[]): JobRow[] {
  const grants = grantsByIds(
    db,
    jobs.flatMap((j) => (j.grantId === null ? [] : [j.grantId])),
  );
  const connections = connectionsById(db);
  return jobs.map((j) => {
    const g = j.grantId === null ? undefined : grants.get(j.grantId);
    const c = j.connectionId === null ? undefined : connections.get(j.connectionId);
    return {
      id: j.id,
      kind: j.kind,
      grantId: j.grantId,
      requestId: j.requestId,
      connectionId: j.connectionId,
      status: j.status,
      attempts: j.attempts,
      maxAttempts: j.maxAttempts,
      runAfter: j.runAfter,
      lastError: j.lastError,
      createdAt: j.createdAt,
      finishedAt: j.finishedAt,
      summary: summaryOf(j, g, c),
    };
  });
}

function summaryOf(j: JobRecord, g: GrantRecord | undefined, c: { name: string; kind: string } | undefined): string {
  const idp = c?.kind === 'entra' ? 'Entra' : c?.kind === 'okta' ? 'Okta' : (c?.kind ?? '?');
  const whom = g ? (g.beneficiary_email ?? g.beneficiary_name) : 'someone';
  if (j.kind === 'provision') return `Add ${whom} to ${g?.group_name ?? '?'} (${c?.name ?? idp})`;
  if (j.kind === 'revoke' && j.payload.op === SUSPEND_OP) return `Suspend the account ${typeof j.payload.identityId === 'string' ? j.payload.identityId : '?'} (${c?.name ?? idp})`;
  if (j.kind === 'revoke') return `Remove ${whom} from ${g?.group_name ?? '?'} (${c?.name ?? idp})`;
  const event = typeof j.payload.event === 'string' ? j.payload.event : null;
  if (event === 'audit-anchor') return `Audit checkpoint comment on ${typeof j.payload.issueKey === 'string' ? j.payload.issueKey : '?'} (${c?.name ?? 'Jira'})`;
  return `Jira update for request #${j.requestId ?? '?'}${event ? `: ${event}` : ''}`;
}

export type JobListQuery = { status?: JobStatus | 'attention' | 'all'; kind?: JobRow['kind']; requestId?: number; grantId?: number; limit?: number; offset?: number };

export function listJobs(ctx: EngineContext, q: JobListQuery = {}): { rows: JobRow[]; total: number } {
  const { rows, total } = listJobRecords(ctx.db, q);
  return { rows: jobRows(ctx.db, rows), total };
}

/** Every job of a request (provisioning, revocation, Jira updates), oldest first, as the console shows them. */
export function jobsOfRequest(db: Db, requestId: number): JobRow[] {
  return jobRows(db, jobRecordsOfRequest(db, requestId));
}

export function getJob(ctx: EngineContext, jobId: number): JobRow {
  const j = jobRecord(ctx.db, jobId);
  if (!j) throw new UserError(`job #${jobId} does not exist`, 'not-found');
  return jobRows(ctx.db, [j])[0] as JobRow;
}

/** Every attempt of a job (for the timeline and the Needs attention detail). */
export function jobAttempts(ctx: EngineContext, jobId: number): ReturnType<typeof attemptsOf> {
  return attemptsOf(ctx.db, jobId);
}

/** Re-queues a failed (or cancelled) job with three more attempts; its grant goes back to waiting. */
export function retryJob(ctx: EngineContext, jobId: number, by: string = ctx.actor): JobRow {
  const now = ctx.clock.now();
  const at = now.toISOString();
  ctx.db
    .transaction(() => {
      const j = jobRecord(ctx.db, jobId);
      if (!j) throw new UserError(`job #${jobId} does not exist`, 'not-found');
      if (j.status !== 'failed' && j.status !== 'cancelled') throw new UserError(`job #${jobId} is ${j.status}: only failed or cancelled jobs can be retried`, 'conflict');
      const g = j.grantId !== null ? getGrant(ctx.db, j.grantId) : null;
      if (g && j.kind === 'provision' && !['failed', 'pending', 'cancelled'].includes(g.status)) {
        throw new UserError(`grant #${g.id} is ${g.status}: its provisioning cannot be retried`, 'conflict');
      }
      if (g && j.kind === 'provision' && g.expires_at !== null && g.expires_at <= at) {
        throw new UserError(`grant #${g.id} expired at ${g.expires_at}: request it again instead`, 'conflict');
      }
      requeueJob(ctx.db, j.id, 3, now);
      appendAudit(ctx.db, { actor: by, channel: ctx.channel, action: 'job.retried', targetType: 'job', targetId: j.id, details: { kind: j.kind, grantId: j.grantId, previousStatus: j.status, lastError: j.lastError } }, now);
      if (g && j.kind !== 'jira') {
        const status: GrantStatus = j.kind === 'provision' ? 'pending' : 'revoking';
        setGrant(ctx.db, g.id, { status, ...(g.status === 'cancelled' ? { ended_at: null, end_reason: null } : {}) }, now);
        auditGrant(ctx.db, by, 'grant.retry', g, { jobId: j.id, status }, now);
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [jobId] });
  return getJob(ctx, jobId);
}

/**
 * Cancels a queued or failed job. Provisioning: the grant is cancelled (the
 * access is never given). A revocation of a grant past its expiry cannot be
 * cancelled (the access must end); one of a manual revoke puts the grant back.
 */
export function cancelJob(ctx: EngineContext, jobId: number, input: { reason: string; by?: string }): JobRow {
  const by = input.by ?? ctx.actor;
  const now = ctx.clock.now();
  const at = now.toISOString();
  ctx.db
    .transaction(() => {
      const j = jobRecord(ctx.db, jobId);
      if (!j) throw new UserError(`job #${jobId} does not exist`, 'not-found');
      if (j.status === 'running') throw new UserError(`job #${jobId} is running right now; cancel it when its attempt has finished`, 'conflict');
      if (j.status !== 'queued' && j.status !== 'failed') throw new UserError(`job #${jobId} is ${j.status}: only queued or failed jobs can be cancelled`, 'conflict');
      const g = j.grantId !== null ? getGrant(ctx.db, j.grantId) : null;
      if (g && j.kind === 'revoke' && g.expires_at !== null && g.expires_at <= at) {
        throw new UserError(`job #${jobId} removes access that expired at ${g.expires_at}: it cannot be cancelled (retry it, or extend the access with a new request)`, 'conflict');
      }
      cancelJobRow(ctx.db, j.id, `cancelled by ${by}: ${input.reason}`, now);
      appendAudit(ctx.db, { actor: by, channel: ctx.channel, action: 'job.cancelled', targetType: 'job', targetId: j.id, details: { kind: j.kind, grantId: j.grantId, reason: input.reason } }, now);
      if (!g || j.kind === 'jira') return;
      if (j.kind === 'provision') {
        setGrant(ctx.db, g.id, { status: 'cancelled', ended_at: at, end_reason: `cancelled by ${by}: ${input.reason}` }, now);
        auditGrant(ctx.db, by, 'grant.cancelled', g, { jobId: j.id, reason: input.reason }, now);
      } else {
        const status: GrantStatus = g.provisioned_at !== null ? 'active' : 'cancelled';
        setGrant(ctx.db, g.id, { status }, now);
        auditGrant(ctx.db, by, 'grant.revocation_withdrawn', g, { jobId: j.id, reason: input.reason, status }, now);
      }
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [jobId] });
  return getJob(ctx, jobId);
}

/** Revokes a grant now: a revocation job (the grant shows 'revoking' until the IdP confirms). */
export function revokeGrant(ctx: EngineContext, grantId: number, input: { reason: string; by?: string }): GrantRow {
  const by = input.by ?? ctx.actor;
  const note = input.reason.trim();
  if (note === '') throw new UserError('a reason is required to revoke access', 'bad-input');
  const now = ctx.clock.now();
  ctx.db
    .transaction(() => {
      const g = getGrant(ctx.db, grantId);
      if (!g) throw new UserError(`grant #${grantId} does not exist`, 'not-found');
      if (!['active', 'pending', 'failed', 'manual'].includes(g.status)) throw new UserError(`grant #${grantId} is ${g.status}: there is nothing to revoke`, 'conflict');
      const cancelled = cancelProvisioning(ctx.db, g.id, `cancelled: revoked by ${by}`, now);
      const open = openTasksOfGrant(ctx.db, g.id, 'add');
      for (const t of open) closeTask(ctx.db, t.id, 'cancelled', { evidence: `cancelled: the grant was revoked by ${by}`, by }, now);
      // Who and through which channel: the job carries both to the grant's end reason ("revoked by … via console: …").
      const jobId = enqueueRevoke(ctx.db, g, { reason: 'revoked', by, note, ...(ctx.channel ? { channel: ctx.channel } : {}) }, JOB_PRIORITY.revoke, now);
      setGrant(ctx.db, g.id, { status: 'revoking' }, now);
      auditGrant(ctx.db, by, 'grant.revoke_requested', g, { reason: note, revokeJobId: jobId, cancelledJobs: cancelled, cancelledTasks: open.map((t) => t.id) }, now, ctx.channel);
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [grantId] });
  return getGrantRow(ctx, grantId);
}

/** Ledger rows as the console shows them (the request detail, Needs attention, the grants list), with role labels and connection names. */
export function grantRows(db: Db, grants: readonly GrantRecord[]): GrantRow[] {
  const labels = roleLabels(
    db,
    grants.flatMap((g) => (g.role_id === null ? [] : [g.role_id])),
  );
  const connections = connectionsById(db);
  return grants.map((r) => ({
    id: r.id,
    requestId: r.request_id,
    roleId: r.role_id,
    roleLabel: r.role_id === null ? null : (labels.get(r.role_id) ?? null),
    connectionId: r.connection_id,
    connectionName: connections.get(r.connection_id)?.name ?? null,
    groupId: r.group_id,
    groupName: r.group_name,
    identityId: r.identity_id,
    beneficiaryEmail: r.beneficiary_email,
    beneficiaryName: r.beneficiary_name,
    status: r.status,
    startsAt: r.starts_at,
    expiresAt: r.expires_at,
    provisionedAt: r.provisioned_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
  }));
}

export function getGrantRow(ctx: EngineContext, grantId: number): GrantRow {
  const g = getGrant(ctx.db, grantId);
  if (!g) throw new UserError(`grant #${grantId} does not exist`, 'not-found');
  return grantRows(ctx.db, [g])[0] as GrantRow;
}

export type GrantListQuery = {
  /** 'time-bound': active with an end date; 'expiring-soon': active and ending within `withinHours` (default: the notice window). */
  filter?: 'all' | 'active' | 'time-bound' | 'expiring-soon' | 'ended';
  withinHours?: number;
  requestId?: number;
  connectionId?: number;
  endedHow?: GrantFilter['endedHow'];
  search?: string;
  limit?: number;
  offset?: number;
};

export function listGrants(ctx: EngineContext, q: GrantListQuery = {}): { rows: GrantRow[]; total: number } {
  const now = ctx.clock.now();
  // "Soon" is the asked window, else the notice window, and at least an hour when notices are off.
  const hours = q.filter === 'expiring-soon' ? (q.withinHours ?? getSettings(ctx.db).expiryNoticeHours) : 0;
  const { rows, total } = listGrantRecords(ctx.db, { ...q, window: { now, until: new Date(now.getTime() + Math.max(hours, 1) * 3_600_000) } });
  return { rows: grantRows(ctx.db, rows), total };
}

/** Counts for the sidebar badge and the page header: failed jobs + open manual tasks + open drift. */
export function attentionCounts(ctx: EngineContext): { failed: number; manual: number; drift: number; expiringSoon: number; total: number } {
  const failed = countJobs(ctx.db, 'failed');
  const manual = countOpenTasks(ctx.db);
  const drift = countOpenDrift(ctx.db);
  const expiringSoon = listGrants(ctx, { filter: 'expiring-soon', limit: 1 }).total;
  return { failed, manual, drift, expiringSoon, total: failed + manual + drift };
}

export { who };
