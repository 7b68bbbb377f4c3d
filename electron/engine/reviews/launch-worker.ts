// The launch's worker thread (launch-thread.ts starts it): opens its own
// connection to the workspace file and runs launchCampaign there — the same
// function, the same one transaction — so the caller's event loop (the HTTP
// bridge, the console's IPC) keeps answering while a 1M-item launch writes.
// Nothing but the file path, the ids, who acts and the launch's instant
// crosses in; nothing but the outcome (the launched campaign's view, or the
// refusal's text and code) and progress crosses out. No secret is needed here: the store is empty.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError, type EngineContext } from '../context.js';
import { openDatabase } from '../db/database.js';
import { memorySecretStore } from '../secrets/secret-store.js';
import { launchCampaign } from './campaigns.js';
import type { LaunchWorkerData, LaunchWorkerMessage } from './launch-thread.js';

const port = parentPort;
if (!port) throw new Error('launch-worker.ts runs only as a worker thread');
const data = workerData as LaunchWorkerData;
const post = (m: LaunchWorkerMessage): void => port.postMessage(m);

let db: EngineContext['db'] | null = null;
try {
  db = openDatabase(data.file);
  db.pragma(`cache_size = -${data.cacheKiB}`);
  // The same for the TEMP tables the launch fills and joins (launch-inputs.ts: ~20 MB of accounts and of holders at 1M items):
  // with the default 2 MB they spill to the temp file and every lookup pays for it (the holders' count 4.8 → 2.5 s at 1M).
  db.pragma(`temp.cache_size = -${data.cacheKiB}`);
  // The launch's ~1 GB of WAL is copied into the file after the caller hears "done", not inside the COMMIT (see below).
  db.pragma('wal_autocheckpoint = 0');
  post({ type: 'started' });
  const now = new Date(data.now);
  const ctx: EngineContext = {
    db,
    dbPath: data.file,
    readOnly: false,
    secrets: memorySecretStore(),
    // The launch's instant, as the caller's clock gave it (a test's fixed clock stays fixed).
    clock: { now: () => new Date(now) },
    events: { emit: () => undefined },
    actor: data.actor,
    ...(data.channel ? { channel: data.channel } : {}),
    transport: data.transport,
    sandbox: data.sandbox,
  };
  // The launched campaign read back here: on a 1M-item campaign its counts are a ~1 s read the caller's thread is spared.
  const view = launchCampaign(ctx, data.campaignId, { overrideStale: data.overrideStale }, { progress: (p) => post({ type: 'progress', ...p }) });
  post({ type: 'done', view });
  // Still in this thread and PASSIVE (readers and writers go on): the caller already has its campaign.
  db.pragma('wal_checkpoint(PASSIVE)');
} catch (e) {
  const err = e as Error;
  post({ type: 'failed', message: err.message, userCode: e instanceof UserError ? e.code : null });
} finally {
  db?.close();
}
