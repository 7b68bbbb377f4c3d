// The notification outbox: sends the due notices through one sender per
// channel: 'jira-comment' (jira/notice-sender.ts, handed in by the
// governance tick, so this area never reaches up into Jira), 'slack' and
// 'teams' (webhook-sender.ts), 'email' (email-sender.ts). A notice waiting
// for the daily digest is never sent alone (digest.ts folds it first).
// A notice is marked sent only after its channel took it, with the
// channel's reference; a transient failure (the service down, a 429) keeps
// it pending with back-off, anything else fails it for good with the error
// kept — never a silent loss, never sent twice on purpose.
import { appendAudit } from '../audit/audit-log.js';
import type { EngineContext } from '../context.js';
import { backoffMs } from '../jobs/backoff.js';
import { dueNotices, markNoticeFailed, markNoticeSent, noticeById, type NoticeChannel, type NoticeRecord } from './notice-store.js';

/** What a sender reports when its channel took the notice. */
export type SentReceipt = { reference: string };

/** A failure the channel may get over (a 429, a 5xx, no answer): the notice is tried again later. */
export class TransientNoticeError extends Error {
  override readonly name = 'TransientNoticeError';
  constructor(
    message: string,
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

/**
 * One channel's sender. Throws TransientNoticeError to be retried later; any
 * other error fails the notice for good. Must be idempotent per notice where
 * the channel allows (the Jira sender looks for its comment before posting
 * again), because a crash between "sent" and "marked sent" repeats the send.
 */
export type NoticeSender = (notice: NoticeRecord, ctx: EngineContext) => Promise<SentReceipt>;
export type NoticeSenders = Partial<Record<NoticeChannel, NoticeSender>>;

export type OutboxRun = { sent: number[]; retried: number[]; failed: { id: number; error: string }[]; skipped: number };

/**
 * Until when a channel is paused after its service asked to wait (a 429's
 * Retry-After): the rest of its due notices wait too, instead of each being
 * refused in turn. Per workspace; Slack, Teams and the SMTP relay only (one
 * webhook or relay each, so one limit for all of the channel's notices).
 */
const pausedUntil = new WeakMap<EngineContext['db'], Map<NoticeChannel, number>>();
const PAUSABLE: readonly NoticeChannel[] = ['slack', 'teams', 'email'];

/** When the channel may be tried again (null: it may now). */
export function channelPausedUntil(ctx: EngineContext, channel: NoticeChannel): Date | null {
  const t = pausedUntil.get(ctx.db)?.get(channel);
  return t !== undefined && t > ctx.clock.now().getTime() ? new Date(t) : null;
}

/** After this many tries a notice fails for good even on transient errors. */
export const NOTICE_MAX_ATTEMPTS = 8;

/**
 * Sends every due notice whose channel has a sender (the others wait for
 * theirs). A notice cancelled while its send was under way is left cancelled.
 */
export async function sendDueNotices(ctx: EngineContext, senders: NoticeSenders, opts: { limit?: number; random?: () => number } = {}): Promise<OutboxRun> {
  const out: OutboxRun = { sent: [], retried: [], failed: [], skipped: 0 };
  if (ctx.readOnly) return out;
  const channels = Object.keys(senders) as NoticeChannel[];
  for (const notice of dueNotices(ctx.db, ctx.clock.now(), opts.limit ?? 200, channels)) {
    const send = senders[notice.channel];
    if (!send || notice.target.includes('"digest":true') || channelPausedUntil(ctx, notice.channel) !== null) {
      out.skipped++;
      continue;
    }
    // Re-read: an earlier send in this run may have cancelled it (the reviewer finished), or another process sent it.
    if (noticeById(ctx.db, notice.id)?.status !== 'pending') {
      out.skipped++;
      continue;
    }
    try {
      const receipt = await send(notice, ctx);
      const now = ctx.clock.now();
      ctx.db
        .transaction(() => {
          if (markNoticeSent(ctx.db, notice.id, receipt.reference, now)) {
            appendAudit(
              ctx.db,
              {
                actor: 'system',
                channel: 'system',
                action: 'notice.sent',
                targetType: 'notice',
                targetId: notice.id,
                details: { kind: notice.kind, recipient: notice.recipient, channel: notice.channel, reference: receipt.reference, about: notice.about_type ? `${notice.about_type}:${notice.about_id ?? ''}` : null, summary: `${notice.subject} → ${notice.recipient}` },
              },
              now,
            );
          }
        })
        .immediate();
      out.sent.push(notice.id);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      const attempts = notice.attempts + 1;
      const now = ctx.clock.now();
      if (e instanceof TransientNoticeError && e.retryAfterMs !== null && PAUSABLE.includes(notice.channel)) {
        const paused = pausedUntil.get(ctx.db) ?? new Map<NoticeChannel, number>();
        paused.set(notice.channel, Math.max(paused.get(notice.channel) ?? 0, now.getTime() + e.retryAfterMs));
        pausedUntil.set(ctx.db, paused);
      }
      if (e instanceof TransientNoticeError && attempts < NOTICE_MAX_ATTEMPTS) {
        const wait = backoffMs(attempts, undefined, opts.random, e.retryAfterMs ?? undefined);
        markNoticeFailed(ctx.db, notice.id, message, new Date(now.getTime() + Math.max(1000, wait)));
        out.retried.push(notice.id);
      } else {
        ctx.db
          .transaction(() => {
            if (markNoticeFailed(ctx.db, notice.id, message, null)) {
              appendAudit(
                ctx.db,
                { actor: 'system', channel: 'system', action: 'notice.failed', targetType: 'notice', targetId: notice.id, details: { kind: notice.kind, recipient: notice.recipient, channel: notice.channel, attempts, error: message } },
                now,
              );
            }
          })
          .immediate();
        out.failed.push({ id: notice.id, error: message });
      }
    }
  }
  return out;
}
