// The reviewer workbook end to end on a real workspace file: exported with
// exceljs's streaming writer, read by an independent reader (Debian's
// python3 + openpyxl: the Keep/Revoke and reason lists, the columns shown,
// the instructions), tampered with openpyxl, and imported back —
// all rows or none, each refusal naming its row.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { exportReviewerWorkbook, exportReviewerWorkbookToFile, importReviewerWorkbook, SHEET_COLUMNS, WORKBOOK_HEADER } from '../../electron/engine/reviews/workbook.js';
import { insertCampaign, insertItems } from '../helpers/review-items-fixture.js';
import { tempDir } from '../helpers/tmp.js';
import { buildWorld, type RequestsWorld } from '../unit/request-fixture.js';

const PY = '/usr/bin/python3';
const ADA = 'ada@acme.example';
const OWEN = 'owen@acme.example';

/** Runs a python snippet with openpyxl on a file; returns its JSON output. */
function py<T>(script: string, ...args: string[]): T {
  const r = spawnSync(PY, ['-c', `import sys, json, openpyxl\n${script}`, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`python failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Edits cells with openpyxl and saves the result as another file: [[row, header, value], ...]. */
function tamper(src: string, dst: string, edits: [number, string, string | number | null][], extra = ''): void {
  py(
    `wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Review']
head = [c.value for c in ws[1]]
for r, h, v in json.loads(sys.argv[3]):
    ws.cell(row=r, column=head.index(h) + 1, value=v)
${extra}
wb.save(sys.argv[2])
print('{}')`,
    src,
    dst,
    JSON.stringify(edits),
  );
}

function columnLetter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

const dir = tempDir('latchkey-workbook-');
let w: RequestsWorld;
let campaign: number;
let adaItems: number[];
let file: string;
beforeEach(async () => {
  w = buildWorld();
  w.clock.set(new Date('2026-03-10T09:00:00.000Z'));
  campaign = insertCampaign(w.ctx.db, { name: 'Q1 Figma', dueAt: '2026-03-20T00:00:00.000Z' });
  adaItems = insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: ADA, recommendation: 'revoke' }, { reviewer: ADA }, { reviewer: ADA, values: { department: '  Sales  ', title: '=1+1' } }]);
  insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: OWEN }], 10);
  file = path.join(dir, `ada-${campaign}-${Math.random().toString(36).slice(2)}.xlsx`);
  await exportReviewerWorkbookToFile(w.ctx, campaign, ADA, file);
});
afterEach(() => w.ws.cleanup());

const importFile = (f: string, opts = {}) => importReviewerWorkbook(w.ctx, campaign, { path: f }, opts);

describe('exporting a reviewer workbook', () => {
  it('writes the reviewer\'s items with the columns a reviewer decides on, Keep/Revoke and reason lists and instructions, as an independent reader sees it', () => {
    const seen = py<{ sheets: string[]; header: string[]; rows: unknown[][]; dv: [string, string][]; frozen: string | null; info: Record<string, unknown> }>(
      `wb = openpyxl.load_workbook(sys.argv[1])
ws = wb['Review']
rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
dv = [(str(d.sqref), d.formula1) for d in ws.data_validations.dataValidation]
info = {r[0].value: r[1].value for r in wb['Instructions'].iter_rows() if r[0].value}
print(json.dumps({'sheets': wb.sheetnames, 'header': [c.value for c in ws[1]], 'rows': rows, 'dv': dv, 'frozen': ws.freeze_panes, 'info': info}, default=str))`,
      file,
    );
    expect(seen.sheets).toEqual(['Review', 'Instructions']);
    expect(seen.header).toEqual([...WORKBOOK_HEADER]);
    // Who, what and how it was granted; not the internal ids (identity, group, role, grant) nor the row hash.
    expect(seen.header).toEqual(expect.arrayContaining(['person_name', 'person_email', 'department', 'title', 'manager_name', 'app_label', 'role_label', 'group_name', 'last_login', 'held_via', 'Decision', 'Reason', 'Comment']));
    for (const internal of ['identity_id', 'group_id', 'role_id', 'grant_id', 'row_hash']) expect(seen.header).not.toContain(internal);
    expect(seen.frozen).toBe('B2');
    expect(seen.rows).toHaveLength(3);
    expect(seen.rows.map((r) => r[0]).sort()).toEqual([...adaItems].sort());
    const dec = columnLetter(WORKBOOK_HEADER.indexOf('Decision') + 1);
    expect(seen.dv).toContainEqual([`${dec}2:${dec}4`, '"Keep,Revoke"']);
    expect(seen.dv.some(([, f]) => f === '"still-needed,temporary,covered-elsewhere,left-team,unrecognised"')).toBe(true);
    // Population values as text, exactly as frozen (spaces kept, a formula-looking title stays text).
    const third = seen.rows.find((r) => r[0] === adaItems[2]) as unknown[];
    expect(third[1 + SHEET_COLUMNS.indexOf('department')]).toBe('  Sales  ');
    expect(third[1 + SHEET_COLUMNS.indexOf('title')]).toBe('=1+1');
    expect(third[1 + SHEET_COLUMNS.indexOf('connection_id')]).toBe(String(w.okta));
    expect(seen.info).toMatchObject({ 'Latchkey reviewer workbook': null, Campaign: campaign, Reviewer: ADA, Stage: 1, Items: 3 });
  });

  it('gives the same bytes as base64 for the console, with their SHA-256', async () => {
    const e = await exportReviewerWorkbook(w.ctx, campaign, 'ADA@acme.example');
    expect(e.rows).toBe(3);
    expect(e.filename).toBe(`latchkey-review-${campaign}-Q1-Figma-ada_acme.example.xlsx`);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(Buffer.from(e.contentBase64, 'base64')).digest('hex')).toBe(e.sha256);
  });

  it('refuses a reviewer with no items, and a campaign not under review', async () => {
    await expect(exportReviewerWorkbook(w.ctx, campaign, 'nina@acme.example')).rejects.toThrow(/nina@acme\.example has no items in stage 1 of review campaign/);
    w.ctx.db.prepare("UPDATE review_campaigns SET status = 'complete', closed_at = '2026-03-09T00:00:00.000Z' WHERE id = ?").run(campaign);
    await expect(exportReviewerWorkbookToFile(w.ctx, campaign, ADA, path.join(dir, 'x.xlsx'))).rejects.toThrow(/is complete \(closed 2026-03-09/);
    expect(fs.existsSync(path.join(dir, 'x.xlsx'))).toBe(false);
  });
});

describe('importing a reviewer workbook', () => {
  const out = (name: string) => path.join(dir, `${name}-${Math.random().toString(36).slice(2)}.xlsx`);

  it('records a workbook with decisions, a left-out row and blank rows: channel workbook, the reviewer, the file\'s SHA-256 as evidence', async () => {
    const f = out('decided');
    tamper(file, f, [
      [2, 'Decision', 'Keep'],
      [2, 'Reason', 'still-needed'],
      [3, 'Decision', 'revoke'],
    ], 'ws.delete_rows(4)');
    const r = await importFile(f);
    const { createHash } = await import('node:crypto');
    const sha = createHash('sha256').update(fs.readFileSync(f)).digest('hex');
    expect(r).toMatchObject({ reviewer: ADA, decisions: 2, sha256: sha });
    const rows = w.ctx.db.prepare('SELECT item_id, decision, reason_code, state, channel, decided_by FROM review_decisions ORDER BY item_id').all();
    expect(rows).toEqual([
      { item_id: adaItems[0], decision: 'keep', reason_code: 'still-needed', state: 'submitted', channel: 'workbook', decided_by: ADA },
      { item_id: adaItems[1], decision: 'revoke', reason_code: null, state: 'submitted', channel: 'workbook', decided_by: ADA },
    ]);
    const sub = w.ctx.db.prepare('SELECT channel, items, evidence FROM review_submissions WHERE id = ?').get(r.submissionId);
    expect(sub).toEqual({ channel: 'workbook', items: 2, evidence: `sha256:${sha}` });
    // The same workbook again: recorded again (last word wins, history kept), never half.
    const logged = (): number => w.ctx.db.prepare("SELECT count(*) FROM review_decision_log WHERE channel = 'workbook'").pluck().get() as number;
    const once = logged();
    await importFile(f);
    expect(logged()).toBe(2 * once);
    expect(w.ctx.db.prepare('SELECT count(*) FROM review_submissions').pluck().get()).toBe(2);
  });

  it('refuses a changed population cell, naming the row, the item and the column', async () => {
    const f = out('tampered');
    tamper(file, f, [
      [2, 'Decision', 'Keep'],
      [3, 'department', 'Finance'],
    ]);
    const item = py<number[]>("ws = openpyxl.load_workbook(sys.argv[1])['Review']\nprint(json.dumps([ws.cell(row=3, column=1).value]))", f)[0];
    await expect(importFile(f)).rejects.toThrow(new RegExp(`row 3: item #${item}'s population columns were altered \\(department "Dept \\d" → "Finance"\\)`));
  });

  it('refuses an edit to each population column shown (one tamper per column)', async () => {
    // One python run writes a copy per column, each with that one cell changed.
    const base = out('col');
    py(
      `for col in json.loads(sys.argv[2]):
    wb = openpyxl.load_workbook(sys.argv[1])
    ws = wb['Review']
    head = [c.value for c in ws[1]]
    ws.cell(row=2, column=head.index('Decision') + 1, value='Keep')
    ws.cell(row=2, column=head.index(col) + 1, value='changed')
    wb.save(sys.argv[3] + '-' + col + '.xlsx')
print('{}')`,
      file,
      JSON.stringify(SHEET_COLUMNS),
      base,
    );
    for (const column of SHEET_COLUMNS) {
      await expect(importFile(`${base}-${column}.xlsx`), column).rejects.toThrow(new RegExp(`row 2: item #\\d+'s population columns were altered \\(${column} `));
    }
  });

  it('refuses a row whose item no longer matches its stored row hash in a column the sheet does not show (the hash covers every frozen column)', async () => {
    const f = out('rehash');
    tamper(file, f, [[2, 'Decision', 'Keep']]);
    const item = py<number[]>("ws = openpyxl.load_workbook(sys.argv[1])['Review']\nprint(json.dumps([ws.cell(row=2, column=1).value]))", f)[0];
    w.ctx.db.prepare("UPDATE review_items SET identity_id = 'u-other' WHERE id = ?").run(item);
    await expect(importFile(f)).rejects.toThrow(new RegExp(`row 2: item #${item}'s population columns were altered \\(the stored row hash no longer matches\\)`));
  });

  it('refuses a Decision other than Keep/Revoke and an unknown reason, naming rows; nothing is recorded', async () => {
    const f = out('bad-decision');
    tamper(file, f, [
      [2, 'Decision', 'Maybe'],
      [3, 'Decision', 'Keep'],
      [3, 'Reason', 'because'],
      [4, 'Reason', 'still-needed'],
    ]);
    const e = await importFile(f).then(() => 'imported', (x: Error) => x.message);
    expect(e).toMatch(/nothing was recorded \(3 rows refused\)/);
    expect(e).toMatch(/row 2: Decision "Maybe" is not Keep or Revoke/);
    expect(e).toMatch(/row 3: Reason "because" is not one of still-needed/);
    expect(e).toMatch(/row 4: a Reason or Comment without a Decision/);
    expect(w.ctx.db.prepare('SELECT count(*) FROM review_decisions').pluck().get()).toBe(0);
  });

  it('refuses unknown item ids, extra rows without an id and duplicated rows', async () => {
    const f = out('extra');
    tamper(file, f, [[2, 'Decision', 'Keep']], `ws.append([r.value for r in ws[2]])
ws.append([999999] + [c.value for c in ws[3]][1:])
ws.append([None, 'x'])`);
    const e = await importFile(f).then(() => 'imported', (x: Error) => x.message);
    expect(e).toMatch(/row 5: item #\d+ appears again \(first on row 2\)/);
    expect(e).toMatch(new RegExp(`row 6: item #999999 is not an item of review campaign #${campaign}`));
    expect(e).toMatch(/row 7: no item_id/);
  });

  it('refuses another reviewer\'s workbook, saying whose it is', async () => {
    const owenFile = out('owen');
    await exportReviewerWorkbookToFile(w.ctx, campaign, OWEN, owenFile);
    const f = out('owen-decided');
    tamper(owenFile, f, [[2, 'Decision', 'Revoke']]);
    await expect(importFile(f, { expectReviewer: ADA })).rejects.toThrow(`this workbook belongs to ${OWEN}, not ${ADA}`);
    // Claimed for Ada in its Instructions sheet: the rows say otherwise.
    const g = out('owen-as-ada');
    py(`wb = openpyxl.load_workbook(sys.argv[1])
for r in wb['Instructions'].iter_rows():
    if r[0].value == 'Reviewer': r[1].value = '${ADA}'
wb.save(sys.argv[2])
print('{}')`, f, g);
    await expect(importFile(g)).rejects.toThrow(new RegExp(`this workbook's items are ${OWEN}'s, not ${ADA}'s: the workbook belongs to another reviewer\\. .*row 2: item #\\d+ is reviewed by ${OWEN}, not ${ADA}`));
    // Reassigned after the export: that row is refused.
    w.ctx.db.prepare('UPDATE review_items SET reviewer = ? WHERE id = ?').run(OWEN, adaItems[1]);
    const h = out('reassigned');
    tamper(file, h, [[2, 'Decision', 'Keep']]);
    await expect(importFile(h)).rejects.toThrow(new RegExp(`item #${adaItems[1]} is reviewed by ${OWEN}, not ${ADA}`));
  });

  it('refuses a workbook that arrives after the stage closed, or of another campaign', async () => {
    const f = out('late');
    tamper(file, f, [[2, 'Decision', 'Keep']]);
    w.ctx.db.prepare("UPDATE review_campaigns SET stage = 2 WHERE id = ?").run(campaign);
    await expect(importFile(f)).rejects.toThrow(/exported for stage 1 of review campaign #\d+, which has closed \(the campaign is in stage 2\)/);
    w.ctx.db.prepare("UPDATE review_campaigns SET stage = 1, status = 'remediating', closed_at = '2026-03-20T00:00:00.000Z' WHERE id = ?").run(campaign);
    await expect(importFile(f)).rejects.toThrow(/is remediating \(closed 2026-03-20T00:00:00.000Z\): decisions are accepted through a workbook only while it is under review/);
    const other = insertCampaign(w.ctx.db, { dueAt: '2026-03-20T00:00:00.000Z' });
    await expect(importReviewerWorkbook(w.ctx, other, { path: f })).rejects.toThrow(`this workbook is of review campaign #${campaign}, not #${other}`);
  });

  it('says plainly when the file is not an .xlsx (text, old .xls, a zip without a Review sheet, a truncated file), and when nothing was decided', async () => {
    await expect(importReviewerWorkbook(w.ctx, campaign, Buffer.from('item_id,Decision\n1,Keep\n'))).rejects.toThrow('not an .xlsx workbook: an .xlsx file is a zip archive and this one is not');
    await expect(importReviewerWorkbook(w.ctx, campaign, Buffer.from('d0cf11e0a1b11ae1', 'hex'))).rejects.toThrow(/old-style \.xls/);
    await expect(importReviewerWorkbook(w.ctx, campaign, Buffer.alloc(0))).rejects.toThrow('not an .xlsx workbook: the file is empty');
    const bytes = fs.readFileSync(file);
    await expect(importReviewerWorkbook(w.ctx, campaign, bytes.subarray(0, Math.floor(bytes.length / 2)))).rejects.toThrow(/not a readable \.xlsx workbook|no Review sheet/);
    const empty = out('other');
    py("wb = openpyxl.Workbook()\nwb.active['A1'] = 'hello'\nwb.save(sys.argv[1])\nprint('{}')", empty);
    await expect(importFile(empty)).rejects.toThrow('not a Latchkey reviewer workbook: it has no Review sheet');
    await expect(importFile(file)).rejects.toThrow('the workbook has no decisions (every Decision cell is blank): nothing to record');
  });

  it('refuses a changed header', async () => {
    const f = out('header');
    tamper(file, f, [[1, 'department', 'dept']]);
    await expect(importFile(f)).rejects.toThrow(/the Review sheet's header was changed: column [A-Z]+ is "dept", expected "department"/);
  });
});

describe('a workbook another spreadsheet program saved again', () => {
  /** LibreOffice's own conversion of a file to .xlsx (headless, a private profile so parallel runs do not share one). */
  function libreOffice(src: string): string {
    const outDir = fs.mkdtempSync(path.join(dir, 'lo-'));
    const r = spawnSync('soffice', [`-env:UserInstallation=file://${outDir}/profile`, '--headless', '--convert-to', 'xlsx', '--outdir', outDir, src], { encoding: 'utf8', timeout: 120_000 });
    const made = path.join(outDir, path.basename(src));
    if (r.status !== 0 || !fs.existsSync(made)) throw new Error(`soffice failed (install libreoffice-calc-nogui): ${r.stderr || r.error?.message || ''}`);
    return made;
  }

  it('imports what openpyxl and LibreOffice wrote (shared strings, their cell types), with spaces, markup characters, a line break and non-Latin text unchanged', async () => {
    const tricky = insertItems(w.ctx.db, campaign, w.okta, [{ reviewer: ADA, values: { person_name: 'Zoë "Z" <Zed> & Söhne', department: 'R&D\nLab', title: ' 東京 ', manager_name: "O'Brien" } }], 20);
    const exported = path.join(dir, `tricky-${Math.random().toString(36).slice(2)}.xlsx`);
    await exportReviewerWorkbookToFile(w.ctx, campaign, ADA, exported);
    // LibreOffice re-saving the export as it is: every row reads back unchanged (only the missing decisions are reported).
    await expect(importFile(libreOffice(exported))).rejects.toThrow('the workbook has no decisions');
    // Decided in openpyxl (its writer: shared strings), then that file re-saved by LibreOffice.
    const decided = path.join(dir, `tricky-decided-${Math.random().toString(36).slice(2)}.xlsx`);
    tamper(exported, decided, [2, 3, 4, 5].map((r) => [r, 'Decision', r % 2 === 0 ? 'Keep' : 'Revoke'] as [number, string, string]).concat([[2, 'Reason', 'still-needed']]));
    const viaOpenpyxl = await importFile(decided);
    expect(viaOpenpyxl.decisions).toBe(4);
    const viaLibreOffice = await importFile(libreOffice(decided));
    expect(viaLibreOffice.decisions).toBe(4);
    const words = w.ctx.db.prepare('SELECT item_id, decision, submission_id FROM review_decisions ORDER BY item_id').all() as { item_id: number; decision: string; submission_id: number }[];
    expect(words.map((d) => d.item_id).sort((a, b) => a - b)).toEqual([...adaItems, ...tricky].sort((a, b) => a - b));
    expect(new Set(words.map((d) => d.submission_id))).toEqual(new Set([viaLibreOffice.submissionId]));
    // An edited cell is still caught in a LibreOffice file.
    const edited = path.join(dir, `tricky-edited-${Math.random().toString(36).slice(2)}.xlsx`);
    tamper(decided, edited, [[2, 'department', 'R&D Lab']]);
    await expect(importFile(libreOffice(edited))).rejects.toThrow(/row 2: item #\d+'s population columns were altered \(department /);
  });
});

describe('latchkey review workbook', () => {
  async function latchkey(...args: string[]): Promise<{ code: number | 'serving'; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets: memorySecretStore() });
    return { code, stdout, stderr };
  }

  it('exports to --out with --json (also on a read-only copy), refuses to overwrite, and imports with the row named on refusal', async () => {
    const ws = w.ws.file;
    const f = path.join(dir, `cli-${campaign}-${Math.random().toString(36).slice(2)}.xlsx`);
    const e = await latchkey('--db', ws, 'review', 'workbook', 'export', String(campaign), '--reviewer', ADA, '--out', f, '--json');
    expect(e.stderr).toBe('');
    expect(e.code).toBe(0);
    const json = JSON.parse(e.stdout) as { rows: number; sha256: string; file: string };
    expect(json).toMatchObject({ campaignId: campaign, reviewer: ADA, file: f, rows: 3 });
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(fs.readFileSync(f)).digest('hex')).toBe(json.sha256);
    expect((await latchkey('--db', ws, 'review', 'workbook', 'export', String(campaign), '--reviewer', ADA, '--out', f)).stderr).toMatch(/already exists \(add --force/);
    const ro = path.join(dir, `ro-${Math.random().toString(36).slice(2)}.xlsx`);
    expect((await latchkey('--db', ws, '--read-only', 'review', 'workbook', 'export', String(campaign), '--reviewer', ADA, '--out', ro)).code).toBe(0);
    expect((await latchkey('--db', ws, '--read-only', 'review', 'workbook', 'import', String(campaign), f)).stderr).toMatch(/refused on a workspace opened with --read-only/);
    const bad = path.join(dir, `cli-bad-${Math.random().toString(36).slice(2)}.xlsx`);
    tamper(f, bad, [[2, 'Decision', 'Perhaps']]);
    const i = await latchkey('--db', ws, 'review', 'workbook', 'import', String(campaign), bad, '--json');
    expect(i.code).toBe(1);
    expect(i.stderr).toMatch(/row 2: Decision "Perhaps" is not Keep or Revoke/);
    expect((await latchkey('--db', ws, 'review', 'workbook', 'export', String(campaign), '--out', f)).stderr).toMatch(/needs --reviewer EMAIL/);
  });
});
