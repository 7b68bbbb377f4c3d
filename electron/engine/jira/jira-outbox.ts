// Jira write-back is a job, never a call made inline: Jira being down or
// rate-limited must not hold up an approval or a provisioning. Each step of a
// request enqueues one update here, in the transaction of the step itself.
// The 'jira' executor (jira-job.ts) creates the request's issue first if it
// has none yet, then adds the comment and applies the transition. Updates of
// one request run in the order they were enqueued.
import type { JiraRecord, JiraRecordEntry } from '../../../shared/governance.js';
import type { Db } from '../db/database.js';
import { enqueueJob } from '../jobs/queue.js';

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
  const row = db.prepare("SELECT id FROM connections WHERE kind = 'jira' ORDER BY id LIMIT 1").get() as { id: number } | undefined;
  return row?.id ?? null;
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

type OutboxRow = {
  id: number;
  payload: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'manual';
  attempts: number;
  last_error: string | null;
  result: string | null;
  created_at: string;
  finished_at: string | null;
  run_after: string;
};

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
  const rows = db
    .prepare(
      `SELECT id, payload, status, attempts, last_error, result, created_at, finished_at, run_after
         FROM jobs WHERE request_id = ? AND kind = 'jira' ORDER BY id`,
    )
    .all(requestId) as OutboxRow[];
  let status: string | null = null;
  let statusAt: string | null = null;
  const entries = rows.map((r): JiraRecordEntry => {
    const p = json(r.payload);
    const result = json(r.result);
    const target = typeof p.transition === 'string' && p.transition in JIRA_TARGET_WORDS ? JIRA_TARGET_WORDS[p.transition as JiraTarget] : null;
    const transitions = Array.isArray(result.transitions) ? result.transitions.filter((t): t is string => typeof t === 'string') : [];
    const commented = result.comment === 'posted' || result.comment === 'already' || result.comment === 'skipped' ? result.comment : null;
    const state: JiraRecordEntry['state'] =
      r.status === 'succeeded' ? 'written' : r.status === 'failed' ? 'failed' : r.status === 'cancelled' ? 'cancelled' : r.status === 'running' ? 'sending' : r.attempts > 0 ? 'retrying' : 'queued';
    if (state === 'written' && target !== null) {
      // The workflow's own name for where it landed ("Start progress → In progress"), else the target's.
      const last = transitions[transitions.length - 1];
      status = last?.includes('→') ? last.slice(last.lastIndexOf('→') + 1).trim() : target;
      statusAt = r.finished_at;
    }
    return {
      jobId: r.id,
      event: typeof p.event === 'string' ? p.event : 'update',
      comment: typeof p.comment === 'string' ? p.comment : '',
      transitionTo: target,
      state,
      queuedAt: r.created_at,
      writtenAt: state === 'written' ? r.finished_at : null,
      failedAt: state === 'failed' || state === 'cancelled' ? r.finished_at : null,
      nextTryAt: state === 'queued' || state === 'retrying' ? r.run_after : null,
      attempts: r.attempts,
      lastError: r.last_error,
      commented,
      transitions,
    };
  });
  return { status, statusAt, entries };
}
