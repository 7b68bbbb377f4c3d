// Benchmark: incremental vs full Okta sync after 1% of the org changed.
//
//   npm run bench -- incremental [--users 100000] [--seed 42] [--fraction 0.01] [--mutate-seed 7] [--rounds 3] [--concurrency 8]
//
// 1. the sandbox (its own process, so its CPU is not billed to the client
//    runs) serves the org; Latchkey fully syncs it into workspace A;
// 2. POST /__sandbox/mutate {fraction} applies random realistic changes, each
//    with its System Log events;
// 3. Latchkey syncs A again: incremental (System Log since A's position);
//    steps 2-3 repeat `rounds` times (a new change set each, seed + round);
// 4. a fresh full sync into workspace B; A and B must hold the same
//    snapshot (row counts and a content hash over every column).
// Reported: HTTP requests and wall time of the full runs (A's and B's) and of
// the incremental ones (median), their ratios (goal: <= 5% for both), and
// where the incremental run's time goes (phases from its progress events).
// Wall time is the runner's: what sync-service does after a run (re-linking
// people across IdPs) is timed separately.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startChildSandbox } from './lib/child-sandbox.js';
import { emptyScope, type SyncRunSummary } from '../shared/domain.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    fraction: { type: 'string', default: '0.01' },
    'mutate-seed': { type: 'string', default: '7' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '8' },
    // child role
    'serve-sandbox': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const seed = Number(values.seed);
const fraction = Number(values.fraction);
const mutateSeed = Number(values['mutate-seed']);
const concurrency = Number(values.concurrency);
const rounds = Math.max(1, Number(values.rounds));

