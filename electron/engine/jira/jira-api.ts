// The handlers of the jira channels (shared/contract-jira.ts).
import type { JiraStatus, jiraChannels } from '../../../shared/contract-jira.js';
import { listConnectionRecords } from '../connections/connections.js';
import type { EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from '../handler-types.js';
import { pollState } from './jira-site.js';
import { pollJiraRequests } from './jsm-import.js';

/** Channels here that change the workspace; refused on a read-only snapshot. */
export const JIRA_WRITE_CHANNELS = ['jira:pollNow'] as const;

/** The status the Jira card shows: the first Jira connection (the one write-back uses) and the write-back queue. */
export function jiraStatus(ctx: EngineContext): JiraStatus {
  const c = listConnectionRecords(ctx.db)
    .filter((x) => x.kind === 'jira')
    .sort((a, b) => a.id - b.id)[0];
  const jobs = ctx.db
    .prepare(
      `SELECT SUM(status IN ('queued', 'running')) AS pending, SUM(status = 'failed') AS failed,
              (SELECT last_error FROM jobs WHERE kind = 'jira' AND last_error IS NOT NULL AND status IN ('queued', 'running', 'failed') ORDER BY updated_at DESC, id DESC LIMIT 1) AS lastError
         FROM jobs WHERE kind = 'jira'`,
    )
    .get() as { pending: number | null; failed: number | null; lastError: string | null };
  const poll = c ? pollState(c) : null;
  return {
    configured: c !== undefined,
    connection: c
      ? {
          id: c.id,
          name: c.name,
          siteUrl: c.baseUrl,
          projectKey: c.settings.jira?.projectKey ?? '',
          serviceDeskId: c.settings.jira?.serviceDeskId ?? null,
          requestTypeId: c.settings.jira?.requestTypeId ?? null,
          requestTypeName: poll?.requestTypeName ?? null,
        }
      : null,
    lastPollAt: poll?.lastPollAt ?? null,
    lastPollError: poll?.lastError ?? null,
    pollPosition: poll?.position ?? null,
    pendingWriteBacks: jobs.pending ?? 0,
    failedWriteBacks: jobs.failed ?? 0,
    lastWriteBackError: jobs.lastError,
  };
}

export function jiraApi(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof jiraChannels> {
  return {
    'jira:status': () => jiraStatus(ctx),
    'jira:pollNow': async ({ connectionId }) => {
      helpers.writable();
      return pollJiraRequests(ctx, connectionId !== undefined ? { connectionId } : {});
    },
  };
}
