// The evidence writer's memory bound rests on reading how far exceljs's zip
// is behind a sheet (exceljs hands rows on without waiting): these tests
// block the zip's output and check that the backlog is seen and waited on.
import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { SheetStream, backlog, letZipCatchUp } from '../../electron/engine/evidence/xlsx-sheet.js';
import type { EvidenceColumn } from '../../electron/engine/evidence/sheet-types.js';

const COLUMNS: EvidenceColumn[] = [
  { header: 'Id', type: 'integer' },
  { header: 'Text', type: 'text' },
];

function blockedBook(): { book: ExcelJS.stream.xlsx.WorkbookWriter; out: PassThrough } {
  // Nobody reads `out`: once its small buffer is full the zip stops taking input.
  const out = new PassThrough({ highWaterMark: 1024 });
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  return { book, out };
}

describe('evidence xlsx backpressure', () => {
  it('sees the bytes the zip has not taken while its output is blocked', async () => {
    const { book } = blockedBook();
    const ws = book.addWorksheet('S');
    expect(backlog(ws)).toBe(0);
    for (let i = 0; i < 20_000; i++) ws.addRow([i, `row ${i} ${'x'.repeat(40)}`]).commit();
    for (let k = 0; k < 5; k++) await nextTurn();
    // 20,000 rows of ~100 bytes of sheet XML each, most of them still waiting for the zip.
    expect(backlog(ws)).toBeGreaterThan(1 << 20);
  });

  it('waits while the zip is behind and goes on once the output is read', async () => {
    const { book, out } = blockedBook();
    const ws = book.addWorksheet('S');
    for (let i = 0; i < 60_000; i++) ws.addRow([i, `row ${i} ${'x'.repeat(40)}`]).commit();
    let done = false;
    const waiting = letZipCatchUp(ws).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(done).toBe(false);
    out.resume();
    await waiting;
    expect(done).toBe(true);
    expect(backlog(ws)).toBeLessThanOrEqual(4 << 20);
  });

  it('a sheet written through SheetStream stays within the bound while the output drains slowly', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
    let worst = 0;
    let ws: ExcelJS.Worksheet | undefined;
    const real = book.addWorksheet.bind(book);
    book.addWorksheet = ((name: string, o?: Partial<ExcelJS.AddWorksheetOptions>) => (ws = real(name, o)));
    // Read the output in small sips, so the zip is slower than the rows.
    const sip = setInterval(() => {
      out.read(256 << 10);
      if (ws) worst = Math.max(worst, backlog(ws));
    }, 5);
    const sheet = new SheetStream(book, 'S', COLUMNS, [8, 60]);
    for (let i = 0; i < 120_000; i++) await sheet.write([i, `row ${i} ${'y'.repeat(60)}`]);
    clearInterval(sip);
    // 120,000 rows are ~14 MB of sheet XML: without waiting it would all sit in the zip's input.
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThan(8 << 20);
  });
});
