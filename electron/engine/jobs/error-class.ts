// Which failures of a job are worth another try. Only the network and the
// service being briefly unable (time-outs, resets, refused or unreachable
// hosts, 429, 5xx) come back later: a retry can fix those. An internal error
// (a database constraint, a TypeError, a bad value) fails the same way every
// time, so retrying it only hides it behind minutes of back-off and holds
// `jobs run --once` waiting; it is final at once, named as what it is.

import type { JobOutcome } from './job-types.js';

/** Node / undici error codes of a connection that failed or timed out (no answer, or half of one). */
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'EHOSTDOWN',
  'ENETUNREACH',
  'ENETDOWN',
  'ENETRESET',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

export type ErrorClass =
  | { transient: true; message: string; retryAfterMs?: number; httpStatus?: number }
  | { transient: false; message: string; httpStatus?: number };

type Loose = { name?: unknown; message?: unknown; code?: unknown; status?: unknown; statusCode?: unknown; transient?: unknown; retryAfterMs?: unknown; cause?: unknown };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Is this error (or one it wraps, as fetch's "fetch failed" TypeError wraps the socket's) a network or HTTP-transient failure? */
function transientOf(e: unknown, depth = 0): { retryAfterMs?: number; httpStatus?: number } | null {
  if (!e || typeof e !== 'object' || depth > 4) return null;
  const x = e as Loose;
  const httpStatus = num(x.status) ?? num(x.statusCode);
  const retryAfterMs = num(x.retryAfterMs);
  const extra = { ...(retryAfterMs !== undefined ? { retryAfterMs } : {}), ...(httpStatus !== undefined ? { httpStatus } : {}) };
  // Our connectors' errors say so themselves (JiraApiError.transient).
  if (typeof x.transient === 'boolean') return x.transient ? extra : null;
  if (typeof x.code === 'string' && NETWORK_CODES.has(x.code)) return extra;
  if (x.name === 'TimeoutError' || x.name === 'AbortError') return extra;
  if (httpStatus !== undefined && (httpStatus === 429 || (httpStatus >= 500 && httpStatus <= 599))) return extra;
  return transientOf(x.cause, depth + 1);
}

/** What a thrown error means for a job: transient (try again later) or final, with a message that says which. */
export function classifyError(e: unknown): ErrorClass {
  const x = (e && typeof e === 'object' ? e : {}) as Loose;
  const message = typeof x.message === 'string' && x.message !== '' ? x.message : String(e);
  const t = transientOf(e);
  if (t) return { transient: true, message, ...t };
  // A connector's own verdict of "not transient" (403, 404, bad request): final, in its own words.
  if (typeof x.transient === 'boolean') return { transient: false, message, ...(num(x.status) !== undefined ? { httpStatus: num(x.status) as number } : {}) };
  const name = typeof x.name === 'string' && x.name !== 'Error' ? x.name : null;
  if (name === 'UserError') return { transient: false, message };
  const code = typeof x.code === 'string' ? ` ${x.code}` : '';
  return { transient: false, message: `internal error (${name ?? 'Error'}${code}), not retried: ${message}` };
}

/** A thrown error as a job outcome: 'retry' only for network / HTTP-transient failures (error-class.ts), 'failed' otherwise. */
export function outcomeOfError(e: unknown): JobOutcome {
  const c = classifyError(e);
  const http = c.httpStatus !== undefined ? { httpStatus: c.httpStatus } : {};
  if (c.transient) return { status: 'retry', error: c.message, ...(c.retryAfterMs !== undefined ? { retryAfterMs: c.retryAfterMs } : {}), ...http };
  return { status: 'failed', error: c.message, ...http };
}
