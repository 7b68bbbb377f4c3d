// The full evidence workbook of a big workspace (bench/lib/evidence-workspace.ts:
// 100k users, ~1M memberships, a generated ledger of ~1.25M rows, a review of
// ~1M decided items) against, in the same run and over the same sheet rows:
// (a) the rows written as plain CSV (the canonical CSV, one file per sheet),
// (b) a bare exceljs streaming write of the rows (one worksheet per sheet, no
// styles, no hashing, no Exceptions or Sample). Then the full workbook again
// on a read-only snapshot copy, with (a) and (b) on the copy too. Each phase runs in its own process, so its
// peak RSS is its own. Not a timed test: it prints wall time, CPU and peak
// RSS for bench/RESULTS.md.
//
//   npm run bench -- evidence-export [--users 100000] [--per-user 10] [--requests 250000]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../electron/engine/db/database.js';
import type { EngineContext } from '../electron/engine/context.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { saveSnapshot } from '../electron/engine/workspace/snapshot-copy.js';
import { seedEvidenceWorkspace } from './lib/evidence-workspace.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    'per-user': { type: 'string', default: '10' },
    requests: { type: 'string', default: '250000' },
  },
});
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
type PhaseResult = { phase: string; ms: number; cpuMs: number; peak: number; startRss: number; rows: number; bytes: number; load: string };

// The phases run the engine as the CLI ships it: build it first.
{
  const b = spawnSync(process.execPath, [new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname, '-p', 'tsconfig.node.json'], { stdio: 'inherit' });
  if (b.status !== 0) throw new Error('tsc -p tsconfig.node.json failed: the phases need dist/');
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-evidence-bench-'));
const file = path.join(dir, 'big.latchkey');
const phaseScript = new URL('./lib/evidence-phase.mjs', import.meta.url).pathname;
const child = (args: string[]): string => {
  const r = spawnSync(process.execPath, [phaseScript, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status})`);
  return r.stdout.trim().split('\n').at(-1) ?? '';
};

// Seeding in this process (its memory is not any phase's).
let t = performance.now();
const db = openDatabase(file);
const ctx: EngineContext = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => new Date() }, events: { emit: () => undefined }, actor: 'bench', transport: 'cli', sandbox: false };
const ws = seedEvidenceWorkspace(ctx, { users: Number(values.users), perUser: Number(values['per-user']), requests: Number(values.requests), now: new Date() });
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
console.log(`workspace: ${values.users} users, ${ws.requests} requests, ${ws.items} review items; seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; file ${mb(fs.statSync(file).size)}; load ${load()}`);
t = performance.now();
const copy = path.join(dir, 'copy.latchkey');
{
  const src = openDatabase(file);
  await saveSnapshot(src, copy, { force: true, clock: { now: () => new Date() } });
  src.close();
}
console.log(`read-only copy saved in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const results: PhaseResult[] = [];
for (const [name, db2, out] of [
  ['csv', file, path.join(dir, 'plain')],
  ['exceljs', file, path.join(dir, 'bare.xlsx')],
  ['workbook', file, path.join(dir, 'evidence.xlsx')],
  // The read-only copy's own baselines: its pages are cold where the live file's were just read.
  ['csv-ro', copy, path.join(dir, 'plain-ro')],
  ['exceljs-ro', copy, path.join(dir, 'bare-ro.xlsx')],
  ['workbook-ro', copy, path.join(dir, 'evidence-ro.xlsx')],
] as const) {
  const r = JSON.parse(child([name, db2, out, ws.from, ws.to])) as PhaseResult;
  results.push(r);
  console.log(`${name.padEnd(12)} ${r.rows} rows in ${(r.ms / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s); peak RSS ${mb(r.peak)} (${mb(r.startRss)} before the first row); ${mb(r.bytes)} written; load ${r.load}`);
}
const by = (n: string): PhaseResult => results.find((r) => r.phase === n) as PhaseResult;
for (const [n, sfx] of [['workbook', ''], ['workbook-ro', '-ro']] as const) {
  const w = by(n);
  const bare = by(`exceljs${sfx}`);
  const csv = by(`csv${sfx}`);
  console.log(
    `${n}: ${(w.ms / bare.ms).toFixed(2)}× bare exceljs (cpu ${(w.cpuMs / bare.cpuMs).toFixed(2)}×), ${(w.ms / csv.ms).toFixed(2)}× plain CSV (cpu ${(w.cpuMs / csv.cpuMs).toFixed(2)}×) on the same file; peak RSS ${mb(w.peak)}`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
