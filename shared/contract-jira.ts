// Channels of the jira area, merged into shared/contract.ts.
import { z } from 'zod';
import { read, write } from './channel.js';

const jiraStatusName = z.string().trim().min(1, 'a status name is empty').max(255);
/** The workflow status names Latchkey moves a request's issue through (each optional: the default where absent). */
export const jiraStatusNamesInput = z
  .object({ waiting: jiraStatusName.optional(), approved: jiraStatusName.optional(), done: jiraStatusName.optional(), declined: jiraStatusName.optional() })
  .strict();

/** Where write-back and the JSM import stand, for the Jira card and the request views. */
export type JiraStatus = {
  /** False when no Jira connection exists: requests proceed without write-back. */
  configured: boolean;
  connection: {
    id: number;
    name: string;
    siteUrl: string;
    projectKey: string;
    serviceDeskId: string | null;
    requestTypeId: string | null;
    /** The request type's name once the import has resolved it. */
    requestTypeName: string | null;
    /** The workflow status names write-back moves issues through (the defaults where not set). */
    statuses: JiraStatusNames;
  } | null;
  /** The JSM import: when it last ran, and its error if that run failed. */
  lastPollAt: string | null;
  lastPollError: string | null;
  /** What the last poll noticed without failing (a pager bound hit, a page the site repeated). */
  lastPollWarnings: string[];
  /** Created time of the newest portal request seen. */
  pollPosition: string | null;
  /** Write-back jobs waiting (queued or running) and failed. */
  pendingWriteBacks: number;
  failedWriteBacks: number;
  /** The newest write-back error (a failed job's, or a queued one's last try). */
  lastWriteBackError: string | null;
};

/** The status names a Jira connection uses: waiting for approval, approved (in progress), done, declined. */
export type JiraStatusNames = { waiting: string; approved: string; done: string; declined: string };

export type JiraPollResult = {
  imported: number[];
  skipped: { issueKey: string; reason: string }[];
  decided: number[];
  errors: { connectionId: number; error: string }[];
  /** What the poll noticed without failing (a pager bound hit, a page the site repeated). */
  warnings: string[];
};

export const jiraChannels = {
  /** Whether Jira is configured, the JSM import's last poll and error, and how many write-backs wait or failed. */
  'jira:status': read<JiraStatus>()(z.object({}).strict()),
  /** Polls the JSM request type now (new portal requests, approval answers) instead of waiting for the scheduler. */
  'jira:pollNow': write<JiraPollResult>()(z.object({ connectionId: z.number().int().positive().optional() }).strict()),
  /** Sets the workflow status names a Jira connection moves issues through (a name left out goes back to its default). */
  'jira:setStatuses': write<JiraStatusNames>()(z.object({ connectionId: z.number().int().positive(), statuses: jiraStatusNamesInput }).strict()),
} as const;
