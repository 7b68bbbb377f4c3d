// The Access page's ledger (jobs:grants) on a real workspace file: revoking
// from the console names the signed-in operator and the console channel in
// the audit event, the job and the grant's end reason; each way of ending
// reads back as such and filters as such; the request behind a grant comes
// with it; and a removal is verified only by a successful sync that started
// after the grant ended (not one starting at that very instant), or flagged
// when drift saw the membership back.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { jobByKey } from '../../electron/engine/jobs/job-store.js';
import { setGrant } from '../../electron/engine/jobs/grant-store.js';
import { markEnded, markProvisioned, revokeKey, revokePayload, type GrantRecord } from '../../electron/engine/jobs/ledger.js';
import { saveSession } from '../../electron/engine/operator/session.js';
import { createRequest } from '../../electron/engine/requests/requests.js';
import type { LedgerGrant } from '../../shared/contract-jobs.js';
import { seedSyncRun } from '../fixtures/seed-snapshot.js';
import { addApp, addRole, buildWorld, type RequestsWorld } from './request-fixture.js';

let w: RequestsWorld;

beforeEach(() => {
  w = buildWorld();
  const figma = addApp(w.ctx.db, 'Figma', 'owen@acme.example');
  addRole(w.ctx.db, { appId: figma, name: 'Viewer', risk: 'low', durations: ['24h', '7d'], groups: [{ connectionId: w.okta, groupId: 'g-figma-view', groupName: 'app-figma-viewers' }] });
});
afterEach(() => w.ws.cleanup());

/** An auto-approved Viewer request for `email`, its grant provisioned now. */
function heldGrant(email: string, why = 'Design review'): GrantRecord {
  const r = createRequest(w.ctx, { beneficiary: { email }, role: 'Figma / Viewer', duration: '7d', minutes: null, endsAt: null, justification: why }, { source: 'console', requester: 'hal@acme.example' });
  const g = w.ctx.db.prepare('SELECT * FROM grants WHERE request_id = ?').get(r.id) as GrantRecord;
  markProvisioned(w.ctx.db, g, 'test', w.clock.now(), 'added');
  return w.ctx.db.prepare('SELECT * FROM grants WHERE id = ?').get(g.id) as GrantRecord;
}

const grant = (id: number): GrantRecord => w.ctx.db.prepare('SELECT * FROM grants WHERE id = ?').get(id) as GrantRecord;

async function ledger(input: Record<string, unknown>): Promise<{ rows: LedgerGrant[]; total: number }> {
  const res = await dispatch(createHandlers(w.ctx), 'jobs:grants', input);
  if (!res.ok) throw new Error(res.error);
  return res.value as { rows: LedgerGrant[]; total: number };
}

/** Finishes a grant's queued revocation as the job runner does. */
function finishRevocation(g: GrantRecord): void {
  const job = jobByKey(w.ctx.db, revokeKey(g.id));
  if (!job) throw new Error('no revocation job');
  markEnded(w.ctx.db, grant(g.id), revokePayload(job.payload, grant(g.id)), 'latchkey:jobs', w.clock.now(), `job #${job.id}`);
}

