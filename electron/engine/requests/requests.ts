// The request lifecycle: file (validate, route or auto-approve), decide each
// step, cancel, extend (the sweep of requests left pending too long is
// sweep.ts). Every change is one transaction that also writes its
// audit event and queues its Jira write-back; the final approval creates the
// grants and provisioning jobs in that same transaction (jobs/grants.ts), so
// there is never an approval without its grants. Bad input is refused before
// anything is written, with an error naming what was wrong.
import type { CreateRequestInput, ExtendInput } from '../../../shared/contract-requests.js';
import {
  DURATION_MINUTES,
  durationInWords,
  minutesInWords,
  type ApprovalStepKind,
  type DecisionChannel,
  type DurationOption,
  type RequestRow,
  type RequestSource,
} from '../../../shared/governance.js';
import { appendAudit } from '../audit/audit-log.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { roleGroups } from '../catalog/catalog-store.js';
import { findRole, roleById, type RoleInfo } from '../catalog/role-info.js';
import { addressesOf, addressesOfPerson, normEmail, personAccounts, resolveBeneficiary, type AddressIndex, type Beneficiary } from '../directory/people-lookup.js';
import { grantsOfRequest, heldGrantOfRole, SUPERSEDED_PREFIX, supersedeGrant } from '../jobs/grant-store.js';
import { createGrantsForRequest, grantExpiry } from '../jobs/grants.js';
import { enqueueJiraUpdate, type JiraUpdate } from '../jobs/jira-outbox.js';
import { getRequestRow } from './queries.js';
import {
  approversOfEarlierSteps,
  decideStep,
  insertAutoApproval,
  insertRequest,
  insertSteps as insertStepRows,
  nextWaitingStep,
  openRequestOfRole,
  openStep,
  pendingStep,
  requestDbRow,
  requestForGrant,
  setCurrentStep,
  setRequestDecision,
  skipSteps,
  type RequestDbRow,
} from './request-store.js';
import { planRouting, type PlannedStep } from './routing.js';

export type CreateOptions = {
  source: RequestSource;
  /** Who asks (an e-mail): the signed-in operator, or who the CLI names. */
  requester?: string;
  jira?: { connectionId: number; issueKey: string; issueId: string };
  /** For source 'extend': the request whose access this renews. */
  extendsRequestId?: number;
  /** Address lookups for many rows at once (CSV import). */
  lookup?: AddressIndex;
  /** Bulk callers emit one change event themselves. */
  quiet?: boolean;
};

export type Decision = {
  decision: 'approve' | 'deny';
  comment: string;
  /** The approver whose decision this is. */
  by: string;
  channel: DecisionChannel;
  /** Recorded by someone else (an operator writing down a decision given by e-mail): who, why, and where the evidence is. */
  recorded?: { by: string; reason: string; evidence: string };
};

export const STEP_LABEL: Record<ApprovalStepKind | 'auto', string> = { manager: 'manager', 'app-owner': 'app owner', named: 'named approvers', auto: 'auto' };

/** The ledger's part of an approval: one grant per mapped group with its provisioning job, in the caller's transaction. */
function grantAccess(db: Db, requestId: number, opts: { now: Date; actor: string }): number[] {
  return createGrantsForRequest(db, requestForGrant(db, requestId), opts);
}

/** A date alone ("2026-05-01") means the end of that day, UTC. */
function parseEnd(text: string): Date {
  const t = text.trim();
  return /^\d{4}-\d{2}-\d{2}$/.test(t) ? new Date(`${t}T23:59:59.999Z`) : new Date(t);
}

type Validated = {
  role: RoleInfo;
  beneficiary: Beneficiary;
  duration: DurationOption;
  minutes: number | null;
  endsAt: string | null;
  justification: string;
  requester: string;
};

/** The requester, an address (it is compared with approvers). */
function requesterOf(explicit: string | undefined): string {
  const r = normEmail(explicit);
  if (!r) {
    throw new UserError('who is asking? Sign in first (or `latchkey request ... --as EMAIL`)', 'bad-input');
  }
  return r;
}

