// Benchmark: an access review closed with 10,000 revocations, made through
// the sandbox Okta with its rate limits on, then verified by the next sync.
//
//   npm run bench -- review-close [--revocations 10000] [--budget-share 0.5] [--users 12000] [--seed 5] [--concurrency 8] [--stop-after-close]
//
// 1. the sandbox (in this process: the runner's pacing, not CPU, is what is
//    measured) serves an org with rate limits on, as Okta's defaults; one
//    directly managed group gets `revocations` members added by hand (access
//    held outside the process: close adopts each on the ledger first);
// 2. Latchkey syncs it (scope: that group), a campaign over the group is
//    created and launched (campaigns.ts: the frozen population), its one
//    reviewer revokes every item in one bulk decision and submits;
// 3. close (timed alone), then the job runner makes the revocations (what
//    the scheduler or `latchkey jobs run` does), then one incremental sync.
// Reported: the revocations' wall time against the bound the budget share
// implies (revocations / (bucket limit x share) minutes: every removal counts
// against Okta's /api/v1/groups bucket), each membership removed exactly once
// (Okta's System Log), every remediation verified by that sync, 429s, the
// audit chain. Goal: all revoked once, all verified, <= 1.2x the bound.
// While close runs, a worker thread (its own event loop, so it measures the
// engine's, not its own) calls a cheap read channel (connections:list)
// through the HTTP bridge every 20 ms: the console's view of a close.
// --stop-after-close ends the run there (close alone, no jobs, no sync).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { addConnectionInput } from '../shared/contract.js';
import { campaignDefinitionInput, decideInput } from '../shared/contract-reviews.js';
import { emptyScope } from '../shared/domain.js';
import { createHandlers } from '../electron/engine/api.js';
import { verifyAuditChain } from '../electron/engine/audit/audit-log.js';
import { startBridge } from '../electron/engine/bridge/http-bridge.js';
import { addConnection, setConnectionScope } from '../electron/engine/connections/connections.js';
import { syncAndReconcile } from '../electron/engine/governance/after-sync.js';
import { runJobs } from '../electron/engine/governance/run-jobs.js';
import { createCampaign, launchCampaign } from '../electron/engine/reviews/campaigns.js';
import { closeCampaignNow } from '../electron/engine/reviews/close.js';
import { decideItems, submitDecisions } from '../electron/engine/reviews/decisions.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { createEventBus, openWorkspace } from '../electron/engine/workspace/workspace.js';
import { OKTA_RATE_LIMIT_BUCKETS } from '../electron/sandbox/rate-limits.js';
import { startSandbox } from '../electron/sandbox/sandbox.js';

