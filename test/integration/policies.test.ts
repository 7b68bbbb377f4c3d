// Birthright policies on a real workspace: the sandbox's Okta synced over
// real HTTP, its HR feed (CSV and dated events) imported, catalog roles on
// its groups. A policy saved in monitor mode with its what-if checked
// against the HR records read independently; versions kept and readable; each
// change audited with who and which channel; enforcing a large change or a
// critical role waits for a second operator and the same operator is refused;
// export → import is the identity; an invalid file changes nothing; and
// `latchkey policy` through the CLI's entry point with --json.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDetail, PolicyImportResult, PolicyRow, PolicySaveResult, PolicyWhatIfResult } from '../../shared/contract-policies.js';
import { runCli } from '../../electron/cli/cli.js';
import { auditEventsOf, verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { birthrightOf } from '../../electron/engine/policies/birthright.js';
import { addException, approvePolicy, setPolicyMode } from '../../electron/engine/policies/policies.js';
import { exportPolicies, getPolicy, importPolicies, listPolicies, savePolicyYaml, whatIfYaml } from '../../electron/engine/policies/views.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-policies-');
let sandbox: Sandbox;
const HOUR = 3_600_000;
const ADA = { by: 'ada@acme.example' };
const GRACE = { by: 'grace@acme.example' };

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 43, graph: false, jira: false });
});
afterAll(async () => {
  await sandbox.close();
});

type Ws = { ctx: EngineContext; db: Db; base: number; critical: number };

/** A workspace at noon of the sandbox's anchor day: Okta synced, the HR feed imported, two catalog roles (one critical) on sandbox groups. */
async function policyWorkspace(): Promise<Ws> {
  const { ctx, db } = workspace(dir);
  ctx.clock = { now: () => new Date(sandbox.org.anchor + 12 * HOUR) };
  ctx.channel = 'cli';
  ctx.actor = 'cli:ada';
  const okta = addConnection(db, sandbox, { name: 'Okta' });
  expect(await (await syncAndReconcile(ctx, okta.id, { credential: tokenOf(sandbox) })).done).toMatchObject({ status: 'succeeded' });
  expect(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }).ok).toBe(true);
  expect(importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }).ok).toBe(true);
  const groups = db.prepare('SELECT id, name FROM cur_groups WHERE connection_id = ? ORDER BY id LIMIT 2').all(okta.id) as { id: string; name: string }[];
  const g = (i: number): { connectionId: number; groupId: string; groupName: string }[] => [{ connectionId: okta.id, groupId: groups[i]?.id ?? '', groupName: groups[i]?.name ?? '' }];
  const base = seedRole(db, { app: 'GitHub', role: 'Member', risk: 'medium', groups: g(0) });
  const critical = seedRole(db, { app: 'AWS', role: 'Admin', risk: 'critical', groups: g(1) });
  return { ctx, db, base, critical };
}

/** People per department and status today, read from the HR records (the independent side of the what-if). */
function hrCount(db: Db, department: string, statuses: string[], today: string): number {
  const rows = db.prepare('SELECT status, start_date, end_date FROM hr_records WHERE lower(department) = lower(?)').all(department) as { status: string; start_date: string | null; end_date: string | null }[];
  return rows.filter((r) => {
    const s = r.status === 'terminated' ? (r.end_date !== null && r.end_date > today ? 'active' : 'terminated') : r.start_date !== null && r.start_date > today ? 'pending' : r.status;
    return statuses.includes(s);
  }).length;
}

const engineering = (mode: 'monitor' | 'enforce', extra = ''): string => `name: Engineering base
description: Everyone in engineering
mode: ${mode}
when:
  all:
    - department: { equals: engineering }
    - status: { in: [active, pending] }${extra}
grants:
  - role: GitHub / Member
`;

const saveOk = (r: PolicySaveResult): Extract<PolicySaveResult, { ok: true }> => {
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r;
};

