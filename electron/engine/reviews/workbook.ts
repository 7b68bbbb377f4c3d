// The reviewer workbook: a reviewer's items in the open stage as .xlsx
// (exceljs's streaming writer, so 50,000 rows never sit in memory as a
// workbook), and its import back (the streaming reader), all rows or none.
//
// Sheet "Review": item_id, the frozen population columns a reviewer decides
// on (SHEET_COLUMNS, as text), the recommendation and its reasons, what was
// already decided in Latchkey, then Decision (a list: Keep / Revoke), Reason
// (a list of reason codes) and Comment. The other frozen columns (internal
// ids, dates of record) stay in Latchkey: fewer cells is most of what makes
// 50,000 rows fast to write and read.
// Sheet "Instructions": how to fill it in, and which campaign, stage and
// reviewer it is for.
//
// Import refuses the whole file, naming each row, when a row's item id is
// unknown in the campaign, belongs to another reviewer or stage, has had a
// population cell changed (the row hash recomputed from the row's cells for
// the columns shown and the stored values of the rest differs from the
// item's stored one; the changed columns are named), has a
// Decision other than Keep/Revoke or a Reason not in the list, or repeats an
// item; or when the stage closed, the file is not an .xlsx, or it is another
// campaign's. Rows left out or left blank stay undecided. What it accepts is
// recorded in one go through recordReviewerDecisions with channel
// 'workbook' and the file's SHA-256.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { PassThrough, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import ExcelJS from 'exceljs';
import { REASON_CODES, type WorkbookImportResult } from '../../../shared/contract-reviews.js';
import { UserError, type EngineContext } from '../context.js';
import { campaignRecord, type CampaignRecord } from './campaign-store.js';
import { recordReviewerDecisions, type RecordedDecision } from './decisions.js';
import { decodeReasons } from './reason-codes.js';
import { cellOf, cellsRowHasher, type FrozenColumn } from './row-hash.js';
import { itemChecksByIds, itemsByIds, reviewerItemIds, reviewerRowsInOrder, type ItemToCheck } from './reviewer-items.js';
import { workbookRows } from '../xlsx-rows.js';

export const WORKBOOK_TITLE = 'Latchkey reviewer workbook';
export const REVIEW_SHEET = 'Review';
/**
 * The frozen columns the Review sheet shows: who (person, e-mail, department,
 * title, manager, account status, last sign-in), what (app, role, risk,
 * group, connection) and how it was granted (directly or by rule, the
 * request, its Jira issue, its end date). What an IT admin reviewer needs to
 * say keep or revoke; the rest of the frozen row is checked from Latchkey's
 * own copy.
 */
export const SHEET_COLUMNS: readonly FrozenColumn[] = [
  'person_name', 'person_email', 'department', 'title', 'manager_name', 'person_status', 'last_login',
  'app_label', 'role_label', 'risk', 'group_name', 'connection_id', 'held_via', 'request_id', 'jira_key', 'expires_at',
];
const TAIL = ['recommendation', 'reasons', 'decided_in_latchkey', 'Decision', 'Reason', 'Comment'] as const;
/** The Review sheet's header row, exactly. */
export const WORKBOOK_HEADER: readonly string[] = ['item_id', ...SHEET_COLUMNS, ...TAIL];
const col = (name: string): number => WORKBOOK_HEADER.indexOf(name) + 1;
const DECISION_COL = col('Decision');
const REASON_COL = col('Reason');
const COMMENT_COL = col('Comment');
/** The row hash of an imported row, from its cells and the stored values of the columns the sheet does not show. */
const rowHasher = cellsRowHasher(SHEET_COLUMNS);
/** How many refused rows an error lists before "and N more". */
const LISTED_PROBLEMS = 20;

const WIDTHS: Partial<Record<string, number>> = { item_id: 9, person_name: 24, person_email: 28, group_name: 26, role_label: 22, app_label: 16, reasons: 40, Decision: 11, Reason: 18, Comment: 40 };
/** Rows read and written per batch; between batches the export yields so the zip compresses what was written meanwhile. */
const BATCH = 1000;