/** Every check that needs no lock: role, duration, dates, beneficiary, contractor end date. */
function validate(ctx: EngineContext, input: CreateRequestInput, opts: CreateOptions): Validated {
  const { db } = ctx;
  const now = ctx.clock.now();
  const justification = input.justification.trim();
  if (justification === '') throw new UserError('a justification is required: say why the access is needed', 'bad-input');
  const role = findRole(db, input.role);
  if (!role.requestable) throw new UserError(`${role.label} is not requestable (the catalog marks it so)`, 'bad-input');
  const mapped = [...new Set(roleGroups(db, role.id).map((g) => g.connectionId))];
  if (mapped.length === 0) throw new UserError(`${role.label} is mapped to no IdP group yet: there is nothing to grant`, 'bad-input');

  const duration = input.duration;
  if (!role.durations.includes(duration)) {
    throw new UserError(`duration "${duration}" is not allowed for ${role.label}: choose one of ${role.durations.join(', ') || '(none configured)'}`, 'bad-input');
  }
  let minutes: number | null;
  if (duration === 'custom') {
    if (input.minutes === undefined || input.minutes === null) throw new UserError('a custom duration needs its length in minutes', 'bad-input');
    minutes = input.minutes;
  } else {
    if (input.minutes !== undefined && input.minutes !== null) throw new UserError(`minutes are only given with the "custom" duration, not "${duration}"`, 'bad-input');
    minutes = duration === 'permanent' ? null : DURATION_MINUTES[duration];
  }
  const max = role.maxDurationMinutes;
  if (minutes !== null && max !== null && minutes > max) {
    throw new UserError(`duration ${durationInWords(duration, minutes)} is above ${role.label}'s maximum of ${minutesInWords(max)}`, 'bad-input');
  }
  let endsAt: string | null = null;
  if (input.endsAt) {
    const end = parseEnd(input.endsAt);
    if (Number.isNaN(end.getTime())) throw new UserError(`the end date "${input.endsAt}" is not a date: expected ISO 8601 like 2026-05-01 or 2026-05-01T17:00:00Z`, 'bad-input');
    if (end.getTime() <= now.getTime()) throw new UserError(`the end date ${input.endsAt} is not in the future`, 'bad-input');
    endsAt = end.toISOString();
  }

  const beneficiary = resolveBeneficiary(db, input.beneficiary, { preferConnections: mapped, lookup: opts.lookup });
  const type = beneficiary.employeeType?.trim().toLowerCase() ?? '';
  if (duration === 'permanent' && endsAt === null && type !== '' && role.policy.requireEndDateFor.includes(type)) {
    throw new UserError(
      `${beneficiary.name} is a ${beneficiary.employeeType ?? type}: ${role.label} needs an end date for permanent access (give an end date, or pick a time-bound duration)`,
      'bad-input',
    );
  }
  return { role, beneficiary, duration, minutes, endsAt, justification, requester: requesterOf(opts.requester) };
}

/** `(connectionId, identityId)` of every account of the person. */
const accountKeys = (db: Db, b: { connectionId: number; identityId: string }): [number, string][] => {
  const accounts = personAccounts(db, b.connectionId, b.identityId);
  return accounts.length > 0 ? accounts.map((a) => [a.connectionId, a.identityId]) : [[b.connectionId, b.identityId]];
};

/** Refuses a second open request, or a new one while access is held (an extension is the way to get more time). */
function refuseDuplicates(db: Db, v: Validated, source: RequestSource): void {
  const keys = accountKeys(db, v.beneficiary);
  const open = openRequestOfRole(db, v.role.id, keys);
  if (open !== null) {
    throw new UserError(`request #${open} for ${v.beneficiary.name} and ${v.role.label} is already open: decide or cancel it first`, 'conflict');
  }
  if (source === 'extend') return;
  const held = heldGrantOfRole(db, v.role.id, keys);
  if (held) {
    const until = held.expires_at ? ` until ${held.expires_at}` : ' (permanent)';
    throw new UserError(
      `${v.beneficiary.name} already has ${v.role.label}${until} (grant #${held.id}, ${held.status})${held.expires_at ? ': extend it instead' : ''}`,
      'conflict',
    );
  }
}

export function jira(db: Db, requestId: number, update: JiraUpdate, now: Date): void {
  enqueueJiraUpdate(db, requestId, update, now);
}

export function emit(ctx: EngineContext, ids: number[]): void {
  ctx.events.emit('governance:changed', { area: 'requests', ids });
}