describe('birthright policies on a synced workspace with its HR feed', () => {
  it('shows the what-if before saving, saves in monitor mode, keeps every version, and audits each change', async () => {
    const { ctx, db, base } = await policyWorkspace();
    const today = ctx.clock.now().toISOString().slice(0, 10);
    const want = hrCount(db, 'Engineering', ['active', 'pending'], today);
    expect(want).toBeGreaterThan(50);

    const w = whatIfYaml(ctx, engineering('monitor'), { limit: 5 });
    if (!w.ok) throw new Error('invalid');
    const [wi] = w.whatifs;
    expect(wi).toMatchObject({ policyId: null, baseVersion: null, needsApproval: false, truncated: true, counts: { population: sandbox.org.users.length, matchedBefore: 0, matchedAfter: want, affectedPeople: want, gains: want, losses: 0 } });
    expect(wi?.changes[0]?.because).toMatch(/^department equals "engineering" \("Engineering"\); status in \["active", "pending"\] \("(active|pending)"\) — from the HR record id:/);
    // Enforcing it straight away would need a second operator: more than 50 people.
    const enforcedNew = whatIfYaml(ctx, engineering('enforce'), { limit: 0 });
    expect(enforcedNew.ok && enforcedNew.whatifs[0]?.approvalReasons).toEqual([`it affects ${want} people, more than the 50 this workspace allows without a second operator`]);

    const created = saveOk(savePolicyYaml(ctx, engineering('monitor'), ADA));
    expect(created).toMatchObject({ outcome: 'created', policy: { version: 1, mode: 'monitor', state: 'active', roles: [{ roleId: base, label: 'GitHub / Member' }] } });
    const id = created.policy.id;
    const all = birthrightOf(ctx);
    expect([...all.values()].filter((roles) => roles.some((r) => r.policyId === id && !r.enforced)).length).toBe(want);

    // An edit is a new version; the old one stays readable.
    const v2 = saveOk(savePolicyYaml(ctx, engineering('monitor', '\n    - title: { matches: "engineer" }'), { ...ADA, id }));
    expect(v2).toMatchObject({ outcome: 'updated', policy: { version: 2 } });
    expect(getPolicy(ctx, id, 1).shown).toMatchObject({ version: 1, state: 'superseded', createdBy: ADA.by, channel: 'cli' });
    expect(getPolicy(ctx, id, 1).shown.yaml).not.toContain('engineer"');
    expect(getPolicy(ctx, id).shown.yaml).toContain('- title: { matches: engineer }');
    // Saving the same text again changes nothing.
    expect(saveOk(savePolicyYaml(ctx, engineering('monitor', '\n    - title: { matches: "engineer" }'), { ...ADA, id })).outcome).toBe('unchanged');

    const events = auditEventsOf(db, 'policy', id);
    expect(events.map((e) => [e.action, e.actor])).toEqual([['policy.created', 'cli:ada'], ['policy.updated', 'cli:ada']]);
    expect(events[1]?.details).toMatchObject({ by: ADA.by, channel: 'cli', version: 2, previous: 1 });
    expect(verifyAuditChain(db)).toMatchObject({ valid: true });
    db.close();
  });

  it('enforcing a change over the threshold waits for a second operator; the same operator is refused', async () => {
    const { ctx, db } = await policyWorkspace();
    const id = saveOk(savePolicyYaml(ctx, engineering('monitor'), ADA)).policy.id;
    const asked = setPolicyMode(ctx, id, 'enforce', ADA);
    expect(asked.outcome).toBe('awaiting-approval');
    expect(asked.approval).toMatchObject({ kind: 'enforce', version: 1, requestedBy: ADA.by, requestedChannel: 'cli', state: 'waiting' });
    expect(listPolicies(ctx)[0]).toMatchObject({ mode: 'monitor', state: 'awaiting-approval' });
    // Still monitored: nobody's birthright is enforced yet.
    expect([...birthrightOf(ctx).values()].flat().some((r) => r.enforced)).toBe(false);

    // The same operator, under another address of theirs or the same one, may not approve.
    expect(() => approvePolicy(ctx, id, { by: ' ADA@acme.example ' })).toThrow(/a second operator must approve this: .* asked for it/);
    expect(listPolicies(ctx)[0]).toMatchObject({ mode: 'monitor', state: 'awaiting-approval' });
    const approved = approvePolicy(ctx, id, GRACE);
    expect(approved.approval).toMatchObject({ state: 'approved', decidedBy: GRACE.by, decidedChannel: 'cli' });
    expect(listPolicies(ctx)[0]).toMatchObject({ mode: 'enforce', state: 'active', version: 1 });
    expect([...birthrightOf(ctx).values()].flat().every((r) => r.enforced)).toBe(true);
    const audit = auditEventsOf(db, 'policy', id).map((e) => e.action);
    expect(audit).toEqual(['policy.created', 'policy.approval-requested', 'policy.approved']);
    expect(auditEventsOf(db, 'policy', id)[2]?.details).toMatchObject({ by: GRACE.by, requestedBy: ADA.by, kind: 'enforce', channel: 'cli' });

    // An edit of the enforced policy that affects many people: v2 waits, v1 stays in effect until approved.
    const narrowed = saveOk(savePolicyYaml(ctx, engineering('enforce', '\n    - title: { starts_with: Senior }'), { ...GRACE, id }));
    expect(narrowed).toMatchObject({ outcome: 'awaiting-approval', policy: { version: 1, mode: 'enforce', state: 'awaiting-approval' }, approval: { kind: 'edit', version: 2 } });
    expect(narrowed.approval?.counts.losses).toBeGreaterThan(50);
    expect(getPolicy(ctx, id, 2).shown.state).toBe('awaiting-approval');
    expect(new Set([...birthrightOf(ctx).values()].flat().map((r) => r.policyVersion))).toEqual(new Set([1]));
    expect(() => approvePolicy(ctx, id, GRACE)).toThrow(/second operator/);
    approvePolicy(ctx, id, ADA);
    expect(getPolicy(ctx, id)).toMatchObject({ version: 2, mode: 'enforce', state: 'active', versions: [{ version: 1, state: 'superseded' }, { version: 2, state: 'current' }] });
    expect(() => approvePolicy(ctx, id, GRACE)).toThrow(/nothing on "Engineering base" is waiting for approval/);

    // Monitor mode needs nobody.
    expect(setPolicyMode(ctx, id, 'monitor', ADA).outcome).toBe('updated');
    expect(listPolicies(ctx)[0]).toMatchObject({ mode: 'monitor' });
    db.close();
  });

  it('a critical role needs a second operator even for a few people; an exception leaves its person out', async () => {
    const { ctx, db, critical } = await policyWorkspace();
    const ceo = db.prepare("SELECT email, department FROM hr_records WHERE manager_email IS NULL AND status = 'active' ORDER BY id LIMIT 1").get() as { email: string; department: string };
    const yaml = `name: Root\nmode: enforce\nwhen:\n  manager: { exists: false }\ngrants:\n  - role: AWS / Admin\n    days: 30\n`;
    const r = saveOk(savePolicyYaml(ctx, yaml, ADA));
    expect(r).toMatchObject({ outcome: 'awaiting-approval', approval: { kind: 'enforce', reasons: ['it touches the critical role AWS / Admin'] } });
    expect(r.approval?.counts.affectedPeople).toBeLessThanOrEqual(50);
    approvePolicy(ctx, r.policy.id, GRACE);
    const holders = [...birthrightOf(ctx)].filter(([, roles]) => roles.some((x) => x.roleId === critical && x.durationDays === 30 && x.enforced));
    expect(holders.length).toBe(r.approval?.counts.affectedPeople);

    const person = holders[0]?.[0] ?? '';
    const ex = addException(ctx, { policyId: r.policy.id, person: ceo.email, owner: 'grace@acme.example', reason: 'break-glass only', endsAt: new Date(sandbox.org.anchor + 36 * HOUR).toISOString() }, ADA);
    expect(birthrightOf(ctx, [ex.personId]).get(ex.personId)?.some((x) => x.roleId === critical) ?? false).toBe(false);
    expect(person.length).toBeGreaterThan(0);
    expect(auditEventsOf(db, 'policy', r.policy.id).at(-1)).toMatchObject({ action: 'policy.exception-added', details: expect.objectContaining({ by: ADA.by, owner: 'grace@acme.example', channel: 'cli' }) as unknown });
    expect(() => addException(ctx, { policyId: r.policy.id, person: ceo.email, owner: 'x', reason: 'y', endsAt: '2000-01-01' }, ADA)).toThrow(/already passed/);
    db.close();
  });

  it('export then import is the identity; an invalid file changes nothing and names each line', async () => {
    const { ctx, db } = await policyWorkspace();
    saveOk(savePolicyYaml(ctx, engineering('monitor'), ADA));
    saveOk(savePolicyYaml(ctx, `name: Everyone\ngrace_days: 3\nwhen: { all: [] }\ngrants:\n  - role: GitHub / Member\n    days: 90\n`, ADA));
    const tables = (): string => JSON.stringify(['policies', 'policy_versions', 'policy_approvals', 'policy_exceptions', 'audit_events'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()));
    const text = exportPolicies(ctx);
    const before = tables();
    const again = importPolicies(ctx, text, GRACE);
    expect(again).toEqual({ ok: true, policies: [expect.objectContaining({ name: 'Engineering base', outcome: 'unchanged' }), expect.objectContaining({ name: 'Everyone', outcome: 'unchanged' })] });
    expect(tables()).toBe(before);
    expect(exportPolicies(ctx)).toBe(text);

    const bad = `${text}  - name: Broken\n    when:\n      all:\n        - department: { equals: Sales }\n        - department: { equals: Legal }\n    grants:\n      - role: Nope / Nothing\n`;
    const refused = importPolicies(ctx, bad, GRACE) as Extract<PolicyImportResult, { ok: false }>;
    const lines = text.split('\n').length;
    expect(refused.ok).toBe(false);
    expect(refused.errors.map((e) => e.line)).toEqual([lines + 3, lines + 6]);
    expect(tables()).toBe(before);
    db.close();
  });
});

