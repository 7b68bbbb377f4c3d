// What people do with jobs, grants and drift from the console and the CLI:
// list them, retry or cancel a job, revoke a grant now, resolve drift. Each
// change is one transaction with its audit event.
import type { DriftRow, GrantRow, GrantStatus, JobRow, JobStatus } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { getSettings } from '../settings.js';
import { JOB_PRIORITY } from './job-types.js';
import type { Db } from '../db/database.js';
import { auditGrant, cancelProvisioning, connectionLabel, enqueueRevoke, getGrant, setGrant, who, type GrantRecord } from './ledger.js';

type JobDb = {
  id: number;
  kind: JobRow['kind'];
  grant_id: number | null;
  request_id: number | null;
  connection_id: number | null;
  payload: string;
  status: JobStatus;
  attempts: number;
  max_attempts: number;
  run_after: string;
  last_error: string | null;
  created_at: string;
  finished_at: string | null;
  g_email: string | null;
  g_name: string | null;
  g_group: string | null;
  c_name: string | null;
  c_kind: string | null;
};

const JOB_SELECT = `SELECT j.*, g.beneficiary_email AS g_email, g.beneficiary_name AS g_name, g.group_name AS g_group, c.name AS c_name, c.kind AS c_kind
  FROM jobs j LEFT JOIN grants g ON g.id = j.grant_id LEFT JOIN connections c ON c.id = j.connection_id`;

function summaryOf(r: JobDb): string {
  const idp = r.c_kind === 'entra' ? 'Entra' : r.c_kind === 'okta' ? 'Okta' : (r.c_kind ?? '?');
  const whom = r.g_email ?? r.g_name ?? 'someone';
  if (r.kind === 'provision') return `Add ${whom} to ${r.g_group ?? '?'} (${r.c_name ?? idp})`;
  if (r.kind === 'revoke') return `Remove ${whom} from ${r.g_group ?? '?'} (${r.c_name ?? idp})`;
  const p = JSON.parse(r.payload) as { event?: string };
  return `Jira update for request #${r.request_id ?? '?'}${p.event ? `: ${p.event}` : ''}`;
}

const toJob = (r: JobDb): JobRow & { attemptsLog?: unknown } => ({
  id: r.id,
  kind: r.kind,
  grantId: r.grant_id,
  requestId: r.request_id,
  connectionId: r.connection_id,
  status: r.status,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAfter: r.run_after,
  lastError: r.last_error,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
  summary: summaryOf(r),
});

export type JobListQuery = { status?: JobStatus | 'attention' | 'all'; kind?: JobRow['kind']; requestId?: number; grantId?: number; limit?: number; offset?: number };

