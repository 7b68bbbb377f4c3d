// The handlers of the jira channels (shared/contract-jira.ts).
import type { jiraChannels } from '../../../shared/contract-jira.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const JIRA_WRITE_CHANNELS = [] as const;

export function jiraApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof jiraChannels> {
  void ctx;
  void helpers;
  return {};
}
