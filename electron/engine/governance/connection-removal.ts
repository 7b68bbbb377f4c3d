// Removing a connection touches four areas, so it is put together here
// rather than by one of them calling the others: refused while its sync runs
// (the sync would write rows for a connection that no longer exists), its
// snapshot and row deleted in one transaction with the audit event, people
// re-linked (its accounts no longer link anyone to anyone), and finally its
// keychain entry forgotten. Audit history stays.
import { deleteConnectionRecord, forgetCredential, getConnectionRecord } from '../connections/connections.js';
import { UserError, type EngineContext } from '../context.js';
import { refreshCorrelation } from '../directory/correlation.js';
import { isSyncRunning } from '../sync/active-syncs.js';
import { dropConnectionSnapshot } from '../sync/live-snapshot.js';

export async function removeConnection(ctx: EngineContext, connectionId: number): Promise<void> {
  if (ctx.readOnly) throw new UserError('this workspace is open read-only (a copied snapshot): connections cannot be changed', 'read-only');
  const c = getConnectionRecord(ctx.db, connectionId);
  if (isSyncRunning(c.id)) throw new UserError(`"${c.name}" is syncing right now; remove it when the sync has finished`, 'conflict');
  ctx.db
    .transaction(() => {
      // The connection first: its rows then belong to no live generation, and
      // the Directory model's triggers drop them in one pass rather than once
      // per membership.
      deleteConnectionRecord(ctx, c);
      dropConnectionSnapshot(ctx.db, c.id);
    })
    .immediate();
  refreshCorrelation(ctx.db);
  await forgetCredential(ctx, c);
}
