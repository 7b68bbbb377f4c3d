// Formatting helpers. `now` is a parameter (the engine's clock, from useNow) so
// tests do not depend on the clock and a moved sandbox clock moves every label.
import { durationInWords, minutesInWords, type DurationOption } from '../../../shared/governance.js';

const DAY = 86_400_000;
export const STALE_DAYS = 90;

const numberFmt = new Intl.NumberFormat('en-US');
// One formatter per shape, made once: Date#toLocaleString with options builds a new one on every
// call, which was most of the time a 100,000-item grid spent re-rendering its rows after a sort.
const absoluteFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZoneName: 'short' });
const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : numberFmt.format(n);
}

/** Local date and time to the second, with the zone: "Jun 1, 2026, 14:00:05 GMT+2" (what every time shows on hover). */
export function formatAbsolute(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return absoluteFmt.format(d);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateFmt.format(d);
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return timeFmt.format(d);
}

/**
 * What an instant is, for its relative wording: an 'event' already happened
 * (created, synced, decided), so it is never phrased in the future: a clock a
 * little ahead of the engine's (or the engine's a little ahead of the
 * database row) must not make "created in 4 min". A 'deadline' may be ahead
 * (an expiry, a retry, a rate-limit reset) and says "in 3 h".
 */
export type InstantKind = 'event' | 'deadline';

/**
 * "just now", "5 min ago", "3 h ago", "yesterday", "12 days ago", "4 mo ago",
 * "2 yr ago"; deadlines ahead: "in under a minute", "in 5 min", "tomorrow".
 * `now` is the engine's clock (useNow), not the browser's.
 */
export function formatRelative(iso: string | null | undefined, now: number, kind: InstantKind = 'event'): string {
  if (!iso) return 'never';
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  // An event "in the future" is clock skew: it happened just now.
  const diff = kind === 'event' ? Math.max(0, now - t) : now - t;
  const abs = Math.abs(diff);
  const fmt = (n: number, unit: string): string => (diff >= 0 ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 60_000) return diff >= 0 ? 'just now' : 'in under a minute';
  const minutes = Math.floor(abs / 60_000);
  if (minutes < 60) return fmt(minutes, 'min');
  const hours = Math.round(abs / 3_600_000);
  if (hours < 24) return fmt(hours, 'h');
  const days = Math.round(abs / DAY);
  if (days < 2) return diff >= 0 ? 'yesterday' : 'tomorrow';
  if (days < 45) return fmt(days, 'days');
  if (days < 365) return fmt(Math.round(days / 30.4), 'mo');
  return fmt(Math.round((days / 365) * 10) / 10, 'yr');
}

export function daysSince(iso: string | null | undefined, now: number): number | null {
  if (!iso) return null;
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? null : Math.floor((now - t) / DAY);
}

/** Stale = no login for more than 90 days, or never logged in. */
export function isStale(iso: string | null | undefined, now: number): boolean {
  const d = daysSince(iso, now);
  return d === null || d > STALE_DAYS;
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  const rest = Math.round(s - m * 60);
  if (m < 60) return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m - h * 60} min`;
}

export function formatPercent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Turns ENUM_CASE into "Enum case" for display (the raw value stays in titles). */
export function humanize(value: string | null | undefined): string {
  if (!value) return '—';
  const s = value.replace(/[_-]+/g, ' ').toLowerCase().trim();
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const first = parts[0]?.charAt(0) ?? '';
  const last = parts.length > 1 ? (parts[parts.length - 1]?.charAt(0) ?? '') : '';
  return (first + last).toUpperCase() || '?';
}

/** "/home/ann/…/workspaces/demo.latchkey": keeps both ends of a long path. */
export function truncateMiddle(text: string, max: number): string {
  if (text.length <= max) return text;
  const keepEnd = Math.ceil((max - 1) * 0.6);
  const keepStart = max - 1 - keepEnd;
  return `${text.slice(0, keepStart)}…${text.slice(text.length - keepEnd)}`;
}

const connectionKinds: Record<string, { short: string; long: string }> = {
  okta: { short: 'Okta', long: 'Okta' },
  entra: { short: 'Entra', long: 'Microsoft Entra ID' },
  jira: { short: 'Jira', long: 'Jira Service Management' },
};

/**
 * Okta and Entra are identity providers: they are synced, have people and
 * changes. Jira is the system of record for requests, not an IdP: it is not
 * counted or offered where IdPs are.
 */
export function isIdentityProvider(c: { kind: string }): boolean {
  return c.kind === 'okta' || c.kind === 'entra';
}

/** "Okta", "Entra" (badges); `long` for headings and facts: "Microsoft Entra ID". */
export function connectionKindLabel(kind: string, long = false): string {
  const k = connectionKinds[kind];
  return k ? (long ? k.long : k.short) : humanize(kind);
}

/** "Apr 24, 14:03": a run in a picker, where the year is rarely in doubt (it is in the title). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return dateTimeFmt.format(d);
}

/**
 * Engine-written text (an end reason, a timeline line) keeps its instants in
 * ISO 8601 UTC, as stored and audited; shown to people, each becomes local
 * time like the rest of the console.
 */
export function withLocalTimes(text: string): string {
  return text.replace(/\b\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z\b/g, (iso) => formatAbsolute(iso));
}

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** A duration option in words ("7 days", "Permanent", "Custom length"), as pickers list them. */
export function durationLabel(d: DurationOption): string {
  return d === 'custom' ? 'Custom length' : capitalise(durationInWords(d, null));
}

/** A request's duration in words ("24 hours", "90 minutes", "Permanent"): the words the CLI and the Jira record use too. */
export function durationText(d: DurationOption, customMinutes: number | null): string {
  return capitalise(durationInWords(d, customMinutes));
}

export { minutesInWords as minutesText };

/**
 * A job's tries in words: a success says which attempt did it ("succeeded on
 * attempt 1"), not "1/8 attempts", which reads like 7 are still to come; a job
 * still trying or given up counts against its budget ("attempt 3 of 8").
 */
export function jobAttemptsText(j: { status: string; attempts: number; maxAttempts: number }): string {
  const plural = (n: number): string => `${n} ${n === 1 ? 'attempt' : 'attempts'}`;
  switch (j.status) {
    case 'succeeded':
      return `succeeded on attempt ${Math.max(1, j.attempts)}`;
    case 'running':
      return `attempt ${j.attempts} of ${j.maxAttempts}`;
    case 'queued':
      return j.attempts === 0 ? 'not tried yet' : `attempt ${j.attempts} of ${j.maxAttempts} failed; will retry`;
    case 'failed':
      return `failed on attempt ${j.attempts} of ${j.maxAttempts}`;
    case 'cancelled':
      return j.attempts === 0 ? 'cancelled before any attempt' : `cancelled after ${plural(j.attempts)}`;
    default:
      return j.attempts === 0 ? '' : `after ${plural(j.attempts)}`;
  }
}
