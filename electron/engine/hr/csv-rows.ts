// An HR system's CSV export read into HR values, one per data row, with
// every problem named by its row (the header is row 1) and column. Nothing
// here touches the database: the import checks managers against the
// workspace and writes (import.ts).
import type { HrField, HrImportError, HrPreset } from '../../../shared/contract-hr.js';
import { parseCsv } from '../csv.js';
import { UserError } from '../context.js';
import { cell, looksLikeEmail, parseHrDate, parseStatus, recordKeyOf, STATUS_WORD_LIST, type HrValues } from './hr-values.js';
import { resolveColumns } from './presets.js';

export const MAX_HR_ROWS = 200_000;

export type CsvRecordRow = { row: number; key: string; values: HrValues };

/** The header cell a field was read from (for messages). */
type ColumnNames = Partial<Record<HrField, string>>;

export function readHrCsv(
  text: string,
  preset: HrPreset,
  map: Readonly<Record<string, HrField | '-'>>,
): { rows: CsvRecordRow[]; count: number; errors: HrImportError[] } {
  const table = parseCsv(text);
  while (table.length > 0 && (table[table.length - 1] as string[]).every((c) => c.trim() === '')) table.pop();
  const header = table[0];
  if (!header) throw new UserError('the CSV is empty (no header row)', 'bad-input');
  if (table.length - 1 > MAX_HR_ROWS) throw new UserError(`the CSV has ${table.length - 1} rows; at most ${MAX_HR_ROWS} are read in one import`, 'bad-input');
  const { fields, errors } = resolveColumns(header, preset, map);
  const count = table.length - 1;
  if (errors.length > 0) return { rows: [], count, errors };

  const names: ColumnNames = {};
  fields.forEach((f, i) => {
    if (f !== null) names[f] = (header[i] as string).trim();
  });
  const rows: CsvRecordRow[] = [];
  const firstRowOfKey = new Map<string, number>();
  for (let r = 1; r < table.length; r++) {
    const line = table[r] as string[];
    const row = r + 1;
    if (line.every((c) => c.trim() === '')) continue;
    const raw: Partial<Record<HrField, string | null>> = {};
    fields.forEach((f, i) => {
      if (f !== null) raw[f] = cell(line[i]);
    });
    const bad = (field: HrField | null, message: string): void => {
      const column = field === null ? null : (names[field] ?? field);
      errors.push({ row, column, message: `row ${row}${column ? `, column "${column}"` : ''}: ${message}` });
    };
    const before = errors.length;
    if (line.length > header.length && line.slice(header.length).some((c) => c.trim() !== '')) bad(null, `${line.length} cells for ${header.length} columns`);
    const employeeId = raw.employee_id ?? null;
    const email = raw.email?.toLowerCase() ?? null;
    if (!employeeId && !email) bad(names.employee_id ? 'employee_id' : 'email', 'no employee id and no e-mail: the row names nobody');
    if (email && !looksLikeEmail(email)) bad('email', `"${email}" is not an e-mail address`);
    const managerEmail = raw.manager_email?.toLowerCase() ?? null;
    if (managerEmail && !looksLikeEmail(managerEmail)) bad('manager_email', `"${managerEmail}" is not an e-mail address`);
    const date = (field: 'start_date' | 'end_date', required: boolean): string | null => {
      const v = raw[field];
      if (!v) {
        if (required) bad(field, `missing ${field === 'start_date' ? 'start date' : 'end date'} (the date the employment takes effect)`);
        return null;
      }
      const d = parseHrDate(v);
      if (d === null) bad(field, `"${v}" is not a date (YYYY-MM-DD or MM/DD/YYYY)`);
      return d;
    };
    const startDate = date('start_date', true);
    const endDate = date('end_date', false);
    if (startDate && endDate && endDate < startDate) bad('end_date', `the end date ${endDate} is before the start date ${startDate}`);
    let status = raw.status ? parseStatus(raw.status) : endDate ? 'terminated' : 'active';
    if (status === undefined) {
      bad('status', `unknown status "${raw.status ?? ''}" (one of: ${STATUS_WORD_LIST.join(', ')})`);
      status = 'active';
    }
    const name = raw.name ?? ([raw.first_name, raw.last_name].filter(Boolean).join(' ') || null);
    const key = recordKeyOf(employeeId, email);
    if (key !== null) {
      const first = firstRowOfKey.get(key);
      if (first !== undefined) bad(employeeId ? 'employee_id' : 'email', `the same person as row ${first} (${key.replace(/^(id|email):/, '')}): one row per person`);
      else firstRowOfKey.set(key, row);
    }
    if (errors.length > before || key === null) continue;
    rows.push({
      row,
      key,
      values: {
        employeeId,
        email,
        name,
        department: raw.department ?? null,
        title: raw.title ?? null,
        location: raw.location ?? null,
        employmentType: raw.employment_type ?? null,
        managerEmail,
        managerEmployeeId: raw.manager_employee_id ?? null,
        startDate,
        endDate,
        status,
      },
    });
  }
  return { rows, count, errors };
}
