// Recommendations and reviewers on a synced sandbox workspace: the inactivity
// thresholds (30 / 90 / 14 days) at the exact instant, the peer-outlier rule
// (10% / 5 people) at its edges, reviewers with fallback and never
// self-review, and — after a real incremental sync — refreshed
// recommendations ("changed since launch") and a leaver's items moved to the
// fallback, recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewItemsQuery, type RecommendationReasonCode } from '../../shared/contract-reviews.js';
import type { CampaignDefinition } from '../../shared/contract-reviews.js';
import { groupOwners } from '../../electron/engine/directory/snapshot-lookups.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { createCampaign, launchCampaign } from '../../electron/engine/reviews/campaigns.js';
import { launchReasonsOf, SAME_AS_REASONS } from '../../electron/engine/reviews/item-store.js';
import { listItems } from '../../electron/engine/reviews/items.js';
import { decodeReasons, reasonsJson } from '../../electron/engine/reviews/reason-codes.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { DAY, definition, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-review-recs-');
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 33, graph: false });
  w = await reviewWorkspace(dir, sandbox);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

type Item = { id: number; identity_id: string; group_id: string; reviewer: string; reviewer_source: string; reviewer_note: string | null; reasons: string; launch_reasons: string; recommendation: string; peer_pct: number | null; recommendation_changed_at: string | null };
const itemsOf = (campaignId: number): Item[] => w.db.prepare('SELECT * FROM review_items WHERE campaign_id = ? ORDER BY id').all(campaignId) as Item[];
const codes = (i: Item | undefined): RecommendationReasonCode[] => decodeReasons(i?.reasons ?? '~').map((r) => r.code);
const itemOf = (campaignId: number, identityId: string): Item | undefined => itemsOf(campaignId).find((i) => i.identity_id === identityId);

/** Hand-managed groups with their ACTIVE members and non-members, biggest first. */
function groupsBySize(): { id: string; name: string; members: string[] }[] {
  const groups = w.db.prepare(`SELECT id, name FROM cur_groups WHERE connection_id = ? AND managed_by = 'direct' ORDER BY id`).all(w.okta.id) as { id: string; name: string }[];
  return groups
    .map((g) => ({
      ...g,
      members: w.db
        .prepare(`SELECT i.id FROM cur_memberships m JOIN cur_identities i ON i.connection_id = m.connection_id AND i.id = m.identity_id WHERE m.connection_id = ? AND m.group_id = ? AND i.status = 'ACTIVE' ORDER BY i.id`)
        .pluck()
        .all(w.okta.id, g.id) as string[],
    }))
    .sort((a, b) => b.members.length - a.members.length);
}
function nonMembers(groupId: string, n: number): string[] {
  return w.db
    .prepare(
      `SELECT i.id FROM cur_identities i WHERE i.connection_id = ? AND i.status = 'ACTIVE'
         AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.connection_id = i.connection_id AND m.group_id = ? AND m.identity_id = i.id) ORDER BY i.id LIMIT ?`,
    )
    .pluck()
    .all(w.okta.id, groupId, n) as string[];
}
/** Test set-up writes straight into the live snapshot generation (the sync area owns these rows in the product). */
function setIdentity(id: string, patch: Record<string, string | null>): void {
  const sets = Object.keys(patch).map((k) => `${k} = @${k}`).join(', ');
  w.db.prepare(`UPDATE identities SET ${sets} WHERE connection_id = @c AND id = @id AND gen = (SELECT live_gen FROM connections WHERE id = @c)`).run({ ...patch, c: w.okta.id, id });
}
const emailOf = (id: string): string => w.db.prepare('SELECT lower(email) FROM cur_identities WHERE connection_id = ? AND id = ?').pluck().get(w.okta.id, id) as string;

function launchOn(groupId: string, over: Partial<CampaignDefinition> = {}, at?: Date): number {
  const clock = w.ctx.clock;
  if (at) w.ctx.clock = { now: () => at };
  try {
    const c = createCampaign(w.ctx, definition({ scope: { groups: [{ connectionId: w.okta.id, groupId }] }, ...over }, w.ctx.clock.now()));
    return launchCampaign(w.ctx, c.id, {}).id;
  } finally {
    w.ctx.clock = clock;
  }
}

