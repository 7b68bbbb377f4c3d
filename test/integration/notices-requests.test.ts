// Requests' notices end to end: a request awaiting approvers plans "approval
// needed" through the routes, which arrives at the sandbox Slack receiver
// and in the sandbox mailbox with a link to the request; the pending ones are
// cancelled the moment the step is decided, co-approvers who were asked are
// told someone else acted, the requester hears the decision; quiet hours hold
// notices until they end; the daily digest goes out only when something in
// it needs action.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_NOTICE_SETTINGS, type NoticeSettings } from '../../shared/contract-notices.js';
import { foldDigests } from '../../electron/engine/notices/digest.js';
import { createEmailSender } from '../../electron/engine/notices/email-sender.js';
import { setNoticeSecret } from '../../electron/engine/notices/notice-secrets.js';
import { noticesAbout } from '../../electron/engine/notices/notice-store.js';
import { sendDueNotices, type NoticeSenders } from '../../electron/engine/notices/outbox.js';
import { routeNotice } from '../../electron/engine/notices/routing.js';
import { createWebhookSender } from '../../electron/engine/notices/webhook-sender.js';
import { planRequestNotices } from '../../electron/engine/requests/request-notices.js';
import { decideStep, insertRequest, insertSteps, pendingStep, setRequestDecision } from '../../electron/engine/requests/request-store.js';
import { planAccessEndingSoon } from '../../electron/engine/governance/grant-notices.js';
import { sendExpiryNotices } from '../../electron/engine/jobs/expiry.js';
import { insertGrant } from '../../electron/engine/jobs/grant-store.js';
import { putSettings } from '../../electron/engine/settings/settings.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { addConnection, workspace } from './okta-sync-helpers.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 40, seed: 4, jira: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-notice-req-'));
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const senders: NoticeSenders = { slack: createWebhookSender('slack'), email: createEmailSender({ timeoutMs: 5000 }) };

async function setUp(patch: Partial<NoticeSettings> = {}) {
  const w = workspace(dir);
  let now = new Date('2026-12-08T10:00:00.000Z');
  w.ctx.clock = { now: () => now };
  const smtp = sandbox.smtp!;
  const settings: NoticeSettings = {
    ...DEFAULT_NOTICE_SETTINGS,
    consoleUrl: 'latchkey://',
    smtp: { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, from: smtp.from, caPem: smtp.caPem },
    webhooks: { slack: true, teams: false },
    routes: { ...DEFAULT_NOTICE_SETTINGS.routes, 'approval-needed': { channels: ['email', 'slack'], to: ['approvers'], fixed: [], digest: false } },
    ...patch,
  };
  putSettings(w.db, { notices: settings });
  await setNoticeSecret(w.ctx, 'slack', sandbox.webhook!.slack);
  await setNoticeSecret(w.ctx, 'smtp', smtp.password);
  const conn = addConnection(w.db, sandbox);
  const roleId = seedRole(w.db, { app: `Figma-${Math.random()}`, role: 'Editor', groups: [] }, now);
  const tag = Math.random().toString(36).slice(2, 8);
  const request = () => {
    const id = insertRequest(
      w.db,
      { role_id: roleId, beneficiary_connection_id: conn.id, beneficiary_identity_id: 'u1', beneficiary_email: `ben-${tag}@example.com`, beneficiary_name: `Ben ${tag}`, requester: `req-${tag}@example.com`, duration: '24h', duration_minutes: 1440, ends_at: null, justification: 'design review', source: 'console', extends_request_id: null, jira_connection_id: null, jira_issue_key: null, jira_issue_id: null },
      now,
    );
    insertSteps(w.db, id, [{ kind: 'named', approvers: [`ann-${tag}@example.com`, `bob-${tag}@example.com`] }]);
    return id;
  };
  return { w, request, tag, at: (d: Date) => (now = d), now: () => now };
}

