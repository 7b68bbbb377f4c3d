// A plan's graph, without the database: which steps may start now, what a
// rollback undoes, and what the plan comes to. Steps run in tiers (1
// account checks → 2 base access → 3 department → 4 role → 5 manual steps →
// 6 notices): a step starts when every step of a lower tier has settled and
// every step it names in depends_on is done. A step waiting for a date
// (a mover's removal after the grace period) holds up nothing: the tiers
// after it go on, and it starts on its date.
import { PLAN_TIERS, type PlanKind, type PlanStepKind, type PlanStepStatus } from '../../../shared/contract-plans.js';

export type GraphStep = {
  id: number;
  key: string;
  tier: number;
  kind: PlanStepKind;
  status: PlanStepStatus;
  dependsOn: readonly string[];
  critical: boolean;
  notBefore: string | null;
  /** For an 'add': a grant the plan created (not access that was already there). */
  grantId: number | null;
  undoJobId: number | null;
};

const LEAVER_TIERS = ['account checks', 'access removal', 'account suspension', 'role', 'manual steps', 'notices'] as const;

/** A tier's name ("base access"); a leaver's tiers 2 and 3 remove access and suspend accounts. */
export const tierName = (tier: number, kind?: PlanKind): string => (kind === 'leaver' ? LEAVER_TIERS[tier - 1] : PLAN_TIERS[tier - 1]) ?? `tier ${tier}`;

/** Statuses after which a step holds up nothing (manual: a person has it; the plan goes on). */
const SETTLED: ReadonlySet<PlanStepStatus> = new Set(['done', 'skipped', 'failed', 'manual', 'cancelled', 'rolled-back']);
export const isSettled = (s: PlanStepStatus): boolean => SETTLED.has(s);
const SUCCEEDED: ReadonlySet<PlanStepStatus> = new Set(['done', 'skipped']);

const deferred = (s: GraphStep, now: string): boolean => s.status === 'waiting' && s.notBefore !== null && s.notBefore > now;

/**
 * What to do with the waiting steps now: `start` may run (in id order),
 * `blocked` can never run because a step they depend on did not succeed
 * (they are cancelled, naming it). Unknown dependency keys block too: a
 * graph that names a step it lacks is a bug, never a silent pass.
 */
export function nextSteps(steps: readonly GraphStep[], nowIso: string): { start: GraphStep[]; blocked: { step: GraphStep; because: string }[] } {
  const byKey = new Map(steps.map((s) => [s.key, s]));
  const start: GraphStep[] = [];
  const blocked: { step: GraphStep; because: string }[] = [];
  for (const s of steps) {
    if (s.status !== 'waiting' || deferred(s, nowIso)) continue;
    const lowerOpen = steps.some((o) => o.tier < s.tier && !isSettled(o.status) && !deferred(o, nowIso));
    if (lowerOpen) continue;
    let ready = true;
    let because: string | null = null;
    for (const k of s.dependsOn) {
      const d = byKey.get(k);
      if (!d) {
        because = `it depends on "${k}", which is not in the plan`;
        break;
      }
      if (SUCCEEDED.has(d.status)) continue;
      if (isSettled(d.status)) {
        because = `it depends on "${k}", which is ${d.status}`;
        break;
      }
      ready = false;
    }
    if (because !== null) blocked.push({ step: s, because });
    else if (ready) start.push(s);
  }
  return { start, blocked };
}

/** The tier the plan is in: the lowest with a step not settled (deferred ones aside), or null when all are. */
export function currentTier(steps: readonly GraphStep[], nowIso: string): number | null {
  const open = steps.filter((s) => !isSettled(s.status) && !deferred(s, nowIso)).map((s) => s.tier);
  return open.length === 0 ? null : Math.min(...open);
}

/** A critical step that failed (after its retries), or null: the plan must roll back. */
export function criticalFailure(steps: readonly GraphStep[]): GraphStep | null {
  return steps.find((s) => s.critical && s.status === 'failed') ?? null;
}

/**
 * What a rollback does: `undo` the access the plan itself added (done
 * 'add' steps with the grant they created, not yet undone), `cancel` the
 * steps that have not started, and `wait` for steps in flight (an add in
 * flight may still land: it is undone once it has). Removals are never
 * undone: giving access back is not a rollback.
 */
export function rollbackSelection(steps: readonly GraphStep[]): { undo: GraphStep[]; cancel: GraphStep[]; wait: GraphStep[] } {
  return {
    undo: steps.filter((s) => s.kind === 'add' && s.status === 'done' && s.grantId !== null && s.undoJobId === null),
    cancel: steps.filter((s) => s.status === 'waiting'),
    wait: steps.filter((s) => s.status === 'running'),
  };
}

/**
 * What a plan whose steps have all settled comes to: 'done', 'partial'
 * (a non-critical step failed or was cancelled), or null while a step is
 * waiting, running or with a person (an open manual task).
 */
export function planOutcome(steps: readonly GraphStep[]): 'done' | 'partial' | null {
  if (steps.some((s) => s.status === 'waiting' || s.status === 'running' || s.status === 'manual')) return null;
  return steps.some((s) => s.status === 'failed' || s.status === 'cancelled') ? 'partial' : 'done';
}
