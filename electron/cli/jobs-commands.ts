// `latchkey jobs ...`. Parsing and output only; the engine does the work.
//
// `jobs run --once` is the cron / systemd / launchd entry point: it resumes
// jobs a dead process left running, catches expiry up (every revocation due
// runs before anything else), runs everything due, and exits 0, or 1 when a
// job failed. Without --once it keeps the scheduler running until SIGTERM or
// SIGINT, then finishes the jobs in flight and exits.
import type { JobStatus } from '../../shared/governance.js';
import type { EngineContext } from '../engine/context.js';
import { UserError } from '../engine/context.js';
import { cancelJob, getJob, jobAttempts, listJobs, retryJob } from '../engine/jobs/operations.js';
import { runJobs } from '../engine/governance/run-jobs.js';
import type { RunSummary } from '../engine/jobs/runner.js';
import { planAndAdvance } from '../engine/governance/plans.js';
import { catchUp, startScheduler } from '../engine/governance/scheduler.js';
import { sendExpiryNotices } from '../engine/jobs/expiry.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { parseCommandArgs, positiveInt, UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const JOBS_USAGE = `  jobs run [--once] [--json]              run provisioning, revocation and expiry: --once catches expiry up,
                                          runs everything due and exits (0, or 1 if a job failed; for cron);
                                          without it, keeps running until SIGTERM/SIGINT
  jobs list [--status S] [--kind K] [--limit N] [--json]
                                          jobs, newest first (status: queued, running, succeeded, failed,
                                          cancelled, manual, attention)
  jobs show ID [--json]                   a job with every attempt
  jobs retry ID                           put a failed or cancelled job back in the queue
  jobs cancel ID [--reason TEXT]          cancel a queued or failed job
`;

/** Verbs that only read the workspace (allowed with --read-only). */
export const JOBS_READ_VERBS: readonly string[] = ['list', 'show'];

const STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'manual', 'attention', 'all'] as const;

/** Back-offs shorter than this are waited for by `--once` rather than left for the next cron run. */
const ONCE_WAIT_MS = 60_000;

export async function runJobsCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo): Promise<number> {
  void bus;
  const [verb, ...rest] = args;
  switch (verb) {
    case 'run':
      return runJobsVerb(ctx, rest, io);
    case 'list': {
      const { values } = parseCommandArgs(rest, { status: { type: 'string' }, kind: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } });
      const status = values.status ?? 'all';
      if (!(STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}, not "${status}"`);
      const kind = values.kind;
      if (kind !== undefined && !['provision', 'revoke', 'jira'].includes(kind)) throw new UsageError(`--kind must be provision, revoke or jira, not "${kind}"`);
      const { rows, total } = listJobs(ctx, {
        status: status as JobStatus | 'attention' | 'all',
        ...(kind ? { kind: kind as 'provision' | 'revoke' | 'jira' } : {}),
        limit: values.limit ? positiveInt(values.limit, '--limit') : 100,
      });
      if (values.json) io.stdout(`${JSON.stringify({ rows, total })}\n`);
      else if (rows.length === 0) io.stdout('no jobs\n');
      else {
        for (const j of rows) {
          io.stdout(`#${j.id}\t${j.kind}\t${j.status}\t${j.attempts}/${j.maxAttempts}\t${j.summary}${j.lastError && j.status !== 'succeeded' ? `\t${j.lastError}` : ''}\n`);
        }
        if (total > rows.length) io.stdout(`(${rows.length} of ${total}; --limit N for more)\n`);
      }
      return 0;
    }
    case 'show': {
      const { values, positionals } = parseCommandArgs(rest, { json: { type: 'boolean' } }, 1);
      const id = jobId(positionals[0]);
      const job = getJob(ctx, id);
      const attempts = jobAttempts(ctx, id);
      if (values.json) io.stdout(`${JSON.stringify({ ...job, attemptsLog: attempts })}\n`);
      else {
        io.stdout(`#${job.id} ${job.kind} ${job.status} (${job.attempts}/${job.maxAttempts} attempts): ${job.summary}\n`);
        if (job.lastError) io.stdout(`  last error: ${job.lastError}\n`);
        for (const a of attempts) io.stdout(`  attempt ${a.attempt}: ${a.startedAt} ${a.outcome ?? 'running'}${a.httpStatus ? ` HTTP ${a.httpStatus}` : ''}${a.error ? ` — ${a.error}` : ''}\n`);
      }
      return 0;
    }
    case 'retry': {
      const { positionals } = parseCommandArgs(rest, {}, 1);
      const job = retryJob(ctx, jobId(positionals[0]));
      io.stdout(`job #${job.id} queued again (${job.summary}); it runs at the next 'latchkey jobs run'\n`);
      return 0;
    }
    case 'cancel': {
      const { values, positionals } = parseCommandArgs(rest, { reason: { type: 'string' } }, 1);
      const job = cancelJob(ctx, jobId(positionals[0]), { reason: values.reason ?? 'cancelled from the command line' });
      io.stdout(`job #${job.id} cancelled (${job.summary})\n`);
      return 0;
    }
    default:
      throw new UsageError(verb ? `unknown jobs verb "${verb}" (run, list, show, retry, cancel)` : 'jobs needs a verb: run, list, show, retry, cancel');
  }
}

