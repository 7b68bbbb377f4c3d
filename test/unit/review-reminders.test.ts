// The notification outbox (dedup, cancel, due, sent/failed) and review
// reminders at their exact instants on a fixed clock: 7, 3, 1 days before the
// stage's due date and daily when overdue, at most one a day, none once the
// reviewer decided everything, none after close.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cancelNoticesAbout, dueNotices, markNoticeFailed, markNoticeSent, noticeByKey, noticesAbout, planNotice } from '../../electron/engine/notices/notice-store.js';
import { NOTICE_MAX_ATTEMPTS, sendDueNotices, TransientNoticeError, type NoticeSender } from '../../electron/engine/notices/outbox.js';
import { planReviewReminders, reminderKey, reminderSlot, REVIEW_STAGE_ABOUT } from '../../electron/engine/reviews/reminders.js';
import { DEFAULT_NOTICE_SETTINGS } from '../../shared/contract-notices.js';
import { putSettings } from '../../electron/engine/settings/settings.js';
import { setReviewerIssue } from '../../electron/engine/reviews/reviewer-store.js';
import { insertCampaign, insertItems, setDecision } from '../helpers/review-items-fixture.js';
import { startScheduler } from '../../electron/engine/governance/scheduler.js';
import type { JobExecutors } from '../../electron/engine/jobs/job-types.js';
import { buildWorld, type RequestsWorld } from './request-fixture.js';

const DAY = 86_400_000;
const DUE = new Date('2026-03-20T15:00:00.000Z');
const at = (ms: number): Date => new Date(DUE.getTime() + ms);

let w: RequestsWorld;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(at(-30 * DAY));
});
afterEach(() => w.ws.cleanup());

const plan = (key: string, dueAt: Date, about = { type: 'test', id: '1' }) =>
  planNotice(w.ctx.db, { dedupKey: key, kind: 'k', recipient: 'ada@acme.example', channel: 'jira-comment', subject: 's', body: 'b', dueAt, about }, w.ctx.clock.now());

describe('the notice outbox', () => {
  it('keeps one row per dedup key however often planned, and never revives a cancelled or sent one', () => {
    const a = plan('k1', at(0));
    const b = plan('k1', at(DAY));
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.notice.id).toBe(a.notice.id);
    expect(b.notice.due_at).toBe(at(0).toISOString());
    expect(cancelNoticesAbout(w.ctx.db, { type: 'test', id: '1' }, 'no longer wanted')).toEqual([a.notice.id]);
    expect(plan('k1', at(0)).notice.status).toBe('cancelled');
    expect(noticeByKey(w.ctx.db, 'k1')?.cancelled_why).toBe('no longer wanted');
  });

  it('lists a notice as due at its exact instant, not 1 ms before', () => {
    plan('k1', at(0));
    expect(dueNotices(w.ctx.db, at(-1))).toHaveLength(0);
    expect(dueNotices(w.ctx.db, at(0)).map((n) => n.dedup_key)).toEqual(['k1']);
  });

  it('marks sent with the reference; a cancel afterwards leaves the sent one as the record', () => {
    const { notice } = plan('k1', at(0));
    expect(markNoticeSent(w.ctx.db, notice.id, 'comment-77', at(5))).toBe(true);
    expect(markNoticeSent(w.ctx.db, notice.id, 'comment-78', at(6))).toBe(false);
    expect(cancelNoticesAbout(w.ctx.db, { type: 'test', id: '1' }, 'x')).toEqual([]);
    const n = noticeByKey(w.ctx.db, 'k1');
    expect([n?.status, n?.reference, n?.sent_at, n?.attempts]).toEqual(['sent', 'comment-77', at(5).toISOString(), 1]);
  });

  it('sends due notices through the channel sender: transient errors retry later, others fail for good with the error; the audit log names what went out', async () => {
    const ok = plan('ok', at(0)).notice;
    const flaky = plan('flaky', at(0)).notice;
    const bad = plan('bad', at(0)).notice;
    w.clock.set(at(0));
    const sender: NoticeSender = (n) => {
      if (n.dedup_key === 'flaky') return Promise.reject(new TransientNoticeError('Jira answered 503', 60_000));
      if (n.dedup_key === 'bad') return Promise.reject(new Error('issue ACC-1 does not exist'));
      return Promise.resolve({ reference: `c-${n.id}` });
    };
    const run = await sendDueNotices(w.ctx, { 'jira-comment': sender }, { random: () => 0 });
    expect(run.sent).toEqual([ok.id]);
    expect(run.retried).toEqual([flaky.id]);
    expect(run.failed).toEqual([{ id: bad.id, error: 'issue ACC-1 does not exist' }]);
    const f = noticeByKey(w.ctx.db, 'flaky');
    expect([f?.status, f?.attempts, f?.last_error]).toEqual(['pending', 1, 'Jira answered 503']);
    // Retry-After honoured: not due again before 60 s.
    expect(Date.parse(f?.due_at ?? '')).toBeGreaterThanOrEqual(at(60_000).getTime());
    expect(noticeByKey(w.ctx.db, 'bad')?.status).toBe('failed');
    const audit = w.ctx.db.prepare("SELECT action, target_id FROM audit_events WHERE action LIKE 'notice.%' ORDER BY seq").all();
    expect(audit).toEqual([
      { action: 'notice.sent', target_id: String(ok.id) },
      { action: 'notice.failed', target_id: String(bad.id) },
    ]);
    // Nothing due now: a second run sends nothing again.
    expect((await sendDueNotices(w.ctx, { 'jira-comment': sender })).sent).toEqual([]);
  });

  it('fails a notice for good after the last attempt even on transient errors; a channel without a sender waits', async () => {
    const { notice } = plan('flaky', at(0));
    for (let i = 1; i < NOTICE_MAX_ATTEMPTS; i++) markNoticeFailed(w.ctx.db, notice.id, 'x', at(0));
    w.clock.set(at(0));
    const run = await sendDueNotices(w.ctx, { 'jira-comment': () => Promise.reject(new TransientNoticeError('503')) });
    expect(run.failed).toHaveLength(1);
    expect(noticeByKey(w.ctx.db, 'flaky')?.attempts).toBe(NOTICE_MAX_ATTEMPTS);
    plan('other', at(0));
    expect((await sendDueNotices(w.ctx, { email: () => Promise.resolve({ reference: 'x' }) })).skipped).toBe(0);
    expect(noticeByKey(w.ctx.db, 'other')?.status).toBe('pending');
  });
});

