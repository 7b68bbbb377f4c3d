// SIGKILL during a multi-chunk close (reviews/close-queue.ts): a child
// process closes a campaign of 110 revocations 25 items per transaction and
// is killed inside its third chunk's transaction; a second child resumes
// and is killed just after its second chunk committed; the scheduler's step
// then resumes what is left. Every state in between is the prior state or a
// resumable one, and at the end each item has exactly one adoption, one
// revocation job and one remediation, each membership is removed from Okta
// once, and the audit trail names who closed through which channel.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { closeDueCampaigns } from '../../electron/engine/reviews/close.js';
import { decideItems, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { insertCampaign, itemForMembership } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, oktaMember, type JobsWorkspace } from './job-helpers.js';
import { reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-review-close-crash-');
const entry = path.resolve(import.meta.dirname, '../fixtures/review-close-child.ts');
const N = 110;
const CHUNK = 25;
const REVIEWER = 'cfo@example.com';
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 7, graph: false, jira: false });
  w = await reviewWorkspace(dir, sandbox);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

/** Runs the child until it prints `until`, then SIGKILLs it; returns what it printed. */
async function killAt(campaignId: number, where: 'in-chunk' | 'after-chunk', chunk: number, until: RegExp): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, w.ctx.dbPath, String(campaignId), String(CHUNK), where, String(chunk)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<string | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (until.test(out)) resolve();
    });
    void exited.then(() => reject(new Error(`child ended first: ${out} ${err}`)));
  });
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(out).not.toContain('closed');
  return out;
}

