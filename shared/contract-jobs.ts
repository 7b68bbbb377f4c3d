// Channels of the jobs area, merged into shared/contract.ts: the durable job
// queue (provisioning, revocation, Jira write-back), the grant ledger, manual
// tasks, drift, and the "Needs attention" view that gathers what needs a person.
import { z } from 'zod';
import { read, write } from './channel.js';
import type { DriftRow, GrantRow, JobRow, ManualTask } from './governance.js';

const id = z.number().int().positive();
const text = (what: string, max = 2000) => z.string().trim().min(1, `${what} is required`).max(max, `${what} is too long (at most ${max} characters)`);

/** A manual task with what it is about (the grant's group and person). */
export type ManualTaskView = ManualTask & { groupName: string | null; beneficiary: string | null; connectionId: number | null; requestId: number | null };

export type AttentionCounts = { failed: number; manual: number; drift: number; expiringSoon: number; total: number };

/** Everything the Needs attention page shows, in one call. */
export type AttentionView = {
  counts: AttentionCounts;
  failedJobs: JobRow[];
  tasks: ManualTaskView[];
  drift: DriftRow[];
  expiringSoon: GrantRow[];
  /** Hours before expiry that count as "soon" (settings.expiryNoticeHours). */
  noticeHours: number;
};

/** The workspace clock; adjustable only in the sandbox (demo and tests of expiry). */
export type ClockView = { now: string; offsetMs: number; adjustable: boolean };

/** How an ended grant ended: its access expired, someone revoked it, an access review did, it was cancelled, or an extension replaced it. */
export const GRANT_END_HOWS = ['expired', 'revoked', 'review', 'cancelled', 'extended'] as const;
export type GrantEndHow = (typeof GRANT_END_HOWS)[number];

/**
 * Whether a sync confirmed a removal: 'verified' (the first successful sync of
 * the connection that started after the grant ended did not see the
 * membership), 'reappeared' (a sync saw it back: drift), 'awaiting' (no
 * successful sync since).
 */
export type RemovalCheck = { state: 'verified' | 'reappeared'; runId: number; at: string } | { state: 'awaiting' };

/** A ledger row as the Access page shows it: the grant, the request behind it, how it ended and whether a sync confirmed it. */
export type LedgerGrant = GrantRow & {
  request: { justification: string; requester: string; jira: { key: string; url: string | null } | null } | null;
  /** For an ended grant: how, who ended it (when the ledger names them), through which channel, and their words. */
  ended: { how: GrantEndHow; by: string | null; channel: string | null; note: string | null } | null;
  /** For a revoked or expired grant; null where there is nothing to remove (cancelled before provisioning, replaced by an extension). */
  removal: RemovalCheck | null;
};

export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'manual'] as const;

export const jobsChannels = {
  /** Jobs, newest first; status 'attention' = failed jobs (with manual tasks and drift they make up Needs attention). */
  'jobs:list': read<{ rows: JobRow[]; total: number }>()(
    z
      .object({
        status: z.enum([...JOB_STATUSES, 'attention', 'all']).default('all'),
        kind: z.enum(['provision', 'revoke', 'jira']).optional(),
        requestId: id.optional(),
        grantId: id.optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
  ),
  /** Failed jobs, open manual tasks, open drift and grants expiring soon, with their counts (the sidebar badge). */
  'jobs:attention': read<AttentionView>()(z.object({}).strict()),
  /** Puts a failed or cancelled job back in the queue with three more attempts. */
  'jobs:retry': write<JobRow>()(z.object({ jobId: id }).strict()),
  /** Cancels a queued or failed job (provisioning: the grant is cancelled). */
  'jobs:cancel': write<JobRow>()(z.object({ jobId: id, reason: text('a reason', 500) }).strict()),
  /** Manual tasks (open by default). */
  'jobs:manualTasks': read<ManualTaskView[]>()(z.object({ status: z.enum(['open', 'done', 'cancelled', 'all']).default('open') }).strict()),
  /** Marks a manual task done with its evidence; the grant follows (add: active, remove: ended). */
  'jobs:completeTask': write<ManualTaskView>()(z.object({ taskId: id, evidence: text('evidence') }).strict()),
  /** Cancels a manual task (an add task's grant is cancelled). */
  'jobs:cancelTask': write<ManualTaskView>()(z.object({ taskId: id, reason: text('a reason', 500) }).strict()),
  /** Drift between the IdP and the ledger (open rows by default). */
  'jobs:drift': read<DriftRow[]>()(z.object({ open: z.boolean().default(true) }).strict()),
  /** Closes a drift row: 'fixed' (done something about it) or 'accept' (known; not flagged again for that grant). */
  'jobs:resolveDrift': write<DriftRow>()(z.object({ driftId: id, resolution: z.enum(['fixed', 'accept']), note: text('a note', 1000) }).strict()),
  /** The grant ledger: all, active, time-bound (active with an end), expiring soon (within withinHours, default the notice window) or ended (endedHow: only those that ended so). */
  'jobs:grants': read<{ rows: LedgerGrant[]; total: number }>()(
    z
      .object({
        filter: z.enum(['all', 'active', 'time-bound', 'expiring-soon', 'ended']).default('all'),
        withinHours: z.number().int().min(1).max(24 * 400).optional(),
        requestId: id.optional(),
        connectionId: id.optional(),
        endedHow: z.enum(GRANT_END_HOWS).optional(),
        search: z.string().max(200).optional(),
        offset: z.number().int().min(0).default(0),
        limit: z.number().int().min(1).max(1000).default(200),
      })
      .strict(),
  ),
  /** Revokes a grant now (a revocation job; the grant shows 'revoking' until the IdP confirms). */
  'jobs:revokeGrant': write<GrantRow>()(z.object({ grantId: id, reason: text('a reason', 500) }).strict()),
  /** The workspace clock (adjustable in the sandbox only). */
  'jobs:clock': read<ClockView>()(z.object({}).strict()),
  /** Sandbox only: moves the workspace clock ahead and runs a scheduler tick (expiry, notices, due jobs). */
  'jobs:advanceClock': write<ClockView>()(z.object({ minutes: z.number().int().min(1).max(60 * 24 * 400) }).strict()),
} as const;
