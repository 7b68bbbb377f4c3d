// The steps of a joiner, mover or leaver plan, from what the person has and
// what their birthright policies say they should have.
//
// - Joiner: tier 1 checks the person's accounts; each enforced birthright
//   role's mapped groups are 'add' steps (tier 2 base access, 3 department,
//   4 role: see tierOfRole), the base tier critical — the rest builds on it,
//   so a base group that cannot be given undoes the plan; a role mapped to
//   no group (an app without SSO, a laptop) is a manual step (tier 5) for
//   the manager; tier 6 is the notice (the plan's Jira issue to done).
// - Mover: new roles are added at once; roles the person holds through an
//   earlier plan that no longer apply are removed after their policy's grace
//   period (`not_before`); the old manager gets a confirmation task (keep or
//   let go) and the access held through requests (not birthright) a review
//   by the new manager (manual steps, tier 5).
// - Leaver: every live grant of every account, and every membership of a
//   catalog-mapped group without a grant, is removed (tier 2); the account
//   suspended where the connection says so (tier 3); the notice (tier 6).
import type { PlanKind } from '../../../shared/contract-plans.js';
import type { BirthrightRole } from '../policies/birthright.js';
import type { NewStep } from './plan-store.js';

/** A birthright role as policies/birthright.ts gives it (keyed there by the Directory's person id). */
export type { BirthrightRole } from '../policies/birthright.js';

export type PlanAccount = { connectionId: number; connectionName: string; identityId: string };
export type RoleTarget = { roleId: number; label: string; groups: { connectionId: number; groupId: string; groupName: string }[] };
export type HeldGrant = { grantId: number; roleId: number | null; connectionId: number; groupId: string; groupName: string; identityId: string; roleLabel: string | null };
export type HeldBirthright = HeldGrant & { policyId: number | null; policyVersion: number | null; graceDays: number | null };

/**
 * The tier a birthright role's groups go in, from the tests that granted it
 * (birthrightOf's `because`: "<policy> v<n>: <tests> — from the <source>";
 * the policy's name and the source are left out): a test on the department,
 * tier 3; on the title, tier 4; otherwise (employment type, location,
 * everyone) base access, tier 2.
 */
export function tierOfRole(because: string): 2 | 3 | 4 {
  const tests = because.replace(/^.*? v\d+: /, '').replace(/ — from the .*$/, '');
  if (/\bdepartment\b/i.test(tests)) return 3;
  if (/\btitle\b/i.test(tests)) return 4;
  return 2;
}

const CHECK_KEY = 'check:accounts';
const DEFAULT_GRACE_DAYS = 7;

function accountIn(accounts: readonly PlanAccount[], connectionId: number): PlanAccount | null {
  return accounts.find((a) => a.connectionId === connectionId) ?? null;
}

function checkStep(accounts: readonly PlanAccount[]): NewStep {
  const names = accounts.map((a) => `${a.connectionName}: ${a.identityId}`).join(', ');
  return { step_key: CHECK_KEY, tier: 1, kind: 'check', label: `Accounts: ${names || 'none'}`, critical: true };
}

const noticeStep = (kind: PlanKind): NewStep => ({ step_key: 'notice:jira', tier: 6, kind: 'notice', label: `${kind === 'leaver' ? 'Offboarding' : kind === 'joiner' ? 'Onboarding' : 'Move'} recorded in Jira` });

/** Add steps for one role (or a manual step when it is mapped to no group). */
function addSteps(role: RoleTarget, b: BirthrightRole, accounts: readonly PlanAccount[], manager: string | null, critical: boolean): NewStep[] {
  const policy = { role_id: role.roleId, policy_id: b.policyId, policy_version: b.policyVersion, grace_days: b.graceDays, duration_days: b.durationDays };
  if (role.groups.length === 0) {
    return [
      {
        step_key: `manual:role:${role.roleId}`,
        tier: 5,
        kind: 'manual',
        label: `${role.label}: give it by hand (mapped to no group)`,
        assignee: manager,
        note: `policy #${b.policyId} v${b.policyVersion}: ${b.because}`,
        ...policy,
      },
    ];
  }
  const tier = tierOfRole(b.because);
  return role.groups.map((g) => {
    const a = accountIn(accounts, g.connectionId);
    return {
      step_key: `add:${role.roleId}:${g.connectionId}:${g.groupId}`,
      tier,
      kind: 'add' as const,
      label: `${a?.connectionName ?? `connection #${g.connectionId}`}:${g.groupName}`,
      connection_id: g.connectionId,
      group_id: g.groupId,
      group_name: g.groupName,
      identity_id: a?.identityId ?? null,
      critical: critical && tier === 2,
      dependsOn: [CHECK_KEY],
      note: `${role.label} — policy #${b.policyId} v${b.policyVersion}: ${b.because}`,
      ...policy,
    };
  });
}