const { values } = parseArgs({
  options: {
    revocations: { type: 'string', default: '10000' },
    'budget-share': { type: 'string', default: '0.5' },
    users: { type: 'string', default: '12000' },
    seed: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
    'stop-after-close': { type: 'boolean', default: false },
  },
});
const n = Number(values.revocations);
const share = Number(values['budget-share']);
const users = Math.max(Number(values.users), Math.ceil(n * 1.15));
const concurrency = Number(values.concurrency);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const log = (s: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
const REVIEWER = 'bench-reviewer@example.com';

const s = await startSandbox({ users, seed: Number(values.seed), port: 0, rateLimits: 'okta', graph: false, jira: false });
// A new directly managed group (Latchkey may change it) with `n` members added by hand.
const groupId = s.mutations.createGroup({ name: 'bench-review-close', description: 'members added outside the process' });
const gi = s.oktaState.groupIndex(groupId) as number;
const members: string[] = [];
for (const u of s.org.users) {
  if (members.length >= n) break;
  if (u.status !== 'ACTIVE' || u.deleted) continue;
  s.mutations.addMembership(groupId, u.id);
  members.push(u.id);
}
if (members.length < n) throw new Error(`only ${members.length} active people to add; raise --users`);
log(`sandbox: ${users.toLocaleString('en-US')} users, rate limits on; ${n.toLocaleString('en-US')} members added by hand to bench-review-close`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-review-close-'));
const ctx = openWorkspace({ dbPath: path.join(dir, 'review-close.latchkey'), secrets: memorySecretStore(), transport: 'cli', events: createEventBus() });
ctx.channel = 'cli';
ctx.actor = 'admin@example.com';
const connection = await addConnection(ctx, addConnectionInput.parse({ kind: 'okta', name: 'Okta', orgUrl: s.okta.url, budgetShare: share, auth: { type: 'token', token: s.okta.token } }));
setConnectionScope(ctx, connection.id, { ...emptyScope(), groups: { prefixes: ['bench-review-close'], pattern: null, types: [] }, apps: { include: ['(no apps)'] } });
const first = await (await syncAndReconcile(ctx, connection.id, { full: true })).done;
log(`synced: ${first.users} users, ${first.memberships} memberships (${(first.durationMs ?? 0) / 1000} s)`);

const def = campaignDefinitionInput.parse({
  name: 'Bench review',
  scope: { groups: [{ connectionId: connection.id, groupId }] },
  reviewers: { stage1: { kind: 'named', named: [REVIEWER] }, fallback: 'fallback@example.com' },
  dueAt: new Date(Date.now() + 14 * 86_400_000).toISOString(),
});
const created = createCampaign(ctx, def);
let t = performance.now();
const launched = launchCampaign(ctx, created.id, {});
const launchMs = performance.now() - t;
log(`launched campaign #${launched.id}: ${launched.items.toLocaleString('en-US')} items in ${launchMs.toFixed(0)} ms`);
t = performance.now();
const decided = decideItems(ctx, decideInput.parse({ campaignId: launched.id, filter: { reviewer: 'me' }, decision: 'revoke', reasonCode: 'unrecognised' }), { reviewer: REVIEWER });
const decideMs = performance.now() - t;
t = performance.now();
submitDecisions(ctx, launched.id, { reviewer: REVIEWER });
const submitMs = performance.now() - t;
log(`decided ${decided.decided.toLocaleString('en-US')} (refused ${decided.refused.length}) in ${decideMs.toFixed(0)} ms, submitted in ${submitMs.toFixed(0)} ms`);

// The probe: the bridge over this engine, a session, and a worker thread polling a cheap read through it.
const bridge = await startBridge({ handlers: createHandlers(ctx) });
const entry = await fetch(bridge.url, { redirect: 'manual' });
const cookie = (entry.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
const probe = new Worker(
  `const { parentPort, workerData } = require('node:worker_threads');
   const lat = []; let stop = false;
   parentPort.on('message', () => { stop = true; });
   (async () => {
     while (!stop) {
       const t = performance.now();
       const r = await fetch(workerData.url, { method: 'POST', headers: { cookie: workerData.cookie, 'content-type': 'application/json' }, body: '{}' });
       await r.text();
       if (lat.length === 0) parentPort.postMessage('ready');
       lat.push(performance.now() - t);
       await new Promise((res) => setTimeout(res, 20));
     }
     parentPort.postMessage(lat);
   })();`,
  { eval: true, workerData: { url: `${bridge.origin}/api/connections%3Alist`, cookie } },
);
await new Promise((res) => probe.once('message', res)); // its first call answered: the probe is up
await new Promise((res) => setTimeout(res, 200));
const probed = new Promise<number[]>((resolve) => probe.once('message', resolve));

t = performance.now();
// Awaited: close may be asynchronous (it yields between chunks of revocations).
const closed = await closeCampaignNow(ctx, launched.id, 'admin@example.com');
const closeMs = performance.now() - t;
probe.postMessage('stop');
const lat = (await probed).sort((a, b) => a - b);
await probe.terminate();
await bridge.close();
const pct = (q: number): number => lat[Math.min(lat.length - 1, Math.floor(q * lat.length))] ?? NaN;
const probeStats = { calls: lat.length, p50Ms: Math.round(pct(0.5)), p95Ms: Math.round(pct(0.95)), maxMs: Math.round(lat[lat.length - 1] ?? NaN) };
log(`closed in ${closeMs.toFixed(0)} ms: ${closed.revocations.toLocaleString('en-US')} revocations queued; connections:list over the bridge meanwhile: ${probeStats.calls} calls, p50 ${probeStats.p50Ms} ms, p95 ${probeStats.p95Ms} ms, max ${probeStats.maxMs} ms`);
if (values['stop-after-close']) {
  const queued = ctx.db.prepare("SELECT count(*) FROM jobs WHERE kind = 'revoke'").pluck().get() as number;
  console.log(JSON.stringify({ bench: 'review-close', phase: 'close', date: new Date().toISOString(), machine, loadAtStart: load, loadAtEnd: os.loadavg().map((l) => l.toFixed(1)).join(' '), revocations: n, closeMs: Math.round(closeMs), revokeJobs: queued, auditChain: verifyAuditChain(ctx.db).valid, probe: probeStats }));
  ctx.db.close();
  await s.close();
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(queued === n ? 0 : 1);
}

const bucket = OKTA_RATE_LIMIT_BUCKETS.find((b) => b.matches(`/api/v1/groups/${groupId}/users/x`));
if (!bucket) throw new Error('no rate-limit bucket for group membership calls');
const boundMs = (n / (bucket.limit * share)) * 60_000;
log(`bound: ${n} calls / (${bucket.limit}/min x ${share}) = ${(boundMs / 60_000).toFixed(1)} min; running the jobs`);

const before = { ...s.oktaStats };
const startedAt = Date.now();
const t0 = performance.now();
const count = (sql: string, ...p: unknown[]): number => ctx.db.prepare(sql).pluck().get(...p) as number;
const ticker = setInterval(() => log(`${count("SELECT count(*) FROM grants WHERE status = 'revoked'").toLocaleString('en-US')} revoked, ${s.oktaStats.rateLimited - before.rateLimited} x 429 so far`), 60_000);
const summary = await runJobs(ctx, { concurrency, waitForDueWithinMs: 600_000, filter: { kinds: ['revoke'] } });
clearInterval(ticker);
const wallMs = performance.now() - t0;
const afterJobs = { ...s.oktaStats };

t = performance.now();
const verifying = await (await syncAndReconcile(ctx, connection.id)).done;
const syncMs = performance.now() - t;
log(`verifying sync #${verifying.id} (${verifying.mode}) in ${(syncMs / 1000).toFixed(1)} s`);

const removals = s.log.all().filter((e) => e.published >= startedAt - 1000 && e.eventType === 'group.user_membership.remove' && e.targets.some((x) => x.id === groupId));
const result = {
  revoked: count("SELECT count(*) FROM grants WHERE status = 'revoked' AND end_reason LIKE 'review:%'"),
  stillMembers: members.filter((u) => s.org.memberships.has(gi, s.oktaState.userIndex(u) ?? -1)).length,
  removalsLogged: removals.length,
  distinctRemoved: new Set(removals.map((e) => e.targets.find((x) => x.type === 'User')?.id)).size,
  jobsFailed: count("SELECT count(*) FROM jobs WHERE kind = 'revoke' AND status <> 'succeeded'"),
  verified: count("SELECT count(*) FROM review_remediations WHERE campaign_id = ? AND status = 'verified' AND verified_run_id = ?", launched.id, verifying.id),
  campaignStatus: ctx.db.prepare('SELECT status FROM review_campaigns WHERE id = ?').pluck().get(launched.id) as string,
  server429: afterJobs.rateLimited - before.rateLimited,
  serverRequests: afterJobs.requests - before.requests,
  auditChain: verifyAuditChain(ctx.db).valid,
};
const ratio = wallMs / boundMs;
console.log(
  JSON.stringify({
    bench: 'review-close',
    date: new Date().toISOString(),
    machine,
    loadAtStart: load,
    revocations: n,
    budgetShare: share,
    concurrency,
    bucket: { name: bucket.name, limitPerMinute: bucket.limit },
    launchMs: Math.round(launchMs),
    decideMs: Math.round(decideMs),
    submitMs: Math.round(submitMs),
    closeMs: Math.round(closeMs),
    boundMs: Math.round(boundMs),
    wallMs: Math.round(wallMs),
    ratio: Number(ratio.toFixed(3)),
    verifySyncMs: Math.round(syncMs),
    summary,
    ...result,
  }),
);
console.log(`
| revocations | budget share | close | bound | revocations wall | ratio (goal <= 1.2) | revoked once | still members | verified by the next sync | 429s sent | failed jobs | audit chain |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${n.toLocaleString('en-US')} | ${share} of ${bucket.limit}/min | ${(closeMs / 1000).toFixed(1)} s | ${(boundMs / 60_000).toFixed(1)} min | ${(wallMs / 60_000).toFixed(1)} min | **${ratio.toFixed(2)}x** | ${result.distinctRemoved === n && result.removalsLogged === n ? 'yes' : `NO (${result.removalsLogged} removals of ${result.distinctRemoved})`} | ${result.stillMembers} | ${result.verified.toLocaleString('en-US')} (${result.campaignStatus}) | ${result.server429} | ${result.jobsFailed} | ${result.auditChain ? 'verifies' : 'BROKEN'} |
`);
ctx.db.close();
await s.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(result.revoked === n && result.stillMembers === 0 && result.jobsFailed === 0 && result.verified === n && result.removalsLogged === n ? 0 : 1);
