// The evidence workbook's ledger sheets on a real workspace synced from the
// sandbox Okta (real HTTP, real SQLite), on a frozen engine clock so every
// instant is exact: a request approved and provisioned; one approved by its
// own requester with no justification; one whose access was in the IdP before
// its approval; grants expired (on time, verified by the next sync; late),
// revoked (verified) and revoked after the last sync (never verified); two
// leavers, one whose access went exactly 24 h after detection (within) and
// one 1 ms later (late); a small access review decided, closed, its
// revocation verified. Each sheet's rows and flags, the period's bounds at
// the exact instant, and the same rows in the same order on a second read.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/db/database.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { offsetClock, type AdjustableClock } from '../../electron/engine/jobs/clock.js';
import { expireDueGrants } from '../../electron/engine/jobs/expiry.js';
import { revokeGrant } from '../../electron/engine/jobs/operations.js';
import { linkJiraIssue } from '../../electron/engine/requests/request-store.js';
import { createRequest, decideRequest } from '../../electron/engine/requests/requests.js';
import { createCampaign, launchCampaign } from '../../electron/engine/reviews/campaigns.js';
import { closeCampaignNow } from '../../electron/engine/reviews/close.js';
import { decideItems, submitDecisions } from '../../electron/engine/reviews/decisions.js';
import { approvalsSheet, LEDGER_SHEETS, requestsSheet } from '../../electron/engine/evidence/sheets-ledger.js';
import { grantsSheet } from '../../electron/engine/evidence/sheets-grants.js';
import { leaversSheet } from '../../electron/engine/evidence/sheets-leavers.js';
import { reviewCampaignsSheet, reviewsSheet } from '../../electron/engine/evidence/sheets-reviews.js';
import type { EvidenceInput, EvidenceRow, EvidenceSheet } from '../../electron/engine/evidence/sheet-types.js';
import { decideInput } from '../../shared/contract-reviews.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, grantOf, jobsWorkspace, pickTarget, type JobsWorkspace } from './job-helpers.js';
import { definition } from './review-helpers.js';

const dir = tempDir('latchkey-evidence-ledger-');
const MIN = 60_000;
const HOUR = 60 * MIN;
const BOB = 'bob.approver@example.com';
const GRACE = 'grace.reviewer@example.com';
let sandbox: Sandbox;
let w: JobsWorkspace;
let clock: AdjustableClock;
let roleId: number;
const used = new Set<string>();
const t: Record<string, string> = {};
const ids: Record<string, number> = {};
const id = (k: string): number => ids[k] as number;

const now = (): string => clock.now().toISOString();
const sync = async (): Promise<number> => {
  const s = await (await syncAndReconcile(w.ctx, w.okta.id, { full: true })).done;
  expect(s.status).toBe('succeeded');
  return s.id;
};
const user = (): { userId: string; email: string; groupId: string; groupName: string } => pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used });
const beneficiary = (u: { userId: string; email: string }): { connectionId: number; identityId: string; email: string; name: string } => ({
  connectionId: w.okta.id,
  identityId: u.userId,
  email: u.email,
  name: u.email,
});
const grantOfRequest = (requestId: number): number => w.db.prepare('SELECT id FROM grants WHERE request_id = ?').pluck().get(requestId) as number;

