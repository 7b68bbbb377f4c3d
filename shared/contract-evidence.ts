// Channels of the evidence workbook (the Evidence page), merged into
// shared/contract.ts. Every one is `read`: an export reads the workspace
// (a read-only snapshot copy included) and writes only its own file outside
// it, so it works with no credentials and changes nothing recorded.
import { z } from 'zod';
import { read } from './channel.js';

/** A day (YYYY-MM-DD, taken in UTC) or an ISO 8601 instant with its zone. */
export const periodEnd = z
  .string()
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/, 'must be a date (YYYY-MM-DD) or an ISO 8601 instant with its zone')
  .refine((s) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s)), 'is not a real date');

/** One sheet of a finished workbook: its rows and the SHA-256 of its canonical content (the Manifest's figures). */
export type EvidenceSheetSummary = { name: string; rows: number; sha256: string };

/** An export of this session, running or finished (the Evidence page's progress bar and result card). */
export type EvidenceRunView = {
  exportId: string;
  /** Where the workbook is written (the final name; a temporary name until it is complete). */
  path: string;
  /** The period, both ends inclusive, as ISO instants in UTC. */
  from: string;
  to: string;
  state: 'running' | 'done' | 'failed' | 'cancelled';
  startedAt: string;
  finishedAt: string | null;
  /** The sheet being written and the rows written so far (all sheets). */
  sheet: string | null;
  rowsWritten: number;
  sheetsDone: number;
  sheetsTotal: number;
  /** A finished workbook: its size, SHA-256, manifest beside it, whether the manifest is signed, each sheet's rows and hash. */
  result: {
    size: number;
    sha256: string;
    manifestPath: string;
    signed: boolean;
    sheets: EvidenceSheetSummary[];
    exceptions: number;
  } | null;
  /** Why it failed (names the sheet), or null. */
  error: string | null;
};

export const evidenceExportInput = z
  .object({
    /** First day of the period (inclusive, from 00:00:00.000 UTC for a date). */
    from: periodEnd,
    /** Last day of the period (inclusive, to 23:59:59.999 UTC for a date). */
    to: periodEnd,
    /** The folder to write into (absolute); default: the workspace file's folder. */
    folder: z.string().trim().min(1).max(1000).optional(),
    /** The Sample sheet: rows drawn per population, and the seed that makes the draw reproducible. */
    sample: z.number().int().min(1).max(10_000).optional(),
    seed: z.string().trim().min(1).max(100).optional(),
  })
  .strict();
export type EvidenceExportInput = z.infer<typeof evidenceExportInput>;

const exportId = z.string().regex(/^[a-z0-9-]{6,64}$/, 'is not an export id');

export const evidenceChannels = {
  /** Starts writing the evidence workbook for a period (in its own thread); progress comes as `evidence:progress` events. */
  'evidence:export': read<EvidenceRunView>()(evidenceExportInput),
  /** The exports started in this session, newest first, and the default folder. */
  'evidence:runs': read<{ folder: string; runs: EvidenceRunView[] }>()(z.object({}).strict()),
  /** Stops a running export: its partial file is removed; nothing in the workspace changes. */
  'evidence:cancel': read<EvidenceRunView>()(z.object({ exportId }).strict()),
  /** Shows a finished workbook in the system's file manager (false where there is none to open). */
  'evidence:reveal': read<{ shown: boolean; path: string }>()(z.object({ exportId }).strict()),
};
