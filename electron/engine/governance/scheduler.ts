// The governance tick: what keeps expiry real while the app (or `latchkey
// serve`, or `latchkey jobs run`) is running. It calls the areas (jobs,
// requests, jira) in order; none of them calls another for it.
//
// At start, before anything else: jobs a dead process left 'running' go back
// to the queue, then expiry catches up — every grant that expired while
// nothing was running gets its revocation queued, and ALL revocations run
// before any provisioning or Jira job does (access that should be gone goes
// first). Then, every `intervalMs`: expiry, expiry notices, the pending-
// request sweep (escalate / expire), JSM polling every `jiraPollMs`, the daily
// audit anchor comment per Jira connection, and the due jobs. Ticks never overlap; stop() lets the current one finish.
import type { EngineContext } from '../context.js';
import { queueAnchorComments } from '../jira/audit-anchors.js';
import { pollJiraRequests } from '../jira/jsm-import.js';
import { sweepPendingRequests } from '../requests/sweep.js';
import { closeDueCampaigns } from '../reviews/close.js';
import { planReviewReminders } from '../reviews/reminders.js';
import { createJiraNoticeSender } from '../jira/notice-sender.js';
import { queueReviewerIssues } from '../jira/review-issues.js';
import { sendDueNotices, type NoticeSenders } from '../notices/outbox.js';
import { foldDigests } from '../notices/digest.js';
import { createEmailSender } from '../notices/email-sender.js';
import { createWebhookSender } from '../notices/webhook-sender.js';
import { planRequestNotices } from '../requests/request-notices.js';
import { planAccessEndingSoon } from './grant-notices.js';
import { expireDueGrants, sendExpiryNotices } from '../jobs/expiry.js';
import { resumeInterruptedJobs, type RunSummary } from '../jobs/runner.js';
import { planAndAdvance } from './plans.js';
import { runJobs, type RunJobsOptions } from './run-jobs.js';

export type SchedulerOptions = {
  intervalMs?: number;
  jiraPollMs?: number;
  /** Passed to every runJobs (executors in tests, connector settings). */
  run?: Omit<RunJobsOptions, 'signal' | 'filter' | 'maxDurationMs'>;
  /** The outbox's senders by channel (default: Jira comments, Slack, Teams, e-mail); tests pass their own. */
  notices?: NoticeSenders;
  /** Sees failures of a tick (logged by the caller); the scheduler carries on. */
  onError?: (e: unknown) => void;
};

export type Scheduler = {
  /** Resolves when the start-up catch-up (resume + expiry + every revocation) has run. */
  ready: Promise<RunSummary>;
  /** Runs one tick now (after the current one, if any). */
  tick: () => Promise<void>;
  stop: () => Promise<void>;
};

/** The start-up catch-up alone (also what `jobs run` does first): resume, expire, run every due revocation. */
export async function catchUp(ctx: EngineContext, opts: Omit<RunJobsOptions, 'filter'> = {}): Promise<RunSummary> {
  resumeInterruptedJobs(ctx);
  expireDueGrants(ctx);
  return runJobs(ctx, { ...opts, filter: { kinds: ['revoke'] } });
}

/**
 * Schedulers running per workspace (jobs:advanceClock ticks the one of its
 * workspace). Keyed by the database: a console call runs with its own
 * context (naming its caller) over the same workspace.
 */
const running = new WeakMap<EngineContext['db'], Scheduler>();

export function schedulerOf(ctx: EngineContext): Scheduler | null {
  return running.get(ctx.db) ?? null;
}

export function startScheduler(ctx: EngineContext, opts: SchedulerOptions = {}): Scheduler {
  const intervalMs = opts.intervalMs ?? 30_000;
  const jiraPollMs = opts.jiraPollMs ?? 5 * 60_000;
  const stopper = new AbortController();
  const onError = opts.onError ?? (() => undefined);
  let lastJiraPoll = 0;
  const senders: NoticeSenders = opts.notices ?? { 'jira-comment': createJiraNoticeSender(), slack: createWebhookSender('slack'), teams: createWebhookSender('teams'), email: createEmailSender() };
  let chain: Promise<unknown> = Promise.resolve();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const once = async (): Promise<void> => {
    if (stopped || ctx.readOnly) return;
    const guard = async (f: () => unknown): Promise<void> => {
      try {
        await f();
      } catch (e) {
        onError(e);
      }
    };
    await guard(() => expireDueGrants(ctx));
    // Expiry notices (audit + Jira), then routed to people by Slack, Teams or e-mail as the workspace's routes say.
    await guard(() => planAccessEndingSoon(ctx, sendExpiryNotices(ctx)));
    await guard(() => sweepPendingRequests(ctx));
    // Access reviews whose stage is due close on their own (defaults applied, revocations queued for the jobs below).
    await guard(() => closeDueCampaigns(ctx, onError));
    // On the workspace clock, like every other governance time: testable at the exact interval, and the sandbox's Skip ahead counts.
    const now = ctx.clock.now().getTime();
    if (now - lastJiraPoll >= jiraPollMs) {
      lastJiraPoll = now;
      await guard(() => pollJiraRequests(ctx));
    }
    // At most daily per Jira connection: the audit chain's head as a comment on its anchor issue (run with the jobs below).
    await guard(() => queueAnchorComments(ctx));
    // Access reviews in Jira: an issue per reviewer without one (a job below), today's reminders planned, then the due notices sent.
    await guard(() => queueReviewerIssues(ctx));
    await guard(() => planReviewReminders(ctx));
    // Requests: "approval needed" to open steps' approvers, decisions to requesters and co-approvers (stale ones cancelled); the digest folded; then all sent.
    await guard(() => planRequestNotices(ctx));
    await guard(() => foldDigests(ctx));
    await guard(() => sendDueNotices(ctx, senders));
    // Joiner / mover / leaver plans: due HR events planned ("on or after the effective date"), plans started and moved on.
    await guard(() => planAndAdvance(ctx, onError));
    // Bounded, so expiry is checked again during a long queue (10,000 revocations take a while at the budget's pace).
    await guard(() => runJobs(ctx, { ...opts.run, signal: stopper.signal, maxDurationMs: intervalMs }));
  };

  const enqueue = (): Promise<void> => {
    const next = chain.then(once, once);
    chain = next.catch(() => undefined);
    return next;
  };

  const schedule = (): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void enqueue().finally(schedule);
    }, intervalMs);
    timer.unref?.();
  };

  const ready = (async () => {
    if (ctx.readOnly) return { ran: 0, succeeded: 0, failed: 0, retried: 0, manual: 0 };
    try {
      return await catchUp(ctx, { ...opts.run, signal: stopper.signal });
    } catch (e) {
      onError(e);
      return { ran: 0, succeeded: 0, failed: 0, retried: 0, manual: 0 };
    }
  })();
  chain = ready;
  // The first tick right after the catch-up (provisioning, then Jira), then one every interval.
  void enqueue().finally(schedule);

  const scheduler: Scheduler = {
    ready,
    tick: () => enqueue(),
    async stop() {
      stopped = true;
      if (running.get(ctx.db) === scheduler) running.delete(ctx.db);
      if (timer) clearTimeout(timer);
      stopper.abort();
      await chain.catch(() => undefined);
    },
  };
  running.set(ctx.db, scheduler);
  return scheduler;
}
