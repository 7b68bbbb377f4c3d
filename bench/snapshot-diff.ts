// Benchmark: what recording a full sync's changes adds to its commit. Two
// generations of one connection (100k users / 1M memberships by default),
// the second with ~1% differences (joiners, leavers, status and attribute
// changes, membership adds/removes, group and app changes), then:
//   - the generation diff alone (recordGenerationDiff, in a transaction that
//     is rolled back so every round sees the same data);
//   - one real commit() through the snapshot writer, diff included, for context.
//
//   node --import tsx bench/snapshot-diff.ts [--users 100000] [--memberships 1000000] [--groups 5000] [--rounds 5] [--change 0.01]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase } from '../electron/engine/db/database.js';
import { generationDiffPlans, recordGenerationDiff } from '../electron/engine/sync/generation-diff.js';
import { beginSyncRun } from '../electron/engine/sync/run-start.js';
import { openSnapshotWriter } from '../electron/engine/sync/snapshot-writer.js';
import { seededRandom, seedSynthetic } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    memberships: { type: 'string', default: '1000000' },
    groups: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '5' },
    change: { type: 'string', default: '0.01' },
  },
});
const USERS = Number(values.users);
const MEMBERSHIPS = Number(values.memberships);
const GROUPS = Number(values.groups);
const ROUNDS = Number(values.rounds);
const CHANGE = Number(values.change);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-diff-'));
const file = path.join(dir, 'diff.latchkey');
const db = openDatabase(file);
const clock = { now: () => new Date() };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

