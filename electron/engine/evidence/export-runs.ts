// The console's evidence exports: each runs in its own worker thread (a
// workbook over 1M rows is minutes of reading and compressing that must not
// hold the engine's event loop: the console keeps answering), with its own
// read-only connection to the workspace file. This module keeps this
// session's runs (in memory: an export changes nothing in the workspace),
// turns the thread's messages into `evidence:progress` events (at most a few
// a second), cancels a run, and signs the manifest on this thread once the
// workbook is complete (the workspace key is in the keychain, which only the
// engine's own context holds). One export at a time per workspace.
import { spawn as spawnProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { EvidenceExportInput, EvidenceRunView } from '../../../shared/contract-evidence.js';
import { UserError, type EngineContext } from '../context.js';
import { getSettings } from '../settings/settings.js';
import { workerEntryBeside } from '../threads.js';
import { evidenceFileName, finishEvidence, writeEvidence, type EvidenceJob, type RunProgress, type EvidenceWritten } from './export-job.js';
import { resolvePeriod } from './period.js';

export type EvidenceWorkerMessage =
  | ({ type: 'progress' } & RunProgress)
  | { type: 'done'; written: EvidenceWritten }
  | { type: 'failed'; message: string }
  | { type: 'cancelled' };

/** The least time between two progress events of one run (the last one always goes out). */
const PROGRESS_EVERY_MS = 250;

type Run = { view: EvidenceRunView; job: EvidenceJob; cancel: () => void; lastEmit: number };

const runsByWorkspace = new Map<string, Map<string, Run>>();

function runsOf(ctx: EngineContext): Map<string, Run> {
  let runs = runsByWorkspace.get(ctx.dbPath);
  if (!runs) {
    runs = new Map();
    runsByWorkspace.set(ctx.dbPath, runs);
  }
  return runs;
}

/** Where exports go unless the page names a folder: beside the workspace file. */
export function defaultEvidenceFolder(ctx: EngineContext): string {
  return path.dirname(ctx.dbPath);
}

function checkFolder(folder: string): string {
  if (!path.isAbsolute(folder)) throw new UserError(`folder: "${folder}" is not an absolute path`, 'bad-input');
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch {
    throw new UserError(`folder: ${folder} does not exist`, 'bad-input');
  }
  if (!stat.isDirectory()) throw new UserError(`folder: ${folder} is not a folder`, 'bad-input');
  try {
    fs.accessSync(folder, fs.constants.W_OK);
  } catch {
    throw new UserError(`folder: ${folder} cannot be written to`, 'bad-input');
  }
  return folder;
}

function emit(ctx: EngineContext, run: Run, force: boolean): void {
  const now = Date.now();
  if (!force && now - run.lastEmit < PROGRESS_EVERY_MS) return;
  run.lastEmit = now;
  ctx.events.emit('evidence:progress', { ...run.view });
}

function settle(ctx: EngineContext, run: Run, patch: Partial<EvidenceRunView>): void {
  if (run.view.state !== 'running') return;
  run.view = { ...run.view, ...patch, finishedAt: ctx.clock.now().toISOString() };
  emit(ctx, run, true);
}

/** Starts an export of the period; returns at once with the run's first view. */
export function startEvidenceExport(ctx: EngineContext, input: EvidenceExportInput): EvidenceRunView {
  const period = resolvePeriod(input.from, input.to);
  if ((input.sample === undefined) !== (input.seed === undefined)) {
    throw new UserError(input.sample === undefined ? 'sample: give how many rows to draw with the seed' : 'seed: give a seed with the sample (the same seed draws the same rows)', 'bad-input');
  }
  const folder = checkFolder(input.folder ?? defaultEvidenceFolder(ctx));
  const runs = runsOf(ctx);
  const busy = [...runs.values()].find((r) => r.view.state === 'running');
  if (busy) throw new UserError(`an export is already running (${busy.view.path}); wait for it or cancel it`, 'conflict');
  const generatedAt = ctx.clock.now().toISOString();
  const out = path.join(folder, evidenceFileName(period, generatedAt));
  const job: EvidenceJob = { file: ctx.dbPath, ...period, out, generatedAt, leaverDeadlineHours: getSettings(ctx.db).leaverDeadlineHours, sample: input.sample !== undefined && input.seed !== undefined ? { n: input.sample, seed: input.seed } : null };
  const exportId = `ev-${randomBytes(6).toString('hex')}`;
  const run: Run = {
    view: { exportId, path: out, ...period, state: 'running', startedAt: generatedAt, finishedAt: null, sheet: null, rowsWritten: 0, sheetsDone: 0, sheetsTotal: 0, result: null, error: null },
    job,
    cancel: () => undefined,
    lastEmit: 0,
  };
  runs.set(exportId, run);
  const onProgress = (p: RunProgress): void => {
    if (run.view.state !== 'running') return;
    run.view = { ...run.view, ...p };
    emit(ctx, run, false);
  };
  const onWritten = async (written: EvidenceWritten): Promise<void> => {
    try {
      const manifest = await finishEvidence(ctx, job, written);
      settle(ctx, run, { state: 'done', sheet: null, sheetsDone: run.view.sheetsTotal, result: { ...written.result, ...manifest } });
    } catch (e) {
      settle(ctx, run, { state: 'failed', error: `the workbook was written but its manifest was not: ${(e as Error).message}` });
    }
  };
  const onFailed = (message: string): void => settle(ctx, run, { state: 'failed', error: message });
  const onCancelled = (): void => settle(ctx, run, { state: 'cancelled' });

  const entry = ctx.dbPath === ':memory:' ? null : workerEntryBeside(import.meta.url, 'export-worker');
  let worker: Worker | null = null;
  if (entry) {
    try {
      worker = new Worker(entry, { workerData: job });
    } catch {
      worker = null;
    }
  }
  if (worker) {
    const w = worker;
    run.cancel = () => w.postMessage({ type: 'cancel' });
    // Once the thread says "done" its exit is expected; the manifest is still being signed here.
    let written = false;
    w.on('message', (m: EvidenceWorkerMessage) => {
      if (m.type === 'progress') onProgress(m);
      else if (m.type === 'done') {
        written = true;
        void onWritten(m.written);
      }
      else if (m.type === 'failed') onFailed(m.message);
      else onCancelled();
    });
    w.on('error', (e) => onFailed(e.message));
    w.on('exit', (code) => {
      if (!written) onFailed(`the export thread stopped (exit code ${code}) before the workbook was complete`);
    });
  } else {
    // No thread here (a packaging that cannot load the module): the same writer on this thread.
    const abort = new AbortController();
    run.cancel = () => abort.abort();
    writeEvidence(job, onProgress, abort.signal).then(
      (written) => void onWritten(written),
      (e: unknown) => (abort.signal.aborted ? onCancelled() : onFailed((e as Error).message)),
    );
  }
  return { ...run.view };
}

function runOf(ctx: EngineContext, exportId: string): Run {
  const run = runsOf(ctx).get(exportId);
  if (!run) throw new UserError(`no export ${exportId} in this session`, 'not-found');
  return run;
}

/** This session's exports, newest first. */
export function evidenceRuns(ctx: EngineContext): { folder: string; runs: EvidenceRunView[] } {
  const runs = [...runsOf(ctx).values()].map((r) => ({ ...r.view })).sort((a, b) => b.startedAt.localeCompare(a.startedAt) || b.exportId.localeCompare(a.exportId));
  return { folder: defaultEvidenceFolder(ctx), runs };
}

/** Asks a running export to stop (its partial file is removed); a finished one is left as it is. */
export function cancelEvidenceExport(ctx: EngineContext, exportId: string): EvidenceRunView {
  const run = runOf(ctx, exportId);
  if (run.view.state === 'running') run.cancel();
  return { ...run.view };
}

/** Waits until a run is no longer running (the tests; the console follows its events instead). */
export async function evidenceRunSettled(ctx: EngineContext, exportId: string, pollMs = 50): Promise<EvidenceRunView> {
  const run = runOf(ctx, exportId);
  while (run.view.state === 'running') await new Promise((r) => setTimeout(r, pollMs));
  return { ...run.view };
}

/** The opener of a folder on this platform, for the bridge (Electron passes its shell as ctx.desktop). */
function platformOpener(file: string): [string, string[]] {
  if (process.platform === 'darwin') return ['open', ['-R', file]];
  if (process.platform === 'win32') return ['explorer', [`/select,${file}`]];
  return ['xdg-open', [path.dirname(file)]];
}

/** Shows a finished workbook in the file manager: Electron's shell, else the platform's opener; false when neither can. */
export async function revealEvidence(ctx: EngineContext, exportId: string, spawn: typeof spawnProcess = spawnProcess): Promise<{ shown: boolean; path: string }> {
  const run = runOf(ctx, exportId);
  if (run.view.state !== 'done') throw new UserError('this export has no workbook to show (it did not finish)', 'conflict');
  const file = run.view.path;
  if (ctx.desktop) {
    ctx.desktop.showItemInFolder(file);
    return { shown: true, path: file };
  }
  if (ctx.transport !== 'bridge') return { shown: false, path: file };
  const [cmd, args] = platformOpener(file);
  const shown = await new Promise<boolean>((resolve) => {
    try {
      const child = spawn(cmd, args, { detached: true, stdio: 'ignore' });
      child.once('error', () => resolve(false));
      child.once('spawn', () => {
        child.unref();
        resolve(true);
      });
    } catch {
      resolve(false);
    }
  });
  return { shown, path: file };
}
