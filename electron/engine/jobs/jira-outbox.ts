// Jira write-back is a job, never a call made inline: Jira being down or
// rate-limited must not hold up an approval or a provisioning. Each step of a
// request enqueues one update here, in the transaction of the step itself.
// The 'jira' executor (jira/jira-job.ts, registered by governance/) creates
// the request's issue first if it has none yet, then adds the comment and
// applies the transition. Updates of one request run in the order they were
// enqueued. The outbox lives here, with the queue it writes to, so that the
// request and grant steps below the Jira area can record without calling it.
import { firstConnectionOf } from '../connections/connections.js';
import type { Db } from '../db/database.js';
import { enqueueJob } from './job-store.js';

export type JiraEvent =
  | 'created'
  | 'step-opened'
  | 'approved'
  | 'denied'
  | 'escalated'
  | 'expired-pending'
  | 'cancelled'
  | 'provisioned'
  | 'provision-failed'
  | 'manual-task'
  | 'notice'
  | 'revoked'
  | 'grant-expired'
  | 'drift';

/** Where the issue should move; the executor maps it to the project's workflow transition. */
export type JiraTarget = 'waiting-for-approval' | 'in-progress' | 'done' | 'declined';

export type JiraUpdate = {
  event: JiraEvent;
  /** Plain text; the executor renders it as ADF. */
  comment: string;
  transition?: JiraTarget;
  /** Distinguishes repeated events of one kind (the grant id, the step): with the event it makes the idempotency key. */
  discriminator?: string | number;
};

/** The Jira connection requests are recorded in, or null when none is configured. */
export function jiraConnectionId(db: Db): number | null {
  return firstConnectionOf(db, 'jira')?.id ?? null;
}

/** Queues one write-back for a request; a no-op (returns null) when no Jira connection is configured. */
export function enqueueJiraUpdate(db: Db, requestId: number, update: JiraUpdate, now: Date): number | null {
  const connectionId = jiraConnectionId(db);
  if (connectionId === null) return null;
  return enqueueJob(
    db,
    {
      kind: 'jira',
      requestId,
      connectionId,
      payload: { ...update },
      idempotencyKey: `jira:${requestId}:${update.event}:${update.discriminator ?? ''}`,
    },
    now,
  );
}