function jobId(s: string | undefined): number {
  if (s === undefined) throw new UsageError('a job id is required (see latchkey jobs list)');
  return positiveInt(s.replace(/^#/, ''), 'the job id');
}

const add = (a: RunSummary, b: RunSummary): RunSummary => ({
  ran: a.ran + b.ran,
  succeeded: a.succeeded + b.succeeded,
  failed: a.failed + b.failed,
  retried: a.retried + b.retried,
  manual: a.manual + b.manual,
});

async function runJobsVerb(ctx: EngineContext, args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { once: { type: 'boolean' }, json: { type: 'boolean' } });
  if (ctx.readOnly) throw new UserError('jobs run changes the workspace: refused read-only', 'read-only');
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  try {
    if (values.once) {
      const first = await catchUp(ctx, { signal: stop.signal, waitForDueWithinMs: ONCE_WAIT_MS });
      sendExpiryNotices(ctx);
      // Joiner / mover / leaver plans: due HR events planned, plans started (their jobs run just below).
      planAndAdvance(ctx, (e) => io.stderr(`latchkey: plans: ${e instanceof Error ? e.message : String(e)}\n`));
      const rest = await runJobs(ctx, { signal: stop.signal, waitForDueWithinMs: ONCE_WAIT_MS });
      const total = add(first, rest);
      const left = listJobs(ctx, { status: 'queued', limit: 1 }).total;
      report(io, values.json === true, total, left);
      return total.failed > 0 ? 1 : 0;
    }
    let total: RunSummary = { ran: 0, succeeded: 0, failed: 0, retried: 0, manual: 0 };
    const scheduler = startScheduler(ctx, {
      intervalMs: 5_000,
      onError: (e) => io.stderr(`latchkey: jobs: ${e instanceof Error ? e.message : String(e)}\n`),
    });
    total = add(total, await scheduler.ready);
    if (!values.json) io.stdout(`jobs: running (expiry caught up: ${total.succeeded} revoked); stop with SIGTERM or Ctrl-C\n`);
    await new Promise<void>((resolve) => stop.signal.addEventListener('abort', () => resolve(), { once: true }));
    await scheduler.stop();
    const left = listJobs(ctx, { status: 'queued', limit: 1 }).total;
    const failed = listJobs(ctx, { status: 'failed', limit: 1 }).total;
    if (values.json) io.stdout(`${JSON.stringify({ stopped: true, queued: left, failed })}\n`);
    else io.stdout(`jobs: stopped (${left} queued, ${failed} failed)\n`);
    return 0;
  } finally {
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('SIGINT', onSignal);
  }
}

function report(io: CliIo, json: boolean, s: RunSummary, queued: number): void {
  if (json) {
    io.stdout(`${JSON.stringify({ ...s, queued })}\n`);
    return;
  }
  io.stdout(`jobs: ${s.ran} attempts — ${s.succeeded} succeeded, ${s.failed} failed, ${s.retried} to retry, ${s.manual} manual tasks; ${queued} still queued\n`);
}
