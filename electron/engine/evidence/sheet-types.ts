// What one sheet of the evidence workbook is: its name, the named query that
// fills it, the rule in plain words (shown on the Cover), its columns, and its
// rows streamed from SQLite in a fixed order (the same workspace file and
// period always give the same rows, so the same content hash). The writer
// (evidence/writer.ts) turns these into xlsx rows, the canonical CSV that is
// hashed for the Manifest, the Exceptions sheet (from each row's flags) and
// the Sample sheet (from the rows each sheet offers as a sample population).
//
// The evidence area only reads: every sheet is a SELECT on a workspace that
// may be a read-only snapshot copy with no keychain and no network.
import type { Db } from '../db/database.js';

/**
 * A cell: text, a number, a boolean, an instant (a Date, written as a real
 * Excel date in UTC), empty, or text with a link (the Jira key and its URL;
 * the canonical CSV holds the text only).
 */
export type EvidenceCell = string | number | boolean | Date | null | { text: string; link: string };

/** How a column is written and canonicalised. 'date' cells are Date or null. */
export type EvidenceColumnType = 'text' | 'integer' | 'number' | 'date' | 'boolean' | 'link';

export type EvidenceColumn = {
  /** The header as shown; a date column's header says its zone: "Granted at (UTC)". */
  header: string;
  type: EvidenceColumnType;
  /** Width in characters when the default (from the header and type) would not fit. */
  width?: number;
};

/** One row: its cells in column order, and what is wrong with it (each flag becomes a row of Exceptions). */
export type EvidenceRow = { cells: readonly EvidenceCell[]; flags?: readonly string[] };

/** What a sheet is built from: the workspace (possibly read-only) and the period, both ends inclusive ISO instants in UTC. */
export type EvidenceInput = {
  db: Db;
  /** Start of the period, ISO 8601 UTC (inclusive). */
  from: string;
  /** End of the period, ISO 8601 UTC (inclusive): "at period end" means as of this instant. */
  to: string;
  /** When the export runs (the engine clock), ISO 8601 UTC. */
  generatedAt: string;
  /** Hours a leaver's access may take to be removed (default 24). */
  leaverDeadlineHours: number;
};

/**
 * A reconciliation of a population with the snapshot's own total for the
 * same scope, counted by an independent query: the Manifest shows
 * "✔ 100,000 of 100,000" when they agree and "✘ …" when they do not.
 */
export type Reconciliation = { what: string; expected: number; actual: number };

export type EvidenceSheet = {
  /** The sheet's name (at most 31 characters, no []:*?/\). */
  name: string;
  /** The name of the query that fills it, as the Manifest and the Cover show it (e.g. "people-at-period-end"). */
  query: string;
  /** The rule that fills it, in plain words, for the Cover. */
  description: string;
  columns: readonly EvidenceColumn[];
  /** The rows, streamed (db.prepare(...).iterate()), in a fixed ORDER BY. */
  rows(input: EvidenceInput): Iterable<EvidenceRow>;
  /** Independent counts to check the rows written against (the writer passes how many it wrote). */
  reconcile?(input: EvidenceInput, written: number): Reconciliation[];
  /** The Sample sheet draws from the rows this accepts, under this population name (e.g. "new grants"). */
  sample?: { population: string; accepts(row: EvidenceRow): boolean };
};
