// The durable job queue's vocabulary. A job is one effect outside the
// database (add a member, remove a member, write to Jira). The runner
// (jobs/runner.ts) claims due jobs, hands each to the executor of its kind
// and records the outcome; executors never touch jobs rows themselves.
import type { JobKind } from '../../../shared/governance.js';
import type { EngineContext } from '../context.js';

export type EnqueueJob = {
  kind: JobKind;
  grantId?: number | null;
  requestId?: number | null;
  connectionId?: number | null;
  payload?: Record<string, unknown>;
  /** Lower runs first. */
  priority?: number;
  runAfter?: Date;
  maxAttempts?: number;
  /** The same key enqueued twice yields one job (e.g. `revoke:grant:42`). */
  idempotencyKey?: string;
};

export const JOB_PRIORITY = { expiry: 0, revoke: 5, provision: 10, jira: 20 } as const;

/** A job handed to an executor; `attempt` counts this try (1 on the first). */
export type ClaimedJob = {
  id: number;
  kind: JobKind;
  grantId: number | null;
  requestId: number | null;
  connectionId: number | null;
  payload: Record<string, unknown>;
  attempt: number;
  maxAttempts: number;
};

/**
 * What an executor reports. `retry` is for transient failures (429, 5xx,
 * time-outs, dropped connections): the runner backs off exponentially with
 * jitter, or waits `retryAfterMs` when the service said so, until
 * max_attempts, then marks the job failed with `error`. `failed` is final
 * (403, 404 of the group, bad request). An executor that throws is classified
 * by error-class.ts: only network / HTTP-transient errors retry, an internal
 * one (a constraint, a TypeError) is final at once. `manual` turns the change into a
 * manual task with instructions: Latchkey may not make it itself.
 */
export type JobOutcome =
  | { status: 'succeeded'; result?: Record<string, unknown>; httpStatus?: number }
  | { status: 'retry'; error: string; retryAfterMs?: number; httpStatus?: number }
  | { status: 'failed'; error: string; httpStatus?: number }
  | { status: 'manual'; reason: string; instructions: string };

export type JobExecutor = (job: ClaimedJob, ctx: EngineContext, signal: AbortSignal) => Promise<JobOutcome>;
export type JobExecutors = Record<JobKind, JobExecutor>;

/** The payload op of a 'revoke' job that suspends a leaver's account instead of removing a membership (it has no grant). */
export const SUSPEND_OP = 'suspend-account';