describe('inactivity thresholds at the exact instant', () => {
  it('no sign-in for 30 days (look) and 90 days (revoke); never signed in and created 14 days ago (look)', () => {
    const g = groupsBySize()[0] as { id: string; members: string[] };
    const T = new Date(Math.floor(w.ctx.clock.now().getTime() / 1000) * 1000);
    const [a, b, c, d, e, f] = g.members as [string, string, string, string, string, string];
    const iso = (ms: number): string => new Date(ms).toISOString();
    setIdentity(a, { last_login: iso(T.getTime() - 30 * DAY) });
    setIdentity(b, { last_login: iso(T.getTime() - 30 * DAY + 1) });
    setIdentity(c, { last_login: iso(T.getTime() - 90 * DAY) });
    setIdentity(d, { last_login: iso(T.getTime() - 90 * DAY + 1) });
    setIdentity(e, { last_login: null, created: iso(T.getTime() - 14 * DAY) });
    // Graph's format (no milliseconds) compares the same as Okta's.
    setIdentity(f, { last_login: null, created: iso(T.getTime() - 14 * DAY + 1000).replace('.000Z', 'Z') });
    const id = launchOn(g.id, {}, T);
    expect(codes(itemOf(id, a))).toContain('no-sign-in');
    expect(decodeReasons(itemOf(id, a)?.reasons ?? '~')).toContainEqual({ code: 'no-sign-in', text: `no sign-in for 30 days or more (last ${iso(T.getTime() - 30 * DAY).slice(0, 10)})` });
    expect(codes(itemOf(id, b))).not.toContain('no-sign-in');
    expect(itemOf(id, c)?.recommendation).toBe('revoke');
    expect(codes(itemOf(id, c))).toContain('no-sign-in');
    expect(itemOf(id, d)?.recommendation).not.toBe('revoke');
    expect(codes(itemOf(id, d))).toContain('no-sign-in'); // past 30 days: still "look"
    expect(codes(itemOf(id, e))).toContain('never-signed-in');
    expect(itemOf(id, e)?.recommendation).toBe('look');
    expect(codes(itemOf(id, f))).not.toContain('never-signed-in');
  });
});

describe('what is behind the access', () => {
  it('recently approved, an expired grant still present, a contractor past their end date', () => {
    const g = groupsBySize()[7] as { id: string; name: string; members: string[] };
    const [approved, expired, contractor] = g.members as [string, string, string];
    const T = w.ctx.clock.now();
    const roleId = seedRole(w.db, { app: 'Ledger', role: 'Member', risk: 'low', groups: [{ connectionId: w.okta.id, groupId: g.id, groupName: g.name }] }, T);
    seedApprovedRequests(w.db, { roleId, beneficiaries: [approved, expired].map((id) => ({ connectionId: w.okta.id, identityId: id, email: emailOf(id), name: id })), durationMinutes: null, now: T });
    w.db.prepare("UPDATE grants SET status = 'expired', ended_at = ? WHERE connection_id = ? AND group_id = ? AND identity_id = ?").run(T.toISOString(), w.okta.id, g.id, expired);
    setIdentity(contractor, { employee_type: 'Contractor', profile: JSON.stringify({ endDate: new Date(T.getTime() - DAY).toISOString().slice(0, 10) }) });
    const id = launchOn(g.id);
    const a = itemOf(id, approved);
    expect(codes(a)).toContain('recently-approved');
    expect(codes(a)).not.toContain('outside-process');
    const e = itemOf(id, expired);
    expect(codes(e)).toContain('expired-grant-present');
    expect(codes(e)).not.toContain('outside-process');
    expect(e?.recommendation).toBe('revoke');
    const c = itemOf(id, contractor);
    expect(codes(c)).toContain('past-end-date');
    expect(c?.recommendation).toBe('revoke');
  });
});

