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
import { DURATION_MINUTES, type DurationOption } from '../../../shared/governance.js';
import { UserError, type EngineContext } from '../context.js';
import { addressIndex } from './people-lookup.js';
import { createRequest } from './requests.js';

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; a BOM and CRLF are fine. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new UserError('the CSV ends inside a quoted field (a " is not closed)', 'bad-input');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const FIXED: readonly Exclude<DurationOption, 'permanent' | 'custom'>[] = ['1h', '6h', '24h', '7d', '30d'];

/**
 * A duration as people write it: an option name ("24h", "permanent"), or a
 * length ("90m", "2 h", "10d", "45 min"); a length equal to an option is that
 * option, anything else is 'custom' with its minutes.
 */
export function parseDuration(text: string): { duration: DurationOption; minutes: number | null } {
  const t = text.trim().toLowerCase();
  if (t === 'permanent') return { duration: 'permanent', minutes: null };
  const m = /^(\d{1,7})\s*(m|min|mins|minutes?|h|hours?|d|days?)$/.exec(t);
  if (!m) throw new UserError(`duration "${text.trim()}" is not one of permanent, 1h, 6h, 24h, 7d, 30d, or a length like 90m, 2h, 10d`, 'bad-input');
  const n = Number(m[1]);
  const unit = (m[2] as string)[0];
  const minutes = unit === 'm' ? n : unit === 'h' ? n * 60 : n * 1440;
  if (minutes <= 0) throw new UserError(`duration "${text.trim()}" is not a positive length`, 'bad-input');
  const fixed = FIXED.find((f) => DURATION_MINUTES[f] === minutes);
  return fixed ? { duration: fixed, minutes: null } : { duration: 'custom', minutes };
}

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
