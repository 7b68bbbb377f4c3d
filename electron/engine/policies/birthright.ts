// What each person gets from the birthright policies now: every policy's
// version in effect, evaluated over the people asked for (or everyone), each
// role with the policy version that justifies it, its duration and mover
// grace period, whether the policy is enforced (monitor policies are
// reported, never acted on) and why it applies to the person. People with an
// active exception to a policy get nothing from that policy. This is what the
// joiner / mover / leaver evaluation (plans) acts on.
//
// One read transaction: the policies, the exceptions and the population
// (one query per source) are read on consistent data, then every policy's
// compiled predicate runs over each person.
import type { EngineContext } from '../context.js';
import { roleLabels } from '../catalog/catalog-store.js';
import { loadPopulation } from './attributes.js';
import { compile, explainMatch, type Compiled } from './conditions.js';
import { activeExceptionPairs, currentPolicies } from './policy-store.js';

export type BirthrightRole = {
  roleId: number;
  policyId: number;
  policyVersion: number;
  /** Days the role is granted for; null: permanent. */
  durationDays: number | null;
  /** Days a mover keeps it after the policy stops giving it to them. */
  graceDays: number;
  /** The policy is enforced (false: monitor mode, report only). */
  enforced: boolean;
  /** The policy, its version, the tests that held with the person's values, and where those values came from. */
  because: string;
};

export type EvaluatedPolicy = {
  policyId: number;
  version: number;
  name: string;
  enforced: boolean;
  graceDays: number;
  grants: { roleId: number; days: number | null }[];
  cond: Compiled;
  excepted: Set<string>;
};

/** The policies in effect, compiled, with their active exceptions (grants of roles no longer in the catalog are left out). */
export function compiledPolicies(ctx: Pick<EngineContext, 'db'>, now: Date): EvaluatedPolicy[] {
  const { db } = ctx;
  const policies = currentPolicies(db);
  const roles = roleLabels(db, policies.flatMap((p) => p.definition.grants.map((g) => g.roleId)));
  const excepted = new Map<number, Set<string>>();
  for (const [policyId, personId] of activeExceptionPairs(db, now)) {
    let set = excepted.get(policyId);
    if (!set) excepted.set(policyId, (set = new Set()));
    set.add(personId);
  }
  return policies.map(({ policy, definition: d }) => ({
    policyId: policy.id,
    version: policy.currentVersion,
    name: d.name,
    enforced: policy.mode === 'enforce',
    graceDays: d.graceDays,
    grants: d.grants.filter((g) => roles.has(g.roleId)),
    cond: compile(d.when),
    excepted: excepted.get(policy.id) ?? new Set(),
  }));
}

/**
 * The birthright roles of each person (the Directory's person id, as
 * directory/account-keys.ts liveAccountKeys gives it): of everyone, or of
 * the people named. People no policy gives anything are absent.
 */
export function birthrightOf(ctx: EngineContext, personIds?: readonly string[]): Map<string, BirthrightRole[]> {
  const { db } = ctx;
  const now = ctx.clock.now();
  return db.transaction(() => {
    const out = new Map<string, BirthrightRole[]>();
    const policies = compiledPolicies(ctx, now).filter((p) => p.grants.length > 0);
    if (policies.length === 0 || personIds?.length === 0) return out;
    const people = loadPopulation(db, now.toISOString().slice(0, 10), personIds);
    for (const person of people) {
      let roles: BirthrightRole[] | undefined;
      for (const p of policies) {
        if (!p.cond.test(person) || p.excepted.has(person.id)) continue;
        const because = `${p.name} v${p.version}: ${explainMatch(p.cond, person)} — from the ${person.sourceLabel}`;
        roles ??= [];
        for (const g of p.grants) {
          roles.push({ roleId: g.roleId, policyId: p.policyId, policyVersion: p.version, durationDays: g.days, graceDays: p.graceDays, enforced: p.enforced, because });
        }
      }
      if (roles) out.set(person.id, roles);
    }
    return out;
  })();
}
