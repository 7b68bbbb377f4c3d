// The reviewer workbook at 50,000 rows: export (exceljs streaming writer,
// straight to a file) and import (xlsx-rows.ts's streaming reader, every
// row checked against its item's stored row hash, then recorded), each
// against a baseline in the same run — the bare exceljs streaming write of
// every review_items column of the same rows, and the bare exceljs streaming
// read of the decided file, with no checks, no validation lists, no hashing —
// and each in its own process so its peak RSS is its own. Goal: each ≤ 5 s,
// streaming.
// Not a timed test: it prints the figures for bench/RESULTS.md.
//
//   node --import tsx bench/review-workbook.ts [--rows 50000] [--runs 3]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import type { EngineContext } from '../electron/engine/context.js';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { exportReviewerWorkbookToFile, importReviewerWorkbook, WORKBOOK_HEADER } from '../electron/engine/reviews/workbook.js';
import { insertCampaign, insertItems } from '../test/helpers/review-items-fixture.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '50000' }, runs: { type: 'string', default: '3' }, phase: { type: 'string' }, dir: { type: 'string' } } });
const REVIEWER = 'ada@acme.example';
const here = fileURLToPath(import.meta.url);

function context(db: Db, file: string): EngineContext {
  return { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => new Date('2026-03-10T09:00:00.000Z') }, events: { emit: () => undefined }, actor: 'bench', transport: 'cli', sandbox: false };
}

/** One phase in this process: prints {ms, rssMb, note}. */
async function phase(name: string, dir: string): Promise<void> {
  const file = path.join(dir, 'bench.latchkey');
  const db = openDatabase(file);
  const ctx = context(db, file);
  const campaign = 1;
  const t = performance.now();
  const cpu0 = process.cpuUsage();
  let note = '';
  switch (name) {
    case 'export': {
      const w = await exportReviewerWorkbookToFile(ctx, campaign, REVIEWER, path.join(dir, 'export.xlsx'));
      note = `${w.rows} rows, ${(w.bytes / 1e6).toFixed(1)} MB`;
      break;
    }
    case 'baseline-export': {
      // The same rows from one bare SELECT through exceljs's streaming writer: the format's own cost.
      const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path.join(dir, 'baseline.xlsx'), useStyles: false, useSharedStrings: false });
      const ws = wb.addWorksheet('Review');
      let n = 0;
      for (const r of db.prepare('SELECT * FROM review_items WHERE campaign_id = ? AND reviewer = ? ORDER BY person_name, group_name, id').raw().iterate(campaign, REVIEWER) as IterableIterator<unknown[]>) {
        ws.addRow(r.map((v) => (v === null ? '' : typeof v === 'number' ? String(v) : (v as string)))).commit();
        n++;
      }
      ws.commit();
      await wb.commit();
      note = `${n} rows`;
      break;
    }
    case 'import': {
      try {
        const r = await importReviewerWorkbook(ctx, campaign, { path: path.join(dir, 'decided.xlsx') });
        note = `recorded ${r.decisions} decisions`;
      } catch (e) {
        // Until decisions.ts records them, the import stops at the recording step after checking every row.
        note = `checked every row; recording: ${(e as Error).message}`;
      }
      break;
    }
    case 'baseline-import': {
      const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(path.join(dir, 'decided.xlsx')), { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
      let n = 0;
      for await (const sheet of reader) for await (const row of sheet) n += row.cellCount > 0 ? 1 : 0;
      note = `${n} rows read`;
      break;
    }
    default:
      throw new Error(`unknown phase ${name}`);
  }
  const ms = performance.now() - t;
  // CPU seconds of this process (the main thread and the thread pool's compression): on a shared, loaded machine the steadier figure.
  const cpu = process.cpuUsage(cpu0);
  db.close();
  process.stdout.write(`${JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, rssMb: process.resourceUsage().maxRSS / 1024, note })}\n`);
}

/** The exported workbook with every row decided (Keep, still-needed), written by a streaming copy. */
async function decide(dir: string): Promise<void> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(fs.createReadStream(path.join(dir, 'export.xlsx')), { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'ignore', entries: 'ignore' });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: path.join(dir, 'decided.xlsx'), useStyles: false, useSharedStrings: false });
  const dec = WORKBOOK_HEADER.indexOf('Decision') + 1;
  let sheetNo = 0;
  for await (const sheet of reader) {
    const ws = wb.addWorksheet(sheetNo++ === 0 ? 'Review' : 'Instructions');
    for await (const row of sheet) {
      const vals = (row.values as ExcelJS.CellValue[]).slice(1);
      if (row.number > 1 && sheetNo === 1) {
        vals[dec - 1] = 'Keep';
        vals[dec] = 'still-needed';
      }
      ws.addRow(vals).commit();
    }
    ws.commit();
  }
  await wb.commit();
}

async function main(): Promise<void> {
  if (values.phase && values.dir) return phase(values.phase, values.dir);
  const rows = Number(values.rows);
  const runs = Number(values.runs);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-wbbench-'));
  try {
    const db = openDatabase(path.join(dir, 'bench.latchkey'));
    const campaign = insertCampaign(db, { dueAt: '2026-03-20T00:00:00.000Z' });
    insertItems(db, campaign, 1, Array.from({ length: rows }, () => ({ reviewer: REVIEWER, recommendation: 'keep' as const })));
    db.close();
    const run = (p: string): { ms: number; cpuMs: number; rssMb: number; note: string } => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', here, '--phase', p, '--dir', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`${p}: ${r.stderr}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as { ms: number; cpuMs: number; rssMb: number; note: string };
    };
    run('export');
    await decide(dir);
    const results = new Map<string, { ms: number[]; cpu: number[]; rss: number; note: string }>();
    // Interleaved rounds: a busy moment on the shared machine hits every case alike.
    for (let i = 0; i < runs; i++) {
      for (const p of ['export', 'baseline-export', 'import', 'baseline-import']) {
        const r = run(p);
        const e = results.get(p) ?? { ms: [], cpu: [], rss: 0, note: r.note };
        e.ms.push(r.ms);
        e.cpu.push(r.cpuMs);
        e.rss = Math.max(e.rss, r.rssMb);
        results.set(p, e);
      }
    }
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    console.log(`reviewer workbook, ${rows} rows, median of ${runs} (each phase in its own process)`);
    console.log('| phase | median | CPU | peak RSS | note |\n| --- | ---: | ---: | ---: | --- |');
    for (const [p, e] of results) console.log(`| ${p} | ${(median(e.ms) / 1000).toFixed(2)} s | ${(median(e.cpu) / 1000).toFixed(2)} s | ${e.rss.toFixed(0)} MB | ${e.note} |`);
    const ratio = (a: string, b: string): string => (median(results.get(a)?.ms ?? [0]) / median(results.get(b)?.ms ?? [1])).toFixed(2);
    const cpuRatio = (a: string, b: string): string => (median(results.get(a)?.cpu ?? [0]) / median(results.get(b)?.cpu ?? [1])).toFixed(2);
    console.log(`CPU: export / baseline ${cpuRatio('export', 'baseline-export')}×; import / baseline ${cpuRatio('import', 'baseline-import')}×`);
    console.log(`export / baseline: ${ratio('export', 'baseline-export')}×; import / baseline: ${ratio('import', 'baseline-import')}×; file ${(fs.statSync(path.join(dir, 'export.xlsx')).size / 1e6).toFixed(1)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
