// Provisioning and revocation jobs against the sandbox tenant over real HTTP
// with the official SDKs (Okta Node SDK, Microsoft Graph client), real
// SQLite: adds and removes, idempotency, faults (429 storms, 5xx, slow and
// dropped connections), giving up with the IdP's error, manual tasks for
// groups Latchkey may not change, resume after a crash, drift.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { detectDrift } from '../../electron/engine/jobs/drift.js';
import { completeManualTask, listManualTasks } from '../../electron/engine/jobs/manual-tasks.js';
import { listDrift } from '../../electron/engine/jobs/drift.js';
import { cancelJob, retryJob, revokeGrant } from '../../electron/engine/jobs/operations.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { resumeInterruptedJobs, RUNNER_ID } from '../../electron/engine/jobs/runner.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { entraMember, FAST, grantOf, insertGrant, jobOf, jobsWorkspace, liveMember, oktaMember, pickTarget, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-jobs-');
const MEMBER_WRITE = /^\/api\/v1\/groups\/[^/]+\/users\/[^/]+$/;

/** The sandbox clock, `offset` ms ahead of real time: a 429's reset (the next whole minute) can be brought close. */
const skew = { ms: 0 };
const nearMinuteEnd = (s: number): void => {
  const into = Date.now() % 60_000;
  skew.ms = (60_000 - s * 1000 - into + 60_000) % 60_000;
};

let sandbox: Sandbox;
let w: JobsWorkspace;
const used = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 11, clock: { now: () => new Date(Date.now() + skew.ms) } });
  w = await jobsWorkspace(dir, sandbox);
}, 60_000);
afterAll(async () => {
  await sandbox.close();
});

