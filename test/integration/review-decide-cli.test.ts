// `latchkey review decide|submit|reassign|progress|close` through runCli on a
// real workspace file: --json prints the contract's types, --as records for a
// reviewer (decided by them, recorded by the operator, channel cli),
// refusals exit 1 naming each item, usage errors exit 2, progress works on
// --read-only and decide is refused there.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import type { Db } from '../../electron/engine/db/database.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import type { CampaignProgress, CampaignView, DecideResult, SubmissionView } from '../../shared/contract-reviews.js';
import { insertCampaign, insertItem } from '../helpers/review-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-review-cli-');
let db: Db;
let file: string;
const out: string[] = [];
const err: string[] = [];
const env: NodeJS.ProcessEnv = { LATCHKEY_OPERATOR: 'admin@example.com' };
const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env, secrets: memorySecretStore() };
async function run(...args: string[]): Promise<number | 'serving'> {
  out.length = 0;
  err.length = 0;
  return runCli(['--db', file, ...args], io);
}
const json = <T>(): T => JSON.parse(out.join('')) as T;

let c = 0;
let items: number[] = [];
beforeAll(() => {
  const w = workspace(dir);
  db = w.db;
  file = w.ctx.dbPath;
  c = insertCampaign(db, { name: 'CLI review', definition: { defaultOutcome: 'no-change' } });
  items = [
    insertItem(db, c, { reviewer: 'grace@example.com', recommendation: 'revoke' }),
    insertItem(db, c, { reviewer: 'grace@example.com' }),
    insertItem(db, c, { reviewer: 'grace@example.com' }),
    insertItem(db, c, { reviewer: 'ada@example.com' }),
  ];
});
afterAll(() => db.close());

describe('latchkey review decide / submit / reassign / progress / close', () => {
  it('decides as a reviewer with --as, refusing items by name (exit 1), then submits', async () => {
    const [rec, a, , ada] = items as [number, number, number, number];
    expect(await run('review', 'decide', String(c), String(rec), String(a), String(ada), '--keep', '--as', 'Grace@Example.com', '--json')).toBe(1);
    const r = json<DecideResult>();
    expect(r.decided).toBe(1);
    expect(r.refused).toEqual([
      { itemId: rec, why: `item #${rec}: it is recommended for revoke: a reason is required to keep it` },
      { itemId: ada, why: `item #${ada}: it is reviewed by ada@example.com, not grace@example.com` },
    ]);
    expect(await run('review', 'decide', String(c), String(rec), '--revoke', '--reason', 'left-team', '--comment', 'moved to sales', '--as', 'grace@example.com')).toBe(0);
    expect(out.join('')).toMatch(/drafted 1 decision as grace@example.com \(recorded by admin@example.com\)/);
    expect(db.prepare('SELECT decided_by, recorded_by, channel, state FROM review_decisions WHERE item_id = ?').get(rec)).toEqual({
      decided_by: 'grace@example.com',
      recorded_by: 'admin@example.com',
      channel: 'cli',
      state: 'draft',
    });
    expect(await run('review', 'submit', String(c), '--as', 'grace@example.com', '--json')).toBe(0);
    expect(json<SubmissionView>()).toMatchObject({ campaignId: c, reviewer: 'grace@example.com', submittedBy: 'admin@example.com', channel: 'cli', items: 2 });
  });

  it('usage errors exit 2 and say what is wrong', async () => {
    expect(await run('review', 'decide', String(c), String(items[1]), '--as', 'grace@example.com')).toBe(2);
    expect(err.join('')).toMatch(/--keep or --revoke/);
    expect(await run('review', 'decide', String(c), '--keep', '--as', 'grace@example.com')).toBe(2);
    expect(err.join('')).toMatch(/name the items/);
    expect(await run('review', 'decide', String(c), String(items[1]), '--keep', '--reason', 'bored')).toBe(2);
    expect(err.join('')).toMatch(/--reason takes still-needed/);
  });

  it("reassigns a reviewer's undecided items and reads progress (also on --read-only, where decide is refused)", async () => {
    expect(await run('review', 'reassign', String(c), '--from', 'ada@example.com', '--to', 'lin@example.com', '--reason', 'Ada left', '--json')).toBe(0);
    expect(json<{ moved: number }>().moved).toBe(1);
    expect(await run('--read-only', 'review', 'progress', String(c), '--json')).toBe(0);
    const p = json<CampaignProgress>();
    expect(p).toMatchObject({ total: 4, decided: 2, submitted: 2, revokes: 1 });
    expect(p.byReviewer.map((r) => r.reviewer)).toEqual(['grace@example.com', 'lin@example.com']);
    expect(await run('--read-only', 'review', 'decide', String(c), String(items[2]), '--keep', '--as', 'grace@example.com')).toBe(1);
    expect(err.join('')).toMatch(/read-only/);
  });

  it('closes: defaults applied, the revoke queued (or nothing to remove), the campaign as JSON', async () => {
    expect(await run('review', 'close', String(c), '--json')).toBe(0);
    const v = json<CampaignView>();
    expect(v).toMatchObject({ id: c, closedBy: 'admin@example.com' });
    expect(['remediating', 'complete']).toContain(v.status);
    expect(db.prepare('SELECT count(*) FROM review_decisions WHERE campaign_id = ? AND applied_by_default = 1').pluck().get(c)).toBe(2);
    expect(await run('review', 'close', String(c))).toBe(1);
    expect(err.join('')).toMatch(/only an active campaign can be closed/);
  });
});
