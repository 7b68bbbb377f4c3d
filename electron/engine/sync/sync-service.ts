// Starts syncs on behalf of the transports and the CLI: loads the credential
// (or takes a one-run override, e.g. `--token-env` from cron), picks the
// connector by kind, runs the sync in the background and hands back the run
// id at once so the UI can follow the progress events. `done` always
// resolves to the recorded run, failed or not. What follows a sync in the
// other areas (people re-linked, drift against the grant ledger) is
// governance/after-sync.ts.
import type { SyncRunSummary } from '../../../shared/domain.js';
import { assertSecureTransport, getConnectionRecord, loadCredential } from '../connections/connections.js';
import { isEntraCredential, isOktaCredential, type Credential } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';
import { startEntraSync } from './entra-sync.js';
import { startOktaSync, SyncFailedError, type SyncOptions } from './okta-sync.js';

export type StartedSync = { runId: number; done: Promise<SyncRunSummary> };

export async function startSync(
  ctx: EngineContext,
  connectionId: number,
  opts: { credential?: Credential; full?: boolean } & SyncOptions = {},
): Promise<StartedSync> {
  const connection = getConnectionRecord(ctx.db, connectionId);
  const { credential: override, full = false, ...syncOptions } = opts;
  // A credential given for one run (--token-env) is held to the same rule as a stored one.
  if (override) assertSecureTransport(connection);
  const credential = override ?? (await loadCredential(ctx, connection));
  let started: StartedSync;
  if (connection.kind === 'entra') {
    if (!isEntraCredential(credential)) throw new UserError(`"${connection.name}" is an Entra connection: it needs a client secret or certificate`, 'bad-input');
    started = startEntraSync(ctx, connection, credential, { full, ...(syncOptions.signal ? { signal: syncOptions.signal } : {}) });
  } else if (connection.kind === 'okta') {
    if (!isOktaCredential(credential)) throw new UserError(`"${connection.name}" is an Okta connection: it needs an API token or OAuth key`, 'bad-input');
    // Incremental from the System Log when the last run left a position, unless a full sync is asked for.
    started = startOktaSync(ctx, connection, credential, { ...syncOptions, full });
  } else {
    throw new UserError(`"${connection.name}" is a ${connection.kind} connection: it has no directory to sync`, 'bad-input');
  }
  const done = started.done.catch((e: unknown) => {
    if (e instanceof SyncFailedError && e.summary) return e.summary;
    throw e;
  });
  return { runId: started.runId, done };
}
