// The evidence workbook, written in one pass over the data: each data sheet's
// rows stream from SQLite into exceljs's streaming writer and, row by row,
// into the sheet's canonical-CSV hash, the Exceptions (each row's flags, kept
// in a temporary file, not in memory) and the Sample reservoirs. No sheet is
// ever held.
//
// Sheet order in the workbook: Cover, Manifest, Controls, the data sheets,
// Exceptions, Sample. exceljs's WorkbookWriter zips sheets in the order they
// are added, and one not yet committed holds every later one in memory (the
// zip takes its entries one after another), while Cover, Manifest and
// Controls can only be written once the data is through. So they are added
// and written last, and their place at the front is set in workbook.xml:
// the writer's sheet list (which it turns into workbook.xml, its
// relationships and [Content_Types].xml at commit) is reordered before the
// commit. The zip's entry order does not matter to any reader.
//
// A partial read never looks like a workbook: the file is written as
// FILE.partial-<random> and renamed at the end; a sheet whose query throws,
// a cancel (AbortSignal) or a failed write aborts with the reason naming the
// sheet, and removes the temporary files.
import { randomBytes } from 'node:crypto';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import readline from 'node:readline';
import { PassThrough } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { UserError } from '../context.js';
import type { Db } from '../db/database.js';
import { CanonicalHasher, canonicalField } from './canonical.js';
import { controlRows } from './controls.js';
import { coverFacts, coverRows, type CoverFacts } from './cover.js';
import { Reservoir } from './sample.js';
import type { EvidenceCell, EvidenceColumn, EvidenceInput, EvidenceRow, EvidenceSheet, Reconciliation } from './sheet-types.js';
import { SheetStream, columnWidths, type Book } from './xlsx-sheet.js';

/** Rows per block of the manifest's running digests (verify names the first block that differs). */
export const DIGEST_BLOCK = 1000;
/** Rows read ahead to size a sheet's columns. */
const WIDTH_SAMPLE = 200;

export type EvidenceProgress = { sheet: string; rows: number };

export type ExportOptions = {
  /** Period start and end, ISO 8601 UTC, both included. */
  from: string;
  to: string;
  /** The workbook's path. */
  out: string;
  version: string;
  sample?: { n: number; seed: string } | null;
  leaverDeadlineHours?: number;
  sheets: readonly EvidenceSheet[];
  signal?: AbortSignal;
  onProgress?: (p: EvidenceProgress) => void;
  /** Data rows per worksheet before a sheet continues in "<Name> (2)" (Excel's limit; tests lower it). */
  maxRowsPerWorksheet?: number;
};

export type WrittenSheet = {
  name: string;
  query: string;
  description: string;
  worksheets: string[];
  rows: number;
  sha256: string;
  columns: { header: string; type: EvidenceColumn['type'] }[];
  reconciliations: Reconciliation[];
  /** The canonical CSV's SHA-256 after each DIGEST_BLOCK rows. */
  blocks: string[];
};

export type WrittenWorkbook = {
  path: string;
  bytes: number;
  sha256: string;
  from: string;
  to: string;
  generatedAt: string;
  version: string;
  facts: CoverFacts;
  sample: { seed: string; perPopulation: number; populations: { name: string; size: number }[] } | null;
  /** Every worksheet of the file, in workbook order. */
  worksheets: string[];
  /** Every hashed sheet, in the order written (data sheets, Exceptions, Sample, Controls). */
  sheets: WrittenSheet[];
  exceptions: number;
};