export function joinerSteps(accounts: readonly PlanAccount[], roles: readonly { role: RoleTarget; birthright: BirthrightRole }[], manager: string | null): NewStep[] {
  const steps: NewStep[] = [checkStep(accounts)];
  const seen = new Set<string>();
  for (const { role, birthright } of roles) {
    for (const s of addSteps(role, birthright, accounts, manager, true)) {
      if (seen.has(s.step_key)) continue;
      seen.add(s.step_key);
      steps.push(s);
    }
  }
  steps.push(noticeStep('joiner'));
  return steps;
}

export type MoverInput = {
  accounts: readonly PlanAccount[];
  /** Enforced birthright roles that apply now. */
  roles: readonly { role: RoleTarget; birthright: BirthrightRole }[];
  /** Birthright access held through earlier plans. */
  held: readonly HeldBirthright[];
  /** Access held through requests (not birthright), for the new manager's review. */
  requested: readonly HeldGrant[];
  oldManager: string | null;
  newManager: string | null;
  now: Date;
};

export function moverSteps(m: MoverInput): NewStep[] {
  const steps: NewStep[] = [checkStep(m.accounts)];
  const heldRoles = new Set(m.held.map((h) => h.roleId));
  const wanted = new Set(m.roles.map((r) => r.role.roleId));
  for (const { role, birthright } of m.roles) {
    if (heldRoles.has(role.roleId)) continue;
    steps.push(...addSteps(role, birthright, m.accounts, m.newManager, false));
  }
  const removed = m.held.filter((h) => h.roleId === null || !wanted.has(h.roleId));
  for (const h of removed) {
    const days = h.graceDays ?? DEFAULT_GRACE_DAYS;
    steps.push({
      step_key: `remove:grant:${h.grantId}`,
      tier: 4,
      kind: 'remove',
      label: `${h.groupName} (${h.roleLabel ?? 'role'}) — after ${days} day${days === 1 ? '' : 's'} of grace`,
      role_id: h.roleId,
      policy_id: h.policyId,
      policy_version: h.policyVersion,
      connection_id: h.connectionId,
      group_id: h.groupId,
      group_name: h.groupName,
      identity_id: h.identityId,
      not_before: new Date(m.now.getTime() + days * 86_400_000).toISOString(),
      note: `grant #${h.grantId}: no birthright policy gives it any more`,
    });
  }
  if (removed.length > 0 && m.oldManager) {
    steps.push({
      step_key: 'manual:old-manager',
      tier: 5,
      kind: 'manual',
      label: `${m.oldManager}: keep or let go of ${removed.length} role${removed.length === 1 ? '' : 's'} the move ends`,
      assignee: m.oldManager,
      note: removed.map((h) => h.roleLabel ?? h.groupName).join(', '),
    });
  }
  if (m.requested.length > 0) {
    steps.push({
      step_key: 'manual:review',
      tier: 5,
      kind: 'manual',
      label: `${m.newManager ?? 'the new manager'}: review ${m.requested.length} access held through requests`,
      assignee: m.newManager,
      note: m.requested.map((h) => h.roleLabel ?? h.groupName).join(', '),
    });
  }
  steps.push(noticeStep('mover'));
  return steps;
}

export type LeaverInput = {
  accounts: readonly PlanAccount[];
  grants: readonly HeldGrant[];
  /** Memberships of catalog-mapped groups with no live grant behind them. */
  memberships: readonly { connectionId: number; groupId: string; groupName: string; identityId: string }[];
  /** Accounts to suspend (connections set to suspend leavers). */
  suspend: readonly PlanAccount[];
};

export function leaverSteps(l: LeaverInput): NewStep[] {
  const steps: NewStep[] = [checkStep(l.accounts)];
  const name = (connectionId: number): string => accountIn(l.accounts, connectionId)?.connectionName ?? `connection #${connectionId}`;
  for (const g of l.grants) {
    steps.push({
      step_key: `remove:grant:${g.grantId}`,
      tier: 2,
      kind: 'remove',
      label: `${name(g.connectionId)}:${g.groupName}`,
      role_id: g.roleId,
      connection_id: g.connectionId,
      group_id: g.groupId,
      group_name: g.groupName,
      identity_id: g.identityId,
      note: `grant #${g.grantId}${g.roleLabel ? ` (${g.roleLabel})` : ''}`,
    });
  }
  for (const m of l.memberships) {
    steps.push({
      step_key: `remove:member:${m.connectionId}:${m.groupId}:${m.identityId}`,
      tier: 2,
      kind: 'remove',
      label: `${name(m.connectionId)}:${m.groupName}`,
      connection_id: m.connectionId,
      group_id: m.groupId,
      group_name: m.groupName,
      identity_id: m.identityId,
      note: 'held outside the process (no grant): adopted, then removed',
    });
  }
  for (const a of l.suspend) {
    steps.push({ step_key: `suspend:${a.connectionId}:${a.identityId}`, tier: 3, kind: 'suspend', label: `Suspend ${a.connectionName}:${a.identityId}`, connection_id: a.connectionId, identity_id: a.identityId });
  }
  steps.push(noticeStep('leaver'));
  return steps;
}
