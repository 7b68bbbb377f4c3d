// Benchmark: 10,000 grants expiring in the same minute, revoked through the
// sandbox Okta with its rate limits on.
//
//   npm run bench -- expiry [--grants 10000] [--budget-share 0.5] [--users 12000] [--seed 5] [--concurrency 8]
//
// 1. the sandbox (in this process: the runner's pacing, not CPU, is what is
//    measured) serves an org with rate limits on, as Okta's defaults; one
//    directly managed group gets `grants` members;
// 2. Latchkey syncs it (scope: that group), and the ledger gets `grants`
//    active grants for those members, all expired within one minute;
// 3. the start-up catch-up (what `latchkey jobs run --once` and the app's
//    scheduler do first) revokes them.
// Reported: wall time against the bound the budget share implies (grants /
// (bucket limit x share) minutes: the membership calls all count against
// Okta's /api/v1/groups bucket), 429s the server sent and how each ended
// (retried: handled; a failed job: unhandled), and whether the ledger and
// the IdP agree afterwards. Goal: all revoked, 0 unhandled 429s, <= 1.2x.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { addConnectionInput } from '../shared/contract.js';
import { emptyScope } from '../shared/domain.js';
import { beneficiariesOf, seedApprovedRequests, seedRole } from '../test/fixtures/governance.js';
import { verifyAuditChain } from '../electron/engine/audit/audit-log.js';
import { addConnection, setConnectionScope } from '../electron/engine/connections/connections.js';
import { catchUp } from '../electron/engine/governance/scheduler.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { syncAndReconcile } from '../electron/engine/governance/after-sync.js';
import { createEventBus, openWorkspace } from '../electron/engine/workspace/workspace.js';
import { OKTA_RATE_LIMIT_BUCKETS } from '../electron/sandbox/rate-limits.js';
import { startSandbox } from '../electron/sandbox/sandbox.js';

