// Which HR events become plans, and when: "on or after the effective date
// and not yet processed" (hr_events due: effective on or before today, plan
// state pending), never an exact date, so a backdated leaver is planned at
// the next evaluation like today's. Governance runs this after every sync
// and HR import and on the tick. Each event is planned in one transaction
// with its plan, its steps, the event marked processed and the audit event.
//
//   employee.hired       → joiner (a rehire after a termination is a joiner again)
//   employee.updated     → mover, when the birthright roles change or access held through requests needs a new look
//   employee.terminated  → leaver
//
// An event whose person matches no account yet stays pending (the account may
// come with the next sync; `hr status` lists it as due). Joiners and movers
// need the birthright policies: without them (no evaluator given) their
// events wait too.
import type { PlanKind } from '../../../shared/contract-plans.js';
import { appendAudit } from '../audit/audit-log.js';
import { roleGroups, roleLabels, mappedGroupIds } from '../catalog/catalog-store.js';
import type { EngineContext } from '../context.js';
import type { AccountKeys } from '../directory/account-keys.js';
import { liveGroupsOfAccount } from '../directory/snapshot-lookups.js';
import { dueEventsForPlans, eventsOfKey, recordByKey, setEventPlanState, type DueEvent } from '../hr/hr-store.js';
import { eventOrder } from '../hr/hr-values.js';
import { matchRecords, todayOf } from '../hr/status.js';
import { getGrant, liveGrantsOfAccount, LIVE_GRANT_STATUSES } from '../jobs/grant-store.js';
import { joinerSteps, leaverSteps, moverSteps, type BirthrightRole, type HeldBirthright, type HeldGrant, type PlanAccount, type RoleTarget } from './build.js';
import { birthrightStepsOfPerson, insertPlan, openPlansOfPerson, planRecord, setPlan, setStep, stepsOf, type NewStep } from './plan-store.js';
import { auditPlan, PLANS_ACTOR } from './steps.js';

/** policies/birthright.ts's evaluator: each person's birthright roles, keyed by the Directory's person id. */
export type BirthrightSource = (ctx: EngineContext, personIds?: readonly string[]) => Map<string, BirthrightRole[]>;

export type EvaluateOptions = {
  /** The birthright evaluator; null: joiner and mover events wait for it. */
  birthright: BirthrightSource | null;
  /** Connections whose leavers' accounts are suspended too (per connection setting). */
  suspendOn?: ReadonlySet<number>;
};

const KIND: Record<DueEvent['type'], PlanKind> = { 'employee.hired': 'joiner', 'employee.updated': 'mover', 'employee.terminated': 'leaver' };

const planAccount = (a: AccountKeys): PlanAccount => ({ connectionId: a.connectionId, connectionName: a.connectionName, identityId: a.identityId });

function heldGrants(ctx: EngineContext, accounts: readonly AccountKeys[]): (HeldGrant & { requestId: number | null })[] {
  const grants = accounts.flatMap((a) => liveGrantsOfAccount(ctx.db, a.connectionId, a.identityId));
  const labels = roleLabels(ctx.db, grants.flatMap((g) => (g.role_id === null ? [] : [g.role_id])));
  return grants.map((g) => ({
    grantId: g.id,
    roleId: g.role_id,
    connectionId: g.connection_id,
    groupId: g.group_id,
    groupName: g.group_name,
    identityId: g.identity_id,
    roleLabel: g.role_id === null ? null : (labels.get(g.role_id) ?? null),
    requestId: g.request_id,
  }));
}

function roleTargets(ctx: EngineContext, roles: readonly BirthrightRole[]): { role: RoleTarget; birthright: BirthrightRole }[] {
  const labels = roleLabels(ctx.db, roles.map((r) => r.roleId));
  return roles.filter((r) => r.enforced).map((b) => ({ role: { roleId: b.roleId, label: labels.get(b.roleId) ?? `role #${b.roleId}`, groups: roleGroups(ctx.db, b.roleId) }, birthright: b }));
}

