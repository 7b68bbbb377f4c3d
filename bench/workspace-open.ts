// What opening a workspace costs with the checks a file from elsewhere gets
// (electron/engine/db/schema-check.ts and database.ts), against a bare open
// in the same run, on a large synthetic workspace (100k users, 5k groups,
// ~1M memberships, the Directory model and its search index built).
// Not a timed test: it prints medians for bench/RESULTS.md. The cases run
// interleaved, round after round, so a busy moment on a shared machine hits
// them alike.
//
//   node --import tsx bench/workspace-open.ts [--users 100000] [--runs 9]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { openDatabase } from '../electron/engine/db/database.js';
import { migrations } from '../electron/engine/db/migrations/index.js';
import { expectedSchema, schemaMismatch } from '../electron/engine/db/schema-check.js';
import { seedSynthetic } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, runs: { type: 'string', default: '9' } } });
const users = Number(values.users);
const runs = Number(values.runs);

type Case = { name: string; fn: () => void; rounds: number };

/** Medians over interleaved rounds (each case once per round, so a busy moment hits every case alike). */
function measure(cases: Case[]): { case: string; median: number; max: number }[] {
  for (const c of cases) c.fn(); // warm-up: the OS page cache, the expected schema's cache
  const times = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const most = Math.max(...cases.map((c) => c.rounds));
  for (let i = 0; i < most; i++) {
    for (const c of cases) {
      if (i >= c.rounds) continue;
      const t = performance.now();
      c.fn();
      times.get(c.name)?.push(performance.now() - t);
    }
  }
  return cases.map((c) => {
    const ts = (times.get(c.name) ?? []).sort((a, b) => a - b);
    return { case: c.name, median: ts[Math.floor(ts.length / 2)] ?? 0, max: ts[ts.length - 1] ?? 0 };
  });
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-openbench-'));
const file = path.join(dir, 'big.latchkey');
const t0 = performance.now();
const w = openDatabase(file);
seedSynthetic(w, { users, groups: Math.max(10, Math.round(users / 20)), memberships: users * 10 });
w.pragma('wal_checkpoint(TRUNCATE)');
w.pragma('journal_mode = DELETE'); // as `snapshot save` leaves a copy
w.close();
const seedMs = performance.now() - t0;
const bytes = fs.statSync(file).size;
// The read-write cases switch their file to WAL; the read-only ones keep the copy as `snapshot save` leaves it.
const rwFile = path.join(dir, 'big-rw.latchkey');
fs.copyFileSync(file, rwFile);

// Every variant ends with the same first query, which loads the schema.
const firstQuery = (db: Database.Database) => db.prepare('SELECT count(*) FROM connections').pluck().get();

const fast = runs * 5;
const cmp = new Database(file, { readonly: true });
// Three groups: the opens (interleaved), then quick_check, then building the expected schema (its garbage would tax the others).
const opens = measure([
  { name: 'bare read-only open (new Database, user_version, query_only, first query)', rounds: fast, fn: () => {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('user_version', { simple: true });
    db.pragma('query_only = ON');
    firstQuery(db);
    db.close();
  } },
  { name: 'openDatabase read-only without quick_check (hardening + schema compare)', rounds: fast, fn: () => {
    const db = openDatabase(file, { readOnly: true, quickCheck: false });
    firstQuery(db);
    db.close();
  } },
  { name: 'bare read-write open (new Database, WAL, pragmas, user_version, first query)', rounds: fast, fn: () => {
    const db = new Database(rwFile, { fileMustExist: true });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.pragma('user_version', { simple: true });
    firstQuery(db);
    db.close();
  } },
  { name: 'openDatabase read-write (hardening + schema compare, no quick_check)', rounds: fast, fn: () => {
    const db = openDatabase(rwFile);
    firstQuery(db);
    db.close();
  } },
  { name: 'the schema compare alone (cached expected schema)', rounds: fast, fn: () => void schemaMismatch(cmp, migrations, migrations.length) },
]);
cmp.close();
const checked = measure([
  { name: 'openDatabase read-only (the default: + quick_check)', rounds: runs, fn: () => {
    const db = openDatabase(file, { readOnly: true });
    firstQuery(db);
    db.close();
  } },
]);
const building = measure([
  { name: 'building the expected schema (migrations 1..n in memory; once per version per process)', rounds: fast, fn: () => void expectedSchema([...migrations], migrations.length) },
]);
const rows = [opens[0], opens[1], checked[0], opens[2], opens[3], opens[4], building[0]].filter((r) => r !== undefined);

console.log(`workspace: ${users} users, ${(bytes / 1e6).toFixed(0)} MB, seeded in ${(seedMs / 1000).toFixed(1)} s; median of ${fast} interleaved rounds (quick_check: ${runs})`);
const base = rows[0]?.median ?? 1;
const baseRw = rows[3]?.median ?? 1;
for (const [i, r] of rows.entries()) {
  const ratio = i <= 2 ? ` (${(r.median / base).toFixed(2)}× bare read-only)` : i <= 4 ? ` (${(r.median / baseRw).toFixed(2)}× bare read-write)` : '';
  console.log(`${r.case.padEnd(96)} median ${r.median.toFixed(2).padStart(9)} ms  max ${r.max.toFixed(2).padStart(9)} ms${ratio}`);
}
fs.rmSync(dir, { recursive: true, force: true });
