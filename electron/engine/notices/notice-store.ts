// The notices table (the notification outbox): the only SQL on it. A notice
// is a row before it is a message: its dedup key makes it one however often
// it is planned; due, sent and cancelled say what is owed and what went out.
import type { Db } from '../db/database.js';

export const NOTICE_CHANNELS = ['jira-comment', 'email', 'slack', 'teams'] as const;
export type NoticeChannel = (typeof NOTICE_CHANNELS)[number];
export type NoticeStatus = 'pending' | 'sent' | 'failed' | 'cancelled';

export type NoticeRecord = {
  id: number;
  dedup_key: string;
  kind: string;
  recipient: string;
  channel: NoticeChannel;
  /** JSON: where the notice goes (e.g. {"issueKey": "ACC-12", "connectionId": 3}). */
  target: string;
  subject: string;
  body: string;
  due_at: string;
  status: NoticeStatus;
  sent_at: string | null;
  reference: string | null;
  attempts: number;
  last_error: string | null;
  cancelled_why: string | null;
  about_type: string | null;
  about_id: string | null;
  created_at: string;
};

export type NoticePlan = {
  dedupKey: string;
  kind: string;
  recipient: string;
  channel: NoticeChannel;
  target?: Record<string, unknown>;
  subject: string;
  body: string;
  dueAt: Date;
  about?: { type: string; id: string | number };
};

export function countPendingNotices(db: Db): number {
  return (db.prepare("SELECT count(*) AS n FROM notices WHERE status = 'pending'").get() as { n: number }).n;
}

/**
 * Plans a notice: one row per dedup key however often it is planned (a second
 * plan with the same key changes nothing, whatever its status: a cancelled or
 * sent notice is not revived). Returns the row and whether this call made it.
 */
export function planNotice(db: Db, plan: NoticePlan, now: Date): { notice: NoticeRecord; created: boolean } {
  const r = db
    .prepare(
      `INSERT INTO notices (dedup_key, kind, recipient, channel, target, subject, body, due_at, status, about_type, about_id, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`,
    )
    .run(
      plan.dedupKey,
      plan.kind,
      plan.recipient,
      plan.channel,
      JSON.stringify(plan.target ?? {}),
      plan.subject,
      plan.body,
      plan.dueAt.toISOString(),
      plan.about?.type ?? null,
      plan.about ? String(plan.about.id) : null,
      now.toISOString(),
    );
  const notice = db.prepare('SELECT * FROM notices WHERE dedup_key = ?').get(plan.dedupKey) as NoticeRecord;
  return { notice, created: r.changes === 1 };
}

export function noticeById(db: Db, id: number): NoticeRecord | null {
  return (db.prepare('SELECT * FROM notices WHERE id = ?').get(id) as NoticeRecord | undefined) ?? null;
}

export function noticeByKey(db: Db, dedupKey: string): NoticeRecord | null {
  return (db.prepare('SELECT * FROM notices WHERE dedup_key = ?').get(dedupKey) as NoticeRecord | undefined) ?? null;
}

/**
 * Cancels the pending notices about something (optionally only one
 * recipient's, one kind's), keeping why. Sent and failed ones stay as they
 * are: they are the record of what went out. Returns the ids cancelled.
 */
export function cancelNoticesAbout(db: Db, about: { type: string; id: string | number; recipient?: string; kind?: string }, why: string): number[] {
  const rows = db
    .prepare(
      `UPDATE notices SET status = 'cancelled', cancelled_why = ?
       WHERE status = 'pending' AND about_type = ? AND about_id = ? AND (? IS NULL OR recipient = ?) AND (? IS NULL OR kind = ?)
       RETURNING id`,
    )
    .all(why, about.type, String(about.id), about.recipient ?? null, about.recipient ?? null, about.kind ?? null, about.kind ?? null) as { id: number }[];
  return rows.map((r) => r.id);
}

/** Cancels the given pending notices, keeping why; returns those it cancelled. */
export function cancelNoticeIds(db: Db, ids: readonly number[], why: string): number[] {
  const stmt = db.prepare("UPDATE notices SET status = 'cancelled', cancelled_why = ? WHERE id = ? AND status = 'pending'");
  return ids.filter((id) => stmt.run(why, id).changes === 1);
}

/** Pending notices due between `from` (excluded) and `to` (included), oldest first: what the outbox will send (the preview). */
export function pendingNoticesBetween(db: Db, from: Date | null, to: Date, limit = 1000): NoticeRecord[] {
  return db.prepare("SELECT * FROM notices WHERE status = 'pending' AND (? IS NULL OR due_at > ?) AND due_at <= ? ORDER BY due_at, id LIMIT ?").all(from?.toISOString() ?? null, from?.toISOString() ?? null, to.toISOString(), limit) as NoticeRecord[];
}

/** The newest notices of any status (the record of what was planned and sent). */
export function recentNotices(db: Db, limit = 200): NoticeRecord[] {
  return db.prepare('SELECT * FROM notices ORDER BY id DESC LIMIT ?').all(limit) as NoticeRecord[];
}

/** Pending notices due at `now` or before (the exact instant counts), oldest first. */
export function dueNotices(db: Db, now: Date, limit = 500, channels?: readonly NoticeChannel[]): NoticeRecord[] {
  const rows = db.prepare("SELECT * FROM notices WHERE status = 'pending' AND due_at <= ? ORDER BY due_at, id LIMIT ?").all(now.toISOString(), limit) as NoticeRecord[];
  return channels ? rows.filter((r) => channels.includes(r.channel)) : rows;
}

/** The notices about something, oldest first (the record of what was planned and what went out). */
export function noticesAbout(db: Db, about: { type: string; id: string | number }): NoticeRecord[] {
  return db.prepare('SELECT * FROM notices WHERE about_type = ? AND about_id = ? ORDER BY due_at, id').all(about.type, String(about.id)) as NoticeRecord[];
}

/** Marks a pending notice sent with the channel's own reference (e.g. the Jira comment id). False when it was not pending (cancelled meanwhile). */
export function markNoticeSent(db: Db, id: number, reference: string, now: Date): boolean {
  const r = db.prepare("UPDATE notices SET status = 'sent', sent_at = ?, reference = ?, attempts = attempts + 1, last_error = NULL WHERE id = ? AND status = 'pending'").run(now.toISOString(), reference, id);
  return r.changes === 1;
}

/**
 * Records a failed try: the attempt is counted and the error kept. With
 * `retryAt` the notice stays pending, due again then; without, it is failed
 * for good (it will not be retried).
 */
export function markNoticeFailed(db: Db, id: number, error: string, retryAt: Date | null): boolean {
  const r =
    retryAt === null
      ? db.prepare("UPDATE notices SET status = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'").run(error, id)
      : db.prepare("UPDATE notices SET due_at = ?, attempts = attempts + 1, last_error = ? WHERE id = ? AND status = 'pending'").run(retryAt.toISOString(), error, id);
  return r.changes === 1;
}

/** The distinct subjects (about_id) of one type that still have pending notices. */
export function pendingAboutIds(db: Db, aboutType: string): string[] {
  return db.prepare("SELECT DISTINCT about_id FROM notices WHERE status = 'pending' AND about_type = ? AND about_id IS NOT NULL ORDER BY about_id").pluck().all(aboutType) as string[];
}