/** The manager before this event: the newest earlier event that named one, else the last CSV row's. */
function previousManager(ctx: EngineContext, e: DueEvent): string | null {
  const events = eventsOfKey(ctx.db, e.recordKey).sort(eventOrder);
  const idx = events.findIndex((x) => x.eventId === e.eventId);
  for (let i = idx - 1; i >= 0; i--) {
    const m = events[i]?.attributes.managerEmail;
    if (m) return m;
  }
  return recordByKey(ctx.db, e.recordKey)?.base?.managerEmail ?? null;
}

function leaverPlanSteps(ctx: EngineContext, accounts: readonly AccountKeys[], suspendOn: ReadonlySet<number>): NewStep[] {
  const grants = heldGrants(ctx, accounts);
  const covered = new Set(grants.map((g) => `${g.connectionId}\u0000${g.groupId}\u0000${g.identityId}`));
  const mapped = new Map<number, Set<string>>();
  const memberships: { connectionId: number; groupId: string; groupName: string; identityId: string }[] = [];
  for (const a of accounts) {
    let ids = mapped.get(a.connectionId);
    if (!ids) mapped.set(a.connectionId, (ids = new Set(mappedGroupIds(ctx.db, a.connectionId))));
    for (const g of liveGroupsOfAccount(ctx.db, a.connectionId, a.identityId)) {
      if (!ids.has(g.groupId) || covered.has(`${a.connectionId}\u0000${g.groupId}\u0000${a.identityId}`)) continue;
      memberships.push({ connectionId: a.connectionId, groupId: g.groupId, groupName: g.name, identityId: a.identityId });
    }
  }
  const suspend = accounts.filter((a) => suspendOn.has(a.connectionId) && a.status !== 'SUSPENDED' && a.status !== 'DEPROVISIONED').map(planAccount);
  return leaverSteps({ accounts: accounts.map(planAccount), grants, memberships, suspend });
}

function moverPlanSteps(ctx: EngineContext, e: DueEvent, personId: string, accounts: readonly AccountKeys[], roles: readonly BirthrightRole[], newManager: string | null, now: Date): NewStep[] | null {
  const held: HeldBirthright[] = [];
  const labels = roleLabels(ctx.db, birthrightStepsOfPerson(ctx.db, personId).flatMap((s) => (s.role_id === null ? [] : [s.role_id])));
  const seen = new Set<number>();
  for (const s of birthrightStepsOfPerson(ctx.db, personId)) {
    const g = s.grant_id !== null ? getGrant(ctx.db, s.grant_id) : null;
    if (!g || !LIVE_GRANT_STATUSES.includes(g.status) || seen.has(g.id)) continue;
    seen.add(g.id);
    held.push({ grantId: g.id, roleId: s.role_id, connectionId: g.connection_id, groupId: g.group_id, groupName: g.group_name, identityId: g.identity_id, roleLabel: s.role_id === null ? null : (labels.get(s.role_id) ?? null), policyId: s.policy_id, policyVersion: s.policy_version, graceDays: s.grace_days });
  }
  const requested = heldGrants(ctx, accounts).filter((g) => g.requestId !== null);
  const steps = moverSteps({ accounts: accounts.map(planAccount), roles: roleTargets(ctx, roles), held, requested, oldManager: previousManager(ctx, e), newManager, now });
  // Only the account check and the notice: the move changes nothing Latchkey manages.
  return steps.length <= 2 ? null : steps;
}

/** Cancels a person's open plans (waiting, running): their steps not started are cancelled; steps in flight finish and are followed no more. */
function supersedeOpenPlans(ctx: EngineContext, personId: string, why: string, now: Date): void {
  const at = now.toISOString();
  for (const p of openPlansOfPerson(ctx.db, personId)) {
    for (const s of stepsOf(ctx.db, p.id)) if (s.status === 'waiting') setStep(ctx.db, s.id, { status: 'cancelled', finished_at: at, note: `cancelled: ${why}` });
    setPlan(ctx.db, p.id, { status: 'cancelled', reason: why, finished_at: at }, now);
    auditPlan(ctx, p, 'plan.cancelled', { reason: why, previousStatus: p.status }, now);
  }
}

