// Jira write-back is a job, never a call made inline: Jira being down or
// rate-limited must not hold up an approval or a provisioning. Each step of a
// request enqueues one update here, in the transaction of the step itself.
// The 'jira' executor (jira/jira-job.ts, registered by governance/) creates
// the request's issue first if it has none yet, then adds the comment and
// applies the transition. Updates of one request run in the order they were
// enqueued. The outbox lives here, with the queue it writes to, so that the
// request and grant steps below the Jira area can record without calling it.
import type { JiraRecord, JiraRecordEntry } from '../../../shared/governance.js';
import { firstConnectionOf } from '../connections/connections.js';
import type { Db } from '../db/database.js';
import { enqueueJob, jobsOfRequest } from './job-store.js';

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
export const JIRA_TARGET_WORDS: Readonly<Record<JiraTarget, string>> = { 'waiting-for-approval': 'Waiting for approval', 'in-progress': 'In progress', done: 'Done', declined: 'Declined' };

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

const json = (text: string | null): Record<string, unknown> => {
  try {
    const v = JSON.parse(text ?? '{}') as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/**
 * A request's record in Jira as Latchkey wrote it: each queued update (its
 * comment and target status) with when it was queued, written or given up,
 * read from the outbox's jobs and their payloads and results. Nothing is
 * asked of Jira: this is what Latchkey sent, which is what it can vouch for.
 */
export function jiraRecordOf(db: Db, requestId: number): JiraRecord {
  const rows = jobsOfRequest(db, requestId).filter((j) => j.kind === 'jira');
  let status: string | null = null;
  let statusAt: string | null = null;
  const entries = rows.map((r): JiraRecordEntry => {
    const p = r.payload;
    const result = json(r.result);
    const target = typeof p.transition === 'string' && p.transition in JIRA_TARGET_WORDS ? JIRA_TARGET_WORDS[p.transition as JiraTarget] : null;
    const transitions = Array.isArray(result.transitions) ? result.transitions.filter((t): t is string => typeof t === 'string') : [];
    const commented = result.comment === 'posted' || result.comment === 'already' || result.comment === 'skipped' ? result.comment : null;
    const warnings = Array.isArray(result.warnings) ? result.warnings.filter((t): t is string => typeof t === 'string') : [];
    const state: JiraRecordEntry['state'] =
      r.status === 'succeeded' ? 'written' : r.status === 'failed' ? 'failed' : r.status === 'cancelled' ? 'cancelled' : r.status === 'running' ? 'sending' : r.attempts > 0 ? 'retrying' : 'queued';
    // A target the workflow lacked (result.notMoved) left the issue where it was: not a status Latchkey set.
    if (state === 'written' && target !== null && typeof result.notMoved !== 'string') {
      // The workflow's own name for where it landed ("Start progress → In progress"), else the target's.
      const last = transitions[transitions.length - 1];
      status = last?.includes('→') ? last.slice(last.lastIndexOf('→') + 1).trim() : target;
      statusAt = r.finishedAt;
    }
    return {
      jobId: r.id,
      event: typeof p.event === 'string' ? p.event : 'update',
      comment: typeof p.comment === 'string' ? p.comment : '',
      transitionTo: target,
      state,
      queuedAt: r.createdAt,
      writtenAt: state === 'written' ? r.finishedAt : null,
      failedAt: state === 'failed' || state === 'cancelled' ? r.finishedAt : null,
      nextTryAt: state === 'queued' || state === 'retrying' ? r.runAfter : null,
      attempts: r.attempts,
      lastError: r.lastError,
      commented,
      transitions,
      warnings,
    };
  });
  return { status, statusAt, entries };
}
