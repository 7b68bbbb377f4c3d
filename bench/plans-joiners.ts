// Benchmark: 1,000 joiners, about five groups each, through orchestration
// plans against the sandbox Okta with its rate limits on.
//
//   npm run bench -- plans-joiners [--joiners 1000] [--groups 5] [--budget-share 0.5] [--users 3000] [--seed 7] [--concurrency 8]
//
// 1. the sandbox (in this process: the runner's pacing, not CPU, is what is
//    measured) serves an org with rate limits on, as Okta's defaults;
// 2. Latchkey syncs it (scope: `groups` directly managed groups), each group
//    mapped to a catalog role; the birthright evaluator gives every joiner
//    all of them (two base, two department, one role tier);
// 3. an HR feed hires `joiners` active people effective today; evaluation
//    makes one plan each, and the job runner (runJobs: tiers advance as their
//    jobs finish) carries them out.
// Reported: wall time against the bound the budget share implies (adds /
// (bucket limit x share) minutes: the membership calls count against Okta's
// /api/v1/groups bucket), 429s the server sent and how each ended (retried:
// handled; a failed job: unhandled), plans done, memberships in the IdP.
// Goal: every plan done, 0 unhandled 429s, <= 1.2x the bound.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { addConnectionInput } from '../shared/contract.js';
import { emptyScope } from '../shared/domain.js';
import { seedRole } from '../test/fixtures/governance.js';
import { verifyAuditChain } from '../electron/engine/audit/audit-log.js';
import { addConnection, setConnectionScope } from '../electron/engine/connections/connections.js';
import { liveAccountKeys } from '../electron/engine/directory/account-keys.js';
import { syncAndReconcile } from '../electron/engine/governance/after-sync.js';
import { runJobs } from '../electron/engine/governance/run-jobs.js';
import { importHr } from '../electron/engine/hr/import.js';
import type { BirthrightRole } from '../electron/engine/plans/build.js';
import { evaluatePlans } from '../electron/engine/plans/evaluate.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { createEventBus, openWorkspace } from '../electron/engine/workspace/workspace.js';
import { OKTA_RATE_LIMIT_BUCKETS } from '../electron/sandbox/rate-limits.js';
import { startSandbox } from '../electron/sandbox/sandbox.js';

const { values } = parseArgs({
  options: {
    joiners: { type: 'string', default: '1000' },
    groups: { type: 'string', default: '5' },
    'budget-share': { type: 'string', default: '0.5' },
    users: { type: 'string', default: '3000' },
    seed: { type: 'string', default: '7' },
    concurrency: { type: 'string', default: '8' },
  },
});
const joiners = Number(values.joiners);
const groupCount = Number(values.groups);
const share = Number(values['budget-share']);
const users = Math.max(Number(values.users), Math.ceil(joiners * 1.5));
const concurrency = Number(values.concurrency);
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
const load = os.loadavg().map((l) => l.toFixed(1)).join(' ');
const log = (s: string): void => console.error(`[${new Date().toISOString().slice(11, 19)}] ${s}`);

const s = await startSandbox({ users, seed: Number(values.seed), port: 0, rateLimits: 'okta', graph: false, jira: false });
// The groups: directly managed (Latchkey may change them), fewest members.
const groups = s.org.groups
  .filter((g) => g.type === 'OKTA_GROUP' && g.rule < 0)
  .sort((a, b) => s.org.memberships.members(a.index).length - s.org.memberships.members(b.index).length)
  .slice(0, groupCount);
if (groups.length < groupCount) throw new Error(`the sandbox org has only ${groups.length} directly managed groups`);
const people = s.org.users.filter((u) => u.status === 'ACTIVE' && !u.deleted && u.employeeNumber && groups.every((g) => !s.org.memberships.has(g.index, u.index))).slice(0, joiners);
if (people.length < joiners) throw new Error(`only ${people.length} active people outside the groups; raise --users`);
log(`sandbox: ${users.toLocaleString('en-US')} users, rate limits on; ${joiners.toLocaleString('en-US')} joiners into ${groups.length} groups`);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-plans-'));
const ctx = openWorkspace({ dbPath: path.join(dir, 'plans.latchkey'), secrets: memorySecretStore(), transport: 'cli', events: createEventBus() });
const connection = await addConnection(ctx, addConnectionInput.parse({ kind: 'okta', name: 'Okta', orgUrl: s.okta.url, budgetShare: share, auth: { type: 'token', token: s.okta.token } }));
setConnectionScope(ctx, connection.id, { ...emptyScope(), groups: { prefixes: groups.map((g) => g.name), pattern: null, types: [] }, apps: { include: ['(no apps)'] } });
const run = await (await syncAndReconcile(ctx, connection.id, { full: true })).done;
log(`synced: ${run.users} users, ${run.memberships} memberships`);

