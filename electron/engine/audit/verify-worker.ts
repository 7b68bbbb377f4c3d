// The audit verification's worker thread (verify-thread.ts starts it): opens
// its own read-only connection to the workspace file and runs verifyAudit
// there, so the caller's event loop (the HTTP bridge, the console's IPC)
// keeps answering during a long scan. Only the file path and the keychain
// key's id (a public fingerprint, not a secret) cross in; the report crosses out.
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase, type Db } from '../db/database.js';
import type { VerifyWorkerData, VerifyWorkerMessage } from './verify-thread.js';
import { verifyAudit } from './verify.js';

const port = parentPort;
if (!port) throw new Error('verify-worker.ts runs only as a worker thread');
const data = workerData as VerifyWorkerData;
const post = (m: VerifyWorkerMessage): void => port.postMessage(m);

let db: Db | null = null;
try {
  db = openDatabase(data.file, { readOnly: true });
  post({ type: 'started' });
  post({ type: 'done', report: verifyAudit(db, { keychainKeyId: data.keychainKeyId }) });
} catch (e) {
  post({ type: 'failed', message: (e as Error).message });
} finally {
  db?.close();
}
