// The notices' settings, test message, preview and list (engine and CLI):
// webhook URLs and the SMTP password go to the keychain only (not the
// settings, the audit log or any answer), a test message reaches the sandbox
// receiver and is recorded, the preview shows the next 7 days exactly.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNoticesCommand } from '../../electron/cli/notices-commands.js';
import { previewNotices, testNoticeChannel, updateNoticeSettings } from '../../electron/engine/notices/notice-admin.js';
import { planNotice } from '../../electron/engine/notices/notice-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { workspace } from './okta-sync-helpers.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 30, seed: 5, jira: false });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-notice-admin-'));
}, 60_000);
afterAll(async () => {
  await sandbox?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('notice settings, test message, preview', () => {
  it('keeps secrets in the keychain only and sends a recorded test message', async () => {
    const w = workspace(dir);
    const smtp = sandbox.smtp!;
    const after = await updateNoticeSettings(w.ctx, {
      slackWebhookUrl: sandbox.webhook!.slack,
      smtpPassword: smtp.password,
      smtp: { host: smtp.host, port: smtp.port, security: smtp.security, user: smtp.user, from: smtp.from, caPem: smtp.caPem },
      quietHours: { start: '22:00', end: '07:00' },
    });
    expect(after.webhooks).toEqual({ slack: true, teams: false });
    const token = new URL(sandbox.webhook!.slack).pathname;
    const everything = JSON.stringify([w.db.prepare('SELECT * FROM settings').all(), w.db.prepare('SELECT * FROM audit_events').all(), after]);
    expect(everything).not.toContain(token);
    expect(everything).not.toContain(smtp.password);

    const r = await testNoticeChannel(w.ctx, { channel: 'slack' });
    expect(r.ok).toBe(true);
    expect(sandbox.webhookReceiver!.messages.filter((m) => JSON.stringify(m.body).includes('Latchkey test message'))).toHaveLength(1);
    const mail = await testNoticeChannel(w.ctx, { channel: 'email', to: 'ops@example.com' });
    expect(mail.ok).toBe(true);
    expect(sandbox.mailbox!.messages.filter((m) => m.to[0] === 'ops@example.com')).toHaveLength(1);

    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: {} };
    expect(await runNoticesCommand(w.ctx, ['list', '--json'], io)).toBe(0);
    const listed = JSON.parse(out.join('')) as { kind: string; status: string }[];
    expect(listed.map((n) => [n.kind, n.status])).toEqual([['test', 'sent'], ['test', 'sent']]);

    await updateNoticeSettings(w.ctx, { slackWebhookUrl: `${sandbox.webhook!.url}/slack/T1/B1/wrongtoken999` });
    const bad = await testNoticeChannel(w.ctx, { channel: 'slack' });
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).not.toContain('wrongtoken999');
  });

  it('previews the notices due within the next 7 days, the exact instant included', async () => {
    const w = workspace(dir);
    const now = new Date('2026-12-08T10:00:00.000Z');
    w.ctx.clock = { now: () => now };
    const plan = (key: string, dueAt: Date) => planNotice(w.db, { dedupKey: key, kind: 'approval-needed', recipient: 'a@x.example', channel: 'email', subject: key, body: 'b', dueAt }, now);
    plan('overdue', new Date(now.getTime() - 1000));
    plan('edge', new Date(now.getTime() + 7 * 86_400_000));
    plan('beyond', new Date(now.getTime() + 7 * 86_400_000 + 1));
    expect(previewNotices(w.ctx, 7).map((n) => n.subject)).toEqual(['overdue', 'edge']);
    const out: string[] = [];
    expect(await runNoticesCommand(w.ctx, ['preview', '--json'], { stdout: (s) => out.push(s), stderr: (s) => out.push(s), env: {} })).toBe(0);
    expect((JSON.parse(out.join('')) as { subject: string }[]).map((n) => n.subject)).toEqual(['overdue', 'edge']);
  });
});