export function listJobs(ctx: EngineContext, q: JobListQuery = {}): { rows: JobRow[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const status = q.status ?? 'all';
  if (status === 'attention') where.push("j.status = 'failed'");
  else if (status !== 'all') {
    where.push('j.status = @status');
    params.status = status;
  }
  if (q.kind) {
    where.push('j.kind = @kind');
    params.kind = q.kind;
  }
  if (q.requestId !== undefined) {
    where.push('j.request_id = @requestId');
    params.requestId = q.requestId;
  }
  if (q.grantId !== undefined) {
    where.push('j.grant_id = @grantId');
    params.grantId = q.grantId;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const total = (ctx.db.prepare(`SELECT count(*) AS n FROM jobs j ${w}`).get(params) as { n: number }).n;
  const rows = ctx.db.prepare(`${JOB_SELECT} ${w} ORDER BY j.id DESC LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit ?? 200, offset: q.offset ?? 0 }) as JobDb[];
  return { rows: rows.map(toJob), total };
}

/** Every job of a request (provisioning, revocation, Jira updates), oldest first, as the console shows them. */
export function jobsOfRequest(db: Db, requestId: number): JobRow[] {
  return (db.prepare(`${JOB_SELECT} WHERE j.request_id = ? ORDER BY j.id`).all(requestId) as JobDb[]).map(toJob);
}

export function getJob(ctx: EngineContext, jobId: number): JobRow {
  const r = ctx.db.prepare(`${JOB_SELECT} WHERE j.id = ?`).get(jobId) as JobDb | undefined;
  if (!r) throw new UserError(`job #${jobId} does not exist`, 'not-found');
  return toJob(r);
}

/** Every attempt of a job (for the timeline and the Needs attention detail). */
export function jobAttempts(ctx: EngineContext, jobId: number): { attempt: number; startedAt: string; finishedAt: string | null; outcome: string | null; httpStatus: number | null; error: string | null }[] {
  return (
    ctx.db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY attempt').all(jobId) as {
      attempt: number;
      started_at: string;
      finished_at: string | null;
      outcome: string | null;
      http_status: number | null;
      error: string | null;
    }[]
  ).map((a) => ({ attempt: a.attempt, startedAt: a.started_at, finishedAt: a.finished_at, outcome: a.outcome, httpStatus: a.http_status, error: a.error }));
}

/** Re-queues a failed (or cancelled) job with three more attempts; its grant goes back to waiting. */
export function retryJob(ctx: EngineContext, jobId: number, by: string = ctx.actor): JobRow {
  const now = ctx.clock.now();
  const at = now.toISOString();
  ctx.db
    .transaction(() => {
      const j = ctx.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobDb | undefined;
      if (!j) throw new UserError(`job #${jobId} does not exist`, 'not-found');
      if (j.status !== 'failed' && j.status !== 'cancelled') throw new UserError(`job #${jobId} is ${j.status}: only failed or cancelled jobs can be retried`, 'conflict');
      const g = j.grant_id !== null ? getGrant(ctx.db, j.grant_id) : null;
      if (g && j.kind === 'provision' && !['failed', 'pending', 'cancelled'].includes(g.status)) {
        throw new UserError(`grant #${g.id} is ${g.status}: its provisioning cannot be retried`, 'conflict');
      }
      if (g && j.kind === 'provision' && g.expires_at !== null && g.expires_at <= at) {
        throw new UserError(`grant #${g.id} expired at ${g.expires_at}: request it again instead`, 'conflict');
      }
      ctx.db
        .prepare(
          `UPDATE jobs SET status = 'queued', run_after = ?, max_attempts = attempts + 3, locked_by = NULL, locked_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?`,
        )
        .run(at, at, j.id);
      appendAudit(ctx.db, { actor: by, action: 'job.retried', targetType: 'job', targetId: j.id, details: { kind: j.kind, grantId: j.grant_id, previousStatus: j.status, lastError: j.last_error } }, now);
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
      const j = ctx.db.prepare('SELECT * FROM jobs WHERE id = ?').get(jobId) as JobDb | undefined;
      if (!j) throw new UserError(`job #${jobId} does not exist`, 'not-found');
      if (j.status === 'running') throw new UserError(`job #${jobId} is running right now; cancel it when its attempt has finished`, 'conflict');
      if (j.status !== 'queued' && j.status !== 'failed') throw new UserError(`job #${jobId} is ${j.status}: only queued or failed jobs can be cancelled`, 'conflict');
      const g = j.grant_id !== null ? getGrant(ctx.db, j.grant_id) : null;
      if (g && j.kind === 'revoke' && g.expires_at !== null && g.expires_at <= at) {
        throw new UserError(`job #${jobId} removes access that expired at ${g.expires_at}: it cannot be cancelled (retry it, or extend the access with a new request)`, 'conflict');
      }
      ctx.db.prepare("UPDATE jobs SET status = 'cancelled', last_error = ?, finished_at = ?, updated_at = ? WHERE id = ?").run(`cancelled by ${by}: ${input.reason}`, at, at, j.id);
      appendAudit(ctx.db, { actor: by, action: 'job.cancelled', targetType: 'job', targetId: j.id, details: { kind: j.kind, grantId: j.grant_id, reason: input.reason } }, now);
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
      const open = ctx.db.prepare("SELECT id FROM manual_tasks WHERE grant_id = ? AND status = 'open' AND action = 'add'").all(g.id) as { id: number }[];
      for (const t of open) {
        ctx.db.prepare("UPDATE manual_tasks SET status = 'cancelled', evidence = ?, completed_by = ?, completed_at = ? WHERE id = ?").run(`cancelled: the grant was revoked by ${by}`, by, now.toISOString(), t.id);
      }
      const jobId = enqueueRevoke(ctx.db, g, { reason: 'revoked', by, note }, JOB_PRIORITY.revoke, now);
      setGrant(ctx.db, g.id, { status: 'revoking' }, now);
      auditGrant(ctx.db, by, 'grant.revoke_requested', g, { reason: note, revokeJobId: jobId, cancelledJobs: cancelled, cancelledTasks: open.map((t) => t.id) }, now);
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [grantId] });
  return getGrantRow(ctx, grantId);
}

type GrantDb = GrantRecord & { role_label: string | null; connection_name: string | null };

const GRANT_SELECT = `SELECT g.*, CASE WHEN r.id IS NULL THEN NULL ELSE a.name || ' / ' || r.name END AS role_label, c.name AS connection_name
  FROM grants g LEFT JOIN catalog_roles r ON r.id = g.role_id LEFT JOIN catalog_apps a ON a.id = r.app_id
  LEFT JOIN connections c ON c.id = g.connection_id`;

/** A ledger row as the console shows it (the request detail, Needs attention, the grants list). */
export const toGrant = (r: GrantDb): GrantRow => ({
  id: r.id,
  requestId: r.request_id,
  roleId: r.role_id,
  roleLabel: r.role_label,
  connectionId: r.connection_id,
  connectionName: r.connection_name,
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
});

export function getGrantRow(ctx: EngineContext, grantId: number): GrantRow {
  const r = ctx.db.prepare(`${GRANT_SELECT} WHERE g.id = ?`).get(grantId) as GrantDb | undefined;
  if (!r) throw new UserError(`grant #${grantId} does not exist`, 'not-found');
  return toGrant(r);
}

export type GrantListQuery = {
  /** 'time-bound': active with an end date; 'expiring-soon': active and ending within `withinHours` (default: the notice window). */
  filter?: 'all' | 'active' | 'time-bound' | 'expiring-soon' | 'ended';
  withinHours?: number;
  requestId?: number;
  search?: string;
  limit?: number;
  offset?: number;
};

export function listGrants(ctx: EngineContext, q: GrantListQuery = {}): { rows: GrantRow[]; total: number } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const now = ctx.clock.now();
  switch (q.filter ?? 'all') {
    case 'active':
      where.push("g.status IN ('active', 'revoking')");
      break;
    case 'time-bound':
      where.push("g.status = 'active' AND g.expires_at IS NOT NULL");
      break;
    case 'expiring-soon': {
      const hours = q.withinHours ?? getSettings(ctx.db).expiryNoticeHours;
      where.push("g.status = 'active' AND g.expires_at IS NOT NULL AND g.expires_at > @now AND g.expires_at <= @until");
      params.now = now.toISOString();
      params.until = new Date(now.getTime() + Math.max(hours, 1) * 3_600_000).toISOString();
      break;
    }
    case 'ended':
      where.push("g.status IN ('revoked', 'expired', 'cancelled')");
      break;
    default:
  }
  if (q.requestId !== undefined) {
    where.push('g.request_id = @requestId');
    params.requestId = q.requestId;
  }
  if (q.search && q.search.trim() !== '') {
    where.push("(g.beneficiary_name LIKE @s ESCAPE '\\' OR coalesce(g.beneficiary_email, '') LIKE @s ESCAPE '\\' OR g.group_name LIKE @s ESCAPE '\\')");
    params.s = `%${q.search.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  }
  const w = where.length ? `WHERE ${where.join(' AND ')}` : '';
  // What ends first comes first where the end is the point; otherwise the newest grant.
  const order = q.filter === 'expiring-soon' || q.filter === 'time-bound' ? 'g.expires_at, g.id' : 'g.id DESC';
  const total = (ctx.db.prepare(`SELECT count(*) AS n FROM grants g ${w}`).get(params) as { n: number }).n;
  const rows = ctx.db.prepare(`${GRANT_SELECT} ${w} ORDER BY ${order} LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.limit ?? 200, offset: q.offset ?? 0 }) as GrantDb[];
  return { rows: rows.map(toGrant), total };
}