describe('latchkey policy', () => {
  type Out = { code: number | 'serving'; stdout: string; stderr: string };
  async function latchkey(env: Record<string, string>, ...args: string[]): Promise<Out> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true', ...env }, secrets: memorySecretStore() });
    return { code, stdout, stderr };
  }

  it('imports, shows, what-ifs, enforces and approves with --json; refuses self-approval and writes on --read-only', async () => {
    const { ctx, db } = await policyWorkspace();
    db.close();
    const file = ctx.dbPath;
    const yamlFile = path.join(dir, `policies-${process.pid}.yaml`);
    fs.writeFileSync(yamlFile, `policies:\n${engineering('monitor').replace(/^/gm, '    ').replace(/^ {4}name/, '  - name')}`);

    const whatif = await latchkey({}, '--db', file, 'policy', 'whatif', yamlFile, '--json', '--limit', '3');
    expect(whatif).toMatchObject({ code: 0, stderr: '' });
    const w = JSON.parse(whatif.stdout) as PolicyWhatIfResult;
    expect(w.ok && w.whatifs[0]?.changes.length).toBe(3);
    const imported = await latchkey({ LATCHKEY_OPERATOR: 'ada@acme.example' }, '--db', file, 'policy', 'import', yamlFile, '--json');
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, policies: [{ name: 'Engineering base', outcome: 'created' }] });
    const list = JSON.parse((await latchkey({}, '--db', file, 'policy', 'list', '--json')).stdout) as PolicyRow[];
    const id = String(list[0]?.id);

    const enforce = await latchkey({}, '--db', file, 'policy', 'enforce', id, '--as', 'ada@acme.example', '--json');
    expect(JSON.parse(enforce.stdout)).toMatchObject({ ok: true, outcome: 'awaiting-approval', approval: { requestedBy: 'ada@acme.example', requestedChannel: 'cli' } });
    const self = await latchkey({ LATCHKEY_OPERATOR: 'ada@acme.example' }, '--db', file, 'policy', 'approve', id);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('a second operator must approve this');
    const approve = await latchkey({}, '--db', file, 'policy', 'approve', id, '--as', 'grace@acme.example', '--json');
    expect(JSON.parse(approve.stdout)).toMatchObject({ mode: 'enforce', state: 'active' });
    const show = JSON.parse((await latchkey({}, '--db', file, 'policy', 'show', id, '--version', '1', '--json')).stdout) as PolicyDetail;
    expect(show).toMatchObject({ mode: 'enforce', shown: { version: 1, state: 'current' } });
    const text = await latchkey({}, '--db', file, 'policy', 'show', id);
    expect(text.stdout).toContain('- department: { equals: engineering }');

    const out = path.join(dir, `export-${process.pid}.yaml`);
    expect((await latchkey({}, '--db', file, '--read-only', 'policy', 'export', out)).code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toContain('mode: enforce');
    const refused = await latchkey({}, '--db', file, '--read-only', 'policy', 'enforce', id);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"policy enforce" changes the workspace');
    const badFile = path.join(dir, `bad-${process.pid}.yaml`);
    fs.writeFileSync(badFile, 'policies:\n  - name: X\n    when:\n      dept: { equals: A }\n    grants: [GitHub / Member]\n');
    const bad = await latchkey({}, '--db', file, 'policy', 'import', badFile);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('line 4: unknown attribute "dept"');
    expect(bad.stderr).toContain('nothing was imported');
  });
});