const EXCEPTION_COLUMNS: EvidenceColumn[] = [
  { header: 'Sheet', type: 'text', width: 16 },
  { header: 'Row', type: 'integer' },
  { header: 'Flag', type: 'text', width: 48 },
  { header: 'First cell', type: 'text', width: 36 },
];
const SAMPLE_COLUMNS: EvidenceColumn[] = [
  { header: 'Population', type: 'text', width: 22 },
  { header: 'Population size', type: 'integer' },
  { header: 'Seed', type: 'text', width: 14 },
  { header: 'Pick', type: 'integer' },
  { header: 'Sheet', type: 'text', width: 16 },
  { header: 'Row', type: 'integer' },
  { header: 'Row (first cells)', type: 'text', width: 60 },
];
const CONTROL_COLUMNS: EvidenceColumn[] = [
  { header: 'Framework', type: 'text', width: 20 },
  { header: 'Control', type: 'text', width: 9 },
  { header: 'What it asks', type: 'text', width: 60 },
  { header: 'Evidenced by (sheet: columns)', type: 'text', width: 60 },
  { header: 'Exceptions found', type: 'text', width: 30 },
];
const COVER_COLUMNS: EvidenceColumn[] = [
  { header: 'Section', type: 'text', width: 14 },
  { header: 'Item', type: 'text', width: 28 },
  { header: 'Value', type: 'text', width: 100 },
];
export const MANIFEST_COLUMNS: EvidenceColumn[] = [
  { header: 'Sheet', type: 'text', width: 16 },
  { header: 'Worksheets', type: 'text', width: 16 },
  { header: 'Rows', type: 'integer', width: 12 },
  { header: 'SHA-256 of canonical CSV', type: 'text', width: 66 },
  { header: 'Query', type: 'text', width: 28 },
  { header: 'Reconciliation', type: 'text', width: 48 },
  { header: 'Date columns', type: 'text', width: 14 },
];
export const COVER_SHEET = 'Cover';
export const MANIFEST_SHEET = 'Manifest';
export const CONTROLS_SHEET = 'Controls';
export const EXCEPTIONS_SHEET = 'Exceptions';
export const SAMPLE_SHEET = 'Sample';
const RESERVED = [COVER_SHEET, MANIFEST_SHEET, CONTROLS_SHEET, EXCEPTIONS_SHEET, SAMPLE_SHEET];

/** "✔ 100,000 of 100,000 people" or "✘ 99,998 of 100,000 people". */
export function reconciliationText(r: Reconciliation): string {
  return `${r.actual === r.expected ? '✔' : '✘'} ${r.actual.toLocaleString('en-US')} of ${r.expected.toLocaleString('en-US')} ${r.what}`;
}

