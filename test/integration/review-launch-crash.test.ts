// SIGKILL during launch leaves no half campaign: a child process launches a
// campaign on a synced workspace file and is killed after its items are
// written but before the campaign is marked launched; the file then shows the
// draft as it was (no items, no launch event) and launches cleanly.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCampaign, getCampaign, launchCampaign } from '../../electron/engine/reviews/campaigns.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import type { JobsWorkspace } from './job-helpers.js';
import { definition, reviewWorkspace } from './review-helpers.js';

const dir = tempDir('latchkey-review-crash-');
const entry = path.resolve(import.meta.dirname, '../fixtures/review-launch-child.ts');
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 5, graph: false });
  w = await reviewWorkspace(dir, sandbox);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

it('a launch killed mid-transaction leaves the draft untouched, and the next launch succeeds', async () => {
  const c = createCampaign(w.ctx, definition({ name: 'Everything' }, w.ctx.clock.now()));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, w.ctx.dbPath, String(c.id)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<string | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const inserted = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /inserted (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    void exited.then(() => reject(new Error(`child ended before inserting: ${out} ${err}`)));
  });
  expect(inserted).toBeGreaterThan(1000);
  child.kill('SIGKILL');
  expect(await exited).toBe('SIGKILL');
  expect(out).not.toContain('launched');

  expect(getCampaign(w.ctx, c.id, null)).toMatchObject({ status: 'draft', launchedAt: null, population: null, items: 0 });
  expect(w.db.prepare('SELECT count(*) FROM review_items WHERE campaign_id = ?').pluck().get(c.id)).toBe(0);
  expect(w.db.prepare("SELECT count(*) FROM audit_events WHERE action = 'campaign.launched'").pluck().get()).toBe(0);
  const v = launchCampaign(w.ctx, c.id, {});
  expect(v.status).toBe('active');
  expect(v.population?.count).toBe(inserted);
}, 120_000);