describe('revoking from the console', () => {
  it('records the signed-in operator and the console channel in the event, the job and the end reason', async () => {
    const g = heldGrant('ada@acme.example');
    const now = w.clock.now();
    await saveSession(w.ctx, { connectionId: w.okta, connectionName: 'Okta', idp: 'okta', subject: '00u-hal', email: 'hal@acme.example', name: 'Hal', signedInAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3_600_000).toISOString() });
    const handlers = createHandlers(w.ctx);

    // A reason is required: blank is refused before anything changes.
    expect(await dispatch(handlers, 'jobs:revokeGrant', { grantId: g.id, reason: '  ' })).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/reason is required/) as unknown });
    expect(grant(g.id).status).toBe('active');

    const res = await dispatch(handlers, 'jobs:revokeGrant', { grantId: g.id, reason: 'left the project' }, { caller: { channel: 'console' } });
    expect(res).toMatchObject({ ok: true, value: { id: g.id, status: 'revoking' } });
    const event = w.ctx.db.prepare("SELECT actor, channel, details FROM audit_events WHERE action = 'grant.revoke_requested'").get() as { actor: string; channel: string; details: string };
    expect(event).toMatchObject({ actor: 'hal@acme.example', channel: 'console' });
    expect(JSON.parse(event.details)).toMatchObject({ reason: 'left the project' });
    expect(jobByKey(w.ctx.db, revokeKey(g.id))?.payload).toMatchObject({ reason: 'revoked', by: 'hal@acme.example', note: 'left the project', channel: 'console' });

    finishRevocation(g);
    expect(grant(g.id)).toMatchObject({ status: 'revoked', end_reason: 'revoked by hal@acme.example via console: left the project' });
    const { rows } = await ledger({ filter: 'ended' });
    expect(rows[0]).toMatchObject({ id: g.id, status: 'revoked', ended: { how: 'revoked', by: 'hal@acme.example', channel: 'console', note: 'left the project' } });
    expect(verifyAuditChain(w.ctx.db).valid).toBe(true);
  });

  it('an older revocation job without a channel still ends the grant in the old words', () => {
    const g = heldGrant('carl@acme.example');
    markEnded(w.ctx.db, g, revokePayload({ reason: 'revoked', by: 'sam@acme.example', note: 'done' }, g), 'test', w.clock.now(), 'removed');
    expect(grant(g.id).end_reason).toBe('revoked by sam@acme.example: done');
  });
});

describe('the ledger rows', () => {
  it('carry the request behind each grant: why, who asked, its Jira issue', async () => {
    const g = heldGrant('ada@acme.example', 'Quarterly design review');
    w.ctx.db.prepare("UPDATE requests SET jira_connection_id = NULL, jira_issue_key = 'ACC-7' WHERE id = ?").run(g.request_id);
    const { rows, total } = await ledger({ filter: 'active' });
    expect(total).toBe(1);
    expect(rows[0]).toMatchObject({ id: g.id, request: { justification: 'Quarterly design review', requester: 'hal@acme.example', jira: { key: 'ACC-7', url: null } }, ended: null, removal: null });
  });

  it('say how each grant ended, and the endedHow filter returns exactly those', async () => {
    const at = w.clock.now();
    const ended = (email: string, patch: Partial<GrantRecord>): number => {
      const g = heldGrant(email);
      setGrant(w.ctx.db, g.id, { ended_at: at.toISOString(), ...patch }, at);
      return g.id;
    };
    const ids = {
      expired: ended('ada@acme.example', { status: 'expired', end_reason: 'expired at 2026-03-09T09:00:00.000Z' }),
      revoked: ended('carl@acme.example', { status: 'revoked', end_reason: 'revoked by sam@acme.example via cli: moved teams' }),
      review: ended('ivy@acme.example', { status: 'revoked', end_reason: 'review: campaign #3 "Q1" — revoked by grace@acme.example (left-team)' }),
      cancelled: ended('owen@acme.example', { status: 'cancelled', end_reason: 'cancelled by hal@acme.example: wrong person' }),
      extended: ended('nina@acme.example', { status: 'cancelled', end_reason: 'superseded by request #99 (extension)' }),
    };
    heldGrant('sam@acme.example'); // still active: in no ended list
    const { rows } = await ledger({ filter: 'ended' });
    const how = Object.fromEntries(rows.map((r) => [r.id, r.ended]));
    expect(how[ids.expired]).toMatchObject({ how: 'expired', by: null });
    expect(how[ids.revoked]).toEqual({ how: 'revoked', by: 'sam@acme.example', channel: 'cli', note: 'moved teams' });
    expect(how[ids.review]).toMatchObject({ how: 'review', note: 'campaign #3 "Q1" — revoked by grace@acme.example (left-team)' });
    expect(how[ids.cancelled]).toEqual({ how: 'cancelled', by: 'hal@acme.example', channel: null, note: 'wrong person' });
    expect(how[ids.extended]).toMatchObject({ how: 'extended' });
    for (const [name, id] of Object.entries(ids)) {
      const page = await ledger({ filter: 'ended', endedHow: name });
      expect([name, page.rows.map((r) => r.id), page.total]).toEqual([name, [id], 1]);
    }
    expect(await dispatch(createHandlers(w.ctx), 'jobs:grants', { filter: 'ended', endedHow: 'never' })).toMatchObject({ ok: false, code: 'bad-input' });
  });

  it('search the role label and filter by connection', async () => {
    const g = heldGrant('ada@acme.example');
    expect((await ledger({ filter: 'all', search: 'figma / view' })).rows.map((r) => r.id)).toEqual([g.id]);
    expect((await ledger({ filter: 'all', connectionId: w.okta })).total).toBe(1);
    expect((await ledger({ filter: 'all', connectionId: w.entra })).total).toBe(0);
  });
});

