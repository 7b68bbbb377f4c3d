// A process killed in the middle of leaver plans: 200 people hold a grant
// each in the sandbox Okta; HR terminates them all (effective yesterday),
// `latchkey hr import` plans them, `latchkey jobs run --once` is SIGKILLed
// while the removals run, then started again. Every plan must end done with
// each removal made exactly once: one revocation job and one 'grant.revoked'
// per grant, one membership removal in Okta's System Log per person, no
// step started twice, the audit chain verifying. Real processes, the real
// keychain, real HTTP.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { beneficiariesOf, emptiestDirectGroup, seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { latchkeyAsync, spawnLatchkey, type CliResult } from '../helpers/cli-async.js';
import { inPrivateKeychain, keychainSkipReason } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-plans-crash-');
const dbPath = path.join(dir, 'plans-crash.latchkey');
const LEAVERS = 200;

const latchkey = (args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => latchkeyAsync(dbPath, args, env);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!inPrivateKeychain)(`leaver plans survive SIGKILL mid-run (${inPrivateKeychain ? 'private keychain' : keychainSkipReason})`, () => {
  let s: Sandbox;
  let groupId: string;
  let leavers: { id: string; email: string; employeeId: string | null }[];

  beforeAll(async () => {
    s = await startSandbox({ users: 2000, seed: 29, port: 0, rateLimits: 'off', graph: false, jira: false });
    expect((await latchkey(['connection', 'add', 'okta', '--name', 'Okta', '--org-url', s.okta.url, '--token-env', 'OKTA_TOKEN'], { OKTA_TOKEN: s.okta.token })).code).toBe(0);
    const sync = await latchkey(['sync']);
    expect(sync.code, sync.stderr).toBe(0);
    const db = openDatabase(dbPath);
    const group = emptiestDirectGroup(db);
    groupId = group.id;
    const connectionId = (db.prepare("SELECT id FROM connections WHERE name = 'Okta'").get() as { id: number }).id;
    const roleId = seedRole(db, { app: 'Figma', role: 'Editor', groups: [{ connectionId, groupId: group.id, groupName: group.name }] });
    const people = beneficiariesOf(db, connectionId, LEAVERS, group.id);
    seedApprovedRequests(db, { roleId, beneficiaries: people, durationMinutes: null, now: new Date() });
    leavers = people.map((b) => {
      const r = db.prepare('SELECT email, employee_number FROM cur_identities WHERE connection_id = ? AND id = ?').get(connectionId, b.identityId) as { email: string; employee_number: string | null };
      return { id: b.identityId, email: r.email, employeeId: r.employee_number };
    });
    db.close();
    const provisioned = await latchkey(['jobs', 'run', '--once']);
    expect(provisioned.code, provisioned.stderr).toBe(0);
    // HR terminates all of them, effective yesterday.
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const lines = leavers.map((l, i) =>
      JSON.stringify({ event_id: `crash-${i}`, type: 'employee.terminated', timestamp: new Date().toISOString(), effective_date: yesterday, employee: { ...(l.employeeId ? { employee_id: l.employeeId } : {}), email: l.email } }),
    );
    fs.writeFileSync(path.join(dir, 'leavers.jsonl'), `${lines.join('\n')}\n`);
    // Each removal takes a moment, so the kill lands mid-run.
    s.faults.add({ match: `/api/v1/groups/${groupId}/users/`, method: 'DELETE', kind: 'slow', delayMs: 25, times: LEAVERS * 2 });
  }, 300_000);

  afterAll(async () => {
    await s?.close();
  });

  it('every leaver plan ends done, each removal made exactly once; the ledger, the IdP and the audit chain agree', async () => {
    const startedAt = Date.now();
    // The import plans every due leaver and queues the removals (the plans' first tiers settle at once).
    const imported = await latchkey(['hr', 'import', path.join(dir, 'leavers.jsonl')]);
    expect(imported.code, imported.stderr).toBe(0);
    const child = spawnLatchkey(dbPath, ['jobs', 'run', '--once']);
    const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.once('exit', (code, signal) => resolve(signal ?? code)));
    const watch = new Database(dbPath, { readonly: true, fileMustExist: true });
    const revoked = (): number => (watch.prepare("SELECT count(*) AS n FROM grants WHERE status = 'revoked'").get() as { n: number }).n;
    let before = 0;
    for (let i = 0; i < 3000 && before < LEAVERS * 0.3; i++) {
      await sleep(20);
      before = revoked();
    }
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    const atKill = {
      revoked: revoked(),
      running: (watch.prepare("SELECT count(*) AS n FROM jobs WHERE status = 'running'").get() as { n: number }).n,
      plansDone: (watch.prepare("SELECT count(*) AS n FROM plans WHERE status = 'done'").get() as { n: number }).n,
    };
    watch.close();
    expect(atKill.revoked).toBeGreaterThan(0);
    expect(atKill.revoked).toBeLessThan(LEAVERS);
    expect(atKill.plansDone).toBeLessThan(LEAVERS);

    const again = await latchkey(['jobs', 'run', '--once']);
    expect(again.code, again.stderr).toBe(0);

    const db = new Database(dbPath, { readonly: true });
    expect(db.prepare('SELECT kind, status, count(*) AS n FROM plans GROUP BY kind, status').all()).toEqual([{ kind: 'leaver', status: 'done', n: LEAVERS }]);
    expect(db.prepare("SELECT status, count(*) AS n FROM plan_steps WHERE kind = 'remove' GROUP BY status").all()).toEqual([{ status: 'done', n: LEAVERS }]);
    expect(db.prepare('SELECT status, count(*) AS n FROM grants GROUP BY status').all()).toEqual([{ status: 'revoked', n: LEAVERS }]);
    // One revocation job per grant, and each step points at it; one 'revoked' and one step start per grant.
    expect(db.prepare("SELECT status, count(*) AS n FROM jobs WHERE kind = 'revoke' GROUP BY status").all()).toEqual([{ status: 'succeeded', n: LEAVERS }]);
    expect((db.prepare("SELECT count(DISTINCT job_id) AS n FROM plan_steps WHERE kind = 'remove'").get() as { n: number }).n).toBe(LEAVERS);
    for (const action of ['grant.revoked', 'grant.revoke_requested']) {
      const per = db.prepare('SELECT target_id, count(*) AS n FROM audit_events WHERE action = ? GROUP BY target_id').all(action) as { n: number }[];
      expect(per).toHaveLength(LEAVERS);
      expect(per.every((r) => r.n === 1)).toBe(true);
    }
    const started = db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'plan.step_running'").get() as { n: number };
    expect(started.n).toBe(LEAVERS);
    // Each HR event planned once.
    expect(db.prepare('SELECT plan_state, count(*) AS n FROM hr_events GROUP BY plan_state').all()).toEqual([{ plan_state: 'processed', n: LEAVERS }]);
    db.close();

    // The IdP agrees: nobody is left in the group, each removed once (Okta logs only real changes).
    const gi = s.oktaState.groupIndex(groupId) as number;
    for (const l of leavers) expect(s.org.memberships.has(gi, s.oktaState.userIndex(l.id) as number)).toBe(false);
    const removes = s.log.all().filter((e) => e.published >= startedAt - 1000 && e.eventType === 'group.user_membership.remove' && e.targets.some((t) => t.id === groupId));
    expect(removes).toHaveLength(LEAVERS);
    expect(new Set(removes.map((e) => e.targets.find((t) => t.type === 'User')?.id)).size).toBe(LEAVERS);

    const verify = await latchkey(['audit', 'verify']);
    expect(verify.code, verify.stderr).toBe(0);
  }, 600_000);
});
