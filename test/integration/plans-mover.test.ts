// Joiner then mover through plans, on the real birthright policies (the
// policies area's birthrightOf) and the sandbox Okta over HTTP: a hire gets
// the role its department's enforced policy gives, a move to another
// department gets the new department's role at once and loses the old one
// only when the old policy's grace period has passed (not a millisecond
// before), the old manager is asked to keep or let go (a manual task that
// holds the plan open until it is done), and every grant names its policy
// version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../shared/contract-policies.js';
import { completeManualTask } from '../../electron/engine/jobs/manual-tasks.js';
import { importHrAndPlan } from '../../electron/engine/governance/hr-import.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { advancePlans } from '../../electron/engine/plans/advance.js';
import { getPlan, listPlans } from '../../electron/engine/plans/views.js';
import { insertPolicy, insertVersion } from '../../electron/engine/policies/policy-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, grantOf, jobsWorkspace, oktaMember, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-plans-mover-');
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 43, graph: false, jira: false });
  w = await jobsWorkspace(dir, sandbox, { entra: false });
  w.ctx.actor = 'cli:ada';
  w.ctx.channel = 'cli';
  expect(importHr(w.ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }).ok).toBe(true);
}, 120_000);
afterAll(async () => {
  await sandbox.close();
});

const DAY = 86_400_000;

function addPolicy(d: PolicyDefinition): number {
  const at = w.clock.now().toISOString();
  const id = insertPolicy(w.db, d.name, d.mode, at);
  insertVersion(w.db, id, 1, d, { state: 'current', at, by: 'test', channel: 'cli' });
  return id;
}

function event(id: string, type: string, employee: Record<string, string>): void {
  const line = JSON.stringify({ event_id: id, type, timestamp: w.clock.now().toISOString(), effective_date: w.clock.now().toISOString().slice(0, 10), employee });
  const r = importHrAndPlan(w.ctx, { fileName: `${id}.jsonl`, bytes: Buffer.from(`${line}\n`) });
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('\n'));
}

const planOf = (eventId: string): number => {
  const p = listPlans(w.ctx, { limit: 1000 }).rows.find((x) => x.hrEventId === eventId);
  if (!p) throw new Error(`no plan for HR event ${eventId}`);
  return p.id;
};

