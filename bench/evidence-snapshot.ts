// The evidence workbook's snapshot sheets (People, Access, Privileged, Drift,
// Changes) streamed from a 100k-user workspace (~1M memberships), as of a
// period end one sync before the live one, so the history after it is
// undone (1% of memberships added and 0.5% of users joined after the period
// end, recorded as a later run). Against, in the same run and file, a bare
// streamed scan of the same memberships joined with their account and group
// (the cheapest query that could fill the Access sheet), then the same on a
// read-only copy. Rows are consumed as the writer would (iterated, cells
// built), nothing written. The workspace is the synthetic org of
// test/fixtures/seed-snapshot.ts with ten catalog roles and 2,000 grants.
// Not a timed test: it prints rows/s, CPU and peak RSS for bench/RESULTS.md.
//
//   node --import tsx bench/evidence-snapshot.ts [--users 100000] [--per-user 10]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { SNAPSHOT_SHEETS } from '../electron/engine/evidence/sheets-snapshot.js';
import { seedApprovedRequests, seedRole } from '../test/fixtures/governance.js';
import { seedSynthetic } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, 'per-user': { type: 'string', default: '10' }, 'seed-into': { type: 'string' } } });
const users = Number(values.users);
const perUser = Number(values['per-user']);
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const peak = (): number => process.resourceUsage().maxRSS * 1024;
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

const T0 = '2026-06-30T23:00:00.000Z';
const T1 = '2026-07-01T01:00:00.000Z';
const PERIOD_END = '2026-06-30T23:59:59.999Z';
/** Builds the workspace (in a child process, so the seeding's memory is not in the sheets' peak RSS). */
function seed(file: string): void {
  const db = openDatabase(file);
  const t = performance.now();
  const cid = seedSynthetic(db, { users, groups: Math.max(10, Math.round(users / 20)), memberships: users * perUser });
  for (let r = 0; r < 10; r++) {
    const groupId = `00g${String(r * 3).padStart(8, '0')}`;
    const roleId = seedRole(db, { app: `Bench App ${r % 3}`, role: `Role ${r}`, risk: (['critical', 'high', 'medium', 'low'] as const)[r % 4], groups: [{ connectionId: cid, groupId, groupName: `g${r}` }] }, new Date(T0));
    const members = db.prepare('SELECT identity_id FROM memberships WHERE connection_id = ? AND gen = 1 AND group_id = ? LIMIT 200').pluck().all(cid, groupId) as string[];
    seedApprovedRequests(db, { roleId, beneficiaries: members.map((id) => ({ connectionId: cid, identityId: id, email: null, name: id })), durationMinutes: null, now: new Date('2026-01-01T00:00:00.000Z') });
  }
  db.prepare("UPDATE grants SET status = 'active', provisioned_at = starts_at").run();
  // History: the period-end run, and a later one that recorded 1% of memberships and 0.5% of users as new.
  db.transaction(() => {
    const joiners = Math.round(users * 0.005);
    const run = db.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at, users, baseline) VALUES (?, 'full', 'succeeded', 1, ?, ?, ?, ?)");
    run.run(cid, '2026-06-30T22:59:00.000Z', T0, users - joiners, 1);
    const later = Number(run.run(cid, '2026-07-01T00:59:00.000Z', T1, users, 0).lastInsertRowid);
    db.prepare(
      `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name)
       SELECT ?, connection_id, 'membership-add', 'user', identity_id, NULL, group_id, NULL FROM memberships WHERE connection_id = ? AND gen = 1 AND (abs(random()) % 100) = 0`,
    ).run(later, cid);
    db.prepare(
      `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, subject_name, after)
       SELECT ?, connection_id, 'joiner', 'user', id, display_name, status FROM identities WHERE connection_id = ? AND gen = 1 ORDER BY id DESC LIMIT ?`,
    ).run(later, cid, joiners);
    db.prepare(
      `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name)
       SELECT ?, m.connection_id, 'membership-add', 'user', m.identity_id, NULL, m.group_id, NULL FROM memberships m
       WHERE m.connection_id = ? AND m.gen = 1 AND m.identity_id >= (SELECT min(id) FROM (SELECT id FROM identities WHERE connection_id = ? AND gen = 1 ORDER BY id DESC LIMIT ?))
         AND NOT EXISTS (SELECT 1 FROM sync_changes s WHERE s.run_id = ? AND s.subject_id = m.identity_id AND s.object_id = m.group_id)`,
    ).run(later, cid, cid, joiners, later);
  })();
  const n = db.prepare('SELECT count(*) FROM memberships').pluck().get() as number;
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  console.log(`workspace: ${users} users, ${n} memberships, seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; load ${load()}`);
}

