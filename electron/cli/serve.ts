// `latchkey serve`: the contract and the built console over HTTP on 127.0.0.1,
// for browsers where Electron can't run, and for the end-to-end tests.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers } from '../engine/api.js';
import { startBridge } from '../engine/bridge/http-bridge.js';
import type { EngineContext } from '../engine/context.js';
import { startScheduler } from '../engine/governance/scheduler.js';
import { snapshotAuditStatus } from '../engine/workspace/snapshot-copy.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { describeAuditStatus } from './audit-commands.js';
import type { CliIo } from './cli-kit.js';

/** dist/electron/cli/serve.js -> dist/renderer */
export const rendererDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../renderer');

export async function serveWorkspace(
  ctx: EngineContext,
  bus: EventBus,
  o: { port: number; io: CliIo; quiet?: boolean; onLinkUsed?: () => void },
): Promise<{ url: string; close: () => Promise<void> }> {
  const bridge = await startBridge({
    handlers: createHandlers(ctx),
    host: '127.0.0.1',
    port: o.port,
    staticDir: rendererDir,
    events: bus,
    ...(o.onLinkUsed ? { onTokenUsed: o.onLinkUsed } : {}),
  });
  // Provisioning, revocation and expiry run while the console is served (catch-up first).
  const scheduler = ctx.readOnly
    ? null
    : startScheduler(ctx, { onError: (e) => o.io.stderr(`latchkey: jobs: ${e instanceof Error ? e.message : String(e)}\n`) });
  if (!o.quiet) {
    o.io.stdout(`Latchkey console: ${bridge.url}\n`);
    o.io.stdout(`(workspace ${ctx.dbPath}${ctx.readOnly ? ', read-only' : ''}; the link opens the console once, in one browser: keep it private)\n`);
    if (ctx.readOnly) o.io.stdout(`${describeAuditStatus(snapshotAuditStatus(ctx.db))}\n`);
  }
  const stop = (): void => {
    void Promise.all([bridge.close(), scheduler?.stop()]).finally(() => {
      ctx.db.close();
      process.exit(0);
    });
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    url: bridge.url,
    close: async () => {
      await scheduler?.stop();
      await bridge.close();
    },
  };
}
