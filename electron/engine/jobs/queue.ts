// Enqueueing jobs. Always called inside the transaction of the state change
// that needs the effect (an approval, an expiry), so a crash can never leave
// an approved grant without its provisioning job or the other way round.
import type { Db } from '../db/database.js';
import type { EnqueueJob } from './job-types.js';
import { JOB_PRIORITY } from './job-types.js';

/** Inserts a queued job; with an idempotency key already used, returns the existing job's id. */
export function enqueueJob(db: Db, job: EnqueueJob, now: Date): number {
  const at = now.toISOString();
  const row = db
    .prepare(
      `INSERT INTO jobs (kind, grant_id, request_id, connection_id, payload, status, priority, max_attempts, run_after, idempotency_key, created_at, updated_at)
       VALUES (@kind, @grantId, @requestId, @connectionId, @payload, 'queued', @priority, @maxAttempts, @runAfter, @key, @at, @at)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
    )
    .get({
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
  const existing = db.prepare('SELECT id FROM jobs WHERE idempotency_key = ?').get(job.idempotencyKey) as { id: number };
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
