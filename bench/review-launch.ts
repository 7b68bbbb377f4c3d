// Launching an access review over every membership of a 100k-user org
// (~1M items) with recommendations and manager reviewers, against a bare
// INSERT … SELECT of the same rows (the frozen columns only, constants for
// the hash, recommendation and reviewer) in the same run and the same file.
// The workspace is the synthetic org of test/fixtures/seed-snapshot.ts
// (100k users, 5k groups, ~1M memberships, 50 apps; seconds to build) rather
// than a full sandbox sync (minutes on a shared 2-core box): launch reads only
// the snapshot tables, which both fill the same way. A few catalog roles with
// grants, requests and approvals give the ledger joins something to find.
// The launch runs as the console runs it: in its worker thread
// (launch-thread.ts). Meanwhile this thread issues a cheap read every 20 ms
// (the campaign summary, as the console polls it) and records how late each
// answer came: the responsiveness figure. Times are wall and process CPU
// (all threads); the CPU ratio is the steadier one on a shared machine. Both
// sides write with the same settings (the launch thread's 64 MB page cache;
// the WAL checkpointed after the commit, untimed).
// Not a timed test: it prints times and peak RSS for bench/RESULTS.md.
//
//   node --import tsx bench/review-launch.ts [--users 100000] [--per-user 10]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { campaignDefinitionInput } from '../shared/contract-reviews.js';
import type { EngineContext } from '../electron/engine/context.js';
import { openDatabase } from '../electron/engine/db/database.js';
import { createCampaign, getCampaign, type LaunchProgress } from '../electron/engine/reviews/campaigns.js';
import { launchCampaignOffThread } from '../electron/engine/reviews/launch-thread.js';
import { FROZEN_COLUMNS, populationRowsSql, resolveScope, scopeParamsOf } from '../electron/engine/reviews/population.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { seedApprovedRequests, seedRole } from '../test/fixtures/governance.js';
import { seedSynthetic } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, 'per-user': { type: 'string', default: '10' } } });
const users = Number(values.users);
const perUser = Number(values['per-user']);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-review-bench-'));
const file = path.join(dir, 'big.latchkey');
const db = openDatabase(file);
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const rssNow = (): number => process.memoryUsage().rss;
const peak = (): number => process.resourceUsage().maxRSS * 1024;

let t = performance.now();
const cid = seedSynthetic(db, { users, groups: Math.max(10, Math.round(users / 20)), memberships: users * perUser });
const now = new Date();
// A successful sync just now, so launch does not refuse the data as stale.
db.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at) VALUES (?, 'full', 'succeeded', 1, ?, ?)").run(cid, now.toISOString(), now.toISOString());
// Ten roles on ten groups, each with 200 approved requests and their grants (the ledger joins).
for (let r = 0; r < 10; r++) {
  const groupId = `00g${String(r * 3).padStart(8, '0')}`;
  const roleId = seedRole(db, { app: `Bench App ${r % 3}`, role: `Role ${r}`, risk: r % 4 === 0 ? 'high' : 'medium', owner: 'owner@example.com', groups: [{ connectionId: cid, groupId, groupName: `g${r}` }] }, now);
  const members = db.prepare('SELECT identity_id FROM memberships WHERE connection_id = ? AND gen = 1 AND group_id = ? LIMIT 200').pluck().all(cid, groupId) as string[];
  seedApprovedRequests(db, { roleId, beneficiaries: members.map((id) => ({ connectionId: cid, identityId: id, email: null, name: id })), durationMinutes: null, now });
}
db.prepare("UPDATE grants SET status = 'active', provisioned_at = starts_at").run();
const memberships = db.prepare('SELECT count(*) FROM memberships WHERE connection_id = ?').pluck().get(cid) as number;
console.log(`workspace: ${users} users, ${memberships} memberships, seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; rss ${mb(rssNow())}, peak ${mb(peak())}`);

const ctx: EngineContext = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => new Date() }, events: { emit: () => undefined }, actor: 'bench', channel: 'cli', transport: 'cli', sandbox: false };
const def = campaignDefinitionInput.parse({
  name: 'Everything',
  scope: {},
  reviewers: { stage1: { kind: 'manager' }, fallback: 'fallback@example.com' },
  dueAt: new Date(now.getTime() + 14 * 86_400_000).toISOString(),
});