describe('reminder slots', () => {
  it('7, 3 and 1 days before, then daily from the due instant; nothing before 7 days', () => {
    expect(reminderSlot(DUE, at(-7 * DAY - 1))).toBeNull();
    expect(reminderSlot(DUE, at(-7 * DAY))).toEqual(at(-7 * DAY));
    expect(reminderSlot(DUE, at(-3 * DAY - 1))).toEqual(at(-7 * DAY));
    expect(reminderSlot(DUE, at(-3 * DAY))).toEqual(at(-3 * DAY));
    expect(reminderSlot(DUE, at(-DAY))).toEqual(at(-DAY));
    expect(reminderSlot(DUE, at(-1))).toEqual(at(-DAY));
    expect(reminderSlot(DUE, at(0))).toEqual(at(0));
    expect(reminderSlot(DUE, at(DAY - 1))).toEqual(at(0));
    expect(reminderSlot(DUE, at(DAY))).toEqual(at(DAY));
    expect(reminderSlot(DUE, at(5 * DAY + 7))).toEqual(at(5 * DAY));
  });
});

describe('review reminders', () => {
  let campaign: number;
  const ADA = 'ada@acme.example';
  const OWEN = 'owen@acme.example';
  let adaItems: number[];
  let owenItems: number[];
  beforeEach(() => {
    campaign = insertCampaign(w.ctx.db, { dueAt: '2026-03-31T00:00:00.000Z', stageDueAt: DUE.toISOString() });
    adaItems = insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: ADA }, { reviewer: ADA }]);
    owenItems = insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: OWEN }], 10);
    setReviewerIssue(w.ctx.db, campaign, 1, ADA, { connectionId: 1, key: 'ACC-1', id: '10001', accountId: 'acc-ada' });
    setReviewerIssue(w.ctx.db, campaign, 1, OWEN, { connectionId: 1, key: 'ACC-2', id: '10002', accountId: null });
  });
  const tickAt = (ms: number) => {
    w.clock.set(at(ms));
    return planReviewReminders(w.ctx);
  };
  const keys = () => noticesAbout(w.ctx.db, { type: REVIEW_STAGE_ABOUT, id: `${campaign}:1` }).map((n) => `${n.recipient}@${n.due_at}:${n.status}`);

  it('plans nothing 1 ms before 7 days ahead, one per reviewer at exactly 7 days, and no second one that day', () => {
    expect(tickAt(-7 * DAY - 1).planned).toEqual([]);
    expect(tickAt(-7 * DAY).planned).toEqual([reminderKey(campaign, 1, ADA, at(-7 * DAY)), reminderKey(campaign, 1, OWEN, at(-7 * DAY))]);
    expect(reminderKey(campaign, 1, ADA, at(-7 * DAY))).toBe(`review-reminder:${campaign}:1:${ADA}:2026-03-13`);
    expect(tickAt(-7 * DAY + 1).planned).toEqual([]);
    expect(tickAt(-3 * DAY - 1).planned).toEqual([]);
    expect(tickAt(-3 * DAY).planned).toHaveLength(2);
    const n = noticeByKey(w.ctx.db, reminderKey(campaign, 1, ADA, at(-3 * DAY)));
    expect(JSON.parse(n?.target ?? '{}')).toEqual({ connectionId: 1, issueKey: 'ACC-1', campaignId: campaign, stage: 1 });
    expect(n?.body).toContain('2 of your 2 items');
    expect(n?.subject).toContain('due in 3 days');
  });

  it('reminds daily when overdue, at the day boundary of the due instant, once each day', () => {
    tickAt(-DAY);
    expect(tickAt(-1).planned).toEqual([]);
    expect(tickAt(0).planned).toHaveLength(2);
    expect(tickAt(DAY - 1).planned).toEqual([]);
    expect(tickAt(DAY).planned).toHaveLength(2);
    expect(noticeByKey(w.ctx.db, reminderKey(campaign, 1, OWEN, at(DAY)))?.subject).toContain('overdue by 1 day');
    // A week of ticks every hour: one reminder a day per reviewer.
    for (let h = 0; h < 7 * 24; h++) tickAt(DAY + h * 3_600_000);
    expect(keys().filter((k) => k.startsWith(OWEN))).toHaveLength(1 + 1 + 7);
  });

  it('stops once the reviewer decided everything (submitted), cancelling the pending one with why; a draft does not count', () => {
    tickAt(-7 * DAY);
    setDecision(w.ctx.db, adaItems[0] as number, { decision: 'keep' });
    setDecision(w.ctx.db, adaItems[1] as number, { decision: 'revoke', state: 'draft' });
    expect(tickAt(-3 * DAY).planned).toEqual([reminderKey(campaign, 1, ADA, at(-3 * DAY)), reminderKey(campaign, 1, OWEN, at(-3 * DAY))]);
    setDecision(w.ctx.db, adaItems[1] as number, { decision: 'revoke' });
    const r = tickAt(-3 * DAY + 1);
    expect(r.planned).toEqual([]);
    expect(r.cancelled).toHaveLength(2);
    expect(noticeByKey(w.ctx.db, reminderKey(campaign, 1, ADA, at(-3 * DAY)))?.cancelled_why).toBe('the reviewer has decided every item');
    expect(noticeByKey(w.ctx.db, reminderKey(campaign, 1, OWEN, at(-3 * DAY)))?.status).toBe('pending');
    expect(tickAt(-DAY).planned).toEqual([reminderKey(campaign, 1, OWEN, at(-DAY))]);
    void owenItems;
  });

  it('sends none after close: pending ones are cancelled saying so, and no new ones are planned', () => {
    tickAt(0);
    w.ctx.db.prepare("UPDATE review_campaigns SET status = 'remediating' WHERE id = ?").run(campaign);
    const r = tickAt(1);
    expect(r.cancelled).toHaveLength(2);
    expect(noticeByKey(w.ctx.db, reminderKey(campaign, 1, ADA, at(0)))?.cancelled_why).toBe('the campaign is remediating');
    expect(tickAt(DAY).planned).toEqual([]);
  });

  it('also reminds by e-mail when the review-reminder route says so, with or without a Jira issue, and stops with the rest', () => {
    putSettings(w.ctx.db, { notices: { ...DEFAULT_NOTICE_SETTINGS, smtp: { host: 'smtp.example', port: 587, security: 'starttls', user: null, from: 'l@x.example', caPem: null }, routes: { ...DEFAULT_NOTICE_SETTINGS.routes, 'review-reminder': { channels: ['jira-comment', 'email'], to: ['reviewer'], fixed: [], digest: false } } } });
    const c2 = insertCampaign(w.ctx.db, { dueAt: DUE.toISOString() });
    insertItems(w.ctx.db, c2, w.okta, [{ reviewer: ADA }], 50);
    const planned = tickAt(0).planned;
    expect(planned.filter((k) => k.startsWith(`review-reminder:${c2}:`))).toEqual([`${reminderKey(c2, 1, ADA, at(0))}:routed:email:${ADA}`]);
    expect(planned.filter((k) => k.startsWith(`review-reminder:${campaign}:`)).sort()).toEqual(
      [reminderKey(campaign, 1, ADA, at(0)), `${reminderKey(campaign, 1, ADA, at(0))}:routed:email:${ADA}`, reminderKey(campaign, 1, OWEN, at(0)), `${reminderKey(campaign, 1, OWEN, at(0))}:routed:email:${OWEN}`].sort(),
    );
    const mail = noticeByKey(w.ctx.db, `${reminderKey(campaign, 1, ADA, at(0))}:routed:email:${ADA}`);
    expect([mail?.channel, mail?.recipient, (JSON.parse(mail?.target ?? '{}') as { link?: string }).link]).toEqual(['email', ADA, `reviews/mine/${campaign}`]);
    expect(tickAt(1).planned).toEqual([]);
    setDecision(w.ctx.db, adaItems[0] as number, { decision: 'keep' });
    setDecision(w.ctx.db, adaItems[1] as number, { decision: 'keep' });
    expect(tickAt(2).cancelled).toHaveLength(2);
    expect(noticeByKey(w.ctx.db, `${reminderKey(campaign, 1, ADA, at(0))}:routed:email:${ADA}`)?.cancelled_why).toBe('the reviewer has decided every item');
  });

  it('plans none for a reviewer without a Jira issue yet (nowhere to reach them)', () => {
    const c2 = insertCampaign(w.ctx.db, { dueAt: DUE.toISOString() });
    insertItems(w.ctx.db, c2, w.okta, [{ reviewer: ADA }], 50);
    expect(tickAt(0).planned.filter((k) => k.includes(`:${c2}:`))).toEqual([]);
  });
});

