// Every comparison of a grant's expires_at with the clock, at the exact
// instant, on a FIXED injected clock. The integration tests run on real time
// plus an offset, so they can only look "well past" a boundary: a `<=` turned
// into `<` went unnoticed there (issue 9). Instants are stored as ISO strings
// and compared as strings in SQL, so every boundary here is written in the
// exact stored form (Date#toISOString, milliseconds and 'Z'), and the tests
// through the approval path check that this is the form the engine stores.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedSyncRun } from '../fixtures/seed-snapshot.js';
import { detectDrift } from '../../electron/engine/jobs/drift.js';
import { expireDueGrants, sendExpiryNotices } from '../../electron/engine/jobs/expiry.js';
import { cancelManualTask } from '../../electron/engine/jobs/manual-tasks.js';
import { cancelJob, listGrants, retryJob } from '../../electron/engine/jobs/operations.js';
import { enqueueJob } from '../../electron/engine/jobs/job-store.js';
import { createRequest } from '../../electron/engine/requests/requests.js';
import { putSettings } from '../../electron/engine/settings/settings.js';
import { addApp, addRole, buildWorld, type RequestsWorld } from './request-fixture.js';
import { userError } from '../helpers/user-error.js';

const MS = 1;
const MINUTE = 60_000;
const HOUR = 3_600_000;
/** The instant under test: every boundary is placed on it or 1 ms either side. */
const T = new Date('2026-03-10T12:00:00.000Z');
const at = (ms: number): Date => new Date(T.getTime() + ms);
const iso = (ms: number): string => at(ms).toISOString();

let w: RequestsWorld;
const PEOPLE = ['u-ceo', 'u-grace', 'u-ada', 'u-carl', 'u-pat', 'u-owen', 'u-nina', 'u-sam', 'u-hal', 'u-ivy'] as const;
let nextPerson = 0;
beforeEach(() => {
  w = buildWorld();
  w.clock.set(T);
  nextPerson = 0;
});
afterEach(() => w.ws.cleanup());

