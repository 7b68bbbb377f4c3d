// The demo workspace: with no real tenant configured, the console runs on the
// embedded sandbox tenant. The sandbox listens on a new port with a new token
// every launch, so its connection is re-pointed (and audited) each time.
import { appendAudit } from './audit/audit-log.js';
import { addConnection, getConnectionRecord, listConnectionRecords } from './connections/connections.js';
import type { ConnectionRecord } from './connectors/types.js';
import { workspaceId, type EngineContext } from './context.js';
import { connectionAccount } from './secrets/secret-store.js';
import { startSync, type StartedSync } from './sync/sync-service.js';

export const SANDBOX_CONNECTION_NAME = 'Sandbox Okta';

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
}

/** True when the workspace has no connection to a real tenant, so the demo sandbox should run. */
export function wantsSandbox(ctx: EngineContext): boolean {
  return listConnectionRecords(ctx.db).every((c) => c.name === SANDBOX_CONNECTION_NAME && isLoopback(c.baseUrl));
}

/** Creates or re-points the sandbox connection at a running sandbox. */
export async function attachSandbox(ctx: EngineContext, okta: { url: string; token: string }): Promise<ConnectionRecord> {
  const existing = listConnectionRecords(ctx.db).find((c) => c.name === SANDBOX_CONNECTION_NAME);
  if (!existing) {
    return addConnection(ctx, {
      kind: 'okta',
      name: SANDBOX_CONNECTION_NAME,
      orgUrl: okta.url,
      budgetShare: 0.5,
      auth: { type: 'token', token: okta.token },
    });
  }
  await ctx.secrets.set(connectionAccount(workspaceId(ctx.db), existing.id), JSON.stringify({ type: 'token', token: okta.token }));
  if (existing.baseUrl !== okta.url) {
    ctx.db
      .transaction(() => {
        ctx.db.prepare('UPDATE connections SET base_url = ?, updated_at = ? WHERE id = ?').run(okta.url, ctx.clock.now().toISOString(), existing.id);
        appendAudit(
          ctx.db,
          {
            actor: ctx.actor,
            action: 'connection.repointed',
            targetType: 'connection',
            targetId: existing.id,
            details: { name: existing.name, from: existing.baseUrl, to: okta.url, reason: 'sandbox restarted' },
          },
          ctx.clock.now(),
        );
      })
      .immediate();
  }
  return getConnectionRecord(ctx.db, existing.id);
}

/** Whether the connection has ever completed a sync (the demo syncs once on first launch). */
export function hasSucceededSync(ctx: EngineContext, connectionId: number): boolean {
  return ctx.db.prepare("SELECT 1 FROM sync_runs WHERE connection_id = ? AND status = 'succeeded' LIMIT 1").get(connectionId) !== undefined;
}

export type DemoSandbox = { okta: { url: string; token: string }; close: () => Promise<void> };
export type Demo = { sandbox: DemoSandbox; connection: ConnectionRecord; firstSync: StartedSync | null };

/**
 * With no real tenant configured (and LATCHKEY_NO_SANDBOX unset), starts the
 * sandbox through the given starter, points the demo connection at it and,
 * the first time, starts a sync whose progress the console shows. The starter
 * is injected so the engine does not depend on the sandbox code.
 */
export async function startDemo(
  ctx: EngineContext,
  deps: { startSandbox: () => Promise<DemoSandbox>; env?: NodeJS.ProcessEnv },
): Promise<Demo | null> {
  if (ctx.readOnly || (deps.env ?? process.env).LATCHKEY_NO_SANDBOX === '1' || !wantsSandbox(ctx)) return null;
  const sandbox = await deps.startSandbox();
  try {
    ctx.sandbox = true;
    const connection = await attachSandbox(ctx, sandbox.okta);
    const firstSync = hasSucceededSync(ctx, connection.id) ? null : await startSync(ctx, connection.id);
    return { sandbox, connection, firstSync };
  } catch (e) {
    await sandbox.close();
    throw e;
  }
}
