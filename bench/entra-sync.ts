// Benchmark: a full Entra ID sync by Latchkey against the Graph sandbox with
// Graph-like throttling on (resource units per app per 10 s window, sized by
// tenant: 8,000 for a tenant above 500 users; 429 TooManyRequests with
// Retry-After when spent), then a delta sync after 1% of the people changed
// in Entra. The sandbox runs in a child process (its CPU is not billed to the
// client; it shares the machine's cores, as a local sandbox does); the syncs
// run in this process, through the official SDKs over HTTPS with the sandbox
// CA pinned, into a real SQLite file.
//
//   node --import tsx bench/entra-sync.ts [--users 100000] [--seed 42] [--concurrency 8] [--rate-limits on|off]
//                                         [--changes 0.01] [--skip-delta] [--skip-check]
//
// Reports: wall time, requests, 429s (client-counted, server-counted; none
// may be left unhandled: the sync must succeed with every object), resource
// units spent, and the throttling bound: the time the budget alone imposes,
// resource units needed / units per 10 s window (and the window-aware
// version: the first window's budget is usable at once). For the delta run:
// its requests and wall time as a share of the full sync's (goal ≤ 5%), and
// (unless --skip-check) whether the result equals a fresh full sync.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '42' },
    concurrency: { type: 'string', default: '8' },
    'rate-limits': { type: 'string', default: 'on' },
    changes: { type: 'string', default: '0.01' },
    'skip-delta': { type: 'boolean', default: false },
    'skip-check': { type: 'boolean', default: false },
    'serve-sandbox': { type: 'boolean', default: false },
  },
});
const users = Number(values.users);
const seed = Number(values.seed);
const concurrency = Number(values.concurrency);
const throttling = values['rate-limits'] !== 'off';
const changes = Number(values.changes);
const WINDOW_S = 10;

type SandboxInfo = {
  url: string;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  caPem: string;
  budget: number;
  expected: { users: number; groups: number; memberships: number; apps: number; appAssignments: number };
};
type ServerStats = { requests: number; throttled: number; resourceUnits: number; cpuMs: number };

// ---------------------------------------------------------------- child: the sandbox
if (values['serve-sandbox']) {
  const { startSandbox } = await import('../electron/sandbox/sandbox.js');
  const { defaultThrottleBudget } = await import('../electron/sandbox/graph-server.js');
  const { applyRandomGraphChanges } = await import('../electron/sandbox/graph-mutate.js');
  const sb = await startSandbox({ users, seed, port: 0, rateLimits: throttling ? 'okta' : 'off' });
  const g = sb.graph;
  const server = sb.graphServer;
  if (!g || !server) throw new Error('no Graph sandbox');
  const d = server.directory;
  const expected = (): SandboxInfo['expected'] => {
    let memberships = 0;
    for (const gi of d.groups) memberships += d.memberships.members(gi).length;
    const appAssignments = d.apps.reduce((n, a) => n + d.appRoleAssignedTo(a).length, 0);
    return { users: d.org.users.filter((u) => !d.isDeleted(u.index)).length, groups: d.groups.length, memberships, apps: d.apps.length, appAssignments };
  };
  const info: SandboxInfo = { url: g.url, tenantId: g.tenantId, clientId: g.clientId, clientSecret: g.clientSecret, caPem: g.caPem, budget: defaultThrottleBudget(users), expected: expected() };
  console.log(JSON.stringify(info));
  // Commands on stdin, one per line, each answered with one JSON line; end of stdin stops the sandbox.
  const rl = readline.createInterface({ input: process.stdin });
  let cpu0 = process.cpuUsage();
  let base = server.stats();
  rl.on('line', (l) => {
    const [cmd, arg] = l.split(' ');
    if (cmd === 'start') {
      // Counters from here (org generation is not serving).
      cpu0 = process.cpuUsage();
      base = server.stats();
      console.log('{}');
    } else if (cmd === 'mutate') {
      console.log(JSON.stringify({ applied: applyRandomGraphChanges(server, { fraction: Number(arg), seed: seed + 1 }), expected: expected() }));
    } else {
      const cpu = process.cpuUsage(cpu0);
      const s = server.stats();
      console.log(JSON.stringify({ requests: s.requests - base.requests, throttled: s.throttled - base.throttled, resourceUnits: s.resourceUnits - base.resourceUnits, cpuMs: Math.round((cpu.user + cpu.system) / 1000) } satisfies ServerStats));
    }
  });
  rl.on('close', () => {
    void sb.close().finally(() => process.exit(0));
  });
  await new Promise(() => undefined);
}