/** Plans every due HR event it can (see the header); returns the new plans' ids. */
export function evaluatePlans(ctx: EngineContext, opts: EvaluateOptions): number[] {
  if (ctx.readOnly) return [];
  const due = dueEventsForPlans(ctx.db, todayOf(ctx));
  if (due.length === 0) return [];
  // Only the due events' HR records are matched (an event whose person has no account yet stays due and is looked at again on every tick).
  const { matches, accounts } = matchRecords(ctx.db, due.map((e) => e.recordKey));
  const personOf = new Map(matches.flatMap((m) => (m.personId ? [[m.record.key, m] as const] : [])));
  const accountsOf = new Map<string, AccountKeys[]>();
  for (const a of accounts) {
    const list = accountsOf.get(a.personId);
    if (list) list.push(a);
    else accountsOf.set(a.personId, [a]);
  }
  const people = [...new Set([...personOf.values()].map((m) => m.personId as string))];
  const birthright = opts.birthright ? opts.birthright(ctx, people) : null;
  const created: number[] = [];
  for (const e of due) {
    const match = personOf.get(e.recordKey);
    if (!match?.personId) continue;
    const kind = KIND[e.type];
    if (kind !== 'leaver' && !birthright) continue;
    const personId = match.personId;
    const mine = accountsOf.get(personId) ?? [];
    const live = mine.filter((a) => a.status !== 'DEPROVISIONED');
    const roles = birthright?.get(personId) ?? [];
    const manager = e.managerEmail ?? match.record.values.managerEmail;
    const now = ctx.clock.now();
    const at = now.toISOString();
    const first = mine[0];
    const id = ctx.db
      .transaction(() => {
        // A leaver ends the person's other open plans first: what they were about to add is then live on the ledger, and removed with the rest.
        if (kind === 'leaver') supersedeOpenPlans(ctx, personId, `superseded by the leaver event ${e.eventId} (effective ${e.effectiveDate})`, now);
        const steps =
          kind === 'leaver' ? leaverPlanSteps(ctx, mine, opts.suspendOn ?? new Set()) : kind === 'joiner' ? joinerSteps(live.map(planAccount), roleTargets(ctx, roles), manager) : moverPlanSteps(ctx, e, personId, live, roles, manager, now);
        if (steps === null) {
          if (setEventPlanState(ctx.db, e.id, 'skipped', at)) {
            appendAudit(ctx.db, { actor: PLANS_ACTOR, channel: 'system', action: 'plan.not_needed', targetType: 'hr-event', targetId: e.eventId, details: { type: e.type, effectiveDate: e.effectiveDate, why: 'the move changes no access Latchkey manages' } }, now);
          }
          return null;
        }
        const versions = [...new Map(roles.filter((r) => r.enforced).map((r) => [`${r.policyId}@${r.policyVersion}`, { policyId: r.policyId, version: r.policyVersion }])).values()];
        const planId = insertPlan(
          ctx.db,
          {
            kind,
            trigger_key: `hr:${e.eventId}`,
            person_id: personId,
            person_name: match.record.values.name ?? first?.name ?? personId,
            person_email: match.record.values.email ?? first?.email ?? null,
            hr_event_id: e.id,
            effective_date: e.effectiveDate,
            effective_at: `${e.effectiveDate}T00:00:00.000Z`,
            status: 'waiting',
            policyVersions: kind === 'leaver' ? [] : versions,
          },
          steps,
          now,
        );
        setEventPlanState(ctx.db, e.id, 'processed', at);
        if (planId === null) return null;
        const plan = planRecord(ctx.db, planId);
        if (plan) auditPlan(ctx, plan, 'plan.created', { hrEvent: e.eventId, effectiveDate: e.effectiveDate, steps: steps.length, policyVersions: plan.policy_versions, backdated: e.effectiveDate < at.slice(0, 10) }, now);
        return planId;
      })
      .immediate();
    if (id !== null) created.push(id);
  }
  if (created.length > 0) ctx.events.emit('governance:changed', { area: 'plans', ids: created });
  return created;
}