describe('joiner and mover plans on the birthright policies', () => {
  it('a hire gets its department role; a move adds the new one at once and removes the old one after the grace period, with the old manager asked', async () => {
    // Someone active with an HR record, in a department that has another department to move to.
    const person = w.db
      .prepare(
        `SELECT i.id, i.email, i.employee_number, r.department, r.manager_email FROM cur_identities i JOIN hr_records r ON lower(r.employee_id) = lower(i.employee_number)
         WHERE i.connection_id = ? AND i.status = 'ACTIVE' AND r.status = 'active' AND r.department IS NOT NULL AND r.manager_email IS NOT NULL ORDER BY i.id LIMIT 1`,
      )
      .get(w.okta.id) as { id: string; email: string; employee_number: string; department: string; manager_email: string };
    const other = w.db.prepare('SELECT department FROM hr_records WHERE department IS NOT NULL AND department != ? ORDER BY department LIMIT 1').pluck().get(person.department) as string;
    const newManager = w.db.prepare("SELECT email FROM hr_records WHERE email IS NOT NULL AND lower(email) != lower(?) AND status = 'active' ORDER BY id LIMIT 1").pluck().get(person.manager_email) as string;
    const free = w.db
      .prepare(
        `SELECT g.id, g.name FROM cur_groups g WHERE g.connection_id = ? AND g.managed_by = 'direct' AND g.type = 'OKTA_GROUP'
           AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = g.connection_id AND m.group_id = g.id AND m.identity_id = ?) ORDER BY g.id LIMIT 2`,
      )
      .all(w.okta.id, person.id) as { id: string; name: string }[];
    const [oldGroup, newGroup] = free as [{ id: string; name: string }, { id: string; name: string }];
    const oldRole = seedRole(w.db, { app: 'Dept', role: person.department, groups: [{ connectionId: w.okta.id, groupId: oldGroup.id, groupName: oldGroup.name }] });
    const newRole = seedRole(w.db, { app: 'Dept', role: other, groups: [{ connectionId: w.okta.id, groupId: newGroup.id, groupName: newGroup.name }] });
    const oldPolicy = addPolicy({ name: `${person.department} staff`, description: '', when: { attribute: 'department', op: 'equals', value: person.department }, grants: [{ roleId: oldRole, days: null }], graceDays: 2, mode: 'enforce' });
    const newPolicy = addPolicy({ name: `${other} staff`, description: '', when: { attribute: 'department', op: 'equals', value: other }, grants: [{ roleId: newRole, days: null }], graceDays: 2, mode: 'enforce' });

    // The hire: the department role, justified by its policy version, in the department tier.
    event('t-join', 'employee.hired', { employee_id: person.employee_number, email: person.email });
    await runJobs(w.ctx, FAST);
    const joiner = getPlan(w.ctx, planOf('t-join'));
    expect(joiner).toMatchObject({ kind: 'joiner', status: 'done', policyVersions: [{ policyId: oldPolicy, version: 1 }] });
    expect(joiner.steps.filter((s) => s.kind === 'add').map((s) => [s.tier, s.groupName, s.status, s.policy])).toEqual([[3, oldGroup.name, 'done', { policyId: oldPolicy, version: 1 }]]);
    expect(oktaMember(sandbox, oldGroup.id, person.id)).toBe(true);

    // The move: new department and manager.
    event('t-move', 'employee.updated', { employee_id: person.employee_number, email: person.email, department: other, manager_email: newManager });
    await runJobs(w.ctx, FAST);
    const moverId = planOf('t-move');
    let mover = getPlan(w.ctx, moverId);
    expect(mover.kind).toBe('mover');
    const removal = mover.steps.find((s) => s.kind === 'remove');
    expect(removal).toMatchObject({ status: 'waiting', groupName: oldGroup.name });
    expect(mover.steps.find((s) => s.kind === 'add')).toMatchObject({ status: 'done', groupName: newGroup.name, policy: { policyId: newPolicy, version: 1 } });
    expect(oktaMember(sandbox, newGroup.id, person.id)).toBe(true);
    expect(oktaMember(sandbox, oldGroup.id, person.id)).toBe(true);
    const ask = mover.steps.find((s) => s.key === 'manual:old-manager');
    expect(ask).toMatchObject({ status: 'manual', assignee: person.manager_email.toLowerCase() });

    // The grace period: a millisecond before, nothing; at the instant, the removal starts.
    const notBefore = Date.parse(removal?.notBefore as string);
    // Two days (the old policy's grace) from when the move was planned.
    expect(notBefore - Date.parse(mover.createdAt)).toBe(2 * DAY);
    let at = notBefore - 1;
    w.ctx.clock = { now: () => new Date(at) };
    advancePlans(w.ctx);
    expect(getPlan(w.ctx, moverId).steps.find((s) => s.kind === 'remove')?.status).toBe('waiting');
    at = notBefore;
    advancePlans(w.ctx);
    expect(getPlan(w.ctx, moverId).steps.find((s) => s.kind === 'remove')?.status).toBe('running');
    await runJobs(w.ctx, FAST);
    expect(oktaMember(sandbox, oldGroup.id, person.id)).toBe(false);
    expect(oktaMember(sandbox, newGroup.id, person.id)).toBe(true);
    mover = getPlan(w.ctx, moverId);
    expect(grantOf(w.db, mover.steps.find((s) => s.kind === 'remove')?.grantId as number).end_reason).toBe(
      `revoked by latchkey:plans via system: no longer given by a birthright policy (plan #${moverId}, mover, effective ${mover.effectiveDate})`,
    );
    // The old manager's task holds the plan open until it is done.
    expect(mover.status).toBe('running');
    completeManualTask(w.ctx, ask?.taskId as number, { evidence: 'JIRA-123: let go', by: person.manager_email });
    advancePlans(w.ctx);
    expect(getPlan(w.ctx, moverId).status).toBe('done');
  }, 120_000);
});
