// `latchkey catalog ...`. Parsing and output only; the engine does the work.
import type { EngineContext } from '../engine/context.js';
import type { EventBus } from '../engine/workspace.js';
import { UsageError, type CliIo } from './cli-kit.js';

/** Lines for `latchkey --help`. */
export const CATALOG_USAGE = '';

/** Verbs that only read the workspace (allowed with --read-only). */
export const CATALOG_READ_VERBS: readonly string[] = [];

export function runCatalogCommand(ctx: EngineContext, bus: EventBus, args: string[], io: CliIo): Promise<number> {
  void ctx;
  void bus;
  void io;
  return Promise.reject(new UsageError(`unknown catalog verb "${args[0] ?? ''}"`));
}
