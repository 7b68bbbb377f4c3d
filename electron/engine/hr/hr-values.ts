// What an HR record holds, how its values are read from text (dates, status
// words, e-mails) and how a person's events are applied over the last CSV
// row: in effective-date order (then the event's timestamp, then its id), so
// the record comes out the same whatever order the events arrived in — a
// termination sent before the hire still ends after it.
import type { HrEventType } from '../../../shared/contract-hr.js';

export type HrStatusValue = 'active' | 'pending' | 'terminated';

export type HrValues = {
  employeeId: string | null;
  email: string | null;
  name: string | null;
  department: string | null;
  title: string | null;
  location: string | null;
  employmentType: string | null;
  managerEmail: string | null;
  managerEmployeeId: string | null;
  startDate: string | null;
  endDate: string | null;
  status: HrStatusValue;
};

/** The attributes an event may carry (anything it leaves out stays as it was). */
export type HrAttributes = Partial<Omit<HrValues, 'status' | 'startDate' | 'endDate'>>;

export type FoldEvent = { eventId: string; type: HrEventType; occurredAt: string; effectiveDate: string; attributes: HrAttributes };

export const EMPTY_VALUES: HrValues = {
  employeeId: null,
  email: null,
  name: null,
  department: null,
  title: null,
  location: null,
  employmentType: null,
  managerEmail: null,
  managerEmployeeId: null,
  startDate: null,
  endDate: null,
  status: 'active',
};

/** The key a person's record is filed under: the employee id when HR gave one, else the e-mail. */
export function recordKeyOf(employeeId: string | null, email: string | null): string | null {
  if (employeeId) return `id:${employeeId.trim().toLowerCase()}`;
  if (email) return `email:${email.trim().toLowerCase()}`;
  return null;
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Effective date, then timestamp, then event id: a total order, so arrival order never matters. */
export function eventOrder(a: FoldEvent, b: FoldEvent): number {
  return compare(a.effectiveDate, b.effectiveDate) || compare(a.occurredAt, b.occurredAt) || compare(a.eventId, b.eventId);
}

/** The record: the last CSV row (or nothing) with every event applied in eventOrder. */
export function foldRecord(base: HrValues | null, events: readonly FoldEvent[]): HrValues {
  const v: HrValues = { ...(base ?? EMPTY_VALUES) };
  for (const e of [...events].sort(eventOrder)) {
    for (const [k, value] of Object.entries(e.attributes) as [keyof HrAttributes, string | null | undefined][]) if (value !== undefined) v[k] = value;
    if (e.type === 'employee.hired') {
      // A hire (or a rehire) starts a new employment: the old end date no longer applies.
      v.status = 'active';
      v.startDate = e.effectiveDate;
      v.endDate = null;
    } else if (e.type === 'employee.terminated') {
      v.status = 'terminated';
      v.endDate = e.effectiveDate;
    }
  }
  return v;
}

/** The status a record has on `today` (YYYY-MM-DD): a hire not started yet is pending, a leaver whose day has not come is still active. */
export function statusOn(v: Pick<HrValues, 'status' | 'startDate' | 'endDate'>, today: string): HrStatusValue {
  if (v.status === 'terminated') return v.endDate !== null && v.endDate > today ? 'active' : 'terminated';
  if (v.startDate !== null && v.startDate > today) return 'pending';
  return v.status;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function ymd(y: number, m: number, d: number): string | null {
  if (m < 1 || m > 12 || d < 1 || d > (DAYS_IN_MONTH[m - 1] ?? 0)) return null;
  if (m === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return null;
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * A calendar date as HR exports write it: 2026-12-07, 2026-12-07T00:00:00Z
 * (the date as written, whatever the zone) or 12/07/2026 (month first, as
 * BambooHR and Rippling's US exports write it). Null when it is not one.
 */
export function parseHrDate(text: string): string | null {
  const s = text.trim();
  let m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(s);
  if (m) return ymd(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  if (m) return ymd(Number(m[3]), Number(m[1]), Number(m[2]));
  return null;
}

/** An ISO 8601 instant with its zone (an event's timestamp), normalised to UTC; null when it is not one. */
export function parseTimestamp(text: string): string | null {
  const s = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(s)) return null;
  if (parseHrDate(s.slice(0, 10)) === null) return null;
  const t = Date.parse(s);
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

const STATUS_WORDS: Readonly<Record<string, HrStatusValue>> = {
  active: 'active',
  employed: 'active',
  'on leave': 'active',
  leave: 'active',
  terminated: 'terminated',
  inactive: 'terminated',
  former: 'terminated',
  hired: 'pending',
  accepted: 'pending',
  pending: 'pending',
  'pre-start': 'pending',
  onboarding: 'pending',
  future: 'pending',
};

/** An HR system's status word as active / pending / terminated; undefined when unknown. */
export function parseStatus(text: string): HrStatusValue | undefined {
  return STATUS_WORDS[text.trim().toLowerCase()];
}
export const STATUS_WORD_LIST = Object.keys(STATUS_WORDS);

/** A loose e-mail check: one @, something either side, no spaces. */
export const looksLikeEmail = (s: string): boolean => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

/** Trimmed text, or null for an empty cell. */
export const cell = (s: string | undefined | null): string | null => {
  const t = s?.trim();
  return t ? t : null;
};
