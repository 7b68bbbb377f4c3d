// Starts syncs on behalf of the transports and the CLI: loads the credential
// (or takes a one-run override), runs the sync in the background and hands
// back the run id at once so the UI can follow progress events.
import type { SyncRunSummary } from '../../../shared/domain.js';
import type { OktaCredential } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';

export type StartedSync = { runId: number; done: Promise<SyncRunSummary> };

// TODO(lead): wire to runFullSync once the sync runner lands.
export function startSync(_ctx: EngineContext, _connectionId: number, _opts: { credential?: OktaCredential } = {}): Promise<StartedSync> {
  return Promise.reject(new UserError('sync is not wired yet', 'failed'));
}
