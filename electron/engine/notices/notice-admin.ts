// What the console and `latchkey notices` do with notices: list the record,
// preview the next days, read and change the notice settings (secrets go to
// the keychain, the settings only learn whether one is set; the change is
// audited without them), and send a test message through one channel.
import type { NoticeRow, NoticeSettings, NoticeSettingsPatch, NoticeTestResult } from '../../../shared/contract-notices.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import { getSettings, putSettings } from '../settings/settings.js';
import { createEmailSender } from './email-sender.js';
import { redact } from './message.js';
import { getNoticeSecret, setNoticeSecret } from './notice-secrets.js';
import { markNoticeFailed, markNoticeSent, pendingNoticesBetween, planNotice, recentNotices, type NoticeRecord } from './notice-store.js';
import type { NoticeSender } from './outbox.js';
import { createWebhookSender } from './webhook-sender.js';

const DAY = 86_400_000;

export function noticeRow(n: NoticeRecord): NoticeRow {
  return {
    id: n.id,
    kind: n.kind,
    channel: n.channel,
    recipient: n.recipient,
    subject: n.subject,
    dueAt: n.due_at,
    status: n.status,
    sentAt: n.sent_at,
    reference: n.reference,
    attempts: n.attempts,
    lastError: n.last_error,
    cancelledWhy: n.cancelled_why,
    about: n.about_type ? `${n.about_type}:${n.about_id ?? ''}` : null,
  };
}

export function listNotices(ctx: EngineContext, q: { status: NoticeRow['status'] | 'all'; limit: number }): NoticeRow[] {
  const rows = recentNotices(ctx.db, q.status === 'all' ? q.limit : 5000).filter((n) => q.status === 'all' || n.status === q.status);
  return rows.slice(0, q.limit).map(noticeRow);
}

/** The pending notices due from now to `days` ahead (those already due included), in the order they go out. */
export function previewNotices(ctx: EngineContext, days: number): NoticeRow[] {
  return pendingNoticesBetween(ctx.db, null, new Date(ctx.clock.now().getTime() + days * DAY)).map(noticeRow);
}

export function noticeSettings(ctx: EngineContext): NoticeSettings {
  return getSettings(ctx.db).notices;
}

export async function updateNoticeSettings(ctx: EngineContext, patch: NoticeSettingsPatch): Promise<NoticeSettings> {
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: notice settings cannot be changed here', 'read-only');
  const before = getSettings(ctx.db).notices;
  const next: NoticeSettings = { ...before, webhooks: { ...before.webhooks } };
  if (patch.routes) next.routes = { ...before.routes, ...patch.routes };
  if (patch.quietHours !== undefined) next.quietHours = patch.quietHours;
  if (patch.digestAt !== undefined) next.digestAt = patch.digestAt;
  if (patch.consoleUrl !== undefined) next.consoleUrl = patch.consoleUrl;
  if (patch.smtp !== undefined) next.smtp = patch.smtp;
  const secrets: string[] = [];
  // The keychain first: a settings row saying "Slack is set up" must never point at a URL that is not there.
  if (patch.slackWebhookUrl !== undefined) {
    await setNoticeSecret(ctx, 'slack', patch.slackWebhookUrl);
    next.webhooks.slack = patch.slackWebhookUrl !== null;
    secrets.push('slack webhook');
  }
  if (patch.teamsWebhookUrl !== undefined) {
    await setNoticeSecret(ctx, 'teams', patch.teamsWebhookUrl);
    next.webhooks.teams = patch.teamsWebhookUrl !== null;
    secrets.push('teams webhook');
  }
  if (patch.smtpPassword !== undefined) {
    await setNoticeSecret(ctx, 'smtp', patch.smtpPassword);
    secrets.push('smtp password');
  }
  ctx.db
    .transaction(() => {
      putSettings(ctx.db, { notices: next });
      appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel, action: 'settings.changed', targetType: 'settings', targetId: 'notices', details: { before, after: next, secretsChanged: secrets } }, ctx.clock.now());
    })
    .immediate();
  return next;
}

export type TestSenders = Partial<Record<'email' | 'slack' | 'teams', NoticeSender>>;

/** Sends one test message now through `channel`, recorded as a notice (sent or failed, never retried). */
export async function testNoticeChannel(ctx: EngineContext, input: { channel: 'email' | 'slack' | 'teams'; to?: string | undefined }, senders: TestSenders = {}): Promise<NoticeTestResult> {
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: no test message is sent from here', 'read-only');
  if (input.channel === 'email' && !input.to) throw new UserError('a test e-mail needs an address to go to (--to)', 'bad-input');
  const now = ctx.clock.now();
  const recipient = input.channel === 'email' ? (input.to ?? '') : input.channel;
  const notice = planNotice(
    ctx.db,
    {
      dedupKey: `test:${input.channel}:${now.toISOString()}:${Math.random().toString(36).slice(2, 8)}`,
      kind: 'test',
      recipient,
      channel: input.channel,
      target: { link: 'notifications' },
      subject: 'Latchkey test message',
      body: `A test message from Latchkey, sent by ${ctx.actor} at ${now.toISOString()}: notices through ${input.channel} reach you.`,
      dueAt: now,
      about: { type: 'notice-test', id: input.channel },
    },
    now,
  ).notice;
  const send = senders[input.channel] ?? (input.channel === 'email' ? createEmailSender() : createWebhookSender(input.channel));
  try {
    const r = await send(notice, ctx);
    ctx.db
      .transaction(() => {
        markNoticeSent(ctx.db, notice.id, r.reference, ctx.clock.now());
        appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel, action: 'notice.sent', targetType: 'notice', targetId: notice.id, details: { kind: 'test', recipient, channel: input.channel, reference: r.reference, summary: `test message → ${recipient}` } }, ctx.clock.now());
      })
      .immediate();
    return { ok: true, noticeId: notice.id, reference: r.reference };
  } catch (e) {
    const secrets = await Promise.all((['slack', 'teams', 'smtp'] as const).map((k) => getNoticeSecret(ctx, k).catch(() => null)));
    const error = redact(e instanceof Error ? e.message : String(e), secrets);
    ctx.db
      .transaction(() => {
        markNoticeFailed(ctx.db, notice.id, error, null);
        appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel, action: 'notice.failed', targetType: 'notice', targetId: notice.id, details: { kind: 'test', recipient, channel: input.channel, attempts: 1, error } }, ctx.clock.now());
      })
      .immediate();
    return { ok: false, noticeId: notice.id, error };
  }
}
