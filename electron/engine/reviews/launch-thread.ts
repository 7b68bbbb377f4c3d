// Launching a campaign off the caller's thread. A launch over a 100k-person
// org writes ~1M items in one transaction (launched or not, never half: a
// crash leaves the draft); on the engine's own thread that froze the HTTP
// bridge and the console for the whole write. Here launch-worker.ts runs the
// same launchCampaign on its own connection in a worker thread while this
// thread keeps serving reads (WAL: readers see the last commit, the draft,
// until the launch commits). Writers on this thread wait for the launch's
// write lock like they wait for a sync's commit (busy timeout).
//
// The thread is a module file beside this one (threads.ts finds it: the .js
// in a build; from sources, the .ts through tsx's loader). Where no worker can start
// (':memory:', a packaging that cannot load the file), the launch runs
// inline, as before.
import { Worker } from 'node:worker_threads';
import type { CampaignView } from '../../../shared/contract-reviews.js';
import { UserError, type EngineContext } from '../context.js';
import { workerEntryBeside } from '../threads.js';
import { launchCampaign, notifyLaunched, type LaunchProgress } from './campaigns.js';

export type LaunchWorkerData = {
  file: string;
  campaignId: number;
  overrideStale: string | undefined;
  /** ISO instant of the launch (the caller's clock). */
  now: string;
  actor: string;
  channel: EngineContext['channel'] | null;
  transport: EngineContext['transport'];
  sandbox: boolean;
  /** The worker connection's page cache (KiB). */
  cacheKiB: number;
};

export type LaunchWorkerMessage =
  | { type: 'started' }
  | ({ type: 'progress' } & LaunchProgress)
  | { type: 'done'; view: CampaignView }
  | { type: 'failed'; message: string; userCode: UserError['code'] | null };

/** The launch writes ~1 KB per item into two indexes and the table: a larger cache than the engine connection's default 2 MB. */
const LAUNCH_CACHE_KIB = 64 * 1024;

/**
 * launchCampaign in a worker thread; resolves with the launched campaign
 * (read back in the thread, after its commit) or rejects with the launch's own
 * refusal (a UserError keeps its code).
 */
export async function launchCampaignOffThread(
  ctx: EngineContext,
  campaignId: number,
  input: { overrideStale?: string | undefined },
  onProgress?: (p: LaunchProgress) => void,
): Promise<CampaignView> {
  const entry = ctx.dbPath === ':memory:' ? null : workerEntryBeside(import.meta.url, 'launch-worker');
  const inline = (): CampaignView => launchCampaign(ctx, campaignId, input, { progress: onProgress });
  if (!entry) return inline();
  const data: LaunchWorkerData = {
    file: ctx.dbPath,
    campaignId,
    overrideStale: input.overrideStale,
    now: ctx.clock.now().toISOString(),
    actor: ctx.actor,
    channel: ctx.channel ?? null,
    transport: ctx.transport,
    sandbox: ctx.sandbox,
    cacheKiB: LAUNCH_CACHE_KIB,
  };
  const outcome = await new Promise<CampaignView | 'no-worker'>((resolve, reject) => {
    let started = false;
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
    };
    let worker: Worker;
    try {
      worker = new Worker(entry, { workerData: data });
    } catch {
      resolve('no-worker');
      return;
    }
    worker.on('message', (m: LaunchWorkerMessage) => {
      if (m.type === 'started') {
        started = true;
        onProgress?.({ phase: 'opened', done: 0, total: 0 });
      }
      else if (m.type === 'progress') onProgress?.({ phase: m.phase, done: m.done, total: m.total });
      else if (m.type === 'done') settle(() => resolve(m.view));
      else settle(() => reject(m.userCode ? new UserError(m.message, m.userCode) : new Error(m.message)));
    });
    // A thread that could not even load its module never touched the file: launch inline instead.
    worker.on('error', (e) => settle(() => (started ? reject(e) : resolve('no-worker'))));
    worker.on('exit', (code) => settle(() => (started ? reject(new Error(`the launch thread stopped (exit code ${code}) before the campaign was launched`)) : resolve('no-worker'))));
  });
  if (outcome === 'no-worker') return inline();
  onProgress?.({ phase: 'committed', done: 0, total: 0 });
  notifyLaunched(ctx, campaignId);
  return outcome;
}
