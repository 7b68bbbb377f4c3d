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
