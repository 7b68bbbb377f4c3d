// Slack, Teams and e-mail notices through the outbox to the sandbox's
// receivers over real HTTP and SMTP (STARTTLS against the sandbox's CA):
// each notice arrives once with working links, under every fault (429 with
// its Retry-After waited on the workspace clock, 5xx, a dropped connection,
// a slow answer), and no secret is in any message or kept error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_SETTINGS } from '../../shared/contract-notices.js';
import { createEmailSender } from '../../electron/engine/notices/email-sender.js';
import { setNoticeSecret } from '../../electron/engine/notices/notice-secrets.js';
import { noticeById, planNotice, type NoticeChannel } from '../../electron/engine/notices/notice-store.js';
import { sendDueNotices, type NoticeSenders } from '../../electron/engine/notices/outbox.js';
import { createWebhookSender } from '../../electron/engine/notices/webhook-sender.js';
import { putSettings } from '../../electron/engine/settings/settings.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { workspace } from './okta-sync-helpers.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 40, seed: 3, jira: false, webhookRetryAfterSeconds: 5 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-notices-'));
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const senders: NoticeSenders = { slack: createWebhookSender('slack'), teams: createWebhookSender('teams'), email: createEmailSender({ timeoutMs: 5000 }) };

async function setUp() {
  const w = workspace(dir);
  let now = new Date('2026-12-08T10:00:00.000Z');
  w.ctx.clock = { now: () => now };
  const smtp = sandbox.smtp!;
  putSettings(w.db, { notices: { ...DEFAULT_NOTICE_SETTINGS, consoleUrl: 'http://127.0.0.1:5999/', smtp: { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, from: smtp.from, caPem: smtp.caPem } } });
  await setNoticeSecret(w.ctx, 'slack', sandbox.webhook!.slack);
  await setNoticeSecret(w.ctx, 'teams', sandbox.webhook!.teams);
  await setNoticeSecret(w.ctx, 'smtp', smtp.password);
  let n = 0;
  const tag = Math.random().toString(36).slice(2, 8);
  const plan = (channel: NoticeChannel, recipient = 'ada@example.com') =>
    planNotice(
      w.db,
      { dedupKey: `t:${channel}:${n++}:${Math.random()}`, kind: 'approval-needed', recipient, channel, target: { link: 'requests/7', jiraUrl: 'http://jira.example/browse/ACC-7' }, subject: `Approval needed ${tag}-${n}.`, body: `Ada asks for Figma / Editor (${n}).`, dueAt: now, about: { type: 'request', id: 7 } },
      now,
    ).notice;
  return { w, plan, at: (d: Date) => (now = d), now: () => now };
}

const secrets = () => [sandbox.webhook!.slack, sandbox.webhook!.teams, new URL(sandbox.webhook!.slack).pathname, new URL(sandbox.webhook!.teams).pathname, sandbox.smtp!.password];
function expectNoSecret(text: string): void {
  for (const s of secrets()) expect(text).not.toContain(s);
}
const slackCount = (marker: string) => sandbox.webhookReceiver!.messages.filter((m) => JSON.stringify(m.body).includes(marker)).length;
const mailCount = (marker: string) => sandbox.mailbox!.messages.filter((m) => m.subject.includes(marker)).length;