describe('a removal verified by a later sync', () => {
  it('awaits a sync that started after the end (not one starting at that instant), then is verified by it; drift makes it reappeared', async () => {
    const g = heldGrant('ada@acme.example');
    w.clock.advanceHours(1);
    const endedAt = w.clock.now();
    markEnded(w.ctx.db, g, { reason: 'revoked', by: 'hal@acme.example', note: 'done', channel: 'console' }, 'test', endedAt, 'removed');
    const removal = async () => (await ledger({ filter: 'ended' })).rows.find((r) => r.id === g.id)?.removal;

    seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: new Date(endedAt.getTime() - 1).toISOString(), finishedAt: endedAt.toISOString() });
    seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: endedAt.toISOString(), finishedAt: new Date(endedAt.getTime() + 5000).toISOString() });
    seedSyncRun(w.ctx.db, { connectionId: w.entra, startedAt: new Date(endedAt.getTime() + 1).toISOString() });
    seedSyncRun(w.ctx.db, { connectionId: w.okta, status: 'failed', startedAt: new Date(endedAt.getTime() + 1).toISOString() });
    expect(await removal()).toEqual({ state: 'awaiting' });

    const after = new Date(endedAt.getTime() + 1).toISOString();
    const run = seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: after, finishedAt: new Date(endedAt.getTime() + 9000).toISOString() });
    expect(await removal()).toEqual({ state: 'verified', runId: run, at: after });

    const later = seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: new Date(endedAt.getTime() + 60_000).toISOString() });
    w.ctx.db
      .prepare("INSERT INTO drift (kind, connection_id, group_id, identity_id, grant_id, details, detected_at) VALUES ('reappeared', ?, ?, ?, ?, ?, ?)")
      .run(w.okta, g.group_id, g.identity_id, g.id, JSON.stringify({ syncRunId: later }), '2026-03-02T11:00:00.000Z');
    expect(await removal()).toEqual({ state: 'reappeared', runId: later, at: '2026-03-02T11:00:00.000Z' });
  });

  it('has nothing to verify for a grant cancelled before it was provisioned', async () => {
    const r = createRequest(w.ctx, { beneficiary: { email: 'ada@acme.example' }, role: 'Figma / Viewer', duration: '7d', minutes: null, endsAt: null, justification: 'x' }, { source: 'console', requester: 'hal@acme.example' });
    const g = w.ctx.db.prepare('SELECT * FROM grants WHERE request_id = ?').get(r.id) as GrantRecord;
    setGrant(w.ctx.db, g.id, { status: 'cancelled', ended_at: w.clock.now().toISOString(), end_reason: 'cancelled by hal@acme.example: typo' }, w.clock.now());
    seedSyncRun(w.ctx.db, { connectionId: w.okta, startedAt: new Date(w.clock.now().getTime() + 1000).toISOString() });
    expect((await ledger({ filter: 'ended' })).rows[0]).toMatchObject({ id: g.id, removal: null, ended: { how: 'cancelled' } });
  });
});