describe('moved since the grant', () => {
  it('a department or manager change recorded by a sync that started after the grant, at the exact instant; a title change or an earlier move is not', () => {
    const g = groupsBySize()[8] as { id: string; name: string; members: string[] };
    const [before, atGrant, dept, manager, title] = g.members as [string, string, string, string, string];
    const T = w.ctx.clock.now();
    const G = new Date(T.getTime() - 10 * DAY);
    const roleId = seedRole(w.db, { app: 'Atlas', role: 'Member', risk: 'low', groups: [{ connectionId: w.okta.id, groupId: g.id, groupName: g.name }] }, G);
    seedApprovedRequests(w.db, { roleId, beneficiaries: [before, atGrant, dept, manager, title].map((id) => ({ connectionId: w.okta.id, identityId: id, email: emailOf(id), name: id })), durationMinutes: null, now: G });
    const granted = w.db.prepare('SELECT coalesce(provisioned_at, starts_at) FROM grants WHERE connection_id = ? AND group_id = ? AND identity_id = ?').pluck().get(w.okta.id, g.id, dept) as string;
    expect(granted).toBe(G.toISOString());
    // One recorded change per person, each in its own sync run, started at the instant given.
    const runs: number[] = [];
    const change = (identityId: string, field: string, startedAt: number): void => {
      const run = w.db
        .prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at) VALUES (?, 'incremental', 'succeeded', (SELECT live_gen FROM connections WHERE id = ?), ?, ?) RETURNING id")
        .pluck()
        .get(w.okta.id, w.okta.id, new Date(startedAt).toISOString(), new Date(startedAt + 1000).toISOString()) as number;
      w.db
        .prepare("INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, field, before, after) VALUES (?, ?, 'attribute', 'user', ?, ?, 'old', 'new')")
        .run(run, w.okta.id, identityId, field);
      runs.push(run);
    };
    change(before, 'department', G.getTime() - DAY);
    change(atGrant, 'department', G.getTime());
    change(dept, 'department', G.getTime() + 1);
    change(manager, 'manager', G.getTime() + DAY);
    change(title, 'title', G.getTime() + DAY);
    // The connection's latest run is fresh again (the runs above are in the past: launch would call the data stale).
    runs.push(
      w.db
        .prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at) VALUES (?, 'incremental', 'succeeded', (SELECT live_gen FROM connections WHERE id = ?), ?, ?) RETURNING id")
        .pluck()
        .get(w.okta.id, w.okta.id, new Date(T.getTime() - 1000).toISOString(), T.toISOString()) as number,
    );
    let id: number;
    try {
      id = launchOn(g.id);
    } finally {
      // The later tests sync for real: these hand-made runs go (their changes with them, ON DELETE CASCADE).
      w.db.prepare('DELETE FROM sync_runs WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(runs));
    }
    expect(codes(itemOf(id, before))).not.toContain('moved-since-grant');
    expect(codes(itemOf(id, atGrant))).not.toContain('moved-since-grant');
    expect(decodeReasons(itemOf(id, dept)?.reasons ?? '~')).toContainEqual({ code: 'moved-since-grant', text: 'the department changed since the access was granted' });
    expect(itemOf(id, dept)?.recommendation).not.toBe('keep');
    expect(decodeReasons(itemOf(id, manager)?.reasons ?? '~')).toContainEqual({ code: 'moved-since-grant', text: 'the manager changed since the access was granted' });
    expect(codes(itemOf(id, title))).not.toContain('moved-since-grant');
  });
});

describe('peer outlier', () => {
  it('held by fewer than 10% of the same department and title: 1 of 10 is not, 1 of 11 is', () => {
    const g = groupsBySize()[1] as { id: string; members: string[] };
    const holder = g.members[0] as string;
    const others = nonMembers(g.id, 10);
    for (const id of [holder, ...others.slice(0, 9)]) setIdentity(id, { department: 'Peer Dept', title: 'Peer Title' });
    const ten = launchOn(g.id);
    expect(itemOf(ten, holder)?.peer_pct).toBe(10);
    expect(codes(itemOf(ten, holder))).not.toContain('peer-outlier');
    setIdentity(others[9] as string, { department: 'Peer Dept', title: 'Peer Title' });
    const eleven = launchOn(g.id);
    expect(itemOf(eleven, holder)?.peer_pct).toBeCloseTo(100 / 11, 6);
    expect(codes(itemOf(eleven, holder))).toContain('peer-outlier');
    expect(itemOf(eleven, holder)?.recommendation).not.toBe('keep');
  });

  it('only when the peer group has at least peerMinGroup people: 4 is too few, 5 is enough', () => {
    const g = groupsBySize()[2] as { id: string; members: string[] };
    const holder = g.members[0] as string;
    const others = nonMembers(g.id, 4);
    const thresholds = { peerPercent: 30, peerMinGroup: 5 };
    for (const id of [holder, ...others.slice(0, 3)]) setIdentity(id, { department: 'Tiny Dept', title: 'Tiny Title' });
    const four = launchOn(g.id, { thresholds: { ...definition({}, new Date()).thresholds, ...thresholds } });
    expect(itemOf(four, holder)?.peer_pct).toBe(25);
    expect(codes(itemOf(four, holder))).not.toContain('peer-outlier');
    setIdentity(others[3] as string, { department: 'Tiny Dept', title: 'Tiny Title' });
    const five = launchOn(g.id, { thresholds: { ...definition({}, new Date()).thresholds, ...thresholds } });
    expect(itemOf(five, holder)?.peer_pct).toBe(20);
    expect(codes(itemOf(five, holder))).toContain('peer-outlier');
  });

  it('counts every peer holding the group, also one the people filters leave out of the campaign', () => {
    const g = groupsBySize()[3] as { id: string; members: string[] };
    const [holder, other] = g.members as [string, string];
    for (const id of [holder, other, ...nonMembers(g.id, 8)]) setIdentity(id, { department: 'Filter Dept', title: 'Filter Title' });
    setIdentity(other, { status: 'SUSPENDED' });
    try {
      const c = createCampaign(w.ctx, definition({ scope: { groups: [{ connectionId: w.okta.id, groupId: g.id }], people: { statuses: ['ACTIVE'] } } }, w.ctx.clock.now()));
      const id = launchCampaign(w.ctx, c.id, {}).id;
      expect(itemOf(id, other)).toBeUndefined();
      // 2 of the 10 people of the same department and title hold it (the suspended one too).
      expect(itemOf(id, holder)?.peer_pct).toBe(20);
    } finally {
      setIdentity(other, { status: 'ACTIVE' });
    }
  });
});

