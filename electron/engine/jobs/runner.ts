// The durable job runner. A job's life:
//   claim   — one short immediate transaction: status 'running', locked_by /
//             locked_at, attempts + 1, a job_attempts row. Claims are atomic
//             (UPDATE ... WHERE status = 'queued'), so two processes on one
//             workspace (the app and a cron `jobs run`) never run one job twice.
//   execute — outside any transaction: the IdP or Jira call.
//   record  — one transaction: the job's outcome, the attempt row, the grant's
//             state change, its audit event and the Jira write-back.
// A process that dies between claim and record leaves the job 'running';
// resumeInterruptedJobs puts it back in the queue at the next start with an
// 'interrupted' attempt. Running it again is safe because every executor is
// idempotent (already a member / already removed = success).
//
// Concurrency is bounded per connection (each connection is a lane): the IdP
// connector's rate budget paces the calls within the connection's share of
// the org's limits, the lane bound keeps the number in flight small. Two jobs
// of one grant never run at once (a revocation waits for a provisioning that
// is in flight, otherwise the add could land after the remove), and the Jira
// updates of one request run one at a time, in id order (the issue must
// exist before its comments).
import os from 'node:os';
import type { JobKind } from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { patchLiveMembership } from '../sync/live-snapshot.js';
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { outcomeOfError } from './error-class.js';
import { getGrant, setGrant, type GrantRecord } from './grant-store.js';
import {
  claimNextJob,
  countedAttempts,
  dueLanes,
  finishAttempt,
  jobRecord,
  nextDueAt,
  requeueInterrupted,
  runningJobs,
  settleJob,
} from './job-store.js';
import type { ClaimedJob, JobExecutors, JobOutcome } from './job-types.js';
import { auditGrant, connectionLabel, jiraForGrant, markEnded, markProvisioned, revokePayload, who } from './ledger.js';
import { insertManualTask } from './manual-tasks.js';

export type RunSummary = { ran: number; succeeded: number; failed: number; retried: number; manual: number };

export type RunOptions = {
  /** Executors by kind (governance/run-jobs.ts assembles the IdP and Jira ones). */
  executors: JobExecutors;
  /** Stop claiming after this many jobs. */
  limit?: number;
  /** Aborting stops claiming; jobs in flight finish and are recorded. */
  signal?: AbortSignal;
  /** Only these kinds / priorities (the start-up catch-up runs revocations alone). */
  filter?: { kinds?: JobKind[]; maxPriority?: number };
  /** Jobs in flight per connection (default 8). */
  concurrency?: number;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Keep going while queued jobs become due within this many ms (for `jobs run --once`); default 0: stop when nothing is due. */
  waitForDueWithinMs?: number;
  /** Stop claiming after this long (the scheduler's ticks, so expiry keeps being checked during a long queue). */
  maxDurationMs?: number;
};

/** Who holds a claim: host and pid, so a restart can tell a dead holder from a live one. */
export const RUNNER_ID = `${os.hostname()}:${process.pid}`;

/** A lock older than this is taken to be a dead process on another machine (or a hung one). */
const STALE_LOCK_MS = 15 * 60_000;

/**
 * Puts jobs left 'running' by a process that is gone back in the queue, each
 * with an 'interrupted' attempt. Call once at start (the scheduler and
 * `jobs run` do). A job held by a live process on this machine is left alone.
 */
export function resumeInterruptedJobs(ctx: EngineContext): number[] {
  const now = ctx.clock.now();
  const host = os.hostname();
  return ctx.db
    .transaction(() => {
      const resumed: number[] = [];
      for (const j of runningJobs(ctx.db)) {
        if (!isDeadHolder(j.lockedBy, j.lockedAt, host, now)) continue;
        requeueInterrupted(ctx.db, j, now);
        appendAudit(ctx.db, { actor: ctx.actor, action: 'job.resumed', targetType: 'job', targetId: j.id, details: { lockedBy: j.lockedBy, lockedAt: j.lockedAt } }, now);
        resumed.push(j.id);
      }
      return resumed;
    })
    .immediate();
}

