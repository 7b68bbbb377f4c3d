// Verifying the audit log off the caller's thread. Over a million events the
// chain scan takes tens of seconds on a loaded machine; on the engine's own
// thread that froze the HTTP bridge and the console for the whole scan. Here
// verify-worker.ts runs the same verifyAudit on its own read-only connection
// in a worker thread while this thread keeps serving (WAL: it verifies the
// last commit). Where no worker can start (':memory:', a packaging that
// cannot load the file) it runs inline, as before (the pattern of
// reviews/launch-thread.ts).
import { Worker } from 'node:worker_threads';
import type { Db } from '../db/database.js';
import { workerEntryBeside } from '../threads.js';
import { verifyAudit, type AuditVerifyReport } from './verify.js';

export type VerifyWorkerData = { file: string; keychainKeyId: string | null };
export type VerifyWorkerMessage = { type: 'started' } | { type: 'done'; report: AuditVerifyReport } | { type: 'failed'; message: string };

/** verifyAudit of the workspace file in a worker thread (inline where none can start). */
export async function verifyAuditOffThread(db: Db, file: string, keychainKeyId: string | null): Promise<AuditVerifyReport> {
  const inline = (): AuditVerifyReport => verifyAudit(db, { keychainKeyId });
  const entry = file === ':memory:' || file === '' ? null : workerEntryBeside(import.meta.url, 'verify-worker');
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