describe('reviewers', () => {
  it('never lets a named reviewer review their own access: the fallback does, with the reason', () => {
    const g = groupsBySize()[3] as { id: string; members: string[] };
    const self = g.members[0] as string;
    const id = launchOn(g.id, { reviewers: { stage1: { kind: 'named', named: [emailOf(self)] }, fallback: 'fallback@example.com' } });
    const own = itemOf(id, self);
    expect(own).toMatchObject({ reviewer: 'fallback@example.com', reviewer_source: 'fallback' });
    expect(own?.reviewer_note).toBe(`${emailOf(self)} is the person under review`);
    expect(itemsOf(id).filter((i) => i.identity_id !== self).every((i) => i.reviewer === emailOf(self) && i.reviewer_source === 'named')).toBe(true);
  });

  it('when the fallback is the person under review too, their manager reviews', () => {
    const g = groupsBySize()[3] as { id: string; members: string[] };
    const self = g.members.find((m) => w.db.prepare('SELECT mg.email FROM cur_identities i JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id WHERE i.connection_id = ? AND i.id = ?').pluck().get(w.okta.id, m)) as string;
    const manager = w.db.prepare('SELECT lower(mg.email) FROM cur_identities i JOIN cur_identities mg ON mg.connection_id = i.connection_id AND mg.id = i.manager_id WHERE i.connection_id = ? AND i.id = ?').pluck().get(w.okta.id, self) as string;
    const id = launchOn(g.id, { reviewers: { stage1: { kind: 'named', named: [emailOf(self)] }, fallback: emailOf(self) } });
    expect(itemOf(id, self)).toMatchObject({ reviewer: manager, reviewer_source: 'fallback' });
    expect(itemOf(id, self)?.reviewer_note).toMatch(/the fallback .* is the person under review: their manager reviews/);
  });

  it('gives an inactive named reviewer\'s items to the fallback, and spreads several named reviewers by person', () => {
    const g = groupsBySize()[4] as { id: string; members: string[] };
    const suspended = w.db.prepare(`SELECT lower(email) FROM cur_identities WHERE connection_id = ? AND status = 'SUSPENDED' AND email IS NOT NULL LIMIT 1`).pluck().get(w.okta.id) as string;
    const id = launchOn(g.id, { reviewers: { stage1: { kind: 'named', named: [suspended] }, fallback: 'fallback@example.com' } });
    expect(itemsOf(id).every((i) => i.reviewer === 'fallback@example.com' && i.reviewer_note === `${suspended} is not active in the identity provider`)).toBe(true);
    const two = launchOn(g.id, { reviewers: { stage1: { kind: 'named', named: ['r1@example.com', 'r2@example.com'] }, fallback: 'fallback@example.com' } });
    const items = itemsOf(two);
    expect(new Set(items.map((i) => i.reviewer))).toEqual(new Set(['r1@example.com', 'r2@example.com']));
    const again = itemsOf(launchOn(g.id, { reviewers: { stage1: { kind: 'named', named: ['r1@example.com', 'r2@example.com'] }, fallback: 'fallback@example.com' } }));
    expect(again.map((i) => [i.identity_id, i.reviewer])).toEqual(items.map((i) => [i.identity_id, i.reviewer]));
  });

  it('owner: the catalog role owner; an unmapped group goes to the fallback, saying why', () => {
    const g = groupsBySize()[5] as { id: string; members: string[] };
    const id = launchOn(g.id, { reviewers: { stage1: { kind: 'owner', named: [] }, fallback: 'fallback@example.com' } });
    expect(itemsOf(id).every((i) => i.reviewer === 'fallback@example.com' && i.reviewer_note === 'the group is not mapped to a catalog role (no owner)')).toBe(true);
    const grp = w.db.prepare('SELECT name FROM cur_groups WHERE connection_id = ? AND id = ?').pluck().get(w.okta.id, g.id) as string;
    w.db.prepare("INSERT INTO catalog_apps (name, owner_email, created_at, updated_at) VALUES ('Owned', 'app.owner@example.com', '2026-01-01', '2026-01-01')").run();
    const roleId = Number(
      w.db
        .prepare(`INSERT INTO catalog_roles (app_id, name, risk, approval_policy, durations, default_duration, created_at, updated_at) VALUES ((SELECT id FROM catalog_apps WHERE name = 'Owned'), 'R', 'low', '{"steps":[]}', '["permanent"]', 'permanent', '2026-01-01', '2026-01-01')`)
        .run().lastInsertRowid,
    );
    w.db.prepare('INSERT INTO catalog_mappings (role_id, connection_id, group_id, group_name, mapped_at) VALUES (?, ?, ?, ?, ?)').run(roleId, w.okta.id, g.id, grp, '2026-01-01');
    const owned = launchOn(g.id, { reviewers: { stage1: { kind: 'owner', named: [] }, fallback: 'fallback@example.com' } });
    expect(itemsOf(owned).every((i) => i.reviewer === 'app.owner@example.com' && i.reviewer_source === 'owner')).toBe(true);
  });
});

