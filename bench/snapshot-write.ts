// Benchmark: writing memberships through the engine's snapshot writer vs a
// bare better-sqlite3 prepared insert of the same rows in one transaction.
// Same schema (migrated workspace files), same rows, same run; rounds
// alternate so neither side always gets the warmer disk cache.
//
//   node --import tsx bench/snapshot-write.ts [--rows 1000000] [--groups 5000] [--rounds 3]
//
// Goal (issue 2): the writer takes <= 2.0x the bare insert.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { beginSyncRun } from '../electron/engine/sync/run-start.js';
import { openSnapshotWriter } from '../electron/engine/sync/snapshot-writer.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    groups: { type: 'string', default: '5000' },
    rounds: { type: 'string', default: '3' },
  },
});
const ROWS = Number(values.rows);
const GROUPS = Number(values.groups);
const ROUNDS = Number(values.rounds);
const USERS = Math.max(1, Math.round(ROWS / 10));

// Okta-shaped ids (20 chars), deterministic, in the order a sync receives them:
// group by group, members in id order within a group page.
const alphabet = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
function oktaId(prefix: string, n: number): string {
  let x = (n * 2654435761) % 2 ** 32;
  let s = '';
  for (let i = 0; i < 17; i++) {
    s += alphabet[x % 62];
    x = Math.floor(x / 62) + (i + 1) * 7919 * (n + 1);
    x %= 2 ** 32;
  }
  return prefix + s;
}
const userIds = Array.from({ length: USERS }, (_, i) => oktaId('00u', i));
const groups: { id: string; members: string[] }[] = [];
{
  let left = ROWS;
  for (let g = 0; g < GROUPS; g++) {
    const size = g === GROUPS - 1 ? left : Math.min(left, Math.round(ROWS / GROUPS));
    left -= size;
    const start = (g * 7919) % USERS;
    const members: string[] = [];
    for (let k = 0; k < size; k++) members.push(userIds[(start + k * 13) % USERS]!);
    groups.push({ id: oktaId('00g', g), members: [...new Set(members)] });
  }
}
const total = groups.reduce((n, g) => n + g.members.length, 0);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-bench-write-'));
let fileNo = 0;
function freshDb(): { db: Db; file: string; connectionId: number } {
  const file = path.join(dir, `w${fileNo++}.latchkey`);
  const db = openDatabase(file);
  const connectionId = Number(
    db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('bench', 'okta', 'https://bench.okta.com', 'token', '', '')")
      .run().lastInsertRowid,
  );
  return { db, file, connectionId };
}
function cleanup(db: Db, file: string): void {
  db.close();
  for (const s of ['', '-wal', '-shm']) fs.rmSync(file + s, { force: true });
}

function bare(): number {
  const { db, file, connectionId } = freshDb();
  const t = performance.now();
  const insert = db.prepare('INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (?, ?, ?, ?)');
  db.transaction(() => {
    for (const g of groups) for (const u of g.members) insert.run(connectionId, 1, g.id, u);
  })();
  const ms = performance.now() - t;
  cleanup(db, file);
  return ms;
}

async function writer(threaded: boolean): Promise<{ ms: number; commitMs: number }> {
  const { db, file, connectionId } = freshDb();
  const clock = { now: () => new Date() };
  const t = performance.now();
  const run = beginSyncRun(db, connectionId, { actor: 'bench', clock });
  const w = await openSnapshotWriter(db, run, { actor: 'bench', clock, threaded });
  if (w.threaded !== threaded) throw new Error('could not start the writer thread');
  for (const g of groups) {
    w.addMemberships(g.id, g.members);
    await w.backpressure();
  }
  const tc = performance.now();
  const counts = await w.commit({ requests: 0, throttledWaits: 0, rateLimited: 0 });
  const end = performance.now();
  if (counts.memberships !== total) throw new Error(`writer stored ${counts.memberships} of ${total} rows`);
  cleanup(db, file);
  return { ms: end - t, commitMs: end - tc };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

const bareMs: number[] = [];
const writerMs: number[] = [];
const commitMs: number[] = [];
const inlineMs: number[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const first = r % 2 === 0;
  if (first) bareMs.push(bare());
  const w = await writer(true);
  writerMs.push(w.ms);
  commitMs.push(w.commitMs);
  inlineMs.push((await writer(false)).ms);
  if (!first) bareMs.push(bare());
}
fs.rmSync(dir, { recursive: true, force: true });

const result = {
  bench: 'snapshot-write',
  date: new Date().toISOString(),
  machine: `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  rows: total,
  groups: GROUPS,
  rounds: ROUNDS,
  bareMs: Math.round(median(bareMs)),
  writerMs: Math.round(median(writerMs)),
  writerCommitMs: Math.round(median(commitMs)),
  ratio: Number((median(writerMs) / median(bareMs)).toFixed(2)),
  inlineWriterMs: Math.round(median(inlineMs)),
  inlineRatio: Number((median(inlineMs) / median(bareMs)).toFixed(2)),
  goal: '<= 2.0',
  samples: { bareMs: bareMs.map(Math.round), writerMs: writerMs.map(Math.round), inlineWriterMs: inlineMs.map(Math.round) },
};
console.log(`
| snapshot-write (${total.toLocaleString('en-US')} memberships, median of ${ROUNDS}) | ms | rows/s |
| --- | ---: | ---: |
| bare prepared insert, one transaction | ${result.bareMs} | ${Math.round(total / (result.bareMs / 1000)).toLocaleString('en-US')} |
| snapshot writer, default: writer thread (batched, incl. commit ${result.writerCommitMs} ms) | ${result.writerMs} | ${Math.round(total / (result.writerMs / 1000)).toLocaleString('en-US')} |
| snapshot writer, in this thread (threaded: false) | ${result.inlineWriterMs} | ${Math.round(total / (result.inlineWriterMs / 1000)).toLocaleString('en-US')} |
| **ratio writer / bare** | **${result.ratio}x** (in-thread ${result.inlineRatio}x; goal <= 2.0x) | |
`);
console.log(JSON.stringify(result));
