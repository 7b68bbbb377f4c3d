// Benchmark: a full Okta sync by Latchkey vs the baseline SDK dump
// (bench/baseline-sdk-dump.ts), against the sandbox tenant, in the same run.
// The sandbox, Latchkey and the baseline each run in their own child process,
// so wall time and peak RSS are per process and the server's work is not
// billed to either client (it shares the machine's cores with them, as a
// local sandbox does).
//
//   node --import tsx bench/sync.ts [--users 100000] [--seed 42] [--concurrency 8] [--rounds 1] [--skip-baseline]
//   node --import tsx bench/sync.ts --rate-limits okta [--users 10000] [--budget-share 0.5]
//
// rate limits off (default): Latchkey vs baseline, goal >= 5x faster.
// rate limits okta: Latchkey only; its run time vs the lower bound the budget
// implies (max over buckets of requests / (share * limit per minute)), and the
// number of 429s received (goal: 0, and <= 1.15x the bound).
import { emptyScope } from '../shared/domain.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChildSandbox } from './lib/child-sandbox.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    users: { type: 'string' },
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '8' },
    'rate-limits': { type: 'string', default: 'off' },
    'budget-share': { type: 'string', default: '0.5' },
    'skip-baseline': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
    // child roles
    'serve-sandbox': { type: 'boolean', default: false },
    'run-latchkey': { type: 'boolean', default: false },
    url: { type: 'string' },
    db: { type: 'string' },
  },
});
const rateLimits = values['rate-limits'] === 'okta' ? 'okta' : 'off';
const users = Number(values.users ?? (rateLimits === 'okta' ? 10_000 : 100_000));
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const budgetShare = Number(values['budget-share']);
const rounds = Math.max(1, Number(values.rounds));

type ChildResult = Record<string, unknown> & { durationMs: number; maxRssMb: number };