// One role per group; the birthright evaluator gives each joiner all of them, over three tiers.
const because = ['employmentType equals Employee', 'location exists', 'department equals Engineering', 'department starts with Eng', 'title starts with Senior'];
const roles: BirthrightRole[] = groups.map((g, i) => ({
  roleId: seedRole(ctx.db, { app: 'Bench', role: `Birthright ${i + 1}`, groups: [{ connectionId: connection.id, groupId: g.id, groupName: g.name }] }),
  policyId: 1,
  policyVersion: 1,
  durationDays: null,
  graceDays: 7,
  enforced: true,
  because: because[i % because.length] as string,
}));
const today = new Date().toISOString().slice(0, 10);
const lines = people.map((u, i) => JSON.stringify({ event_id: `bench-hire-${i}`, type: 'employee.hired', timestamp: new Date().toISOString(), effective_date: today, employee: { employee_id: u.employeeNumber, email: u.email } }));
const imported = importHr(ctx, { fileName: 'hires.jsonl', bytes: Buffer.from(`${lines.join('\n')}\n`) });
if (!imported.ok) throw new Error(imported.errors.slice(0, 3).map((e) => e.message).join('\n'));
const personOf = new Map(liveAccountKeys(ctx.db).map((a) => [a.identityId, a.personId]));
const wanted = new Set(people.map((u) => personOf.get(u.id)));

const bucket = OKTA_RATE_LIMIT_BUCKETS.find((b) => b.matches(`/api/v1/groups/${groups[0]?.id ?? 'x'}/users/x`));
if (!bucket) throw new Error('no rate-limit bucket for group membership calls');
const adds = joiners * groups.length;
const boundMs = (adds / (bucket.limit * share)) * 60_000;
log(`bound: ${adds} calls / (${bucket.limit}/min x ${share}) = ${(boundMs / 60_000).toFixed(1)} min; planning and running`);

const before = { ...s.oktaStats };
const t0 = performance.now();
const planned = evaluatePlans(ctx, { birthright: (_c, ids) => new Map((ids ?? []).filter((p) => wanted.has(p)).map((p) => [p, roles])) });
const planMs = performance.now() - t0;
log(`${planned.length} plans made in ${Math.round(planMs)} ms`);
const ticker = setInterval(() => {
  const done = (ctx.db.prepare("SELECT count(*) AS n FROM grants WHERE status = 'active'").get() as { n: number }).n;
  log(`${done.toLocaleString('en-US')} of ${adds.toLocaleString('en-US')} added, ${s.oktaStats.rateLimited - before.rateLimited} x 429 so far`);
}, 60_000);
const summary = await runJobs(ctx, { concurrency, waitForDueWithinMs: 600_000 });
clearInterval(ticker);
const wallMs = performance.now() - t0;

const count = (sql: string): number => (ctx.db.prepare(sql).get() as { n: number }).n;
const result = {
  plans: planned.length,
  plansDone: count("SELECT count(*) AS n FROM plans WHERE status = 'done'"),
  active: count("SELECT count(*) AS n FROM grants WHERE status = 'active'"),
  members: people.reduce((n, u) => n + groups.filter((g) => s.org.memberships.has(g.index, u.index)).length, 0),
  jobsFailed: count("SELECT count(*) AS n FROM jobs WHERE kind = 'provision' AND status <> 'succeeded'"),
  attempts429: count('SELECT count(*) AS n FROM job_attempts WHERE http_status = 429'),
  server429: s.oktaStats.rateLimited - before.rateLimited,
  serverRequests: s.oktaStats.requests - before.requests,
  auditChain: verifyAuditChain(ctx.db).valid,
};
const ratio = wallMs / boundMs;
console.log(JSON.stringify({ bench: 'plans-joiners', date: new Date().toISOString(), machine, loadAtStart: load, loadAtEnd: os.loadavg().map((l) => l.toFixed(1)).join(' '), joiners, groups: groups.length, budgetShare: share, concurrency, bucket: { name: bucket.name, limitPerMinute: bucket.limit }, boundMs: Math.round(boundMs), planMs: Math.round(planMs), wallMs: Math.round(wallMs), ratio: Number(ratio.toFixed(3)), summary, ...result }));
console.log(`
| joiners x groups | budget share | bound | wall | ratio (goal <= 1.2) | plans done | memberships in Okta | 429s sent | 429s unhandled (failed jobs) | audit chain |
| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |
| ${joiners.toLocaleString('en-US')} x ${groups.length} | ${share} of ${bucket.limit}/min | ${(boundMs / 60_000).toFixed(1)} min | ${(wallMs / 60_000).toFixed(1)} min | **${ratio.toFixed(2)}x** | ${result.plansDone} / ${result.plans} | ${result.members} / ${adds} | ${result.server429} | ${result.jobsFailed} | ${result.auditChain ? 'verifies' : 'BROKEN'} |
`);
ctx.db.close();
await s.close();
fs.rmSync(dir, { recursive: true, force: true });
process.exit(result.plansDone === joiners && result.members === adds && result.jobsFailed === 0 ? 0 : 1);
