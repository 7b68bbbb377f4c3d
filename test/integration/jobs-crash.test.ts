// A process killed in the middle of provisioning: `latchkey jobs run` is
// SIGKILLed while 1,000 approved grants are being provisioned in the sandbox
// Okta, then started again. Every grant must end provisioned exactly once:
// one ledger entry and one audit event per grant, one membership change in
// Okta's System Log per person, the ledger and the IdP agreeing, and the
// audit chain verifying. Real processes, the real keychain, real HTTP.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { beneficiariesOf, emptiestDirectGroup, seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { latchkeyAsync, spawnLatchkey, type CliResult } from '../helpers/cli-async.js';
import { inPrivateKeychain, keychainSkipReason } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-jobs-crash-');
const dbPath = path.join(dir, 'crash.latchkey');
const GRANTS = 1000;

const latchkey = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => latchkeyAsync(dbPath, args, env);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!inPrivateKeychain)(`jobs survive SIGKILL mid-provisioning (${inPrivateKeychain ? 'private keychain' : keychainSkipReason})`, () => {
  let s: Sandbox;
  let groupId: string;
  let members: { id: string }[];

  beforeAll(async () => {
    s = await startSandbox({ users: 2000, seed: 23, port: 0, rateLimits: 'off', graph: false, jira: false });
    expect((await latchkey(['connection', 'add', 'okta', '--name', 'Okta', '--org-url', s.okta.url, '--token-env', 'OKTA_TOKEN'], { OKTA_TOKEN: s.okta.token })).code).toBe(0);
    const sync = await latchkey(['sync']);
    expect(sync.code, sync.stderr).toBe(0);

    // A directly managed group with room for 1,000 new members.
    const db = openDatabase(dbPath);
    const group = emptiestDirectGroup(db);
    groupId = group.id;
    const connectionId = (db.prepare("SELECT id FROM connections WHERE name = 'Okta'").get() as { id: number }).id;
    const roleId = seedRole(db, { app: 'Figma', role: 'Editor', groups: [{ connectionId, groupId: group.id, groupName: group.name }] });
    members = beneficiariesOf(db, connectionId, GRANTS, group.id).map((b) => ({ id: b.identityId }));
    expect(members).toHaveLength(GRANTS);
    seedApprovedRequests(db, { roleId, beneficiaries: beneficiariesOf(db, connectionId, GRANTS, group.id), durationMinutes: null, now: new Date() });
    db.close();
    // Each membership change takes a moment, so the kill lands mid-run.
    s.faults.add({ match: `/api/v1/groups/${groupId}/users/`, method: 'PUT', kind: 'slow', delayMs: 15, times: GRANTS * 2 });
  }, 300_000);

  afterAll(async () => {
    await s?.close();
  });

  it('every grant ends provisioned exactly once; the ledger, the IdP and the audit chain agree', async () => {
    const startedAt = Date.now();
    const child = spawnLatchkey(dbPath, ['jobs', 'run', '--once']);
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));

    // Watch the ledger from outside (read-only) and kill once a good part is done.
    const watch = new Database(dbPath, { readonly: true, fileMustExist: true });
    const done = (): number => (watch.prepare("SELECT count(*) AS n FROM grants WHERE status = 'active'").get() as { n: number }).n;
    let before = 0;
    for (let i = 0; i < 3000 && before < GRANTS * 0.3; i++) {
      await sleep(20);
      before = done();
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = {
      active: done(),
      running: (watch.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'running'").get() as { n: number }).n,
    };
    watch.close();
    // It really died mid-run: some done, some not, some in flight.
    expect(atKill.active).toBeGreaterThan(0);
    expect(atKill.active).toBeLessThan(GRANTS);
    expect(atKill.running).toBeGreaterThan(0);

    const again = await latchkey(['jobs', 'run', '--once']);
    expect(again.code, again.stderr).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    const statuses = db.prepare('SELECT status, count(*) AS n FROM grants GROUP BY status').all();
    expect(statuses).toEqual([{ status: 'active', n: GRANTS }]);
    expect((db.prepare("SELECT count(*) AS n FROM grants WHERE provisioned_at IS NULL").get() as { n: number }).n).toBe(0);
    expect(db.prepare("SELECT status, count(*) AS n FROM jobs WHERE kind = 'provision' GROUP BY status").all()).toEqual([{ status: 'succeeded', n: GRANTS }]);
    // Exactly once in the ledger: one provisioned event per grant.
    const perGrant = db
      .prepare("SELECT target_id, count(*) AS n FROM audit_events WHERE action = 'grant.provisioned' GROUP BY target_id")
      .all() as { target_id: string; n: number }[];
    expect(perGrant).toHaveLength(GRANTS);
    expect(perGrant.every((r) => r.n === 1)).toBe(true);
    // Jobs that were in flight at the kill were resumed (an 'interrupted' attempt), not abandoned.
    const interrupted = (db.prepare("SELECT count(*) AS n FROM job_attempts WHERE outcome = 'interrupted'").get() as { n: number }).n;
    expect(interrupted).toBe(atKill.running);
    db.close();

    // The IdP agrees: every beneficiary is a member, each added once (Okta logs only real changes).
    const gi = s.oktaState.groupIndex(groupId) as number;
    for (const m of members) expect(s.org.memberships.has(gi, s.oktaState.userIndex(m.id) as number)).toBe(true);
    const adds = s.log
      .all()
      .filter((e) => e.published >= startedAt - 1000 && e.eventType === 'group.user_membership.add' && e.targets.some((t) => t.id === groupId));
    expect(adds).toHaveLength(GRANTS);
    expect(new Set(adds.map((e) => e.targets.find((t) => t.type === 'User')?.id)).size).toBe(GRANTS);

    const verify = await latchkey(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);
});
