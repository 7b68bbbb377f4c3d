import { describe, expect, it } from 'vitest';
import { criticalFailure, currentTier, nextSteps, planOutcome, rollbackSelection, tierName, type GraphStep } from '../../electron/engine/plans/plan-graph.js';
import { leaverSteps, joinerSteps, moverSteps, tierOfRole, type BirthrightRole } from '../../electron/engine/plans/build.js';

let n = 0;
const step = (key: string, tier: number, o: Partial<GraphStep> = {}): GraphStep => ({
  id: ++n,
  key,
  tier,
  kind: 'add',
  status: 'waiting',
  dependsOn: [],
  critical: false,
  notBefore: null,
  grantId: null,
  undoJobId: null,
  ...o,
});
const keys = (s: readonly GraphStep[]): string[] => s.map((x) => x.key);
const NOW = '2026-12-08T15:00:00.000Z';

describe('plan graph: tiers and dependencies', () => {
  it('starts only the lowest open tier, all of its steps at once (in parallel)', () => {
    const steps = [step('check', 1, { kind: 'check' }), step('base-a', 2), step('base-b', 2), step('dept', 3), step('notice', 6, { kind: 'notice' })];
    expect(keys(nextSteps(steps, NOW).start)).toEqual(['check']);
    steps[0] = { ...(steps[0] as GraphStep), status: 'done' };
    expect(keys(nextSteps(steps, NOW).start)).toEqual(['base-a', 'base-b']);
    // One of tier 2 still running: tier 3 waits.
    steps[1] = { ...(steps[1] as GraphStep), status: 'done' };
    steps[2] = { ...(steps[2] as GraphStep), status: 'running' };
    expect(keys(nextSteps(steps, NOW).start)).toEqual([]);
    expect(currentTier(steps, NOW)).toBe(2);
    // A failed (non-critical) or manual step has settled: the plan goes on.
    steps[2] = { ...(steps[2]), status: 'manual' };
    expect(keys(nextSteps(steps, NOW).start)).toEqual(['dept']);
    expect(currentTier(steps, NOW)).toBe(3);
  });

  it('a step waits for the steps it names, and is blocked (never run) when one of them did not succeed', () => {
    const a = step('a', 2, { status: 'running' });
    const b = step('b', 2, { dependsOn: ['a'] });
    expect(keys(nextSteps([a, b], NOW).start)).toEqual([]);
    expect(keys(nextSteps([{ ...a, status: 'done' }, b], NOW).start)).toEqual(['b']);
    expect(keys(nextSteps([{ ...a, status: 'skipped' }, b], NOW).start)).toEqual(['b']);
    const blocked = nextSteps([{ ...a, status: 'failed' }, b], NOW).blocked;
    expect(blocked.map((x) => [x.step.key, x.because])).toEqual([['b', 'it depends on "a", which is failed']]);
    // A key the plan lacks is a bug: blocked, never a silent pass.
    expect(nextSteps([step('c', 2, { dependsOn: ['nope'] })], NOW).blocked[0]?.because).toMatch(/not in the plan/);
  });

  it("a step waiting for its date (a mover's removal after the grace period) starts at that instant, not a millisecond before, and holds up no later tier", () => {
    const at = '2026-12-15T15:00:00.000Z';
    const removal = step('remove', 4, { kind: 'remove', notBefore: at });
    const notice = step('notice', 6, { kind: 'notice' });
    expect(keys(nextSteps([removal, notice], '2026-12-15T14:59:59.999Z').start)).toEqual(['notice']);
    expect(keys(nextSteps([removal, notice], at).start)).toEqual(['remove']);
    expect(currentTier([removal, { ...notice, status: 'done' }], '2026-12-15T14:59:59.999Z')).toBeNull();
  });

  it('tier names: the joiner order, and a leaver\'s removal and suspension tiers', () => {
    expect([1, 2, 3, 4, 5, 6].map((t) => tierName(t))).toEqual(['account checks', 'base access', 'department', 'role', 'manual steps', 'notices']);
    expect(tierName(2, 'leaver')).toBe('access removal');
    expect(tierName(3, 'leaver')).toBe('account suspension');
  });
});

describe('plan graph: rollback and outcome', () => {
  it('a failed critical step calls for a rollback; a failed ordinary one does not', () => {
    expect(criticalFailure([step('a', 2, { status: 'failed' })])).toBeNull();
    expect(criticalFailure([step('a', 2, { status: 'failed', critical: true })])?.key).toBe('a');
    expect(criticalFailure([step('a', 2, { status: 'running', critical: true })])).toBeNull();
  });

  it('undoes only the access the plan added (done adds with their grant, not yet undone), cancels what has not started, waits for what is in flight', () => {
    const steps = [
      step('check', 1, { kind: 'check', status: 'done' }),
      step('added', 2, { status: 'done', grantId: 11 }),
      step('already-held', 2, { status: 'skipped' }),
      step('undone', 2, { status: 'done', grantId: 12, undoJobId: 99 }),
      step('failed', 2, { status: 'failed', critical: true }),
      step('in-flight', 3, { status: 'running', grantId: 13 }),
      step('removed', 3, { kind: 'remove', status: 'done', grantId: 14 }),
      step('later', 4),
      step('notice', 6, { kind: 'notice' }),
    ];
    const sel = rollbackSelection(steps);
    expect(keys(sel.undo)).toEqual(['added']);
    expect(keys(sel.cancel)).toEqual(['later', 'notice']);
    expect(keys(sel.wait)).toEqual(['in-flight']);
  });

  it('a plan is done when every step succeeded, partial when one failed or was cancelled, open while one waits, runs or is with a person', () => {
    expect(planOutcome([step('a', 1, { status: 'done' }), step('b', 2, { status: 'skipped' })])).toBe('done');
    expect(planOutcome([step('a', 1, { status: 'done' }), step('b', 2, { status: 'failed' })])).toBe('partial');
    expect(planOutcome([step('a', 1, { status: 'done' }), step('b', 2, { status: 'cancelled' })])).toBe('partial');
    for (const open of ['waiting', 'running', 'manual'] as const) expect(planOutcome([step('a', 1, { status: 'done' }), step('b', 2, { status: open })])).toBeNull();
  });
});

