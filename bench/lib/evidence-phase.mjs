// One phase of the evidence-export bench, in its own process so its peak RSS
// is its own, run by plain Node on the engine as the CLI ships it (tsc's
// output in dist/, which bench/evidence-export.ts builds first): no TypeScript
// loader in the measured process. Prints one JSON line.
//
//   node bench/lib/evidence-phase.mjs PHASE FILE OUT FROM TO
//   PHASE: csv | exceljs | workbook | csv-ro | exceljs-ro | workbook-ro (-ro: FILE is a read-only snapshot copy)
import fs from 'node:fs';
import os from 'node:os';
import { once } from 'node:events';
import ExcelJS from 'exceljs';
import { openDatabase } from '../../dist/electron/engine/db/database.js';
import { canonicalField, cellText, csvLine } from '../../dist/electron/engine/evidence/canonical.js';
import { exportEvidence } from '../../dist/electron/engine/evidence/manifest.js';
import { EVIDENCE_SHEETS } from '../../dist/electron/engine/evidence/sheets.js';
import { letZipCatchUp } from '../../dist/electron/engine/evidence/xlsx-sheet.js';
import { memorySecretStore } from '../../dist/electron/engine/secrets/secret-store.js';

const [phaseName, file, out, from, to] = process.argv.slice(2);
const readOnly = phaseName.endsWith('-ro');
const name = readOnly ? phaseName.slice(0, -3) : phaseName;
const peak = () => process.resourceUsage().maxRSS * 1024;
const load = () => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const db = openDatabase(file, { readOnly: readOnly || name !== 'workbook' });
const input = { db, from, to, generatedAt: to, leaverDeadlineHours: 24 };
// What the process holds before any row: Node, the loaded engine, the open file.
const startRss = process.memoryUsage().rss;
const t = performance.now();
const c = cpuMs();
let rows = 0;
let bytes = 0;
if (name === 'csv') {
  // (a) The same rows as plain CSV: the canonical CSV, one file per sheet.
  for (const sheet of EVIDENCE_SHEETS) {
    const f = `${out}.${sheet.name.replace(/\W+/g, '-')}.csv`;
    const s = fs.createWriteStream(f);
    s.write(csvLine(sheet.columns.map((col) => cellText(col.header))));
    for (const r of sheet.rows(input)) {
      rows++;
      if (!s.write(csvLine(r.cells.map(canonicalField)))) await once(s, 'drain');
    }
    s.end();
    await once(s, 'finish');
    bytes += fs.statSync(f).size;
    fs.rmSync(f);
  }
} else if (name === 'exceljs') {
  // (b) A bare exceljs streaming write of the same rows: one worksheet per sheet, no styles, no hashing, no Exceptions or Sample.
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: false, useSharedStrings: false });
  for (const sheet of EVIDENCE_SHEETS) {
    let ws = book.addWorksheet(sheet.name);
    let n = 0;
    let part = 1;
    ws.addRow(sheet.columns.map((col) => col.header)).commit();
    for (const r of sheet.rows(input)) {
      rows++;
      // Excel's limit: a sheet continues in another worksheet, as the real writer does.
      if (++n > 1_048_575) {
        ws.commit();
        ws = book.addWorksheet(`${sheet.name} (${++part})`);
        n = 1;
      }
      ws.addRow(r.cells.map((cell) => (cell !== null && typeof cell === 'object' && !(cell instanceof Date) ? cell.text : cell))).commit();
      // A streaming write lets the zip keep up (exceljs does not wait by itself: without this a sheet piles up in memory).
      if (rows % 1000 === 0) await letZipCatchUp(ws);
    }
    ws.commit();
  }
  await book.commit();
  bytes = fs.statSync(out).size;
} else {
  const w = await exportEvidence({ db, now: new Date(to), secrets: memorySecretStore(), readOnly }, { from, to, out, version: 'bench', sheets: EVIDENCE_SHEETS, leaverDeadlineHours: 24 });
  rows = w.sheets.filter((s) => EVIDENCE_SHEETS.some((d) => d.name === s.name)).reduce((a, s) => a + s.rows, 0);
  bytes = w.bytes;
}
const result = { phase: phaseName, ms: performance.now() - t, cpuMs: cpuMs() - c, peak: peak(), startRss, rows, bytes, load: load() };
db.close();
process.stdout.write(`${JSON.stringify(result)}\n`);
