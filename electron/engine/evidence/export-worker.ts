// An evidence export's worker thread (export-runs.ts starts it): writes the
// workbook through the same writeEvidence the CLI uses, on its own read-only
// connection, and reports progress; a "cancel" message aborts it (its
// partial file is removed). Nothing but the job (file, period, output path,
// sample) crosses in; nothing but progress and the outcome crosses out. No
// secret is needed here: the manifest is signed by the caller's thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { EvidenceWorkerMessage } from './export-runs.js';
import { writeEvidence, type EvidenceJob } from './export-job.js';

const port = parentPort;
if (!port) throw new Error('export-worker.ts runs only as a worker thread');
const job = workerData as EvidenceJob;
const post = (m: EvidenceWorkerMessage): void => port.postMessage(m);
const abort = new AbortController();
port.on('message', (m: { type?: string }) => {
  if (m.type === 'cancel') abort.abort();
});

try {
  const written = await writeEvidence(job, (p) => post({ type: 'progress', ...p }), abort.signal);
  post({ type: 'done', written });
} catch (e) {
  post(abort.signal.aborted ? { type: 'cancelled' } : { type: 'failed', message: (e as Error).message });
} finally {
  port.close();
}