export function stepText(s: { step: number; kind: ApprovalStepKind | 'auto' }): string {
  return `step ${s.step} (${STEP_LABEL[s.kind]})`;
}

/** Files a request: validates, refuses duplicates, routes it (or auto-approves it and creates its grants). */
export function createRequest(ctx: EngineContext, input: CreateRequestInput, opts: CreateOptions): RequestRow {
  const { db } = ctx;
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: requests cannot be filed here', 'read-only');
  const v = validate(ctx, input, opts);
  const id = db
    .transaction(() => {
      const now = ctx.clock.now();
      const at = now.toISOString();
      refuseDuplicates(db, v, opts.source);
      const b = v.beneficiary;
      const excluded = addressesOfPerson(db, b.connectionId, b.identityId, [b.email, b.login.includes('@') ? b.login : null]);
      const requesterAddresses = addressesOf(db, v.requester);
      for (const a of requesterAddresses) excluded.add(a);
      const plan = planRouting(db, v.role, b, excluded);
      const id = insertRequest(
        db,
        {
          role_id: v.role.id,
          beneficiary_connection_id: b.connectionId,
          beneficiary_identity_id: b.identityId,
          beneficiary_email: b.email,
          beneficiary_name: b.name,
          requester: v.requester,
          duration: v.duration,
          duration_minutes: v.minutes,
          ends_at: v.endsAt,
          justification: v.justification,
          source: opts.source,
          extends_request_id: opts.extendsRequestId ?? null,
          jira_connection_id: opts.jira?.connectionId ?? null,
          jira_issue_key: opts.jira?.issueKey ?? null,
          jira_issue_id: opts.jira?.issueId ?? null,
        },
        now,
      );
      const onBehalf = !excludedHas(addressesOfPerson(db, b.connectionId, b.identityId, [b.email]), requesterAddresses);
      const what = `${v.role.label} (${durationInWords(v.duration, v.minutes)}${v.endsAt ? `, ends by ${v.endsAt}` : ''})`;
      const summary =
        opts.source === 'extend'
          ? `${v.requester} asked to extend ${b.name}'s ${what}`
          : `${v.requester} requested ${what} ${onBehalf ? `on behalf of ${b.name}` : `for themselves (${b.name})`}`;
      appendAudit(
        db,
        {
          actor: ctx.actor, channel: ctx.channel,
          action: 'request.created',
          targetType: 'request',
          targetId: id,
          details: {
            by: v.requester, summary, roleId: v.role.id, role: v.role.label, beneficiary: { connectionId: b.connectionId, identityId: b.identityId, email: b.email },
            duration: v.duration, minutes: v.minutes, endsAt: v.endsAt, source: opts.source, onBehalf, extendsRequestId: opts.extendsRequestId ?? null,
            jiraIssueKey: opts.jira?.issueKey ?? null, comment: v.justification,
          },
        },
        now,
      );
      const created = `Access request #${id}: ${summary}.\nJustification: ${v.justification}`;
      if (plan.auto) {
        insertAutoApproval(db, id, `auto-approved by the policy of ${v.role.label} (${v.role.risk} risk)`, ctx.actor, now);
        setRequestDecision(db, id, 'approved', now);
        appendAudit(
          db,
          { actor: ctx.actor, channel: ctx.channel, action: 'request.auto-approved', targetType: 'request', targetId: id, details: { by: 'policy', channel: 'auto', summary: `Auto-approved by the policy of ${v.role.label} (${v.role.risk} risk)` } },
          now,
        );
        jira(db, id, { event: 'created', comment: created }, now);
        jira(db, id, { event: 'approved', comment: `Auto-approved by the role policy (${v.role.risk} risk) at ${at}. Provisioning started.`, transition: 'in-progress', discriminator: 'auto' }, now);
        grantAccess(db, id, { now, actor: ctx.actor });
        if (opts.extendsRequestId !== undefined) supersede(ctx, id, opts.extendsRequestId, now);
      } else {
        insertSteps(db, id, plan.steps, ctx, now);
        const first = plan.steps[0] as PlannedStep;
        jira(db, id, { event: 'created', comment: `${created}\nWaiting for step 1 (${STEP_LABEL[first.kind]}): ${first.approvers.join(', ')}.`, transition: 'waiting-for-approval' }, now);
      }
      return id;
    })
    .immediate();
  if (!opts.quiet) emit(ctx, [id]);
  return getRequestRow(db, id);
}

