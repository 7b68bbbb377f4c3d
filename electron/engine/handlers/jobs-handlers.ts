// The handlers of the jobs channels (shared/contract-jobs.ts).
import type { jobsChannels } from '../../../shared/contract-jobs.js';
import { UserError, type EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';
import { getSettings } from '../settings/settings.js';
import { adjustableClockOf, isAdjustable } from '../jobs/clock.js';
import { expireDueGrants, sendExpiryNotices } from '../jobs/expiry.js';
import { cancelManualTask, completeManualTask, listManualTasks } from '../jobs/manual-tasks.js';
import { listDrift, resolveDrift } from '../jobs/drift.js';
import { attentionCounts, cancelJob, listGrants, listJobs, retryJob, revokeGrant } from '../jobs/operations.js';
import { runJobs } from '../governance/run-jobs.js';
import { grantLedgerPage } from '../requests/grant-ledger.js';
import { schedulerOf } from '../governance/scheduler.js';

export function jobsHandlers(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof jobsChannels> {
  const clockView = () => ({
    now: ctx.clock.now().toISOString(),
    offsetMs: isAdjustable(ctx.clock) ? ctx.clock.offsetMs : 0,
    adjustable: ctx.sandbox && !ctx.readOnly,
  });
  return {
    'jobs:list': (q) => listJobs(ctx, q),
    'jobs:attention': () => ({
      counts: attentionCounts(ctx),
      failedJobs: listJobs(ctx, { status: 'attention', limit: 500 }).rows,
      tasks: listManualTasks(ctx, { status: 'open' }),
      drift: listDrift(ctx, { open: true }),
      expiringSoon: listGrants(ctx, { filter: 'expiring-soon', limit: 200 }).rows,
      noticeHours: getSettings(ctx.db).expiryNoticeHours,
    }),
    'jobs:retry': ({ jobId }) => {
      const job = retryJob(ctx, jobId);
      void schedulerOf(ctx)?.tick();
      return job;
    },
    'jobs:cancel': ({ jobId, reason }) => cancelJob(ctx, jobId, { reason }),
    'jobs:manualTasks': ({ status }) => listManualTasks(ctx, { status }),
    'jobs:completeTask': ({ taskId, evidence }) => {
      const t = completeManualTask(ctx, taskId, { evidence });
      helpers.cache.clear();
      return t;
    },
    'jobs:cancelTask': ({ taskId, reason }) => cancelManualTask(ctx, taskId, { reason }),
    'jobs:drift': ({ open }) => listDrift(ctx, { open }),
    'jobs:resolveDrift': ({ driftId, resolution, note }) => resolveDrift(ctx, driftId, { resolution, note }),
    'jobs:grants': (q) => grantLedgerPage(ctx, q),
    'jobs:revokeGrant': ({ grantId, reason }) => {
      const g = revokeGrant(ctx, grantId, { reason });
      void schedulerOf(ctx)?.tick();
      return g;
    },
    'jobs:clock': () => clockView(),
    'jobs:advanceClock': async ({ minutes }) => {
      if (!ctx.sandbox) throw new UserError('the clock can only be moved in the sandbox workspace (demo and tests): expiry of real access follows real time', 'conflict');
      adjustableClockOf(ctx).advance(minutes * 60_000);
      const scheduler = schedulerOf(ctx);
      if (scheduler) await scheduler.tick();
      else {
        // No scheduler in this process (a bare bridge): do what a tick does for expiry.
        expireDueGrants(ctx);
        sendExpiryNotices(ctx);
        await runJobs(ctx);
      }
      helpers.cache.clear();
      ctx.events.emit('governance:changed', { area: 'jobs', ids: [] });
      return clockView();
    },
  };
}
