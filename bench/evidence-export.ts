// The full evidence workbook of a big workspace (bench/lib/evidence-workspace.ts:
// 100k users, ~1M memberships, a generated ledger of ~1.25M rows, a review of
// ~1M decided items) against, in the same run and over the same sheet rows:
// (a) the rows written as plain CSV (the canonical CSV, one file per sheet),
// (b) a bare exceljs streaming write of the rows (one worksheet per sheet, no
// styles, no hashing, no Exceptions or Sample). Then the full workbook again
// on a read-only snapshot copy. Each phase runs in its own process, so its
// peak RSS is its own. Not a timed test: it prints wall time, CPU and peak
// RSS for bench/RESULTS.md.
//
//   npm run bench -- evidence-export [--users 100000] [--per-user 10] [--requests 250000]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { openDatabase } from '../electron/engine/db/database.js';
import type { EngineContext } from '../electron/engine/context.js';
import { canonicalField, cellText, csvLine } from '../electron/engine/evidence/canonical.js';
import { exportEvidence } from '../electron/engine/evidence/manifest.js';
import type { EvidenceInput } from '../electron/engine/evidence/sheet-types.js';
import { EVIDENCE_SHEETS } from '../electron/engine/evidence/sheets.js';
import { letZipCatchUp } from '../electron/engine/evidence/xlsx-sheet.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import { saveSnapshot } from '../electron/engine/workspace/snapshot-copy.js';
import { seedEvidenceWorkspace } from './lib/evidence-workspace.js';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '100000' },
    'per-user': { type: 'string', default: '10' },
    requests: { type: 'string', default: '250000' },
    phase: { type: 'string' },
    file: { type: 'string' },
    out: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
const mb = (b: number): string => `${(b / 1024 / 1024).toFixed(0)} MB`;
const peak = (): number => process.resourceUsage().maxRSS * 1024;
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
type PhaseResult = { phase: string; ms: number; cpuMs: number; peak: number; rows: number; bytes: number; load: string };

async function phase(name: string, file: string, out: string, from: string, to: string): Promise<PhaseResult> {
  const readOnly = name === 'workbook-ro';
  const db = openDatabase(file, { readOnly: readOnly || name !== 'workbook' });
  const input: EvidenceInput = { db, from, to, generatedAt: to, leaverDeadlineHours: 24 };
  const t = performance.now();
  const c = cpuMs();
  let rows = 0;
  let bytes = 0;
  if (name === 'csv') {
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
        // A streaming write that lets the zip keep up (exceljs does not wait by itself: without this the sheet piles up in memory).
        if (rows % 1000 === 0) await letZipCatchUp(ws);
      }
      ws.commit();
    }
    await book.commit();
    bytes = fs.statSync(out).size;
  } else {
    const ctx: EngineContext = { db, dbPath: file, readOnly, secrets: memorySecretStore(), clock: { now: () => new Date(to) }, events: { emit: () => undefined }, actor: 'bench', transport: 'cli', sandbox: false };
    const w = await exportEvidence({ db, now: new Date(to), secrets: ctx.secrets, readOnly }, { from, to, out, version: 'bench', sheets: EVIDENCE_SHEETS, leaverDeadlineHours: 24 });
    rows = w.sheets.filter((s) => EVIDENCE_SHEETS.some((d) => d.name === s.name)).reduce((a, s) => a + s.rows, 0);
    bytes = w.bytes;
  }
  const result = { phase: name, ms: performance.now() - t, cpuMs: cpuMs() - c, peak: peak(), rows, bytes, load: load() };
  db.close();
  return result;
}

if (values.phase) {
  const r = await phase(values.phase, values.file as string, values.out as string, values.from as string, values.to as string);
  process.stdout.write(`${JSON.stringify(r)}\n`);
  process.exit(0);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-evidence-bench-'));
const file = path.join(dir, 'big.latchkey');
const self = new URL(import.meta.url).pathname;
const child = (args: string[]): string => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed (${r.status})`);
  return r.stdout.trim().split('\n').at(-1) ?? '';
};

// Seeding in this process (its memory is not any phase's).
let t = performance.now();
const db = openDatabase(file);
const ctx: EngineContext = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => new Date() }, events: { emit: () => undefined }, actor: 'bench', transport: 'cli', sandbox: false };
const ws = seedEvidenceWorkspace(ctx, { users: Number(values.users), perUser: Number(values['per-user']), requests: Number(values.requests), now: new Date() });
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
console.log(`workspace: ${values.users} users, ${ws.requests} requests, ${ws.items} review items; seeded in ${((performance.now() - t) / 1000).toFixed(1)} s; file ${mb(fs.statSync(file).size)}; load ${load()}`);
t = performance.now();
const copy = path.join(dir, 'copy.latchkey');
{
  const src = openDatabase(file);
  await saveSnapshot(src, copy, { force: true, clock: { now: () => new Date() } });
  src.close();
}
console.log(`read-only copy saved in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const results: PhaseResult[] = [];
for (const [name, db2, out] of [
  ['csv', file, path.join(dir, 'plain')],
  ['exceljs', file, path.join(dir, 'bare.xlsx')],
  ['workbook', file, path.join(dir, 'evidence.xlsx')],
  ['workbook-ro', copy, path.join(dir, 'evidence-ro.xlsx')],
] as const) {
  const r = JSON.parse(child(['--phase', name, '--file', db2, '--out', out, '--from', ws.from, '--to', ws.to])) as PhaseResult;
  results.push(r);
  console.log(`${name.padEnd(12)} ${r.rows} rows in ${(r.ms / 1000).toFixed(1)} s (cpu ${(r.cpuMs / 1000).toFixed(1)} s); peak RSS ${mb(r.peak)}; ${mb(r.bytes)} written; load ${r.load}`);
}
const by = (n: string): PhaseResult => results.find((r) => r.phase === n) as PhaseResult;
for (const n of ['workbook', 'workbook-ro']) {
  const w = by(n);
  console.log(
    `${n}: ${(w.ms / by('exceljs').ms).toFixed(2)}× bare exceljs (cpu ${(w.cpuMs / by('exceljs').cpuMs).toFixed(2)}×), ${(w.ms / by('csv').ms).toFixed(2)}× plain CSV (cpu ${(w.cpuMs / by('csv').cpuMs).toFixed(2)}×); peak RSS ${mb(w.peak)}`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
