// What the Jira card shows: the Jira connection write-back uses, how the JSM
// import is doing, and the write-back queue.
import type { JiraStatus } from '../../../shared/contract-jira.js';
import { jiraStatusesOf } from '../connectors/jira/jira-fields.js';
import { listConnectionRecords } from '../connections/connections.js';
import type { EngineContext } from '../context.js';
import { jobKindCounts } from '../jobs/job-store.js';
import { pollState } from './jira-site.js';

/** The status the Jira card shows: the first Jira connection (the one write-back uses) and the write-back queue. */
export function jiraStatus(ctx: EngineContext): JiraStatus {
  const c = listConnectionRecords(ctx.db)
    .filter((x) => x.kind === 'jira')
    .sort((a, b) => a.id - b.id)[0];
  const jobs = jobKindCounts(ctx.db, 'jira');
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
          statuses: jiraStatusesOf(c.settings.jira?.statuses),
        }
      : null,
    lastPollAt: poll?.lastPollAt ?? null,
    lastPollError: poll?.lastError ?? null,
    lastPollWarnings: poll?.lastWarnings ?? [],
    pollPosition: poll?.position ?? null,
    pendingWriteBacks: jobs.pending,
    failedWriteBacks: jobs.failed,
    lastWriteBackError: jobs.lastError,
  };
}
