// Verifying the audit log off the caller's thread. Over a million events the
// chain scan takes tens of seconds on a loaded machine; on the engine's own
// thread that froze the HTTP bridge and the console for the whole scan. Here
// verify-worker.ts runs the same verifyAudit on its own read-only connection
// in a worker thread while this thread keeps serving (WAL: it verifies the
// last commit). Where no worker can start (':memory:', a packaging that
// cannot load the file) it runs inline, as before (the pattern of
// reviews/launch-thread.ts).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database.js';
import { verifyAudit, type AuditVerifyReport } from './verify.js';

export type VerifyWorkerData = { file: string; keychainKeyId: string | null };
export type VerifyWorkerMessage = { type: 'started' } | { type: 'done'; report: AuditVerifyReport } | { type: 'failed'; message: string };

function workerEntry(): URL | null {
  const here = fileURLToPath(import.meta.url);
  const fromSources = here.endsWith('.ts');
  const file = here.replace(/verify-thread\.(ts|js)$/, fromSources ? 'verify-worker.ts' : 'verify-worker.js');
  if (!fs.existsSync(file)) return null;
  if (!fromSources) return pathToFileURL(file);
  // From sources (tests, dev) the thread loads tsx first (an execArgv --import does not reach a worker's entry).
  try {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api').replace(/index\.cjs$/, 'index.mjs')).href;
    const boot = `const { register } = await import(${JSON.stringify(tsx)}); register(); await import(${JSON.stringify(pathToFileURL(file).href)});`;
    return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
  } catch {
    return null;
  }
}

/** verifyAudit of the workspace file in a worker thread (inline where none can start). */
export async function verifyAuditOffThread(db: Db, file: string, keychainKeyId: string | null): Promise<AuditVerifyReport> {
  const inline = (): AuditVerifyReport => verifyAudit(db, { keychainKeyId });
  const entry = file === ':memory:' || file === '' ? null : workerEntry();
  if (!entry) return inline();
  const data: VerifyWorkerData = { file, keychainKeyId };
  const outcome = await new Promise<AuditVerifyReport | 'no-worker'>((resolve, reject) => {
    let started = false;
    let settled = false;
    const settle = (f: () => void): void => {
      if (settled) return;
      settled = true;
      f();
    };
    let worker: Worker;
    try {
      worker = new Worker(entry, { workerData: data });
    } catch {
      resolve('no-worker');
      return;
    }
    worker.on('message', (m: VerifyWorkerMessage) => {
      if (m.type === 'started') started = true;
      else if (m.type === 'done') settle(() => resolve(m.report));
      // Failed before the file was open (busy, refused): verify inline; after, the scan itself failed.
      else settle(() => (started ? reject(new Error(m.message)) : resolve('no-worker')));
    });
    // A thread that could not load its module or open the file: verify inline instead.
    worker.on('error', (e) => settle(() => (started ? reject(e) : resolve('no-worker'))));
    worker.on('exit', (code) => settle(() => (started ? reject(new Error(`the verification thread stopped (exit code ${code})`)) : resolve('no-worker'))));
  });
  return outcome === 'no-worker' ? inline() : outcome;
}
