// Access-review campaigns on a synced sandbox workspace: definition checks,
// preview against launch, the frozen population and its proof (row hashes
// recomputed from the stored columns, the population hash, counts reconciled
// with the snapshot), stale data refused at the exact boundary, reviewers
// with fallback and never self-review, copy and recurrence, the items list.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reviewItemsQuery } from '../../shared/contract-reviews.js';
import { addMonths, copyCampaign, createCampaign, createNextFromRecurrence, getCampaign, launchCampaign, listCampaigns, previewCampaign, updateCampaign, cancelCampaign } from '../../electron/engine/reviews/campaigns.js';
import { getItem, listItems } from '../../electron/engine/reviews/items.js';
import { canonicalRow, FROZEN_COLUMNS, populationHash, sha256Hex, type FrozenColumn } from '../../electron/engine/reviews/population.js';
import { decodeReasons } from '../../electron/engine/reviews/reason-codes.js';
import { getSyncRun, lastSucceededRun } from '../../electron/engine/sync/sync-runs.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { bigGroup, definition, mapRole, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-reviews-');
let sandbox: Sandbox;
let w: JobsWorkspace;
let group: { groupId: string; groupName: string; members: number };
let roleId: number;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 21, graph: false });
  w = await reviewWorkspace(dir, sandbox);
  group = bigGroup(w.db, w.okta.id);
  roleId = mapRole(w.db, w.okta.id, group, { app: 'Payroll', role: 'User', risk: 'high', owner: 'payroll.owner@example.com' });
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

const now = (): Date => w.ctx.clock.now();
type ItemRow = Record<FrozenColumn, string | number | null> & { id: number; row_hash: string; reviewer: string; reviewer_source: string; reviewer_note: string | null; identity_id: string; reasons: string; recommendation: string; peer_pct: number | null };
const itemsOf = (campaignId: number): ItemRow[] => w.db.prepare('SELECT * FROM review_items WHERE campaign_id = ? ORDER BY id').all(campaignId) as ItemRow[];
const auditOf = (action: string): { actor: string; channel: string; details: string; target_id: string }[] =>
  w.db.prepare('SELECT actor, channel, details, target_id FROM audit_events WHERE action = ? ORDER BY seq').all(action) as never;