/** A grant row as the ledger holds it (one person each, so drift findings never share a key). */
function grant(o: { expiresAt: string | null; status?: string; provisionedAt?: string | null; endedAt?: string | null; groupId?: string; member?: boolean }): number {
  const identity = PEOPLE[nextPerson++];
  if (!identity) throw new Error('out of people');
  const groupId = o.groupId ?? 'g-figma-ed';
  const created = iso(-30 * 24 * HOUR);
  const id = Number(
    w.ctx.db
      .prepare(
        `INSERT INTO grants (connection_id, group_id, group_name, identity_id, beneficiary_email, beneficiary_name, status, starts_at, expires_at, provisioned_at, ended_at, created_at, updated_at)
         VALUES (?, ?, 'app-figma-editors', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(w.okta, groupId, identity, `${identity}@acme.example`, identity, o.status ?? 'active', created, o.expiresAt, o.provisionedAt === undefined ? created : o.provisionedAt, o.endedAt ?? null, created, created).lastInsertRowid,
  );
  if (o.member) w.ctx.db.prepare('INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (?, 1, ?, ?)').run(w.okta, groupId, identity);
  return id;
}

const statusOf = (id: number): string => w.ctx.db.prepare('SELECT status FROM grants WHERE id = ?').pluck().get(id) as string;


describe('the expiry sweep (expireDueGrants)', () => {
  it('expires a grant whose expiry is exactly now, not one that ends 1 ms later; 1 ms on, that one too', () => {
    const before = grant({ expiresAt: iso(-MS) });
    const exactly = grant({ expiresAt: iso(0) });
    const after = grant({ expiresAt: iso(MS) });
    const permanent = grant({ expiresAt: null });
    expect(w.ctx.clock.now().toISOString()).toBe(iso(0));

    expect(expireDueGrants(w.ctx)).toHaveLength(2);
    expect([statusOf(before), statusOf(exactly), statusOf(after), statusOf(permanent)]).toEqual(['revoking', 'revoking', 'active', 'active']);

    w.clock.set(at(MS));
    expect(expireDueGrants(w.ctx)).toHaveLength(1);
    expect(statusOf(after)).toBe('revoking');
    expect(statusOf(permanent)).toBe('active');
  });

  it('a grant that never got its access (pending, failed, or waiting on a manual add) ends at exactly its expiry too', () => {
    const pending = grant({ expiresAt: iso(0), status: 'pending', provisionedAt: null });
    const failed = grant({ expiresAt: iso(0), status: 'failed', provisionedAt: null });
    const manual = grant({ expiresAt: iso(0), status: 'manual', provisionedAt: null });
    w.ctx.db.prepare("INSERT INTO manual_tasks (grant_id, action, reason, instructions, status, created_at) VALUES (?, 'add', 'no account', 'add it', 'open', ?)").run(manual, iso(-HOUR));
    const later = grant({ expiresAt: iso(MS), status: 'pending', provisionedAt: null });
    w.clock.set(at(-MS));
    expireDueGrants(w.ctx);
    expect([statusOf(pending), statusOf(failed), statusOf(manual), statusOf(later)]).toEqual(['pending', 'failed', 'manual', 'pending']);
    w.clock.set(at(0));
    expireDueGrants(w.ctx);
    expect([statusOf(pending), statusOf(failed), statusOf(manual), statusOf(later)]).toEqual(['revoking', 'revoking', 'expired', 'pending']);
  });

  it('through the approval path: the stored expiry is the exact ISO instant of approval + duration, and it is due at that instant', () => {
    const app = addApp(w.ctx.db, 'Miro');
    addRole(w.ctx.db, { appId: app, name: 'Member', risk: 'low', durations: ['24h', 'custom'], groups: [{ connectionId: w.okta, groupId: 'g-figma-view', groupName: 'app-figma-viewers' }] });
    const r = createRequest(w.ctx, { beneficiary: { email: 'ada@acme.example' }, role: 'Miro / Member', duration: '24h', minutes: null, endsAt: null, justification: 'boundary' }, { source: 'console', requester: 'hal@acme.example' });
    expect(r.status).toBe('approved'); // low risk: auto-approved, the grant exists
    const g = w.ctx.db.prepare('SELECT id, expires_at FROM grants WHERE request_id = ?').get(r.id) as { id: number; expires_at: string };
    expect(g.expires_at).toBe(iso(24 * HOUR));
    w.ctx.db.prepare("UPDATE grants SET status = 'active', provisioned_at = ? WHERE id = ?").run(iso(0), g.id);

    w.clock.set(at(24 * HOUR - MS));
    expireDueGrants(w.ctx);
    expect(statusOf(g.id)).toBe('active');
    w.clock.set(at(24 * HOUR));
    expireDueGrants(w.ctx);
    expect(statusOf(g.id)).toBe('revoking');
  });

  it('through the approval path: an end date alone ("2026-06-30") is stored as the last millisecond of that day, and is due then, not before', () => {
    const app = addApp(w.ctx.db, 'Miro');
    addRole(w.ctx.db, { appId: app, name: 'Member', risk: 'low', durations: ['permanent'], groups: [{ connectionId: w.okta, groupId: 'g-figma-view', groupName: 'app-figma-viewers' }] });
    const r = createRequest(w.ctx, { beneficiary: { email: 'carl@acme.example' }, role: 'Miro / Member', duration: 'permanent', minutes: null, endsAt: '2026-06-30', justification: 'contract' }, { source: 'console', requester: 'hal@acme.example' });
    const g = w.ctx.db.prepare('SELECT id, expires_at FROM grants WHERE request_id = ?').get(r.id) as { id: number; expires_at: string };
    expect(g.expires_at).toBe('2026-06-30T23:59:59.999Z');
    w.ctx.db.prepare("UPDATE grants SET status = 'active', provisioned_at = ? WHERE id = ?").run(iso(0), g.id);

    w.clock.set(new Date('2026-06-30T23:59:59.998Z'));
    expireDueGrants(w.ctx);
    expect(statusOf(g.id)).toBe('active');
    w.clock.set(new Date('2026-06-30T23:59:59.999Z'));
    expireDueGrants(w.ctx);
    expect(statusOf(g.id)).toBe('revoking');
  });
});

describe('expiry notices (sendExpiryNotices) and the expiring-soon list', () => {
  it('notices a grant expiring exactly the lead time from now, not 1 ms later; 1 ms on, that one too', () => {
    putSettings(w.ctx.db, { expiryNoticeHours: 24 });
    const edge = grant({ expiresAt: iso(24 * HOUR) });
    const beyond = grant({ expiresAt: iso(24 * HOUR + MS) });
    expect(sendExpiryNotices(w.ctx)).toEqual([edge]);
    w.clock.set(at(MS));
    expect(sendExpiryNotices(w.ctx)).toEqual([beyond]);
  });

  it('does not notice a grant that expires exactly now (it is due, not "soon"); one 1 ms ahead is noticed', () => {
    putSettings(w.ctx.db, { expiryNoticeHours: 24 });
    const now = grant({ expiresAt: iso(0) });
    const next = grant({ expiresAt: iso(MS) });
    expect(sendExpiryNotices(w.ctx)).toEqual([next]);
    expect(w.ctx.db.prepare('SELECT notice_at FROM grants WHERE id = ?').pluck().get(now)).toBeNull();
  });

  it('a lead time of a different length moves the edge with it (exactly N hours)', () => {
    putSettings(w.ctx.db, { expiryNoticeHours: 72 });
    const edge = grant({ expiresAt: iso(72 * HOUR) });
    grant({ expiresAt: iso(72 * HOUR + MS) });
    expect(sendExpiryNotices(w.ctx)).toEqual([edge]);
  });

  it("the expiring-soon filter has the notices' edges: after now, up to and including now + the lead time", () => {
    putSettings(w.ctx.db, { expiryNoticeHours: 24 });
    grant({ expiresAt: iso(0) });
    const first = grant({ expiresAt: iso(MS) });
    const edge = grant({ expiresAt: iso(24 * HOUR) });
    const beyond = grant({ expiresAt: iso(24 * HOUR + MS) });
    const soon = (): number[] => listGrants(w.ctx, { filter: 'expiring-soon' }).rows.map((g) => g.id);
    expect(soon()).toEqual([first, edge]);
    w.clock.set(at(MS));
    expect(soon()).toEqual([edge, beyond]);
  });

  it('with notices off (0 h) the expiring-soon list still looks exactly one hour ahead', () => {
    putSettings(w.ctx.db, { expiryNoticeHours: 0 });
    const edge = grant({ expiresAt: iso(HOUR) });
    grant({ expiresAt: iso(HOUR + MS) });
    expect(listGrants(w.ctx, { filter: 'expiring-soon' }).rows.map((g) => g.id)).toEqual([edge]);
    expect(sendExpiryNotices(w.ctx)).toEqual([]);
  });
});

describe("drift's comparisons with the sync run that just finished", () => {
  // The run started at T; what it can vouch for is what happened strictly before.
  const GRACE = 15 * MINUTE;
  beforeEach(() => {
    seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: iso(0), finishedAt: iso(MINUTE) });
  });
  const kinds = (): [string, number | null][] =>
    (w.ctx.db.prepare('SELECT kind, grant_id FROM drift ORDER BY grant_id').all() as { kind: string; grant_id: number | null }[]).map((d) => [d.kind, d.grant_id]);

  it("'expired-still-member': a grant past its expiry by more than the 15-minute grace, not by exactly the grace", () => {
    const exactlyGrace = grant({ expiresAt: iso(-GRACE), member: true });
    const pastGrace = grant({ expiresAt: iso(-GRACE - MS), member: true });
    const revoking = grant({ expiresAt: iso(-GRACE - MS), member: true, status: 'revoking' });
    detectDrift(w.ctx.db, w.okta, at(2 * MINUTE));
    expect(kinds()).toEqual([
      ['expired-still-member', pastGrace],
      ['expired-still-member', revoking],
    ]);
    expect(kinds().map(([, id]) => id)).not.toContain(exactlyGrace);
  });

  it("'expired-still-member' is measured from the run's start, not from the time drift runs", () => {
    grant({ expiresAt: iso(-GRACE), member: true });
    detectDrift(w.ctx.db, w.okta, at(24 * HOUR));
    expect(kinds()).toEqual([]);
  });

  it("'reappeared': a membership Latchkey ended strictly before the run started, not one ended at that very instant", () => {
    const atStart = grant({ expiresAt: null, status: 'revoked', endedAt: iso(0), member: true });
    const before = grant({ expiresAt: null, status: 'expired', endedAt: iso(-MS), member: true });
    detectDrift(w.ctx.db, w.okta, at(2 * MINUTE));
    expect(kinds()).toEqual([['reappeared', before]]);
    expect(kinds().map(([, id]) => id)).not.toContain(atStart);
  });

  it("'missing': an active grant provisioned strictly before the run started, not one provisioned at that very instant", () => {
    const atStart = grant({ expiresAt: null, provisionedAt: iso(0) });
    const before = grant({ expiresAt: null, provisionedAt: iso(-MS) });
    detectDrift(w.ctx.db, w.okta, at(2 * MINUTE));
    expect(kinds()).toEqual([['missing', before]]);
    expect(kinds().map(([, id]) => id)).not.toContain(atStart);
  });
});

describe('what may no longer be undone once access has expired', () => {
  it('a failed provisioning can be retried 1 ms before the expiry, not at it', () => {
    const job = (): number => {
      const g = grant({ expiresAt: iso(0), status: 'failed', provisionedAt: null });
      const id = enqueueJob(w.ctx.db, { kind: 'provision', grantId: g, connectionId: w.okta, idempotencyKey: `provision:grant:${g}` }, at(-HOUR));
      w.ctx.db.prepare("UPDATE jobs SET status = 'failed', attempts = 8 WHERE id = ?").run(id);
      return id;
    };
    const early = job();
    const onTime = job();
    w.clock.set(at(-MS));
    expect(retryJob(w.ctx, early).status).toBe('queued');
    w.clock.set(at(0));
    expect(userError(() => retryJob(w.ctx, onTime))).toMatchObject({ code: 'conflict', message: expect.stringMatching(/expired at 2026-03-10T12:00:00.000Z: request it again/) as unknown });
  });

  it('a revocation can be cancelled 1 ms before the expiry, not at it', () => {
    const job = (): number => {
      const g = grant({ expiresAt: iso(0), status: 'revoking' });
      return enqueueJob(w.ctx.db, { kind: 'revoke', grantId: g, connectionId: w.okta, idempotencyKey: `revoke:grant:${g}` }, at(-HOUR));
    };
    const early = job();
    const onTime = job();
    w.clock.set(at(-MS));
    expect(cancelJob(w.ctx, early, { reason: 'changed my mind' }).status).toBe('cancelled');
    w.clock.set(at(0));
    expect(userError(() => cancelJob(w.ctx, onTime, { reason: 'changed my mind' }))).toMatchObject({ code: 'conflict', message: expect.stringMatching(/expired at .*: it cannot be cancelled/) as unknown });
  });

  it('a manual removal can be cancelled 1 ms before the expiry, not at it', () => {
    const task = (): number => {
      const g = grant({ expiresAt: iso(0), status: 'revoking' });
      return Number(
        w.ctx.db.prepare("INSERT INTO manual_tasks (grant_id, action, reason, instructions, status, created_at) VALUES (?, 'remove', 'rule-managed group', 'remove it', 'open', ?)").run(g, iso(-HOUR)).lastInsertRowid,
      );
    };
    const early = task();
    const onTime = task();
    w.clock.set(at(-MS));
    expect(cancelManualTask(w.ctx, early, { reason: 'changed my mind' }).status).toBe('cancelled');
    w.clock.set(at(0));
    expect(userError(() => cancelManualTask(w.ctx, onTime, { reason: 'changed my mind' }))).toMatchObject({ code: 'conflict', message: expect.stringMatching(/expired at .*: it cannot be cancelled/) as unknown });
  });
});
