// Changing birthright policies: saving (a new policy, or a new version of
// one: versions are never overwritten), monitor / enforce, a second
// operator's approval, exceptions, the approval threshold. Each change is
// one transaction with its audit event naming who (the operator) and
// through which channel.
//
// Enforcing (a monitor policy switched to enforce, or an edit of an
// enforced policy) is judged on its what-if against what is enforced now:
// more people affected than the workspace allows (default 50), or a
// critical role touched, and the change waits for a second operator
// ('awaiting-approval', the what-if's counts stored); until then the
// version in effect stays as it was. The approver must be someone else than
// who asked (their addresses across IdPs compared, as self-approval of
// requests is refused). Monitor mode never needs approval.
import type { PolicyApproval, PolicyDefinition, PolicyMode } from '../../../shared/contract-policies.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { peopleByRef } from '../directory/person-attributes.js';
import { addressesOf, normEmail } from '../directory/people-lookup.js';
import { getSettings, putSettings } from '../settings/settings.js';
import type { Population } from './attributes.js';
import { describe } from './conditions.js';
import {
  decideApproval,
  definitionText,
  endExceptionRow,
  exceptionRecord,
  insertApproval,
  insertException,
  insertPolicy,
  insertVersion,
  latestVersion,
  policyRecord,
  policyRecordByName,
  setVersionState,
  updatePolicy,
  versionRecord,
  waitingApproval,
  type ExceptionRecord,
  type PolicyRecord,
} from './policy-store.js';
import { approvalNeed, roleFacts, whatIf } from './whatif.js';

export type SaveOutcome = 'created' | 'updated' | 'unchanged' | 'awaiting-approval';
export type SaveResult = { policyId: number; outcome: SaveOutcome; approval: PolicyApproval | null };

/** Who acts, for the approval check and the audit details: the operator's e-mail (or the transport's actor when nobody signed in). */
export type By = { by: string };

function writable(ctx: EngineContext, what: string): void {
  if (ctx.readOnly) throw new UserError(`this snapshot was opened read-only: ${what} is refused here`, 'read-only');
}

function audit(ctx: EngineContext, action: string, policyId: number, details: Record<string, unknown>, now: Date): void {
  appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel ?? 'system', action, targetType: 'policy', targetId: policyId, details: { channel: ctx.channel ?? 'system', ...details } }, now);
}

const sameContent = (a: PolicyDefinition, b: PolicyDefinition): boolean => a.name === b.name && definitionText({ ...a, mode: 'monitor' }) === definitionText({ ...b, mode: 'monitor' });