const input = (db: Db, to = PERIOD_END) => ({ db, from: '2026-04-01T00:00:00.000Z', to, generatedAt: T1, leaverDeadlineHours: 24 });

function bare(db: Db): { rows: number; ms: number; cpu: number } {
  const t = performance.now();
  const c = process.cpuUsage();
  let rows = 0;
  const stmt = db.prepare(
    `SELECT m.connection_id, m.group_id, g.name, m.identity_id, i.display_name, i.email, i.status FROM memberships m
     JOIN identities i ON i.connection_id = m.connection_id AND i.gen = m.gen AND i.id = m.identity_id
     JOIN groups g ON g.connection_id = m.connection_id AND g.gen = m.gen AND g.id = m.group_id
     WHERE m.connection_id = 1 AND m.gen = 1 ORDER BY m.group_id, m.identity_id`,
  );
  for (const r of stmt.iterate() as IterableIterator<Record<string, unknown>>) {
    const cells = Object.values(r);
    if (cells.length > 0) rows++;
  }
  const u = process.cpuUsage(c);
  return { rows, ms: performance.now() - t, cpu: (u.user + u.system) / 1000 };
}

function run(label: string, db: Db): void {
  const b = bare(db);
  console.log(`${label} baseline (bare scan, memberships + account + group): ${b.rows} rows in ${(b.ms / 1000).toFixed(2)} s, ${Math.round(b.rows / (b.ms / 1000))} rows/s (cpu ${(b.cpu / 1000).toFixed(2)} s); load ${load()}`);
  // Every sheet at the period end (history undone), and Changes again over a period that takes in the later run.
  for (const [sheet, to] of [...SNAPSHOT_SHEETS.map((x) => [x, PERIOD_END] as const), [SNAPSHOT_SHEETS.at(-1)!, T1] as const]) {
    const t = performance.now();
    const c = process.cpuUsage();
    let rows = 0;
    let flagged = 0;
    for (const r of sheet.rows(input(db, to))) {
      rows++;
      if (r.flags) flagged++;
    }
    const ms = performance.now() - t;
    const u = process.cpuUsage(c);
    const cpu = (u.user + u.system) / 1000;
    const rec = sheet.reconcile?.(input(db, to), rows) ?? [];
    const ok = rec.every((r) => r.expected === r.actual) ? '✔' : `✘ ${JSON.stringify(rec)}`;
    const ratio = sheet.name === 'Access' || sheet.name === 'People' ? ` (${(ms / b.ms).toFixed(2)}x baseline wall, ${(cpu / b.cpu).toFixed(2)}x cpu)` : '';
    console.log(
      `${label} ${(to === T1 ? `${sheet.name}@T1` : sheet.name).padEnd(10)} ${String(rows).padStart(8)} rows (${flagged} flagged) in ${(ms / 1000).toFixed(2)} s, ${Math.round(rows / Math.max(ms / 1000, 0.001))} rows/s, cpu ${(cpu / 1000).toFixed(2)} s${ratio}; reconciled ${ok}; peak RSS ${mb(peak())}; load ${load()}`,
    );
  }
}

if (values['seed-into']) {
  seed(values['seed-into']);
  process.exit(0);
}
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-evidence-bench-'));
const file = path.join(dir, 'big.latchkey');
const child = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--users', String(users), '--per-user', String(perUser), '--seed-into', file], { stdio: 'inherit' });
if (child.status !== 0) throw new Error('seeding failed');
console.log(`peak RSS before reading: ${mb(peak())}`);
const rw = openDatabase(file);
run('workspace', rw);
rw.close();
const copy = path.join(dir, 'copy.latchkey');
fs.copyFileSync(file, copy);
const ro = openDatabase(copy, { readOnly: true });
run('read-only copy', ro);
ro.close();
fs.rmSync(dir, { recursive: true, force: true });
