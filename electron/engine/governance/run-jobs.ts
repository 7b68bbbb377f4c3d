// Running the job queue with the real executors: the IdP ones (jobs/
// executors.ts: group membership through each connection's connector) and
// the Jira one (jira/jira-job.ts). The runner itself (jobs/runner.ts) takes
// its executors as an argument, so the jobs area never reaches up into the
// Jira area; this is the one place that puts the set together for the
// scheduler, the CLI and the handlers. After a run, plans advance (their
// next tier's jobs run in the same call). Tests pass their own executors for
// the kinds they are about and get the real ones for the rest.
import type { EngineContext } from '../context.js';
import { checkpointQuietly } from './audit-anchoring.js';
import { runJiraJob } from '../jira/jira-job.js';
import { createIdpExecutors, type ExecutorSet, type IdpExecutorOptions } from '../jobs/executors.js';
import type { JobExecutors } from '../jobs/job-types.js';
import { runDueJobs, type RunOptions, type RunSummary } from '../jobs/runner.js';
import { syncRemediationStates } from '../reviews/remediation.js';
import { advancePlans } from '../plans/advance.js';

export type RunJobsOptions = Omit<RunOptions, 'executors'> & {
  /** Executors to use instead of the real ones, by kind. */
  executors?: Partial<JobExecutors>;
  /** Connector settings for the IdP executors. */
  idp?: IdpExecutorOptions;
};

/** The IdP and Jira executors; `close` releases the connectors they built. */
export function defaultExecutors(ctx: EngineContext, idp: IdpExecutorOptions = {}): ExecutorSet {
  const own = createIdpExecutors(ctx, idp);
  return { executors: { ...own.executors, jira: runJiraJob }, close: own.close };
}

/** Runs every due job (see runDueJobs) with the real executors, or the given ones where named. */
export async function runJobs(ctx: EngineContext, opts: RunJobsOptions = {}): Promise<RunSummary> {
  const { executors: given, idp, ...rest } = opts;
  const complete = given?.provision && given.revoke && given.jira;
  const own = complete ? null : defaultExecutors(ctx, idp);
  const executors = { ...own?.executors, ...given } as JobExecutors;
  const t0 = Date.now();
  try {
    let summary = await runDueJobs(ctx, { ...rest, executors });
    // Plans follow their jobs: a tier whose jobs finished lets the next one start; its jobs run in this same call (bounded like the run).
    for (let round = 0; round < 12; round++) {
      let queued = 0;
      try {
        queued = advancePlans(ctx).started;
      } catch {
        break; // a report on the jobs, like the remediations below: the next run advances again
      }
      if (queued === 0 || rest.signal?.aborted) break;
      const left = rest.maxDurationMs === undefined ? undefined : rest.maxDurationMs - (Date.now() - t0);
      if (left !== undefined && left <= 0) break;
      const more = await runDueJobs(ctx, { ...rest, executors, ...(left !== undefined ? { maxDurationMs: left } : {}) });
      summary = { ran: summary.ran + more.ran, succeeded: summary.succeeded + more.succeeded, failed: summary.failed + more.failed, retried: summary.retried + more.retried, manual: summary.manual + more.manual };
    }
    return summary;
  } finally {
    own?.close();
    // Access-review remediations follow their revocation jobs and manual tasks (queued → done, failed, manual).
    try {
      syncRemediationStates(ctx);
    } catch {
      // A report on the jobs, not part of them: the next run or sync reconciles again.
    }
    // Every job-runner run's end is a signed checkpoint of the audit chain.
    await checkpointQuietly(ctx, 'jobs');
  }
}
