// The sweep of requests left pending too long, run by the governance tick:
// past its role's timeout (policy.pendingTimeoutHours, on ctx.clock) a
// request is escalated once (a step for the escalation approvers, else the
// owner, in place of the stale one) or expires. Each request is its own
// transaction with its audit event and Jira write-back, like every step of
// the lifecycle (requests.ts).
import { appendAudit } from '../audit/audit-log.js';
import { listRoles } from '../catalog/catalog-store.js';
import { roleById, type RoleInfo } from '../catalog/role-info.js';
import type { EngineContext } from '../context.js';
import { addressesOf, addressesOfPerson } from '../directory/people-lookup.js';
import { emit, jira, stepOpened, stepText } from './requests.js';
import { escalateStep, pendingRequestsFiledBy, pendingStep, requestDbRow, setRequestDecision, skipSteps } from './request-store.js';
import { fallbackApprovers } from './routing.js';

const HOUR = 3_600_000;

/**
 * Requests pending past their role's timeout (policy.pendingTimeoutHours,
 * default 7 days, on ctx.clock): 'expire' closes them; 'escalate' adds a
 * step for the escalation approvers (else the owner) in place of the stale
 * one, once; a request still pending a timeout after its escalation expires.
 * Called by the scheduler every tick: one indexed query finds the candidates.
 */
export function sweepPendingRequests(ctx: EngineContext): { escalated: number[]; expired: number[] } {
  const { db } = ctx;
  const out = { escalated: [] as number[], expired: [] as number[] };
  if (ctx.readOnly) return out;
  const now = ctx.clock.now();
  const roleIds = listRoles(db).map((r) => r.info.id);
  if (roleIds.length === 0) return out;
  const roles = new Map<number, RoleInfo>();
  const roleOf = (id: number): RoleInfo | null => {
    if (!roles.has(id)) {
      const r = roleById(db, id);
      if (r) roles.set(id, r);
    }
    return roles.get(id) ?? null;
  };
  // The shortest timeout of any role bounds which requests can be due at all.
  let minHours = Infinity;
  for (const id of roleIds) minHours = Math.min(minHours, roleOf(id)?.policy.pendingTimeoutHours ?? Infinity);
  if (!Number.isFinite(minHours)) return out;
  const cutoff = new Date(now.getTime() - minHours * HOUR);
  for (const c of pendingRequestsFiledBy(db, cutoff)) {
    const role = roleOf(c.roleId);
    const hours = role?.policy.pendingTimeoutHours ?? 168;
    const since = c.escalatedAt ?? c.createdAt;
    if (new Date(since).getTime() + hours * HOUR > now.getTime()) continue;
    const outcome = db
      .transaction(() => timeOut(ctx, c.id, role, hours, now))
      .immediate();
    if (outcome) out[outcome].push(c.id);
  }
  if (out.escalated.length + out.expired.length > 0) emit(ctx, [...out.escalated, ...out.expired]);
  return out;
}

function timeOut(ctx: EngineContext, requestId: number, role: RoleInfo | null, hours: number, now: Date): 'escalated' | 'expired' | null {
  const { db } = ctx;
  const at = now.toISOString();
  const r = requestDbRow(db, requestId);
  if (r.status !== 'pending') return null;
  const step = pendingStep(db, requestId);
  const waited = `no decision in ${hours} h`;
  if (role && role.policy.onTimeout === 'escalate' && r.escalated_at === null && step) {
    const excluded = addressesOfPerson(db, r.beneficiary_connection_id, r.beneficiary_identity_id, [r.beneficiary_email]);
    for (const a of addressesOf(db, r.requester)) excluded.add(a);
    const fb = fallbackApprovers(role, excluded, true);
    if (fb) {
      // The stale step is skipped; the escalation step takes its place in the order, later steps move down one.
      const n = escalateStep(db, requestId, step, fb, `escalated: ${waited}`, now);
      appendAudit(
        db,
        {
          actor: ctx.actor, channel: ctx.channel,
          action: 'request.escalated',
          targetType: 'request',
          targetId: requestId,
          details: { by: 'sweep', from: JSON.parse(step.approvers) as unknown, to: fb.approvers, reason: waited, summary: `Escalated to ${fb.approvers.join(', ')}: ${waited} at ${stepText(step)}` },
        },
        now,
      );
      stepOpened(db, requestId, n, { kind: fb.kind, approvers: fb.approvers, note: `escalation: ${waited}` }, ctx, now);
      jira(db, requestId, { event: 'escalated', comment: `Escalated at ${at}: ${waited} at ${stepText(step)}. Now waiting for ${fb.approvers.join(', ')}.` }, now);
      return 'escalated';
    }
  }
  const reason =
    r.escalated_at !== null
      ? `${waited} after escalation (${r.escalated_at})`
      : role?.policy.onTimeout === 'escalate'
        ? `${waited}, and nobody to escalate to`
        : `${waited} (the policy of ${role?.label ?? `role #${r.role_id}`} expires stale requests)`;
  skipSteps(db, requestId, 'open');
  setRequestDecision(db, requestId, 'expired', now);
  appendAudit(db, { actor: ctx.actor, channel: ctx.channel, action: 'request.expired', targetType: 'request', targetId: requestId, details: { by: 'sweep', reason, summary: `Expired while pending: ${reason}` } }, now);
  jira(db, requestId, { event: 'expired-pending', comment: `Expired at ${at} without a decision: ${reason}.`, transition: 'declined' }, now);
  return 'expired';
}
