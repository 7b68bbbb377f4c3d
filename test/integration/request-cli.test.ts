// `latchkey request ...` end to end through runCli on a real workspace file:
// create, approve/deny (channel 'cli', --as and $LATCHKEY_OPERATOR), list,
// show, import; refusals exit 1 with the reason and change nothing; the read
// verbs work on --read-only and the write verbs are refused there.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { markEnded, markProvisioned, type GrantRecord } from '../../electron/engine/jobs/ledger.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { addApp, addRole, buildWorld, snapshotTables, type RequestsWorld } from '../unit/request-fixture.js';

let w: RequestsWorld;
beforeAll(() => {
  w = buildWorld();
  const figma = addApp(w.ctx.db, 'Figma', 'owen@acme.example');
  addRole(w.ctx.db, { appId: figma, name: 'Editor', durations: ['24h', '7d', 'custom'], max: 10080, groups: [{ connectionId: w.okta, groupId: 'g-figma-ed', groupName: 'app-figma-editors' }] });
  addRole(w.ctx.db, { appId: figma, name: 'Viewer', risk: 'low', groups: [{ connectionId: w.okta, groupId: 'g-figma-view', groupName: 'app-figma-viewers' }] });
});
afterAll(() => w.ws.cleanup());

const out: string[] = [];
const err: string[] = [];
const env: NodeJS.ProcessEnv = {};
const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env, secrets: memorySecretStore() };
async function run(...args: string[]): Promise<number | 'serving'> {
  out.length = 0;
  err.length = 0;
  return runCli(['--db', w.ws.file, ...args], io);
}
const json = <T>(): T => JSON.parse(out.join('')) as T;