// ---------------------------------------------------------------- child: sandbox
if (values['serve-sandbox']) {
  const { startSandbox } = await import('../electron/sandbox/sandbox.js');
  const sb = await startSandbox({ users, seed, port: 0, rateLimits: 'off', graph: false });
  console.log(JSON.stringify({ url: sb.okta.url, token: sb.okta.token, users: sb.org.users.length, groups: sb.org.groups.length }));
  process.on('SIGTERM', () => {
    void sb.close().finally(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

// ---------------------------------------------------------------- parent
const { openDatabase } = await import('../electron/engine/db/database.js');
const { runOktaSync } = await import('../electron/engine/sync/okta-sync.js');
const { refreshCorrelation } = await import('../electron/engine/directory/correlation.js');
const { memorySecretStore } = await import('../electron/engine/secrets/secret-store.js');
const { systemClock } = await import('../electron/engine/context.js');
type Db = ReturnType<typeof openDatabase>;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-incremental-'));
const { info, stop: stopSandbox } = await startChildSandbox<{ url: string; token: string; users: number; groups: number }>(path.join(here, 'incremental.ts'), [
  '--users', String(users), '--seed', String(seed),
]);
console.error(`sandbox: ${info.users.toLocaleString('en-US')} users, ${info.groups.toLocaleString('en-US')} groups`);

// Warm the sandbox's cached user JSON so the first full sync does not pay for it alone.
let next: string | null = `${info.url}/api/v1/users?limit=200`;
while (next) {
  const res: Response = await fetch(next, { headers: { Authorization: `SSWS ${info.token}`, Accept: 'application/json' } });
  await res.arrayBuffer();
  next = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
}

const credential = { type: 'token' as const, token: info.token };
type Marks = { phase: string; at: number; message: string | null }[];

function workspaceAt(name: string): { db: Db; run: () => Promise<{ summary: SyncRunSummary; wallMs: number; marks: Marks }> } {
  const file = path.join(dir, `${name}.latchkey`);
  const db = openDatabase(file);
  const id = Number(
    db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, settings, created_at, updated_at) VALUES ('bench', 'okta', ?, 'token', ?, '', '')")
      .run(info.url, JSON.stringify({ budgetShare: 0.5 })).lastInsertRowid,
  );
  const connection = {
    id, name: 'bench', kind: 'okta' as const, baseUrl: info.url, authType: 'token' as const, clientId: null, scopes: [],
    settings: { budgetShare: 0.5, scope: emptyScope() }, orgName: null, liveGen: 0, createdAt: '',
  };
  let marks: Marks = [];
  const ctx = {
    db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: systemClock, actor: 'bench', transport: 'cli' as const, sandbox: true,
    events: {
      emit: (event: string, payload: unknown) => {
        if (event !== 'sync:progress') return;
        const p = payload as { phase: string; message: string | null };
        const last = marks.at(-1);
        // A phase, or the incremental run's switch from reading the log to re-reading objects.
        if (!last || last.phase !== p.phase || (p.message?.includes('re-reading') && !last.message?.includes('re-reading'))) {
          marks.push({ phase: p.phase, at: performance.now(), message: p.message });
        }
      },
    },
  };
  return {
    db,
    run: async () => {
      marks = [];
      const t0 = performance.now();
      const summary = await runOktaSync(ctx, connection, credential, { concurrency });
      const wallMs = performance.now() - t0;
      marks.unshift({ phase: 'start', at: t0, message: null });
      return { summary, wallMs, marks };
    },
  };
}

/** Row counts and a SHA-256 over every column of the live snapshot (generation excluded). */
function contentOf(db: Db): { counts: Record<string, number>; hash: string } {
  const h = createHash('sha256');
  const counts: Record<string, number> = {};
  const tables: [string, string][] = [
    ['identities', 'SELECT id, login, email, first_name, last_name, display_name, status, department, title, manager_id, location, employee_type, employee_number, last_login, created, last_updated, profile FROM cur_identities ORDER BY id'],
    ['groups', 'SELECT id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated FROM cur_groups ORDER BY id'],
    ['memberships', 'SELECT group_id, identity_id FROM cur_memberships ORDER BY group_id, identity_id'],
    ['apps', 'SELECT id, name, label, status, sign_on_mode FROM cur_apps ORDER BY id'],
    ['appAssignments', 'SELECT app_id, group_id, priority FROM cur_app_assignments ORDER BY app_id, group_id'],
  ];
  for (const [name, sql] of tables) {
    let n = 0;
    h.update(`\u0000${name}\u0000`);
    for (const row of db.prepare(sql).raw().iterate()) {
      h.update(JSON.stringify(row));
      n++;
    }
    counts[name] = n;
  }
  return { counts, hash: h.digest('hex') };
}

const fmtS = (ms: number): string => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const machine = `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;

try {
  const a = workspaceAt('a');
  console.error('latchkey: full sync (workspace A)...');
  const full = await a.run();
  if (full.summary.status !== 'succeeded' || full.summary.mode !== 'full') throw new Error(`full sync: ${full.summary.status} ${full.summary.error ?? ''}`);
  console.error(`  ${fmtS(full.wallMs)}, ${full.summary.requests} requests`);

  type Round = { mutated: { changes: number; events: number; byKind: Record<string, number> }; inc: Awaited<ReturnType<typeof a.run>>; correlationMs: number };
  const done: Round[] = [];
  for (let r = 0; r < rounds; r++) {
    const body = { fraction, seed: mutateSeed + r };
    console.error(`sandbox: POST /__sandbox/mutate ${JSON.stringify(body)}...`);
    const res = await fetch(`${info.url}/__sandbox/mutate`, {
      method: 'POST',
      headers: { Authorization: `SSWS ${info.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`mutate: HTTP ${res.status} ${await res.text()}`);
    const mutated = (await res.json()) as { changes: number; events: number; byKind: Record<string, number> };
    console.error(`  ${mutated.changes} changes, ${mutated.events} System Log events`);
    console.error('latchkey: sync again (workspace A, incremental)...');
    const inc = await a.run();
    if (inc.summary.status !== 'succeeded' || inc.summary.mode !== 'incremental') throw new Error(`incremental: ${inc.summary.mode} ${inc.summary.status} ${inc.summary.error ?? inc.summary.note ?? ''}`);
    console.error(`  ${fmtS(inc.wallMs)}, ${inc.summary.requests} requests, ${inc.summary.changes} changes`);
    const c0 = performance.now();
    refreshCorrelation(a.db);
    done.push({ mutated, inc, correlationMs: performance.now() - c0 });
  }
  // The round with the median wall time.
  const { mutated, inc, correlationMs } = [...done].sort((x, y) => x.inc.wallMs - y.inc.wallMs)[Math.floor(done.length / 2)]!;

  console.error('latchkey: fresh full sync (workspace B)...');
  const b = workspaceAt('b');
  const fresh = await b.run();
  if (fresh.summary.status !== 'succeeded') throw new Error(`fresh full sync: ${fresh.summary.error ?? ''}`);

  const left = contentOf(a.db);
  const right = contentOf(b.db);
  const equal = left.hash === right.hash && JSON.stringify(left.counts) === JSON.stringify(right.counts);
  // Two full syncs of (nearly) the same org: A's first and B's; their mean is the yardstick.
  const fullMs = (full.wallMs + fresh.wallMs) / 2;
  const requestRatio = inc.summary.requests / full.summary.requests;
  const wallRatio = inc.wallMs / fullMs;
  // The marks say when each phase STARTED; the time of a phase is the gap to the next mark.
  const spans = inc.marks.map((m, i) => ({
    phase: i === 0 ? 'start' : m.message?.includes('re-reading') ? 're-reading' : m.phase,
    ms: Math.round(((inc.marks[i + 1]?.at ?? inc.marks[0]!.at + inc.wallMs) - m.at)),
  }));
  console.log(`
| incremental vs full, ${info.users.toLocaleString('en-US')} users, ${(fraction * 100).toFixed(1)}% changed (${mutated.changes} changes, ${mutated.events} log events${rounds > 1 ? `; median of ${rounds} rounds` : ''}) | full | incremental | ratio (goal <= 5%) |
| --- | ---: | ---: | ---: |
| HTTP requests | ${full.summary.requests} | ${inc.summary.requests} | **${(requestRatio * 100).toFixed(2)}%** |
| wall time (runner) | ${fmtS(fullMs)} (A ${fmtS(full.wallMs)}, B ${fmtS(fresh.wallMs)}) | ${fmtS(inc.wallMs)} (rounds: ${done.map((d) => fmtS(d.inc.wallMs)).join(', ')}) | **${(wallRatio * 100).toFixed(2)}%** |
| changes recorded | | ${inc.summary.changes} | |
| result equals a fresh full sync (row counts + content hash) | | ${equal ? 'yes' : '**NO**'} | |

incremental run, where the time goes: ${spans.map((s) => `${s.phase} ${s.ms} ms`).join(' · ')}; people re-linked across IdPs afterwards (sync-service, not in the runner's time): ${Math.round(correlationMs)} ms
`);
  console.log(
    JSON.stringify({
      bench: 'incremental', date: new Date().toISOString(), machine, users: info.users, groups: info.groups, fraction, mutated,
      rounds,
      full: { requests: full.summary.requests, wallMs: Math.round(fullMs), samplesMs: [Math.round(full.wallMs), Math.round(fresh.wallMs)] },
      incrementalSamples: done.map((d) => ({ wallMs: Math.round(d.inc.wallMs), requests: d.inc.summary.requests, changes: d.inc.summary.changes })),
      incremental: { requests: inc.summary.requests, wallMs: Math.round(inc.wallMs), changes: inc.summary.changes, changeCounts: inc.summary.changeCounts, note: inc.summary.note, spans },
      correlationMs: Math.round(correlationMs),
      ratios: { requests: Number(requestRatio.toFixed(4)), wall: Number(wallRatio.toFixed(4)) },
      equal, counts: { incremental: left.counts, fresh: right.counts },
    }),
  );
  a.db.close();
  b.db.close();
  if (!equal) process.exitCode = 1;
} finally {
  stopSandbox();
  fs.rmSync(dir, { recursive: true, force: true });
}