/** Runs a child node process with tsx; resolves with its last stdout line parsed as JSON. */
function runChild(args: string[], env: Record<string, string> = {}): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let last = '';
    readline.createInterface({ input: child.stdout }).on('line', (l) => {
      if (l.trim().startsWith('{')) last = l;
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited with ${code}`));
      try {
        resolve(JSON.parse(last) as ChildResult);
      } catch {
        reject(new Error(`${args[0]} printed no JSON result`));
      }
    });
  });
}

// ---------------------------------------------------------------- child: sandbox
if (values['serve-sandbox']) {
  const { startSandbox } = await import('../electron/sandbox/sandbox.js');
  const sb = await startSandbox({ users, seed, port: 0, rateLimits });
  const org = sb.org as unknown as { users: unknown[]; groups: unknown[]; apps: unknown[] };
  console.log(JSON.stringify({ url: sb.okta.url, token: sb.okta.token, users: org.users.length, groups: org.groups.length, apps: org.apps.length }));
  // Serve until the parent closes our stdin... or kills us.
  process.on('SIGTERM', () => {
    void Promise.resolve(sb.close()).finally(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

// ---------------------------------------------------------------- child: latchkey
if (values['run-latchkey']) {
  const token = process.env.LATCHKEY_BENCH_TOKEN;
  if (!values.url || !values.db || !token) throw new Error('--run-latchkey needs --url, --db and LATCHKEY_BENCH_TOKEN');
  const { openDatabase } = await import('../electron/engine/db/database.js');
  const { runFullSync } = await import('../electron/engine/sync/okta-sync.js');
  const { createOktaConnector } = await import('../electron/engine/connectors/okta/okta-connector.js');
  const { memorySecretStore } = await import('../electron/engine/secrets/secret-store.js');
  const { systemClock } = await import('../electron/engine/context.js');
  const db = openDatabase(values.db);
  const id = Number(
    db
      .prepare(
        "INSERT INTO connections (name, kind, base_url, auth_type, settings, created_at, updated_at) VALUES ('bench', 'okta', ?, 'token', ?, '', '')",
      )
      .run(values.url, JSON.stringify({ budgetShare })).lastInsertRowid,
  );
  const connection = {
    id, name: 'bench', kind: 'okta' as const, baseUrl: values.url, authType: 'token' as const, clientId: null, scopes: [],
    settings: { budgetShare, scope: emptyScope() }, orgName: null, liveGen: 0, createdAt: '',
  };
  const credential = { type: 'token' as const, token };
  const connector = createOktaConnector({ orgUrl: values.url, credential, budgetShare, concurrency });
  let lastPhase = '';
  const ctx = {
    db, dbPath: values.db, readOnly: false, secrets: memorySecretStore(), clock: systemClock, actor: 'bench', transport: 'cli' as const, sandbox: true,
    events: {
      emit: (event: string, payload: unknown) => {
        const p = payload as { phase?: string; message?: string | null };
        if (event === 'sync:progress' && p.phase !== lastPhase) {
          lastPhase = p.phase ?? '';
          process.stderr.write(`  [latchkey] ${p.phase}${p.message ? `: ${p.message}` : ''}\n`);
        }
      },
    },
  };
  const startedAtMs = Date.now();
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const summary = await runFullSync(ctx, connection, credential, { connector, concurrency });
  const durationMs = Math.round(performance.now() - t0);
  const stats = connector.stats();
  db.close();
  console.log(
    JSON.stringify({
      tool: 'latchkey',
      users: summary.users,
      groups: summary.groups,
      memberships: summary.memberships,
      apps: summary.apps,
      appAssignments: summary.appAssignments,
      requests: summary.requests,
      rateLimited: summary.rateLimited,
      throttledWaits: summary.throttledWaits,
      retries: stats.retries,
      requestsByBucket: stats.requestsByBucket,
      limits: Object.fromEntries(stats.budget.map((b) => [b.bucket, b.limit])),
      startedAtMs,
      durationMs,
      cpuMs: Math.round((process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1000),
      maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
  process.exit(0);
}

// ---------------------------------------------------------------- parent
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-sync-'));
const { info, stop: stopSandbox } = await startChildSandbox<{ url: string; token: string; users: number; groups: number; apps: number }>(path.join(here, 'sync.ts'), [
  '--users', String(users), '--seed', String(seed), '--rate-limits', rateLimits,
]);
console.error(`sandbox: ${info.users.toLocaleString('en-US')} users, ${info.groups.toLocaleString('en-US')} groups, ${info.apps} apps, rate limits ${rateLimits}`);

// Warm the sandbox before timing anyone: it renders each user's JSON once and
// caches it, so whichever client came first would otherwise pay for that.
if (rateLimits === 'off') {
  let next: string | null = `${info.url}/api/v1/users?limit=200`;
  while (next) {
    const res: Response = await fetch(next, { headers: { Authorization: `SSWS ${info.token}`, Accept: 'application/json' } });
    await res.arrayBuffer();
    next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
  }
}

const env = { LATCHKEY_BENCH_TOKEN: info.token };
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
let runNo = 0;
const runLatchkey = async (): Promise<ChildResult> => {
  console.error('latchkey: full sync...');
  const db = path.join(dir, `latchkey-${runNo++}.latchkey`);
  const r = await runChild([path.join(here, 'sync.ts'), '--run-latchkey', '--url', info.url, '--db', db, '--concurrency', String(concurrency), '--budget-share', String(budgetShare)], env);
  console.error(`latchkey: ${r.durationMs} ms wall, ${String(r.cpuMs)} ms CPU`);
  return r;
};
const runBaseline = async (): Promise<ChildResult> => {
  console.error('baseline: sequential SDK dump...');
  const r = await runChild([path.join(here, 'baseline-sdk-dump.ts'), '--url', info.url, '--db', path.join(dir, `baseline-${runNo++}.latchkey`)], env);
  console.error(`baseline: ${r.durationMs} ms wall, ${String(r.cpuMs)} ms CPU`);
  return r;
};
/** The run with the median wall time. */
const median = (runs: ChildResult[]): ChildResult => [...runs].sort((a, b) => a.durationMs - b.durationMs)[Math.floor(runs.length / 2)]!;

try {
  if (rateLimits === 'okta') {
    const lk = await runLatchkey();
    const byBucket = lk.requestsByBucket as Record<string, number>;
    const limits = lk.limits as Record<string, number | null>;
    // Two bounds per bucket. The issue's: requests / (share * limit per
    // minute). And the window-aware one: Okta (and the sandbox) count in
    // minute windows aligned to the clock, so a run needing W windows' worth
    // of calls must at least reach the start of its W-th window; the first
    // window's allowance is available at once. The second is the real floor.
    const startedAtMs = Number(lk.startedAtMs);
    const toFirstBoundary = 60_000 - (startedAtMs % 60_000);
    const bounds = Object.entries(byBucket).map(([bucket, n]) => {
      const limit = limits[bucket] ?? null;
      const perWindow = limit ? Math.max(1, Math.floor(budgetShare * limit)) : Infinity;
      const windows = Math.ceil(n / perWindow);
      return {
        bucket,
        requests: n,
        limit,
        lowerBoundMs: limit ? Math.round((n / (budgetShare * limit)) * 60_000) : 0,
        windowBoundMs: windows <= 1 ? 0 : toFirstBoundary + (windows - 2) * 60_000,
      };
    });
    const lowerBoundMs = Math.max(...bounds.map((b) => b.lowerBoundMs));
    const windowBoundMs = Math.max(...bounds.map((b) => b.windowBoundMs));
    const result = {
      bench: 'sync-rate-limited', date: new Date().toISOString(), machine, users: info.users, groups: info.groups, budgetShare,
      latchkey: lk, buckets: bounds, lowerBoundMs, ratioToLowerBound: Number((lk.durationMs / lowerBoundMs).toFixed(2)),
      windowBoundMs, ratioToWindowBound: windowBoundMs > 0 ? Number((lk.durationMs / windowBoundMs).toFixed(2)) : null, http429: lk.rateLimited,
    };
    console.log(`
| sync, --rate-limits okta, budget share ${budgetShare} (${info.users.toLocaleString('en-US')} users, ${info.groups.toLocaleString('en-US')} groups) | value |
| --- | ---: |
${bounds.map((b) => `| requests to ${b.bucket} (limit ${b.limit ?? '?'}/min) | ${b.requests} -> >= ${(b.lowerBoundMs / 1000).toFixed(1)} s (window-aware >= ${(b.windowBoundMs / 1000).toFixed(1)} s) |`).join('\n')}
| lower bound the budget implies, requests / (share x limit) (slowest bucket) | ${(lowerBoundMs / 1000).toFixed(1)} s |
| window-aware lower bound (run started ${(toFirstBoundary / 1000).toFixed(1)} s before a window reset) | ${(windowBoundMs / 1000).toFixed(1)} s |
| Latchkey full sync | ${(lk.durationMs / 1000).toFixed(1)} s (${result.ratioToLowerBound}x the first bound${result.ratioToWindowBound !== null ? `, ${result.ratioToWindowBound}x the window-aware one` : ''}) |
| 429 answers received | ${Number(lk.rateLimited)} |
| budget waits | ${Number(lk.throttledWaits)} |
`);
    console.log(JSON.stringify(result));
  } else {
    // Rounds alternate who goes first, so neither always meets a warmer machine.
    const lkRuns: ChildResult[] = [];
    const baseRuns: ChildResult[] = [];
    for (let r = 0; r < rounds; r++) {
      if (r % 2 === 0) lkRuns.push(await runLatchkey());
      if (!values['skip-baseline']) baseRuns.push(await runBaseline());
      if (r % 2 === 1) lkRuns.push(await runLatchkey());
    }
    const lk = median(lkRuns);
    const base = baseRuns.length ? median(baseRuns) : null;
    const row = (name: string, r: ChildResult) =>
      `| ${name} | ${(r.durationMs / 1000).toFixed(1)} s | ${(Number(r.cpuMs) / 1000).toFixed(1)} s | ${r.maxRssMb} MB | ${Number(r.requests)} | ${Number(r.users).toLocaleString('en-US')} | ${Number(r.groups).toLocaleString('en-US')} | ${Number(r.memberships).toLocaleString('en-US')} |`;
    const speedup = base ? Number((base.durationMs / lk.durationMs).toFixed(2)) : null;
    console.log(`
| full sync, ${info.users.toLocaleString('en-US')} users (rate limits off${rounds > 1 ? `, median of ${rounds}` : ''}) | wall time | client CPU | peak RSS | requests | users | groups | memberships |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${row(`Latchkey (concurrency ${concurrency})`, lk)}
${base ? row('baseline SDK dump', base) : '| baseline | skipped | | | | | | |'}
${speedup ? `| **speed-up (wall)** | **${speedup}x** (goal >= 5x) | | | | | | |` : ''}
`);
    console.log(
      JSON.stringify({
        bench: 'sync', date: new Date().toISOString(), machine, users: info.users, groups: info.groups, concurrency, rounds, latchkey: lk, baseline: base, speedup,
        samples: { latchkeyMs: lkRuns.map((r) => r.durationMs), baselineMs: baseRuns.map((r) => r.durationMs) },
      }),
    );
  }
} finally {
  stopSandbox();
  fs.rmSync(dir, { recursive: true, force: true });
}