const excludedHas = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => [...b].some((x) => a.has(x));

function insertSteps(db: Db, requestId: number, steps: PlannedStep[], ctx: EngineContext, now: Date): void {
  insertStepRows(db, requestId, steps);
  const first = steps[0];
  if (first) stepOpened(db, requestId, 1, first, ctx, now);
}

export function stepOpened(db: Db, requestId: number, step: number, s: { kind: ApprovalStepKind; approvers: string[]; note?: string | null }, ctx: EngineContext, now: Date): void {
  appendAudit(
    db,
    {
      actor: ctx.actor, channel: ctx.channel,
      action: 'request.step-opened',
      targetType: 'request',
      targetId: requestId,
      details: {
        by: 'routing',
        step,
        kind: s.kind,
        approvers: s.approvers,
        note: s.note ?? null,
        summary: `Step ${step} (${STEP_LABEL[s.kind]}) waiting for ${s.approvers.join(', ')}`,
      },
    },
    now,
  );
}

function closedMessage(r: RequestDbRow): string {
  return `request #${r.id} is already ${r.status}${r.decided_at ? ` (${r.decided_at})` : ''}: nothing changed`;
}

/**
 * Approves or denies the current step as `by`. Refused, with nothing changed:
 * a closed request or a step decided meanwhile ('conflict'), the beneficiary
 * or the requester approving ('unauthorized': self-approval), someone who is
 * not an approver of the current step ('unauthorized'), a person approving a
 * second step of the same request ('conflict'), a denial without a reason.
 */
