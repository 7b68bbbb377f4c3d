// Requests on a real workspace file: validation (every bad input refused with
// nothing changed), routing (auto, manager, app owner, named, multi-step, no
// manager, contractor end date, self-approval), decisions, the pending sweep
// on an injected clock, extension, bulk decisions, CSV import, queries and
// the timeline, settings and read-only refusal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requestListQuery } from '../../shared/contract-requests.js';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { UserError } from '../../electron/engine/context.js';
import { setGrant } from '../../electron/engine/jobs/grant-store.js';
import { markEnded, markProvisioned, type GrantRecord } from '../../electron/engine/jobs/ledger.js';
import { getRequest, listRequests } from '../../electron/engine/requests/queries.js';
import { cancelRequest, createRequest, decideRequest, extendRequest } from '../../electron/engine/requests/requests.js';
import { sweepPendingRequests } from '../../electron/engine/requests/sweep.js';
import { parseCsv } from '../../electron/engine/csv.js';
import { parseDuration } from '../../electron/engine/requests/duration-text.js';
import { importRequestsCsv } from '../../electron/engine/requests/requests-csv.js';
import { saveSession } from '../../electron/engine/operator/session.js';
import { updateSignInSettings } from '../../electron/engine/settings/settings.js';
import { WRITE_INPUTS } from '../fixtures/write-inputs.js';
import type { CreateRequestInput } from '../../shared/contract-requests.js';
import { REQUEST_STATES, type RequestRow } from '../../shared/governance.js';
import { REQUEST_IMPORT_COLUMNS, templateCsv } from '../../shared/import-columns.js';
import { addApp, addRole, buildWorld, snapshotTables, T0, type RequestsWorld } from './request-fixture.js';

let w: RequestsWorld;
let roles: { viewer: number; editor: number; admin: number; named: number; hidden: number; unmapped: number };

const ADA = { email: 'ada@acme.example' };
const why = 'Quarterly design review';

beforeEach(() => {
  w = buildWorld();
  const { db } = w.ctx;
  const figma = addApp(db, 'Figma', 'owen@acme.example');
  const aws = addApp(db, 'AWS', null);
  const g = (groupId: string, groupName: string) => [{ connectionId: w.okta, groupId, groupName }];
  roles = {
    viewer: addRole(db, { appId: figma, name: 'Viewer', risk: 'low', groups: g('g-figma-view', 'app-figma-viewers') }),
    editor: addRole(db, {
      appId: figma,
      name: 'Editor',
      risk: 'medium',
      durations: ['permanent', '24h', '7d', 'custom'],
      max: 10080,
      policy: { escalateTo: ['sam@acme.example'] },
      groups: g('g-figma-ed', 'app-figma-editors'),
    }),
    admin: addRole(db, {
      appId: aws,
      name: 'Admin',
      risk: 'high',
      owner: 'owen@acme.example',
      durations: ['1h', '24h', '7d'],
      max: 10080,
      policy: { escalateTo: ['sam@acme.example'] },
      groups: g('g-aws-admin', 'aws-admins'),
    }),
    named: addRole(db, {
      appId: aws,
      name: 'Billing',
      risk: 'medium',
      policy: { steps: [{ kind: 'named', approvers: ['Nina@acme.example'] }], onTimeout: 'escalate', pendingTimeoutHours: 24, escalateTo: ['sam@acme.example'] },
      groups: g('g-aws-admin', 'aws-admins'),
    }),
    hidden: addRole(db, { appId: aws, name: 'Root', risk: 'critical', requestable: false, groups: g('g-aws-admin', 'aws-admins') }),
    unmapped: addRole(db, { appId: aws, name: 'Auditor', risk: 'medium' }),
  };
});
afterEach(() => w.ws.cleanup());

const input = (o: Partial<CreateRequestInput> = {}): CreateRequestInput => ({
  beneficiary: ADA,
  role: 'Figma / Editor',
  duration: '24h',
  minutes: null,
  endsAt: null,
  justification: why,
  ...o,
});
/** Hal files requests unless told otherwise (who asks is always explicit: the console passes the signed-in operator). */
const create = (o: Partial<CreateRequestInput> = {}, requester: string | undefined = 'hal@acme.example') => createRequest(w.ctx, input(o), { source: 'console', requester });
const decide = (id: number, by: string, decision: 'approve' | 'deny' = 'approve', comment = '') =>
  decideRequest(w.ctx, id, { decision, comment, by, channel: 'console' });

/** Hal imports, as the signed-in operator would: rows naming no requester are his. */
const importCsv = (csv: string) => importRequestsCsv(w.ctx, csv, { requester: 'hal@acme.example' });

/** Signs `email` in as the console's operator: a keychain session, as operator sign-in leaves one. */
async function signedIn(email: string): Promise<void> {
  const now = w.ctx.clock.now();
  await saveSession(w.ctx, { connectionId: 1, connectionName: 'Okta', idp: 'okta', subject: `00u-${email}`, email, name: email, signedInAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString() });
}

/** Runs `fn`, expects a UserError with `code` whose message matches, and that no governance row changed. */
function refused(fn: () => unknown, code: string, message: RegExp): void {
  const before = snapshotTables(w.ctx.db);
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(UserError);
  expect((error as UserError).code).toBe(code);
  expect((error as UserError).message).toMatch(message);
  expect(snapshotTables(w.ctx.db)).toEqual(before);
}

const approvals = (id: number) =>
  w.ctx.db.prepare('SELECT step, kind, approvers, status, decided_by, channel FROM approvals WHERE request_id = ? ORDER BY step').all(id) as {
    step: number;
    kind: string;
    approvers: string;
    status: string;
    decided_by: string | null;
    channel: string | null;
  }[];