it('a close killed inside a chunk and between chunks resumes where it stopped: each item revoked exactly once', async () => {
  const { db } = w;
  const c = insertCampaign(db, { name: 'Crash close' });
  // N memberships of hand-managed Okta groups, held outside the process: close adopts each on the ledger, then revokes it.
  const members = db
    .prepare(
      `SELECT m.group_id AS groupId, m.identity_id AS identityId FROM cur_memberships m JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id
       JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id
       WHERE m.connection_id = ? AND g.managed_by = 'direct' AND g.type = 'OKTA_GROUP' AND i.status = 'ACTIVE' ORDER BY m.group_id, m.identity_id LIMIT ?`,
    )
    .all(w.okta.id, N) as { groupId: string; identityId: string }[];
  expect(members).toHaveLength(N);
  const itemIds = members.map((m) => itemForMembership(db, c, { connectionId: w.okta.id, ...m, reviewer: REVIEWER, recommendation: 'revoke' }));
  expect(decideItems(w.ctx, decideInput.parse({ campaignId: c, itemIds, decision: 'revoke', reasonCode: 'unrecognised' }), { reviewer: REVIEWER }).refused).toEqual([]);
  submitDecisions(w.ctx, c, { reviewer: REVIEWER });

  const count = (sql: string, ...p: unknown[]): number => db.prepare(sql).pluck().get(...p) as number;
  const state = (): { status: string; closedBy: string | null; closedAt: string | null; remediations: number; grants: number; revokeJobs: number } => {
    const row = db.prepare('SELECT status, closed_by AS closedBy, closed_at AS closedAt FROM review_campaigns WHERE id = ?').get(c) as { status: string; closedBy: string | null; closedAt: string | null };
    return {
      ...row,
      remediations: count('SELECT count(*) FROM review_remediations WHERE campaign_id = ?', c),
      grants: count('SELECT count(*) FROM grants'),
      revokeJobs: count("SELECT count(*) FROM jobs WHERE kind = 'revoke'"),
    };
  };

  // 1. Killed inside chunk 3's transaction: the campaign-level close and chunks 1–2 stand, chunk 3 left nothing.
  await killAt(c, 'in-chunk', 3, /holding chunk 3/);
  expect(state()).toEqual({ status: 'remediating', closedBy: 'admin@example.com', closedAt: null, remediations: 2 * CHUNK, grants: 2 * CHUNK, revokeJobs: 2 * CHUNK });
  // Decisions are final from the first transaction on: the campaign is no longer open.
  expect(() => decideItems(w.ctx, decideInput.parse({ campaignId: c, itemIds: [itemIds[N - 1] as number], decision: 'keep', reasonCode: 'still-needed' }), { reviewer: REVIEWER })).toThrow(/takes no decisions/);
  // Remediations finished so far do not complete a close that is still queuing.
  expect(count("SELECT count(*) FROM audit_events WHERE action IN ('review.campaign_completed', 'review.remediations_queued')")).toBe(0);

  // 2. Closing again resumes (the first 50 are skipped); killed just after its second chunk committed.
  await killAt(c, 'after-chunk', 2, /committed chunk 2 /);
  expect(state()).toEqual({ status: 'remediating', closedBy: 'admin@example.com', closedAt: null, remediations: 100, grants: 100, revokeJobs: 100 });

  // 3. The scheduler's step resumes the rest.
  const resumed = (await closeDueCampaigns(w.ctx)).find((r) => r.campaignId === c);
  expect(resumed).toMatchObject({ final: true, resumed: true, revocations: N, status: 'remediating' });
  const after = state();
  expect(after).toMatchObject({ status: 'remediating', closedBy: 'admin@example.com', remediations: N, grants: N, revokeJobs: N });
  expect(after.closedAt).not.toBeNull();
  // Finished: a later step leaves it alone.
  expect((await closeDueCampaigns(w.ctx)).find((r) => r.campaignId === c)).toBeUndefined();

  // Exactly once per item: one remediation, one adopted grant, one revocation job and one audit event of each kind.
  expect(count('SELECT count(DISTINCT item_id) FROM review_remediations WHERE campaign_id = ?', c)).toBe(N);
  expect(count("SELECT count(DISTINCT grant_id) FROM review_remediations WHERE campaign_id = ? AND status = 'queued'", c)).toBe(N);
  expect(count("SELECT count(DISTINCT grant_id) FROM jobs WHERE kind = 'revoke'")).toBe(N);
  for (const action of ['grant.adopted', 'grant.revoke_requested']) {
    expect(count('SELECT count(*) FROM audit_events WHERE action = ?', action)).toBe(N);
    expect(count('SELECT count(DISTINCT target_id) FROM audit_events WHERE action = ?', action)).toBe(N);
  }
  // Who closed, through which channel; and the resumption by the engine, naming them.
  const events = db.prepare("SELECT actor, channel, action, details FROM audit_events WHERE target_type = 'review_campaign' AND target_id = ? AND action NOT LIKE 'review.decisions_%' ORDER BY seq").all(String(c)) as { actor: string; channel: string; action: string; details: string }[];
  expect(events.map((e) => e.action)).toEqual(['review.campaign_closed', 'review.remediations_queued']);
  expect(events[0]).toMatchObject({ actor: 'admin@example.com', channel: 'cli' });
  expect(JSON.parse(events[0]?.details ?? '{}')).toMatchObject({ remediationsToQueue: N });
  expect(events[1]).toMatchObject({ actor: 'latchkey:reviews', channel: 'system' });
  expect(JSON.parse(events[1]?.details ?? '{}')).toMatchObject({ resumed: true, closedBy: 'admin@example.com', closedChannel: 'cli', revocations: N });

  // The revocations themselves: each membership removed from Okta once.
  const startedAt = Date.now();
  await runJobs(w.ctx, FAST);
  expect(count("SELECT count(*) FROM grants WHERE status = 'revoked'")).toBe(N);
  for (const m of members) expect(oktaMember(sandbox, m.groupId, m.identityId)).toBe(false);
  const removals = sandbox.log.all().filter((e) => e.published >= startedAt - 1000 && e.eventType === 'group.user_membership.remove');
  expect(removals).toHaveLength(N);
  expect(new Set(removals.map((e) => e.targets.map((t) => t.id).sort().join(' '))).size).toBe(N);
  expect(verifyAuditChain(db).valid).toBe(true);
}, 180_000);
