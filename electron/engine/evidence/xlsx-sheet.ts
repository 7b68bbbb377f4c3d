// One evidence sheet written into exceljs's streaming workbook: header row in
// bold, the pane frozen under it, a filter over its columns, widths that fit
// (from the header, the type and the first rows), instants as real Excel
// dates in UTC, link cells as hyperlinks, and text always as text — a value
// starting with = + - @ tab or CR is a string cell, never a formula. Past
// 1,048,575 data rows a sheet continues in "<Name> (2)", "<Name> (3)", ….
//
// Memory: each row is handed to the zip as it is written, and the writer
// waits whenever the zip is more than a few MB behind (exceljs hands rows on
// without waiting, so a synchronous producer would otherwise pile the whole
// sheet up in the zip's input buffer).
import { setImmediate as nextTurn } from 'node:timers/promises';
import type ExcelJS from 'exceljs';
import { cellText } from './canonical.js';
import type { EvidenceCell, EvidenceColumn, EvidenceColumnType } from './sheet-types.js';

export type Book = ExcelJS.stream.xlsx.WorkbookWriter;
type Sheet = ExcelJS.Worksheet;

/** Data rows per worksheet: Excel's 1,048,576 rows less the header. */
export const MAX_DATA_ROWS = 1_048_575;
/** Excel keeps at most this many hyperlinks per worksheet; past it a link cell is its text. */
export const MAX_LINKS = 65_530;
export const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';
/** How far the zip may fall behind before the writer waits for it. */
const BACKLOG_BYTES = 4 << 20;
const MAX_WIDTH = 60;
/** The style of a cell without a number format (one object: exceljs caches a style's id by its object). */
const NO_STYLE: Partial<ExcelJS.Style> = {};
const TYPE_WIDTH: Record<EvidenceColumnType, number> = { text: 10, integer: 8, number: 10, date: 19, boolean: 6, link: 12 };

/** The name of part k (1-based) of a sheet: the name itself, then "<Name> (k)" within Excel's 31 characters. */
export function partName(base: string, k: number): string {
  if (k === 1) return base;
  const suffix = ` (${k})`;
  return `${base.slice(0, 31 - suffix.length)}${suffix}`;
}

/** Column letters of a 1-based column number. */
export function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

/** A cell's displayed length, for widths. */
function shownLength(cell: EvidenceCell, type: EvidenceColumnType): number {
  if (cell === null) return 0;
  if (cell instanceof Date) return type === 'date' ? 19 : 24;
  if (typeof cell === 'object') return cell.text.length;
  const s = String(cell);
  const nl = s.indexOf('\n');
  return nl >= 0 ? nl : s.length;
}

/** Widths in characters: the column's own when given, else the longest of header, type and the first rows, capped. */
export function columnWidths(columns: readonly EvidenceColumn[], firstRows: readonly (readonly EvidenceCell[])[]): number[] {
  return columns.map((c, k) => {
    if (c.width !== undefined) return c.width;
    let w = Math.max(c.header.length, TYPE_WIDTH[c.type]);
    for (const r of firstRows) w = Math.max(w, shownLength(r[k] ?? null, c.type));
    return Math.min(MAX_WIDTH, w + 2);
  });
}

const OOXML_ESCAPE = /_(x[0-9A-Fa-f]{4}_)/g;

/**
 * Text as a cell: normalised like the canonical CSV; a literal "_xHHHH_"
 * escaped as OOXML says (so a reader does not decode it into a character);
 * text with an outer space or a line break as an inline string with
 * xml:space="preserve" (a plain string cell loses them in LibreOffice).
 */
function textValue(s: string, normalised = false): ExcelJS.CellValue {
  let t = normalised ? s : cellText(s);
  if (t === '') return null;
  if (t.includes('_x')) t = t.replace(OOXML_ESCAPE, '_x005F_$1');
  return /^\s|\s$|\n/.test(t) ? { richText: [{ text: t }] } : t;
}

const WEB_LINK = /^https?:\/\/[^\s]+$/i;

/**
 * What exceljs is given for a cell; `links` counts the sheet's hyperlinks
 * against Excel's limit. `field`, when given, is the cell's canonical field
 * (the hash's), so a text cell is not normalised twice.
 */
export function xlsxValue(cell: EvidenceCell, type: EvidenceColumnType, links: { n: number }, field?: string): ExcelJS.CellValue {
  if (cell === null || cell === undefined) return null;
  switch (typeof cell) {
    case 'string':
      return field === undefined ? textValue(cell) : textValue(field, true);
    case 'number':
      return Object.is(cell, -0) ? 0 : cell;
    case 'boolean':
      return cell;
    default:
      if (cell instanceof Date) return type === 'date' ? cell : textValue(cell.toISOString());
      if (WEB_LINK.test(cell.link) && links.n < MAX_LINKS && cellText(cell.text) !== '') {
        links.n++;
        return { text: cellText(cell.text), hyperlink: cell.link };
      }
      return textValue(cell.text);
  }
}

