// The handlers of the requests channels (shared/contract-requests.ts).
import type { requestsChannels } from '../../../shared/contract-requests.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const REQUESTS_WRITE_CHANNELS = [] as const;

export function requestsApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof requestsChannels> {
  void ctx;
  void helpers;
  return {};
}