type DriftDb = {
  id: number;
  kind: DriftRow['kind'];
  connection_id: number;
  group_id: string;
  identity_id: string;
  grant_id: number | null;
  details: string;
  detected_at: string;
  resolved_at: string | null;
  resolution: string | null;
  group_name: string | null;
  identity_name: string | null;
};

function driftMessage(db: EngineContext['db'], r: DriftDb): string {
  const raw = JSON.parse(r.details) as Record<string, unknown>;
  const d = (k: string): string | null => (typeof raw[k] === 'string' ? raw[k] : null);
  const whom = r.identity_name ?? r.identity_id;
  const group = r.group_name ?? r.group_id;
  const where = connectionLabel(db, r.connection_id);
  switch (r.kind) {
    case 'reappeared':
      return `${whom} is a member of "${group}" in ${where} again, although Latchkey ended that access (grant #${r.grant_id ?? '?'}: ${d('endReason') ?? d('grantStatus') ?? 'ended'}). It was not re-granted: someone added it outside Latchkey. Remove it, or have it requested.`;
    case 'missing':
      return `${whom} should be a member of "${group}" in ${where} (active grant #${r.grant_id ?? '?'}), but the last sync did not find the membership: it was removed outside Latchkey.`;
    case 'expired-still-member':
      return `${whom}'s access to "${group}" in ${where} expired at ${d('expiresAt') ?? '?'} (grant #${r.grant_id ?? '?'}, ${d('grantStatus') ?? ''}) but the last sync still found the membership: its revocation has not gone through.`;
  }
}