describe('latchkey request', () => {
  let id = 0;

  it('create: JSON out, routed to the manager; bad input exits 1 with the reason, nothing written', async () => {
    expect(await run('request', 'create', '--for', 'ada@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'design review', '--as', 'hal@acme.example', '--json')).toBe(0);
    const row = json<{ id: number; status: string; source: string; requester: string; waitingOn: { approvers: string[] } }>();
    expect(row).toMatchObject({ status: 'pending', source: 'cli', requester: 'hal@acme.example', waitingOn: { approvers: ['grace@acme.example'] } });
    id = row.id;

    const before = snapshotTables(w.ctx.db);
    const bad: [string[], RegExp][] = [
      [['--role', 'Figma / Nope', '--duration', '24h'], /unknown role "Figma \/ Nope"/],
      [['--role', 'Figma / Editor', '--duration', 'custom', '--minutes', '20000'], /above Figma \/ Editor's maximum of 7 d/],
      [['--role', 'Figma / Editor', '--duration', '30d'], /duration "30d" is not allowed/],
      [['--role', 'Figma / Editor', '--duration', '7d'], /is already open/],
    ];
    for (const [extra, message] of bad) {
      expect(await run('request', 'create', '--for', 'ada@acme.example', ...extra, '--why', 'x', '--as', 'hal@acme.example')).toBe(1);
      expect(err.join('')).toMatch(message);
    }
    expect(await run('request', 'create', '--for', 'ghost@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'x', '--as', 'hal@acme.example')).toBe(1);
    expect(err.join('')).toMatch(/beneficiary not in the snapshot/);
    // No one to act as: refused, not guessed.
    expect(await run('request', 'create', '--for', 'carl@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'x')).toBe(1);
    expect(err.join('')).toMatch(/who is acting\?/);
    expect(await run('request', 'create', '--for', 'carl@acme.example', '--role', 'Figma / Editor', '--duration', '24h')).toBe(2);
    expect(snapshotTables(w.ctx.db)).toEqual(before);
  });

  it('approve: self-approval and strangers refused; the manager (via $LATCHKEY_OPERATOR) approves over channel cli; twice is a conflict', async () => {
    const before = snapshotTables(w.ctx.db);
    expect(await run('request', 'approve', String(id), '--as', 'ada@acme.example')).toBe(1);
    expect(err.join('')).toMatch(/self-approval is blocked: ada@acme.example is the beneficiary/);
    expect(await run('request', 'approve', String(id), '--as', 'owen@acme.example')).toBe(1);
    expect(err.join('')).toMatch(/not an approver of step 1 \(manager\)/);
    expect(await run('request', 'deny', String(id), '--as', 'grace@acme.example')).toBe(2);
    expect(err.join('')).toMatch(/needs --comment/);
    expect(snapshotTables(w.ctx.db)).toEqual(before);

    env.LATCHKEY_OPERATOR = 'grace@acme.example';
    expect(await run('request', 'approve', `#${id}`, '--comment', 'ok', '--json')).toBe(0);
    expect(json()).toMatchObject({ id, status: 'approved', access: 'pending' });
    expect(w.ctx.db.prepare('SELECT decided_by, channel, comment FROM approvals WHERE request_id = ?').get(id)).toEqual({ decided_by: 'grace@acme.example', channel: 'cli', comment: 'ok' });
    expect(await run('request', 'approve', String(id))).toBe(1);
    expect(err.join('')).toMatch(new RegExp(`request #${id} is already approved`));
  });

  it('deny, list (all, --mine, --status), show', async () => {
    expect(await run('request', 'create', '--for', 'carl@acme.example', '--role', 'Figma / Editor', '--duration', '7d', '--why', 'pairing', '--as', 'hal@acme.example')).toBe(0);
    expect(out.join('')).toMatch(/^#\d+ pending Figma \/ Editor for Carl Contractor <carl@acme.example> \(7 days\) · waiting on step 1 \(manager\): grace@acme.example\n$/);
    const carl = Number(/^#(\d+)/.exec(out.join(''))?.[1]);
    expect(await run('request', 'list', '--mine', '--json')).toBe(0);
    expect(json<{ rows: { id: number }[] }>().rows.map((r) => r.id)).toEqual([carl]);
    expect(await run('request', 'deny', String(carl), '--comment', 'use Viewer')).toBe(0);
    expect(await run('request', 'list', '--status', 'denied,approved', '--json')).toBe(0);
    expect(json<{ total: number; rows: { id: number; status: string }[] }>()).toMatchObject({ total: 2, rows: [{ id: carl, status: 'denied' }, { id, status: 'approved' }] });
    expect(await run('request', 'list', '--status', 'bogus')).toBe(2);
    expect(err.join('')).toMatch(/--status takes pending, approved, denied, expired, revoked, cancelled, failed, extended/);
    expect(await run('request', 'show', String(id), '--json')).toBe(0);
    const detail = json<{ timeline: { kind: string }[]; grants: unknown[]; approvals: unknown[] }>();
    expect(detail.timeline.map((t) => t.kind)).toEqual(['created', 'step-opened', 'approved']);
    expect(detail.grants).toHaveLength(1);
    expect(await run('request', 'show', String(id))).toBe(0);
    expect(out.join('')).toMatch(/step 1 manager \[approved\] approvers: grace@acme.example · by grace@acme.example via cli/);
  });

  it('list: the status is what became of the access; ended access says when it ended, never "until"', async () => {
    const grant = w.ctx.db.prepare('SELECT * FROM grants WHERE request_id = ?').get(id) as GrantRecord;
    const t = w.clock.now();
    markProvisioned(w.ctx.db, grant, 'test', t, 'added');
    expect(await run('request', 'list', '--status', 'approved')).toBe(0);
    expect(out.join('')).toContain(`#${id} approved Figma / Editor for Ada Lovelace <ada@acme.example> (24 hours) · access active until ${grant.expires_at ?? '?'}\n`);
    const ended = new Date(t.getTime() + 86_400_000);
    markEnded(w.ctx.db, grant, { reason: 'expired', expiresAt: grant.expires_at ?? '' }, 'test', ended, 'removed');
    expect(await run('request', 'list', '--status', 'approved', '--json')).toBe(0);
    expect(json<{ total: number }>().total).toBe(0);
    expect(await run('request', 'list', '--status', 'expired')).toBe(0);
    expect(out.join('')).toBe(`#${id} expired Figma / Editor for Ada Lovelace <ada@acme.example> (24 hours) · access ended ${ended.toISOString()}\n`);
    expect(await run('request', 'show', String(id))).toBe(0);
    expect(out.join('')).toMatch(new RegExp(`grant #${grant.id} expired app-figma-editors ended ${ended.toISOString()} · expired at`));
  });

  it('import: all rows or none, bad rows named by row; template prints the columns the import reads', async () => {
    expect(await run('request', 'template')).toBe(0);
    expect(out.join('').split('\r\n')[0]).toBe('beneficiary,app,role,duration,justification,requester,ends');
    const good = path.join(w.ws.dir, 'good.csv');
    fs.writeFileSync(good, 'beneficiary,app,role,duration,justification\nivy@acme.example,Figma,Viewer,24h,onboarding\nowen@acme.example,Figma,Editor,7d,audit\n');
    const bad = path.join(w.ws.dir, 'bad.csv');
    fs.writeFileSync(bad, 'beneficiary,app,role,duration,justification\npat@partner.example,Figma,Viewer,24h,ok\nghost@acme.example,Figma,Viewer,24h,x\npat@partner.example,Figma,Editor,1y,x\n');
    const before = snapshotTables(w.ctx.db);
    expect(await run('request', 'import', bad, '--as', 'hal@acme.example')).toBe(1);
    expect(err.join('')).toMatch(/nothing imported; 2 bad rows \(row 1 is the header\):\n {2}row 3: beneficiary not in the snapshot.*\n {2}row 4: duration "1y" is not one of/);
    expect(snapshotTables(w.ctx.db)).toEqual(before);
    expect(await run('request', 'import', good, '--as', 'hal@acme.example', '--json')).toBe(0);
    expect(json<{ created: number[] }>().created).toHaveLength(2);
    expect(await run('request', 'import', path.join(w.ws.dir, 'missing.csv'))).toBe(1);
  });

  it('--read-only: list and show work; approve is refused before the file is opened', async () => {
    const bytes = fs.readFileSync(w.ws.file);
    expect(await run('--read-only', 'request', 'list', '--json')).toBe(0);
    expect(json<{ total: number }>().total).toBe(4);
    expect(await run('--read-only', 'request', 'show', String(id))).toBe(0);
    expect(await run('--read-only', 'request', 'approve', String(id), '--as', 'grace@acme.example')).toBe(1);
    expect(err.join('')).toMatch(/"request approve" changes the workspace/);
    expect(fs.readFileSync(w.ws.file).equals(bytes)).toBe(true);
  });
});

describe('who the CLI records', () => {
  it('the OS account and channel cli; with an operator signed in (the console\'s keychain session), the operator too, who is then the default --as', async () => {
    const osUser = os.userInfo().username;
    delete env.LATCHKEY_OPERATOR;
    expect(await run('request', 'create', '--for', 'ivy@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'cli audit', '--as', 'hal@acme.example', '--json')).toBe(0);
    const lastEvent = () => w.ctx.db.prepare("SELECT actor, channel FROM audit_events WHERE action = 'request.created' ORDER BY seq DESC LIMIT 1").get();
    expect(lastEvent()).toEqual({ actor: `cli:${osUser}`, channel: 'cli' });
    // Nobody named and nobody signed in: refused.
    expect(await run('request', 'create', '--for', 'nina@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'x')).toBe(1);
    expect(err.join('')).toMatch(/who is acting\? Pass --as EMAIL, set LATCHKEY_OPERATOR, or sign in from the console/);
    const now = Date.now();
    const wsId = w.ctx.db.prepare("SELECT value FROM meta WHERE key = 'workspace_id'").pluck().get() as string;
    await io.secrets.set(`workspace-${wsId}/operator-session`, JSON.stringify({ connectionId: w.okta, connectionName: 'Okta', idp: 'okta', subject: 'u-hal', email: 'hal@acme.example', name: 'Hal', signedInAt: new Date(now).toISOString(), expiresAt: new Date(now + 3_600_000).toISOString() }));
    expect(await run('request', 'create', '--for', 'nina@acme.example', '--role', 'Figma / Editor', '--duration', '24h', '--why', 'signed in', '--json')).toBe(0);
    expect(json()).toMatchObject({ requester: 'hal@acme.example' });
    expect(lastEvent()).toEqual({ actor: `hal@acme.example (cli:${osUser})`, channel: 'cli' });
  });
});

describe('latchkey settings', () => {
  it('shows and sets the notice lead time (who operates is a sign-in, not a setting); bad input refused, nothing changes; read-only may only look', async () => {
    expect(await run('settings', '--notice-hours', '48', '--json')).toBe(0);
    expect(json<{ expiryNoticeHours: number }>()).toEqual({ expiryNoticeHours: 48, leaverDeadlineHours: 24 });
    expect(await run('settings', '--leaver-hours', '48', '--json')).toBe(0);
    expect(json<{ leaverDeadlineHours: number }>()).toEqual({ expiryNoticeHours: 48, leaverDeadlineHours: 48 });
    expect(await run('settings', '--leaver-hours', '0')).toBe(2);

    const before = snapshotTables(w.ctx.db);
    expect(await run('settings', '--operator', 'grace@acme.example')).toBe(2);
    expect(await run('settings', '--notice-hours', 'soon')).toBe(2);
    expect(snapshotTables(w.ctx.db)).toEqual(before);

    expect(await run('--read-only', 'settings')).toBe(0);
    expect(out.join('')).toMatch(/expiry notice: 48 h before/);
    expect(await run('--read-only', 'settings', '--notice-hours', '12')).toBe(1);
    expect(err.join('')).toMatch(/"settings" changes the workspace/);
  });
});
