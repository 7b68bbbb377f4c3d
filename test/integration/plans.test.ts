// Joiner / mover / leaver plans on a real workspace: the sandbox's Okta and
// Entra tenants synced over HTTP(S), its HR feed imported, the plans' jobs
// run against the sandbox IdP. A backdated leaver (effective three days
// before the HR system sent it) loses every grant and every mapped-group
// membership at the first evaluation; a joiner's plan grants its birthright
// roles justified by the policy version, and one whose critical base step
// fails after its retries is rolled back with no leftover membership in the
// sandbox Okta. With the connections set to, the leaver's accounts are
// suspended too (Okta lifecycle suspend, Entra accountEnabled false).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { setSuspendLeavers } from '../../electron/engine/connections/connections.js';
import { leaversSheet } from '../../electron/engine/evidence/sheets-leavers.js';
import { importHrAndPlan } from '../../electron/engine/governance/hr-import.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { advancePlans } from '../../electron/engine/plans/advance.js';
import type { BirthrightRole } from '../../electron/engine/plans/build.js';
import { evaluatePlans, type BirthrightSource } from '../../electron/engine/plans/evaluate.js';
import { getPlan, listPlans } from '../../electron/engine/plans/views.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, grantOf, jobsWorkspace, oktaMember, pickTarget, type JobsWorkspace } from './job-helpers.js';

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const dir = tempDir('latchkey-plans-');
let sandbox: Sandbox;
let w: JobsWorkspace;
const used = new Set<string>();

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 41 });
  w = await jobsWorkspace(dir, sandbox);
  w.ctx.actor = 'cli:ada';
  w.ctx.channel = 'cli';
  const csv = importHr(w.ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' });
  expect(csv.ok).toBe(true);
}, 120_000);
afterAll(async () => {
  await sandbox.close();
});

type EventLine = { event_id: string; effective_date: string; employee: { employee_id: string; email: string } };
const eventById = (id: string): EventLine => JSON.parse(sandbox.hr.events.split('\n').find((l) => l.includes(`"${id}"`)) ?? 'null') as EventLine;
const oktaAccount = (email: string): { id: string; display_name: string } =>
  w.db.prepare('SELECT id, display_name FROM cur_identities WHERE connection_id = ? AND lower(email) = lower(?)').get(w.okta.id, email) as { id: string; display_name: string };
const planOf = (eventId: string): number => {
  const p = listPlans(w.ctx, { limit: 1000 }).rows.find((x) => x.hrEventId === eventId);
  if (!p) throw new Error(`no plan for HR event ${eventId}`);
  return p.id;
};
const audits = (targetType: string, targetId: number | string): { actor: string; channel: string; action: string; details: string }[] =>
  w.db.prepare('SELECT actor, channel, action, details FROM audit_events WHERE target_type = ? AND target_id = ? ORDER BY seq').all(targetType, String(targetId)) as never;

