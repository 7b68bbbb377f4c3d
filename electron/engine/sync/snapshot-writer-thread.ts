// The snapshot writer's worker thread, and the sink that hands it batches.
//
// The boundary: WORKER_SOURCE is the only code that runs in the worker, on
// its own connection to the workspace file; it receives the run's INSERT
// plans once (workerData) and then one message per transaction. Everything
// else here runs on the caller's thread: it starts the worker, numbers the
// messages, and turns the worker's replies (or its death) into settled
// promises. The flip, the run record, the audit event and the purge never
// cross to the worker.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { InsertPlan, Sink, TableKey } from './snapshot-insert.js';

// The writer thread: plain JavaScript evaluated in a worker (no file to find
// at run time, so it works the same from sources, a build and a packaged app).
// It mirrors insertRows in snapshot-insert.ts; the writer tests run both
// paths and compare.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.sqlitePath);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('cache_size = -' + workerData.cacheKiB);
const plans = workerData.plans;
const stmts = {};
for (const key of Object.keys(plans)) stmts[key] = { many: db.prepare(plans[key].many), one: db.prepare(plans[key].one) };
parentPort.postMessage({ id: 0 }); // ready
function insertRows(s, plan, input) {
  let rows = input;
  if (plan.grouped) {
    rows = [];
    for (let g = 0; g < input.length; g += 2) for (const id of JSON.parse(input[g + 1])) rows.push(input[g], id);
  }
  const width = plan.width, per = plan.perStatement, n = rows.length / width;
  let order = null;
  if (plan.sortById) {
    order = Array.from({ length: n }, (_, r) => r);
    order.sort((x, y) => { const a = rows[x * width], b = rows[y * width]; return a < b ? -1 : a > b ? 1 : 0; });
  }
  const at = (r) => (order ? order[r] : r) * width;
  const chunk = new Array(per * width);
  let i = 0;
  for (; i + per <= n; i += per) {
    let k = 0;
    for (let r = i; r < i + per; r++) { const base = at(r); for (let c = 0; c < width; c++) chunk[k++] = rows[base + c]; }
    s.many.run(chunk);
  }
  for (; i < n; i++) s.one.run(rows.slice(at(i), at(i) + width));
}
const tx = db.transaction((batches) => { for (const b of batches) insertRows(stmts[b.table], plans[b.table], b.rows); });
parentPort.on('message', (m) => {
  if (m.type === 'close') { db.close(); parentPort.postMessage({ id: m.id }); return; }
  try { tx.immediate(m.batches); parentPort.postMessage({ id: m.id }); }
  catch (e) { parentPort.postMessage({ id: m.id, error: String(e && e.message || e), code: e && e.code }); }
});
`;

/** Starts the writer thread; resolves once it has opened the file and prepared its statements. */
export async function workerSink(file: string, plans: Record<TableKey, InsertPlan>, cacheKiB: number): Promise<Sink> {
  const require = createRequire(import.meta.url);
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { sqlitePath: require.resolve('better-sqlite3'), file, plans, cacheKiB },
  });
  const pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  // id 0 is the thread's "ready" message.
  const ready = new Promise<void>((resolve, reject) => pending.set(0, { resolve, reject }));
  let seq = 0;
  let dead: Error | null = null;
  // Keep the process alive only while the thread has work (a CLI must not exit mid-write, nor hang after).
  const updateRef = (): void => {
    if (pending.size > 0) worker.ref();
    else worker.unref();
  };
  const failAll = (e: Error): void => {
    dead ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    updateRef();
  };
  worker.on('message', (m: { id: number; error?: string; code?: string }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    updateRef();
    if (!p) return;
    if (m.error !== undefined) p.reject(Object.assign(new Error(m.error), m.code ? { code: m.code } : {}));
    else p.resolve();
  });
  worker.on('error', (e) => failAll(e));
  worker.on('exit', (code) => failAll(new Error(`the snapshot writer thread stopped (exit code ${code})`)));
  updateRef();
  try {
    await ready;
  } catch (e) {
    await worker.terminate();
    throw e;
  }
  const send = (message: Record<string, unknown>): Promise<void> => {
    if (dead) return Promise.reject(dead);
    const id = ++seq;
    return new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      updateRef();
      worker.postMessage({ ...message, id });
    });
  };
  return {
    threaded: true,
    write: (batches) => send({ type: 'write', batches }),
    outstanding: () => pending.size,
    async close() {
      if (!dead) {
        try {
          await send({ type: 'close' });
        } catch {
          // already failing: terminate below
        }
      }
      await worker.terminate();
    },
  };
}
