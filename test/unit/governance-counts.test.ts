// The dashboard's governance counts on a real workspace file: pending
// approvals (and those the operator may decide), active time-bound grants,
// grants ending within a day (whatever the notice setting), failed jobs, open
// manual tasks and open drift; readable on a read-only snapshot; and the
// dashboard's connection count leaves Jira out (it is not an identity provider).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { dashboardSummary } from '../../electron/engine/directory/dashboard.js';
import { getGrant } from '../../electron/engine/jobs/grant-store.js';
import { markProvisioned } from '../../electron/engine/jobs/ledger.js';
import { listGrants } from '../../electron/engine/jobs/operations.js';
import { governanceCounts } from '../../electron/engine/requests/governance-summary.js';
import { createRequest, decideRequest } from '../../electron/engine/requests/requests.js';
import { putSettings } from '../../electron/engine/settings/settings.js';
import { seedConnection } from '../fixtures/seed-snapshot.js';
import { addApp, addRole, buildWorld, type RequestsWorld } from './request-fixture.js';

let w: RequestsWorld;
let viewer: number;
let admin: number;

beforeEach(() => {
  w = buildWorld();
  const { db } = w.ctx;
  const figma = addApp(db, 'Figma', 'owen@acme.example');
  viewer = addRole(db, { appId: figma, name: 'Viewer', risk: 'low', durations: ['1h', '24h', '7d', 'permanent'], groups: [{ connectionId: w.okta, groupId: 'g-figma-view', groupName: 'app-figma-viewers' }] });
  admin = addRole(db, { appId: figma, name: 'Admin', risk: 'medium', groups: [{ connectionId: w.okta, groupId: 'g-figma-ed', groupName: 'app-figma-editors' }] });
  putSettings(db, { expiryNoticeHours: 200 });
});
afterEach(() => w.ws.cleanup());

/** An auto-approved request for `who`, its grant provisioned as the provisioning job does. */
function activeGrant(who: string, duration: '1h' | '24h' | '7d' | 'permanent'): number {
  const r = createRequest(w.ctx, { beneficiary: { email: who }, role: viewer, duration, minutes: null, endsAt: null, justification: 'on call' }, { source: 'console', requester: 'hal@acme.example' });
  const id = (w.ctx.db.prepare('SELECT id FROM grants WHERE request_id = ?').get(r.id) as { id: number }).id;
  const g = getGrant(w.ctx.db, id);
  if (!g) throw new Error('no grant');
  markProvisioned(w.ctx.db, g, 'test:provisioner', w.clock.now(), 'test');
  return id;
}

describe('governance counts', () => {
  it('counts what waits, what is live for a time, what ends within a day, and what went wrong', () => {
    const empty = governanceCounts(w.ctx, 'hal@acme.example');
    expect(empty).toEqual({ pendingApprovals: 0, waitingForOperator: 0, activeTimeBound: 0, expiringSoon: 0, expiringWithinHours: 24, failedJobs: 0, manualTasks: 0, openDrift: 0 });

    // Two pending requests for a manager step: Grace (Ada's manager) may decide one, the operator neither.
    const pending = createRequest(w.ctx, { beneficiary: { email: 'ada@acme.example' }, role: admin, duration: '24h', minutes: null, endsAt: null, justification: 'review' }, { source: 'console', requester: 'hal@acme.example' });
    createRequest(w.ctx, { beneficiary: { email: 'owen@acme.example' }, role: admin, duration: '24h', minutes: null, endsAt: null, justification: 'review' }, { source: 'console', requester: 'hal@acme.example' });
    // Live access: ends in 1 h, in 24 h (the edge of the window: counted), in 7 days; and one permanent.
    activeGrant('ada@acme.example', '1h');
    activeGrant('carl@acme.example', '24h');
    activeGrant('grace@acme.example', '7d');
    activeGrant('nina@acme.example', 'permanent');
    let c = governanceCounts(w.ctx, 'hal@acme.example');
    expect(c.pendingApprovals).toBe(2);
    expect(c.waitingForOperator).toBe(0);
    expect(c.activeTimeBound).toBe(3);
    expect(c.expiringSoon).toBe(2);
    // The notice window (200 h here) is Needs attention's; the card's is a day.
    expect(listGrants(w.ctx, { filter: 'expiring-soon', limit: 1 }).total).toBe(3);
    expect(listGrants(w.ctx, { filter: 'expiring-soon', withinHours: 24, limit: 10 }).rows.map((g) => g.beneficiaryEmail)).toEqual(['ada@acme.example', 'carl@acme.example']);
    // Time-bound: soonest end first, the permanent grant left out.
    expect(listGrants(w.ctx, { filter: 'time-bound', limit: 10 }).rows.map((g) => g.beneficiaryEmail)).toEqual(['ada@acme.example', 'carl@acme.example', 'grace@acme.example']);

    // The operator becomes Grace: one request waits for her.
    expect(governanceCounts(w.ctx, 'grace@acme.example').waitingForOperator).toBe(1);
    decideRequest(w.ctx, pending.id, { decision: 'deny', comment: 'not now', by: 'grace@acme.example', channel: 'console' });
    c = governanceCounts(w.ctx, 'grace@acme.example');
    expect([c.pendingApprovals, c.waitingForOperator]).toEqual([1, 0]);

    // Two hours on: the 1 h grant is past its end (still active until expiry runs): not "expiring", not counted twice.
    w.clock.advanceHours(2);
    c = governanceCounts(w.ctx, 'grace@acme.example');
    expect(c.expiringSoon).toBe(1);

    // What went wrong: a failed job, an open manual task, open drift (resolved drift is not counted).
    const { db } = w.ctx;
    const at = w.clock.now().toISOString();
    db.prepare("UPDATE jobs SET status = 'failed', last_error = 'E0000006: forbidden' WHERE id = (SELECT min(id) FROM jobs)").run();
    db.prepare("INSERT INTO manual_tasks (action, reason, instructions, status, created_at) VALUES ('add', 'group is rule-managed', 'add by hand', 'open', ?)").run(at);
    db.prepare("INSERT INTO drift (kind, connection_id, group_id, identity_id, detected_at) VALUES ('missing', ?, 'g-figma-view', 'u-ada', ?)").run(w.okta, at);
    db.prepare("INSERT INTO drift (kind, connection_id, group_id, identity_id, detected_at, resolved_at, resolution) VALUES ('reappeared', ?, 'g-figma-view', 'u-carl', ?, ?, 'fixed')").run(w.okta, at, at);
    c = governanceCounts(w.ctx, 'grace@acme.example');
    expect([c.failedJobs, c.manualTasks, c.openDrift]).toEqual([1, 1, 1]);
  });

  it('answers on a read-only snapshot (counts are reads) and says null when no operator is set', async () => {
    activeGrant('ada@acme.example', '1h');
    const ro = createHandlers({ ...w.ctx, readOnly: true });
    const res = await dispatch(ro, 'requests:governanceCounts', {});
    expect(res).toMatchObject({ ok: true, value: { activeTimeBound: 1, expiringSoon: 1, waitingForOperator: null } });
  });

  it("leaves Jira out of the dashboard's identity-provider count", () => {
    const before = dashboardSummary(w.ctx.db, { clock: w.clock, readOnly: false, recentRuns: () => [] }).connections;
    expect(before).toBe(2); // Okta and Entra
    seedConnection(w.ctx.db, { name: 'Jira', kind: 'jira', baseUrl: 'https://acme.atlassian.net' });
    expect(dashboardSummary(w.ctx.db, { clock: w.clock, readOnly: false, recentRuns: () => [] }).connections).toBe(2);
  });
});