function isDeadHolder(lockedBy: string | null, lockedAt: string | null, host: string, now: Date): boolean {
  if (lockedBy === null) return true;
  const stale = lockedAt === null || now.getTime() - Date.parse(lockedAt) > STALE_LOCK_MS;
  const sep = lockedBy.lastIndexOf(':');
  const holderHost = lockedBy.slice(0, sep);
  const pid = Number(lockedBy.slice(sep + 1));
  if (holderHost !== host || !Number.isInteger(pid)) return stale;
  // The holder is this very process: whatever ran it is gone (runDueJobs always records before returning).
  if (pid === process.pid) return !activeRuns.has(pid) || stale;
  try {
    process.kill(pid, 0);
    return stale;
  } catch (e) {
    // ESRCH: no such process. EPERM: alive, someone else's.
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Runs in flight in this process (so resume never steals our own live claims). */
const activeRuns = new Map<number, number>();

/** Claims the next due job of one lane, or null. */
function claim(ctx: EngineContext, laneId: number, opts: RunOptions, now: Date): ClaimedJob | null {
  return ctx.db.transaction(() => claimNextJob(ctx.db, laneId, opts.filter, RUNNER_ID, now)).immediate();
}

/** Emits governance:changed at most every `ms`, with the ids gathered since. */
function coalescedEmitter(ctx: EngineContext, ms = 500): { add: (id: number) => void; flush: () => void } {
  let ids = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (ids.size === 0) return;
    const out = [...ids].slice(0, 1000);
    ids = new Set();
    ctx.events.emit('governance:changed', { area: 'jobs', ids: out });
  };
  return {
    add: (id) => {
      ids.add(id);
      timer ??= setTimeout(flush, ms);
    },
    flush,
  };
}

/**
 * Runs every due job (or up to `limit`), honouring priority, lanes and the
 * one-at-a-time rules above; returns what happened. Never throws for a job's
 * failure: that is recorded on the job.
 */
export async function runDueJobs(ctx: EngineContext, opts: RunOptions): Promise<RunSummary> {
  const summary: RunSummary = { ran: 0, succeeded: 0, failed: 0, retried: 0, manual: 0 };
  if (ctx.readOnly) return summary;
  const { executors } = opts;
  const perLane = Math.max(1, opts.concurrency ?? 8);
  const limit = opts.limit ?? Infinity;
  const started = Date.now();
  const emitter = coalescedEmitter(ctx);
  const inFlight = new Map<number, number>();
  const running = new Set<Promise<void>>();
  const stopper = new AbortController();
  const signal = opts.signal ? AbortSignal.any([opts.signal, stopper.signal]) : stopper.signal;
  activeRuns.set(process.pid, (activeRuns.get(process.pid) ?? 0) + 1);

  const start = (job: ClaimedJob, laneId: number): void => {
    inFlight.set(laneId, (inFlight.get(laneId) ?? 0) + 1);
    summary.ran++;
    const p = (async () => {
      let outcome: JobOutcome;
      try {
        const exec = executors[job.kind];
        outcome = await exec(job, ctx, signal);
      } catch (e) {
        // An executor that throws: a network failure is tried again later; anything else (a constraint, a bug) is final at once.
        outcome = outcomeOfError(e);
      }
      const final = recordOutcome(ctx, job, outcome, { backoff: opts.backoff ?? DEFAULT_BACKOFF, random: opts.random ?? Math.random });
      if (final === 'succeeded') summary.succeeded++;
      else if (final === 'failed') summary.failed++;
      else if (final === 'retry') summary.retried++;
      else if (final === 'manual') summary.manual++;
      emitter.add(job.grantId ?? job.id);
    })().finally(() => {
      inFlight.set(laneId, (inFlight.get(laneId) ?? 1) - 1);
      running.delete(p);
    });
    running.add(p);
  };

  try {
    let lanes: number[] = [];
    let lanesAt = 0;
    for (;;) {
      const timeUp = opts.maxDurationMs !== undefined && Date.now() - started >= opts.maxDurationMs;
      const canClaim = !signal.aborted && !timeUp && summary.ran < limit;
      let claimed = false;
      let freshLanes = false;
      if (canClaim) {
        const now = ctx.clock.now();
        // Re-reading the lanes scans the queue: at most every 250 ms, or when the known ones ran dry.
        if (Date.now() - lanesAt > 250 || lanes.length === 0) {
          lanes = dueLanes(ctx.db, opts.filter, now);
          lanesAt = Date.now();
          freshLanes = true;
        }
        const dry: number[] = [];
        for (const l of lanes) {
          while ((inFlight.get(l) ?? 0) < perLane && summary.ran < limit) {
            const job = claim(ctx, l, opts, now);
            if (!job) {
              dry.push(l);
              break;
            }
            start(job, l);
            claimed = true;
          }
        }
        if (dry.length > 0) lanes = lanes.filter((l) => !dry.includes(l) || (inFlight.get(l) ?? 0) > 0);
      }
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      if (claimed) continue;
      if (!canClaim) break;
      // A job that just finished may have queued another in a lane not known yet (its Jira update):
      // look at the queue once more before stopping or waiting.
      if (!freshLanes) {
        lanes = [];
        continue;
      }
      // Nothing due and nothing in flight: done, unless a job becomes due soon and we were asked to wait for it.
      const wait = opts.waitForDueWithinMs ?? 0;
      if (wait <= 0) break;
      const now = ctx.clock.now();
      const next = nextDueAt(ctx.db, opts.filter, now);
      if (next === null) break;
      const delay = next - now.getTime();
      if (delay > wait) break;
      await sleep(Math.min(Math.max(delay, 10), 1000), signal);
      lanes = [];
    }
  } finally {
    await Promise.allSettled([...running]);
    emitter.flush();
    const n = (activeRuns.get(process.pid) ?? 1) - 1;
    if (n <= 0) activeRuns.delete(process.pid);
    else activeRuns.set(process.pid, n);
  }
  return summary;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

const RUNNER_ACTOR = 'latchkey:jobs';


/** Records one attempt's outcome with its grant effects; returns what the job became. */
export function recordOutcome(
  ctx: EngineContext,
  job: ClaimedJob,
  outcome: JobOutcome,
  o: { backoff: BackoffPolicy; random: () => number },
): 'succeeded' | 'failed' | 'retry' | 'manual' | 'lost' {
  const { db } = ctx;
  const now = ctx.clock.now();
  return db
    .transaction(() => {
      const row = jobRecord(db, job.id);
      const attemptError = outcome.status === 'retry' || outcome.status === 'failed' ? outcome.error : outcome.status === 'manual' ? outcome.reason : null;
      const httpStatus = 'httpStatus' in outcome ? (outcome.httpStatus ?? null) : null;
      // Exhausted: every attempt but interrupted ones counts against max_attempts.
      const counted = countedAttempts(db, job.id);
      const final = outcome.status === 'retry' && counted >= job.maxAttempts ? 'failed' : outcome.status;
      finishAttempt(db, job.id, job.attempt, { outcome: outcome.status, httpStatus, error: attemptError }, now);
      // Someone else took the job back (resumed as stale by another process): this attempt only goes on record.
      if (!row || row.status !== 'running' || row.attempts !== job.attempt) return 'lost';

      const grant = job.grantId !== null ? getGrant(db, job.grantId) : null;
      const base = { kind: job.kind, attempt: job.attempt, grantId: job.grantId, requestId: job.requestId, connectionId: job.connectionId };
      switch (final) {
        case 'succeeded': {
          const result = outcome.status === 'succeeded' ? (outcome.result ?? {}) : {};
          settleJob(db, job.id, { status: 'succeeded', result }, now);
          appendAudit(db, { actor: RUNNER_ACTOR, action: 'job.succeeded', targetType: 'job', targetId: job.id, details: { ...base, result } }, now);
          if (grant && result.skipped === undefined) applySuccess(ctx, job, grant, now);
          return 'succeeded';
        }
        case 'retry': {
          const error = outcome.status === 'retry' ? outcome.error : '';
          const retryAfter = outcome.status === 'retry' ? outcome.retryAfterMs : undefined;
          const wait = backoffMs(counted, o.backoff, o.random, retryAfter);
          const runAfter = new Date(now.getTime() + wait).toISOString();
          settleJob(db, job.id, { status: 'queued', runAfter, error }, now);
          appendAudit(db, { actor: RUNNER_ACTOR, action: 'job.retry_scheduled', targetType: 'job', targetId: job.id, details: { ...base, error, runAfter, httpStatus } }, now);
          return 'retry';
        }
        case 'failed': {
          const error = outcome.status === 'failed' || outcome.status === 'retry' ? outcome.error : 'failed';
          const message = outcome.status === 'retry' ? `gave up after ${counted} attempts: ${error}` : error;
          settleJob(db, job.id, { status: 'failed', error: message }, now);
          appendAudit(db, { actor: RUNNER_ACTOR, action: 'job.failed', targetType: 'job', targetId: job.id, details: { ...base, error: message, httpStatus } }, now);
          if (grant && job.kind !== 'jira') {
            setGrant(db, grant.id, { status: 'failed' }, now);
            auditGrant(db, RUNNER_ACTOR, 'grant.failed', grant, { jobId: job.id, error: message }, now);
            jiraForGrant(
              db,
              grant,
              {
                event: 'provision-failed',
                comment: `${job.kind === 'provision' ? 'Adding' : 'Removing'} ${who(grant)} ${job.kind === 'provision' ? 'to' : 'from'} the group "${grant.group_name}" in ${connectionLabel(db, grant.connection_id)} failed: ${message}. It is waiting in Latchkey's "Needs attention" queue.`,
                discriminator: `${grant.id}:${job.id}:${job.attempt}`,
              },
              now,
            );
          }
          return 'failed';
        }
        case 'manual': {
          if (outcome.status !== 'manual') return 'lost';
          settleJob(db, job.id, { status: 'manual', error: outcome.reason }, now);
          const action = job.kind === 'revoke' ? 'remove' : 'add';
          const taskId = insertManualTask(db, { grantId: job.grantId, jobId: job.id, action, reason: outcome.reason, instructions: outcome.instructions }, now);
          appendAudit(db, { actor: RUNNER_ACTOR, action: 'job.manual', targetType: 'job', targetId: job.id, details: { ...base, taskId, reason: outcome.reason } }, now);
          if (grant) {
            setGrant(db, grant.id, { status: 'manual' }, now);
            auditGrant(db, RUNNER_ACTOR, 'grant.manual_task', grant, { taskId, action, reason: outcome.reason }, now);
            jiraForGrant(
              db,
              grant,
              {
                event: 'manual-task',
                comment: `Latchkey cannot ${action} this access itself (${outcome.reason}). A manual task was opened: ${outcome.instructions}`,
                discriminator: `${grant.id}:${taskId}`,
              },
              now,
            );
          }
          return 'manual';
        }
      }
      return 'lost';
    })
    .immediate();
}

function applySuccess(ctx: EngineContext, job: ClaimedJob, grant: GrantRecord, now: Date): void {
  const { db } = ctx;
  if (job.kind === 'provision') {
    patchLiveMembership(db, grant.connection_id, grant.group_id, grant.identity_id, true);
    // Only a grant still waiting becomes active: one revoked or expired meanwhile has its revocation queued behind this job.
    if (grant.status === 'pending' || grant.status === 'failed') markProvisioned(db, grant, RUNNER_ACTOR, now, `job #${job.id}, attempt ${job.attempt}`);
  } else if (job.kind === 'revoke') {
    patchLiveMembership(db, grant.connection_id, grant.group_id, grant.identity_id, false);
    if (grant.status !== 'revoked' && grant.status !== 'expired') {
      markEnded(db, grant, revokePayload(job.payload, grant), RUNNER_ACTOR, now, `job #${job.id}, attempt ${job.attempt}`);
    }
  }
}