describe('the governance tick', () => {
  it('queues a Jira issue job per reviewer without one, plans the due reminders and sends them through the channel sender', async () => {
    const jira = Number(
      w.ctx.db
        .prepare("INSERT INTO connections (name, kind, base_url, auth_type, settings, created_at, updated_at) VALUES ('Jira', 'jira', 'https://acme.atlassian.net', 'token', ?, ?, ?)")
        .run(JSON.stringify({ jira: { projectKey: 'ACC', serviceDeskId: null, requestTypeId: null } }), DUE.toISOString(), DUE.toISOString()).lastInsertRowid,
    );
    const campaign = insertCampaign(w.ctx.db, { dueAt: DUE.toISOString() });
    insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: 'ada@acme.example' }, { reviewer: 'owen@acme.example' }]);
    setReviewerIssue(w.ctx.db, campaign, 1, 'ada@acme.example', { connectionId: jira, key: 'ACC-7', id: '10007', accountId: null });
    w.clock.set(at(-7 * DAY));
    const posted: string[] = [];
    const none = async (): Promise<never> => Promise.reject(new Error('not in this test'));
    const executors: JobExecutors = { provision: none, revoke: none, jira: none };
    const s = startScheduler(w.ctx, { intervalMs: 3_600_000, jiraPollMs: 3_600_000, run: { executors }, notices: { 'jira-comment': (n) => (posted.push(`${n.recipient}:${(JSON.parse(n.target) as { issueKey: string }).issueKey}`), Promise.resolve({ reference: 'c-1' })) } });
    try {
      await s.ready;
      await s.tick();
    } finally {
      await s.stop();
    }
    // Owen has no issue yet: a job for it (Ada has one); Ada's reminder went to her issue.
    expect(w.ctx.db.prepare("SELECT idempotency_key FROM jobs WHERE kind = 'jira' ORDER BY id").pluck().all()).toEqual([`jira:review-issue:${campaign}:1:owen@acme.example`]);
    expect(posted).toEqual(['ada@acme.example:ACC-7']);
    expect(noticeByKey(w.ctx.db, reminderKey(campaign, 1, 'ada@acme.example', at(-7 * DAY)))?.status).toBe('sent');
  });
});