describe('group owners', () => {
  it('group-owner: the IdP group\'s active owner reviews; a group without an owner goes to the fallback, saying why', () => {
    const owned = w.db.prepare('SELECT count(*) FROM cur_group_owners WHERE connection_id = ?').pluck().get(w.okta.id) as number;
    expect(owned, 'the synced sandbox org has group owners').toBeGreaterThan(0);
    const withOwner = groupsBySize().find((g) => g.members.length > 1 && groupOwners(w.db, w.okta.id, g.id).some((o) => o.status === 'ACTIVE' && o.email));
    expect(withOwner, 'a hand-managed group with an active owner').toBeDefined();
    const g = withOwner as { id: string; members: string[] };
    const owner = (groupOwners(w.db, w.okta.id, g.id).filter((o) => o.status === 'ACTIVE' && o.email).map((o) => (o.email as string).toLowerCase()).sort())[0];
    const id = launchOn(g.id, { reviewers: { stage1: { kind: 'group-owner', named: [] }, fallback: 'fallback@example.com' } });
    expect(itemsOf(id).filter((i) => i.reviewer_source === 'group-owner').length).toBeGreaterThan(0);
    expect(itemsOf(id).every((i) => (i.reviewer === owner && i.reviewer_source === 'group-owner') || i.reviewer_source === 'fallback')).toBe(true);
    const without = groupsBySize().find((x) => groupOwners(w.db, w.okta.id, x.id).length === 0) as { id: string };
    const none = launchOn(without.id, { reviewers: { stage1: { kind: 'group-owner', named: [] }, fallback: 'fallback@example.com' } });
    expect(itemsOf(none).every((i) => i.reviewer === 'fallback@example.com' && i.reviewer_note === 'the group has no owner in the identity provider')).toBe(true);
  });
});