describe('Okta provisioning and revocation', () => {
  it('adds the member through the SDK, marks the grant active, patches the snapshot, then revokes it', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t });
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(false);

    const r = await runJobs(w.ctx, FAST);
    expect(r).toMatchObject({ ran: 1, succeeded: 1, failed: 0 });
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);
    expect(grantOf(w.db, grantId)).toMatchObject({ status: 'active' });
    expect(grantOf(w.db, grantId).provisioned_at).not.toBeNull();
    expect(jobOf(w.db, jobId ?? 0)).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(liveMember(w.db, w.okta.id, t.groupId, t.userId)).toBe(true);
    expect(w.events.some((e) => e.event === 'governance:changed')).toBe(true);

    revokeGrant(w.ctx, grantId, { reason: 'left the project', by: 'ada@example.com' });
    expect(grantOf(w.db, grantId).status).toBe('revoking');
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(false);
    const g = grantOf(w.db, grantId);
    expect(g.status).toBe('revoked');
    expect(g.end_reason).toBe('revoked by ada@example.com: left the project');
    expect(g.ended_at).not.toBeNull();
    expect(liveMember(w.db, w.okta.id, t.groupId, t.userId)).toBe(false);
    const actions = (w.db.prepare("SELECT action FROM audit_events WHERE target_type = 'grant' AND target_id = ? ORDER BY seq").all(String(grantId)) as { action: string }[]).map((a) => a.action);
    expect(actions).toEqual(['grant.provisioned', 'grant.revoke_requested', 'grant.revoked']);
    expect(verifyAuditChain(w.db).valid).toBe(true);
  });

  it('is idempotent: adding an existing member and removing a non-member both succeed', async () => {
    const member = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', member: true, skip: used });
    const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...member });
    await runJobs(w.ctx, FAST);
    expect(grantOf(w.db, grantId).status).toBe('active');
    expect(oktaMember(sandbox, member.groupId, member.userId)).toBe(true);

    // Removed in Okta behind Latchkey's back, then revoked: the DELETE of a non-member is a success.
    sandbox.mutations.removeMembership(member.groupId, member.userId);
    revokeGrant(w.ctx, grantId, { reason: 'done', by: 'ada@example.com' });
    const r = await runJobs(w.ctx, FAST);
    expect(r).toMatchObject({ succeeded: 1, failed: 0 });
    expect(grantOf(w.db, grantId).status).toBe('revoked');
  });

  it('rides out 429 storms, 5xx, slow answers and dropped connections: one membership change, no loss, no duplicate', async () => {
    const targets = [0, 1, 2, 3].map(() => pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used }));
    const grants = targets.map((t) => insertGrant(w.ctx, { connectionId: w.okta.id, ...t }));
    nearMinuteEnd(2);
    // One 429 spends the bucket until its reset (the next whole minute, brought 2 s away): every write waits for it.
    sandbox.faults.add({ match: MEMBER_WRITE, kind: '429', times: 1 });
    sandbox.faults.add({ match: MEMBER_WRITE, kind: '500', times: 2 });
    sandbox.faults.add({ match: MEMBER_WRITE, kind: 'drop', times: 2 });
    sandbox.faults.add({ match: MEMBER_WRITE, kind: 'slow', delayMs: 3_000, times: 1 });
    const r = await runJobs(w.ctx, { ...FAST, concurrency: 2 });
    expect(sandbox.faults.list()).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.retried).toBe(6);
    for (const [i, t] of targets.entries()) {
      expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);
      const g = grants[i];
      expect(grantOf(w.db, g?.grantId ?? 0).status).toBe('active');
      expect(jobOf(w.db, g?.jobId ?? 0).status).toBe('succeeded');
    }
    // Each grant was provisioned (and audited as such) exactly once.
    for (const g of grants) {
      const n = (w.db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'grant.provisioned' AND target_id = ?").get(String(g.grantId)) as { n: number }).n;
      expect(n).toBe(1);
    }
  }, 90_000);

  it('gives up after max attempts with the IdP error; retry from Needs attention then succeeds', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { maxAttempts: 3 });
    sandbox.faults.add({ match: MEMBER_WRITE, kind: '503', times: 3 });
    const r = await runJobs(w.ctx, FAST);
    expect(r).toMatchObject({ failed: 1, retried: 2 });
    const job = jobOf(w.db, jobId ?? 0);
    expect(job.status).toBe('failed');
    expect(job.attempts).toBe(3);
    expect(job.last_error).toMatch(/gave up after 3 attempts: .*503/);
    expect(grantOf(w.db, grantId).status).toBe('failed');
    const attempts = w.db.prepare('SELECT outcome, http_status FROM job_attempts WHERE job_id = ? ORDER BY attempt').all(jobId) as { outcome: string; http_status: number | null }[];
    expect(attempts.map((a) => a.outcome)).toEqual(['retry', 'retry', 'retry']);

    retryJob(w.ctx, jobId ?? 0, 'ada@example.com');
    expect(grantOf(w.db, grantId).status).toBe('pending');
    await runJobs(w.ctx, FAST);
    expect(jobOf(w.db, jobId ?? 0).status).toBe('succeeded');
    expect(grantOf(w.db, grantId).status).toBe('active');
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);
  });

  it('fails at once with a clear message when the group is gone', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t, groupId: '00gnotthere000000000' });
    await runJobs(w.ctx, FAST);
    expect(jobOf(w.db, jobId ?? 0)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(jobOf(w.db, jobId ?? 0).last_error).toMatch(/no longer exists in Okta/);
    expect(grantOf(w.db, grantId).status).toBe('failed');
    cancelJob(w.ctx, jobId ?? 0, { reason: 'mapping fixed elsewhere', by: 'ada@example.com' });
    expect(grantOf(w.db, grantId).status).toBe('cancelled');
  });

  it('turns rule-managed and APP_GROUP groups into manual tasks, never a silent success', async () => {
    const rule = pickTarget(w.db, w.okta.id, { managedBy: 'rule', skip: used });
    const app = pickTarget(w.db, w.okta.id, { managedBy: 'external', type: 'APP_GROUP', skip: used });
    const a = insertGrant(w.ctx, { connectionId: w.okta.id, ...rule });
    const b = insertGrant(w.ctx, { connectionId: w.okta.id, ...app });
    // The snapshot's managed_by is what stops the first; pretend the second's is unknown so Okta's own 403 E0000006 does.
    w.db.prepare("UPDATE groups SET managed_by = 'direct' WHERE connection_id = ? AND id = ?").run(w.okta.id, app.groupId);
    const r = await runJobs(w.ctx, FAST);
    expect(r.manual).toBe(2);
    expect(oktaMember(sandbox, rule.groupId, rule.userId)).toBe(false);
    expect(oktaMember(sandbox, app.groupId, app.userId)).toBe(false);
    for (const x of [a, b]) {
      expect(grantOf(w.db, x.grantId).status).toBe('manual');
      expect(jobOf(w.db, x.jobId ?? 0).status).toBe('manual');
    }
    const tasks = listManualTasks(w.ctx).filter((t) => t.grantId === a.grantId || t.grantId === b.grantId);
    expect(tasks).toHaveLength(2);
    expect(tasks.find((t) => t.grantId === a.grantId)?.reason).toMatch(/group rule/);
    expect(tasks.find((t) => t.grantId === b.grantId)?.reason).toMatch(/E0000006/);
    expect(tasks[0]?.instructions).toMatch(/mark this task done with the evidence/);

    const task = tasks.find((t) => t.grantId === a.grantId);
    expect(() => completeManualTask(w.ctx, task?.id ?? 0, { evidence: '  ' })).toThrow(/evidence is required/);
    completeManualTask(w.ctx, task?.id ?? 0, { evidence: 'CHG-1234: rule changed by IT', by: 'bob@example.com' });
    expect(grantOf(w.db, a.grantId).status).toBe('active');
    expect(listManualTasks(w.ctx, { status: 'done' }).find((t) => t.id === task?.id)).toMatchObject({ completedBy: 'bob@example.com', evidence: 'CHG-1234: rule changed by IT' });
  });

  it('resumes a job left running by a process that died, with an interrupted attempt, and runs it once', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t });
    // What a SIGKILL between claim and record leaves: running, locked by a pid that no longer exists.
    const at = w.ctx.clock.now().toISOString();
    const host = RUNNER_ID.slice(0, RUNNER_ID.lastIndexOf(':'));
    w.db.prepare("UPDATE jobs SET status = 'running', attempts = 1, locked_by = ?, locked_at = ? WHERE id = ?").run(`${host}:2147483646`, at, jobId);
    w.db.prepare('INSERT INTO job_attempts (job_id, attempt, started_at) VALUES (?, 1, ?)').run(jobId, at);
    // The add reached Okta before the crash.
    sandbox.mutations.addMembership(t.groupId, t.userId);

    expect((await runJobs(w.ctx, FAST)).ran).toBe(0); // a running job is not claimed again
    expect(resumeInterruptedJobs(w.ctx)).toEqual([jobId]);
    await runJobs(w.ctx, FAST);
    expect(jobOf(w.db, jobId ?? 0)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(grantOf(w.db, grantId).status).toBe('active');
    const attempts = w.db.prepare('SELECT outcome FROM job_attempts WHERE job_id = ? ORDER BY attempt').all(jobId) as { outcome: string }[];
    expect(attempts.map((a) => a.outcome)).toEqual(['interrupted', 'succeeded']);
    expect(oktaMember(sandbox, t.groupId, t.userId)).toBe(true);
  });

  it('flags a revoked membership that reappears after a sync as drift, and never re-grants it', async () => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const { grantId } = insertGrant(w.ctx, { connectionId: w.okta.id, ...t });
    await runJobs(w.ctx, FAST);
    revokeGrant(w.ctx, grantId, { reason: 'no longer needed', by: 'ada@example.com' });
    await runJobs(w.ctx, FAST);
    expect(grantOf(w.db, grantId).status).toBe('revoked');
    // Someone adds it back in Okta; the next sync sees it.
    await new Promise((r) => setTimeout(r, 20));
    sandbox.mutations.addMembership(t.groupId, t.userId);
    const s = await (await syncAndReconcile(w.ctx, w.okta.id)).done;
    expect(s.status).toBe('succeeded');
    expect(liveMember(w.db, w.okta.id, t.groupId, t.userId)).toBe(true);
    const drift = listDrift(w.ctx).filter((d) => d.grantId === grantId);
    expect(drift).toHaveLength(1);
    expect(drift[0]).toMatchObject({ kind: 'reappeared', groupId: t.groupId, identityId: t.userId });
    expect(drift[0]?.message).toMatch(/not re-granted/);
    // The ledger is unchanged: still revoked, no new grant, no job.
    expect(grantOf(w.db, grantId).status).toBe('revoked');
    expect((w.db.prepare("SELECT count(*) AS n FROM jobs WHERE grant_id = ? AND status = 'queued'").get(grantId) as { n: number }).n).toBe(0);

    // Removed again in Okta: the next sync resolves the drift.
    sandbox.mutations.removeMembership(t.groupId, t.userId);
    await (await syncAndReconcile(w.ctx, w.okta.id)).done;
    expect(listDrift(w.ctx).filter((d) => d.grantId === grantId)).toHaveLength(0);
    expect(detectDrift(w.db, w.okta.id, w.ctx.clock.now())).toEqual({ detected: [], resolved: [] });
  }, 60_000);
});

