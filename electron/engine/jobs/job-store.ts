// The jobs and job_attempts tables: every statement that reads or writes
// them. Enqueueing is always called inside the transaction of the state
// change that needs the effect (an approval, an expiry), so a crash can never
// leave an approved grant without its provisioning job or the other way
// round. The runner's claims are atomic here (UPDATE ... WHERE status =
// 'queued'), so two processes on one workspace never run one job twice.
import type { JobKind, JobStatus } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';
import { cachedStatement } from '../db/statement-cache.js';
import type { ClaimedJob, EnqueueJob } from './job-types.js';
import { JOB_PRIORITY } from './job-types.js';

/** A jobs row, decoded. */
export type JobRecord = {
  id: number;
  kind: JobKind;
  grantId: number | null;
  requestId: number | null;
  connectionId: number | null;
  payload: Record<string, unknown>;
  status: JobStatus;
  priority: number;
  attempts: number;
  maxAttempts: number;
  runAfter: string;
  lockedBy: string | null;
  lockedAt: string | null;
  lastError: string | null;
  result: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
};

type JobDb = {
  id: number;
  kind: JobKind;
  grant_id: number | null;
  request_id: number | null;
  connection_id: number | null;
  payload: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  max_attempts: number;
  run_after: string;
  locked_by: string | null;
  locked_at: string | null;
  last_error: string | null;
  result: string | null;
  created_at: string;
  updated_at: string;
  finished_at: string | null;
};

