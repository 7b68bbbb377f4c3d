// The request lifecycle's time and length limits at the exact edge, on a
// FIXED injected clock: the pending-request timeout (expire, escalate, and
// the second timeout after an escalation), the role's maximum duration, an
// end date that is exactly now, which of duration and end date ends the
// access, and an extension that ends exactly when the current access does.
// requests.test.ts checks each rule well past its edge; a `<` / `<=` flip at
// the edge passed it (issue 9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { grantExpiry } from '../../electron/engine/jobs/grants.js';
import { createRequest, decideRequest, extendRequest } from '../../electron/engine/requests/requests.js';
import { sweepPendingRequests } from '../../electron/engine/requests/sweep.js';
import type { CreateRequestInput } from '../../shared/contract-requests.js';
import { addApp, addRole, buildWorld, T0, type RequestsWorld } from './request-fixture.js';
import { userError } from '../helpers/user-error.js';

const MS = 1;
const HOUR = 3_600_000;
const at = (ms: number): Date => new Date(T0.getTime() + ms);
const iso = (ms: number): string => at(ms).toISOString();

let w: RequestsWorld;
beforeEach(() => {
  w = buildWorld();
  const { db } = w.ctx;
  const figma = addApp(db, 'Figma', 'owen@acme.example');
  const g = [{ connectionId: w.okta, groupId: 'g-figma-ed', groupName: 'app-figma-editors' }];
  // Default policy: manager approval, expires after 168 h pending.
  addRole(db, { appId: figma, name: 'Editor', risk: 'medium', durations: ['permanent', '24h', '7d', 'custom'], max: 10080, groups: g });
  // Escalates after 24 h to Sam, then expires 24 h after the escalation.
  addRole(db, {
    appId: figma,
    name: 'Admin',
    risk: 'medium',
    durations: ['24h'],
    policy: { onTimeout: 'escalate', pendingTimeoutHours: 24, escalateTo: ['sam@acme.example'] },
    groups: [{ connectionId: w.okta, groupId: 'g-aws-admin', groupName: 'aws-admins' }],
  });
});
afterEach(() => w.ws.cleanup());

const create = (o: Partial<CreateRequestInput> = {}) =>
  createRequest(w.ctx, { beneficiary: { email: 'ada@acme.example' }, role: 'Figma / Editor', duration: '24h', minutes: null, endsAt: null, justification: 'edge', ...o }, { source: 'console', requester: 'hal@acme.example' });
const sweep = () => sweepPendingRequests(w.ctx);


describe('the pending-request timeout, at the exact instant', () => {
  it('expires a request exactly 168 h after it was filed, not 1 ms before', () => {
    const r = create();
    w.clock.set(at(168 * HOUR - MS));
    expect(sweep()).toEqual({ escalated: [], expired: [] });
    w.clock.set(at(168 * HOUR));
    expect(sweep()).toEqual({ escalated: [], expired: [r.id] });
  });

  it('escalates exactly at the timeout, then expires exactly one timeout after the escalation', () => {
    const r = create({ role: 'Figma / Admin' });
    w.clock.set(at(24 * HOUR - MS));
    expect(sweep()).toEqual({ escalated: [], expired: [] });
    w.clock.set(at(24 * HOUR));
    expect(sweep()).toEqual({ escalated: [r.id], expired: [] });
    expect(w.ctx.db.prepare('SELECT escalated_at FROM requests WHERE id = ?').pluck().get(r.id)).toBe(iso(24 * HOUR));
    w.clock.set(at(48 * HOUR - MS));
    expect(sweep()).toEqual({ escalated: [], expired: [] });
    w.clock.set(at(48 * HOUR));
    expect(sweep()).toEqual({ escalated: [], expired: [r.id] });
  });
});

describe('lengths and end dates at the edge', () => {
  it("a custom duration of exactly the role's maximum is accepted; 1 minute more is refused", () => {
    expect(create({ duration: 'custom', minutes: 10080 }).status).toBe('pending');
    w.ctx.db.prepare("UPDATE requests SET status = 'cancelled'").run();
    expect(userError(() => create({ duration: 'custom', minutes: 10081 }))).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/above Figma \/ Editor's maximum of 7 d/) as unknown });
  });

  it('a preset duration equal to the maximum (7 d of 7 d) is accepted', () => {
    expect(create({ duration: '7d' }).status).toBe('pending');
  });

  it('an end date exactly now is refused as not in the future; 1 ms later is accepted, stored exactly', () => {
    expect(userError(() => create({ duration: 'permanent', endsAt: iso(0) }))).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/is not in the future/) as unknown });
    expect(create({ duration: 'permanent', endsAt: iso(MS) })).toMatchObject({ status: 'pending', endsAt: iso(MS) });
  });

  it('the earlier of duration and end date ends the access, to the millisecond', () => {
    expect(grantExpiry({ duration_minutes: 60, ends_at: iso(HOUR - MS) }, T0)).toBe(iso(HOUR - MS));
    expect(grantExpiry({ duration_minutes: 60, ends_at: iso(HOUR + MS) }, T0)).toBe(iso(HOUR));
    expect(grantExpiry({ duration_minutes: 60, ends_at: null }, T0)).toBe(iso(HOUR));
    expect(grantExpiry({ duration_minutes: null, ends_at: iso(MS) }, T0)).toBe(iso(MS));
  });
});

describe('extending access, at the edge of the current expiry', () => {
  it('refuses an extension that ends exactly when the current access ends; 1 ms later is accepted', () => {
    const r = create();
    decideRequest(w.ctx, r.id, { decision: 'approve', comment: '', by: 'grace@acme.example', channel: 'console' });
    w.ctx.db.prepare("UPDATE grants SET status = 'active', provisioned_at = ? WHERE request_id = ?").run(iso(0), r.id);
    expect(w.ctx.db.prepare('SELECT expires_at FROM grants WHERE request_id = ?').pluck().get(r.id)).toBe(iso(24 * HOUR));

    // One hour before the end, 60 more minutes end exactly at the current end: not an extension.
    w.clock.set(at(23 * HOUR));
    const same = () => extendRequest(w.ctx, { requestId: r.id, duration: 'custom', minutes: 60, justification: 'more time' }, { requester: 'hal@acme.example' });
    expect(userError(same)).toMatchObject({ code: 'bad-input', message: expect.stringMatching(/would end at 2026-03-03T09:00:00.000Z, before the current access ends/) as unknown });
    w.clock.set(at(23 * HOUR + MS));
    expect(same()).toMatchObject({ source: 'extend', status: 'pending' });
  });
});
