// Channels of the jira area, merged into shared/contract.ts.
import { z } from 'zod';
import { read, write } from './channel.js';

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
  } | null;
  /** The JSM import: when it last ran, and its error if that run failed. */
  lastPollAt: string | null;
  lastPollError: string | null;
  /** Created time of the newest portal request seen. */
  pollPosition: string | null;
  /** Write-back jobs waiting (queued or running) and failed. */
  pendingWriteBacks: number;
  failedWriteBacks: number;
  /** The newest write-back error (a failed job's, or a queued one's last try). */
  lastWriteBackError: string | null;
};

export type JiraPollResult = {
  imported: number[];
  skipped: { issueKey: string; reason: string }[];
  decided: number[];
  errors: { connectionId: number; error: string }[];
};

export const jiraChannels = {
  /** Whether Jira is configured, the JSM import's last poll and error, and how many write-backs wait or failed. */
  'jira:status': read<JiraStatus>()(z.object({}).strict()),
  /** Polls the JSM request type now (new portal requests, approval answers) instead of waiting for the scheduler. */
  'jira:pollNow': write<JiraPollResult>()(z.object({ connectionId: z.number().int().positive().optional() }).strict()),
} as const;