const input = (over: Partial<EvidenceInput> = {}): EvidenceInput => ({
  db: w.db,
  from: t.start as string,
  to: t.end as string,
  generatedAt: t.end as string,
  leaverDeadlineHours: 24,
  ...over,
});
const rowsOf = (sheet: EvidenceSheet, i = input()): EvidenceRow[] => [...sheet.rows(i)];
/** A row's cells by header, for readable assertions. */
const named = (sheet: EvidenceSheet, row: EvidenceRow): Record<string, unknown> => Object.fromEntries(sheet.columns.map((c, n) => [c.header, row.cells[n]]));
const find = (sheet: EvidenceSheet, header: string, value: unknown, i = input()): { cells: Record<string, unknown>; flags: readonly string[] } => {
  const hit = rowsOf(sheet, i)
    .map((r) => ({ cells: named(sheet, r), flags: r.flags ?? [] }))
    .filter((r) => r.cells[header] === value);
  expect(hit, `${sheet.name} row with ${header} = ${String(value)}`).toHaveLength(1);
  return hit[0] as { cells: Record<string, unknown>; flags: readonly string[] };
};

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 23, graph: false, jira: false });
  w = await jobsWorkspace(dir, sandbox, { entra: false });
  // Frozen: the instants below are exact; only advance() moves time. An hour after the real first sync.
  const start = Math.ceil((Date.now() + HOUR) / HOUR) * HOUR;
  clock = offsetClock({ now: () => new Date(start) });
  w.ctx.clock = clock;
  w.ctx.channel = 'cli';
  w.ctx.actor = 'admin@example.com';
  t.start = now();
  await sync();
  const g = user();
  used.delete(`${g.groupId}:${g.userId}`);
  t.group = g.groupId;
  roleId = seedRole(w.db, { app: 'Payroll', role: 'Editor', policy: { autoApprove: false, steps: [{ kind: 'named', approvers: [BOB] }], requireEndDateFor: [], pendingTimeoutHours: 168, onTimeout: 'expire', escalateTo: [] }, groups: [{ connectionId: w.okta.id, groupId: g.groupId, groupName: g.groupName }] }, clock.now());

  // A: asked by alice, approved by bob a minute later, provisioned a minute after that.
  clock.advance(MIN);
  const a = user();
  ids.a = createRequest(w.ctx, { beneficiary: { connectionId: w.okta.id, identityId: a.userId }, role: roleId, duration: 'permanent', justification: 'quarterly payroll run' }, { source: 'cli', requester: 'alice@example.com' }).id;
  t.aCreated = now();
  clock.advance(MIN);
  decideRequest(w.ctx, ids.a, { decision: 'approve', comment: 'fine', by: BOB, channel: 'cli' });
  t.aApproved = now();
  clock.advance(MIN);
  await runJobs(w.ctx, FAST);
  t.aProvisioned = now();

  // B: approved, then (as an old record would show it) decided by its own requester, and without a justification.
  const b = user();
  ids.b = createRequest(w.ctx, { beneficiary: { connectionId: w.okta.id, identityId: b.userId }, role: roleId, duration: 'permanent', justification: 'x' }, { source: 'cli', requester: 'carol@example.com' }).id;
  decideRequest(w.ctx, ids.b, { decision: 'approve', comment: 'self', by: BOB, channel: 'cli' });
  w.db.prepare("UPDATE approvals SET decided_by = 'Carol@Example.com' WHERE request_id = ?").run(ids.b);
  w.db.prepare("UPDATE requests SET justification = '  ' WHERE id = ?").run(ids.b);
  clock.advance(MIN);
  await runJobs(w.ctx, FAST);

  // F: bob's approval given by e-mail, recorded by the operator with why and the evidence; still pending provisioning.
  ids.f = createRequest(w.ctx, { beneficiary: { connectionId: w.okta.id, identityId: user().userId }, role: roleId, duration: '24h', justification: 'audit support' }, { source: 'cli', requester: 'alice@example.com' }).id;
  decideRequest(w.ctx, ids.f, { decision: 'deny', comment: 'not needed', by: BOB, channel: 'console', recorded: { by: 'admin@example.com', reason: 'answered by e-mail', evidence: 'message-id <x1@example.com>' } });

  // C: auto-approved and provisioned; its approval then recorded 1 ms after the access was given. D: recorded at the same instant (not flagged).
  const [c, d] = seedApprovedRequests(w.db, { roleId, beneficiaries: [beneficiary(user()), beneficiary(user())], durationMinutes: null, now: clock.now() }) as [number, number];
  ids.c = c;
  ids.d = d;
  clock.advance(MIN);
  await runJobs(w.ctx, FAST);
  for (const [id, ms] of [[c, 1], [d, 0]] as const) {
    const at = new Date(Date.parse(grantOf(w.db, grantOfRequest(id)).provisioned_at as string) + ms).toISOString();
    w.db.prepare('UPDATE approvals SET decided_at = ? WHERE request_id = ?').run(at, id);
    w.db.prepare('UPDATE requests SET decided_at = ? WHERE id = ?').run(at, id);
  }

  // E expires after 2 h and is removed on time; L after 30 min but is removed with E, 90 min late.
  const [e] = seedApprovedRequests(w.db, { roleId, beneficiaries: [beneficiary(user())], durationMinutes: 120, now: clock.now() }) as [number];
  const [l] = seedApprovedRequests(w.db, { roleId, beneficiaries: [beneficiary(user())], durationMinutes: 30, now: clock.now() }) as [number];
  ids.e = grantOfRequest(e);
  ids.l = grantOfRequest(l);
  await runJobs(w.ctx, FAST);
  clock.advance(2 * HOUR);
  expireDueGrants(w.ctx);
  await runJobs(w.ctx, FAST);
  t.expired = now();
  // B's grant revoked by hand; the next sync verifies both removals.
  ids.bGrant = grantOfRequest(ids.b);
  revokeGrant(w.ctx, ids.bGrant, { reason: 'no longer needed' });
  t.bRevokeAsked = now();
  clock.advance(MIN);
  await runJobs(w.ctx, FAST);
  clock.advance(MIN);
  ids.verifyingRun = await sync();
  t.verifyingRun = now();

  // Leavers: two accounts with access, deactivated and suspended in Okta, detected by one sync.
  const [l1, l2] = [user(), user()];
  const [r1, r2] = seedApprovedRequests(w.db, { roleId, beneficiaries: [beneficiary(l1), beneficiary(l2)], durationMinutes: null, now: clock.now() }) as [number, number];
  await runJobs(w.ctx, FAST);
  ids.leaver1 = grantOfRequest(r1);
  ids.leaver2 = grantOfRequest(r2);
  t.l1 = l1.userId;
  t.l2 = l2.userId;
  // A third holds the mapped group outside the process (no grant): removed in Okta by hand 25 h after detection.
  t.l3 = w.db
    .prepare(
      `SELECT m.identity_id FROM cur_memberships m JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id
       WHERE m.connection_id = ? AND m.group_id = ? AND i.status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.identity_id = m.identity_id)
       ORDER BY m.identity_id DESC LIMIT 1`,
    )
    .pluck()
    .get(w.okta.id, t.group) as string;
  sandbox.mutations.setUserStatus(l1.userId, 'DEPROVISIONED');
  sandbox.mutations.setUserStatus(l2.userId, 'SUSPENDED');
  sandbox.mutations.setUserStatus(t.l3, 'DEPROVISIONED');
  clock.advance(MIN);
  ids.leaverRun = await sync();
  t.detected = now();
  clock.advance(24 * HOUR);
  revokeGrant(w.ctx, ids.leaver1, { reason: 'leaver' });
  await runJobs(w.ctx, FAST);
  clock.advance(1);
  revokeGrant(w.ctx, ids.leaver2, { reason: 'leaver' });
  await runJobs(w.ctx, FAST);
  clock.advance(HOUR - MIN - 1);
  sandbox.mutations.removeMembership(t.group, t.l3);

  // A small review of the role's group: one revoke, two kept in one action, the rest kept by default at close; the revocation verified by a sync.
  clock.advance(MIN);
  await sync();
  const campaign = createCampaign(w.ctx, definition({ name: 'Payroll Q4', scope: { roleIds: [roleId] }, reviewers: { stage1: { kind: 'named', named: [GRACE] }, fallback: 'fallback@example.com' } }, clock.now()));
  ids.campaign = campaign.id;
  launchCampaign(w.ctx, campaign.id, {});
  // Memberships held outside the process (no grant): revoking one adopts it on the ledger and leaves the grants above as they are.
  const items = w.db.prepare('SELECT id FROM review_items WHERE campaign_id = ? AND grant_id IS NULL ORDER BY id').pluck().all(campaign.id) as number[];
  expect(items.length).toBeGreaterThanOrEqual(4);
  ids.revokedItem = items[0] as number;
  ids.bulk1 = items[1] as number;
  ids.bulk2 = items[2] as number;
  clock.advance(MIN);
  decideItems(w.ctx, decideInput.parse({ campaignId: campaign.id, itemIds: [ids.revokedItem], decision: 'revoke', reasonCode: 'left-team' }), { reviewer: GRACE });
  clock.advance(MIN);
  decideItems(w.ctx, decideInput.parse({ campaignId: campaign.id, itemIds: [ids.bulk1, ids.bulk2], decision: 'keep', reasonCode: 'still-needed' }), { reviewer: GRACE });
  submitDecisions(w.ctx, campaign.id, { reviewer: GRACE });
  clock.advance(MIN);
  await closeCampaignNow(w.ctx, campaign.id, 'admin@example.com');
  await runJobs(w.ctx, FAST);
  clock.advance(MIN);
  ids.reviewRun = await sync();

  // C's grant revoked after the last sync: ended, never verified.
  clock.advance(MIN);
  ids.cGrant = grantOfRequest(ids.c);
  revokeGrant(w.ctx, ids.cGrant, { reason: 'moved team' });
  await runJobs(w.ctx, FAST);
  t.end = now();
  // A's Jira issue (linked last: no write-back jobs run against a Jira this test has none of).
  const jira = w.db
    .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('Jira', 'jira', 'https://jira.example.test/', 'token', ?, ?) RETURNING id")
    .pluck()
    .get(t.end, t.end) as number;
  linkJiraIssue(w.db, ids.a, { connectionId: jira, key: 'ACC-7', id: '10007' }, clock.now());
}, 180_000);
afterAll(async () => {
  await sandbox.close();
});

