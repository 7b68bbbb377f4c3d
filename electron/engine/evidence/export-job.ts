// One console export of the evidence workbook, split where the thread
// boundary is: writeEvidence (in the export's worker thread, on its own
// read-only connection) writes the workbook; finishEvidence (on the engine's
// thread, which holds the keychain) writes the manifest beside it, signed
// with the workspace's key when the keychain has it. The CLI runs both parts
// in one go through exportEvidence (manifest.ts).
import type { EvidenceRunView } from '../../../shared/contract-evidence.js';
import { appVersion } from '../app-version.js';
import type { EngineContext } from '../context.js';
import { openDatabase } from '../db/database.js';
import { writeEvidenceManifest } from './manifest.js';
import { EVIDENCE_SHEETS } from './sheets.js';
import { writeEvidenceWorkbook, type WrittenWorkbook } from './writer.js';

/** What crosses into the thread: the workspace file, the period, where to write, the sample. */
export type EvidenceJob = {
  file: string;
  from: string;
  to: string;
  out: string;
  generatedAt: string;
  sample: { n: number; seed: string } | null;
  leaverDeadlineHours: number;
};

export type RunProgress = Pick<EvidenceRunView, 'sheet' | 'rowsWritten' | 'sheetsDone' | 'sheetsTotal'>;

/** What crosses back: the workbook as written (the manifest is made from it) and the result card's figures. */
export type EvidenceWritten = { workbook: WrittenWorkbook; result: { size: number; sha256: string; sheets: { name: string; rows: number; sha256: string }[]; exceptions: number } };

/** latchkey-evidence_2026-07-01_2026-09-30_20261207T183012Z.xlsx: the period's days and when it was made. */
export function evidenceFileName(period: { from: string; to: string }, generatedAt: string): string {
  const stamp = generatedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `latchkey-evidence_${period.from.slice(0, 10)}_${period.to.slice(0, 10)}_${stamp}.xlsx`;
}

/** Writes the workbook (every data sheet, then Exceptions, Sample and the front sheets); aborts on `signal`. */
export async function writeEvidence(job: EvidenceJob, onProgress: (p: RunProgress) => void, signal: AbortSignal): Promise<EvidenceWritten> {
  const db = openDatabase(job.file, { readOnly: true });
  try {
    const sheetsTotal = EVIDENCE_SHEETS.length;
    let done = 0;
    let before = 0;
    let current: string | null = null;
    let rows = 0;
    const workbook = await writeEvidenceWorkbook(
      { db, now: new Date(job.generatedAt) },
      {
        from: job.from,
        to: job.to,
        out: job.out,
        version: appVersion(),
        sample: job.sample,
        leaverDeadlineHours: job.leaverDeadlineHours,
        sheets: EVIDENCE_SHEETS,
        signal,
        onProgress: (p) => {
          if (p.sheet !== current) {
            if (current !== null) {
              done = Math.min(sheetsTotal, done + 1);
              before = rows;
            }
            current = p.sheet;
          }
          rows = before + p.rows;
          onProgress({ sheet: p.sheet, rowsWritten: rows, sheetsDone: done, sheetsTotal });
        },
      },
    );
    return {
      workbook,
      result: {
        size: workbook.bytes,
        sha256: workbook.sha256,
        sheets: workbook.sheets.map((s) => ({ name: s.name, rows: s.rows, sha256: s.sha256 })),
        exceptions: workbook.exceptions,
      },
    };
  } finally {
    db.close();
  }
}

/** Writes the manifest beside the written workbook (manifest.ts; the workbook is removed if it cannot be). */
export async function finishEvidence(ctx: EngineContext, job: EvidenceJob, written: EvidenceWritten): Promise<{ manifestPath: string; signed: boolean }> {
  const m = await writeEvidenceManifest({ db: ctx.db, secrets: ctx.secrets, readOnly: ctx.readOnly, now: new Date(job.generatedAt) }, written.workbook);
  return { manifestPath: m.manifestPath, signed: m.signature !== null };
}
