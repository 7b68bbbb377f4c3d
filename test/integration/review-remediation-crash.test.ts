// A process killed in the middle of an access review's remediation:
// `latchkey jobs run` is SIGKILLed while a closed campaign's 400 revocations
// are being made in the sandbox Okta, then started again. Every membership
// must be removed exactly once (one removal in Okta's System Log per person,
// one 'grant.revoked' per grant), every remediation done, then verified by
// the next `latchkey sync`, the campaign complete and the audit chain whole.
// Real processes, the real keychain, real HTTP.
import { spawn } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineContext } from '../../electron/engine/context.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { closeCampaignNow } from '../../electron/engine/reviews/close.js';
import { decideItems, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { inPrivateKeychain, keychainSkipReason } from '../helpers/keychain.js';
import { insertCampaign, itemForMembership } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'electron/cli/main.ts');
const dir = tempDir('latchkey-review-crash-');
const dbPath = path.join(dir, 'crash.latchkey');
const N = 400;

function latchkey(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, '--db', dbPath, ...args], { cwd: repo, env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!inPrivateKeychain)(`review remediation survives SIGKILL (${inPrivateKeychain ? 'private keychain' : keychainSkipReason})`, () => {
  let s: Sandbox;
  let groupId: string;
  let members: string[];
  let campaignId: number;

  beforeAll(async () => {
    s = await startSandbox({ users: 1000, seed: 29, port: 0, rateLimits: 'off', graph: false, jira: false });
    // 400 people put in a group in Okta by hand: access held outside the process, which review adopts then revokes.
    groupId = s.mutations.createGroup({ name: 'Legacy finance share', description: 'granted by hand' });
    members = s.org.users.filter((u) => u.status === 'ACTIVE').slice(0, N).map((u) => u.id);
    for (const u of members) s.mutations.addMembership(groupId, u);
    expect((await latchkey(['connection', 'add', 'okta', '--name', 'Okta', '--org-url', s.okta.url, '--token-env', 'OKTA_TOKEN'], { OKTA_TOKEN: s.okta.token })).code).toBe(0);
    const sync = await latchkey(['sync', '--full']);
    expect(sync.code, sync.stderr).toBe(0);

    const db = openDatabase(dbPath);
    const ctx = { db, dbPath, readOnly: false, clock: { now: () => new Date() }, events: { emit: () => undefined }, actor: 'admin@example.com', channel: 'cli', transport: 'cli', sandbox: true } as unknown as EngineContext;
    const connectionId = db.prepare("SELECT id FROM connections WHERE name = 'Okta'").pluck().get() as number;
    campaignId = insertCampaign(db, { name: 'Finance share' });
    const ids = members.map((u) => itemForMembership(db, campaignId, { connectionId, groupId, identityId: u, reviewer: 'cfo@example.com', recommendation: 'revoke' }));
    decideItems(ctx, decideInput.parse({ campaignId, itemIds: ids, decision: 'revoke', reasonCode: 'unrecognised' }), { reviewer: 'cfo@example.com' });
    submitDecisions(ctx, campaignId, { reviewer: 'cfo@example.com' });
    expect(await closeCampaignNow(ctx, campaignId)).toMatchObject({ revocations: N, status: 'remediating' });
    db.close();
    s.faults.add({ match: `/api/v1/groups/${groupId}/users/`, method: 'DELETE', kind: 'slow', delayMs: 15, times: N * 2 });
  }, 300_000);

  afterAll(async () => {
    await s?.close();
  });

  it('each membership is removed once; after the restart every remediation is done, then verified by the next sync', async () => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', entry, '--db', dbPath, 'jobs', 'run', '--once'], { cwd: repo, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const watch = new Database(dbPath, { readonly: true, fileMustExist: true });
    const revoked = (): number => watch.prepare("SELECT count(*) FROM grants WHERE status = 'revoked'").pluck().get() as number;
    let before = 0;
    for (let i = 0; i < 3000 && before < N * 0.3; i++) {
      await sleep(20);
      before = revoked();
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = { revoked: revoked(), running: watch.prepare("SELECT count(*) FROM jobs WHERE status = 'running'").pluck().get() as number };
    watch.close();
    expect(atKill.revoked).toBeGreaterThan(0);
    expect(atKill.revoked).toBeLessThan(N);
    expect(atKill.running).toBeGreaterThan(0);

    const again = await latchkey(['jobs', 'run', '--once']);
    expect(again.code, again.stderr).toBe(0);
    let db = new Database(dbPath, { readonly: true });
    expect(db.prepare("SELECT status, count(*) AS n FROM grants GROUP BY status").all()).toEqual([{ status: 'revoked', n: N }]);
    const perGrant = db.prepare("SELECT target_id, count(*) AS n FROM audit_events WHERE action = 'grant.revoked' GROUP BY target_id").all() as { n: number }[];
    expect(perGrant).toHaveLength(N);
    expect(perGrant.every((r) => r.n === 1)).toBe(true);
    expect(db.prepare('SELECT status, count(*) AS n FROM review_remediations WHERE campaign_id = ? GROUP BY status').all(campaignId)).toEqual([{ status: 'done', n: N }]);
    const endReason = db.prepare('SELECT end_reason FROM grants LIMIT 1').pluck().get() as string;
    expect(endReason).toBe(`review: campaign #${campaignId} "Finance share" — revoked by cfo@example.com (unrecognised)`);
    db.close();

    // Okta agrees, each removal made once.
    const gi = s.oktaState.groupIndex(groupId) as number;
    for (const u of members) expect(s.org.memberships.has(gi, s.oktaState.userIndex(u) as number)).toBe(false);
    const removals = s.log.all().filter((e) => e.published >= startedAt - 1000 && e.eventType === 'group.user_membership.remove' && e.targets.some((t) => t.id === groupId));
    expect(removals).toHaveLength(N);

    const sync = await latchkey(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    db = new Database(dbPath, { readonly: true });
    const runId = db.prepare("SELECT max(id) FROM sync_runs WHERE status = 'succeeded'").pluck().get() as number;
    expect(db.prepare('SELECT status, verified_run_id, count(*) AS n FROM review_remediations WHERE campaign_id = ? GROUP BY status, verified_run_id').all(campaignId)).toEqual([{ status: 'verified', verified_run_id: runId, n: N }]);
    expect(db.prepare('SELECT status FROM review_campaigns WHERE id = ?').pluck().get(campaignId)).toBe('complete');
    db.close();
    const verify = await latchkey(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);
});
