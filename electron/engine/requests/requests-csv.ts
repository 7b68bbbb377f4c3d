// Requests imported from CSV: one request per row, all rows or none. Every
// row is checked exactly as a request filed in the console (role, duration,
// beneficiary in the snapshot, contractor end date, duplicates), and each bad
// row is reported with its line number and what is wrong; with any bad row
// nothing is written.
//
// Columns (header row, any order, case-insensitive; aliases in brackets):
//   beneficiary [email, beneficiary_email, for]   e-mail or login of the person
//   app                                            catalog app name
//   role                                           catalog role name (or "App / Role" with no app column)
//   duration                                       permanent, 1h, 6h, 24h, 7d, 30d, or a length like 90m / 2h / 10d
//   justification [why, reason]
//   requester [requested_by, requested by]         optional: defaults to the operator
//   ends [ends_at, end_date, end]                  optional end date (ISO 8601)
import type { CsvImportResult } from '../../../shared/contract-requests.js';
import { UserError, type EngineContext } from '../context.js';
import { parseCsv } from '../csv.js';
import { parseDuration } from './duration-text.js';
import { addressIndex } from '../directory/people-lookup.js';
import { createRequest } from './requests.js';

const COLUMNS: Record<string, readonly string[]> = {
  beneficiary: ['beneficiary', 'email', 'beneficiary_email', 'beneficiary email', 'for'],
  app: ['app', 'application'],
  role: ['role'],
  duration: ['duration'],
  justification: ['justification', 'why', 'reason'],
  requester: ['requester', 'requested_by', 'requested by'],
  ends: ['ends', 'ends_at', 'end_date', 'end date', 'end'],
};

const MAX_ROWS = 5000;

/** Thrown out of the import's transaction to undo the rows already written when a later row is bad. */
class RollbackSignal extends Error {}

/** Imports every row or none; returns the new request ids, or the errors of every bad row. `requester`: for rows naming none (else the operator). */
export function importRequestsCsv(ctx: EngineContext, csv: string, opts: { requester?: string } = {}): CsvImportResult {
  if (ctx.readOnly) throw new UserError('this snapshot was opened read-only: requests cannot be imported here', 'read-only');
  const rows = parseCsv(csv).filter((r) => r.some((f) => f.trim() !== ''));
  const header = rows.shift();
  if (!header) throw new UserError('the CSV is empty: expected a header row (beneficiary, app, role, duration, justification, requester)', 'bad-input');
  const names = header.map((h) => h.trim().toLowerCase());
  const col: Partial<Record<keyof typeof COLUMNS, number>> = {};
  for (const [key, aliases] of Object.entries(COLUMNS)) {
    const at = names.findIndex((n) => aliases.includes(n));
    if (at !== -1) col[key] = at;
  }
  const missing = ['beneficiary', 'role', 'duration', 'justification'].filter((k) => col[k] === undefined);
  if (missing.length > 0) throw new UserError(`the CSV header lacks ${missing.join(', ')} (found: ${header.join(', ')})`, 'bad-input');
  if (rows.length === 0) throw new UserError('the CSV has a header but no rows', 'bad-input');
  if (rows.length > MAX_ROWS) throw new UserError(`the CSV has ${rows.length} rows; import at most ${MAX_ROWS} at a time`, 'bad-input');

  const errors: CsvImportResult['errors'] = [];
  const created: number[] = [];
  const seen = new Map<string, number>();
  const lookup = addressIndex(ctx.db);
  const cell = (r: string[], k: keyof typeof COLUMNS): string => (col[k] === undefined ? '' : (r[col[k]] ?? '').trim());
  const rollback = new RollbackSignal();
  try {
    ctx.db
      .transaction(() => {
        rows.forEach((r, i) => {
          const line = i + 2; // the header is line 1
          try {
            const app = cell(r, 'app');
            const roleName = cell(r, 'role');
            if (roleName === '') throw new UserError('the role is empty', 'bad-input');
            const role = app === '' ? roleName : `${app} / ${roleName}`;
            const who = cell(r, 'beneficiary');
            if (who === '') throw new UserError('the beneficiary e-mail is empty', 'bad-input');
            const dupKey = `${who.toLowerCase()}\u0000${role.toLowerCase()}`;
            const first = seen.get(dupKey);
            if (first !== undefined) throw new UserError(`the same person and role as line ${first}`, 'conflict');
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
        });
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