function grantsText(db: Db, d: PolicyDefinition): string {
  const roles = roleFacts(db, d.grants.map((g) => g.roleId));
  return d.grants.map((g) => `${roles.get(g.roleId)?.label ?? `#${g.roleId}`}${g.days === null ? '' : ` for ${g.days} days`}`).join(', ');
}

/** Withdraws the change waiting on a policy (a newer edit or a switch to monitor replaces it). */
function withdrawWaiting(ctx: EngineContext, policy: PolicyRecord, by: string, now: Date, why: string): void {
  const waiting = waitingApproval(ctx.db, policy.id);
  if (!waiting) return;
  decideApproval(ctx.db, waiting.id, 'withdrawn', by, ctx.channel ?? 'system', now.toISOString());
  if (waiting.kind === 'edit') setVersionState(ctx.db, policy.id, waiting.version, 'withdrawn');
  audit(ctx, 'policy.approval-withdrawn', policy.id, { by, approvalId: waiting.id, version: waiting.version, kind: waiting.kind, summary: `The ${waiting.kind} waiting for approval (version ${waiting.version}) was withdrawn: ${why}` }, now);
}

/** Asks for a monitor policy to be enforced: at once, or waiting for a second operator. */
function requestEnforce(ctx: EngineContext, policy: PolicyRecord, by: string, now: Date, population?: Population): SaveResult {
  const { db } = ctx;
  const current = versionRecord(db, policy.id, policy.currentVersion);
  if (!current) throw new UserError(`policy #${policy.id} has no version ${policy.currentVersion}`, 'failed');
  const proposed: PolicyDefinition = { ...current.definition, mode: 'enforce' };
  const w = whatIf(ctx, proposed, { policyId: policy.id, limit: 0, population });
  const need = approvalNeed(db, proposed, { policy }, w.counts, roleFacts(db, proposed.grants.map((g) => g.roleId)));
  if (need.reasons.length > 0) {
    const approvalId = insertApproval(db, { policyId: policy.id, version: policy.currentVersion, kind: 'enforce', by, channel: ctx.channel ?? 'system', at: now.toISOString(), reasons: need.reasons, counts: need.counts });
    audit(ctx, 'policy.approval-requested', policy.id, { by, approvalId, kind: 'enforce', version: policy.currentVersion, reasons: need.reasons, counts: need.counts, summary: `${by} asked to enforce "${policy.name}" v${policy.currentVersion}: waiting for a second operator (${need.reasons.join('; ')})` }, now);
    return { policyId: policy.id, outcome: 'awaiting-approval', approval: waitingApproval(db, policy.id) };
  }
  updatePolicy(db, policy.id, { name: policy.name, currentVersion: policy.currentVersion, mode: 'enforce' }, now.toISOString());
  audit(ctx, 'policy.mode-changed', policy.id, { by, from: policy.mode, to: 'enforce', version: policy.currentVersion, counts: need.counts, summary: `${by} enforced "${policy.name}" v${policy.currentVersion} (${need.counts.affectedPeople} people)` }, now);
  return { policyId: policy.id, outcome: 'updated', approval: null };
}

/**
 * Saves a policy: new (by name, or when `id` is not given and no policy has
 * the name), or a new version of `id` / the policy of that name. The mode in
 * the definition is what is asked for: monitor at once; enforce at once or
 * after a second operator's approval.
 */
export function savePolicy(ctx: EngineContext, def: PolicyDefinition, o: By & { id?: number; population?: Population }): SaveResult {
  writable(ctx, 'saving a policy');
  const { db } = ctx;
  const run = (): SaveResult => {
    const now = ctx.clock.now();
    const at = now.toISOString();
    const byName = policyRecordByName(db, def.name);
    const existing = o.id !== undefined ? policyRecord(db, o.id) : byName;
    if (o.id !== undefined && !existing) throw new UserError(`no policy #${o.id}`, 'not-found');
    if (existing && byName && byName.id !== existing.id) throw new UserError(`another policy is already named "${byName.name}" (#${byName.id}): names are unique`, 'conflict');
    const channel = ctx.channel ?? 'system';
    if (!existing) {
      const id = insertPolicy(db, def.name, 'monitor', at);
      insertVersion(db, id, 1, def, { state: 'current', at, by: o.by, channel });
      audit(ctx, 'policy.created', id, { by: o.by, version: 1, mode: 'monitor', when: describe(def.when), grants: grantsText(db, def), graceDays: def.graceDays, summary: `${o.by} created "${def.name}" v1 in monitor mode` }, now);
      const created = policyRecord(db, id) as PolicyRecord;
      if (def.mode === 'enforce') {
        const r = requestEnforce(ctx, created, o.by, now, o.population);
        return { ...r, outcome: r.outcome === 'awaiting-approval' ? r.outcome : 'created' };
      }
      return { policyId: id, outcome: 'created', approval: null };
    }
    const current = versionRecord(db, existing.id, existing.currentVersion);
    if (!current) throw new UserError(`policy #${existing.id} has no version ${existing.currentVersion}`, 'failed');
    if (sameContent(current.definition, def)) {
      // The version in effect, as it is: nothing changes (a change waiting for approval keeps waiting).
      if (def.mode === existing.mode) return { policyId: existing.id, outcome: 'unchanged', approval: waitingApproval(db, existing.id) };
      return setModeIn(ctx, existing, def.mode, o.by, now, o.population);
    }

    withdrawWaiting(ctx, existing, o.by, now, 'a newer edit replaces it');
    const version = latestVersion(db, existing.id) + 1;
    const summary = `${o.by} saved "${def.name}" v${version}`;
    const details = { by: o.by, version, previous: existing.currentVersion, when: describe(def.when), grants: grantsText(db, def), graceDays: def.graceDays };
    if (existing.mode === 'enforce' && def.mode === 'enforce') {
      const w = whatIf(ctx, def, { policyId: existing.id, limit: 0, population: o.population });
      const need = approvalNeed(db, def, { policy: existing }, w.counts, roleFacts(db, def.grants.map((g) => g.roleId)));
      if (need.reasons.length > 0) {
        insertVersion(db, existing.id, version, def, { state: 'awaiting-approval', at, by: o.by, channel });
        const approvalId = insertApproval(db, { policyId: existing.id, version, kind: 'edit', by: o.by, channel, at, reasons: need.reasons, counts: need.counts });
        audit(ctx, 'policy.approval-requested', existing.id, { ...details, approvalId, kind: 'edit', reasons: need.reasons, counts: need.counts, summary: `${summary}: waiting for a second operator (${need.reasons.join('; ')}); v${existing.currentVersion} stays in effect` }, now);
        return { policyId: existing.id, outcome: 'awaiting-approval', approval: waitingApproval(db, existing.id) };
      }
      insertVersion(db, existing.id, version, def, { state: 'current', at, by: o.by, channel });
      setVersionState(db, existing.id, existing.currentVersion, 'superseded');
      updatePolicy(db, existing.id, { name: def.name, currentVersion: version, mode: 'enforce' }, at);
      audit(ctx, 'policy.updated', existing.id, { ...details, mode: 'enforce', counts: need.counts, summary: `${summary} (enforced; ${need.counts.affectedPeople} people affected)` }, now);
      return { policyId: existing.id, outcome: 'updated', approval: null };
    }
    // Not enforced before, or going back to monitor: the new version is in effect at once, monitored.
    insertVersion(db, existing.id, version, def, { state: 'current', at, by: o.by, channel });
    setVersionState(db, existing.id, existing.currentVersion, 'superseded');
    updatePolicy(db, existing.id, { name: def.name, currentVersion: version, mode: 'monitor' }, at);
    audit(ctx, 'policy.updated', existing.id, { ...details, mode: 'monitor', summary: `${summary} in monitor mode` }, now);
    const saved = policyRecord(db, existing.id) as PolicyRecord;
    if (def.mode === 'enforce') return requestEnforce(ctx, saved, o.by, now, o.population);
    return { policyId: existing.id, outcome: 'updated', approval: null };
  };
  return db.inTransaction ? run() : db.transaction(run).immediate();
}

function setModeIn(ctx: EngineContext, policy: PolicyRecord, mode: PolicyMode, by: string, now: Date, population?: Population): SaveResult {
  const waiting = waitingApproval(ctx.db, policy.id);
  if (mode === 'monitor') {
    withdrawWaiting(ctx, policy, by, now, 'the policy was set to monitor');
    if (policy.mode === 'monitor') return { policyId: policy.id, outcome: 'unchanged', approval: null };
    updatePolicy(ctx.db, policy.id, { name: policy.name, currentVersion: policy.currentVersion, mode: 'monitor' }, now.toISOString());
    audit(ctx, 'policy.mode-changed', policy.id, { by, from: 'enforce', to: 'monitor', version: policy.currentVersion, summary: `${by} set "${policy.name}" to monitor mode: evaluated and reported, nothing enforced` }, now);
    return { policyId: policy.id, outcome: 'updated', approval: null };
  }
  if (policy.mode === 'enforce' || waiting) return { policyId: policy.id, outcome: waiting ? 'awaiting-approval' : 'unchanged', approval: waiting };
  return requestEnforce(ctx, policy, by, now, population);
}

/** `policy monitor|enforce ID`. */
export function setPolicyMode(ctx: EngineContext, id: number, mode: PolicyMode, o: By): SaveResult {
  writable(ctx, 'changing a policy');
  return ctx.db
    .transaction(() => {
      const policy = policyRecord(ctx.db, id);
      if (!policy) throw new UserError(`no policy #${id}`, 'not-found');
      return setModeIn(ctx, policy, mode, o.by, ctx.clock.now());
    })
    .immediate();
}

/** Whether two operators are the same person (any address they are known by, across IdPs). */
export function sameOperator(db: Db, a: string, b: string): boolean {
  const x = normEmail(a);
  const y = normEmail(b);
  if (x === null || y === null) return false;
  if (x === y) return true;
  if (!x.includes('@') || !y.includes('@')) return false;
  const mine = addressesOf(db, y);
  return [...addressesOf(db, x)].some((k) => mine.has(k));
}

/** A second operator approves the change waiting on policy `id`; the one who asked for it may not. */
export function approvePolicy(ctx: EngineContext, id: number, o: By): SaveResult {
  writable(ctx, 'approving a policy change');
  const { db } = ctx;
  return db
    .transaction((): SaveResult => {
      const now = ctx.clock.now();
      const at = now.toISOString();
      const policy = policyRecord(db, id);
      if (!policy) throw new UserError(`no policy #${id}`, 'not-found');
      const waiting = waitingApproval(db, id);
      if (!waiting) throw new UserError(`nothing on "${policy.name}" is waiting for approval`, 'conflict');
      if (sameOperator(db, waiting.requestedBy, o.by)) {
        throw new UserError(`a second operator must approve this: ${o.by} asked for it (${waiting.kind} of "${policy.name}" v${waiting.version}); someone else must approve it`, 'unauthorized');
      }
      decideApproval(db, waiting.id, 'approved', o.by, ctx.channel ?? 'system', at);
      if (waiting.kind === 'edit') {
        const v = versionRecord(db, id, waiting.version);
        if (!v) throw new UserError(`policy #${id} has no version ${waiting.version}`, 'failed');
        setVersionState(db, id, policy.currentVersion, 'superseded');
        setVersionState(db, id, waiting.version, 'current');
        updatePolicy(db, id, { name: v.definition.name, currentVersion: waiting.version, mode: 'enforce' }, at);
      } else {
        updatePolicy(db, id, { name: policy.name, currentVersion: policy.currentVersion, mode: 'enforce' }, at);
      }
      audit(
        ctx,
        'policy.approved',
        id,
        {
          by: o.by,
          approvalId: waiting.id,
          kind: waiting.kind,
          version: waiting.version,
          requestedBy: waiting.requestedBy,
          requestedChannel: waiting.requestedChannel,
          counts: waiting.counts,
          summary: `${o.by} approved the ${waiting.kind} of "${policy.name}" v${waiting.version} asked for by ${waiting.requestedBy}: enforced (${waiting.counts.affectedPeople} people)`,
        },
        now,
      );
      return { policyId: id, outcome: 'updated', approval: { ...waiting, state: 'approved', decidedBy: o.by, decidedChannel: ctx.channel ?? 'system', decidedAt: at } };
    })
    .immediate();
}

/** An ISO instant from a date (its start, UTC) or a date-time. */
function instantOf(text: string): string {
  const s = text.trim();
  const t = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(t)) throw new UserError(`"${s}" is not a date (YYYY-MM-DD or an ISO date-time)`, 'bad-input');
  return new Date(t).toISOString();
}

