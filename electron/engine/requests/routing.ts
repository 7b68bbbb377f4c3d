// Approval routing: who may decide each step of a request, resolved when the
// request is filed (so a routing problem is refused before anything is
// written) and stored on the step. The rules:
// - auto-approve policies need no one;
// - 'manager': the beneficiary's manager (from the snapshot, across their IdP
//   accounts); with none on record the step goes to the app owner, and the
//   reason is kept with the step;
// - 'app-owner': the role's owner, else the catalog app's owner, else the
//   policy's escalation approvers;
// - 'named': the listed e-mails;
// - self-approval is impossible by construction: the beneficiary (any of
//   their addresses) and the requester are removed from every step; a step
//   left with nobody goes to the app owner / escalation approvers, and a
//   request nobody else could approve is refused with the reason.
import type { ApprovalStepKind } from '../../../shared/governance.js';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { managerOf, type Beneficiary } from '../directory/people-lookup.js';
import type { RoleInfo } from '../catalog/role-info.js';

export type PlannedStep = {
  kind: ApprovalStepKind;
  /** Lower-cased e-mails allowed to decide; never the beneficiary or the requester. */
  approvers: string[];
  /** Why the step is not what the policy said (no manager, self-approval avoided), shown on the timeline. */
  note: string | null;
};

export type RoutingPlan = { auto: true } | { auto: false; steps: PlannedStep[] };

/** The role's owner, else its app's. */
export const ownerOf = (role: RoleInfo): string | null => role.roleOwner ?? role.appOwner;

const uniq = (xs: readonly string[]): string[] => [...new Set(xs)];

/**
 * Who a step goes to when its own approvers can't decide it: the owner
 * (role, else app), else the policy's escalation approvers, never anyone
 * excluded. `preferEscalateTo`: escalation of a stale request, where the
 * policy's escalation list comes first.
 */
export function fallbackApprovers(role: RoleInfo, excluded: ReadonlySet<string>, preferEscalateTo = false): { kind: ApprovalStepKind; approvers: string[] } | null {
  const owner = ownerOf(role);
  const byOwner = owner && !excluded.has(owner) ? [owner] : [];
  const byList = uniq(role.policy.escalateTo.filter((e) => !excluded.has(e)));
  const order = preferEscalateTo ? [byList, byOwner] : [byOwner, byList];
  for (const list of order) {
    if (list.length === 0) continue;
    return { kind: list === byOwner ? 'app-owner' : 'named', approvers: list };
  }
  return null;
}

/** Plans every step of a request for `b`; `excluded`: the beneficiary's and the requester's addresses. Refuses with the reason. */
export function planRouting(db: Db, role: RoleInfo, b: Beneficiary, excluded: ReadonlySet<string>): RoutingPlan {
  if (role.policy.autoApprove) return { auto: true };
  if (role.policy.steps.length === 0) {
    throw new UserError(`${role.label} has no approval steps and is not auto-approved: fix its approval policy in the catalog`, 'bad-input');
  }
  const owner = ownerOf(role);
  const steps: PlannedStep[] = [];
  role.policy.steps.forEach((step, i) => {
    const n = i + 1;
    let kind: ApprovalStepKind = step.kind;
    let approvers: string[] = [];
    let note: string | null = null;
    if (step.kind === 'manager') {
      const m = managerOf(db, b);
      if (m.email !== null) approvers = [m.email];
      else {
        const fb = fallbackApprovers(role, new Set());
        if (!fb) throw new UserError(`cannot route step ${n} (manager): ${m.why}, and ${role.label} has no owner to fall back to: set one in the catalog`, 'bad-input');
        ({ kind, approvers } = fb);
        note = `${m.why}: routed to ${fb.kind === 'app-owner' ? 'the app owner' : 'the escalation approvers'} (${fb.approvers.join(', ')})`;
      }
    } else if (step.kind === 'app-owner') {
      if (owner) approvers = [owner];
      else if (role.policy.escalateTo.length > 0) {
        kind = 'named';
        approvers = uniq(role.policy.escalateTo);
        note = `${role.label} has no owner: routed to the escalation approvers (${approvers.join(', ')})`;
      } else {
        throw new UserError(`cannot route step ${n} (app owner): neither ${role.label} nor ${role.appName} has an owner: set one in the catalog`, 'bad-input');
      }
    } else {
      approvers = uniq(step.approvers ?? []);
      if (approvers.length === 0) throw new UserError(`cannot route step ${n} (named approvers): ${role.label}'s policy names no approvers`, 'bad-input');
    }
    const eligible = approvers.filter((a) => !excluded.has(a));
    if (eligible.length === 0) {
      const who = approvers.join(', ');
      const fb = fallbackApprovers(role, excluded);
      if (!fb) {
        throw new UserError(
          `cannot route step ${n}: its only approver (${who}) is the beneficiary or the requester, and self-approval is blocked; ${role.label} has no one else to escalate to (set an owner or escalation approvers)`,
          'bad-input',
        );
      }
      note = `${note ? `${note}; ` : ''}${who} may not approve (self-approval is blocked): escalated to ${fb.approvers.join(', ')}`;
      ({ kind, approvers } = fb);
    } else approvers = eligible;
    // The same approvers twice (no manager, so step 1 went to the owner who also owns step 2): one
    // decision covers both; otherwise the request could never pass (nobody approves two steps).
    const same = steps.find((s) => s.approvers.length === approvers.length && s.approvers.every((a) => approvers.includes(a)));
    if (same) {
      same.note = `${same.note ? `${same.note}; ` : ''}also stands for step ${n} (${kind === 'app-owner' ? 'app owner' : kind}): the same approver`;
      return;
    }
    steps.push({ kind, approvers, note });
  });
  return { auto: false, steps };
}