describe('after a sync', () => {
  it('refreshes recommendations (changed since launch) and moves a leaving reviewer\'s undecided items to the fallback, recorded', async () => {
    const g = groupsBySize()[6] as { id: string; members: string[] };
    const id = launchOn(g.id);
    const items = itemsOf(id);
    // The same group launched again and turned into what a campaign launched before the codes form holds (reasons as JSON, a copy in launch_reasons):
    // the refresh must keep it in its form, write only what changed, and read alike.
    const old = launchOn(g.id);
    for (const i of itemsOf(old)) w.db.prepare('UPDATE review_items SET reasons = ?, launch_reasons = ? WHERE id = ?').run(reasonsJson(i.reasons), reasonsJson(i.reasons), i.id);
    const oldItems = itemsOf(old);
    expect(oldItems.every((i) => i.reasons.startsWith('['))).toBe(true);
    const managerItem = items.find((i) => i.reviewer_source === 'manager') as Item;
    const manager = managerItem.reviewer;
    const managerId = w.db.prepare('SELECT id FROM cur_identities WHERE connection_id = ? AND lower(email) = ?').pluck().get(w.okta.id, manager) as string;
    const subject = items.find((i) => i.reviewer !== manager && i.identity_id !== managerId && !codes(i).includes('account-inactive')) as Item;
    sandbox.mutations.setUserStatus(subject.identity_id, 'SUSPENDED');
    sandbox.mutations.setUserStatus(managerId, 'SUSPENDED');
    const run = await (await syncAndReconcile(w.ctx, w.okta.id)).done;
    expect(run.status).toBe('succeeded');
    // Launch keeps one copy of the reasons; the refresh that changed them copied the launch's into launch_reasons first.
    expect(items.every((i) => i.launch_reasons === SAME_AS_REASONS)).toBe(true);
    const after = itemsOf(id).find((i) => i.id === subject.id) as Item;
    expect(after.reasons).not.toBe(subject.reasons);
    expect(after.launch_reasons).toBe(subject.reasons);
    expect(launchReasonsOf(after.reasons, after.launch_reasons)).toBe(subject.reasons);
    expect(after.reasons.startsWith('~')).toBe(true);
    // The campaign in the JSON form: the same item changed alike, in JSON; every other item untouched (its text as it was, no change time).
    const oldAfter = itemsOf(old);
    const oldSubject = oldAfter.find((i) => i.identity_id === subject.identity_id && i.group_id === subject.group_id) as Item;
    expect(oldSubject.reasons).toBe(reasonsJson(after.reasons));
    expect(oldSubject.launch_reasons).toBe(reasonsJson(subject.reasons));
    for (const i of oldAfter) {
      const mine = itemsOf(id).find((x) => x.identity_id === i.identity_id && x.group_id === i.group_id) as Item;
      expect(i.reasons, `item ${i.id}`).toBe(reasonsJson(mine.reasons));
      expect(i.recommendation_changed_at === null, `item ${i.id}`).toBe(mine.recommendation_changed_at === null);
    }
    const oldRows = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: old, limit: 100_000 }), null).rows;
    const newRows = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: id, limit: 100_000 }), null).rows;
    const facts = (r: (typeof oldRows)[number]): unknown => [r.identityId, r.access.groupId, r.recommendation, r.reasons, r.changedSinceLaunch, r.launchRecommendation, r.peerPercent];
    expect(oldRows.map(facts).sort()).toEqual(newRows.map(facts).sort());
    expect(codes(after)).toContain('account-inactive');
    expect(after.recommendation).toBe('revoke');
    expect(after.recommendation_changed_at).not.toBeNull();
    const row = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: id, limit: 100_000 }), null).rows.find((r) => r.id === subject.id);
    expect(row?.changedSinceLaunch).toBe(true);
    expect(row?.launchRecommendation).toBe(subject.recommendation);
    const unchanged = listItems(w.ctx, reviewItemsQuery.parse({ campaignId: id, limit: 100_000 }), null).rows.filter((r) => r.changedSinceLaunch);
    expect(unchanged.every((r) => r.id === subject.id || items.find((i) => i.id === r.id)?.reviewer === manager || r.identityId === managerId)).toBe(true);
    const moved = itemsOf(id).filter((i) => items.find((x) => x.id === i.id)?.reviewer === manager);
    expect(moved.length).toBeGreaterThan(0);
    for (const m of moved) {
      expect(m).toMatchObject({ reviewer: 'fallback@example.com', reviewer_source: 'fallback' });
      expect(m.reviewer_note).toMatch(new RegExp(`^${manager.replace(/[.]/g, '\\.')} is no longer active`));
    }
    const ev = w.db.prepare("SELECT details FROM audit_events WHERE action = 'campaign.reviewer-inactive' AND target_id = ?").pluck().all(String(id)) as string[];
    // (The suspended subject may be a manager of others here too: their items moved as well.)
    expect(ev.map((d) => JSON.parse(d) as { from: string; to: string; items: number }).filter((e) => e.from === manager)).toEqual([expect.objectContaining({ from: manager, to: 'fallback@example.com', items: moved.length })]);
  }, 60_000);
});