describe('campaign definitions', () => {
  it('refuses what the workspace does not have, and a due date that is not in the future', () => {
    expect(() => createCampaign(w.ctx, definition({ scope: { roleIds: [9999] } }, now()))).toThrow(/catalog role #9999 does not exist/);
    expect(() => createCampaign(w.ctx, definition({ scope: { groups: [{ connectionId: w.okta.id, groupId: 'nope' }] } }, now()))).toThrow(/group nope is not in connection/);
    expect(() => createCampaign(w.ctx, definition({ scope: { connectionIds: [77] } }, now()))).toThrow(/connection #77 is not an Okta or Entra connection/);
    expect(() => createCampaign(w.ctx, definition({ dueAt: now().toISOString() }, now()))).toThrow(/is not in the future/);
    expect(() => createCampaign(w.ctx, definition({ reviewers: { stage1: { kind: 'named', named: [] }, fallback: 'fb@example.com' } }, now()))).toThrow(/name at least one/);
  });

  it('creates, edits only drafts, copies and cancels, each audited with the actor and channel', () => {
    const c = createCampaign(w.ctx, definition({ name: 'Edit me', scope: { roleIds: [roleId] } }, now()));
    expect(c.status).toBe('draft');
    const u = updateCampaign(w.ctx, c.id, definition({ name: 'Edited', scope: { roleIds: [roleId] } }, now()));
    expect(u.name).toBe('Edited');
    const copy = copyCampaign(w.ctx, c.id, {});
    expect(copy).toMatchObject({ name: 'Copy of Edited', parentId: c.id, status: 'draft' });
    const cancelled = cancelCampaign(w.ctx, copy.id, { reason: 'duplicate' });
    expect(cancelled.status).toBe('cancelled');
    expect(() => updateCampaign(w.ctx, copy.id, definition({}, now()))).toThrow(/only a draft's definition can change/);
    for (const action of ['campaign.created', 'campaign.updated', 'campaign.copied', 'campaign.cancelled']) {
      const e = auditOf(action).at(-1);
      expect(e, action).toMatchObject({ actor: 'admin@example.com', channel: 'cli' });
    }
    expect(listCampaigns(w.ctx, { status: 'cancelled' }, null).map((x) => x.id)).toContain(copy.id);
  });
});

describe('launch: the frozen population and its proof', () => {
  let campaignId: number;
  beforeAll(() => {
    campaignId = createCampaign(w.ctx, definition({ name: 'Payroll', scope: { roleIds: [roleId] } }, now())).id;
  });

  it('previews what launch then freezes: the same counts by connection, reviewer and recommendation', () => {
    const p = previewCampaign(w.ctx, campaignId);
    expect(p.total).toBe(group.members);
    expect(p.byConnection).toEqual([{ connectionId: w.okta.id, name: 'Okta', items: group.members }]);
    expect(p.byApp).toEqual([{ label: 'Payroll', items: group.members }]);
    expect(p.stale).toEqual([]);
    const v = launchCampaign(w.ctx, campaignId, {});
    const items = itemsOf(campaignId);
    expect(items).toHaveLength(p.total);
    const byReviewer = new Map<string, number>();
    for (const i of items) byReviewer.set(i.reviewer, (byReviewer.get(i.reviewer) ?? 0) + 1);
    expect(new Map(p.byReviewer.map((r) => [r.reviewer, r.items]))).toEqual(byReviewer);
    for (const rec of ['revoke', 'look', 'keep'] as const) expect(items.filter((i) => i.recommendation === rec).length, rec).toBe(p.byRecommendation[rec]);
    expect(v.status).toBe('active');
    expect(v.launchedBy).toBe('admin@example.com');
    expect(v.launchedChannel).toBe('cli');
  });

  it('stores counts per connection equal to the snapshot total, with the sync run the data comes from', () => {
    const v = getCampaign(w.ctx, campaignId, null);
    const ok = lastSucceededRun(w.db, w.okta.id);
    expect(v.population?.count).toBe(group.members);
    expect(v.population?.byConnection).toEqual([
      { connectionId: w.okta.id, name: 'Okta', items: group.members, snapshotTotal: group.members, syncRunId: ok?.id, syncedAt: getSyncRun(w.db, ok?.id ?? 0)?.finishedAt },
    ]);
    const launched = auditOf('campaign.launched').at(-1);
    expect(JSON.parse(launched?.details ?? '{}')).toMatchObject({ items: group.members, populationHash: v.population?.hash });
  });

  it('freezes the person, the access and what is behind it (no grant: outside the process)', () => {
    const items = itemsOf(campaignId);
    const one = items[0] as ItemRow;
    const live = w.db.prepare('SELECT display_name, status, title, department, employee_type, last_login FROM cur_identities WHERE connection_id = ? AND id = ?').get(w.okta.id, one.identity_id) as Record<string, unknown>;
    expect(one).toMatchObject({ person_name: live.display_name, person_status: live.status, title: live.title, department: live.department, employment_type: live.employee_type, last_login: live.last_login });
    expect(one).toMatchObject({ group_id: group.groupId, group_name: group.groupName, role_id: roleId, role_label: 'Payroll / User', risk: 'high', app_label: 'Payroll', held_via: 'direct', grant_id: null });
    expect(decodeReasons(one.reasons).map((r) => r.code)).toEqual(expect.arrayContaining(['outside-process', 'high-risk']));
  });

  it('row_hash is the SHA-256 of the canonical row recomputed from the stored columns', () => {
    for (const i of itemsOf(campaignId)) expect(sha256Hex(canonicalRow(i))).toBe(i.row_hash);
  });

  it('population_hash is the SHA-256 over the row hashes in (connection, group, account) order, and changes when any item does', () => {
    const v = getCampaign(w.ctx, campaignId, null);
    const rows = itemsOf(campaignId).sort((a, b) => (a.connection_id as number) - (b.connection_id as number) || cmp(a.group_id, b.group_id) || cmp(a.identity_id, b.identity_id));
    const h = createHash('sha256');
    for (const r of rows) h.update(`${r.row_hash}\n`);
    expect(h.digest('hex')).toBe(v.population?.hash);
    expect(populationHash(w.db, campaignId)).toBe(v.population?.hash);
    // Any item changed (here its frozen title, rehashed as launch would): the population hash changes.
    for (const r of [rows[0], rows[rows.length - 1]] as ItemRow[]) {
      const changed = sha256Hex(canonicalRow({ ...r, title: `${String(r.title)} (edited)` }));
      w.db.prepare('UPDATE review_items SET row_hash = ? WHERE id = ?').run(changed, r.id);
      expect(populationHash(w.db, campaignId)).not.toBe(v.population?.hash);
      w.db.prepare('UPDATE review_items SET row_hash = ? WHERE id = ?').run(r.row_hash, r.id);
    }
    expect(populationHash(w.db, campaignId)).toBe(v.population?.hash);
  });

  it('refuses to launch twice', () => {
    expect(() => launchCampaign(w.ctx, campaignId, {})).toThrow(/only a draft can be launched/);
  });

  it('lists items: filters, the reviewer "me", an item with its history and row hash', () => {
    const all = listItems(w.ctx, reviewItemsQuery.parse({ campaignId, limit: 100_000 }), null);
    expect(all.total).toBe(group.members);
    const reviewer = all.rows[0]?.reviewer as string;
    const mine = listItems(w.ctx, reviewItemsQuery.parse({ campaignId, reviewer: 'me', limit: 100_000 }), reviewer.toUpperCase());
    expect(mine.rows.length).toBeGreaterThan(0);
    expect(mine.rows.every((r) => r.reviewer === reviewer)).toBe(true);
    expect(mine.total).toBe(all.rows.filter((r) => r.reviewer === reviewer).length);
    expect(() => listItems(w.ctx, reviewItemsQuery.parse({ campaignId, reviewer: 'me' }), null)).toThrow(/Nobody is signed in/);
    const risky = listItems(w.ctx, reviewItemsQuery.parse({ campaignId, reason: 'high-risk', limit: 100_000 }), null);
    expect(risky.total).toBe(group.members);
    const revoke = listItems(w.ctx, reviewItemsQuery.parse({ campaignId, recommendation: 'revoke', limit: 100_000 }), null);
    expect(revoke.rows.every((r) => r.recommendation === 'revoke')).toBe(true);
    expect(listItems(w.ctx, reviewItemsQuery.parse({ campaignId, decision: 'undecided', limit: 1 }), null).total).toBe(group.members);
    const page = listItems(w.ctx, reviewItemsQuery.parse({ campaignId, sort: 'person', limit: 5, offset: 5 }), null);
    expect(page.rows.map((r) => r.id)).toEqual(all.rows.slice(5, 10).map((r) => r.id));
    const detail = getItem(w.ctx, all.rows[0]?.id as number);
    expect(detail.history).toEqual([]);
    expect(detail.rowHash).toMatch(/^[0-9a-f]{64}$/);
    expect(detail.grant).toBeNull();
  });
});

const cmp = (a: unknown, b: unknown): number => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);

describe('row_hash covers every frozen column', () => {
  const base: Record<FrozenColumn, string | number | null> = Object.fromEntries(FROZEN_COLUMNS.map((c, i) => [c, c.endsWith('_id') && c !== 'identity_id' && c !== 'group_id' ? i : `v${i}`])) as never;
  const h0 = sha256Hex(canonicalRow(base));
  for (const c of FROZEN_COLUMNS) {
    it(`changing ${c} changes the hash`, () => {
      const edited = { ...base, [c]: typeof base[c] === 'number' ? (base[c]) + 1 : `${String(base[c])}x` };
      expect(sha256Hex(canonicalRow(edited))).not.toBe(h0);
      // null is not the same as the text "null"
      expect(sha256Hex(canonicalRow({ ...base, [c]: null }))).not.toBe(sha256Hex(canonicalRow({ ...base, [c]: 'null' })));
    });
  }
});

describe('stale data', () => {
  it('launches at exactly staleSyncHours after the last sync and refuses 1 ms later, naming the connection; an override is recorded', () => {
    const ok = lastSucceededRun(w.db, w.okta.id);
    const finished = Date.parse(getSyncRun(w.db, ok?.id ?? 0)?.finishedAt ?? '');
    const clock = w.ctx.clock;
    try {
      w.ctx.clock = { now: () => new Date(finished + 24 * 3_600_000 + 1) };
      const late = createCampaign(w.ctx, definition({ name: 'late', scope: { roleIds: [roleId] } }, w.ctx.clock.now()));
      expect(() => launchCampaign(w.ctx, late.id, {})).toThrow(/stale: Okta was last synced .*more than 24 h ago/);
      expect(previewCampaign(w.ctx, late.id).stale.map((s) => s.name)).toEqual(['Okta']);
      expect(getCampaign(w.ctx, late.id, null).status).toBe('draft');
      const v = launchCampaign(w.ctx, late.id, { overrideStale: 'IdP maintenance window; data checked by hand' });
      expect(v.staleOverride).toEqual({ reason: 'IdP maintenance window; data checked by hand', by: 'admin@example.com' });
      expect(JSON.parse(auditOf('campaign.launched').at(-1)?.details ?? '{}')).toMatchObject({ staleOverride: { reason: 'IdP maintenance window; data checked by hand' } });

      w.ctx.clock = { now: () => new Date(finished + 24 * 3_600_000) };
      const onTime = createCampaign(w.ctx, definition({ name: 'on time', scope: { roleIds: [roleId] } }, w.ctx.clock.now()));
      expect(launchCampaign(w.ctx, onTime.id, {}).staleOverride).toBeNull();
    } finally {
      w.ctx.clock = clock;
    }
  });

  it('refuses when the last sync failed', () => {
    const at = now().toISOString();
    const runId = Number(
      w.db.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at, error) VALUES (?, 'incremental', 'failed', 0, ?, ?, 'HTTP 503')").run(w.okta.id, at, at).lastInsertRowid,
    );
    try {
      const c = createCampaign(w.ctx, definition({ name: 'after failure', scope: { roleIds: [roleId] } }, now()));
      expect(() => launchCampaign(w.ctx, c.id, {})).toThrow(/the last sync of Okta failed: HTTP 503/);
    } finally {
      w.db.prepare('DELETE FROM sync_runs WHERE id = ?').run(runId);
    }
  });
});

describe('recurrence', () => {
  it('creates the next draft N months on, linked both ways, once', () => {
    const c = createCampaign(w.ctx, definition({ name: 'Quarterly', scope: { roleIds: [roleId] }, recurrenceMonths: 3, dueAt: '2031-01-31T12:00:00.000Z' }, now()));
    const next = createNextFromRecurrence(w.ctx, c.id);
    expect(next).toMatchObject({ parentId: c.id, status: 'draft', dueAt: '2031-04-30T12:00:00.000Z' });
    expect(getCampaign(w.ctx, c.id, null).nextCampaignId).toBe(next?.id);
    expect(createNextFromRecurrence(w.ctx, c.id)?.id).toBe(next?.id);
    expect(addMonths('2031-11-30T00:00:00.000Z', 3)).toBe('2032-02-29T00:00:00.000Z');
    const once = createCampaign(w.ctx, definition({ name: 'Once', scope: { roleIds: [roleId] } }, now()));
    expect(createNextFromRecurrence(w.ctx, once.id)).toBeNull();
  });
});