const { values } = parseArgs({
  options: {
    grants: { type: 'string', default: '10000' },
    'budget-share': { type: 'string', default: '0.5' },
    users: { type: 'string', default: '12000' },
    seed: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '8' },
  },
});
const grants = Number(values.grants);
const share = Number(values['budget-share']);
const users = Math.max(Number(values.users), Math.ceil(grants * 1.15));
const concurrency = Number(values.concurrency);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const log = (s: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const s = await startSandbox({ users, seed: Number(values.seed), port: 0, rateLimits: 'okta', graph: false, jira: false });
// The group: directly managed (Latchkey may change it), fewest members.
const group = s.org.groups
  .filter((g) => g.type === 'OKTA_GROUP' && g.rule < 0)
  .sort((a, b) => s.org.memberships.members(a.index).length - s.org.memberships.members(b.index).length)[0];
if (!group) throw new Error('the sandbox org has no directly managed group');
let added = 0;
for (const u of s.org.users) {
  if (added >= grants) break;
  if (u.status !== 'ACTIVE' || u.deleted || s.org.memberships.has(group.index, u.index)) continue;
  s.mutations.addMembership(group.id, u.id);
  added++;
}
if (added < grants) throw new Error(`only ${added} active people to add; raise --users`);
log(`sandbox: ${users.toLocaleString('en-US')} users, rate limits on; ${grants.toLocaleString('en-US')} members added to "${group.name}"`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-expiry-'));
const ctx = openWorkspace({ dbPath: path.join(dir, 'expiry.latchkey'), secrets: memorySecretStore(), transport: 'cli', events: createEventBus() });
const connection = await addConnection(ctx, addConnectionInput.parse({ kind: 'okta', name: 'Okta', orgUrl: s.okta.url, budgetShare: share, auth: { type: 'token', token: s.okta.token } }));
setConnectionScope(ctx, connection.id, { ...emptyScope(), groups: { prefixes: [group.name], pattern: null, types: [] }, apps: { include: ['(no apps)'] } });
const sync = await syncAndReconcile(ctx, connection.id, { full: true });
const run = await sync.done;
log(`synced: ${run.users} users, ${run.memberships} memberships`);

// Active grants for every member, all expired within the previous minute.
const roleId = seedRole(ctx.db, { app: 'Bench', role: 'Member', groups: [{ connectionId: connection.id, groupId: group.id, groupName: group.name }] });
const members = new Set(Array.from(s.org.memberships.members(group.index), (i) => s.org.users[i]?.id));
const beneficiaries = beneficiariesOf(ctx.db, connection.id, users).filter((b) => members.has(b.identityId)).slice(0, grants);
const now = new Date();
seedApprovedRequests(ctx.db, { roleId, beneficiaries, durationMinutes: 60, now: new Date(now.getTime() - 3_600_000) });
const minute = Math.floor(now.getTime() / 60_000) * 60_000 - 60_000;
ctx.db.transaction(() => {
  ctx.db.prepare("UPDATE jobs SET status = 'succeeded', finished_at = ? WHERE kind = 'provision'").run(now.toISOString());
  ctx.db
    .prepare("UPDATE grants SET status = 'active', provisioned_at = starts_at, expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', ? / 1000.0 + (id % 60), 'unixepoch')")
    .run(minute);
})();
const due = (ctx.db.prepare("SELECT count(*) AS n FROM grants WHERE status = 'active' AND expires_at <= ?").get(now.toISOString()) as { n: number }).n;
log(`${due.toLocaleString('en-US')} grants expired between ${new Date(minute).toISOString()} and ${new Date(minute + 59_000).toISOString()}`);

// The bucket the membership calls count against, and what the budget share leaves of it.
const bucket = OKTA_RATE_LIMIT_BUCKETS.find((b) => b.matches(`/api/v1/groups/${group.id}/users/x`));
if (!bucket) throw new Error('no rate-limit bucket for group membership calls');
const boundMs = (grants / (bucket.limit * share)) * 60_000;
log(`bound: ${grants} calls / (${bucket.limit}/min x ${share}) = ${(boundMs / 60_000).toFixed(1)} min; running the catch-up`);

const before = { ...s.oktaStats };
const t0 = performance.now();
const ticker = setInterval(() => {
  const left = (ctx.db.prepare("SELECT count(*) AS n FROM grants WHERE status IN ('active', 'revoking')").get() as { n: number }).n;
  log(`${(grants - left).toLocaleString('en-US')} revoked, ${s.oktaStats.rateLimited - before.rateLimited} x 429 so far`);
}, 60_000);
const summary = await catchUp(ctx, { concurrency, waitForDueWithinMs: 600_000 });
clearInterval(ticker);
const wallMs = performance.now() - t0;

const count = (sql: string): number => (ctx.db.prepare(sql).get() as { n: number }).n;
const result = {
  expired: count("SELECT count(*) AS n FROM grants WHERE status = 'expired'"),
  // Of the people whose grants expired (the group's other members stay).
  stillMembers: beneficiaries.filter((b) => s.org.memberships.has(group.index, s.oktaState.userIndex(b.identityId) ?? -1)).length,
  jobsFailed: count("SELECT count(*) AS n FROM jobs WHERE kind = 'revoke' AND status <> 'succeeded'"),
  attempts429: count("SELECT count(*) AS n FROM job_attempts WHERE http_status = 429"),
  retriedAttempts: count("SELECT count(*) AS n FROM job_attempts WHERE outcome = 'retry'"),
  server429: s.oktaStats.rateLimited - before.rateLimited,
  serverRequests: s.oktaStats.requests - before.requests,
  auditChain: verifyAuditChain(ctx.db).valid,
};
const ratio = wallMs / boundMs;
const row = {
  bench: 'expiry',
  date: new Date().toISOString(),
  machine,
  loadAtStart: load,
  grants,
  budgetShare: share,
  concurrency,
  bucket: { name: bucket.name, limitPerMinute: bucket.limit },
  boundMs: Math.round(boundMs),
  wallMs: Math.round(wallMs),
  ratio: Number(ratio.toFixed(3)),
  summary,
  ...result,
};
console.log(JSON.stringify(row));
console.log(`
| grants | budget share | bound | wall | ratio (goal <= 1.2) | revoked | still members | 429s sent | 429s unhandled (failed jobs) | audit chain |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${grants.toLocaleString('en-US')} | ${share} of ${bucket.limit}/min | ${(boundMs / 60_000).toFixed(1)} min | ${(wallMs / 60_000).toFixed(1)} min | **${ratio.toFixed(2)}x** | ${result.expired.toLocaleString('en-US')} | ${result.stillMembers} | ${result.server429} | ${result.jobsFailed} | ${result.auditChain ? 'verifies' : 'BROKEN'} |
`);
ctx.db.close();
await s.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(result.expired === grants && result.stillMembers === 0 && result.jobsFailed === 0 ? 0 : 1);
