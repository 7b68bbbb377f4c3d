// Starts syncs on behalf of the transports and the CLI: loads the credential
// (or takes a one-run override, e.g. `--token-env` from cron), runs the sync in
// the background and hands back the run id at once so the UI can follow the
// progress events. `done` always resolves to the recorded run, failed or not.
import type { SyncRunSummary } from '../../../shared/domain.js';
import { getConnectionRecord, loadCredential } from '../connections/connections.js';
import type { OktaCredential } from '../connectors/types.js';
import type { EngineContext } from '../context.js';
import { startFullSync, SyncFailedError, type SyncOptions } from './sync-runner.js';

export type StartedSync = { runId: number; done: Promise<SyncRunSummary> };

export async function startSync(
  ctx: EngineContext,
  connectionId: number,
  opts: { credential?: OktaCredential } & SyncOptions = {},
): Promise<StartedSync> {
  const connection = getConnectionRecord(ctx.db, connectionId);
  const { credential: override, ...syncOptions } = opts;
  const credential = override ?? (await loadCredential(ctx, connection));
  const started = startFullSync(ctx, connection, credential, syncOptions);
  const done = started.done.catch((e: unknown) => {
    if (e instanceof SyncFailedError && e.summary) return e.summary;
    throw e;
  });
  return { runId: started.runId, done };
}
