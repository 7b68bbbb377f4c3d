// Channels of the HR source, merged into shared/contract.ts: importing an HR
// system's CSV export (with a column preset) or a stream of HR events (JSON
// lines), and the feed's status (last import, who matched, what is due).
import { z } from 'zod';
import { read, write } from './channel.js';

/** The column presets `hr import` knows (electron/engine/hr/presets.ts says where each one's names come from). */
export const HR_PRESETS = ['bamboohr', 'workday', 'rippling', 'hibob', 'generic'] as const;
export type HrPreset = (typeof HR_PRESETS)[number];

/** The fields of an HR record a column can fill (the generic preset's column names). */
export const HR_FIELDS = [
  'employee_id',
  'email',
  'name',
  'first_name',
  'last_name',
  'department',
  'title',
  'location',
  'employment_type',
  'manager_email',
  'manager_employee_id',
  'start_date',
  'end_date',
  'status',
] as const;
export type HrField = (typeof HR_FIELDS)[number];

export type HrEventType = 'employee.hired' | 'employee.updated' | 'employee.terminated';

/** One problem with the file: its row (1 = the CSV header, or the first JSON line) and column or key. */
export type HrImportError = { row: number; column: string | null; message: string };

export type HrImportCounts = {
  kind: 'csv' | 'events';
  preset: HrPreset | null;
  /** Data rows (CSV) or event lines read. */
  rows: number;
  /** HR records created, changed, left as they were. */
  created: number;
  updated: number;
  unchanged: number;
  /** Events stored, and events ignored because their event id was already stored (or repeated in the file). */
  events: number;
  duplicates: number;
};

export type HrImportResult =
  | ({ ok: true; importId: number; sha256: string; fileName: string } & HrImportCounts)
  | { ok: false; rows: number; errors: HrImportError[] };

/** An HR record as the status lists show it. */
export type HrRecordRow = {
  employeeId: string | null;
  email: string | null;
  name: string | null;
  department: string | null;
  title: string | null;
  status: 'active' | 'pending' | 'terminated';
  startDate: string | null;
  endDate: string | null;
};

/** A person in the snapshot that no HR record names (their first account). */
export type HrUnmatchedAccount = { connectionId: number; connectionName: string; identityId: string; name: string; email: string | null; employeeId: string | null; status: string };

export type HrEventRow = { eventId: string; type: HrEventType; effectiveDate: string; employeeId: string | null; email: string | null; name: string | null };

export type HrStatus = {
  lastImport: {
    id: number;
    kind: 'csv' | 'events';
    preset: HrPreset | null;
    fileName: string;
    sha256: string;
    at: string;
    actor: string;
    channel: string;
    rows: number;
    created: number;
    updated: number;
    unchanged: number;
    events: number;
    duplicates: number;
  } | null;
  imports: number;
  records: number;
  /** HR records matched to a person in the snapshot (by employee id, then e-mail). */
  matched: number;
  matchedByEmployeeId: number;
  matchedByEmail: number;
  /** Lists hold at most `listLimit` rows; the counts are whole. */
  listLimit: number;
  unmatchedRecords: { count: number; rows: HrRecordRow[] };
  accountsWithoutRecord: { count: number; rows: HrUnmatchedAccount[] };
  /** Events whose effective date is after today (the engine's clock). */
  pendingEvents: { count: number; rows: HrEventRow[] };
  /** Events effective today or earlier that no plan has processed yet. */
  dueEvents: { count: number; rows: HrEventRow[] };
  /** The engine's today (UTC), the day the two lists above are split on. */
  today: string;
};

/** Base64 of at most ~20 MB of file. */
const base64 = z.string().max(28_000_000, 'the file is too large (20 MB at most)').regex(/^[A-Za-z0-9+/=\r\n]*$/, 'not base64');

export const hrImportInput = z
  .object({
    /** The file's name as picked (its extension tells CSV from JSON lines; it is recorded with the import). */
    fileName: z.string().trim().min(1).max(255),
    contentBase64: base64,
    /** Column preset for a CSV (default generic); ignored for events. */
    preset: z.enum(HR_PRESETS).default('generic'),
    /** Extra column mappings: header -> field, or '-' to ignore the column. */
    map: z.record(z.string().max(200), z.union([z.enum(HR_FIELDS), z.literal('-')])).default({}),
  })
  .strict();
export type HrImportInput = z.infer<typeof hrImportInput>;

export const hrChannels = {
  /** The HR feed: the last import, matched and unmatched people, pending and due events. */
  'hr:status': read<HrStatus>()(z.object({ limit: z.number().int().min(1).max(1000).default(100) }).strict()),
  /** Imports an HR CSV export or HR events (JSON lines): every row checked first; any bad row and nothing is stored. */
  'hr:import': write<HrImportResult>()(hrImportInput),
} as const;