let t = performance.now();
const c = seedSynthetic(db, { users: USERS, groups: GROUPS, memberships: MEMBERSHIPS, seed: 3 });
const run = beginSyncRun(db, c, { actor: 'bench', clock }); // gen 2 beside live gen 1
const g = run.gen;
// The second generation: a copy of the first with ~CHANGE of everything different.
const rnd = seededRandom(9);
const pct = (p: number): number => Math.max(1, Math.round(p));
db.transaction(() => {
  const every = (fraction: number): number => Math.max(2, Math.round(1 / fraction));
  db.prepare(`INSERT INTO identities SELECT connection_id, ${g}, id, login, email, first_name, last_name, display_name,
      CASE WHEN hash_of % ${every(CHANGE * 0.2)} = 1 THEN 'SUSPENDED' WHEN hash_of % ${every(CHANGE * 0.2)} = 2 THEN 'DEPROVISIONED' ELSE status END,
      CASE WHEN hash_of % ${every(CHANGE * 0.4)} = 3 THEN 'Moved' ELSE department END,
      CASE WHEN hash_of % ${every(CHANGE * 0.2)} = 4 THEN 'New title' ELSE title END,
      manager_id, location, employee_type, employee_number, last_login, created, last_updated, profile
    FROM (SELECT *, (CAST(substr(id, 4) AS INTEGER) * 7919) % 100003 AS hash_of FROM identities WHERE connection_id = ? AND gen = 1)
    WHERE hash_of % ${every(CHANGE * 0.1)} != 5`).run(c);
  const joiners = pct(USERS * CHANGE * 0.1);
  const insertUser = db.prepare(
    `INSERT INTO identities (connection_id, gen, id, login, email, display_name, status, department, profile) VALUES (?, ${g}, ?, ?, ?, ?, 'ACTIVE', 'Sales', '{}')`,
  );
  for (let i = 0; i < joiners; i++) insertUser.run(c, `00unew${String(i).padStart(6, '0')}`, `new${i}@x.example`, `new${i}@x.example`, `New Person ${i}`);
  db.prepare(`INSERT INTO groups SELECT connection_id, ${g}, id, CASE WHEN rowid_n % 500 = 7 THEN name || '-renamed' ELSE name END, description, type, managed_by, managed_by_name, last_membership_updated, last_updated
    FROM (SELECT *, CAST(substr(id, 4) AS INTEGER) AS rowid_n FROM groups WHERE connection_id = ? AND gen = 1) WHERE rowid_n % 1000 != 11`).run(c);
  db.prepare(`INSERT INTO apps SELECT connection_id, ${g}, id, name, label, CASE WHEN id = '0oa00000003' THEN 'INACTIVE' ELSE status END, sign_on_mode FROM apps WHERE connection_id = ? AND gen = 1`).run(c);
  // Memberships: drop ~CHANGE/2 at random, add ~CHANGE/2 random pairs (members of removed groups/users go with them).
  db.prepare(`INSERT INTO memberships SELECT m.connection_id, ${g}, m.group_id, m.identity_id FROM memberships m
    WHERE m.connection_id = ? AND m.gen = 1 AND abs(random()) % ${Math.round(2 / CHANGE)} != 0
      AND EXISTS (SELECT 1 FROM identities i WHERE i.connection_id = m.connection_id AND i.gen = ${g} AND i.id = m.identity_id)
      AND EXISTS (SELECT 1 FROM groups x WHERE x.connection_id = m.connection_id AND x.gen = ${g} AND x.id = m.group_id)`).run(c);
  const addMember = db.prepare(`INSERT OR IGNORE INTO memberships (connection_id, gen, group_id, identity_id) VALUES (?, ${g}, ?, ?)`);
  const adds = pct(MEMBERSHIPS * CHANGE * 0.5);
  for (let i = 0; i < adds; i++) {
    addMember.run(c, `00g${String(Math.floor(rnd() * GROUPS)).padStart(8, '0')}`, `00u${String(Math.floor(rnd() * USERS)).padStart(8, '0')}`);
  }
  db.prepare(`INSERT INTO app_assignments SELECT a.connection_id, ${g}, a.app_id, a.group_id, a.priority FROM app_assignments a
    WHERE a.connection_id = ? AND a.gen = 1 AND EXISTS (SELECT 1 FROM groups x WHERE x.connection_id = a.connection_id AND x.gen = ${g} AND x.id = a.group_id)`).run(c);
})();
db.pragma('wal_checkpoint(TRUNCATE)');
const count = (table: string, gen: number): number =>
  (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE connection_id = ? AND gen = ?`).get(c, gen) as { n: number }).n;
console.error(
  `seeded in ${Math.round(performance.now() - t)} ms: gen 1 ${count('identities', 1)} users / ${count('memberships', 1)} memberships; ` +
    `gen ${g} ${count('identities', g)} / ${count('memberships', g)}`,
);

// Every statement must compare the generations by merge (no per-row seeks, no sort of a whole generation).
for (const p of generationDiffPlans(db)) {
  if (!p.plan.includes('MERGE (EXCEPT)')) console.error(`warning: a diff statement does not merge:\n${p.plan.join('\n')}`);
}

const diffMs: number[] = [];
let result = { total: 0, counts: {} };
for (let r = 0; r < ROUNDS; r++) {
  db.exec('BEGIN IMMEDIATE');
  t = performance.now();
  result = recordGenerationDiff(db, { runId: run.runId, connectionId: c, fromGen: 1, toGen: g });
  diffMs.push(performance.now() - t);
  db.exec('ROLLBACK');
}

// One real commit for context: count, diff, flip, run record, audit (the purge of the old generation follows outside the transaction).
const w = await openSnapshotWriter(db, run, { actor: 'bench', clock, threaded: false });
t = performance.now();
await w.commit({ requests: 0, throttledWaits: 0, rateLimited: 0 });
const commitMs = performance.now() - t;
const recorded = (db.prepare('SELECT changes FROM sync_runs WHERE id = ?').get(run.runId) as { changes: number }).changes;
db.close();
fs.rmSync(dir, { recursive: true, force: true });

const out = {
  bench: 'snapshot-diff',
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  users: USERS,
  memberships: MEMBERSHIPS,
  changes: result.total,
  counts: result.counts,
  diffMsMedian: Math.round(median(diffMs)),
  diffMs: diffMs.map(Math.round),
  commitMsWithDiffAndPurge: Math.round(commitMs),
  recordedByCommit: recorded,
};
console.log(`
| snapshot-diff (${USERS.toLocaleString('en-US')} users, ${MEMBERSHIPS.toLocaleString('en-US')} memberships, ${result.total.toLocaleString('en-US')} changes) | ms |
| --- | ---: |
| generation diff recorded in the flip transaction (median of ${ROUNDS}) | ${out.diffMsMedian} |
| whole commit(): counts, diff, flip, run, audit, then purge of the old generation | ${out.commitMsWithDiffAndPurge} |
`);
console.log(JSON.stringify(out));
