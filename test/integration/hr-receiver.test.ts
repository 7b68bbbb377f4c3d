// The HR event receiver over real HTTP on a real workspace: the secret set
// through `latchkey hr secret`, a signed event applied and audited, then a
// replay, an unsigned delivery, a wrong signature and a stale event refused
// with nothing stored; no secret, no receiver.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHrWebhook } from '../../electron/cli/hr-commands.js';
import { runCli } from '../../electron/cli/cli.js';
import { recentAuditEvents } from '../../electron/engine/audit/audit-log.js';
import { workspaceId } from '../../electron/engine/context.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { HR_MAX_AGE_MS, hrSecretAccount, signBody, startHrReceiver } from '../../electron/engine/hr/receiver.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-hr-receiver-');
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 120, seed: 4, graph: false, jira: false });
});
afterAll(async () => {
  await sandbox.close();
});

const SECRET = 'f'.repeat(8) + '0123456789abcdef0123456789abcdef';

describe('the HR event receiver', () => {
  it('applies a signed event once and refuses replays, unsigned, wrongly signed and stale deliveries, storing nothing for them', async () => {
    const { ctx, db } = workspace(dir);
    let now = Date.parse('2026-12-07T12:00:00.000Z');
    ctx.clock = { now: () => new Date(now) };
    expect(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }).ok).toBe(true);

    // No secret yet: the receiver does not start.
    const out: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => out.push(s), env: { HR_SECRET: SECRET, SHORT: 'abc' }, secrets: ctx.secrets };
    await expect(startHrWebhook(ctx, 0, io)).rejects.toThrow(/no HR webhook secret in the keychain/);
    expect(await runCli(['--db', ctx.dbPath, 'hr', 'secret', '--from-env', 'SHORT'], io)).toBe(1);
    expect(await runCli(['--db', ctx.dbPath, 'hr', 'secret', '--from-env', 'HR_SECRET'], io)).toBe(0);
    expect(await ctx.secrets.get(hrSecretAccount(workspaceId(db)))).toBe(SECRET);
    expect(out.join('')).not.toContain(SECRET);

    const receiver = await startHrReceiver(ctx, { port: 0, secret: SECRET });
    try {
      const leaver = sandbox.org.users.find((u) => u.status === 'ACTIVE' && u.index > 10);
      if (!leaver) throw new Error('no active user');
      const event = { event_id: 'wh-1', type: 'employee.terminated', timestamp: '2026-12-07T11:58:00Z', effective_date: '2026-12-10', employee: { employee_id: leaver.employeeNumber } };
      const body = JSON.stringify(event);
      const post = async (b: string, signature?: string): Promise<{ status: number; body: { error?: string; accepted?: string } }> => {
        const res = await fetch(receiver.url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(signature ? { 'X-Latchkey-Signature': signature } : {}) }, body: b });
        return { status: res.status, body: (await res.json()) as { error?: string; accepted?: string } };
      };
      const state = (): string => JSON.stringify([db.prepare('SELECT * FROM hr_events').all(), db.prepare('SELECT count(*) FROM hr_imports').get(), db.prepare('SELECT count(*) FROM audit_events').get()]);

      const before = state();
      expect(await post(body)).toMatchObject({ status: 401, body: { error: expect.stringContaining('unsigned') as unknown } });
      expect(await post(body, signBody('another-secret-another-secret-xx', body))).toMatchObject({ status: 401, body: { error: expect.stringContaining('wrong signature') as unknown } });
      expect(await post(`${body} `, signBody(SECRET, body))).toMatchObject({ status: 401 });
      // Sent 2 minutes after its timestamp: exactly at 5 minutes is still in time, a millisecond later is not.
      now = Date.parse('2026-12-07T11:58:00Z') + HR_MAX_AGE_MS + 1;
      expect(await post(body, signBody(SECRET, body))).toMatchObject({ status: 401, body: { error: expect.stringContaining('too old') as unknown } });
      expect(state()).toBe(before);

      now = Date.parse('2026-12-07T11:58:00Z') + HR_MAX_AGE_MS;
      expect(await post(body, signBody(SECRET, body))).toMatchObject({ status: 202, body: { accepted: 'wh-1' } });
      expect(db.prepare('SELECT status, end_date FROM hr_records WHERE employee_id = ?').get(leaver.employeeNumber)).toEqual({ status: 'terminated', end_date: '2026-12-10' });
      expect(recentAuditEvents(db, 1)[0]).toMatchObject({ actor: 'hr-webhook', channel: 'system', action: 'hr.imported', details: expect.objectContaining({ kind: 'events', events: 1 }) as unknown });

      const after = state();
      expect(await post(body, signBody(SECRET, body))).toMatchObject({ status: 409, body: { error: 'replay: event wh-1 was already received' } });
      // An unknown manager is refused as it is for a file.
      const ghost = JSON.stringify({ ...event, event_id: 'wh-2', type: 'employee.updated', manager_email: 'ghost@nowhere.example' });
      expect(await post(ghost, signBody(SECRET, ghost))).toMatchObject({ status: 422, body: { error: expect.stringContaining('unknown manager') as unknown } });
      expect(state()).toBe(after);
      expect((await fetch(receiver.url)).status).toBe(405);
    } finally {
      await receiver.close();
      db.close();
    }
  });
});