export function decideRequest(ctx: EngineContext, requestId: number, d: Decision & { quiet?: boolean; byAddresses?: ReadonlySet<string> }): RequestRow {
  const { db } = ctx;
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: requests cannot be decided here', 'read-only');
  const by = normEmail(d.by);
  if (!by) throw new UserError('who is deciding? Sign in first (or --as EMAIL in the CLI)', 'bad-input');
  const comment = d.comment.trim();
  if (d.decision === 'deny' && comment === '') throw new UserError('a comment is required to deny a request: say why', 'bad-input');
  const recorded = d.recorded ? { by: normEmail(d.recorded.by), reason: d.recorded.reason.trim(), evidence: d.recorded.evidence.trim() } : null;
  if (recorded) {
    if (!recorded.by) throw new UserError("who is recording this decision? Sign in first", 'unauthorized');
    if (recorded.reason === '' || recorded.evidence === '') {
      throw new UserError(`recording ${by}'s decision needs a reason and an evidence reference (e.g. "approved by e-mail", "message id …")`, 'bad-input');
    }
    if (addressesOf(db, recorded.by).has(by)) throw new UserError(`${by} is you: decide it yourself rather than record it`, 'bad-input');
  }
  db.transaction(() => {
    const now = ctx.clock.now();
    const at = now.toISOString();
    const r = requestDbRow(db, requestId);
    if (r.status !== 'pending') throw new UserError(closedMessage(r), 'conflict');
    const step = pendingStep(db, requestId);
    if (!step) throw new UserError(`request #${requestId} has no step waiting for a decision: nothing changed`, 'conflict');
    const mine = d.byAddresses ?? addressesOf(db, by);
    const beneficiary = addressesOfPerson(db, r.beneficiary_connection_id, r.beneficiary_identity_id, [r.beneficiary_email]);
    if (d.decision === 'approve' && excludedHas(beneficiary, mine)) {
      throw new UserError(`self-approval is blocked: ${by} is the beneficiary of request #${requestId}; someone else must approve it`, 'unauthorized');
    }
    if (d.decision === 'approve' && mine.has(r.requester.toLowerCase())) {
      throw new UserError(`self-approval is blocked: ${by} filed request #${requestId}; someone else must approve it`, 'unauthorized');
    }
    const approvers = JSON.parse(step.approvers) as string[];
    if (!approvers.some((a) => mine.has(a))) {
      throw new UserError(
        `${by} is not an approver of ${stepText(step)} of request #${requestId}: it waits for ${approvers.join(', ') || 'nobody'}`,
        'unauthorized',
      );
    }
    // Whoever records an approval must not be the person it gives access to (recording is not a way round self-approval).
    if (recorded?.by && d.decision === 'approve') {
      const recorder = addressesOf(db, recorded.by);
      if (excludedHas(beneficiary, recorder)) throw new UserError(`${recorded.by} is the beneficiary of request #${requestId}: someone else must record its approval`, 'unauthorized');
    }
    const twice = approversOfEarlierSteps(db, requestId, step.step).find((e) => mine.has(e.decidedBy.toLowerCase()));
    if (d.decision === 'approve' && twice) {
      throw new UserError(`${by} already approved step ${twice.step} of request #${requestId}: ${stepText(step)} needs another approver`, 'conflict');
    }
    const status = d.decision === 'approve' ? 'approved' : 'denied';
    const changed = decideStep(
      db,
      step.id,
      { status, by, channel: d.channel, comment: comment === '' ? null : comment, recordedBy: recorded?.by ?? ctx.actor, recordReason: recorded?.reason ?? null, evidenceRef: recorded?.evidence ?? null },
      now,
    );
    if (!changed) throw new UserError(`${stepText(step)} of request #${requestId} was decided meanwhile: nothing changed`, 'conflict');
    const said = comment === '' ? '' : ` Comment: ${comment}`;
    // A recorded decision names both people: the approver, and the operator who wrote it down (with why and the evidence).
    const recordedText = recorded ? `, recorded by ${recorded.by} (${recorded.reason}; evidence: ${recorded.evidence})` : '';
    const who = `${by} via ${d.channel} at ${at}${recordedText}`;
    const recordDetails = recorded ? { recordedBy: recorded.by, reason: recorded.reason, evidence: recorded.evidence } : {};

    if (d.decision === 'deny') {
      skipSteps(db, requestId, 'waiting');
      setRequestDecision(db, requestId, 'denied', now);
      appendAudit(
        db,
        { actor: ctx.actor, channel: ctx.channel, action: 'request.denied', targetType: 'request', targetId: requestId, details: { by, channel: d.channel, step: step.step, comment, ...recordDetails, summary: `Denied by ${by} via ${d.channel} (${stepText(step)})${recordedText}` } },
        now,
      );
      jira(db, requestId, { event: 'denied', comment: `Denied at ${stepText(step)} by ${who}.${said}`, transition: 'declined', discriminator: step.step }, now);
      return;
    }
    const next = nextWaitingStep(db, requestId);
    if (next) {
      openStep(db, next.id);
      setCurrentStep(db, requestId, next.step, now);
      appendAudit(
        db,
        { actor: ctx.actor, channel: ctx.channel, action: 'request.step-approved', targetType: 'request', targetId: requestId, details: { by, channel: d.channel, step: step.step, comment, ...recordDetails, summary: `Step ${step.step} (${STEP_LABEL[step.kind]}) approved by ${by} via ${d.channel}${recordedText}` } },
        now,
      );
      const nextApprovers = JSON.parse(next.approvers) as string[];
      stepOpened(db, requestId, next.step, { kind: next.kind as ApprovalStepKind, approvers: nextApprovers }, ctx, now);
      jira(
        db,
        requestId,
        { event: 'approved', comment: `${stepText(step)} approved by ${who}.${said}\nNow waiting for ${stepText(next)}: ${nextApprovers.join(', ')}.`, discriminator: step.step },
        now,
      );
      return;
    }
    setRequestDecision(db, requestId, 'approved', now);
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'request.approved', targetType: 'request', targetId: requestId, details: { by, channel: d.channel, step: step.step, comment, ...recordDetails, summary: `Approved by ${by} via ${d.channel} (${stepText(step)}, the last)${recordedText}` } },
      now,
    );
    jira(db, requestId, { event: 'approved', comment: `Approved (${stepText(step)}, the last) by ${who}.${said}\nProvisioning started.`, transition: 'in-progress', discriminator: step.step }, now);
    grantAccess(db, requestId, { now, actor: ctx.actor });
    if (r.extends_request_id !== null) supersede(ctx, requestId, r.extends_request_id, now);
  }).immediate();
  if (!d.quiet) emit(ctx, [requestId]);
  return getRequestRow(db, requestId);
}

/**
 * An approved extension replaces the access it extends: the old request's
 * active grants end as superseded (status 'cancelled', no revocation: the
 * new grants hold the same memberships), so the old expiry can no longer
 * remove what the extension granted.
 */