describe('plan steps from birthright roles', () => {
  const role = (roleId: number, because: string, groups: { connectionId: number; groupId: string; groupName: string }[] = [{ connectionId: 1, groupId: `g${roleId}`, groupName: `grp-${roleId}` }]) => ({
    role: { roleId, label: `App / R${roleId}`, groups },
    birthright: { roleId, policyId: 7, policyVersion: 3, durationDays: null, graceDays: 5, enforced: true, because } satisfies BirthrightRole,
  });
  const accounts = [{ connectionId: 1, connectionName: 'okta', identityId: 'u1' }];

  it('joiner: the account check first, base groups critical in tier 2, department and title roles after, an unmapped role a manual step, the notice last', () => {
    expect(tierOfRole('employmentType equals Employee')).toBe(2);
    expect(tierOfRole('department equals Engineering')).toBe(3);
    expect(tierOfRole('title starts with Senior')).toBe(4);
    // As birthrightOf words it: the policy's name and the source do not count, only the tests.
    expect(tierOfRole('Department leads v2: employmentType equals "Employee" (Employee) — from the HR record')).toBe(2);
    expect(tierOfRole('Everyone v1: department equals "Sales" (Sales) — from the HR record')).toBe(3);
    const steps = joinerSteps(accounts, [role(1, 'everyone'), role(2, 'department equals Sales'), role(3, 'title in [Manager]'), role(4, 'everyone', [])], 'boss@x');
    expect(steps.map((s) => [s.step_key, s.tier, s.kind, !!s.critical])).toEqual([
      ['check:accounts', 1, 'check', true],
      ['add:1:1:g1', 2, 'add', true],
      ['add:2:1:g2', 3, 'add', false],
      ['add:3:1:g3', 4, 'add', false],
      ['manual:role:4', 5, 'manual', false],
      ['notice:jira', 6, 'notice', false],
    ]);
    expect(steps[1]).toMatchObject({ label: 'okta:grp-1', identity_id: 'u1', policy_id: 7, policy_version: 3, dependsOn: ['check:accounts'] });
    expect(steps[4]?.assignee).toBe('boss@x');
    // A group in a connection where the person has no account: the step has no account (it becomes a manual task when it starts).
    expect(joinerSteps(accounts, [role(5, 'everyone', [{ connectionId: 2, groupId: 'e1', groupName: 'entra-grp' }])], null)[1]?.identity_id).toBeNull();
  });

  it('mover: new roles at once, roles no longer given removed after their grace period, the old manager and a review of requested access as manual steps', () => {
    const now = new Date('2026-12-08T10:00:00.000Z');
    const held = [
      { grantId: 40, roleId: 1, connectionId: 1, groupId: 'g1', groupName: 'grp-1', identityId: 'u1', roleLabel: 'App / R1', policyId: 7, policyVersion: 2, graceDays: 5 },
      { grantId: 41, roleId: 9, connectionId: 1, groupId: 'g9', groupName: 'grp-9', identityId: 'u1', roleLabel: 'App / R9', policyId: 8, policyVersion: 1, graceDays: null },
    ];
    const requested = [{ grantId: 50, roleId: 20, connectionId: 1, groupId: 'g20', groupName: 'grp-20', identityId: 'u1', roleLabel: 'App / R20' }];
    const steps = moverSteps({ accounts, roles: [role(1, 'everyone'), role(2, 'department equals Sales')], held, requested, oldManager: 'old@x', newManager: 'new@x', now });
    expect(steps.map((s) => s.step_key)).toEqual(['check:accounts', 'add:2:1:g2', 'remove:grant:41', 'manual:old-manager', 'manual:review', 'notice:jira']);
    expect(steps.find((s) => s.step_key === 'add:2:1:g2')?.critical).toBe(false);
    // The policy's grace (none recorded: the default 7 days), from now.
    expect(steps.find((s) => s.step_key === 'remove:grant:41')?.not_before).toBe('2026-12-15T10:00:00.000Z');
    expect(steps.find((s) => s.step_key === 'manual:old-manager')?.assignee).toBe('old@x');
    expect(steps.find((s) => s.step_key === 'manual:review')?.assignee).toBe('new@x');
  });

  it('leaver: every grant and every ungranted mapped membership removed in tier 2, suspensions in tier 3, nothing critical', () => {
    const steps = leaverSteps({
      accounts,
      grants: [{ grantId: 3, roleId: 1, connectionId: 1, groupId: 'g1', groupName: 'grp-1', identityId: 'u1', roleLabel: 'App / R1' }],
      memberships: [{ connectionId: 1, groupId: 'g7', groupName: 'grp-7', identityId: 'u1' }],
      suspend: accounts,
    });
    expect(steps.map((s) => [s.step_key, s.tier, s.kind])).toEqual([
      ['check:accounts', 1, 'check'],
      ['remove:grant:3', 2, 'remove'],
      ['remove:member:1:g7:u1', 2, 'remove'],
      ['suspend:1:u1', 3, 'suspend'],
      ['notice:jira', 6, 'notice'],
    ]);
    expect(steps.filter((s) => s.critical && s.kind !== 'check')).toEqual([]);
  });
});