describe('Requests and Approvals', () => {
  it('lists every request of the period with its Jira link and flags a missing justification', () => {
    const a = find(requestsSheet, 'Request', ids.a);
    expect(a.cells).toMatchObject({ Requester: 'alice@example.com', Role: 'Payroll / Editor', Duration: 'permanent', Justification: 'quarterly payroll run', State: 'approved', Source: 'cli' });
    expect(a.cells['Jira issue']).toEqual({ text: 'ACC-7', link: 'https://jira.example.test/browse/ACC-7' });
    expect(a.cells['Created at (UTC)']).toEqual(new Date(t.aCreated as string));
    expect(a.cells['Decided at (UTC)']).toEqual(new Date(t.aApproved as string));
    expect(String(a.cells.Groups)).not.toBe('');
    expect(a.flags).toEqual([]);
    expect(find(requestsSheet, 'Request', ids.b).flags).toEqual(['no justification']);
    expect(requestsSheet.reconcile?.(input(), rowsOf(requestsSheet).length)).toEqual([{ what: 'requests created in the period', expected: 9, actual: 9 }]);
  });

  it('includes a request created exactly at the period end and leaves it out 1 ms later; the same at the start', () => {
    const at = t.aCreated as string;
    const before = new Date(Date.parse(at) - 1).toISOString();
    const after = new Date(Date.parse(at) + 1).toISOString();
    const idsIn = (from: string, to: string): unknown[] => rowsOf(requestsSheet, input({ from, to })).map((r) => r.cells[0]);
    expect(idsIn(t.start as string, at)).toEqual([ids.a]);
    expect(idsIn(t.start as string, before)).toEqual([]);
    expect(idsIn(at, at)).toEqual([ids.a]);
    expect(idsIn(after, t.end as string)).not.toContain(ids.a);
  });

  it('shows each approval step and flags self-approval and access given before the approval (not at the same instant)', () => {
    const a = find(approvalsSheet, 'Request', ids.a);
    // Entered at the CLI by the operator for bob: both named.
    expect(a.cells).toMatchObject({ Step: 1, Kind: 'named', 'Eligible approvers': BOB, Decision: 'approved', Approver: BOB, Channel: 'cli', Comment: 'fine', 'Recorded by': 'admin@example.com' });
    expect(a.cells['Access provisioned at (UTC)']).toEqual(new Date(t.aProvisioned as string));
    expect(a.cells['Hours from decision to access']).toBe(0.02);
    expect(a.flags).toEqual([]);
    expect(find(approvalsSheet, 'Request', ids.b).flags).toEqual(['approver is the requester']);
    const c = find(approvalsSheet, 'Request', ids.c);
    expect(c.flags).toHaveLength(1);
    expect(c.flags[0]).toMatch(/^access granted at .*, before this approval at /);
    expect(find(approvalsSheet, 'Request', ids.d).flags).toEqual([]);
    expect(find(approvalsSheet, 'Request', ids.f).cells).toMatchObject({ Decision: 'denied', Approver: BOB, Channel: 'console', 'Recorded by': 'admin@example.com', 'Recorded because': 'answered by e-mail', 'Evidence reference': 'message-id <x1@example.com>', 'Access provisioned at (UTC)': null, 'Hours from decision to access': null });
    expect(find(requestsSheet, 'Request', ids.f).cells).toMatchObject({ Duration: '24h', State: 'denied' });
    const rows = rowsOf(approvalsSheet);
    expect(approvalsSheet.reconcile?.(input(), rows.length)).toEqual([{ what: 'approval steps of the requests created in the period', expected: rows.length, actual: rows.length }]);
    expect(rows.filter((r) => approvalsSheet.sample?.accepts(r))).toHaveLength(rows.length);
  });
});