// The baseline: the same rows' frozen columns, one bare INSERT … SELECT into review_items (then removed).
const baselineCampaign = createCampaign(ctx, { ...def, name: 'baseline' }).id;
const plan = resolveScope(db, def.scope);
const peakBefore = peak();
const cpu = (from: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1000;
};
// The launch thread's settings: 64 MB of page cache, and the WAL checkpointed after the commit, not inside it (untimed).
db.pragma('cache_size = -65536');
db.pragma('wal_autocheckpoint = 0');
t = performance.now();
let c0 = process.cpuUsage();
const bare = db.transaction(
  () =>
    db
      .prepare(
        `INSERT INTO review_items (campaign_id, ${FROZEN_COLUMNS.join(', ')}, row_hash, recommendation, launch_recommendation, reviewer, reviewer_source)
         SELECT @campaign_id, ${FROZEN_COLUMNS.map((c) => `r.${c}`).join(', ')}, '', 'keep', 'keep', 'x', 'manager' FROM (${populationRowsSql(false)}) r`,
      )
      .run({ ...scopeParamsOf(plan), campaign_id: baselineCampaign }).changes,
)();
const bareMs = performance.now() - t;
const bareCpu = cpu(c0);
const barePeak = peak();
db.pragma('cache_size = -2000');
db.pragma('wal_checkpoint(TRUNCATE)');
db.pragma('wal_autocheckpoint = 1000');
db.transaction(() => db.prepare('DELETE FROM review_items WHERE campaign_id = ?').run(baselineCampaign))();
db.pragma('wal_checkpoint(TRUNCATE)');
console.log(`bare INSERT … SELECT: ${bare} rows in ${(bareMs / 1000).toFixed(2)} s (cpu ${(bareCpu / 1000).toFixed(2)} s); peak RSS ${mb(barePeak)} (before: ${mb(peakBefore)}); load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);

const id = createCampaign(ctx, def).id;
const lateness: number[] = [];
let committed = false;
let due = performance.now() + 20;
const poll = setInterval(() => {
  // How late the answer to a read asked now comes: timer lag (a blocked loop) plus the read itself.
  // Only while the launch writes (after its commit the read counts 1M items: a different read).
  if (committed) return;
  const asked = due;
  const seen = getCampaign(ctx, id, null).status;
  // A read that already sees the launched campaign came after the commit (and counted its items): not "while it wrote".
  if (seen === 'draft') lateness.push(performance.now() - asked);
  due = performance.now() + 20;
}, 20);
const phases: [string, number][] = [];
let cpuAtOpen = process.cpuUsage();
const onProgress = (p: LaunchProgress): void => {
  if (p.phase === 'opened') cpuAtOpen = process.cpuUsage();
  if (p.phase === 'committed') committed = true;
  if (phases.at(-1)?.[0] !== p.phase) phases.push([p.phase, performance.now()]);
};
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();
t = performance.now();
c0 = process.cpuUsage();
const v = await launchCampaignOffThread(ctx, id, {}, onProgress);
loopDelay.disable();
const launchMs = performance.now() - t;
const startCpu = cpu(c0) - cpu(cpuAtOpen);
// The launch proper: from its thread's open connection to the read-back (from sources the thread first compiles the engine through tsx: reported apart).
const openedAt = phases.find(([p]) => p === 'opened')?.[1] ?? t;
const ownMs = performance.now() - openedAt;
const launchCpu = cpu(cpuAtOpen);
clearInterval(poll);
const launchPeak = peak();
const sorted = [...lateness].sort((a, b) => a - b);
const pct = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
console.log(
  `launch (${phases.some(([p]) => p === 'opened') ? 'worker thread' : 'INLINE on the caller\'s thread: the worker did not start, not comparable'}): ${v.population?.count} items in ${(ownMs / 1000).toFixed(2)} s (${(ownMs / bareMs).toFixed(2)}× the bare insert; cpu ${(launchCpu / 1000).toFixed(2)} s, ${(launchCpu / bareCpu).toFixed(2)}×); peak RSS ${mb(launchPeak)}; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
);
console.log(`  before it: the thread's start ${((openedAt - t) / 1000).toFixed(2)} s (cpu ${(startCpu / 1000).toFixed(2)} s: loading the engine through tsx, from sources only); end to end ${(launchMs / 1000).toFixed(2)} s`);
console.log(`  phases: ${phases.map(([p, at], i) => `${p} ${(((phases[i + 1]?.[1] ?? t + launchMs) - at) / 1000).toFixed(2)} s`).join(', ')}`);
console.log(`  this thread's event-loop delay over the whole launch: max ${(loopDelay.max / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`);
console.log(`  reads (the draft's summary, every 20 ms) while the launch wrote: ${lateness.length}, answer late by median ${pct(0.5).toFixed(1)} ms, p99 ${pct(0.99).toFixed(1)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(1)} ms`);
const recs = db.prepare('SELECT recommendation, count(*) AS n FROM review_items WHERE campaign_id = ? GROUP BY 1').all(id) as { recommendation: string; n: number }[];
console.log(`recommendations: ${recs.map((r) => `${r.recommendation} ${r.n}`).join(', ')}; reviewers: ${db.prepare('SELECT count(DISTINCT reviewer) FROM review_items WHERE campaign_id = ?').pluck().get(id) as number}`);
console.log(`population hash ${v.population?.hash}; counts ${JSON.stringify(v.population?.byConnection.map((c) => [c.items, c.snapshotTotal]))}`);
db.close();
fs.rmSync(dir, { recursive: true, force: true });