/** An exception: `person` does not get policy `policyId`'s roles until `endsAt` (exactly). */
export function addException(ctx: EngineContext, e: { policyId: number; person: string; owner: string; reason: string; endsAt: string }, o: By): ExceptionRecord {
  writable(ctx, 'adding an exception');
  const { db } = ctx;
  const owner = e.owner.trim();
  const reason = e.reason.trim();
  if (!owner) throw new UserError('an exception needs an owner (who answers for it)', 'bad-input');
  if (!reason) throw new UserError('an exception needs a reason', 'bad-input');
  return db
    .transaction(() => {
      const now = ctx.clock.now();
      const policy = policyRecord(db, e.policyId);
      if (!policy) throw new UserError(`no policy #${e.policyId}`, 'not-found');
      const endsAt = instantOf(e.endsAt);
      if (Date.parse(endsAt) <= now.getTime()) throw new UserError(`the exception's end (${endsAt}) has already passed`, 'bad-input');
      const people = peopleByRef(db, e.person);
      if (people.length === 0) throw new UserError(`nobody in the snapshot is "${e.person.trim()}" (an e-mail, login or person id)`, 'not-found');
      if (people.length > 1) throw new UserError(`"${e.person.trim()}" names ${people.length} people: use the person id (${people.map((p) => p.personId).join(', ')})`, 'bad-input');
      const person = people[0] as (typeof people)[number];
      const label = person.email ? `${person.name} <${person.email}>` : person.name;
      const id = insertException(db, { policyId: policy.id, personId: person.personId, person: label, owner, reason, endsAt, at: now.toISOString(), by: o.by, channel: ctx.channel ?? 'system' });
      audit(ctx, 'policy.exception-added', policy.id, { by: o.by, exceptionId: id, personId: person.personId, person: label, owner, reason, endsAt, summary: `${o.by} excepted ${label} from "${policy.name}" until ${endsAt} (owner ${owner}: ${reason})` }, now);
      return exceptionRecord(db, id) as ExceptionRecord;
    })
    .immediate();
}

