// The handlers of the jobs channels (shared/contract-jobs.ts).
import type { jobsChannels } from '../../../shared/contract-jobs.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const JOBS_WRITE_CHANNELS = [] as const;

export function jobsApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof jobsChannels> {
  void ctx;
  void helpers;
  return {};
}
