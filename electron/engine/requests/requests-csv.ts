// Requests imported from CSV: one request per row, all rows or none. Every
// row is checked exactly as a request filed in the console (role, duration,
// beneficiary in the snapshot, contractor end date, duplicates), and each bad
// row is reported with its row number (as a spreadsheet numbers it: the
// header is row 1) and what is wrong; with any bad row nothing is written.
//
// The columns (header row, any order, case-insensitive, with aliases) are
// REQUEST_IMPORT_COLUMNS in shared/import-columns.ts: the console's help and
// the downloadable template come from the same list.
import type { CsvImportResult } from '../../../shared/contract-requests.js';
import { REQUEST_IMPORT_COLUMNS } from '../../../shared/import-columns.js';
import { UserError, type EngineContext } from '../context.js';
import { parseCsv } from '../csv.js';
import { parseDuration } from './duration-text.js';
import { addressIndex } from '../directory/people-lookup.js';
import { createRequest } from './requests.js';

type Column = (typeof REQUEST_IMPORT_COLUMNS)[number]['name'];
const NAMES = REQUEST_IMPORT_COLUMNS.map((c) => c.name);
const REQUIRED: readonly Column[] = REQUEST_IMPORT_COLUMNS.filter((c) => c.required === true).map((c) => c.name);
const aliasesOf = (c: (typeof REQUEST_IMPORT_COLUMNS)[number]): readonly string[] => [c.name, ...('aliases' in c ? c.aliases : [])];

const MAX_ROWS = 5000;

/** Thrown out of the import's transaction to undo the rows already written when a later row is bad. */
class RollbackSignal extends Error {}

/** Imports every row or none; returns the new request ids, or the errors of every bad row. `requester`: for rows naming none (else the operator). */
export function importRequestsCsv(ctx: EngineContext, csv: string, opts: { requester?: string } = {}): CsvImportResult {
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: requests cannot be imported here', 'read-only');
  // Numbered before blank rows are dropped, so each keeps the number the spreadsheet shows (the header is row 1).
  const numbered = parseCsv(csv)
    .map((cells, i) => ({ cells, row: i + 1 }))
    .filter((r) => r.cells.some((f) => f.trim() !== ''));
  const header = numbered.shift();
  if (!header) throw new UserError(`the CSV is empty: row 1 should be the header (${NAMES.join(', ')})`, 'bad-input');
  const rows = numbered;
  const names = header.cells.map((h) => h.trim().toLowerCase());
  const col: Partial<Record<Column, number>> = {};
  for (const c of REQUEST_IMPORT_COLUMNS) {
    const at = names.findIndex((n) => aliasesOf(c).includes(n));
    if (at !== -1) col[c.name] = at;
  }
  const missing = REQUIRED.filter((k) => col[k] === undefined);
  if (missing.length > 0) {
    throw new UserError(
      `row ${header.row} (the header) has no ${missing.join(', ')} column${missing.length === 1 ? '' : 's'} (found: ${header.cells.join(', ')}; expected: ${NAMES.join(', ')})`,
      'bad-input',
    );
  }
  // A misspelt optional column ("requestor") would otherwise be dropped without a word, and its rows filed in the operator's name.
  const known = new Set(REQUEST_IMPORT_COLUMNS.flatMap(aliasesOf));
  const unknown = names.filter((n) => n !== '' && !known.has(n));
  if (unknown.length > 0) {
    throw new UserError(
      `row ${header.row} (the header) has unknown column${unknown.length === 1 ? '' : 's'} ${unknown.map((u) => `"${u}"`).join(', ')} (expected: ${NAMES.join(', ')})`,
      'bad-input',
    );
  }
  if (rows.length === 0) throw new UserError('the CSV has a header but no rows', 'bad-input');
  if (rows.length > MAX_ROWS) throw new UserError(`the CSV has ${rows.length} rows; import at most ${MAX_ROWS} at a time`, 'bad-input');

  const errors: CsvImportResult['errors'] = [];
  const created: number[] = [];
  const seen = new Map<string, number>();
  const lookup = addressIndex(ctx.db);
  const cell = (r: string[], k: Column): string => {
    const at = col[k];
    return at === undefined ? '' : (r[at] ?? '').trim();
  };
  const rollback = new RollbackSignal();
  try {
    ctx.db
      .transaction(() => {
        for (const { cells: r, row: line } of rows) {
          try {
            const app = cell(r, 'app');
            const roleName = cell(r, 'role');
            if (roleName === '') throw new UserError('the role is empty', 'bad-input');
            const role = app === '' ? roleName : `${app} / ${roleName}`;
            const who = cell(r, 'beneficiary');
            if (who === '') throw new UserError('the beneficiary e-mail is empty', 'bad-input');
            const dupKey = `${who.toLowerCase()}\u0000${role.toLowerCase()}`;
            const first = seen.get(dupKey);
            if (first !== undefined) throw new UserError(`the same person and role as row ${first}`, 'conflict');
            seen.set(dupKey, line);
            const { duration, minutes } = parseDuration(cell(r, 'duration'));
            const ends = cell(r, 'ends');
            const requester = cell(r, 'requester');
            const row = createRequest(
              ctx,
              { beneficiary: { email: who }, role, duration, minutes, endsAt: ends === '' ? null : ends, justification: cell(r, 'justification') },
              { source: 'csv', requester: requester === '' ? opts.requester : requester, lookup, quiet: true },
            );
            created.push(row.id);
          } catch (e) {
            if (!(e instanceof UserError)) throw e;
            errors.push({ row: line, message: e.message });
          }
        }
        if (errors.length > 0) throw rollback;
      })
      .immediate();
  } catch (e) {
    if (e !== rollback) throw e;
    return { created: [], errors };
  }
  ctx.events.emit('governance:changed', { area: 'requests', ids: created });
  return { created, errors: [] };
}
