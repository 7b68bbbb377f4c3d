// The evidence writer on a real workspace file with sheets of its own making
// (rows streamed from SQLite), read back by openpyxl: the sheet order (Cover,
// Manifest, Controls first although written last), each sheet's header,
// frozen pane, filter and widths, dates as real dates, links as hyperlinks,
// formula-looking text as text, the canonical hashes recomputed in Python,
// a sheet continued past its row limit, the Exceptions and Sample sheets, and
// a failing or cancelled export leaving no file.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import type { EvidenceSheet } from '../../electron/engine/evidence/sheet-types.js';
import { writeEvidenceWorkbook, type ExportOptions } from '../../electron/engine/evidence/writer.js';
import { counted, FORMULA, grants, people } from '../fixtures/evidence-sheets.js';
import { openpyxlSheetHashes, py } from '../helpers/openpyxl.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-evidence-');
let db: Db;
const now = new Date('2026-06-30T12:00:00.000Z');

function options(out: string, extra: Partial<ExportOptions> = {}): ExportOptions {
  return { from: '2026-01-01T00:00:00.000Z', to: '2026-06-30T23:59:59.999Z', out, version: '0.1.0-test', sheets: [people, grants], sample: { n: 5, seed: 'audit-2026' }, maxRowsPerWorksheet: 1000, ...extra };
}

beforeAll(() => {
  db = openDatabase(path.join(dir, 'ws.latchkey'));
});
afterAll(() => db.close());