/** Ends an exception now. */
export function endException(ctx: EngineContext, id: number, o: By): ExceptionRecord {
  writable(ctx, 'ending an exception');
  const { db } = ctx;
  return db
    .transaction(() => {
      const now = ctx.clock.now();
      const e = exceptionRecord(db, id);
      if (!e) throw new UserError(`no exception #${id}`, 'not-found');
      if (e.endedAt !== null || Date.parse(e.endsAt) <= now.getTime()) throw new UserError(`exception #${id} has already ended`, 'conflict');
      endExceptionRow(db, id, o.by, now.toISOString());
      audit(ctx, 'policy.exception-ended', e.policyId, { by: o.by, exceptionId: id, personId: e.personId, person: e.person, summary: `${o.by} ended the exception of ${e.person} early` }, now);
      return exceptionRecord(db, id) as ExceptionRecord;
    })
    .immediate();
}

/** How many people a change may affect before enforcing it needs a second operator. */
export function setApprovalPeople(ctx: EngineContext, people: number): { approvalPeople: number } {
  writable(ctx, 'changing settings');
  if (!Number.isInteger(people) || people < 0) throw new UserError('the approval threshold is a whole number of people (0 or more)', 'bad-input');
  ctx.db
    .transaction(() => {
      const before = getSettings(ctx.db).policyApprovalPeople;
      putSettings(ctx.db, { policyApprovalPeople: people });
      appendAudit(ctx.db, { actor: ctx.actor, channel: ctx.channel ?? 'system', action: 'settings.changed', targetType: 'settings', targetId: 'policies', details: { before: { policyApprovalPeople: before }, after: { policyApprovalPeople: people } } }, ctx.clock.now());
    })
    .immediate();
  return { approvalPeople: people };
}
