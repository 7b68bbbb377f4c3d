// The canonical CSV of an evidence sheet: what the Manifest's SHA-256 of a
// sheet is computed over, and what `evidence verify` recomputes from the
// workbook's cells. The format is the specification an auditor reads (also
// in docs/evidence.md), so it is spelled out here exactly:
//
// - UTF-8 without a byte order mark; fields separated by a comma; every line
//   (the last one too) ends with a line feed (LF, 0x0A); nothing else.
// - The first line is the column headers, in column order; then one line per
//   row, in the sheet's order. A sheet continued over several worksheets
//   ("People", "People (2)") is one CSV.
// - A field is quoted with double quotes only when it contains a comma, a
//   double quote or a line feed; a double quote inside a quoted field is
//   doubled. Nothing else is ever quoted or escaped (a leading "=", spaces,
//   tabs and any other Unicode character are written as they are).
// - Empty (null) and the empty string are both the empty field.
// - Text is first normalised to what a spreadsheet cell holds, the same for
//   the cell and the CSV: CR LF and a lone CR become LF; a character XML 1.0
//   cannot carry (C0 controls other than tab and LF, U+FFFE, U+FFFF, an
//   unpaired surrogate) and DEL become U+FFFD; text longer than 32,767 UTF-16
//   code units (Excel's limit for a cell) is cut there (never inside a pair).
// - A number (integer or not) is JavaScript's shortest round-trip form
//   (String(n): 42, 0.1, 1e+21, -1.5e-7); -0 is 0. NaN and infinities are refused.
// - A boolean is true or false.
// - An instant is ISO 8601 in UTC with milliseconds: 2026-01-02T03:04:05.678Z.
// - A link cell is its text only (the URL is in the workbook, not the hash).
//
// The hash is the lowercase hex SHA-256 of those bytes, computed as the rows
// stream (a sheet is never held whole).
import { createHash, type Hash } from 'node:crypto';
import type { EvidenceCell, EvidenceColumn } from './sheet-types.js';

/** Excel's limit on a cell's text, in UTF-16 code units. */
export const MAX_CELL_TEXT = 32767;

// Control characters are what these look for.
// eslint-disable-next-line no-control-regex
const NEEDS_FIX = /[\r\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF\uD800-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const BAD_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** A text as a cell holds it (see the header): line ends, characters XML cannot carry, Excel's length limit. */
export function cellText(s: string): string {
  let t = s;
  if (NEEDS_FIX.test(t)) t = t.replace(/\r\n?/g, '\n').replace(BAD_CHARS, '\uFFFD');
  if (t.length > MAX_CELL_TEXT) {
    const cut = t.charCodeAt(MAX_CELL_TEXT - 1);
    t = t.slice(0, cut >= 0xd800 && cut <= 0xdbff ? MAX_CELL_TEXT - 1 : MAX_CELL_TEXT);
  }
  return t;
}

/** A finite number's canonical text (JavaScript's shortest form; -0 is 0). */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`${String(n)} is not a finite number (a sheet cell must be one)`);
  return String(n);
}

/** An instant's canonical text: ISO 8601 UTC with milliseconds. */
export function instantText(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new Error('an invalid date (a sheet cell must be a real instant)');
  return d.toISOString();
}

/** A cell's canonical field before quoting. */
export function canonicalField(cell: EvidenceCell): string {
  if (cell === null || cell === undefined) return '';
  switch (typeof cell) {
    case 'string':
      return cellText(cell);
    case 'number':
      return numberText(cell);
    case 'boolean':
      return cell ? 'true' : 'false';
    default:
      return cell instanceof Date ? instantText(cell) : cellText(cell.text);
  }
}

const QUOTE_WHEN = /[",\n]/;

/** One CSV line of already canonical fields, LF included. */
export function csvLine(fields: readonly string[]): string {
  let out = '';
  for (let k = 0; k < fields.length; k++) {
    const f = fields[k] ?? '';
    if (k > 0) out += ',';
    out += QUOTE_WHEN.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  }
  return `${out}\n`;
}

/**
 * The canonical CSV's SHA-256, fed a line at a time: the header at
 * construction, then `row` per row (cells) or `fields` (canonical text, as
 * `evidence verify` reads them back).
 */
export class CanonicalHasher {
  private readonly hash: Hash = createHash('sha256');
  private readonly width: number;
  private count = 0;
  /** Lines not yet handed to the hash (one update per ~64 KB instead of per row). */
  private pending = '';

  constructor(headers: readonly string[]) {
    this.width = headers.length;
    this.hash.update(csvLine(headers.map(cellText)), 'utf8');
  }

  private flush(): void {
    if (this.pending === '') return;
    this.hash.update(this.pending, 'utf8');
    this.pending = '';
  }

  static of(columns: readonly EvidenceColumn[]): CanonicalHasher {
    return new CanonicalHasher(columns.map((c) => c.header));
  }

  /** Adds a row of cells; refuses one whose width is not the header's. Returns the row's canonical fields (the writer's text cells reuse them). */
  row(cells: readonly EvidenceCell[]): string[] {
    if (cells.length !== this.width) throw new Error(`a row has ${cells.length} cells for ${this.width} columns`);
    const fields: string[] = new Array<string>(cells.length);
    for (let k = 0; k < cells.length; k++) fields[k] = canonicalField(cells[k] ?? null);
    this.fields(fields);
    return fields;
  }

  /** Adds a row of canonical fields (missing trailing fields are empty). */
  fields(fields: readonly string[]): void {
    const line = fields.length === this.width ? fields : Array.from({ length: this.width }, (_, k) => fields[k] ?? '');
    this.pending += csvLine(line);
    if (this.pending.length > 1 << 16) this.flush();
    this.count++;
  }

  get rows(): number {
    return this.count;
  }

  /** The SHA-256 of the CSV so far (header and the rows added), without ending the hash: the manifest's per-block digests. */
  sofar(): string {
    this.flush();
    return this.hash.copy().digest('hex');
  }

  /** The lowercase hex SHA-256 (call once, at the end). */
  digest(): string {
    this.flush();
    return this.hash.digest('hex');
  }
}

/** The whole canonical CSV of a few rows, as text (tests and the docs' examples; never for a real sheet). */
export function canonicalCsv(columns: readonly EvidenceColumn[], rows: readonly (readonly EvidenceCell[])[]): string {
  let out = csvLine(columns.map((c) => cellText(c.header)));
  for (const r of rows) out += csvLine(r.map(canonicalField));
  return out;
}