export function listDrift(ctx: EngineContext, q: { open?: boolean; limit?: number } = {}): DriftRow[] {
  const rows = ctx.db
    .prepare(
      `SELECT d.*, cg.name AS group_name, ci.display_name AS identity_name FROM drift d
       LEFT JOIN cur_groups cg ON cg.connection_id = d.connection_id AND cg.id = d.group_id
       LEFT JOIN cur_identities ci ON ci.connection_id = d.connection_id AND ci.id = d.identity_id
       WHERE (@open = 0 OR d.resolved_at IS NULL) ORDER BY d.id DESC LIMIT @limit`,
    )
    .all({ open: q.open === false ? 0 : 1, limit: q.limit ?? 500 }) as DriftDb[];
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    connectionId: r.connection_id,
    groupId: r.group_id,
    groupName: r.group_name,
    identityId: r.identity_id,
    identityName: r.identity_name,
    grantId: r.grant_id,
    detectedAt: r.detected_at,
    resolvedAt: r.resolved_at,
    message: driftMessage(ctx.db, r),
  }));
}

/** Closes a drift row by hand. 'accept': the finding is known and stays accepted for that grant (not flagged again). */
export function resolveDrift(ctx: EngineContext, driftId: number, input: { resolution: 'fixed' | 'accept'; note: string; by?: string }): DriftRow {
  const by = input.by ?? ctx.actor;
  const now = ctx.clock.now();
  if (input.note.trim() === '') throw new UserError('a note is required: say what was done or why it is accepted', 'bad-input');
  ctx.db
    .transaction(() => {
      const d = ctx.db.prepare('SELECT * FROM drift WHERE id = ?').get(driftId) as DriftDb | undefined;
      if (!d) throw new UserError(`drift #${driftId} does not exist`, 'not-found');
      if (d.resolved_at !== null) throw new UserError(`drift #${driftId} was already resolved at ${d.resolved_at} (${d.resolution ?? ''})`, 'conflict');
      const resolution = `${input.resolution === 'accept' ? 'accepted' : 'fixed'} by ${by}: ${input.note.trim()}`;
      ctx.db.prepare('UPDATE drift SET resolved_at = ?, resolution = ? WHERE id = ?').run(now.toISOString(), resolution, d.id);
      appendAudit(ctx.db, { actor: by, action: 'drift.resolved', targetType: 'drift', targetId: d.id, details: { kind: d.kind, grantId: d.grant_id, resolution } }, now);
    })
    .immediate();
  ctx.events.emit('governance:changed', { area: 'jobs', ids: [driftId] });
  const row = listDrift(ctx, { open: false, limit: 100_000 }).find((r) => r.id === driftId);
  if (!row) throw new UserError(`drift #${driftId} does not exist`, 'not-found');
  return row;
}

/** Counts for the sidebar badge and the page header: failed jobs + open manual tasks + open drift. */
export function attentionCounts(ctx: EngineContext): { failed: number; manual: number; drift: number; expiringSoon: number; total: number } {
  const n = (sql: string, ...p: unknown[]): number => (ctx.db.prepare(sql).get(...p) as { n: number }).n;
  const failed = n("SELECT count(*) AS n FROM jobs WHERE status = 'failed'");
  const manual = n("SELECT count(*) AS n FROM manual_tasks WHERE status = 'open'");
  const drift = n('SELECT count(*) AS n FROM drift WHERE resolved_at IS NULL');
  const expiringSoon = listGrants(ctx, { filter: 'expiring-soon', limit: 1 }).total;
  return { failed, manual, drift, expiringSoon, total: failed + manual + drift };
}

export { who };