function letter(n: number): string {
  let s = '';
  for (let k = n; k > 0; k = Math.floor((k - 1) / 26)) s = String.fromCharCode(65 + ((k - 1) % 26)) + s;
  return s;
}

const normEmail = (s: string): string => s.trim().toLowerCase();

/** The campaign, refused when it is not open for review. */
function openCampaign(ctx: EngineContext, campaignId: number, doing: string): CampaignRecord {
  const c = campaignRecord(ctx.db, campaignId);
  if (!c) throw new UserError(`there is no review campaign #${campaignId}`, 'not-found');
  if (c.status !== 'active') {
    const when = c.closed_at ? ` (closed ${c.closed_at})` : '';
    throw new UserError(`review campaign #${c.id} "${c.name}" is ${c.status}${when}: ${doing} only while it is under review`, 'conflict');
  }
  return c;
}

/** The reasons cell: each reason's text and code, from either stored form (reason-codes.ts). */
function reasonsText(stored: string): string {
  try {
    const list = decodeReasons(stored) as { code?: string; text?: string }[];
    return list.map((r) => `${r.text ?? ''} (${r.code ?? ''})`).join('; ');
  } catch {
    return '';
  }
}

/**
 * A population value's cell: none when empty; text with leading or trailing
 * spaces or a line break as an inline string marked xml:space="preserve"
 * (exceljs writes plain text as a formula-string value, whose spaces
 * LibreOffice drops on reading — the row would then look altered).
 */
function textCell(v: string): ExcelJS.CellValue {
  if (v === '') return undefined;
  return /^\s|\n|\s$/.test(v) ? { richText: [{ text: v }] } : v;
}

export type WorkbookWritten = { filename: string; rows: number; sha256: string; bytes: number };

