// The handlers of the catalog channels (shared/contract-catalog.ts).
import type { catalogChannels } from '../../../shared/contract-catalog.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const CATALOG_WRITE_CHANNELS = [] as const;

export function catalogApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof catalogChannels> {
  void ctx;
  void helpers;
  return {};
}