describe('leaver plans', () => {
  it('a backdated leaver is processed at once and loses every grant and every mapped-group membership, in the ledger and in the sandbox Okta', async () => {
    const ev = eventById(sandbox.hr.summary.backdatedLeaver);
    const person = oktaAccount(ev.employee.email);
    // Access through a request (provisioned by the jobs) ...
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const viaRequest = w.db.prepare("SELECT id, name FROM cur_groups WHERE connection_id = ? AND id = ?").get(w.okta.id, t.groupId) as { id: string; name: string };
    const roleId = seedRole(w.db, { app: 'Figma', role: 'Editor', groups: [{ connectionId: w.okta.id, groupId: viaRequest.id, groupName: viaRequest.name }] });
    seedApprovedRequests(w.db, { roleId, beneficiaries: [{ connectionId: w.okta.id, identityId: person.id, email: ev.employee.email, name: person.display_name }], durationMinutes: null, now: w.clock.now() });
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, viaRequest.id, person.id)).toBe(true);
    // ... and a membership of a mapped group held outside the process (no grant).
    const outside = w.db
      .prepare(
        `SELECT g.id, g.name FROM cur_memberships m JOIN cur_groups g ON g.connection_id = m.connection_id AND g.id = m.group_id
         WHERE m.connection_id = ? AND m.identity_id = ? AND g.managed_by = 'direct' AND g.id != ? ORDER BY g.id LIMIT 1`,
      )
      .get(w.okta.id, person.id, viaRequest.id) as { id: string; name: string } | undefined;
    if (!outside) throw new Error('the backdated leaver of seed 41 has no hand-managed group');
    seedRole(w.db, { app: 'Wiki', role: 'Reader', groups: [{ connectionId: w.okta.id, groupId: outside.id, groupName: outside.name }] });
    expect(oktaMember(sandbox, outside.id, person.id)).toBe(true);

    // Both IdP connections suspend leavers' accounts too (off by default).
    setSuspendLeavers(w.ctx, w.okta.id, true);
    if (w.entra) setSuspendLeavers(w.ctx, w.entra.id, true);
    const entraAccount = w.entra
      ? (w.db.prepare('SELECT id FROM cur_identities WHERE connection_id = ? AND lower(email) = lower(?)').pluck().get(w.entra.id, ev.employee.email) as string | undefined)
      : undefined;
    // Effective three days ago: due at the first evaluation (never an exact date).
    expect(ev.effective_date < w.clock.now().toISOString().slice(0, 10)).toBe(true);
    const imported = importHrAndPlan(w.ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) });
    expect(imported.ok).toBe(true);
    const leavers = listPlans(w.ctx, { kind: 'leaver' }).rows;
    expect(leavers.map((p) => [p.hrEventId, p.status])).toEqual([[ev.event_id, 'running']]);
    const planId = leavers[0]?.id as number;
    // Later leavers are not due yet; joiners and movers wait for the birthright policies.
    expect(listPlans(w.ctx, {}).total).toBe(1);

    await runJobs(w.ctx, FAST);
    const plan = getPlan(w.ctx, planId);
    expect(plan.status).toBe('done');
    expect(oktaMember(sandbox, viaRequest.id, person.id)).toBe(false);
    expect(oktaMember(sandbox, outside.id, person.id)).toBe(false);
    // The accounts are suspended (tier 3), in the sandbox Okta and Entra.
    const suspensions = plan.steps.filter((s) => s.kind === 'suspend');
    expect(suspensions.map((s) => [s.tier, s.status])).toEqual((entraAccount ? [1, 2] : [1]).map(() => [3, 'done']));
    expect(sandbox.org.users[sandbox.oktaState.userIndex(person.id) as number]?.status).toBe('SUSPENDED');
    if (entraAccount && sandbox.graphServer) {
      const dir = sandbox.graphServer.directory;
      expect(dir.user(dir.userIndex(entraAccount)).accountEnabled).toBe(false);
    }
    const removals = plan.steps.filter((s) => s.kind === 'remove');
    expect(removals.map((s) => [s.tier, s.status])).toEqual(removals.map(() => [2, 'done']));
    expect(removals.map((s) => s.groupName)).toEqual(expect.arrayContaining([viaRequest.name, outside.name]));
    for (const s of removals) {
      const g = grantOf(w.db, s.grantId as number);
      expect(g.status).toBe('revoked');
      expect(g.end_reason).toBe(`revoked by latchkey:plans via system: leaver (plan #${planId}, leaver, effective ${ev.effective_date})`);
    }
    // The membership held outside the process was put on the ledger before it was removed.
    const adopted = removals.find((s) => s.groupName === outside.name);
    expect(audits('grant', adopted?.grantId as number).map((a) => a.action)).toEqual(['grant.adopted', 'grant.revoke_requested', 'grant.revoked']);
    // Hours from the effective date (midnight UTC, three days back) to the last removal.
    expect(plan.lastRemovalAt).toBe(removals.map((s) => s.finishedAt).sort().at(-1));
    expect(plan.hoursToRemoval).toBeGreaterThan(72);
    expect(plan.hoursToRemoval).toBe(Math.round((Date.parse(plan.lastRemovalAt as string) - Date.parse(`${ev.effective_date}T00:00:00.000Z`)) / 36_000) / 100);
    // The plan's own changes are the system's; the event is processed once.
    const actions = audits('plan', planId);
    expect(actions[0]).toMatchObject({ actor: 'latchkey:plans', channel: 'system', action: 'plan.created' });
    expect(actions.map((a) => a.action)).toContain('plan.started');
    expect(actions.at(-1)?.action).toBe('plan.done');
    expect(w.db.prepare('SELECT plan_state FROM hr_events WHERE event_id = ?').pluck().get(ev.event_id)).toBe('processed');
    expect(evaluatePlans(w.ctx, { birthright: null })).toEqual([]);
    expect(verifyAuditChain(w.db).valid).toBe(true);

    // The evidence workbook's Leavers sheet reads the plan: from the effective date to the last removal, against the deadline.
    const from = `${ev.effective_date}T00:00:00.000Z`;
    const to = w.clock.now().toISOString();
    for (const deadline of [24, 24 * 30]) {
      const input = { db: w.db, from, to, generatedAt: to, leaverDeadlineHours: deadline };
      const rows = [...leaversSheet.rows(input)].filter((r) => typeof r.cells[3] === 'string' && r.cells[3].startsWith('HR leaver'));
      expect(rows).toHaveLength(1);
      const cells = Object.fromEntries(leaversSheet.columns.map((c, i) => [c.header, rows[0]?.cells[i]]));
      expect(cells).toMatchObject({ 'Account ID': ev.employee.email, Event: `HR leaver (plan #${planId}, done)`, 'Grants not ended': 0, 'Mapped-group memberships removed': 1, 'Hours taken': plan.hoursToRemoval, 'Within deadline': deadline > 72 });
      expect(rows[0]?.flags ?? []).toHaveLength(deadline > 72 ? 0 : 1);
      expect(leaversSheet.reconcile?.(input, [...leaversSheet.rows(input)].length)?.[0]?.expected).toBe([...leaversSheet.rows(input)].length);
    }
  }, 120_000);
});

