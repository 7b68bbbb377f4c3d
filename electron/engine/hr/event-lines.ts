// HR events as JSON lines, in the common webhook form:
//   {"event_id":"evt_1","type":"employee.terminated","timestamp":"2026-12-07T09:00:00Z",
//    "effective_date":"2026-12-04","employee":{"employee_id":"100234","email":"a@x.example",
//    "name":"…","department":"…","title":"…","location":"…","employment_type":"…",
//    "manager_email":"…"}}
// (`id` for event_id, `occurred_at` for timestamp, `effectiveDate`, `data` for
// employee, camelCase attribute names and a top-level manager_email are read
// too). Every problem is named by its line number and key; nothing here
// touches the database.
import type { HrEventType, HrImportError } from '../../../shared/contract-hr.js';
import { UserError } from '../context.js';
import { looksLikeEmail, parseHrDate, parseTimestamp, recordKeyOf, type HrAttributes } from './hr-values.js';

export const MAX_EVENT_LINES = 200_000;
const TYPES: readonly HrEventType[] = ['employee.hired', 'employee.updated', 'employee.terminated'];

export type EventLine = {
  line: number;
  eventId: string;
  type: HrEventType;
  occurredAt: string;
  effectiveDate: string;
  employeeId: string | null;
  email: string | null;
  managerEmail: string | null;
  attributes: HrAttributes;
  /** The key from the event alone (employee id, else e-mail); the import may file it under an existing record's key. */
  key: string;
};

/** Attribute keys an event's employee object may carry, and the field each fills. */
const ATTRIBUTE_KEYS: Readonly<Record<string, keyof HrAttributes | 'first_name' | 'last_name'>> = {
  employee_id: 'employeeId',
  employeeId: 'employeeId',
  email: 'email',
  work_email: 'email',
  workEmail: 'email',
  name: 'name',
  display_name: 'name',
  displayName: 'name',
  first_name: 'first_name',
  firstName: 'first_name',
  last_name: 'last_name',
  lastName: 'last_name',
  department: 'department',
  title: 'title',
  job_title: 'title',
  jobTitle: 'title',
  location: 'location',
  employment_type: 'employmentType',
  employmentType: 'employmentType',
  manager_email: 'managerEmail',
  managerEmail: 'managerEmail',
  manager_employee_id: 'managerEmployeeId',
  managerEmployeeId: 'managerEmployeeId',
};
const TOP_KEYS = new Set(['id', 'event_id', 'eventId', 'type', 'event', 'timestamp', 'occurred_at', 'occurredAt', 'effective_date', 'effectiveDate', 'employee', 'data', 'manager_email', 'managerEmail']);

const pick = (o: Record<string, unknown>, ...keys: string[]): unknown => {
  for (const k of keys) if (o[k] !== undefined) return o[k];
  return undefined;
};

