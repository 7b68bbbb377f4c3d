// The handlers of the connections and sync channels (shared/contract.ts).
import type { Channel } from '../../../shared/contract.js';
import { addConnection, rememberTestResult, setConnectionScope, toSummary } from '../connections/connections.js';
import { testConnection } from '../connections/connection-test.js';
import type { EngineContext } from '../context.js';
import { syncAndReconcile } from '../governance/after-sync.js';
import { removeConnection } from '../governance/connection-removal.js';
import { activeSyncProgress } from '../sync/active-syncs.js';
import { connectionSummaries, lastSyncRun, listSyncRuns } from '../sync/sync-runs.js';
import type { ApiHelpers, Handlers } from './handler-types.js';

type ConnectionChannels = Extract<Channel, `connections:${string}` | `sync:${string}`>;

export function connectionsHandlers(ctx: EngineContext, { cache }: ApiHelpers): Pick<Handlers, ConnectionChannels> {
  const { db } = ctx;
  return {
    'connections:list': () => connectionSummaries(db),
    'connections:add': async (input) => {
      const record = await addConnection(ctx, input);
      return toSummary(record, lastSyncRun(db, record.id));
    },
    'connections:test': async ({ connectionId }) => {
      const result = await testConnection(ctx, connectionId);
      rememberTestResult(ctx, connectionId, result);
      return result;
    },
    'connections:remove': async ({ connectionId }) => {
      await removeConnection(ctx, connectionId);
      cache.clear();
      return { removed: true as const };
    },
    'connections:setScope': ({ connectionId, scope }) => {
      const record = setConnectionScope(ctx, connectionId, scope);
      cache.clear();
      return toSummary(record, lastSyncRun(db, record.id));
    },
    'sync:start': async ({ connectionId, full }) => {
      const started = await syncAndReconcile(ctx, connectionId, { full });
      // The outcome reaches the renderer as a sync:finished event; a failed
      // run is recorded by the runner, so nothing is left to handle here.
      started.done.catch(() => undefined);
      return { runId: started.runId };
    },
    'sync:runs': (q) => listSyncRuns(db, q),
    'sync:active': () => activeSyncProgress(),
  };
}