function parsePayload(text: string): Record<string, unknown> {
  try {
    const v = JSON.parse(text) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const toRecord = (r: JobDb): JobRecord => ({
  id: r.id,
  kind: r.kind,
  grantId: r.grant_id,
  requestId: r.request_id,
  connectionId: r.connection_id,
  payload: parsePayload(r.payload),
  status: r.status,
  priority: r.priority,
  attempts: r.attempts,
  maxAttempts: r.max_attempts,
  runAfter: r.run_after,
  lockedBy: r.locked_by,
  lockedAt: r.locked_at,
  lastError: r.last_error,
  result: r.result,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  finishedAt: r.finished_at,
});

/** Inserts a queued job; with an idempotency key already used, returns the existing job's id. */
export function enqueueJob(db: Db, job: EnqueueJob, now: Date): number {
  const at = now.toISOString();
  const row = cachedStatement(
    db,
    `INSERT INTO jobs (kind, grant_id, request_id, connection_id, payload, status, priority, max_attempts, run_after, idempotency_key, created_at, updated_at)
     VALUES (@kind, @grantId, @requestId, @connectionId, @payload, 'queued', @priority, @maxAttempts, @runAfter, @key, @at, @at)
     ON CONFLICT (idempotency_key) DO NOTHING
     RETURNING id`,
  ).get({
      kind: job.kind,
      grantId: job.grantId ?? null,
      requestId: job.requestId ?? null,
      connectionId: job.connectionId ?? null,
      payload: JSON.stringify(job.payload ?? {}),
      priority: job.priority ?? JOB_PRIORITY[job.kind === 'jira' ? 'jira' : job.kind],
      maxAttempts: job.maxAttempts ?? 8,
      runAfter: (job.runAfter ?? now).toISOString(),
      key: job.idempotencyKey ?? null,
      at,
    }) as { id: number } | undefined;
  if (row) return row.id;
  const existing = cachedStatement(db, 'SELECT id FROM jobs WHERE idempotency_key = ?').get(job.idempotencyKey) as { id: number };
  return existing.id;
}

/** Queued or running, and failed, jobs of one kind, with the newest error of those still open (the Jira card's write-back queue). */
export function jobKindCounts(db: Db, kind: EnqueueJob['kind']): { pending: number; failed: number; lastError: string | null } {
  const row = db
    .prepare(
      `SELECT SUM(status IN ('queued', 'running')) AS pending, SUM(status = 'failed') AS failed,
              (SELECT last_error FROM jobs WHERE kind = @kind AND last_error IS NOT NULL AND status IN ('queued', 'running', 'failed') ORDER BY updated_at DESC, id DESC LIMIT 1) AS lastError
         FROM jobs WHERE kind = @kind`,
    )
    .get({ kind }) as { pending: number | null; failed: number | null; lastError: string | null };
  return { pending: row.pending ?? 0, failed: row.failed ?? 0, lastError: row.lastError };
}

export function jobRecord(db: Db, id: number): JobRecord | null {
  const r = cachedStatement(db, 'SELECT * FROM jobs WHERE id = ?').get(id) as JobDb | undefined;
  return r ? toRecord(r) : null;
}

/** The job enqueued under an idempotency key (e.g. `revoke:grant:42`), if any. */
export function jobByKey(db: Db, key: string): JobRecord | null {
  const r = cachedStatement(db, 'SELECT * FROM jobs WHERE idempotency_key = ?').get(key) as JobDb | undefined;
  return r ? toRecord(r) : null;
}

export type JobFilter = { status?: JobStatus | 'attention' | 'all'; kind?: JobKind; requestId?: number; grantId?: number };

function jobWhere(q: JobFilter): { sql: string; params: Record<string, unknown> } {
  const where: string[] = [];
  const params: Record<string, unknown> = {};
  const status = q.status ?? 'all';
  if (status === 'attention') where.push("status = 'failed'");
  else if (status !== 'all') {
    where.push('status = @status');
    params.status = status;
  }
  if (q.kind) {
    where.push('kind = @kind');
    params.kind = q.kind;
  }
  if (q.requestId !== undefined) {
    where.push('request_id = @requestId');
    params.requestId = q.requestId;
  }
  if (q.grantId !== undefined) {
    where.push('grant_id = @grantId');
    params.grantId = q.grantId;
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

/** A page of jobs, newest first, and how many match. */
export function listJobRecords(db: Db, q: JobFilter & { limit?: number; offset?: number }): { rows: JobRecord[]; total: number } {
  const w = jobWhere(q);
  const total = db.prepare(`SELECT count(*) FROM jobs ${w.sql}`).pluck().get(w.params) as number;
  const rows = db.prepare(`SELECT * FROM jobs ${w.sql} ORDER BY id DESC LIMIT @limit OFFSET @offset`).all({ ...w.params, limit: q.limit ?? 200, offset: q.offset ?? 0 }) as JobDb[];
  return { rows: rows.map(toRecord), total };
}

/** Every job of a request (provisioning, revocation, Jira updates), oldest first. */
export function jobsOfRequest(db: Db, requestId: number): JobRecord[] {
  return (db.prepare('SELECT * FROM jobs WHERE request_id = ? ORDER BY id').all(requestId) as JobDb[]).map(toRecord);
}

export type JobAttempt = { attempt: number; startedAt: string; finishedAt: string | null; outcome: string | null; httpStatus: number | null; error: string | null };

/** Every attempt of a job, in order. */
export function jobAttempts(db: Db, jobId: number): JobAttempt[] {
  return (
    db.prepare('SELECT * FROM job_attempts WHERE job_id = ? ORDER BY attempt').all(jobId) as {
      attempt: number;
      started_at: string;
      finished_at: string | null;
      outcome: string | null;
      http_status: number | null;
      error: string | null;
    }[]
  ).map((a) => ({ attempt: a.attempt, startedAt: a.started_at, finishedAt: a.finished_at, outcome: a.outcome, httpStatus: a.http_status, error: a.error }));
}

/** Every attempt of some jobs, in the order they started (the request timeline). */
export function jobAttemptsOf(db: Db, jobIds: readonly number[]): (JobAttempt & { jobId: number })[] {
  if (jobIds.length === 0) return [];
  return (
    db
      .prepare('SELECT * FROM job_attempts WHERE job_id IN (SELECT value FROM json_each(?)) ORDER BY started_at, job_id, attempt')
      .all(JSON.stringify([...jobIds])) as { job_id: number; attempt: number; started_at: string; finished_at: string | null; outcome: string | null; http_status: number | null; error: string | null }[]
  ).map((a) => ({ jobId: a.job_id, attempt: a.attempt, startedAt: a.started_at, finishedAt: a.finished_at, outcome: a.outcome, httpStatus: a.http_status, error: a.error }));
}

export function countJobs(db: Db, status: JobStatus): number {
  return db.prepare('SELECT count(*) FROM jobs WHERE status = ?').pluck().get(status) as number;
}

/** Puts a failed or cancelled job back in the queue with `more` attempts. */
export function requeueJob(db: Db, id: number, more: number, now: Date): void {
  const at = now.toISOString();
  db.prepare(
    `UPDATE jobs SET status = 'queued', run_after = ?, max_attempts = attempts + ?, locked_by = NULL, locked_at = NULL, finished_at = NULL, updated_at = ? WHERE id = ?`,
  ).run(at, more, at, id);
}

export function cancelJobRow(db: Db, id: number, why: string, now: Date): void {
  const at = now.toISOString();
  db.prepare("UPDATE jobs SET status = 'cancelled', last_error = ?, finished_at = ?, updated_at = ? WHERE id = ?").run(why, at, at, id);
}

/** Cancels a grant's queued or failed jobs of one kind; returns their ids. */
export function cancelOpenJobsOfGrant(db: Db, grantId: number, kind: JobKind, why: string, now: Date): number[] {
  const at = now.toISOString();
  return (
    cachedStatement(db, `UPDATE jobs SET status = 'cancelled', last_error = ?, finished_at = ?, updated_at = ? WHERE grant_id = ? AND kind = ? AND status IN ('queued', 'failed') RETURNING id`)
      .all(why, at, at, grantId, kind) as { id: number }[]
  ).map((r) => r.id);
}

/** Brings a cancelled job back with new payload and priority and 8 more attempts. */
export function reviveJob(db: Db, id: number, payload: Record<string, unknown>, priority: number, now: Date): void {
  const at = now.toISOString();
  db.prepare(
    `UPDATE jobs SET status = 'queued', payload = ?, priority = ?, run_after = ?, max_attempts = attempts + 8, last_error = NULL,
                     finished_at = NULL, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ?`,
  ).run(JSON.stringify(payload), priority, at, at, id);
}

// --- the runner's claims and records --------------------------------------------------------------

/** Which jobs a run looks at: some kinds only, or up to a priority (the start-up catch-up runs revocations alone). */
export type ClaimFilter = { kinds?: JobKind[]; maxPriority?: number };

const filterParams = (f: ClaimFilter | undefined): { kinds: string | null; maxPriority: number | null } => ({
  kinds: f?.kinds ? JSON.stringify(f.kinds) : null,
  maxPriority: f?.maxPriority ?? null,
});

/** Jobs marked running, with who holds them since when. */
export function runningJobs(db: Db): { id: number; attempts: number; lockedBy: string | null; lockedAt: string | null }[] {
  return (
    db.prepare("SELECT id, attempts, locked_by, locked_at FROM jobs WHERE status = 'running'").all() as { id: number; attempts: number; locked_by: string | null; locked_at: string | null }[]
  ).map((j) => ({ id: j.id, attempts: j.attempts, lockedBy: j.locked_by, lockedAt: j.locked_at }));
}

/** Puts a running job whose holder is gone back in the queue; its open attempt is recorded as interrupted. */
export function requeueInterrupted(db: Db, job: { id: number; attempts: number; lockedBy: string | null }, now: Date): void {
  const at = now.toISOString();
  db.prepare("UPDATE jobs SET status = 'queued', run_after = ?, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ?").run(at, at, job.id);
  db.prepare("UPDATE job_attempts SET outcome = 'interrupted', finished_at = ?, error = ? WHERE job_id = ? AND attempt = ? AND outcome IS NULL").run(
    at,
    `interrupted: ${job.lockedBy ?? 'a process'} stopped while running it`,
    job.id,
    job.attempts,
  );
}

/**
 * Claims the next due job of one lane (connection; 0 for none) for `runnerId`,
 * or null: the job goes 'running' with one more attempt and an attempt row.
 * Call inside an immediate transaction. Two jobs of one grant never run at
 * once, and the Jira updates of one request run one at a time in id order.
 */
export function claimNextJob(db: Db, lane: number, filter: ClaimFilter | undefined, runnerId: string, now: Date): ClaimedJob | null {
  const at = now.toISOString();
  const row = db
    .prepare(
      `SELECT j.* FROM jobs j
       WHERE j.status = 'queued' AND j.run_after <= @at AND coalesce(j.connection_id, 0) = @lane
         AND (@kinds IS NULL OR j.kind IN (SELECT value FROM json_each(@kinds)))
         AND (@maxPriority IS NULL OR j.priority <= @maxPriority)
         AND (j.grant_id IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE r.grant_id = j.grant_id AND r.status = 'running'))
         AND (j.kind != 'jira' OR NOT EXISTS (
               SELECT 1 FROM jobs p WHERE p.kind = 'jira' AND p.request_id = j.request_id AND p.id < j.id AND p.status IN ('queued', 'running')))
       ORDER BY j.priority, j.run_after, j.id LIMIT 1`,
    )
    .get({ at, lane, ...filterParams(filter) }) as JobDb | undefined;
  if (!row) return null;
  const attempt = row.attempts + 1;
  db.prepare("UPDATE jobs SET status = 'running', locked_by = ?, locked_at = ?, attempts = ?, updated_at = ? WHERE id = ? AND status = 'queued'").run(
    runnerId,
    at,
    attempt,
    at,
    row.id,
  );
  db.prepare('INSERT OR REPLACE INTO job_attempts (job_id, attempt, started_at) VALUES (?, ?, ?)').run(row.id, attempt, at);
  return {
    id: row.id,
    kind: row.kind,
    grantId: row.grant_id,
    requestId: row.request_id,
    connectionId: row.connection_id,
    payload: parsePayload(row.payload),
    attempt,
    maxAttempts: row.max_attempts,
  };
}

/** Lanes (connections) with a due job right now. */
export function dueLanes(db: Db, filter: ClaimFilter | undefined, now: Date): number[] {
  return db
    .prepare(
      `SELECT DISTINCT coalesce(connection_id, 0) AS lane FROM jobs
       WHERE status = 'queued' AND run_after <= @at
         AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))
         AND (@maxPriority IS NULL OR priority <= @maxPriority)`,
    )
    .pluck()
    .all({ at: now.toISOString(), ...filterParams(filter) }) as number[];
}

/** When the next queued job (within the filter) that is not due yet becomes due (ms), or null. */
export function nextDueAt(db: Db, filter: ClaimFilter | undefined, now: Date): number | null {
  const at = db
    .prepare(
      `SELECT min(run_after) FROM jobs WHERE status = 'queued' AND run_after > @now
         AND (@kinds IS NULL OR kind IN (SELECT value FROM json_each(@kinds)))
         AND (@maxPriority IS NULL OR priority <= @maxPriority)`,
    )
    .pluck()
    .get({ now: now.toISOString(), ...filterParams(filter) }) as string | null;
  return at === null ? null : Date.parse(at);
}

/** Attempts that count against max_attempts (every one but interrupted ones). */
export function countedAttempts(db: Db, jobId: number): number {
  return db.prepare("SELECT count(*) FROM job_attempts WHERE job_id = ? AND (outcome IS NULL OR outcome != 'interrupted')").pluck().get(jobId) as number;
}

export function finishAttempt(db: Db, jobId: number, attempt: number, a: { outcome: string; httpStatus: number | null; error: string | null }, now: Date): void {
  db.prepare('UPDATE job_attempts SET finished_at = ?, outcome = ?, http_status = ?, error = ? WHERE job_id = ? AND attempt = ?').run(
    now.toISOString(),
    a.outcome,
    a.httpStatus,
    a.error,
    jobId,
    attempt,
  );
}

/** The end of an attempt for the job row: done, back in the queue at `runAfter`, failed, or handed to a person. */
export function settleJob(
  db: Db,
  jobId: number,
  to: { status: 'succeeded'; result: Record<string, unknown> } | { status: 'queued'; runAfter: string; error: string } | { status: 'failed' | 'manual'; error: string },
  now: Date,
): void {
  const at = now.toISOString();
  switch (to.status) {
    case 'succeeded':
      db.prepare("UPDATE jobs SET status = 'succeeded', result = ?, last_error = NULL, locked_by = NULL, finished_at = ?, updated_at = ? WHERE id = ?").run(
        JSON.stringify(to.result),
        at,
        at,
        jobId,
      );
      return;
    case 'queued':
      db.prepare("UPDATE jobs SET status = 'queued', run_after = ?, last_error = ?, locked_by = NULL, locked_at = NULL, updated_at = ? WHERE id = ?").run(
        to.runAfter,
        to.error,
        at,
        jobId,
      );
      return;
    default:
      db.prepare('UPDATE jobs SET status = ?, last_error = ?, locked_by = NULL, finished_at = ?, updated_at = ? WHERE id = ?').run(to.status, to.error, at, at, jobId);
  }
}

/** Whether a job queued under this key prefix before `id` is still queued or running (one record's updates go in order). */
export function earlierOpenJob(db: Db, keyPrefix: string, id: number): boolean {
  return (
    cachedStatement(db, "SELECT 1 FROM jobs WHERE idempotency_key >= ? AND idempotency_key < ? AND id < ? AND status IN ('queued', 'running') LIMIT 1").get(keyPrefix, `${keyPrefix}\uffff`, id) !==
    undefined
  );
}