describe('the evidence workbook writer', () => {
  it('writes the front sheets first, every sheet with a bold frozen header, a filter, dates, links and text as text', async () => {
    const out = path.join(dir, 'evidence.xlsx');
    const progress: { sheet: string; rows: number }[] = [];
    const w = await writeEvidenceWorkbook({ db, now }, options(out, { onProgress: (p) => progress.push(p) }));
    expect(fs.existsSync(out)).toBe(true);
    expect(fs.readdirSync(dir).filter((f) => f.includes('.partial-'))).toEqual([]);
    expect(w.sheets.map((s) => s.name)).toEqual(['People', 'Grants', 'Exceptions', 'Sample', 'Controls']);
    const g = w.sheets.find((s) => s.name === 'Grants');
    expect(g?.worksheets).toEqual(['Grants', 'Grants (2)', 'Grants (3)']);
    expect(g?.rows).toBe(2500);
    expect(g?.blocks).toHaveLength(2);
    expect(progress).toContainEqual({ sheet: 'Grants', rows: 2500 });

    const seen = py<{ names: string[]; people: { v: unknown; t: string; fmt: string; link: string | null }[][]; bold: boolean[]; frozen: (string | null)[]; filter: string | null; widths: number[]; cover: unknown[][]; manifest: unknown[][]; exceptions: unknown[][]; sample: unknown[][] }>(
      `wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['People']
rows = [[{'v': c.value, 't': c.data_type, 'fmt': c.number_format, 'link': c.hyperlink.target if c.hyperlink else None} for c in r] for r in ws.iter_rows(min_row=1, max_row=8)]
print(json.dumps({'names': wb.sheetnames, 'people': rows, 'bold': [c.font.b for c in ws[1]], 'frozen': [wb[n].freeze_panes for n in wb.sheetnames],
  'filter': ws.auto_filter.ref, 'widths': [ws.column_dimensions[l].width for l in 'ABCDE'],
  'cover': [[c.value for c in r] for r in wb['Cover'].iter_rows()], 'manifest': [[c.value for c in r] for r in wb['Manifest'].iter_rows()],
  'exceptions': [[c.value for c in r] for r in wb['Exceptions'].iter_rows()], 'sample': [[c.value for c in r] for r in wb['Sample'].iter_rows()]}, default=str))`,
      out,
    );
    expect(seen.names).toEqual(['Cover', 'Manifest', 'Controls', 'People', 'Grants', 'Grants (2)', 'Grants (3)', 'Exceptions', 'Sample']);
    expect(seen.people[0]?.map((c) => c.v)).toEqual(['Name', 'Logins', 'Created (UTC)', 'Active', 'Jira']);
    expect(seen.bold).toEqual([true, true, true, true, true]);
    expect(seen.frozen.every((f) => f === 'A2')).toBe(true);
    expect(seen.filter).toBe('A1:E26');
    expect(seen.widths.every((x) => x > 5)).toBe(true);
    const r1 = seen.people[1] ?? [];
    // The formula-looking value is a string cell with the same text, never a formula.
    expect(r1[0]).toMatchObject({ v: FORMULA, t: 's' });
    expect(r1[2]).toMatchObject({ v: '2026-01-01 03:04:05.678000', t: 'd', fmt: 'yyyy-mm-dd hh:mm:ss' });
    expect(r1[4]).toMatchObject({ v: 'ACC-1', link: 'https://jira.example/browse/ACC-1' });
    expect(seen.people[2]?.[0]).toMatchObject({ v: '  spaced\nname ', t: 's' });
    expect(seen.people[3]?.[0]?.v).toBe('Zoë 山田 🔑');
    expect(seen.people[4]?.[0]).toMatchObject({ v: '+1 @x -2', t: 's' });
    expect(seen.people[5]?.[1]?.v).toBe(0);
    expect(seen.people[6]?.[4]?.v).toBeNull();
    expect(seen.people[2]?.[3]?.v).toBe(true);

    // Hashes and counts recomputed by openpyxl match what the writer recorded, and the Manifest sheet says the same.
    const check = openpyxlSheetHashes(out, w.sheets.map((s) => ({ name: s.name, worksheets: s.worksheets, width: s.columns.length })));
    for (const s of w.sheets) expect(check.sheets[s.name], s.name).toEqual({ rows: s.rows, sha256: s.sha256 });
    const manifest = seen.manifest.slice(1).map((r) => [r[0], r[2], r[3]]);
    expect(manifest).toEqual(w.sheets.map((s) => [s.name, s.rows, s.sha256]));
    expect(seen.manifest.find((r) => r[0] === 'People')?.[5]).toBe('✔ 25 of 25 people');
    expect(seen.manifest.find((r) => r[0] === 'People')?.[6]).toBe('C');

    // Exceptions: sheet, row there, flag, first cell.
    expect(seen.exceptions.slice(1)).toEqual([
      ['People', 11, 'approver is the requester', 'person 10'],
      ['People', 21, 'approver is the requester', 'person 20'],
      ['Grants', 1001, 'granted before approval', 1000],
      ['Grants (2)', 1001, 'granted before approval', 2000],
    ].map((r) => (r[0] === 'Grants' || r[0] === 'Grants (2)' ? [r[0], r[1], r[2], String(r[3])] : r)));
    // Sample: 5 per population, seed and population size recorded.
    const picks = seen.sample.slice(1);
    expect(picks.filter((r) => r[0] === 'people')).toHaveLength(5);
    expect(picks.filter((r) => r[0] === 'new grants')).toHaveLength(5);
    expect(picks.every((r) => r[2] === 'audit-2026')).toBe(true);
    expect(picks.find((r) => r[0] === 'new grants')?.[1]).toBe(1250);
    expect(seen.cover.some((r) => r[1] === 'Seed' && r[2] === 'audit-2026')).toBe(true);
    expect(seen.cover.some((r) => r[0] === 'Sheet' && r[1] === 'People' && String(r[2]).includes('test-people'))).toBe(true);

    // The same data, seed and period give the same sheet hashes and the same sample.
    const again = await writeEvidenceWorkbook({ db, now: new Date(now.getTime() + 60_000) }, options(path.join(dir, 'again.xlsx')));
    expect(again.sheets.map((s) => [s.name, s.rows, s.sha256])).toEqual(w.sheets.map((s) => [s.name, s.rows, s.sha256]));
  });

  it('aborts when a sheet\'s query throws midway, naming the sheet, and leaves no file', async () => {
    const out = path.join(dir, 'broken.xlsx');
    const broken: EvidenceSheet = {
      ...grants,
      name: 'Approvals',
      query: 'test-approvals',
      *rows(input) {
        for (const i of counted(input.db, 3000)) {
          if (i === 1500) throw new Error('no such column: decided_at');
          yield { cells: [i, 'x'] };
        }
      },
    };
    await expect(writeEvidenceWorkbook({ db, now }, options(out, { sheets: [people, broken] }))).rejects.toThrow(/sheet "Approvals" \(query test-approvals\): no such column: decided_at; no workbook was written/);
    expect(fs.existsSync(out)).toBe(false);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('broken.xlsx'))).toEqual([]);
  });

  it('stops on cancel and leaves no file', async () => {
    const out = path.join(dir, 'cancelled.xlsx');
    const ac = new AbortController();
    const p = writeEvidenceWorkbook({ db, now }, options(out, { signal: ac.signal, onProgress: (x) => x.sheet === 'Grants' && x.rows >= 1000 && ac.abort(new Error('cancelled by the operator')) }));
    await expect(p).rejects.toThrow(/cancelled by the operator/);
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('cancelled.xlsx'))).toEqual([]);
  });
});
