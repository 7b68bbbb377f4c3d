// The handlers of the jira channels (shared/contract-jira.ts).
import type { jiraChannels } from '../../../shared/contract-jira.js';
import type { EngineContext } from '../context.js';
import { jiraStatus } from '../jira/jira-status.js';
import { setJiraStatuses } from '../jira/jira-site.js';
import { pollJiraRequests } from '../jira/jsm-import.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';

export function jiraHandlers(ctx: EngineContext, _helpers: ApiHelpers): AreaHandlers<typeof jiraChannels> {
  return {
    'jira:status': () => jiraStatus(ctx),
    'jira:pollNow': async ({ connectionId }) => pollJiraRequests(ctx, connectionId !== undefined ? { connectionId } : {}),
    'jira:setStatuses': ({ connectionId, statuses }) => setJiraStatuses(ctx, connectionId, statuses),
  };
}