describe('Entra provisioning and revocation', () => {
  it('adds and removes through Microsoft Graph; already a member / already removed are successes', async () => {
    const e = w.entra;
    if (!e) throw new Error('no Entra connection');
    const t = pickTarget(w.db, e.id, { skip: used });
    const { grantId, jobId } = insertGrant(w.ctx, { connectionId: e.id, ...t });
    // Already a member (added in Entra meanwhile): Graph's 400 "already exist" is a success.
    const dir = sandbox.graphServer?.directory;
    sandbox.graphServer?.mutations.addMember(dir?.groupIndex(t.groupId) ?? -1, dir?.userIndex(t.userId) ?? -1);
    const r = await runJobs(w.ctx, FAST);
    expect(r).toMatchObject({ succeeded: 1, failed: 0 });
    expect(jobOf(w.db, jobId ?? 0).status).toBe('succeeded');
    expect(JSON.parse((w.db.prepare('SELECT result FROM jobs WHERE id = ?').get(jobId) as { result: string }).result)).toMatchObject({ changed: false, note: 'already a member' });
    expect(grantOf(w.db, grantId).status).toBe('active');

    revokeGrant(w.ctx, grantId, { reason: 'rotation', by: 'ada@example.com' });
    await runJobs(w.ctx, FAST);
    expect(entraMember(sandbox, t.groupId, t.userId)).toBe(false);
    expect(grantOf(w.db, grantId).status).toBe('revoked');

    // A fresh add, with Graph faults on the way: a 429 storm (Retry-After), a 503, dropped connections.
    const t2 = pickTarget(w.db, e.id, { skip: used });
    const g2 = insertGrant(w.ctx, { connectionId: e.id, ...t2 });
    sandbox.graphServer?.faults.add({ match: /\/members\/\$ref$/, kind: '429', times: 3 });
    sandbox.graphServer?.faults.add({ match: /\/members\/\$ref$/, kind: '503', times: 1 });
    sandbox.graphServer?.faults.add({ match: /\/members\/\$ref$/, kind: 'drop', times: 2 });
    expect(await runJobs(w.ctx, FAST)).toMatchObject({ succeeded: 1, failed: 0 });
    expect(sandbox.graphServer?.faults.list()).toEqual([]);
    expect(entraMember(sandbox, t2.groupId, t2.userId)).toBe(true);
    expect(grantOf(w.db, g2.grantId).status).toBe('active');
    expect(liveMember(w.db, e.id, t2.groupId, t2.userId)).toBe(true);

    // Removing a non-member (removed in Entra meanwhile): Graph's 404 is a success.
    sandbox.graphServer?.mutations.removeMember(dir?.groupIndex(t2.groupId) ?? -1, dir?.userIndex(t2.userId) ?? -1);
    revokeGrant(w.ctx, g2.grantId, { reason: 'done', by: 'ada@example.com' });
    expect(await runJobs(w.ctx, FAST)).toMatchObject({ succeeded: 1, failed: 0 });
    expect(grantOf(w.db, g2.grantId).status).toBe('revoked');
  }, 60_000);

  it('turns a dynamic group into a manual task', async () => {
    const e = w.entra;
    if (!e) throw new Error('no Entra connection');
    const t = pickTarget(w.db, e.id, { managedBy: 'rule', skip: used });
    const { grantId } = insertGrant(w.ctx, { connectionId: e.id, ...t });
    expect(await runJobs(w.ctx, FAST)).toMatchObject({ manual: 1 });
    expect(grantOf(w.db, grantId).status).toBe('manual');
    expect(listManualTasks(w.ctx).find((x) => x.grantId === grantId)?.reason).toMatch(/dynamic group/);
  });
});
