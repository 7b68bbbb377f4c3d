// The period of an evidence export, from what a person types: a day
// (YYYY-MM-DD, taken in UTC: from its first millisecond, to its last) or an
// ISO 8601 instant with its zone. Both ends are inclusive; the result is two
// ISO instants in UTC with milliseconds, the form every sheet compares with.
import { UserError } from '../context.js';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/** One end of the period as an ISO instant in UTC; `field` names it in the error. */
export function periodInstant(text: string, end: 'from' | 'to'): string {
  const t = text.trim();
  if (DAY.test(t)) {
    const ms = Date.parse(`${t}T00:00:00.000Z`);
    // Date.parse rolls 2026-02-30 over to March: a day that does not exist is refused, not moved.
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== t) throw new UserError(`${end}: ${t} is not a real date`, 'bad-input');
    return new Date(end === 'from' ? ms : ms + 86_400_000 - 1).toISOString();
  }
  if (INSTANT.test(t)) {
    const ms = Date.parse(t);
    if (Number.isNaN(ms)) throw new UserError(`${end}: ${t} is not a real instant`, 'bad-input');
    return new Date(ms).toISOString();
  }
  throw new UserError(`${end}: "${t}" must be a date (YYYY-MM-DD) or an ISO 8601 instant with its zone (2026-06-30T23:59:59Z)`, 'bad-input');
}

/** The period, both ends inclusive, refused when it ends before it starts. */
export function resolvePeriod(from: string, to: string): { from: string; to: string } {
  const f = periodInstant(from, 'from');
  const t = periodInstant(to, 'to');
  if (f > t) throw new UserError(`to: the period ends (${t}) before it starts (${f})`, 'bad-input');
  return { from: f, to: t };
}