describe('creating requests: bad input is refused, nothing written', () => {
  it('unknown role (by label, by id, without the app)', () => {
    refused(() => create({ role: 'Figma / Nope' }), 'not-found', /unknown role "Figma \/ Nope"/);
    refused(() => create({ role: 9999 }), 'not-found', /no catalog role #9999/);
    refused(() => create({ role: 'Editor' }), 'not-found', /name it as "App \/ Role"/);
  });

  it('a role that is not requestable, or mapped to no group', () => {
    refused(() => create({ role: 'AWS / Root' }), 'bad-input', /AWS \/ Root is not requestable/);
    refused(() => create({ role: 'AWS / Auditor' }), 'bad-input', /mapped to no IdP group/);
  });

  it('a duration the role does not offer, or above its maximum', () => {
    refused(() => create({ duration: '30d' }), 'bad-input', /duration "30d" is not allowed for Figma \/ Editor: choose one of permanent, 24h, 7d, custom/);
    refused(() => create({ duration: 'custom', minutes: 20_000 }), 'bad-input', /above Figma \/ Editor's maximum of 7 d/);
    refused(() => create({ duration: 'custom' }), 'bad-input', /custom duration needs its length/);
    refused(() => create({ duration: '24h', minutes: 60 }), 'bad-input', /only given with the "custom" duration/);
    refused(() => create({ endsAt: '2020-01-01' }), 'bad-input', /not in the future/);
    refused(() => create({ endsAt: 'tomorrow' }), 'bad-input', /not a date/);
  });

  it('a beneficiary not in the snapshot, or deprovisioned', () => {
    refused(() => create({ beneficiary: { email: 'nobody@acme.example' } }), 'not-found', /beneficiary not in the snapshot: nobody with the e-mail or login "nobody@acme.example"/);
    refused(() => create({ beneficiary: { connectionId: w.okta, identityId: 'u-none' } }), 'not-found', /no user "u-none"/);
    refused(() => create({ beneficiary: { email: 'dora@acme.example' } }), 'bad-input', /Dora Gone .* is deprovisioned/);
  });

  it('a contractor or partner asking for permanent access without an end date', () => {
    refused(() => create({ beneficiary: { email: 'carl@acme.example' }, duration: 'permanent' }), 'bad-input', /Carl Contractor is a CONTRACTOR: Figma \/ Editor needs an end date/);
    const ok = create({ beneficiary: { email: 'carl@acme.example' }, duration: 'permanent', endsAt: '2026-06-30' });
    expect(ok).toMatchObject({ status: 'pending', duration: 'permanent', endsAt: '2026-06-30T23:59:59.999Z' });
    // Time-bound access needs no end date; low-risk roles ask none.
    expect(create({ beneficiary: { email: 'pat@partner.example' }, duration: '7d' }).status).toBe('pending');
  });

  it('an empty justification, a duplicate open request, access already held', () => {
    refused(() => create({ justification: '   ' }), 'bad-input', /a justification is required/);
    const first = create();
    refused(() => create({ duration: '7d' }), 'conflict', new RegExp(`request #${first.id} for Ada Lovelace and Figma / Editor is already open`));
    decide(first.id, 'grace@acme.example');
    refused(() => create(), 'conflict', /Ada Lovelace already has Figma \/ Editor until .* \(grant #\d+, pending\): extend it instead/);
  });

  it('no requester: someone must be signed in', () => {
    refused(() => create({}, ''), 'bad-input', /who is asking\? Sign in first/);
  });
});

describe('routing', () => {
  it('auto-approves low-risk roles: approved at once, recorded, grants and jobs created in the same step', () => {
    const r = create({ role: 'Figma / Viewer' });
    expect(r).toMatchObject({ status: 'approved', waitingOn: null, access: 'pending', requester: 'hal@acme.example' });
    expect(approvals(r.id)).toEqual([{ step: 1, kind: 'auto', approvers: '[]', status: 'approved', decided_by: 'policy', channel: 'auto' }]);
    const grants = w.ctx.db.prepare('SELECT group_id, identity_id, status, expires_at FROM grants WHERE request_id = ?').all(r.id);
    expect(grants).toEqual([{ group_id: 'g-figma-view', identity_id: 'u-ada', status: 'pending', expires_at: new Date(T0.getTime() + 86_400_000).toISOString() }]);
    expect(w.ctx.db.prepare("SELECT count(*) FROM jobs WHERE kind = 'provision' AND request_id = ?").pluck().get(r.id)).toBe(1);
    expect(w.events).toEqual([{ area: 'requests', ids: [r.id] }]);
    expect(verifyAuditChain(w.ctx.db).valid).toBe(true);
  });

  it("routes to the beneficiary's manager; the manager approves (also from their other IdP account)", () => {
    const r = create();
    expect(r.waitingOn).toEqual({ step: 1, kind: 'manager', approvers: ['grace@acme.example'] });
    const done = decide(r.id, 'Grace.Hopper@acme.onmicrosoft.example', 'approve', 'ok for the review');
    expect(done).toMatchObject({ status: 'approved', access: 'pending' });
    expect(approvals(r.id)[0]).toMatchObject({ status: 'approved', decided_by: 'grace.hopper@acme.onmicrosoft.example', channel: 'console' });
    expect(w.ctx.db.prepare('SELECT count(*) FROM grants WHERE request_id = ?').pluck().get(r.id)).toBe(1);
  });

  it('multi-step: manager, then app owner; step 2 waits until step 1 is approved', () => {
    const r = create({ role: 'AWS / Admin' });
    expect(approvals(r.id).map((a) => [a.kind, a.approvers, a.status])).toEqual([
      ['manager', '["grace@acme.example"]', 'pending'],
      ['app-owner', '["owen@acme.example"]', 'waiting'],
    ]);
    refused(() => decide(r.id, 'owen@acme.example'), 'unauthorized', /owen@acme.example is not an approver of step 1 \(manager\) of request #\d+: it waits for grace@acme.example/);
    expect(decide(r.id, 'grace@acme.example').waitingOn).toEqual({ step: 2, kind: 'app-owner', approvers: ['owen@acme.example'] });
    expect(w.ctx.db.prepare('SELECT count(*) FROM grants').pluck().get()).toBe(0);
    refused(() => decide(r.id, 'grace@acme.example'), 'unauthorized', /not an approver of step 2 \(app owner\)/);
    expect(decide(r.id, 'owen@acme.example', 'approve', 'fine')).toMatchObject({ status: 'approved' });
    expect(w.ctx.db.prepare('SELECT count(*) FROM grants').pluck().get()).toBe(1);
  });

  it('no manager: the step goes to the app owner, with the reason on the timeline; one decision covers both owner steps', () => {
    const r = create({ role: 'AWS / Admin', beneficiary: { email: 'pat@partner.example' } });
    expect(approvals(r.id).map((a) => [a.kind, a.approvers])).toEqual([['app-owner', '["owen@acme.example"]']]);
    const opened = getRequest(w.ctx.db, r.id).timeline.find((t) => t.kind === 'step-opened');
    expect(opened?.detail).toMatch(/Pat Partner has no manager on record: routed to the app owner \(owen@acme.example\); also stands for step 2/);
    expect(decide(r.id, 'owen@acme.example').status).toBe('approved');
  });

  it('named approvers', () => {
    const r = create({ role: 'AWS / Billing' });
    expect(r.waitingOn).toEqual({ step: 1, kind: 'named', approvers: ['nina@acme.example'] });
  });

  it('self-approval is blocked: the beneficiary (any of their accounts) and the requester cannot approve', () => {
    // Grace asks for herself: her manager Cleo decides, never Grace.
    const own = create({ beneficiary: { email: 'grace@acme.example' } }, 'grace@acme.example');
    expect(own.waitingOn?.approvers).toEqual(['cleo@acme.example']);
    refused(() => decide(own.id, 'grace@acme.example'), 'unauthorized', /self-approval is blocked: grace@acme.example is the beneficiary/);
    refused(() => decide(own.id, 'grace.hopper@acme.onmicrosoft.example'), 'unauthorized', /self-approval is blocked/);
    // Owen files for his report Ivy: he would be her approving manager, and he owns Figma: escalated to sam.
    const forIvy = create({ beneficiary: { email: 'ivy@acme.example' } }, 'owen@acme.example');
    expect(forIvy.waitingOn).toEqual({ step: 1, kind: 'named', approvers: ['sam@acme.example'] });
    const note = getRequest(w.ctx.db, forIvy.id).timeline.find((t) => t.kind === 'step-opened')?.detail;
    expect(note).toMatch(/owen@acme.example may not approve \(self-approval is blocked\): escalated to sam@acme.example/);
    // The beneficiary as the only approver of a step (Owen owns AWS / Admin): escalated.
    const forOwen = create({ role: 'AWS / Admin', beneficiary: { email: 'owen@acme.example' } });
    expect(approvals(forOwen.id).map((a) => a.approvers)).toEqual(['["cleo@acme.example"]', '["sam@acme.example"]']);
    refused(() => decide(forOwen.id, 'owen@acme.example'), 'unauthorized', /self-approval is blocked/);
  });

  it('approving twice, deciding a closed request, denying without a reason: conflict / bad input, nothing changed', () => {
    const r = create();
    decide(r.id, 'grace@acme.example');
    refused(() => decide(r.id, 'grace@acme.example'), 'conflict', new RegExp(`request #${r.id} is already approved .*: nothing changed`));
    const other = create({ beneficiary: { email: 'carl@acme.example' } });
    refused(() => decide(other.id, 'grace@acme.example', 'deny'), 'bad-input', /a comment is required to deny/);
    expect(decide(other.id, 'grace@acme.example', 'deny', 'not needed')).toMatchObject({ status: 'denied', waitingOn: null });
    refused(() => decide(other.id, 'grace@acme.example', 'approve'), 'conflict', /already denied/);
    refused(() => cancelRequest(w.ctx, other.id, { by: 'nina@acme.example', reason: '' }), 'conflict', /already denied/);
    refused(() => decide(424242, 'grace@acme.example'), 'not-found', /no request #424242/);
  });

  it('denying step 1 closes the request and skips the rest', () => {
    const r = create({ role: 'AWS / Admin' });
    decide(r.id, 'grace@acme.example', 'deny', 'no');
    expect(approvals(r.id).map((a) => a.status)).toEqual(['denied', 'skipped']);
  });

  it('cancel withdraws a pending request', () => {
    const r = create();
    expect(cancelRequest(w.ctx, r.id, { by: 'nina@acme.example', reason: 'filed twice' })).toMatchObject({ status: 'cancelled' });
    expect(approvals(r.id).map((a) => a.status)).toEqual(['skipped']);
    // A cancelled request no longer blocks a new one.
    expect(create().status).toBe('pending');
  });
});

describe('sweep of requests pending too long (injected clock)', () => {
  it('expires after the policy timeout (default 7 days), not before', () => {
    const r = create();
    w.clock.advanceHours(167);
    expect(sweepPendingRequests(w.ctx)).toEqual({ escalated: [], expired: [] });
    w.clock.advanceHours(2);
    expect(sweepPendingRequests(w.ctx)).toEqual({ escalated: [], expired: [r.id] });
    const d = getRequest(w.ctx.db, r.id);
    expect(d.status).toBe('expired');
    expect(d.timeline.find((t) => t.kind === 'expired')?.detail).toMatch(/no decision in 168 h/);
    refused(() => decide(r.id, 'grace@acme.example'), 'conflict', /already expired/);
  });

  it('escalates once (a new step in place of the stale one), then expires at the second timeout', () => {
    const r = create({ role: 'AWS / Billing' });
    w.clock.advanceHours(25);
    expect(sweepPendingRequests(w.ctx)).toEqual({ escalated: [r.id], expired: [] });
    expect(approvals(r.id).map((a) => [a.step, a.kind, a.approvers, a.status])).toEqual([
      [1, 'named', '["nina@acme.example"]', 'skipped'],
      [2, 'named', '["sam@acme.example"]', 'pending'],
    ]);
    const row = getRequest(w.ctx.db, r.id);
    expect(row).toMatchObject({ escalated: true, waitingOn: { step: 2, approvers: ['sam@acme.example'] } });
    w.clock.advanceHours(23);
    expect(sweepPendingRequests(w.ctx)).toEqual({ escalated: [], expired: [] });
    w.clock.advanceHours(2);
    expect(sweepPendingRequests(w.ctx)).toEqual({ escalated: [], expired: [r.id] });
    expect(getRequest(w.ctx.db, r.id).timeline.find((t) => t.kind === 'expired')?.detail).toMatch(/after escalation/);
  });

  it('escalating a multi-step request keeps the later steps after the new one', () => {
    w.ctx.db.prepare("UPDATE catalog_roles SET approval_policy = json_set(approval_policy, '$.onTimeout', 'escalate', '$.pendingTimeoutHours', 10) WHERE id = ?").run(roles.admin);
    const r = create({ role: 'AWS / Admin' });
    w.clock.advanceHours(11);
    sweepPendingRequests(w.ctx);
    expect(approvals(r.id).map((a) => [a.step, a.kind, a.status])).toEqual([
      [1, 'manager', 'skipped'],
      [2, 'named', 'pending'],
      [3, 'app-owner', 'waiting'],
    ]);
    decide(r.id, 'sam@acme.example');
    expect(getRequest(w.ctx.db, r.id).waitingOn).toEqual({ step: 3, kind: 'app-owner', approvers: ['owen@acme.example'] });
  });
});

describe('extend', () => {
  it('a new request (source extend) for active time-bound access; on approval it supersedes the old grant', () => {
    const r = create();
    decide(r.id, 'grace@acme.example');
    w.ctx.db.prepare("UPDATE grants SET status = 'active', provisioned_at = ? WHERE request_id = ?").run(T0.toISOString(), r.id);
    refused(() => create({ duration: '7d' }), 'conflict', /already has Figma \/ Editor until .*: extend it instead/);
    refused(
      () => extendRequest(w.ctx, { requestId: r.id, duration: 'custom', minutes: 60, justification: why }, { requester: 'hal@acme.example' }),
      'bad-input',
      /would end at .*, before the current access ends/,
    );
    const ext = extendRequest(w.ctx, { requestId: r.id, duration: '7d', justification: 'Review overran' }, { requester: 'hal@acme.example' });
    expect(ext).toMatchObject({ source: 'extend', status: 'pending', waitingOn: { kind: 'manager' } });
    refused(() => extendRequest(w.ctx, { requestId: r.id, duration: '7d', justification: 'again' }, { requester: 'hal@acme.example' }), 'conflict', /is already open/);
    decide(ext.id, 'grace@acme.example');
    const old = w.ctx.db.prepare('SELECT status, end_reason FROM grants WHERE request_id = ?').get(r.id);
    expect(old).toEqual({ status: 'cancelled', end_reason: expect.stringMatching(new RegExp(`superseded by request #${ext.id}`)) as unknown });
    expect(w.ctx.db.prepare('SELECT status FROM grants WHERE request_id = ?').pluck().get(ext.id)).toBe('pending');
    // The old request's access goes on under the extension: neither "Approved" nor "Expired".
    expect(getRequest(w.ctx.db, r.id)).toMatchObject({ status: 'extended', decision: 'approved', accessEndedAt: T0.toISOString() });
    expect(listRequests(w.ctx.db, requestListQuery.parse({ status: ['extended'] }), []).rows.map((x) => x.id)).toEqual([r.id]);
  });

  it('refuses what cannot be extended', () => {
    const r = create();
    refused(() => extendRequest(w.ctx, { requestId: r.id, duration: '7d', justification: why }, { requester: 'hal@acme.example' }), 'conflict', /is pending: only approved access can be extended/);
    decide(r.id, 'grace@acme.example');
    refused(() => extendRequest(w.ctx, { requestId: r.id, duration: '7d', justification: why }, { requester: 'hal@acme.example' }), 'conflict', /not active/);
  });
});

describe('recording a decision for someone else', () => {
  const evidence = { reason: 'approved by e-mail', evidence: 'message id <7f3a@acme.example>' };

  it('records the approver\'s decision with both people, the reason and the evidence: approval row, audit event, Jira comment', async () => {
    const r = create();
    const handlers = createHandlers(w.ctx);
    await signedIn('hal@acme.example');
    const res = await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', comment: 'fine', onBehalfOf: { approver: 'grace@acme.example', ...evidence } });
    expect(res).toMatchObject({ ok: true, value: { id: r.id } });
    expect(w.ctx.db.prepare('SELECT decided_by, recorded_by, record_reason, evidence_ref, channel FROM approvals WHERE request_id = ?').get(r.id)).toEqual({
      decided_by: 'grace@acme.example', recorded_by: 'hal@acme.example', record_reason: 'approved by e-mail', evidence_ref: 'message id <7f3a@acme.example>', channel: 'console',
    });
    const ev = w.ctx.db.prepare("SELECT actor, channel, details FROM audit_events WHERE target_id = ? AND action LIKE 'request.%approved' ORDER BY seq DESC LIMIT 1").get(String(r.id)) as { actor: string; channel: string; details: string };
    expect(ev.actor).toBe('hal@acme.example');
    expect(ev.channel).toBe('console');
    expect(JSON.parse(ev.details)).toMatchObject({ by: 'grace@acme.example', recordedBy: 'hal@acme.example', ...evidence, summary: expect.stringMatching(/approved by grace@acme\.example via console.*recorded by hal@acme\.example \(approved by e-mail; evidence: message id <7f3a@acme\.example>\)/i) as unknown });
    const detail = await dispatch(handlers, 'requests:get', { id: r.id });
    expect(detail).toMatchObject({ ok: true, value: { approvals: [{ decidedBy: 'grace@acme.example', recorded: { by: 'hal@acme.example', ...evidence } }] } });
  });

  it('refuses without a reason or evidence, for yourself, for a non-approver, and when the recorder is the beneficiary', async () => {
    const r = create();
    const handlers = createHandlers(w.ctx);
    await signedIn('hal@acme.example');
    const before = snapshotTables(w.ctx.db);
    expect(await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', onBehalfOf: { approver: 'grace@acme.example', reason: ' ', evidence: 'x' } })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/onBehalfOf\.reason: say why/) as unknown });
    expect(await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', onBehalfOf: { approver: 'grace@acme.example', reason: 'x' } })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/onBehalfOf\.evidence/) as unknown });
    expect(await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', onBehalfOf: { approver: 'hal@acme.example', ...evidence } })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/is you: decide it yourself/) as unknown });
    expect(await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', onBehalfOf: { approver: 'owen@acme.example', ...evidence } })).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(/owen@acme\.example is not an approver/) as unknown });
    await signedIn('ada@acme.example');
    expect(await dispatch(handlers, 'requests:decide', { id: r.id, decision: 'approve', onBehalfOf: { approver: 'grace@acme.example', ...evidence } })).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(/ada@acme\.example is the beneficiary/) as unknown });
    expect(snapshotTables(w.ctx.db)).toEqual(before);
  });
});

describe('channels: bulk decide, read-only, settings', () => {
  it('bulk approve: each request on its own; a refusal does not undo the others', async () => {
    const a = create();
    const c = create({ beneficiary: { email: 'carl@acme.example' } });
    const i = create({ beneficiary: { email: 'ivy@acme.example' } });
    const handlers = createHandlers(w.ctx);
    await signedIn('grace@acme.example');
    const res = await dispatch(handlers, 'requests:bulkDecide', { ids: [a.id, c.id, i.id], decision: 'approve', comment: 'batch' });
    expect(res).toEqual({
      ok: true,
      value: {
        results: [
          { id: a.id, ok: true, status: 'approved' },
          { id: c.id, ok: true, status: 'approved' },
          { id: i.id, ok: false, code: 'unauthorized', error: expect.stringMatching(/grace@acme.example is not an approver/) as unknown },
        ],
      },
    });
    expect(w.events.at(-1)).toEqual({ area: 'requests', ids: [a.id, c.id] });
    const comments = w.ctx.db.prepare("SELECT DISTINCT comment FROM approvals WHERE status = 'approved'").pluck().all();
    expect(comments).toEqual(['batch']);
  });

  it('"My approvals" lists the pending steps the operator may decide', async () => {
    const a = create();
    create({ role: 'AWS / Billing' });
    const handlers = createHandlers(w.ctx);
    const list = async (q: object) => {
      const r = await dispatch(handlers, 'requests:list', q);
      if (!r.ok) throw new Error(r.error);
      return (r.value as { total: number; rows: { id: number }[] }).rows.map((x) => x.id);
    };
    expect(await list({ view: 'mine' })).toEqual([]);
    await signedIn('grace@acme.example');
    expect(await list({ view: 'mine' })).toEqual([a.id]);
    // Grace's other address is the same person.
    await signedIn('grace.hopper@acme.onmicrosoft.example');
    expect(await list({ view: 'mine' })).toEqual([a.id]);
  });

  it('read-only: every write channel is refused, nothing changed; reads work', async () => {
    const r = create();
    const before = snapshotTables(w.ctx.db);
    const ro = createHandlers({ ...w.ctx, readOnly: true });
    const calls: [string, unknown][] = [
      ['requests:create', { ...input(), beneficiary: { email: 'carl@acme.example' } }],
      ['requests:decide', { id: r.id, decision: 'approve' }],
      ['requests:bulkDecide', { ids: [r.id], decision: 'approve' }],
      ['requests:cancel', { id: r.id }],
      ['requests:extend', { requestId: r.id, duration: '7d', justification: 'x' }],
      ['requests:importCsv', { csv: 'beneficiary,role,duration,justification\nada@acme.example,Figma / Viewer,24h,x\n' }],
      ['settings:set', { expiryNoticeHours: 48 }],
    ];
    for (const [channel, payload] of calls) {
      const res = await dispatch(ro, channel, payload);
      expect(res, channel).toMatchObject({ ok: false, code: 'read-only' });
    }
    expect(snapshotTables(w.ctx.db)).toEqual(before);
    expect(await dispatch(ro, 'requests:get', { id: r.id })).toMatchObject({ ok: true, value: { id: r.id } });
  });

  it('settings: no workspace-wide operator any more; the notice lead time is set', async () => {
    const handlers = createHandlers(w.ctx);
    expect(await dispatch(handlers, 'settings:set', { operatorEmail: 'grace@acme.example' })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/operatorEmail/) as unknown });
    expect(await dispatch(handlers, 'settings:set', { expiryNoticeHours: 48 })).toEqual({ ok: true, value: { expiryNoticeHours: 48, leaverDeadlineHours: 24 } });
    expect(await dispatch(handlers, 'settings:set', { leaverDeadlineHours: 36 })).toEqual({ ok: true, value: { expiryNoticeHours: 48, leaverDeadlineHours: 36 } });
    expect(await dispatch(handlers, 'settings:set', { leaverDeadlineHours: 0 })).toMatchObject({ ok: false, code: 'bad-input' });
    // Nobody signed in: a request names nobody, so it is refused; and "Acting as" is ignored against a real (non-loopback) tenant.
    expect(await dispatch(handlers, 'requests:create', input())).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(/sign in first/) as unknown });
    expect(await dispatch(handlers, 'requests:create', input(), { caller: { channel: 'console', actingAs: 'hal@acme.example' } })).toMatchObject({ ok: false, code: 'unauthorized' });
    await signedIn('hal@acme.example');
    expect(await dispatch(handlers, 'requests:create', { ...input(), justification: '' })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/justification is required/) as unknown });
    const made = await dispatch(handlers, 'requests:create', input());
    expect(made).toMatchObject({ ok: true, value: { requester: 'hal@acme.example' } });
    // The audit event names the signed-in operator.
    expect(w.ctx.db.prepare("SELECT actor, channel FROM audit_events WHERE action = 'request.created' ORDER BY seq DESC LIMIT 1").get()).toEqual({ actor: 'hal@acme.example', channel: 'console' });
  });

  it('a workspace that requires sign-in refuses every write channel without a session; reads stay open', async () => {
    const handlers = createHandlers(w.ctx);
    updateSignInSettings(w.ctx, { connectionId: w.okta, clientId: '0oaConsole', required: true });
    const before = snapshotTables(w.ctx.db);
    for (const [channel, payload] of Object.entries(WRITE_INPUTS)) {
      const res = await dispatch(handlers, channel, payload);
      expect(res, channel).toMatchObject({ ok: false, code: 'unauthorized', error: expect.stringMatching(new RegExp(`requires operators to sign in .*"${channel}" was refused`)) as unknown });
    }
    expect(snapshotTables(w.ctx.db)).toEqual(before);
    expect(await dispatch(handlers, 'requests:list', { view: 'all' })).toMatchObject({ ok: true });
    expect(await dispatch(handlers, 'operator:status', {})).toMatchObject({ ok: true, value: { session: null, settings: { required: true } } });
    // Signed in: writes go through again.
    await signedIn('hal@acme.example');
    expect(await dispatch(handlers, 'settings:set', { expiryNoticeHours: 12 })).toEqual({ ok: true, value: { expiryNoticeHours: 12, leaverDeadlineHours: 24 } });
  });
});

describe('CSV import', () => {
  it('parses RFC 4180 and durations as people write them', () => {
    expect(parseCsv('\uFEFFa,"b, c","say ""hi"""\r\n1,"two\nlines",3')).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['1', 'two\nlines', '3'],
    ]);
    expect(parseDuration('24h')).toEqual({ duration: '24h', minutes: null });
    expect(parseDuration('7 days')).toEqual({ duration: '7d', minutes: null });
    expect(parseDuration('90m')).toEqual({ duration: 'custom', minutes: 90 });
    expect(parseDuration('permanent')).toEqual({ duration: 'permanent', minutes: null });
    expect(() => parseDuration('soon')).toThrow(/not one of permanent/);
  });

  it('imports every row', () => {
    const csv = 'Beneficiary,App,Role,Duration,Justification,Requester\nada@acme.example,Figma,Editor,24h,review,owen@acme.example\ncarl@acme.example,Figma,Viewer,2h,"pairing, with Ada",\n';
    const res = importCsv(csv);
    expect(res.errors).toEqual([]);
    expect(res.created).toHaveLength(2);
    const rows = listRequests(w.ctx.db, requestListQuery.parse({}), []).rows;
    expect(rows.map((r) => [r.source, r.requester, r.roleLabel, r.status])).toEqual([
      ['csv', 'hal@acme.example', 'Figma / Viewer', 'approved'],
      ['csv', 'owen@acme.example', 'Figma / Editor', 'pending'],
    ]);
  });

  it('any bad row: nothing imported, each bad row named by its row as the spreadsheet numbers it', () => {
    const before = snapshotTables(w.ctx.db);
    const csv = [
      'beneficiary,app,role,duration,justification',
      'ada@acme.example,Figma,Editor,24h,ok',
      'ada@acme.example,Figma,Nope,24h,x',
      'carl@acme.example,Figma,Editor,30d,x',
      'nobody@acme.example,Figma,Editor,24h,x',
      'ada@acme.example,figma,editor,7d,again',
      'ivy@acme.example,Figma,Editor,24h,',
    ].join('\n');
    const res = importCsv(csv);
    expect(res.created).toEqual([]);
    expect(res.errors.map((e) => e.row)).toEqual([3, 4, 5, 6, 7]);
    expect(res.errors[0]?.message).toMatch(/unknown role "Figma \/ Nope"/);
    expect(res.errors[1]?.message).toMatch(/above Figma \/ Editor's maximum|not allowed/);
    expect(res.errors[2]?.message).toMatch(/not in the snapshot/);
    expect(res.errors[3]?.message).toMatch(/same person and role as row 2/);
    expect(res.errors[4]?.message).toMatch(/justification is required/);
    expect(snapshotTables(w.ctx.db)).toEqual(before);
    expect(() => importCsv('who,what\nx,y')).toThrow(/^row 1 \(the header\) has no beneficiary, role, duration, justification columns/);
    // A misspelt optional column is refused, not dropped (its rows would be filed in the operator's name).
    expect(() => importCsv('beneficiary,role,duration,justification,requestor\nada@acme.example,Figma / Editor,24h,x,owen@acme.example')).toThrow(
      /row 1 \(the header\) has unknown column "requestor"/,
    );
    // Blank rows keep their number: the bad row is row 4 in the spreadsheet, not the third record.
    const gaps = importCsv('beneficiary,app,role,duration,justification\nada@acme.example,Figma,Editor,24h,ok\n,,,,\nnobody@acme.example,Figma,Editor,24h,x\n');
    expect(gaps.errors.map((e) => e.row)).toEqual([4]);
  });

  it('the template comes from the columns the importer reads: its header is accepted and its example row imports once filled in', () => {
    const template = templateCsv(REQUEST_IMPORT_COLUMNS);
    const [header, example] = parseCsv(template);
    expect(header).toEqual(REQUEST_IMPORT_COLUMNS.map((c) => c.name));
    // Unchanged, only the example's people and role are unknown here: the header passed and the row is row 2.
    const res = importCsv(template);
    expect(res.errors).toEqual([{ row: 2, message: expect.stringMatching(/not in the snapshot|unknown role/) as unknown }]);
    // Each required column really is required by the importer.
    for (const c of REQUEST_IMPORT_COLUMNS.filter((x) => x.required === true)) {
      const without = REQUEST_IMPORT_COLUMNS.filter((x) => x !== c).map((x) => x.name).join(',');
      expect(() => importCsv(`${without}\n`)).toThrow(new RegExp(`has no ${c.name} column`));
    }
    // Filled in with this workspace's people and roles, the template's row imports as it stands.
    const values: Record<string, string> = { beneficiary: 'ada@acme.example', app: 'Figma', role: 'Editor', requester: 'owen@acme.example', ends: '2026-12-31' };
    const filled = REQUEST_IMPORT_COLUMNS.map((c, i) => values[c.name] ?? example?.[i] ?? '');
    const ok = importCsv(`${template.split('\r\n')[0]}\r\n${filled.map((v) => (v.includes(',') ? `"${v}"` : v)).join(',')}\r\n`);
    expect(ok.errors).toEqual([]);
    const row = listRequests(w.ctx.db, requestListQuery.parse({}), []).rows.find((r) => r.id === ok.created[0]);
    expect(row).toMatchObject({ roleLabel: 'Figma / Editor', duration: '7d', requester: 'owen@acme.example', justification: example?.[4] });
  });
});

describe('queries and timeline', () => {
  it('filters by view, status and search, pages with a total', () => {
    const a = create();
    const b = create({ beneficiary: { email: 'carl@acme.example' }, role: 'Figma / Viewer' });
    const c = create({ role: 'AWS / Billing' });
    decide(a.id, 'grace@acme.example', 'deny', 'no');
    const q = (o: object) => listRequests(w.ctx.db, requestListQuery.parse(o), ['nina@acme.example']);
    expect(q({}).rows.map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(q({ view: 'open' }).rows.map((r) => r.id)).toEqual([c.id]);
    expect(q({ view: 'mine' }).rows.map((r) => r.id)).toEqual([c.id]);
    expect(q({ status: ['denied', 'approved'] }).rows.map((r) => r.id)).toEqual([b.id, a.id]);
    expect(q({ search: 'carl viewer' }).rows.map((r) => r.id)).toEqual([b.id]);
    expect(q({ search: `#${a.id}` }).rows.map((r) => r.id)).toContain(a.id);
    expect(q({ limit: 1, offset: 1 })).toMatchObject({ total: 3, offset: 1, rows: [{ id: b.id }] });
  });

  it('one status per request from its decision and its grants; the filter, the rows and the detail agree', () => {
    const { db } = w.ctx;
    const grantOf = (id: number): GrantRecord => db.prepare('SELECT * FROM grants WHERE request_id = ?').get(id) as GrantRecord;
    // Left pending past its role's timeout: closed as expired by the sweep.
    const timedOut = create({ role: 'AWS / Admin' }).id;
    w.clock.advanceHours(169);
    expect(sweepPendingRequests(w.ctx).expired).toEqual([timedOut]);
    // Viewer is auto-approved: each of these has one grant, provisioning.
    const viewer = (email: string): number => create({ beneficiary: { email }, role: 'Figma / Viewer' }).id;
    const provisioning = viewer('ada@acme.example');
    const active = viewer('carl@acme.example');
    const expired = viewer('ivy@acme.example');
    const revoked = viewer('owen@acme.example');
    const failed = viewer('nina@acme.example');
    const cancelled = viewer('sam@acme.example');
    const pending = create({ role: 'Figma / Editor' }).id;
    const denied = create({ beneficiary: { email: 'carl@acme.example' }, role: 'Figma / Editor', endsAt: '2026-04-01' }).id;
    decide(denied, 'grace@acme.example', 'deny', 'no');
    const withdrawn = create({ beneficiary: { email: 'ivy@acme.example' }, role: 'AWS / Billing' }).id;
    cancelRequest(w.ctx, withdrawn, { by: 'hal@acme.example', reason: 'not needed' });

    const now = w.clock.now();
    for (const id of [active, expired, revoked]) markProvisioned(db, grantOf(id), 'test', now, 'added');
    w.clock.advanceHours(25);
    const later = w.clock.now();
    markEnded(db, grantOf(expired), { reason: 'expired', expiresAt: grantOf(expired).expires_at ?? '' }, 'test', later, 'removed');
    markEnded(db, grantOf(revoked), { reason: 'revoked', by: 'sam@acme.example', note: 'left the team' }, 'test', later, 'removed');
    setGrant(db, grantOf(failed).id, { status: 'failed' }, later);
    setGrant(db, grantOf(cancelled).id, { status: 'cancelled', ended_at: later.toISOString(), end_reason: 'cancelled by hal@acme.example: wrong person' }, later);

    const expected: Record<number, RequestRow['status']> = {
      [provisioning]: 'approved', [active]: 'approved', [expired]: 'expired', [revoked]: 'revoked', [failed]: 'failed', [cancelled]: 'cancelled',
      [pending]: 'pending', [denied]: 'denied', [timedOut]: 'expired', [withdrawn]: 'cancelled',
    };
    const rows = listRequests(db, requestListQuery.parse({}), []).rows;
    expect(Object.fromEntries(rows.map((r) => [r.id, r.status]))).toEqual(expected);
    // Each state's filter returns exactly the requests shown with it.
    for (const state of REQUEST_STATES) {
      const want = Object.entries(expected).filter(([, s]) => s === state).map(([id]) => Number(id)).sort((a, b) => b - a);
      expect([state, listRequests(db, requestListQuery.parse({ status: [state] }), []).rows.map((r) => r.id)]).toEqual([state, want]);
    }
    expect(listRequests(db, requestListQuery.parse({ status: ['expired', 'revoked'] }), []).total).toBe(3);
    // Ended access says when it ended and holds no "until"; held access has its end and no end time.
    const ended = getRequest(db, expired);
    expect(ended).toMatchObject({ status: 'expired', decision: 'approved', access: 'expired', expiresAt: null, accessEndedAt: later.toISOString() });
    expect(getRequest(db, active)).toMatchObject({ status: 'approved', access: 'active', expiresAt: grantOf(active).expires_at, accessEndedAt: null });
    expect(getRequest(db, timedOut)).toMatchObject({ status: 'expired', decision: 'expired', access: null, accessEndedAt: null });
    expect(getRequest(db, failed)).toMatchObject({ status: 'failed', access: 'failed' });
  });

  it('the timeline merges steps, job attempts, provisioning, manual tasks and Jira', () => {
    w.ctx.db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('Jira', 'jira', 'https://acme.atlassian.net/', 'token', ?, ?)")
      .run(T0.toISOString(), T0.toISOString());
    const r = create();
    const jira = w.ctx.db.prepare("SELECT json_extract(payload, '$.event') AS event, json_extract(payload, '$.transition') AS t FROM jobs WHERE kind = 'jira' ORDER BY id").all();
    expect(jira).toEqual([{ event: 'created', t: 'waiting-for-approval' }]);
    w.clock.advanceHours(1);
    decide(r.id, 'grace@acme.example', 'approve', 'go');
    const job = w.ctx.db.prepare("SELECT id, grant_id FROM jobs WHERE kind = 'provision' AND request_id = ?").get(r.id) as { id: number; grant_id: number };
    const t1 = new Date(T0.getTime() + 2 * 3_600_000).toISOString();
    const t2 = new Date(T0.getTime() + 3 * 3_600_000).toISOString();
    w.ctx.db.prepare("INSERT INTO job_attempts (job_id, attempt, started_at, finished_at, outcome, http_status, error) VALUES (?, 1, ?, ?, 'retry', 429, 'rate limited')").run(job.id, t1, t1);
    w.ctx.db.prepare("UPDATE grants SET status = 'active', provisioned_at = ? WHERE id = ?").run(t2, job.grant_id);
    w.ctx.db.prepare("UPDATE requests SET jira_connection_id = (SELECT id FROM connections WHERE kind = 'jira'), jira_issue_key = 'IT-7' WHERE id = ?").run(r.id);
    const d = getRequest(w.ctx.db, r.id);
    expect(d.timeline.map((t) => t.kind)).toEqual(['created', 'step-opened', 'approved', 'jira', 'job-attempt', 'provisioned']);
    expect(d.timeline[2]).toMatchObject({ actor: 'grace@acme.example', detail: 'go' });
    expect(d.timeline[4]).toMatchObject({ text: 'Add ada@acme.example to app-figma-editors (Okta): attempt 1 retry (HTTP 429)', detail: 'rate limited' });
    expect(d).toMatchObject({ jira: { key: 'IT-7', url: 'https://acme.atlassian.net/browse/IT-7' }, access: 'active', approvals: [{ step: 1, status: 'approved', comment: 'go' }] });
    expect(d.jobs.map((j) => j.kind).sort()).toEqual(['jira', 'jira', 'provision']);
    expect(verifyAuditChain(w.ctx.db).valid).toBe(true);
  });
});