describe('notices to Slack, Teams and e-mail through the sandbox receivers', () => {
  it('delivers each channel once with links into the console and Jira, and no secret', async () => {
    const { w, plan } = await setUp();
    const s = plan('slack');
    const t = plan('teams');
    const e = plan('email');
    const run = await sendDueNotices(w.ctx, senders);
    expect(run.sent.sort()).toEqual([s.id, t.id, e.id].sort());
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
    const got = sandbox.webhookReceiver!.messages.filter((m) => JSON.stringify(m.body).includes(s.subject) || JSON.stringify(m.body).includes(t.subject));
    expect(got.map((m) => m.channel).sort()).toEqual(['slack', 'teams']);
    for (const m of got) {
      const text = JSON.stringify(m.body);
      expect(text).toContain('http://127.0.0.1:5999/#/requests/7');
      expect(text).toContain('http://jira.example/browse/ACC-7');
      expectNoSecret(text);
    }
    const mail = sandbox.mailbox!.messages.filter((m) => m.subject === e.subject);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.to).toEqual(['ada@example.com']);
    expect(mail[0]!.text).toContain('Open in Latchkey: http://127.0.0.1:5999/#/requests/7');
    expect(mail[0]!.text).toContain('Jira: http://jira.example/browse/ACC-7');
    expectNoSecret(JSON.stringify(mail[0]));
    expect(noticeById(w.db, e.id)?.reference).toMatch(/^email:<latchkey-notice-/);
  });

  it('waits a 429\'s Retry-After on the workspace clock, then delivers once', async () => {
    const { w, plan, at, now } = await setUp();
    const n = plan('slack');
    sandbox.webhookReceiver!.faults.add({ match: '/slack/', kind: '429' });
    const first = await sendDueNotices(w.ctx, senders);
    expect(first.retried).toEqual([n.id]);
    const due = Date.parse(noticeById(w.db, n.id)!.due_at);
    expect(due).toBeGreaterThanOrEqual(now().getTime() + 5000);
    at(new Date(due - 1));
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
    at(new Date(due));
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([n.id]);
    expect(slackCount(n.subject)).toBe(1);
    expectNoSecret(noticeById(w.db, n.id)!.last_error ?? '');
  });

  it('pauses the whole channel for a 429\'s Retry-After instead of trying its other notices', async () => {
    const { w, plan, at, now } = await setUp();
    const a = plan('slack');
    const b = plan('slack');
    const t = plan('teams');
    sandbox.webhookReceiver!.faults.add({ match: '/slack/', kind: '429' });
    const arrived = sandbox.webhookReceiver!.arrivals.length;
    const first = await sendDueNotices(w.ctx, senders);
    expect(first.retried).toEqual([a.id]);
    expect(first.sent).toEqual([t.id]);
    expect(sandbox.webhookReceiver!.arrivals.length - arrived).toBe(2);
    at(new Date(now().getTime() + 4999));
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
    at(new Date(Date.parse(noticeById(w.db, a.id)!.due_at)));
    expect((await sendDueNotices(w.ctx, senders)).sent.sort()).toEqual([a.id, b.id].sort());
    expect(slackCount(a.subject) + slackCount(b.subject)).toBe(2);
  });

  for (const kind of ['500', '503', 'drop', 'reset-mid-body'] as const) {
    it(`retries a webhook ${kind} with back-off and delivers once`, async () => {
      const { w, plan, at, now } = await setUp();
      const n = plan('teams');
      sandbox.webhookReceiver!.faults.add({ match: '/teams/', kind, times: 2 });
      for (let i = 0; i < 2; i++) {
        expect((await sendDueNotices(w.ctx, senders)).retried).toEqual([n.id]);
        const r = noticeById(w.db, n.id)!;
        expect(r.last_error).toMatch(/Teams webhook/);
        expectNoSecret(r.last_error ?? '');
        at(new Date(Date.parse(r.due_at)));
      }
      expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([n.id]);
      expect(slackCount(n.subject)).toBe(1);
      expect(noticeById(w.db, n.id)?.attempts).toBe(3);
      at(new Date(now().getTime() + 86_400_000));
      expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
      expect(slackCount(n.subject)).toBe(1);
    });
  }

  it('takes a slow webhook answer as delivered (no resend)', async () => {
    const { w, plan } = await setUp();
    const n = plan('slack');
    sandbox.webhookReceiver!.faults.add({ match: '/slack/', kind: 'slow', delayMs: 300 });
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([n.id]);
    expect(slackCount(n.subject)).toBe(1);
  });

  for (const kind of ['429', '503', 'drop'] as const) {
    it(`retries an SMTP ${kind} and delivers the mail once`, async () => {
      const { w, plan, at } = await setUp();
      const n = plan('email');
      sandbox.mailbox!.faults.add({ match: '/smtp', kind });
      const first = await sendDueNotices(w.ctx, senders);
      expect(first.retried).toEqual([n.id]);
      const r = noticeById(w.db, n.id)!;
      expect(r.last_error).toMatch(/SMTP/);
      expectNoSecret(r.last_error ?? '');
      expect(mailCount(n.subject)).toBe(0);
      at(new Date(Date.parse(r.due_at)));
      expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([n.id]);
      expect(mailCount(n.subject)).toBe(1);
    });
  }

  it('fails for good on a refused webhook or SMTP sign-in, keeping no secret in the error', async () => {
    const { w, plan } = await setUp();
    await setNoticeSecret(w.ctx, 'slack', `${sandbox.webhook!.url}/slack/T000/B000/wrongtoken1234`);
    await setNoticeSecret(w.ctx, 'smtp', 'not-the-password-123');
    const s = plan('slack');
    const e = plan('email');
    const run = await sendDueNotices(w.ctx, senders);
    expect(run.failed.map((f) => f.id).sort()).toEqual([s.id, e.id].sort());
    for (const f of run.failed) {
      expect(f.error).not.toContain('wrongtoken1234');
      expect(f.error).not.toContain('not-the-password-123');
      expectNoSecret(f.error);
    }
  });
});
