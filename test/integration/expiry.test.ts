// Expiry with an injected clock against the sandbox: revocation at
// expires_at, notices, catch-up at start revoking everything due before any
// provisioning runs, the scheduler, the sandbox-only clock channel, and the
// headless `latchkey jobs run --once`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { createHandlers } from '../../electron/engine/api.js';
import { expireDueGrants, sendExpiryNotices } from '../../electron/engine/jobs/expiry.js';
import { catchUp, startScheduler } from '../../electron/engine/governance/scheduler.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, grantOf, insertGrant, jobsWorkspace, oktaMember, pickTarget, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-expiry-');
let sandbox: Sandbox;
let w: JobsWorkspace;
const used = new Set<string>();
const HOUR = 3_600_000;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 12, graph: false });
  w = await jobsWorkspace(dir, sandbox, { entra: false });
}, 60_000);
afterAll(async () => {
  await sandbox.close();
});

const inHours = (h: number): string => new Date(w.ctx.clock.now().getTime() + h * HOUR).toISOString();

describe('expiry', () => {
  it('revokes at expires_at (not before), records when and why, and sends one notice before', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const expiresAt = inHours(30);
    const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt });
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);

    expect(expireDueGrants(w.ctx)).toEqual([]);
    expect(sendExpiryNotices(w.ctx)).toEqual([]); // 30 h away, notices at 24 h
    w.clock.advance(7 * HOUR);
    expect(sendExpiryNotices(w.ctx)).toEqual([grantId]);
    expect(sendExpiryNotices(w.ctx)).toEqual([]); // once
    expect(grantOf(w.db, grantId).notice_at).not.toBeNull();

    w.clock.advance(23 * HOUR - 1000);
    expect(expireDueGrants(w.ctx)).toEqual([]);
    w.clock.advance(1000);
    const jobs = expireDueGrants(w.ctx);
    expect(jobs).toHaveLength(1);
    expect(expireDueGrants(w.ctx)).toEqual([]); // the grant is revoking: no second job
    expect(grantOf(w.db, grantId).status).toBe('revoking');
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(false);
    const g = grantOf(w.db, grantId);
    expect(g.status).toBe('expired');
    expect(g.end_reason).toBe(`expired at ${expiresAt}`);
    expect(g.ended_at).not.toBeNull();
    const job = w.db.prepare('SELECT priority, idempotency_key FROM jobs WHERE id = ?').get(jobs[0]) as { priority: number; idempotency_key: string };
    expect(job).toEqual({ priority: 0, idempotency_key: `revoke:grant:${grantId}` });
  });

  it('catches up at start: every revocation due runs before any provisioning job', async () => {
    // Three active grants that expired "while the app was closed", and two approvals waiting to be provisioned.
    const expired = [0, 1, 2].map(() => {
      const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
      sandbox.mutations.addMembership(t.groupId, t.userId);
      const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt: inHours(1), status: 'active', job: false });
      return { t, grantId };
    });
    const pending = [0, 1].map(() => {
      const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
      return { t, ...insertGrant(w.ctx, { connectionId: w.okta.id, ...t }) };
    });
    w.clock.advance(2 * HOUR);

    const s = startScheduler(w.ctx, { intervalMs: 60_000, run: FAST });
    const first = await s.ready;
    expect(first).toMatchObject({ ran: 3, succeeded: 3 });
    for (const e of expired) {
      expect(grantOf(w.db, e.grantId).status).toBe('expired');
      expect(oktaMember(sandbox, e.t.groupId, e.t.userId)).toBe(false);
    }
    // Nothing else ran during the catch-up.
    for (const p of pending) expect(grantOf(w.db, p.grantId).status).toBe('pending');
    await s.tick();
    await s.stop();
    for (const p of pending) expect(grantOf(w.db, p.grantId).status).toBe('active');
    const order = w.db
      .prepare(
        `SELECT j.kind, a.started_at FROM job_attempts a JOIN jobs j ON j.id = a.job_id
         WHERE j.grant_id IN (${[...expired, ...pending].map((x) => x.grantId).join(',')}) ORDER BY a.started_at, j.id`,
      )
      .all() as { kind: string }[];
    expect(order.map((o) => o.kind)).toEqual(['revoke', 'revoke', 'revoke', 'provision', 'provision']);
  });

  it('a grant that expires before it was provisioned has its provisioning cancelled', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt: inHours(1) });
    w.clock.advance(2 * HOUR);
    await catchUp(w.ctx, FAST);
    expect((w.db.prepare('SELECT status FROM jobs WHERE id = ?').get(jobId) as { status: string }).status).toBe('cancelled');
    expect(grantOf(w.db, grantId).status).toBe('expired');
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(false);
  });

  it('jobs:advanceClock is refused outside the sandbox and moves time (and expiry) inside it', async () => {
    const handlers = createHandlers(w.ctx);
    w.ctx.sandbox = false;
    await expect(Promise.resolve().then(() => handlers['jobs:advanceClock']({ minutes: 60 }))).rejects.toThrow(/only be moved in the sandbox/);
    w.ctx.sandbox = true;
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt: inHours(1) });
    await handlers['jobs:attention']({});
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);
    const before = w.ctx.clock.now().getTime();
    const view = await handlers['jobs:advanceClock']({ minutes: 61 });
    expect(Date.parse(view.now) - before).toBeGreaterThanOrEqual(61 * 60_000);
    expect(grantOf(w.db, grantId).status).toBe('expired');
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(false);
  });
});

describe('latchkey jobs run --once', () => {
  it('catches up, runs everything due, exits 0; exits 1 when a job failed; list shows it', async () => {
    // The CLI opens the workspace file itself (real clock), with the same (in-memory) keychain.
    w = await jobsWorkspace(dir, sandbox, { entra: false });
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt: new Date(Date.now() + 10 * HOUR).toISOString() });
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: {}, secrets: w.ctx.secrets };
    expect(await runCli(['--db', w.ctx.dbPath, 'jobs', 'run', '--once', '--json'], io)).toBe(0);
    const summary = JSON.parse(out.at(-1) ?? '{}') as { succeeded: number; failed: number; queued: number };
    expect(summary.failed).toBe(0);
    expect(summary.succeeded).toBeGreaterThanOrEqual(1);
    expect(grantOf(w.db, grantId).status).toBe('active');
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);

    const bad = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    insertGrant(w.ctx, { connectionId: w.okta.id, ...bad, groupId: '00gnotthere000000001' });
    out.length = 0;
    expect(await runCli(['--db', w.ctx.dbPath, 'jobs', 'run', '--once'], io)).toBe(1);
    expect(out.join('')).toMatch(/1 failed/);
    out.length = 0;
    expect(await runCli(['--db', w.ctx.dbPath, 'jobs', 'list', '--status', 'failed'], io)).toBe(0);
    expect(out.join('')).toMatch(/provision\tfailed.*no longer exists in Okta/);
    expect(await runCli(['--db', w.ctx.dbPath, 'jobs', 'list', '--status', 'bogus'], io)).toBe(2);
    expect(await runCli(['--db', w.ctx.dbPath, '--read-only', 'jobs', 'run', '--once'], io)).toBe(1);
    expect(err.join('')).toMatch(/refused on a workspace opened with --read-only/);
  }, 60_000);
});