describe('Grants', () => {
  it('expiry on time and verified by the next sync; 90 min late flagged; a revoke verified; a revoke after the last sync never verified', () => {
    const e = find(grantsSheet, 'Grant', ids.e);
    expect(e.cells).toMatchObject({ Status: 'expired', 'Ended how': 'expiry', 'Hours from due to removal': 0, 'Verified by sync run': ids.verifyingRun, 'Provisioning job': 'succeeded', 'Provisioning attempts': 1 });
    expect(e.cells['Ended at (UTC)']).toEqual(new Date(t.expired as string));
    expect(e.cells['Verified at (UTC)']).toEqual(new Date(t.verifyingRun as string));
    expect(String(e.cells['Provisioning attempt log'])).toMatch(/^#1 succeeded HTTP 20\d at /);
    expect(e.cells['In the period']).toBe('granted, due, ended');
    expect(e.flags).toEqual([]);

    const l = find(grantsSheet, 'Grant', ids.l);
    expect(l.cells).toMatchObject({ 'Ended how': 'expiry', 'Hours from due to removal': 1.5, 'Verified by sync run': ids.verifyingRun });
    expect(l.flags).toEqual(['removed 1.5 h after it was due (tolerance 1 h)']);

    const b = find(grantsSheet, 'Grant', ids.bGrant);
    expect(b.cells).toMatchObject({ 'Ended how': 'revoke', 'Hours from due to removal': 0.02, 'Verified by sync run': ids.verifyingRun });
    expect(b.cells['Revocation requested at (UTC)']).toEqual(new Date(t.bRevokeAsked as string));
    expect(b.flags).toEqual([]);

    const c = find(grantsSheet, 'Grant', ids.cGrant);
    expect(c.cells).toMatchObject({ 'Ended how': 'revoke', 'Verified by sync run': null, Verification: 'not verified: no successful sync of the connection since the removal' });
    expect(c.flags).toEqual(['ended but never verified by a sync']);

    const active = find(grantsSheet, 'Grant', grantOfRequest(id('a')));
    expect(active.cells).toMatchObject({ Status: 'active', 'Ended how': null, Verification: null });
    expect(active.flags).toEqual([]);
    const rows = rowsOf(grantsSheet);
    expect(grantsSheet.reconcile?.(input(), rows.length)?.[0]).toMatchObject({ expected: rows.length });
  });

  it('a grant that ended exactly at the period end is in; 1 ms earlier end of period leaves only what else happened to it', () => {
    const ended = grantOf(w.db, id('cGrant')).ended_at as string;
    const rowIds = (from: string, to: string): unknown[] => rowsOf(grantsSheet, input({ from, to })).map((r) => r.cells[0]);
    expect(rowIds(ended, ended)).toContain(ids.cGrant);
    expect(rowIds(new Date(Date.parse(ended) + 1).toISOString(), t.end as string)).not.toContain(ids.cGrant);
  });
});

describe('Leavers', () => {
  it('measures from the detecting sync: exactly 24 h is within the deadline, 1 ms more is late', () => {
    const l1 = find(leaversSheet, 'Account ID', t.l1);
    expect(l1.cells).toMatchObject({ Event: 'deactivated', 'Status after': 'DEPROVISIONED', 'Detected by sync run': ids.leaverRun, 'Latchkey grants live at detection': 1, 'Grants not ended': 0, 'Hours taken': 24, 'Within deadline': true, 'Mapped-group memberships still held': 0 });
    expect(l1.cells['Detected at (UTC)']).toEqual(new Date(t.detected as string));
    expect(l1.cells['Access removed at (UTC)']).toEqual(new Date(Date.parse(t.detected as string) + 24 * HOUR));
    expect(l1.flags).toEqual([]);
    const l2 = find(leaversSheet, 'Account ID', t.l2);
    expect(l2.cells).toMatchObject({ Event: 'suspended', 'Status after': 'SUSPENDED', 'Within deadline': false });
    expect(l2.cells['Access removed at (UTC)']).toEqual(new Date(Date.parse(t.detected as string) + 24 * HOUR + 1));
    expect(l2.flags).toEqual(['access removed 24 h after detection, deadline 24 h']);
    // A longer deadline, and the leavers' access not yet removed as the sheet sees it when their grants are reopened.
    expect(find(leaversSheet, 'Account ID', t.l2, input({ leaverDeadlineHours: 25 })).cells['Within deadline']).toBe(true);
    // Held outside the process: its removal is the sync that no longer saw the membership, 25 h after detection.
    const l3 = find(leaversSheet, 'Account ID', t.l3);
    expect(l3.cells).toMatchObject({ Event: 'deactivated', 'Latchkey grants live at detection': 0, 'Mapped-group memberships removed': 1, 'Mapped-group memberships still held': 0, 'Hours taken': 25, 'Within deadline': false });
    expect(l3.flags).toEqual(['access removed 25 h after detection, deadline 24 h']);
    const rows = rowsOf(leaversSheet);
    expect(rows).toHaveLength(3);
    expect(leaversSheet.reconcile?.(input(), 3)).toEqual([{ what: 'leavers recorded by syncs that started in the period, and leaver plans effective in it', expected: 3, actual: 3 }]);
  });

  it('flags access still held, and takes a detection exactly at the period end (not 1 ms before it)', () => {
    w.db.prepare('UPDATE grants SET ended_at = NULL WHERE id = ?').run(ids.leaver1);
    try {
      const l1 = find(leaversSheet, 'Account ID', t.l1);
      expect(l1.cells['Within deadline']).toBe(false);
      expect(l1.flags).toEqual(['access not removed: 1 grant(s) not ended, 0 mapped-group membership(s) still held']);
    } finally {
      w.db.prepare('UPDATE grants SET ended_at = ? WHERE id = ?').run(new Date(Date.parse(t.detected as string) + 24 * HOUR).toISOString(), ids.leaver1);
    }
    const runStart = w.db.prepare('SELECT started_at FROM sync_runs WHERE id = ?').pluck().get(ids.leaverRun) as string;
    expect(rowsOf(leaversSheet, input({ to: runStart }))).toHaveLength(3);
    expect(rowsOf(leaversSheet, input({ to: new Date(Date.parse(runStart) - 1).toISOString() }))).toHaveLength(0);
  });
});

describe('Reviews', () => {
  it('one row per decision with reviewer, channel, bulk, default and the verified remediation; the campaign row with its proof', () => {
    const revoked = find(reviewsSheet, 'Item', ids.revokedItem);
    expect(revoked.cells).toMatchObject({ Campaign: ids.campaign, 'Campaign name': 'Payroll Q4', Decision: 'revoke', Reason: 'left-team', 'Decided by': GRACE, 'Assigned reviewer': GRACE, Channel: 'cli', State: 'submitted', Bulk: false, 'Applied by default': false, Remediation: 'revoke', 'Remediation status': 'verified', 'Verified by sync run': ids.reviewRun });
    expect(String(revoked.cells['Population hash'])).toMatch(/^[0-9a-f]{64}$/);
    expect(revoked.flags).toEqual([]);
    expect(find(reviewsSheet, 'Item', ids.bulk1).cells).toMatchObject({ Decision: 'keep', Bulk: true, 'Applied by default': false });
    const rows = rowsOf(reviewsSheet).map((r) => named(reviewsSheet, r));
    const defaults = rows.filter((r) => r['Applied by default'] === true);
    expect(defaults.length).toBe(rows.length - 3);
    const [items, perRow] = reviewsSheet.reconcile?.(input(), rows.length) ?? [];
    expect(items?.expected).toBe(items?.actual);
    expect(perRow).toMatchObject({ expected: rows.length, actual: rows.length });
    expect(rowsOf(reviewsSheet).filter((r) => reviewsSheet.sample?.accepts(r))).toHaveLength(rows.length);

    const c = find(reviewCampaignsSheet, 'Campaign', ids.campaign);
    expect(c.cells).toMatchObject({ Name: 'Payroll Q4', 'Launched by': 'admin@example.com', Items: rows.length, 'Population count': rows.length, Revoked: 1, Revocations: 1, 'Revocations verified': 1, 'Applied by default': rows.length - 3 });
    expect(String(c.cells['Population by connection'])).toMatch(new RegExp(`^Okta: ${rows.length} of ${rows.length} \\(sync run #\\d+`));
    expect(c.flags).toEqual([]);
  });
});

describe('every ledger sheet', () => {
  it('gives the same rows in the same order twice, in id order, with cells the contract allows and as many as its columns', () => {
    for (const sheet of LEDGER_SHEETS) {
      const first = rowsOf(sheet);
      expect(rowsOf(sheet), sheet.name).toEqual(first);
      for (const r of first) {
        expect(r.cells, sheet.name).toHaveLength(sheet.columns.length);
        sheet.columns.forEach((col, n) => {
          const v = r.cells[n];
          if (v === null) return;
          if (col.type === 'date') expect(v instanceof Date && !Number.isNaN(v.getTime()), `${sheet.name} ${col.header}`).toBe(true);
          if (col.type === 'integer') expect(Number.isInteger(v), `${sheet.name} ${col.header}`).toBe(true);
          if (col.type === 'boolean') expect(typeof v, `${sheet.name} ${col.header}`).toBe('boolean');
        });
      }
      expect(sheet.name.length).toBeLessThanOrEqual(31);
    }
    const grantIds = rowsOf(grantsSheet).map((r) => r.cells[0] as number);
    expect(grantIds).toEqual([...grantIds].sort((x, y) => x - y));
  });

  it('reads a million-row population without sorting it: the items, grants, requests and approvals in id order straight from their tables', () => {
    const plans: string[] = [];
    const spy = new Proxy(w.db, {
      get(target, key) {
        if (key !== 'prepare') return Reflect.get(target, key) as unknown;
        return (sql: string) => {
          if (/\bFROM (review_items|grants|requests)\b/.test(sql) && /ORDER BY/.test(sql)) {
            const detail = target.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ from: t.start, to: t.end }) as { detail: string }[];
            plans.push(detail.map((d) => d.detail).join('\n'));
          }
          return target.prepare(sql);
        };
      },
    });
    for (const sheet of [requestsSheet, approvalsSheet, grantsSheet, reviewsSheet]) rowsOf(sheet, input({ db: spy }));
    expect(plans).toHaveLength(4);
    for (const p of plans) expect(p).not.toMatch(/TEMP B-TREE FOR (RIGHT PART OF |LAST \d+ TERMS OF )?ORDER BY/);
  });

  it('gives the same rows from a copy of the file opened read-only', () => {
    const copy = path.join(dir, 'evidence-copy.latchkey');
    w.db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    fs.copyFileSync(w.ctx.dbPath, copy);
    const ro = openDatabase(copy, { readOnly: true });
    try {
      for (const sheet of LEDGER_SHEETS) expect(rowsOf(sheet, input({ db: ro })), sheet.name).toEqual(rowsOf(sheet));
    } finally {
      ro.close();
    }
  });
});