describe('joiner plans', () => {
  /** A hire of an existing active Okta account, effective today, as an HR event line. */
  function hire(eventId: string, email: string, employeeId: string): void {
    const today = w.clock.now().toISOString().slice(0, 10);
    const line = JSON.stringify({ event_id: eventId, type: 'employee.hired', timestamp: w.clock.now().toISOString(), effective_date: today, employee: { employee_id: employeeId, email } });
    const r = importHr(w.ctx, { fileName: `${eventId}.jsonl`, bytes: Buffer.from(`${line}\n`) });
    if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
  }
  const newcomer = (): { id: string; email: string; employeeId: string; personId: string } => {
    const t = pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
    const row = w.db.prepare('SELECT employee_number FROM cur_identities WHERE connection_id = ? AND id = ?').get(w.okta.id, t.userId) as { employee_number: string };
    const personId = (w.db.prepare('SELECT coalesce((SELECT person_id FROM directory_accounts WHERE connection_id = ? AND id = ?), ?)').pluck().get(w.okta.id, t.userId, `${w.okta.id}:${t.userId}`)) as string;
    return { id: t.userId, email: t.email, employeeId: row.employee_number, personId };
  };
  const freeGroup = (userId: string): { id: string; name: string } =>
    w.db
      .prepare(
        `SELECT g.id, g.name FROM cur_groups g WHERE g.connection_id = ? AND g.managed_by = 'direct' AND g.type = 'OKTA_GROUP'
           AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = g.connection_id AND m.group_id = g.id AND m.identity_id = ?)
           AND NOT EXISTS (SELECT 1 FROM catalog_mappings cm WHERE cm.group_id = g.id) ORDER BY g.id LIMIT 1`,
      )
      .get(w.okta.id, userId) as { id: string; name: string };
  const role = (name: string, g: { id: string; name: string }): number => seedRole(w.db, { app: 'Base', role: name, groups: [{ connectionId: w.okta.id, groupId: g.id, groupName: g.name }] });
  const birthright = (personId: string, roles: BirthrightRole[]): BirthrightSource => (_ctx, ids) => new Map((ids ?? [personId]).includes(personId) ? [[personId, roles]] : []);
  const base = (roleId: number): BirthrightRole => ({ roleId, policyId: 7, policyVersion: 3, durationDays: null, graceDays: 7, enforced: true, because: 'employmentType equals Employee' });

  it("grants the enforced birthright roles on the start date, each grant justified by the policy version", async () => {
    const p = newcomer();
    const g = freeGroup(p.id);
    const roleId = role('Employee', g);
    hire('t-hire-ok', p.email, p.employeeId);
    evaluatePlans(w.ctx, { birthright: birthright(p.personId, [base(roleId), { ...base(roleId + 1000), enforced: false }]) });
    const planId = planOf('t-hire-ok');
    advancePlans(w.ctx);
    await runJobs(w.ctx, FAST);
    const plan = getPlan(w.ctx, planId);
    expect(plan).toMatchObject({ kind: 'joiner', status: 'done', policyVersions: [{ policyId: 7, version: 3 }] });
    // Only the enforced role: one add, in tier 2, critical.
    expect(plan.steps.map((s) => [s.tier, s.kind, s.status, s.critical])).toEqual([
      [1, 'check', 'done', true],
      [2, 'add', 'done', true],
      [6, 'notice', 'skipped', false],
    ]);
    expect(oktaMember(sandbox, g.id, p.id)).toBe(true);
    const add = plan.steps[1];
    const created = audits('grant', add?.grantId as number)[0];
    expect(created).toMatchObject({ actor: 'policy:7@v3', channel: 'policy', action: 'grant.created' });
    expect(JSON.parse(created?.details ?? '{}')).toMatchObject({ planId, policyId: 7, policyVersion: 3, justification: 'SOC 2 CC6.2: prior authorisation by policy' });
  }, 120_000);

  it('a critical step failing after its retries rolls back what the plan added: the sandbox Okta shows no leftover membership', async () => {
    const p = newcomer();
    const ok = freeGroup(p.id);
    const okRole = role('Laptop', ok);
    const bad = w.db
      .prepare(
        `SELECT g.id, g.name FROM cur_groups g WHERE g.connection_id = ? AND g.managed_by = 'direct' AND g.type = 'OKTA_GROUP' AND g.id != ?
           AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = g.connection_id AND m.group_id = g.id AND m.identity_id = ?)
           AND NOT EXISTS (SELECT 1 FROM catalog_mappings cm WHERE cm.group_id = g.id) ORDER BY g.id LIMIT 1`,
      )
      .get(w.okta.id, ok.id, p.id) as { id: string; name: string };
    const badRole = role('VPN', bad);
    // Every add to the second group fails with a 500: the job's retries run out.
    sandbox.faults.add({ match: `/api/v1/groups/${bad.id}/users/${p.id}`, method: 'PUT', kind: '500', times: 100 });
    hire('t-hire-bad', p.email, p.employeeId);
    evaluatePlans(w.ctx, { birthright: birthright(p.personId, [base(okRole), base(badRole)]) });
    const planId = planOf('t-hire-bad');
    advancePlans(w.ctx);
    await runJobs(w.ctx, FAST);
    const plan = getPlan(w.ctx, planId);
    expect(plan.status).toBe('failed');
    expect(plan.reason).toMatch(new RegExp(`^critical step ".*${escapeRe(bad.name)}" \\(tier 2, base access\\) failed: gave up after 8 attempts`));
    const byGroup = new Map(plan.steps.filter((s) => s.kind === 'add').map((s) => [s.groupName, s]));
    expect(byGroup.get(ok.name)).toMatchObject({ status: 'rolled-back' });
    expect(byGroup.get(bad.name)).toMatchObject({ status: 'failed' });
    expect(plan.steps.find((s) => s.kind === 'notice')?.status).toBe('cancelled');
    expect(oktaMember(sandbox, ok.id, p.id)).toBe(false);
    expect(oktaMember(sandbox, bad.id, p.id)).toBe(false);
    expect(grantOf(w.db, byGroup.get(ok.name)?.grantId as number)).toMatchObject({ status: 'revoked' });
    expect(audits('plan', planId).map((a) => a.action)).toEqual(expect.arrayContaining(['plan.rolling_back', 'plan.step_rolled_back', 'plan.failed']));
    sandbox.faults.clear();
  }, 120_000);
});
