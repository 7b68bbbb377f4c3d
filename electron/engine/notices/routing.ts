// Where a notice goes: the workspace's route for its type names the
// channels, the audience (requester, approvers, beneficiary, reviewer, fixed
// addresses) and whether it waits for the daily digest; quiet hours hold it
// until they end. One event becomes one outbox row per channel and address
// (Slack and Teams: one post to the channel's webhook, naming everyone),
// each with its own dedup key, so planning it again on every tick is free.
import { ACTION_NOTICE_TYPES, type NoticeRoute, type NoticeSettings, type NoticeType, type QuietHours } from '../../../shared/contract-notices.js';
import type { EngineContext } from '../context.js';
import { getSettings } from '../settings/settings.js';
import { planNotice, type NoticeChannel, type NoticeRecord } from './notice-store.js';

const DAY = 86_400_000;

/** Minutes after UTC midnight of "HH:MM". */
export function minutesOf(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`"${hhmm}" is not a time of day (HH:MM)`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) throw new RangeError(`"${hhmm}" is not a time of day (HH:MM)`);
  return h * 60 + min;
}

/** The next instant at or after `t` whose UTC time of day is `minutes`. */
export function nextAtOrAfter(t: Date, minutes: number): Date {
  const midnight = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  const today = midnight + minutes * 60_000;
  return new Date(today >= t.getTime() ? today : today + DAY);
}

/** Inside quiet hours: from the start instant (included) to the end instant (excluded); they may wrap midnight. Equal start and end: never quiet. */
export function inQuietHours(t: Date, q: QuietHours | null): boolean {
  if (!q) return false;
  const s = minutesOf(q.start);
  const e = minutesOf(q.end);
  if (s === e) return false;
  const m = (t.getTime() - Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate())) / 60_000;
  return s < e ? m >= s && m < e : m >= s || m < e;
}

/** When a notice due at `t` may go: `t` itself, or the end of the quiet hours it falls in. */
export function afterQuietHours(t: Date, q: QuietHours | null): Date {
  return q && inQuietHours(t, q) ? nextAtOrAfter(t, minutesOf(q.end)) : t;
}

/** When a notice due at `t` goes out: the next digest instant when its route digests it, then out of quiet hours. */
export function releaseAt(t: Date, route: Pick<NoticeRoute, 'digest'>, s: Pick<NoticeSettings, 'quietHours' | 'digestAt'>): Date {
  const due = route.digest ? nextAtOrAfter(t, minutesOf(s.digestAt)) : t;
  return afterQuietHours(due, s.quietHours);
}

export const needsAction = (type: string): boolean => (ACTION_NOTICE_TYPES as readonly string[]).includes(type);

/** Something that happened which people may be told about. */
export type NoticeEvent = {
  type: NoticeType;
  /** Unique per event (e.g. "approval-needed:12:1"); a channel and an address are appended per row. */
  key: string;
  about: { type: string; id: string | number };
  people: { requester?: string | null; approvers?: readonly string[]; beneficiary?: string | null; reviewer?: string | null };
  subject: string;
  body: string;
  /** The console page (hash route without "#/"). */
  link?: string;
  jiraUrl?: string;
  /** The Jira issue a 'jira-comment' goes on; without it the channel is skipped. */
  jira?: { connectionId: number; issueKey: string };
  /** When it happened (default now). */
  at?: Date;
  /** Only these addresses (e.g. the co-approvers), whatever the route's audience says; the route's channels still apply. */
  only?: readonly string[];
};

/** The addresses a route reaches for an event, deduplicated, in order. */
export function audienceOf(route: NoticeRoute, e: NoticeEvent): string[] {
  if (e.only) return [...new Set(e.only)];
  const out: string[] = [];
  for (const who of route.to) {
    if (who === 'requester' && e.people.requester) out.push(e.people.requester);
    if (who === 'approvers') out.push(...(e.people.approvers ?? []));
    if (who === 'beneficiary' && e.people.beneficiary) out.push(e.people.beneficiary);
    if (who === 'reviewer' && e.people.reviewer) out.push(e.people.reviewer);
    if (who === 'fixed') out.push(...route.fixed);
  }
  return [...new Set(out.map((a) => a.trim()).filter((a) => a !== ''))];
}

/** Plans the event's notices as its route says (nothing when the route has no channel or nobody to tell). Call inside the caller's transaction. */
export function routeNotice(ctx: EngineContext, e: NoticeEvent, settings: NoticeSettings = getSettings(ctx.db).notices): { planned: NoticeRecord[]; created: number; createdKeys: string[] } {
  const route = settings.routes[e.type];
  const out = { planned: [] as NoticeRecord[], created: 0, createdKeys: [] as string[] };
  if (!route || route.channels.length === 0) return out;
  const to = audienceOf(route, e);
  if (to.length === 0) return out;
  const now = ctx.clock.now();
  const dueAt = releaseAt(e.at ?? now, route, settings);
  const target = { ...(e.link ? { link: e.link } : {}), ...(e.jiraUrl ? { jiraUrl: e.jiraUrl } : {}), ...(route.digest ? { digest: true } : {}) };
  const plan = (channel: NoticeChannel, recipient: string, key: string, extra: Record<string, unknown> = {}, body = e.body): void => {
    const r = planNotice(ctx.db, { dedupKey: key, kind: e.type, recipient, channel, target: { ...target, ...extra }, subject: e.subject, body, dueAt, about: e.about }, now);
    out.planned.push(r.notice);
    if (r.created) {
      out.created++;
      out.createdKeys.push(key);
    }
  };
  // A channel not set up yet is skipped: nothing is planned that could only fail.
  for (const channel of route.channels) {
    if ((channel === 'email' && !settings.smtp) || ((channel === 'slack' || channel === 'teams') && !settings.webhooks[channel])) continue;
    if (channel === 'email') for (const a of to) plan('email', a, `${e.key}:email:${a.toLowerCase()}`);
    else if (channel === 'slack' || channel === 'teams') plan(channel, to.join(', '), `${e.key}:${channel}`, {}, `${e.body}\n\nFor: ${to.join(', ')}`);
    else if (channel === 'jira-comment' && e.jira) plan('jira-comment', to.join(', '), `${e.key}:jira`, { connectionId: e.jira.connectionId, issueKey: e.jira.issueKey });
  }
  return out;
}