export function readEventLines(text: string): { events: EventLine[]; count: number; duplicatesInFile: number; errors: HrImportError[] } {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const errors: HrImportError[] = [];
  const events: EventLine[] = [];
  const seen = new Set<string>();
  let count = 0;
  let duplicatesInFile = 0;
  for (let i = 0; i < lines.length; i++) {
    const textLine = (lines[i] as string).trim();
    if (textLine === '') continue;
    count++;
    if (count > MAX_EVENT_LINES) throw new UserError(`more than ${MAX_EVENT_LINES} events in one file`, 'bad-input');
    const line = i + 1;
    const bad = (key: string | null, message: string): void => {
      errors.push({ row: line, column: key, message: `line ${line}${key ? `, "${key}"` : ''}: ${message}` });
    };
    let parsed: unknown;
    try {
      parsed = JSON.parse(textLine);
    } catch (e) {
      bad(null, `not JSON (${e instanceof Error ? e.message : String(e)})`);
      continue;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      bad(null, 'not a JSON object (one event per line)');
      continue;
    }
    const o = parsed as Record<string, unknown>;
    const before = errors.length;
    for (const k of Object.keys(o)) if (!TOP_KEYS.has(k)) bad(k, 'unknown key');
    const str = (key: string, v: unknown): string | null => {
      if (v === undefined || v === null || v === '') return null;
      if (typeof v !== 'string') {
        bad(key, 'must be a string');
        return null;
      }
      return v.trim() || null;
    };
    const eventId = str('event_id', pick(o, 'event_id', 'id', 'eventId'));
    if (!eventId) bad('event_id', 'missing event id');
    const typeText = str('type', pick(o, 'type', 'event'));
    const type = TYPES.find((t) => t === typeText);
    if (!type) bad('type', typeText ? `unknown event type "${typeText}" (${TYPES.join(', ')})` : 'missing event type');
    const tsText = str('timestamp', pick(o, 'timestamp', 'occurred_at', 'occurredAt'));
    const occurredAt = tsText ? parseTimestamp(tsText) : null;
    if (!tsText) bad('timestamp', 'missing timestamp');
    else if (!occurredAt) bad('timestamp', `"${tsText}" is not an ISO 8601 time with its zone`);
    const effText = str('effective_date', pick(o, 'effective_date', 'effectiveDate'));
    const effectiveDate = effText ? parseHrDate(effText) : null;
    if (!effText) bad('effective_date', 'missing effective date');
    else if (!effectiveDate) bad('effective_date', `"${effText}" is not a date (YYYY-MM-DD)`);

    const empRaw = pick(o, 'employee', 'data');
    const attributes: HrAttributes = {};
    let first: string | null = null;
    let last: string | null = null;
    if (typeof empRaw !== 'object' || empRaw === null || Array.isArray(empRaw)) bad('employee', 'missing the employee object');
    else {
      for (const [k, v] of Object.entries(empRaw as Record<string, unknown>)) {
        const field = ATTRIBUTE_KEYS[k];
        if (!field) {
          bad(`employee.${k}`, 'unknown attribute');
          continue;
        }
        const value = v === null ? null : str(`employee.${k}`, v);
        if (field === 'first_name') first = value;
        else if (field === 'last_name') last = value;
        else attributes[field] = value;
      }
    }
    const topManager = str('manager_email', pick(o, 'manager_email', 'managerEmail'));
    if (topManager) attributes.managerEmail = topManager;
    if (attributes.name === undefined && (first || last)) attributes.name = [first, last].filter(Boolean).join(' ');
    if (attributes.email) attributes.email = attributes.email.toLowerCase();
    if (attributes.managerEmail) attributes.managerEmail = attributes.managerEmail.toLowerCase();
    if (attributes.email && !looksLikeEmail(attributes.email)) bad('employee.email', `"${attributes.email}" is not an e-mail address`);
    if (attributes.managerEmail && !looksLikeEmail(attributes.managerEmail)) bad('manager_email', `"${attributes.managerEmail}" is not an e-mail address`);
    const employeeId = attributes.employeeId ?? null;
    const email = attributes.email ?? null;
    const key = recordKeyOf(employeeId, email);
    if (key === null && typeof empRaw === 'object' && empRaw !== null) bad('employee', 'no employee_id and no email: the event names nobody');
    if (errors.length > before || !eventId || !type || !occurredAt || !effectiveDate || key === null) continue;
    if (seen.has(eventId)) {
      duplicatesInFile++;
      continue;
    }
    seen.add(eventId);
    events.push({ line, eventId, type, occurredAt, effectiveDate, employeeId, email, managerEmail: attributes.managerEmail ?? null, attributes, key });
  }
  return { events, count, duplicatesInFile, errors };
}

/** Whether a file is HR events (JSON lines) rather than a CSV: by its extension, else by its first character. */
export function isEventFile(fileName: string, text: string): boolean {
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return true;
  if (/\.csv$/i.test(fileName)) return false;
  return text.replace(/^\uFEFF/, '').trimStart().startsWith('{');
}