// ---------------------------------------------------------------- parent: the syncs
const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--serve-sandbox', '--users', String(users), '--seed', String(seed), '--rate-limits', throttling ? 'on' : 'off'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const lines = readline.createInterface({ input: child.stdout });
const nextLine = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
const ask = async <T>(command: string): Promise<T> => {
  child.stdin.write(`${command}\n`);
  return JSON.parse(await nextLine()) as T;
};
const info = JSON.parse(await nextLine()) as SandboxInfo;

const { openDatabase } = await import('../electron/engine/db/database.js');
const { memorySecretStore } = await import('../electron/engine/secrets/secret-store.js');
const { systemClock } = await import('../electron/engine/context.js');
const { emptyScope } = await import('../shared/domain.js');
const { startEntraSync } = await import('../electron/engine/sync/entra-sync.js');
const { snapshotDigest } = await import('../test/integration/okta-sync-helpers.js');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-entra-'));
const credential = { type: 'secret' as const, clientSecret: info.clientSecret };
function workspace(name: string): { ctx: Parameters<typeof startEntraSync>[0]; connection: Parameters<typeof startEntraSync>[1] } {
  const dbFile = path.join(dir, `${name}.latchkey`);
  const db = openDatabase(dbFile);
  const settings = { budgetShare: 0.5, scope: emptyScope(), tenantId: info.tenantId, authorityHost: info.url, caPem: info.caPem };
  const id = Number(
    db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, client_id, scopes, settings, created_at, updated_at) VALUES ('bench', 'entra', ?, 'oauth', ?, '[]', ?, '', '')")
      .run(info.url, info.clientId, JSON.stringify(settings)).lastInsertRowid,
  );
  return {
    ctx: { db, dbPath: dbFile, readOnly: false, secrets: memorySecretStore(), clock: systemClock, events: { emit: () => undefined }, actor: 'bench', transport: 'cli', sandbox: true },
    connection: { id, name: 'bench', kind: 'entra', baseUrl: info.url, authType: 'oauth', clientId: info.clientId, scopes: [], settings, orgName: null, liveGen: 0, createdAt: '' },
  };
}
const fmt = (n: number): string => n.toLocaleString('en-US');
// The machine is shared: say how busy it was when the run started.
const load0 = os.loadavg()[0]?.toFixed(1) ?? '?';

const main = workspace('main');
await ask('start');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const summary = await startEntraSync(main.ctx, main.connection, credential, { concurrency }).done;
const durationMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const server = await ask<ServerStats>('stats');

const complete =
  summary.status === 'succeeded' &&
  summary.users === info.expected.users &&
  summary.groups === info.expected.groups &&
  summary.memberships === info.expected.memberships &&
  summary.apps === info.expected.apps &&
  summary.appAssignments === info.expected.appAssignments;
const boundS = (server.resourceUnits / info.budget) * WINDOW_S;
// The window the sync starts in lends its whole budget at once; each later one, another budget.
const windowAwareS = Math.max(0, Math.ceil(server.resourceUnits / info.budget) - 1) * WINDOW_S;
console.log(`
full Entra sync, ${fmt(users)} users, throttling ${throttling ? 'on' : 'off'} (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'cpu'}, load average ${load0} at start)
| measure | value |
| --- | ---: |
| status | ${summary.status}${summary.error ? ` (${summary.error})` : ''}${complete ? ', every object stored' : ', INCOMPLETE'} |
| users / groups / memberships / apps / assignments | ${fmt(summary.users)} / ${fmt(summary.groups)} / ${fmt(summary.memberships)} / ${summary.apps} / ${summary.appAssignments} |
| wall time | ${(durationMs / 1000).toFixed(1)} s (CPU: client ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s, sandbox ${(server.cpuMs / 1000).toFixed(1)} s) |
| requests (client / server) | ${fmt(summary.requests)} / ${fmt(server.requests)} |
| 429s received, all retried (client / server) | ${summary.rateLimited} / ${server.throttled} |
| requests held at the throttling gate | ${summary.throttledWaits} |
| resource units spent | ${fmt(server.resourceUnits)} (budget ${fmt(info.budget)} per ${WINDOW_S} s) |
| throttling bound, units ÷ (units per 10 s) | ${boundS.toFixed(1)} s${throttling ? ` (wall time ${(durationMs / 1000 / boundS).toFixed(2)}×)` : ''} |
| window-aware bound | ${windowAwareS} s |`);

