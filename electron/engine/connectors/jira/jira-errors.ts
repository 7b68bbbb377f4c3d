// Jira failures as one error type with a clear message: what was being done,
// the HTTP status and Jira's own words (ErrorCollection `errorMessages` +
// `errors`, or JSM's `errorMessage`), never a credential. jira.js throws its
// HttpException whose `cause` is the AxiosError, and that carries the request
// config, Authorization header included: nothing of it is kept beyond the
// status, the body and the rate-limit headers.
import { HttpException } from 'jira.js';

export type JiraErrorKind =
  | 'rate-limited'
  | 'unavailable'
  | 'network'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'conflict'
  | 'other';

export class JiraApiError extends Error {
  override readonly name = 'JiraApiError';
  constructor(
    message: string,
    readonly kind: JiraErrorKind,
    /** HTTP status, null when no response arrived. */
    readonly status: number | null,
    /** Jira's messages, as it worded them. */
    readonly messages: readonly string[],
    /** How long the service asked us to wait (Retry-After / X-RateLimit-Reset), when it said. */
    readonly retryAfterMs: number | null,
  ) {
    super(message);
  }

  /** Transient: worth trying again later (429, 5xx, no response). */
  get transient(): boolean {
    return this.kind === 'rate-limited' || this.kind === 'unavailable' || this.kind === 'network';
  }
}

type Headers = Record<string, unknown> & { get?: (name: string) => unknown };

function header(headers: Headers | undefined, name: string): string | null {
  if (!headers) return null;
  const v = typeof headers.get === 'function' ? headers.get(name) : (headers[name] ?? headers[name.toLowerCase()]);
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null;
}

/**
 * The wait a 429/503 asks for: Retry-After (seconds, or an HTTP date), else
 * X-RateLimit-Reset (Jira Cloud sends an ISO timestamp), else null.
 */
export function retryAfterMsOf(headers: Headers | undefined, nowMs: number): number | null {
  const ra = header(headers, 'retry-after');
  if (ra !== null) {
    const secs = Number(ra);
    if (Number.isFinite(secs) && secs >= 0) return Math.round(secs * 1000);
    const at = Date.parse(ra);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  const reset = header(headers, 'x-ratelimit-reset');
  if (reset !== null) {
    const at = /^\d+$/.test(reset) ? Number(reset) * (reset.length <= 10 ? 1000 : 1) : Date.parse(reset);
    if (Number.isFinite(at)) return Math.max(0, at - nowMs);
  }
  return null;
}

/** Jira's own words from an error body (ErrorCollection or JSM ErrorResponse); a proxy's HTML page says nothing. */
export function jiraMessages(data: unknown): string[] {
  if (!data || typeof data !== 'object') return [];
  const d = data as Record<string, unknown>;
  const out: string[] = [];
  if (Array.isArray(d.errorMessages)) for (const m of d.errorMessages) if (typeof m === 'string' && m !== '') out.push(m);
  if (d.errors && typeof d.errors === 'object') {
    for (const [k, v] of Object.entries(d.errors as Record<string, unknown>)) if (typeof v === 'string') out.push(`${k}: ${v}`);
  }
  if (typeof d.errorMessage === 'string' && d.errorMessage !== '') out.push(d.errorMessage);
  if (out.length === 0 && typeof d.message === 'string' && d.message !== '') out.push(d.message);
  return out;
}

function kindOf(status: number): JiraErrorKind {
  if (status === 429) return 'rate-limited';
  if (status >= 500) return 'unavailable';
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  if (status >= 400) return 'bad-request';
  return 'other';
}

const STATUS_WORDS: Partial<Record<JiraErrorKind, string>> = {
  'rate-limited': 'rate limited by Jira',
  unavailable: 'Jira is unavailable',
  unauthorized: 'Jira refused the e-mail and API token (401): check them, or create a new API token at id.atlassian.com',
  forbidden: 'the Jira account lacks permission',
  'not-found': 'not found in Jira',
};

/** Removes the API token (literal, and inside a Basic header) from text that might echo a request. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.split(s).join('[redacted]');
  return out.replace(/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 [redacted]');
}

/** Any failure of a jira.js call as a JiraApiError; `what` says what was being done ("create the issue"). */
export function toJiraError(e: unknown, what: string, opts: { secrets: readonly string[]; nowMs: number }): JiraApiError {
  if (e instanceof JiraApiError) return e;
  if (e instanceof HttpException) {
    const cause = e.cause as { response?: { headers?: Headers } } | undefined;
    const body = typeof e.response === 'object' ? (e.response as { data?: unknown }).data : undefined;
    const messages = jiraMessages(body).map((m) => redact(m, opts.secrets));
    const kind = kindOf(e.status);
    const retryAfterMs = kind === 'rate-limited' || kind === 'unavailable' ? retryAfterMsOf(cause?.response?.headers, opts.nowMs) : null;
    const said = messages.length > 0 ? messages.join('; ') : (STATUS_WORDS[kind] ?? (typeof body === 'string' ? 'not a Jira response (a proxy or gateway answered)' : 'no details'));
    const prefix = kind === 'unauthorized' ? '' : `${STATUS_WORDS[kind] && messages.length > 0 ? `${STATUS_WORDS[kind]}: ` : ''}`;
    return new JiraApiError(redact(`Jira could not ${what}: HTTP ${e.status} — ${prefix}${said}`, opts.secrets), kind, e.status, messages, retryAfterMs);
  }
  // No response: refused, reset, timed out, cut mid-body (axios errors carry the request config: read only code and message).
  const err = e as { code?: unknown; message?: unknown } | null;
  const code = typeof err?.code === 'string' ? err.code : null;
  const message = typeof err?.message === 'string' ? err.message : String(e);
  return new JiraApiError(redact(`Jira could not ${what}: no answer from the site (${code ?? 'network error'}: ${message})`, opts.secrets), 'network', null, [], null);
}
