// CSV as spreadsheets write it: read for the catalog and request imports,
// written for the catalog export and the audit log export.
import { UserError } from './context.js';

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; a BOM and CRLF are fine. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new UserError('the CSV ends inside a quoted field (a " is not closed)', 'bad-input');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Text a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM", a leading tab or CR). */
export const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: a value a spreadsheet would run as a formula gets a leading
 * apostrophe (shown as text, never run), then RFC 4180 quoting where needed.
 */
export function csvCell(v: string): string {
  const safe = FORMULA_START.test(v) ? `'${v}` : v;
  return /[",\r\n]|^\s|\s$/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** One CSV line (no line break) of the given values. */
export const csvLine = (values: readonly string[]): string => values.map(csvCell).join(',');
