// The rows of an .xlsx's sheets as text, streamed: what a reviewer workbook
// import reads. exceljs's streaming reader, with everything it can skip
// skipped (styles, hyperlinks, other entries); each row comes as its cells'
// text, column A first, so the import does not depend on the reader's cell
// model.
import fs from 'node:fs';
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';

/** One row of one sheet: `sheet` counts sheets in the order read, `n` is the row's number, `cells[0]` is column A (absent cells are empty). */
export type SheetRow = { sheet: number; n: number; cells: string[] };

function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((t) => t.text).join('');
    if ('text' in v && typeof v.text === 'string') return v.text;
    if ('result' in v) return v.result === undefined || v.result === null ? '' : cellText(v.result);
    if ('error' in v) return String(v.error);
  }
  return '';
}

/** Every row of every sheet, in file order; throws on a file that is not a readable workbook. */
export async function* workbookRows(input: Buffer | { path: string }): AsyncGenerator<SheetRow> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Buffer.isBuffer(input) ? Readable.from([input]) : fs.createReadStream(input.path), {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  let sheet = 0;
  for await (const ws of reader) {
    for await (const row of ws) {
      const values = row.values as ExcelJS.CellValue[];
      const cells: string[] = [];
      for (let k = 1; k < values.length; k++) cells.push(cellText(values[k]));
      yield { sheet, n: row.number, cells };
    }
    sheet++;
  }
}
