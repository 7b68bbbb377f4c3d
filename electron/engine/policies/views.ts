// Reading birthright policies as the console, the CLI and a policy file show
// them: the list (mode, version in effect, waiting approval), one policy at
// a version with every version and its exceptions, the whole set as YAML;
// and the YAML entry points (check, what-if, save, import), which parse and
// validate every policy in the text before anything is written.
import type {
  PolicyCheck,
  PolicyDefinition,
  PolicyDetail,
  PolicyException,
  PolicyImportResult,
  PolicyRow,
  PolicySaveResult,
  PolicyWhatIfResult,
} from '../../../shared/contract-policies.js';
import { findRole } from '../catalog/role-info.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { loadPopulation } from './attributes.js';
import { savePolicy, type By } from './policies.js';
import {
  activeExceptionCounts,
  currentPolicies,
  exceptionRecord,
  exceptionsOf,
  listPolicyRecords,
  policiesAwaitingApproval,
  policyRecord,
  policyRecordByName,
  versionRecord,
  versionsOf,
  waitingApproval,
  type ExceptionRecord,
  type PolicyRecord,
} from './policy-store.js';
import { parsePolicyYaml, policiesToYaml, policyToYaml, type ParseResult } from './policy-yaml.js';
import { roleFacts, whatIf } from './whatif.js';

function labelOf(db: Db, ids: Iterable<number>): (id: number) => string {
  const roles = roleFacts(db, ids);
  return (id) => roles.get(id)?.label ?? `#${id} (no longer in the catalog)`;
}

function row(db: Db, p: PolicyRecord, d: PolicyDefinition, waiting: boolean, exceptions: number): PolicyRow {
  const roles = roleFacts(db, d.grants.map((g) => g.roleId));
  return {
    id: p.id,
    name: p.name,
    description: d.description,
    mode: p.mode,
    version: p.currentVersion,
    state: waiting ? 'awaiting-approval' : 'active',
    roles: d.grants.map((g) => ({ roleId: g.roleId, label: roles.get(g.roleId)?.label ?? `#${g.roleId}`, risk: roles.get(g.roleId)?.risk ?? 'low', days: g.days })),
    graceDays: d.graceDays,
    activeExceptions: exceptions,
    updatedAt: p.updatedAt,
  };
}

export function listPolicies(ctx: Pick<EngineContext, 'db' | 'clock'>): PolicyRow[] {
  const { db } = ctx;
  const waiting = policiesAwaitingApproval(db);
  const counts = activeExceptionCounts(db, ctx.clock.now());
  const byId = new Map(currentPolicies(db).map((c) => [c.policy.id, c.definition]));
  return listPolicyRecords(db).flatMap((p) => {
    const d = byId.get(p.id);
    return d ? [row(db, p, d, waiting.has(p.id), counts.get(p.id) ?? 0)] : [];
  });
}

const exceptionView = (e: ExceptionRecord, now: Date): PolicyException => ({
  id: e.id,
  policyId: e.policyId,
  personId: e.personId,
  person: e.person,
  owner: e.owner,
  reason: e.reason,
  endsAt: e.endsAt,
  createdAt: e.createdAt,
  createdBy: e.createdBy,
  active: e.endedAt === null && Date.parse(e.endsAt) > now.getTime(),
});

/** A policy at `version` (default: the one in effect), with every version, the waiting approval and its exceptions. */
export function getPolicy(ctx: Pick<EngineContext, 'db' | 'clock'>, id: number, version?: number): PolicyDetail {
  const { db } = ctx;
  const now = ctx.clock.now();
  const p = policyRecord(db, id);
  if (!p) throw new UserError(`no policy #${id}`, 'not-found');
  const current = versionRecord(db, id, p.currentVersion);
  const shown = version === undefined ? current : versionRecord(db, id, version);
  if (!current || !shown) throw new UserError(`policy "${p.name}" has no version ${version ?? p.currentVersion}`, 'not-found');
  const currentDef = { ...current.definition, mode: p.mode };
  const shownDef = shown.version === p.currentVersion ? currentDef : shown.definition;
  const waiting = waitingApproval(db, id);
  const exceptions = exceptionsOf(db, id).map((e) => exceptionView(e, now));
  return {
    ...row(db, p, currentDef, waiting !== null, exceptions.filter((e) => e.active).length),
    shown: { version: shown.version, state: shown.state, createdAt: shown.createdAt, createdBy: shown.createdBy, channel: shown.channel, definition: shownDef, yaml: policyToYaml(shownDef, labelOf(db, shownDef.grants.map((g) => g.roleId))) },
    versions: versionsOf(db, id).map((v) => ({ version: v.version, state: v.state, createdAt: v.createdAt, createdBy: v.createdBy, channel: v.channel })),
    approval: waiting ? (({ policyId: _p, ...a }) => a)(waiting) : null,
    exceptions,
  };
}