describe('request notices', () => {
  it('an approval notice reaches Slack and the mailbox with a working link; deciding cancels, tells the co-approver and the requester', async () => {
    const { w, request, tag, at } = await setUp();
    const id = request();
    expect(planRequestNotices(w.ctx).planned).toBe(3);
    expect(planRequestNotices(w.ctx).planned).toBe(0);
    await sendDueNotices(w.ctx, senders);
    const mails = sandbox.mailbox!.messages.filter((m) => m.subject.includes(`Ben ${tag}`));
    expect(mails.map((m) => m.to[0]).sort()).toEqual([`ann-${tag}@example.com`, `bob-${tag}@example.com`]);
    expect(mails[0]!.text).toContain(`Open in Latchkey: latchkey://requests/${id}`);
    const slack = sandbox.webhookReceiver!.messages.filter((m) => JSON.stringify(m.body).includes(`Ben ${tag}`));
    expect(slack).toHaveLength(1);
    expect(JSON.stringify(slack[0]!.body)).toContain(`<latchkey://requests/${id}|Open in Latchkey>`);

    at(new Date('2026-12-08T11:00:00.000Z'));
    const step = pendingStep(w.db, id)!;
    expect(decideStep(w.db, step.id, { status: 'approved', by: `ann-${tag}@example.com`, channel: 'console', comment: null, recordedBy: 'test' }, w.ctx.clock.now())).toBe(true);
    setRequestDecision(w.db, id, 'approved', w.ctx.clock.now());
    planRequestNotices(w.ctx);
    const about = noticesAbout(w.db, { type: 'request', id: `${id}:1` });
    const co = about.filter((n) => n.dedup_key.startsWith('co-approver:'));
    expect(co.filter((n) => n.channel === 'email').map((n) => n.recipient)).toEqual([`bob-${tag}@example.com`]);
    expect(about.filter((n) => n.dedup_key.startsWith('decision-made:')).map((n) => n.recipient)).toEqual([`req-${tag}@example.com`]);
    await sendDueNotices(w.ctx, senders);
    const told = sandbox.mailbox!.messages.filter((m) => m.to[0] === `bob-${tag}@example.com` && m.subject.startsWith('No action needed'));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain(`ann-${tag}@example.com approved`);
  });

  it('cancels a pending approval notice the moment the request leaves pending', async () => {
    const { w, request } = await setUp({ quietHours: { start: '09:00', end: '12:00' } });
    const id = request();
    planRequestNotices(w.ctx);
    const pending = noticesAbout(w.db, { type: 'request', id: `${id}:1` });
    expect(pending.every((n) => n.status === 'pending' && n.due_at === '2026-12-08T12:00:00.000Z')).toBe(true);
    setRequestDecision(w.db, id, 'cancelled', w.ctx.clock.now());
    const run = planRequestNotices(w.ctx);
    expect(run.cancelled).toHaveLength(pending.length);
    expect(noticesAbout(w.db, { type: 'request', id: `${id}:1` }).filter((n) => n.kind === 'approval-needed').map((n) => n.cancelled_why)).toEqual(pending.map(() => 'the request is cancelled'));
  });

  it('holds notices in quiet hours until the exact end instant', async () => {
    const { w, request, at } = await setUp({ quietHours: { start: '09:00', end: '12:00' } });
    request();
    planRequestNotices(w.ctx);
    at(new Date('2026-12-08T11:59:59.999Z'));
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
    at(new Date('2026-12-08T12:00:00.000Z'));
    expect((await sendDueNotices(w.ctx, senders)).sent).toHaveLength(3);
  });

  it('sends the daily digest only when something in it needs action', async () => {
    const { w, tag, at } = await setUp({
      digestAt: '08:00',
      routes: { ...DEFAULT_NOTICE_SETTINGS.routes, 'access-ended': { channels: ['email'], to: ['beneficiary'], fixed: [], digest: true }, 'approval-needed': { channels: ['email'], to: ['approvers'], fixed: [], digest: true } },
    });
    const ben = `ben-${tag}@example.com`;
    const ev = (type: 'access-ended' | 'approval-needed', k: string, people: object) => routeNotice(w.ctx, { type, key: `${type}:${k}`, about: { type: 'test', id: k }, people, subject: `${type} ${k} ${tag}`, body: 'b', link: `requests/${k}` });
    ev('access-ended', '1', { beneficiary: ben });
    at(new Date('2026-12-09T08:00:00.000Z'));
    expect(foldDigests(w.ctx)).toEqual({ digests: [], dropped: [expect.any(Number)] });
    at(new Date('2026-12-09T09:00:00.000Z'));
    ev('access-ended', '2', { beneficiary: ben });
    ev('approval-needed', '3', { approvers: [ben] });
    at(new Date('2026-12-10T07:59:59.999Z'));
    expect(foldDigests(w.ctx).digests).toEqual([]);
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual([]);
    at(new Date('2026-12-10T08:00:00.000Z'));
    const run = foldDigests(w.ctx);
    expect(run.digests).toHaveLength(1);
    expect((await sendDueNotices(w.ctx, senders)).sent).toEqual(run.digests);
    const got = sandbox.mailbox!.messages.filter((m) => m.to[0] === ben && m.subject.startsWith('Latchkey daily digest'));
    expect(got).toHaveLength(1);
    expect(got[0]!.subject).toBe('Latchkey daily digest: 2 notices, 1 needing action');
    expect(got[0]!.text).toContain(`access-ended 2 ${tag} — latchkey://requests/2`);
    expect(got[0]!.text).toContain(`approval-needed 3 ${tag} — latchkey://requests/3`);
  });

  it('routes an expiry notice to the beneficiary and the requester as "access ending soon", once', async () => {
    const { w, request, tag } = await setUp({ routes: { ...DEFAULT_NOTICE_SETTINGS.routes, 'access-ending-soon': { channels: ['email'], to: ['beneficiary', 'requester'], fixed: [], digest: false } } });
    const id = request();
    setRequestDecision(w.db, id, 'approved', w.ctx.clock.now());
    const conn = (w.db.prepare('SELECT beneficiary_connection_id AS c FROM requests WHERE id = ?').get(id) as { c: number }).c;
    const grant = insertGrant(w.db, { request_id: id, role_id: null, connection_id: conn, group_id: 'g1', group_name: 'Figma editors', identity_id: 'u1', beneficiary_email: `ben-${tag}@example.com`, beneficiary_name: `Ben ${tag}`, status: 'active', expires_at: '2026-12-08T20:00:00.000Z' }, w.ctx.clock.now());
    expect(planAccessEndingSoon(w.ctx, sendExpiryNotices(w.ctx))).toBe(2);
    expect(planAccessEndingSoon(w.ctx, [grant])).toBe(0);
    await sendDueNotices(w.ctx, senders);
    const got = sandbox.mailbox!.messages.filter((m) => m.subject.startsWith('Access ending soon') && m.subject.includes(`Ben ${tag}`));
    expect(got.map((m) => m.to[0]).sort()).toEqual([`ben-${tag}@example.com`, `req-${tag}@example.com`]);
    expect(got[0]!.text).toContain(`latchkey://requests/${id}`);
  });
});
