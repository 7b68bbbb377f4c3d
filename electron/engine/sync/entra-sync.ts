// PLACEHOLDER (being written): full and delta sync of an Entra connection.
import type { SyncRunSummary } from '../../../shared/domain.js';
import type { ConnectionRecord, EntraCredential } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';

export type EntraSyncOptions = { full?: boolean; signal?: AbortSignal };

export function startEntraSync(
  _ctx: EngineContext,
  _connection: ConnectionRecord,
  _credential: EntraCredential,
  _opts: EntraSyncOptions = {},
): { runId: number; done: Promise<SyncRunSummary> } {
  throw new UserError('syncing Entra connections is not built yet', 'bad-input');
}