/** Every policy (its version in effect and mode) as one policy file. */
export function exportPolicies(ctx: Pick<EngineContext, 'db' | 'clock'>): string {
  const { db } = ctx;
  const defs = currentPolicies(db)
    .map((c) => c.definition)
    .sort((a, b) => a.name.localeCompare(b.name, 'en', { sensitivity: 'base' }));
  const header = ` Latchkey birthright policies, exported ${ctx.clock.now().toISOString()}.\n Import with \`latchkey policy import FILE.yaml\` (matched to stored policies by name).`;
  return policiesToYaml(defs, labelOf(db, defs.flatMap((d) => d.grants.map((g) => g.roleId))), header);
}

/** Parses policy YAML against the catalog (roles as "App / Role", or #id). */
export function readPolicies(db: Db, yaml: string): ParseResult {
  return parsePolicyYaml(yaml, (label) => {
    try {
      return { id: findRole(db, label).id };
    } catch (e) {
      if (e instanceof UserError) return { error: `role "${label}" is not in the catalog${label.includes('/') ? '' : ' (name it "App / Role")'}` };
      throw e;
    }
  });
}

export function checkPolicies(ctx: Pick<EngineContext, 'db'>, yaml: string): PolicyCheck {
  const r = readPolicies(ctx.db, yaml);
  return r.ok ? { ok: true, definitions: r.policies.map((p) => p.definition) } : r;
}

/**
 * The what-if of each policy in the text, against its version in effect:
 * `id` for the editor's policy (it may be renamed), else the stored policy
 * of the same name (none: a new policy). One population for all of them.
 */
export function whatIfYaml(ctx: Pick<EngineContext, 'db' | 'clock'>, yaml: string, o: { id?: number; limit: number }): PolicyWhatIfResult {
  const { db } = ctx;
  const r = readPolicies(db, yaml);
  if (!r.ok) return r;
  if (o.id !== undefined && !policyRecord(db, o.id)) throw new UserError(`no policy #${o.id}`, 'not-found');
  if (o.id !== undefined && r.policies.length !== 1) throw new UserError('the editor holds one policy', 'bad-input');
  return db.transaction((): PolicyWhatIfResult => {
    const population = loadPopulation(db, ctx.clock.now().toISOString().slice(0, 10));
    return {
      ok: true,
      whatifs: r.policies.map((p) => whatIf(ctx, p.definition, { policyId: o.id ?? policyRecordByName(db, p.definition.name)?.id ?? null, limit: o.limit, population })),
    };
  })();
}

/** One policy as the list shows it. */
export function policyRow(ctx: Pick<EngineContext, 'db' | 'clock'>, policyId: number): PolicyRow {
  const r = listPolicies(ctx).find((p) => p.id === policyId);
  if (!r) throw new UserError(`no policy #${policyId}`, 'not-found');
  return r;
}

/** One exception as the policy's page shows it. */
export function exceptionById(ctx: Pick<EngineContext, 'db' | 'clock'>, id: number): PolicyException {
  const e = exceptionRecord(ctx.db, id);
  if (!e) throw new UserError(`no exception #${id}`, 'not-found');
  return exceptionView(e, ctx.clock.now());
}

/** Saves the editor's policy (one, from YAML): new, or a new version of `id`. */
export function savePolicyYaml(ctx: EngineContext, yaml: string, o: By & { id?: number }): PolicySaveResult {
  const r = readPolicies(ctx.db, yaml);
  if (!r.ok) return r;
  if (r.policies.length !== 1) throw new UserError(`the text holds ${r.policies.length} policies: save one at a time, or import the file`, 'bad-input');
  const s = savePolicy(ctx, (r.policies[0] as (typeof r.policies)[number]).definition, o);
  return { ok: true, policy: policyRow(ctx, s.policyId), outcome: s.outcome, approval: s.approval };
}

/** Imports a policy file: every policy checked first, then all saved in one transaction (matched by name), or none. */
export function importPolicies(ctx: EngineContext, yaml: string, o: By): PolicyImportResult {
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: importing policies is refused here', 'read-only');
  const r = readPolicies(ctx.db, yaml);
  if (!r.ok) return r;
  const { db } = ctx;
  return db
    .transaction((): PolicyImportResult => {
      const population = loadPopulation(db, ctx.clock.now().toISOString().slice(0, 10));
      const out = r.policies.map((p) => {
        const s = savePolicy(ctx, p.definition, { by: o.by, population });
        return { id: s.policyId, name: p.definition.name, outcome: s.outcome };
      });
      return { ok: true, policies: out };
    })
    .immediate();
}
