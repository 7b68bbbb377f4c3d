// Channels of the audit log, merged into shared/contract.ts: the events with
// filters (the console's Audit log page), the chain's status with its last
// signed checkpoint and anchors, a verification run on demand, and the CSV
// export of the filtered events. All read: they work on a read-only snapshot.
import { z } from 'zod';
import { read } from './channel.js';
import { AUDIT_CHANNELS } from './governance.js';
import type { AuditEvent } from './domain.js';

/** An instant with its zone ("2026-05-01T17:00:00Z", "2026-05-01T19:00:00.000+02:00"): a period's bound is exact, never a bare date. */
const instant = z
  .string()
  .trim()
  .max(40)
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'not an instant: expected ISO 8601 with a time zone, like 2026-05-01T17:00:00Z',
  });

const filterShape = {
  /** Part of the actor (any case). */
  actor: z.string().trim().max(320).optional(),
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  channel: z.enum(AUDIT_CHANNELS as [string, ...string[]]).optional(),
  /** The period: from (inclusive) to (exclusive). */
  from: instant.optional(),
  to: instant.optional(),
};

export const auditFilterInput = z.object(filterShape).strict();
export type AuditFilterInput = z.infer<typeof auditFilterInput>;

/** One event with every field its hash covers. */
export type AuditLogEvent = AuditEvent & { prevHash: string; format: number };

/** What a verification found (audit/verify.ts), and when it ran. */
export type AuditVerifyView = {
  ok: boolean;
  events: number;
  head: { seq: number; hash: string; count: number };
  checkpoints: { total: number; valid: number };
  anchors: { checked: number; held: number };
  findings: { code: string; message: string; seq?: number }[];
  notes: string[];
  verifiedAt: string;
  tookMs: number;
};

export type AuditCheckpointView = { id: number; seq: number; count: number; headHash: string; at: string; keyId: string; reason: string };
export type AuditAnchorView = { id: number; kind: string; count: number; headHash: string; at: string; issueKey: string | null; commentId: string | null; target: string | null };

/** The chain as it stands, without re-verifying it: its head, the newest signed checkpoint, the anchors, and the last verification in this session. */
export type AuditStatusView = {
  head: { seq: number; hash: string; count: number };
  checkpoints: number;
  latestCheckpoint: AuditCheckpointView | null;
  /** Anchors written outside the file (Jira comments, snapshot copies), newest first (at most 20) and how many in all. */
  anchors: { total: number; latest: AuditAnchorView[] };
  /** The last verification run since the console opened this workspace (null: not run yet). */
  lastVerify: AuditVerifyView | null;
};

/** At most this many events go into one CSV export. */
export const AUDIT_EXPORT_MAX = 100_000;

export const auditChannels = {
  /** Audit events matching the filters, newest first, a page at a time, with how many match. */
  'audit:events': read<{ rows: AuditLogEvent[]; total: number }>()(
    z
      .object({ ...filterShape, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(1000).default(100) })
      .strict(),
  ),
  /** Every recorded action with its number of events (the action filter's choices). */
  'audit:actions': read<{ action: string; count: number }[]>()(z.object({}).strict()),
  /** The chain's head, newest signed checkpoint and anchors, and the last verification (not re-run: that takes time on a long chain). */
  'audit:status': read<AuditStatusView>()(z.object({}).strict()),
  /** Verifies the chain, its checkpoints and anchors now (seconds on a million events) and keeps the result as the last verification. */
  'audit:verify': read<AuditVerifyView>()(z.object({}).strict()),
  /** The filtered events as CSV (oldest first, every hashed field and the hashes; formulas neutralised), at most AUDIT_EXPORT_MAX. */
  'audit:export': read<{ filename: string; contentBase64: string; rows: number; sha256: string }>()(auditFilterInput),
} as const;