function supersede(ctx: EngineContext, requestId: number, oldRequestId: number, now: Date): void {
  const { db } = ctx;
  const newGrants = grantsOfRequest(db, requestId);
  const old = grantsOfRequest(db, oldRequestId).filter((g) => g.status === 'active');
  for (const g of old) {
    const covering = newGrants.find((n) => n.connection_id === g.connection_id && n.group_id === g.group_id && n.identity_id === g.identity_id);
    if (!covering) continue;
    const reason = `${SUPERSEDED_PREFIX}${requestId} (extended until ${covering.expires_at ?? 'permanent'})`;
    if (!supersedeGrant(db, g.id, reason, now)) continue;
    appendAudit(db, { actor: ctx.actor, channel: ctx.channel, action: 'grant.superseded', targetType: 'grant', targetId: g.id, details: { requestId: oldRequestId, by: requestId, reason } }, now);
  }
}

/** Withdraws a pending request (by whoever operates the console; recorded). */
export function cancelRequest(ctx: EngineContext, requestId: number, o: { by: string; reason: string; quiet?: boolean }): RequestRow {
  const { db } = ctx;
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: requests cannot be cancelled here', 'read-only');
  db.transaction(() => {
    const now = ctx.clock.now();
    const at = now.toISOString();
    const r = requestDbRow(db, requestId);
    if (r.status !== 'pending') throw new UserError(closedMessage(r), 'conflict');
    skipSteps(db, requestId, 'open');
    setRequestDecision(db, requestId, 'cancelled', now);
    const reason = o.reason.trim();
    appendAudit(
      db,
      { actor: ctx.actor, channel: ctx.channel, action: 'request.cancelled', targetType: 'request', targetId: requestId, details: { by: o.by, reason, summary: `Cancelled by ${o.by}` } },
      now,
    );
    jira(db, requestId, { event: 'cancelled', comment: `Cancelled by ${o.by} at ${at}.${reason ? ` Reason: ${reason}` : ''}`, transition: 'declined' }, now);
  }).immediate();
  if (!o.quiet) emit(ctx, [requestId]);
  return getRequestRow(db, requestId);
}

/**
 * More time on an approved request's access: a new request (source
 * 'extend') for the same role and person, routed like any other. Allowed
 * while the access is active and time-bound; the new period must end after
 * the current one (an "extension" that shortens access is refused).
 */
export function extendRequest(ctx: EngineContext, input: ExtendInput, opts: { requester?: string; quiet?: boolean } = {}): RequestRow {
  const { db } = ctx;
  const r = requestDbRow(db, input.requestId);
  if (r.status !== 'approved') throw new UserError(`request #${r.id} is ${r.status}: only approved access can be extended`, 'conflict');
  const grants = grantsOfRequest(db, r.id).filter((g) => g.status === 'active');
  if (grants.length === 0) throw new UserError(`request #${r.id}'s access is not active (yet, or any more): nothing to extend; file a new request`, 'conflict');
  const current = grants.map((g) => g.expires_at).filter((e): e is string => e !== null).sort()[0];
  if (current === undefined) throw new UserError(`request #${r.id}'s access is permanent: nothing to extend`, 'conflict');
  const role = roleById(db, r.role_id);
  if (!role) throw new UserError(`request #${r.id}'s role no longer exists in the catalog`, 'not-found');
  const now = ctx.clock.now();
  const minutes = input.duration === 'custom' ? (input.minutes ?? null) : input.duration === 'permanent' ? null : DURATION_MINUTES[input.duration];
  const newEnd = grantExpiry({ duration_minutes: minutes, ends_at: input.endsAt ? parseEnd(input.endsAt).toISOString() : null }, now);
  if (newEnd !== null && newEnd <= current) {
    throw new UserError(`an extension of ${durationInWords(input.duration, minutes)} would end at ${newEnd}, before the current access ends (${current}): pick a longer duration`, 'bad-input');
  }
  return createRequest(
    ctx,
    {
      beneficiary: { connectionId: r.beneficiary_connection_id, identityId: r.beneficiary_identity_id },
      role: r.role_id,
      duration: input.duration,
      minutes: input.minutes ?? null,
      endsAt: input.endsAt ?? null,
      justification: input.justification,
    },
    { source: 'extend', requester: opts.requester, extendsRequestId: r.id, quiet: opts.quiet },
  );
}