/** The letters of a sheet's date columns ("C, F"), as the Manifest sheet records them for `evidence verify`. */
export function dateColumnLetters(columns: readonly { type: string }[]): string {
  const out: string[] = [];
  columns.forEach((c, k) => {
    if (c.type === 'date') {
      let s = '';
      for (let n = k + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
      out.push(s);
    }
  });
  return out.join(', ');
}

type Hooks = {
  maxRows?: number;
  onRow?: (row: EvidenceRow, place: { sheet: string; row: number }) => void;
  progress?: (rows: number) => void;
};

/** Streams one sheet's rows into the book and its hash; errors name the sheet. */
async function writeTable(book: Book, name: string, columns: readonly EvidenceColumn[], rows: Iterable<EvidenceRow>, signal: AbortSignal | undefined, hooks: Hooks = {}): Promise<{ worksheets: string[]; rows: number; sha256: string; blocks: string[] }> {
  const hasher = CanonicalHasher.of(columns);
  const blocks: string[] = [];
  const it = rows[Symbol.iterator]();
  try {
    // Read ahead to size the columns (widths go out with the sheet's first row).
    const ahead: EvidenceRow[] = [];
    let r = it.next();
    while (!r.done) {
      ahead.push(r.value);
      if (ahead.length >= WIDTH_SAMPLE) break;
      r = it.next();
    }
    const more = !r.done;
    const stream = new SheetStream(book, name, columns, columnWidths(columns, ahead.map((x) => x.cells)), signal, hooks.maxRows);
    const one = async (row: EvidenceRow): Promise<void> => {
      const fields = hasher.row(row.cells);
      const place = stream.nextPlace;
      await stream.write(row.cells, fields);
      hooks.onRow?.(row, place);
      if (hasher.rows % DIGEST_BLOCK === 0) {
        blocks.push(hasher.sofar());
        signal?.throwIfAborted();
        hooks.progress?.(hasher.rows);
      }
    };
    for (const row of ahead) await one(row);
    if (more) for (r = it.next(); !r.done; r = it.next()) await one(r.value);
    stream.end();
    hooks.progress?.(hasher.rows);
    return { worksheets: stream.parts, rows: hasher.rows, sha256: hasher.digest(), blocks };
  } finally {
    // Closes the sheet's statement when it stopped early (an error, a cancel).
    it.return?.();
  }
}

function fromArray(rows: readonly (readonly EvidenceCell[])[]): EvidenceRow[] {
  return rows.map((cells) => ({ cells }));
}

/** The flags of every row, appended to a temporary NDJSON file as they come (a sheet's worth of flags is never held). */
class ExceptionLog {
  private buf = '';
  private fd: number | null;
  count = 0;
  readonly bySheet = new Map<string, number>();

  constructor(readonly file: string) {
    this.fd = fs.openSync(file, 'wx', 0o600);
  }

  add(sheet: string, part: string, row: number, flag: string, first: string): void {
    this.buf += `${JSON.stringify([part, row, flag, first])}\n`;
    this.count++;
    this.bySheet.set(sheet, (this.bySheet.get(sheet) ?? 0) + 1);
    if (this.buf.length > 1 << 16) this.flush();
  }

  flush(): void {
    if (this.buf && this.fd !== null) fs.writeSync(this.fd, this.buf);
    this.buf = '';
  }

  close(): void {
    if (this.fd === null) return;
    this.flush();
    fs.closeSync(this.fd);
    this.fd = null;
  }

  async *rows(): AsyncGenerator<EvidenceRow> {
    const lines = readline.createInterface({ input: fs.createReadStream(this.file, 'utf8'), crlfDelay: Infinity });
    for await (const line of lines) {
      if (!line) continue;
      const [part, row, flag, first] = JSON.parse(line) as [string, number, string, string];
      yield { cells: [part, row, flag, first] };
    }
  }
}

/** Collects an async generator's rows into batches written through writeTable (which takes a sync iterable). */
async function writeAsyncTable(book: Book, name: string, columns: readonly EvidenceColumn[], rows: AsyncIterable<EvidenceRow>, signal: AbortSignal | undefined, maxRows?: number): Promise<Awaited<ReturnType<typeof writeTable>>> {
  // The Exceptions file is read back in order; a generator bridging it to the sync writer would need the whole file, so rows go through one by one here.
  const hasher = CanonicalHasher.of(columns);
  const blocks: string[] = [];
  const stream = new SheetStream(book, name, columns, columnWidths(columns, []), signal, maxRows);
  for await (const row of rows) {
    await stream.write(row.cells, hasher.row(row.cells));
    if (hasher.rows % DIGEST_BLOCK === 0) blocks.push(hasher.sofar());
  }
  stream.end();
  return { worksheets: stream.parts, rows: hasher.rows, sha256: hasher.digest(), blocks };
}

/** Writes the workbook to `opts.out` (through a temporary file); returns what the manifest records. */
export async function writeEvidenceWorkbook(src: { db: Db; now: Date }, opts: ExportOptions): Promise<WrittenWorkbook> {
  const { db } = src;
  const signal = opts.signal;
  signal?.throwIfAborted();
  const names = new Set<string>();
  for (const s of opts.sheets) {
    if (RESERVED.includes(s.name) || names.has(s.name)) throw new Error(`sheet name "${s.name}" is reserved or used twice`);
    names.add(s.name);
  }
  const generatedAt = src.now.toISOString();
  const input: EvidenceInput = { db, from: opts.from, to: opts.to, generatedAt, leaverDeadlineHours: opts.leaverDeadlineHours ?? 24 };
  const facts = coverFacts(db, opts.to);
  const token = randomBytes(6).toString('hex');
  const partial = `${opts.out}.partial-${token}`;
  const exceptions = new ExceptionLog(`${opts.out}.partial-${token}.exceptions`);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const failure: { error: Error | null } = { error: null };
  const piped = pipeline(tap, fs.createWriteStream(partial, { flags: 'wx', mode: 0o644 }));
  piped.catch((e: Error) => {
    failure.error = e;
  });
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: tap, useStyles: true, useSharedStrings: false });
  book.creator = 'Latchkey';
  book.created = src.now;
  book.modified = src.now;
  const reservoirs = new Map<string, Reservoir<{ sheet: string; row: number; summary: string }>>();
  const written: WrittenSheet[] = [];
  const frontLines: { name: string; query: string; description: string; worksheets: string[] }[] = [];
  try {
    for (const sheet of opts.sheets) {
      signal?.throwIfAborted();
      let w: Awaited<ReturnType<typeof writeTable>>;
      let reconciliations: Reconciliation[] = [];
      const sampler = opts.sample && sheet.sample ? sheet.sample : null;
      let reservoir: Reservoir<{ sheet: string; row: number; summary: string }> | undefined;
      if (sampler && opts.sample) {
        reservoir = reservoirs.get(sampler.population) ?? new Reservoir(opts.sample.n, opts.sample.seed, sampler.population);
        reservoirs.set(sampler.population, reservoir);
      }
      try {
        w = await writeTable(book, sheet.name, sheet.columns, sheet.rows(input), signal, {
          onRow: (row, place) => {
            if (row.flags?.length) {
              const first = canonicalField(row.cells[0] ?? null);
              for (const f of row.flags) exceptions.add(sheet.name, place.sheet, place.row, f, first);
            }
            if (reservoir && sampler?.accepts(row)) reservoir.offer(() => ({ sheet: place.sheet, row: place.row, summary: row.cells.slice(0, 3).map((c) => canonicalField(c ?? null)).join(' | ') }));
            if (failure.error) throw failure.error;
          },
          progress: (rows) => opts.onProgress?.({ sheet: sheet.name, rows }),
          maxRows: opts.maxRowsPerWorksheet,
        });
        reconciliations = sheet.reconcile?.(input, w.rows) ?? [];
      } catch (e) {
        if (signal?.aborted && e === signal.reason) throw e;
        const why = e instanceof Error ? e.message : String(e);
        throw new UserError(`the export stopped at sheet "${sheet.name}" (query ${sheet.query}): ${why}; no workbook was written`, 'failed');
      }
      written.push({ name: sheet.name, query: sheet.query, description: sheet.description, ...w, columns: sheet.columns.map((c) => ({ header: c.header, type: c.type })), reconciliations });
    }
    exceptions.close();
    signal?.throwIfAborted();
    const ex = await writeAsyncTable(book, EXCEPTIONS_SHEET, EXCEPTION_COLUMNS, exceptions.rows(), signal, opts.maxRowsPerWorksheet);
    written.push({ name: EXCEPTIONS_SHEET, query: 'flags-of-every-row', description: 'Every flagged row of every sheet: the sheet, the row number there, the flag, and the row\'s first cell.', ...ex, columns: EXCEPTION_COLUMNS.map((c) => ({ header: c.header, type: c.type })), reconciliations: [{ what: 'flags raised by the sheets', expected: exceptions.count, actual: ex.rows }] });
    let sample: WrittenWorkbook['sample'] = null;
    if (opts.sample) {
      const s = opts.sample;
      const rows: (readonly EvidenceCell[])[] = [];
      for (const r of reservoirs.values()) r.picks().forEach((p, k) => rows.push([r.population, r.populationSize, s.seed, k + 1, p.sheet, p.row, p.summary]));
      sample = { seed: s.seed, perPopulation: s.n, populations: [...reservoirs.values()].map((r) => ({ name: r.population, size: r.populationSize })) };
      const w = await writeTable(book, SAMPLE_SHEET, SAMPLE_COLUMNS, fromArray(rows), signal);
      written.push({ name: SAMPLE_SHEET, query: 'seeded-reservoir-sample', description: `Up to ${s.n} rows drawn from each sample population with seed "${s.seed}" (mulberry32 per population, reservoir sampling in sheet order; docs/evidence.md).`, ...w, columns: SAMPLE_COLUMNS.map((c) => ({ header: c.header, type: c.type })), reconciliations: [] });
    }
    // The front sheets, written now and put first in workbook.xml below.
    const sheetColumns = new Map(opts.sheets.map((s) => [s.name, s.columns] as const));
    const controls = await writeTable(book, CONTROLS_SHEET, CONTROL_COLUMNS, fromArray(controlRows(sheetColumns, exceptions.bySheet)), signal);
    written.push({ name: CONTROLS_SHEET, query: 'controls-and-exceptions', description: 'SOC 2 CC6.1–CC6.3 and ISO/IEC 27001:2022 A.5.15, A.5.16, A.5.18, A.8.2: what each asks, the sheets and columns that evidence it, the exceptions found there.', ...controls, columns: CONTROL_COLUMNS.map((c) => ({ header: c.header, type: c.type })), reconciliations: [] });
    for (const w of written) frontLines.push({ name: w.name, query: w.query, description: w.description, worksheets: w.worksheets });
    const cover = coverRows(facts, { from: opts.from, to: opts.to, generatedAt, version: opts.version, sample }, [
      { name: MANIFEST_SHEET, query: 'manifest', description: 'Per sheet: rows, the SHA-256 of its canonical CSV, the query that filled it, and its reconciliation with the snapshot\'s own counts.', worksheets: [MANIFEST_SHEET] },
      ...frontLines,
    ]);
    const coverW = await writeTable(book, COVER_SHEET, COVER_COLUMNS, fromArray(cover), signal);
    const manifestRows = written.map((w) => [w.name, w.worksheets.join(', '), w.rows, w.sha256, w.query, w.reconciliations.map(reconciliationText).join('; ') || '(no independent count)', dateColumnLetters(w.columns)]);
    const manifestW = await writeTable(book, MANIFEST_SHEET, MANIFEST_COLUMNS, fromArray(manifestRows), signal);
    // workbook.xml's order: Cover, Manifest, Controls, then the rest as written.
    const internal = book as unknown as { _worksheets: ({ name: string } | undefined)[] };
    const all = internal._worksheets.filter((w): w is { name: string } => !!w);
    const front = [...coverW.worksheets, ...manifestW.worksheets, ...controls.worksheets];
    const first = front.map((n) => all.find((w) => w.name === n)).filter((w): w is { name: string } => !!w);
    internal._worksheets = [...first, ...all.filter((w) => !front.includes(w.name))];
    const worksheets = internal._worksheets.map((w) => w?.name ?? '');
    signal?.throwIfAborted();
    await book.commit();
    await piped;
    if (failure.error) throw failure.error;
    fs.renameSync(partial, opts.out);
    return { path: opts.out, bytes, sha256: hash.digest('hex'), worksheets, from: opts.from, to: opts.to, generatedAt, version: opts.version, facts, sample, sheets: written, exceptions: exceptions.count };
  } catch (e) {
    const zip = (book as unknown as { zip?: { abort?: () => void } }).zip;
    try {
      zip?.abort?.();
    } catch {
      // already finished or failed: the file goes below either way
    }
    tap.destroy();
    await piped.catch(() => undefined);
    fs.rmSync(partial, { force: true });
    throw e;
  } finally {
    exceptions.close();
    fs.rmSync(exceptions.file, { force: true });
  }
}