/** Streams the reviewer's workbook into `out` (ended when done); returns its size and SHA-256. */
export async function writeReviewerWorkbook(ctx: EngineContext, campaignId: number, reviewerEmail: string, out: Writable): Promise<WorkbookWritten> {
  const c = openCampaign(ctx, campaignId, 'reviewer workbooks are exported');
  const reviewer = normEmail(reviewerEmail);
  const now = ctx.clock.now();
  // The order first (ids only: cheap), then the rows in batches: no statement stays open while the export yields.
  const ids = reviewerItemIds(ctx.db, c.id, reviewer, c.stage);
  if (ids.length === 0) {
    out.destroy();
    throw new UserError(`${reviewer} has no items in stage ${c.stage} of review campaign #${c.id} "${c.name}"`, 'not-found');
  }
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new PassThrough();
  tap.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  const piped = pipeline(tap, out);
  // Awaited at the end; marked handled now so a failed destination (a missing folder) is not an unhandled rejection meanwhile.
  piped.catch(() => undefined);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: tap, useStyles: false, useSharedStrings: false });
  wb.creator = 'Latchkey';
  wb.created = now;
  const ws = wb.addWorksheet(REVIEW_SHEET, { views: [{ state: 'frozen', ySplit: 1, xSplit: 1 }] });
  ws.columns = WORKBOOK_HEADER.map((h) => ({ header: h, key: h, width: WIDTHS[h] ?? 16, hidden: h === 'row_hash' }));
  // No cell styles (useStyles false): they more than double the writer's time at 50,000 rows; the frozen header, widths and the hidden hash column are sheet settings, not styles.
  ws.getRow(1).commit();
  const rows = ids.length;
  for (let from = 0; from < rows; from += BATCH) {
    for (const r of reviewerRowsInOrder(ctx.db, ids.slice(from, from + BATCH), SHEET_COLUMNS)) {
      const [id, recommendation, reasons, decision, state] = r as [number, string, string, string | null, string | null];
      // Every population value as text (what the row hash covers; Excel cannot reformat text into a date or a formula); an empty value is no cell at all.
      const cells: ExcelJS.CellValue[] = [id];
      for (let k = 5; k < r.length; k++) cells.push(textCell(cellOf(r[k] as string | number | null)));
      cells.push(recommendation, reasonsText(reasons) || undefined, decision ? `${decision} (${state ?? ''})` : undefined);
      ws.addRow(cells).commit();
    }
    // exceljs hands each row to the zip without waiting: a turn of the event loop lets it compress (on the thread pool) while the next batch is built.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  // One validation per column range (not per cell): Keep/Revoke, and the reason codes.
  const last = rows + 1;
  // The streaming sheet has them (written at its commit); exceljs's types only declare them on the in-memory one.
  const validations = (ws as unknown as { dataValidations: { add: (range: string, v: ExcelJS.DataValidation) => void } }).dataValidations;
  validations.add(`${letter(DECISION_COL)}2:${letter(DECISION_COL)}${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: ['"Keep,Revoke"'],
    showErrorMessage: true,
    errorTitle: 'Keep or Revoke',
    error: 'Choose Keep or Revoke (or leave it blank: undecided).',
  });
  validations.add(`${letter(REASON_COL)}2:${letter(REASON_COL)}${last}`, {
    type: 'list',
    allowBlank: true,
    formulae: [`"${REASON_CODES.join(',')}"`],
    showErrorMessage: true,
    errorTitle: 'Reason',
    error: `Choose one of: ${REASON_CODES.join(', ')}.`,
  });
  ws.commit();
  const info = wb.addWorksheet('Instructions');
  info.columns = [
    { key: 'a', width: 22 },
    { key: 'b', width: 100 },
  ];
  const lines: [string, string | number][] = [
    [WORKBOOK_TITLE, ''],
    ['Campaign', c.id],
    ['Campaign name', c.name],
    ['Stage', c.stage],
    ['Reviewer', reviewer],
    ['Due', c.stage_due_at ?? c.due_at ?? ''],
    ['Items', rows],
    ['Exported at', now.toISOString()],
    ['', ''],
    ['How to decide', 'On the Review sheet, set Decision to Keep or Revoke for each row you decide; leave it blank to leave the item undecided.'],
    ['Reason', `Pick a reason code: ${REASON_CODES.join(', ')}. A reason is required to keep an item recommended for revoke. Add free text in Comment.`],
    ['Do not change', 'item_id or the population columns (from person_name to expires_at): Latchkey checks each row against the hash of its frozen values, and a changed row refuses the whole import.'],
    ['Sending it back', 'Import it in Latchkey (latchkey review workbook import) or attach it to your review issue in Jira. All rows are recorded, or none.'],
  ];
  for (const [a, b] of lines) info.addRow([a, b]).commit();
  info.commit();
  await wb.commit();
  await piped;
  const safe = c.name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'review';
  const filename = `latchkey-review-${c.id}-${safe}-${reviewer.replace(/[^A-Za-z0-9._-]+/g, '_')}.xlsx`;
  return { filename, rows, sha256: hash.digest('hex'), bytes };
}

/** The reviewer's workbook of the open stage, in memory (the console's download, a Jira attachment). */
export async function reviewerWorkbookFile(ctx: EngineContext, campaignId: number, reviewer: string): Promise<{ filename: string; content: Buffer; rows: number; sha256: string }> {
  const chunks: Buffer[] = [];
  const sink = new PassThrough();
  sink.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    sink.on('end', resolve);
    sink.on('error', reject);
  });
  const w = await writeReviewerWorkbook(ctx, campaignId, reviewer, sink);
  await done;
  return { filename: w.filename, content: Buffer.concat(chunks), rows: w.rows, sha256: w.sha256 };
}

export async function exportReviewerWorkbook(ctx: EngineContext, campaignId: number, reviewer: string): Promise<{ filename: string; contentBase64: string; rows: number; sha256: string }> {
  const { content, ...w } = await reviewerWorkbookFile(ctx, campaignId, reviewer);
  return { ...w, contentBase64: content.toString('base64') };
}

/** The CLI's variant: straight to a file, never whole in memory; a failed export leaves no half file. */
export async function exportReviewerWorkbookToFile(ctx: EngineContext, campaignId: number, reviewer: string, file: string): Promise<WorkbookWritten & { path: string }> {
  const part = `${file}.part-${process.pid}`;
  try {
    const w = await writeReviewerWorkbook(ctx, campaignId, reviewer, fs.createWriteStream(part));
    fs.renameSync(part, file);
    return { ...w, path: file };
  } catch (e) {
    fs.rmSync(part, { force: true });
    throw e;
  }
}

// --- import ---------------------------------------------------------------------------------

/** What a file that is not an .xlsx looks like, for the error. */
function notXlsx(head: Buffer): string | null {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return null;
  if (head.length === 0) return 'the file is empty';
  if (head.length >= 4 && head.readUInt32BE(0) === 0xd0cf11e0) return 'it is an old-style .xls (or another OLE) file: open it in Excel and save it as .xlsx';
  if (head.subarray(0, 4).toString('latin1') === '%PDF') return 'it is a PDF';
  return 'an .xlsx file is a zip archive and this one is not';
}

type RowVerdict = { row: number; itemId: number; reviewer: string; stage: number; decision: RecordedDecision | null };

const DECISIONS: Readonly<Record<string, 'keep' | 'revoke'>> = { keep: 'keep', revoke: 'revoke' };

/** How a workbook attached to a Jira issue is recorded: channel 'jira', by the Jira account, evidence naming the issue and attachment (given the file's SHA-256). */
export type JiraRecording = { channel: 'jira'; by: string; evidence: (sha256: string) => string };

/**
 * Imports a reviewer workbook from its bytes or a file path: all rows or
 * none. `expectReviewer`, when given (the console's signed-in reviewer, the
 * reviewer whose Jira issue it was attached to), refuses another reviewer's
 * workbook by name. `record`: one that came through Jira (JiraRecording).
 */
export async function importReviewerWorkbook(ctx: EngineContext, campaignId: number, input: Buffer | { path: string }, opts: { expectReviewer?: string; record?: JiraRecording } = {}): Promise<WorkbookImportResult> {
  // The SHA-256 of exactly what was given, and a clear word when it is not an .xlsx at all.
  let sha256: string;
  let head: Buffer;
  if (Buffer.isBuffer(input)) {
    sha256 = createHash('sha256').update(input).digest('hex');
    head = input.subarray(0, 8);
  } else {
    const h = createHash('sha256');
    await pipeline(fs.createReadStream(input.path), h);
    sha256 = h.digest('hex');
    const fd = fs.openSync(input.path, 'r');
    head = Buffer.alloc(8);
    head = head.subarray(0, fs.readSync(fd, head, 0, 8, 0));
    fs.closeSync(fd);
  }
  const bad = notXlsx(head);
  if (bad) throw new UserError(`not an .xlsx workbook: ${bad}`, 'bad-input');
  const c = openCampaign(ctx, campaignId, 'decisions are accepted through a workbook');

  const problems: string[] = [];
  const verdicts: RowVerdict[] = [];
  const seen = new Map<number, number>();
  const meta = new Map<string, string>();
  /** Item reviewers met on rows, to say whose workbook it is when it is not the claimed reviewer's. */
  const owners = new Map<string, number>();
  let reviewSheet: number | null = null;
  const kinds = new Map<number, 'review' | 'info' | 'other'>();
  /** Review rows read but not yet checked: checked a batch at a time, with one read of their items. */
  let pending: { n: number; cells: string[] }[] = [];

  try {
    for await (const { sheet, n, cells } of workbookRows(input)) {
      const cell = (k: number): string => (cells[k - 1] ?? '').trim();
      let kind = kinds.get(sheet);
      if (kind === undefined) {
        const first = cell(1);
        kind = first === 'item_id' ? 'review' : first === WORKBOOK_TITLE ? 'info' : 'other';
        kinds.set(sheet, kind);
        if (kind === 'review') {
          if (reviewSheet !== null) throw new UserError('the workbook has two Review sheets (two sheets whose first cell is item_id)', 'bad-input');
          reviewSheet = sheet;
          for (let k = 0; k < WORKBOOK_HEADER.length; k++) {
            const got = cell(k + 1);
            if (got !== WORKBOOK_HEADER[k]) throw new UserError(`the Review sheet's header was changed: column ${letter(k + 1)} is "${got}", expected "${WORKBOOK_HEADER[k]}" (export a fresh workbook)`, 'bad-input');
          }
          continue;
        }
      }
      if (kind === 'info') {
        const key = cell(1);
        if (key !== '') meta.set(key, cell(2));
        continue;
      }
      if (kind !== 'review') continue;
      pending.push({ n, cells });
      if (pending.length >= BATCH) {
        checkRows(pending);
        pending = [];
      }
    }
    checkRows(pending);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`not a readable .xlsx workbook (${e instanceof Error ? e.message : String(e)})`, 'bad-input');
  }

  /** Checks a batch of Review rows against their items (read in one query: the checks' columns only). */
  function checkRows(rows: readonly { n: number; cells: string[] }[]): void {
    const parsed: { n: number; itemId: number; cells: string[]; decisionText: string; reasonText: string; comment: string }[] = [];
    for (const { n, cells } of rows) {
      const cell = (k: number): string => (cells[k - 1] ?? '').trim();
      const idText = cell(1);
      let any = idText !== '';
      // Population cells are taken untrimmed: a frozen value's own spaces are part of what the hash covers.
      for (let k = 1; !any && k <= SHEET_COLUMNS.length; k++) if ((cells[k] ?? '') !== '') any = true;
      const decisionText = cell(DECISION_COL);
      const reasonText = cell(REASON_COL);
      const comment = cell(COMMENT_COL);
      if (!any && decisionText === '' && reasonText === '' && comment === '') continue; // a blank row
      if (!/^\d{1,15}$/.test(idText) || Number(idText) <= 0) {
        problems.push(`row ${n}: ${idText === '' ? 'no item_id' : `item_id "${idText}" is not an item id`}`);
        continue;
      }
      const itemId = Number(idText);
      const first = seen.get(itemId);
      if (first !== undefined) {
        problems.push(`row ${n}: item #${itemId} appears again (first on row ${first})`);
        continue;
      }
      seen.set(itemId, n);
      parsed.push({ n, itemId, cells, decisionText, reasonText, comment });
    }
    const items = new Map<number, unknown[]>();
    for (const r of itemChecksByIds(
      ctx.db,
      c.id,
      parsed.map((p) => p.itemId),
      SHEET_COLUMNS,
      rowHasher.restColumns,
    ))
      items.set(r[0] as number, r);
    /** Rows whose recomputed hash differs: their problem's place in the list, filled in once their stored values are read. */
    const altered: { at: number; itemId: number; cells: string[] }[] = [];
    for (const { n, itemId, cells, decisionText, reasonText, comment } of parsed) {
      const item = items.get(itemId);
      if (!item) {
        problems.push(`row ${n}: item #${itemId} is not an item of review campaign #${c.id}`);
        continue;
      }
      const [, stage, reviewer, rowHash, emptyMask] = item as [number, number, string, string, number];
      owners.set(reviewer, (owners.get(reviewer) ?? 0) + 1);
      // The row hash recomputed from the row's cells (the columns shown) and the stored values of the rest.
      if (rowHasher.hash(cells, 1, emptyMask, item, 5) !== rowHash) {
        altered.push({ at: problems.length, itemId, cells });
        problems.push(`row ${n}: item #${itemId}'s population columns were altered`);
      }
      let decision: RecordedDecision | null = null;
      if (decisionText !== '') {
        const d = DECISIONS[decisionText.toLowerCase()];
        const reason = reasonText === '' ? null : (REASON_CODES.find((r) => r === reasonText.toLowerCase()) ?? undefined);
        if (!d) problems.push(`row ${n}: Decision "${decisionText}" is not Keep or Revoke`);
        if (reason === undefined) problems.push(`row ${n}: Reason "${reasonText}" is not one of ${REASON_CODES.join(', ')}`);
        if (comment.length > 4000) problems.push(`row ${n}: the Comment is longer than 4000 characters`);
        if (d && reason !== undefined) decision = { itemId, decision: d, reasonCode: reason, comment };
      } else if (reasonText !== '' || comment !== '') {
        problems.push(`row ${n}: a Reason or Comment without a Decision (set Keep or Revoke, or clear the row's Reason and Comment)`);
      }
      verdicts.push({ row: n, itemId, reviewer, stage, decision });
    }
    if (altered.length > 0) {
      // Only for refused rows: every stored frozen value, to name the columns that changed.
      const stored = itemsByIds(
        ctx.db,
        c.id,
        altered.map((a) => a.itemId),
      );
      for (const a of altered) {
        const item = stored.get(a.itemId);
        if (item) problems[a.at] = `${problems[a.at] ?? ''} (${changedColumns(item, a.cells)}); they must stay as exported`;
      }
    }
  }

  if (reviewSheet === null) throw new UserError('not a Latchkey reviewer workbook: it has no Review sheet (a sheet whose first cell is item_id)', 'bad-input');
  const wbCampaign = meta.get('Campaign');
  if (wbCampaign !== undefined && wbCampaign !== String(c.id)) throw new UserError(`this workbook is of review campaign #${wbCampaign}, not #${c.id}`, 'bad-input');
  const claimed = normEmail(meta.get('Reviewer') ?? '');
  if (claimed === '') throw new UserError('the workbook does not say whose it is (its Instructions sheet has no Reviewer): export a fresh workbook', 'bad-input');
  if (opts.expectReviewer !== undefined && normEmail(opts.expectReviewer) !== claimed) throw new UserError(`this workbook belongs to ${claimed}, not ${normEmail(opts.expectReviewer)}: nothing was recorded`, 'bad-input');
  const wbStage = Number(meta.get('Stage') ?? c.stage);
  if (wbStage !== c.stage) throw new UserError(`this workbook was exported for stage ${wbStage} of review campaign #${c.id}, which has closed (the campaign is in stage ${c.stage}): nothing was recorded`, 'conflict');

  // Rows of another reviewer or stage, named; and, when none is the claimed reviewer's, whose workbook it really is.
  for (const v of verdicts) {
    if (v.reviewer !== claimed) problems.push(`row ${v.row}: item #${v.itemId} is reviewed by ${v.reviewer}, not ${claimed}`);
    else if (v.stage !== c.stage) problems.push(`row ${v.row}: item #${v.itemId} is in stage ${v.stage}; stage ${c.stage} is the one open`);
  }
  if (problems.length > 0) {
    const others = [...owners.keys()].filter((r) => r !== claimed);
    const lead = !owners.has(claimed) && others.length === 1 ? `this workbook's items are ${others[0]}'s, not ${claimed}'s: the workbook belongs to another reviewer. ` : '';
    const listed = problems.slice(0, LISTED_PROBLEMS).join('; ');
    const more = problems.length > LISTED_PROBLEMS ? `; and ${problems.length - LISTED_PROBLEMS} more` : '';
    throw new UserError(`${lead}the workbook was refused, nothing was recorded (${problems.length} row${problems.length === 1 ? '' : 's'} refused): ${listed}${more}`, 'bad-input');
  }
  const decisions = verdicts.flatMap((v) => (v.decision ? [v.decision] : []));
  if (decisions.length === 0) throw new UserError('the workbook has no decisions (every Decision cell is blank): nothing to record', 'bad-input');
  const via = opts.record ? { channel: opts.record.channel, by: opts.record.by, evidence: opts.record.evidence(sha256) } : { channel: 'workbook' as const, by: claimed, evidence: `sha256:${sha256}` };
  const submission = recordReviewerDecisions(ctx, { campaignId: c.id, reviewer: claimed, decisions, ...via });
  return { reviewer: claimed, decisions: decisions.length, sha256, submissionId: submission.id };
}

/** The population columns whose cell (`cells[1]` is the first of SHEET_COLUMNS) differs from the frozen value (named for the error). */
function changedColumns(item: ItemToCheck, cells: readonly string[]): string {
  const changed = SHEET_COLUMNS.flatMap((k, at) => (cellOf(item[k]) !== (cells[at + 1] ?? '') ? [{ k, cell: cells[at + 1] ?? '' }] : []));
  if (changed.length === 0) return 'the stored row hash no longer matches';
  return changed.map(({ k, cell }) => `${k} "${cellOf(item[k])}" → "${cell}"`).join(', ');
}