type Buffered = { length?: number } | undefined;
type ZipInput = { writableLength?: number; readableLength?: number; _writableState?: Buffered; _readableState?: Buffered };

/**
 * Bytes exceljs has handed to the zip for this sheet that the zip has not
 * taken yet (0 when exceljs's internals are not as expected). The zip's input
 * is archiver's PassThrough from readable-stream 2, which has no
 * writableLength/readableLength getters: its states' lengths are read.
 */
export function backlog(ws: Sheet): number {
  const stream = (ws as unknown as { stream?: { pipes?: ZipInput[] } }).stream;
  const pipe = stream?.pipes?.[0];
  if (!pipe) return 0;
  return (pipe.writableLength ?? pipe._writableState?.length ?? 0) + (pipe.readableLength ?? pipe._readableState?.length ?? 0);
}

/** Waits while the zip is far behind this sheet (and gives it a turn of the event loop in any case). */
export async function letZipCatchUp(ws: Sheet, signal?: AbortSignal): Promise<void> {
  await nextTurn();
  while (backlog(ws) > BACKLOG_BYTES) {
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A sheet being written, part after part; rows are numbered as Excel shows them (the header is row 1). */
export class SheetStream {
  readonly parts: string[] = [];
  private ws: Sheet | null = null;
  private inPart = 0;
  private links = { n: 0 };
  private written = 0;
  /** One style object per column, shared by all its cells (see write). */
  private readonly styles: Partial<ExcelJS.Style>[];

  constructor(
    private readonly book: Book,
    private readonly base: string,
    private readonly columns: readonly EvidenceColumn[],
    private readonly widths: readonly number[],
    private readonly signal?: AbortSignal,
    private readonly maxRows = MAX_DATA_ROWS,
  ) {
    this.styles = columns.map((c) => (c.type === 'date' ? { numFmt: DATE_FORMAT } : NO_STYLE));
  }

  private open(): Sheet {
    const name = partName(this.base, this.parts.length + 1);
    this.parts.push(name);
    const ws = this.book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1, xSplit: 0, topLeftCell: 'A2', activeCell: 'A2' }] });
    ws.columns = this.columns.map((c, k) => ({
      header: c.header,
      key: `c${k}`,
      width: this.widths[k] ?? 12,
      ...(c.type === 'date' ? { style: { numFmt: DATE_FORMAT } } : {}),
    }));
    const header = ws.getRow(1);
    header.font = { bold: true };
    for (let k = 1; k <= this.columns.length; k++) header.getCell(k).numFmt = 'General';
    header.commit();
    this.ws = ws;
    this.inPart = 0;
    this.links = { n: 0 };
    return ws;
  }

  /** Where the next row goes: its worksheet's name and its row number there. */
  get nextPlace(): { sheet: string; row: number } {
    if (this.ws === null || this.inPart >= this.maxRows) return { sheet: partName(this.base, this.parts.length + 1), row: 2 };
    return { sheet: this.parts[this.parts.length - 1] ?? this.base, row: this.inPart + 2 };
  }

  /** Writes one row (with its canonical fields when the caller has them); every 1,000 rows waits for the zip when it is behind. */
  async write(cells: readonly EvidenceCell[], fields?: readonly string[]): Promise<void> {
    let ws = this.ws;
    if (ws === null) ws = this.open();
    else if (this.inPart >= this.maxRows) {
      this.close(ws);
      ws = this.open();
    }
    // An empty value is no cell at all (undefined), not a styled empty cell.
    const values: (ExcelJS.CellValue | undefined)[] = new Array<ExcelJS.CellValue | undefined>(cells.length);
    for (let k = 0; k < cells.length; k++) values[k] = xlsxValue(cells[k] ?? null, this.columns[k]?.type ?? 'text', this.links, fields?.[k]) ?? undefined;
    const row = ws.addRow(values);
    // exceljs gives every cell its own copy of the column's style and then
    // looks each copy up by serialising it to XML (a third of the export's
    // time); its style table caches by object, so each cell gets its
    // column's one shared style object instead, and the row (whose own
    // empty style is looked up the same way) the empty one.
    row.eachCell((cell, col) => {
      cell.style = this.styles[col - 1] ?? NO_STYLE;
    });
    (row as unknown as { style: Partial<ExcelJS.Style> }).style = NO_STYLE;
    row.commit();
    this.inPart++;
    if (++this.written % 1000 === 0) await letZipCatchUp(ws, this.signal);
  }

  private close(ws: Sheet): void {
    const last = columnLetter(Math.max(1, this.columns.length));
    ws.autoFilter = `A1:${last}${this.inPart + 1}`;
    ws.commit();
  }

  /** Ends the last part (a sheet with no rows still gets its header). */
  end(): void {
    const ws = this.ws ?? this.open();
    this.close(ws);
    this.ws = null;
  }
}
