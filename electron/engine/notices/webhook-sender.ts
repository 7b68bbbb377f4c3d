// The outbox's 'slack' and 'teams' channels: a notice POSTed as JSON to the
// channel's incoming webhook (its URL, token included, read from the
// keychain at each send). A 429 comes back as TransientNoticeError carrying
// the Retry-After wait, a 5xx, 408 or a dropped connection as a plain
// transient one (the outbox backs off and retries); any other answer fails
// the notice for good. The outbox's row is the dedup: a notice is posted
// again only if its last try got no answer. Neither the message nor any
// error carries the webhook URL.
import { workspaceId, type EngineContext } from '../context.js';
import { getSettings } from '../settings/settings.js';
import { redact, renderNotice, type RenderedNotice } from './message.js';
import { getNoticeSecret } from './notice-secrets.js';
import type { NoticeRecord } from './notice-store.js';
import { TransientNoticeError, type NoticeSender, type SentReceipt } from './outbox.js';

export type WebhookKind = 'slack' | 'teams';
const LABEL: Record<WebhookKind, string> = { slack: 'Slack', teams: 'Teams' };

/** The JSON a Slack (text, mrkdwn links) or Teams (MessageCard) incoming webhook takes. */
export function webhookPayload(kind: WebhookKind, m: RenderedNotice): Record<string, unknown> {
  if (kind === 'slack') {
    const links = [m.consoleUrl ? `<${m.consoleUrl}|Open in Latchkey>` : null, m.jiraUrl ? `<${m.jiraUrl}|Jira issue>` : null].filter(Boolean).join(' · ');
    return { text: `*${m.subject}*\n${m.text}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${m.subject}*\n${m.text}` } }, ...(links ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: links }] }] : [])] };
  }
  const actions = [
    ...(m.consoleUrl ? [{ '@type': 'OpenUri', name: 'Open in Latchkey', targets: [{ os: 'default', uri: m.consoleUrl }] }] : []),
    ...(m.jiraUrl ? [{ '@type': 'OpenUri', name: 'Jira issue', targets: [{ os: 'default', uri: m.jiraUrl }] }] : []),
  ];
  return { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', summary: m.subject, title: m.subject, text: m.text.replace(/\n/g, '<br>'), ...(actions.length ? { potentialAction: actions } : {}) };
}

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | null {
  if (header === null || header.trim() === '') return null;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? null : Math.max(0, t - now.getTime());
}

export type WebhookSenderOptions = { timeoutMs?: number };

export function createWebhookSender(kind: WebhookKind, opts: WebhookSenderOptions = {}): NoticeSender {
  const label = LABEL[kind];
  return async (n: NoticeRecord, ctx: EngineContext): Promise<SentReceipt> => {
    const url = await getNoticeSecret(ctx, kind);
    if (!url) throw new Error(`no ${label} webhook is set up (Settings → Notifications)`);
    const message = renderNotice(n, getSettings(ctx.db).notices.consoleUrl);
    const body = redact(JSON.stringify(webhookPayload(kind, message)), [url]);
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
    } catch {
      // The error names the URL (and so the token) in some runtimes: never kept.
      throw new TransientNoticeError(`no answer from the ${label} webhook (connection failed or timed out)`);
    }
    const text = redact((await res.text().catch(() => '')).slice(0, 200), [url]);
    if (res.ok) return { reference: `${kind}:${workspaceId(ctx.db).slice(0, 8)}-${n.id}` };
    if (res.status === 429) throw new TransientNoticeError(`the ${label} webhook is rate limiting (429)`, retryAfterMs(res.headers.get('retry-after'), ctx.clock.now()));
    if (res.status >= 500 || res.status === 408) throw new TransientNoticeError(`the ${label} webhook answered ${res.status}${text ? `: ${text}` : ''}`);
    throw new Error(`the ${label} webhook refused the message: ${res.status}${text ? ` ${text}` : ''}`);
  };
}