const result: Record<string, unknown> = {
  bench: 'entra-sync', users, throttling, loadAverage: load0,
  full: {
    status: summary.status, error: summary.error, complete, durationMs: Math.round(durationMs), cpuMs: Math.round((cpu.user + cpu.system) / 1000), sandboxCpuMs: server.cpuMs,
    requests: summary.requests, serverRequests: server.requests, rateLimited: summary.rateLimited, serverThrottled: server.throttled, throttledWaits: summary.throttledWaits,
    resourceUnits: server.resourceUnits, budgetPer10s: info.budget, boundS: Number(boundS.toFixed(1)), windowAwareBoundS: windowAwareS,
  },
};
let ok = complete;

if (!values['skip-delta']) {
  const mutated = await ask<{ applied: Record<string, number>; expected: SandboxInfo['expected'] }>(`mutate ${changes}`);
  await ask('start');
  const t1 = performance.now();
  const delta = await startEntraSync(main.ctx, main.connection, credential, { concurrency }).done;
  const deltaMs = performance.now() - t1;
  const deltaServer = await ask<ServerStats>('stats');
  const deltaComplete = delta.status === 'succeeded' && delta.mode === 'incremental' && delta.users === mutated.expected.users && delta.memberships === mutated.expected.memberships;
  let equal: boolean | null = null;
  if (!values['skip-check']) {
    const fresh = workspace('fresh');
    const check = await startEntraSync(fresh.ctx, fresh.connection, credential, { concurrency }).done;
    equal = check.status === 'succeeded' && snapshotDigest(main.ctx.db, main.connection.id) === snapshotDigest(fresh.ctx.db, fresh.connection.id);
    fresh.ctx.db.close();
  }
  const kinds = Object.entries(mutated.applied).filter(([k]) => k !== 'total').map(([k, n]) => `${k} ${n}`).join(', ');
  console.log(`
delta sync after ${fmt(mutated.applied.total ?? 0)} changes in Entra (${kinds})
| measure | value |
| --- | ---: |
| status | ${delta.status} (${delta.mode})${delta.error ? ` (${delta.error})` : ''}; ${fmt(delta.changes)} changes recorded |
| wall time | ${(deltaMs / 1000).toFixed(2)} s = ${((deltaMs / durationMs) * 100).toFixed(1)}% of the full sync (goal ≤ 5%) |
| requests | ${fmt(delta.requests)} = ${((delta.requests / summary.requests) * 100).toFixed(1)}% of the full sync (goal ≤ 5%) |
| resource units | ${fmt(deltaServer.resourceUnits)}; 429s ${delta.rateLimited} |
| equals a fresh full sync | ${equal === null ? 'not checked' : equal ? 'yes' : 'NO'} |`);
  result.delta = {
    applied: mutated.applied, status: delta.status, mode: delta.mode, changes: delta.changes, durationMs: Math.round(deltaMs), requests: delta.requests,
    resourceUnits: deltaServer.resourceUnits, rateLimited: delta.rateLimited, wallShare: deltaMs / durationMs, requestShare: delta.requests / summary.requests, equalsFreshFull: equal,
  };
  ok = ok && deltaComplete && equal !== false;
}

child.stdin.end();
main.ctx.db.close();
fs.rmSync(dir, { recursive: true, force: true });
console.log(JSON.stringify(result));
if (!ok) process.exitCode = 1;
