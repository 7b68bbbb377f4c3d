// Launch off the engine's thread (launch-thread.ts): the worker freezes the
// same population as an inline launch (same count, same population hash),
// the caller's event loop and connection keep answering while it writes (a
// read mid-launch still sees the draft), progress arrives, and a refusal
// comes back with its code.
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { UserError, type EngineContext } from '../../electron/engine/context.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { createCampaign, getCampaign, launchCampaign, type LaunchProgress } from '../../electron/engine/reviews/campaigns.js';
import { launchCampaignOffThread } from '../../electron/engine/reviews/launch-thread.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { seedSynthetic } from '../fixtures/seed-snapshot.js';
import { tempDir } from '../helpers/tmp.js';
import { definition } from './review-helpers.js';

const dir = tempDir('latchkey-review-thread-');
const now = new Date('2026-03-02T10:00:00.000Z');
let ctx: EngineContext;

beforeAll(() => {
  const file = path.join(dir, 'w.latchkey');
  const db = openDatabase(file);
  const cid = seedSynthetic(db, { users: 3000, groups: 150, memberships: 30_000, now });
  db.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at) VALUES (?, 'full', 'succeeded', 1, ?, ?)").run(cid, now.toISOString(), now.toISOString());
  ctx = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => now }, events: { emit: () => undefined }, actor: 'admin@example.com', channel: 'console', transport: 'bridge', sandbox: false };
}, 60_000);

describe('launch in a worker thread', () => {
  it('freezes what an inline launch freezes while this thread keeps answering', async () => {
    const inlineId = createCampaign(ctx, definition({ name: 'Inline' }, now)).id;
    const inline = launchCampaign(ctx, inlineId, {});
    const id = createCampaign(ctx, definition({ name: 'Threaded' }, now)).id;
    const events: unknown[] = [];
    ctx.events = { emit: (e, p) => events.push([e, p]) };

    const progress: LaunchProgress[] = [];
    let ticks = 0;
    const seenMidLaunch: string[] = [];
    const timer = setInterval(() => {
      ticks++;
      // The caller's own connection reads while the worker writes: the last commit, i.e. the draft.
      seenMidLaunch.push(getCampaign(ctx, id, null).status);
    }, 5);
    // Ticks of this thread's timer between the launch's first progress and its end: none if the launch blocked it.
    let ticksAtStart: number | null = null;
    const launched = await launchCampaignOffThread(ctx, id, {}, (p) => {
      if (p.phase === 'reviewers') ticksAtStart ??= ticks;
      progress.push(p);
    });
    clearInterval(timer);

    expect(launched).toMatchObject({ status: 'active', launchedBy: 'admin@example.com', launchedChannel: 'console', launchedAt: now.toISOString() });
    const n = inline.population?.count ?? 0;
    expect(n).toBeGreaterThan(20_000);
    expect(launched.population?.count).toBe(n);
    expect(launched.population?.hash).toBe(inline.population?.hash);
    expect(ticks - (ticksAtStart ?? ticks)).toBeGreaterThan(0);
    expect(seenMidLaunch.length).toBeGreaterThan(0);
    // The draft until the worker commits, then the launched campaign: never anything between.
    expect(seenMidLaunch.join(' ')).toMatch(/^(draft ?)+(active ?)*$/);
    expect(progress.map((p) => p.phase)).toEqual(expect.arrayContaining(['opened', 'reviewers', 'items', 'proof', 'committed']));
    expect(progress.at(-2)).toEqual({ phase: 'proof', done: n, total: n });
    expect(events).toContainEqual(['governance:changed', { area: 'reviews', ids: [id] }]);
    const audit = ctx.db.prepare("SELECT actor, channel, at, details FROM audit_events WHERE action = 'campaign.launched' AND target_id = ?").get(String(id)) as { actor: string; channel: string; at: string; details: string };
    expect(audit).toMatchObject({ actor: 'admin@example.com', channel: 'console', at: now.toISOString() });
    expect(JSON.parse(audit.details)).toMatchObject({ items: n, populationHash: inline.population?.hash });
  }, 120_000);

  it('brings back the launch refusal with its code, and writes nothing', async () => {
    const id = createCampaign(ctx, definition({ name: 'Twice' }, now)).id;
    await launchCampaignOffThread(ctx, id, {});
    const items = ctx.db.prepare('SELECT count(*) FROM review_items WHERE campaign_id = ?').pluck().get(id);
    const refused = await launchCampaignOffThread(ctx, id, {}).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(UserError);
    expect(refused).toMatchObject({ code: 'conflict' });
    expect((refused as Error).message).toMatch(/only a draft can be launched/);
    expect(ctx.db.prepare('SELECT count(*) FROM review_items WHERE campaign_id = ?').pluck().get(id)).toBe(items);
  }, 120_000);
});
