// What can go wrong between Latchkey and an Entra tenant, as one sentence a
// person can act on. Threat handled: credentials leaking into logs, the UI or
// error reports. Messages are built from status codes, Graph's error.code /
// error.message and the AADSTS code and text of the identity platform, never
// from request headers or bodies we sent; a final pass removes the secret or
// key should a server ever echo it back.
import { TLS_CODES } from '../tls-codes.js';

export type EntraErrorKind =
  | 'sign-in' // the identity platform refused the credential (AADSTS...)
  | 'unauthorized' // 401 from Graph: token rejected
  | 'forbidden' // 403: an application permission is missing
  | 'not-found'
  | 'throttled' // 429 after every retry
  | 'server' // 5xx after every retry
  | 'timeout'
  | 'unreachable' // DNS, refused, reset
  | 'tls'
  | 'delta-expired' // 410 syncStateNotFound: the delta link is too old
  | 'refused' // a link pointed somewhere we do not send tokens
  | 'bad-response'
  | 'aborted';

/** What an Entra call failed with; `message` is safe to show and log. */
export class EntraError extends Error {
  override readonly name = 'EntraError';
  constructor(
    message: string,
    readonly kind: EntraErrorKind,
    readonly details: { status?: number; code?: string; aadsts?: number } = {},
  ) {
    super(message);
  }
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** The system error code of a network failure, looking through wrappers (GraphError, RestError, cause chains). */
export function networkCode(e: unknown): string | null {
  let cur: unknown = e;
  for (let i = 0; i < 5 && cur && typeof cur === 'object'; i++) {
    const o = cur as { code?: unknown; errno?: unknown; cause?: unknown; message?: unknown };
    if (typeof o.code === 'string' && /^[A-Z][A-Z0-9_]+$/.test(o.code)) return o.code;
    if (typeof o.errno === 'string') return o.errno;
    cur = o.cause;
  }
  return null;
}

export const isRetryableNetworkError = (e: unknown): boolean => {
  const code = networkCode(e);
  return code !== null && RETRYABLE_CODES.has(code);
};

/** A network failure as an EntraError naming the host (never the path's query, which may carry a token). */
export function networkError(e: unknown, url: string): EntraError {
  const code = networkCode(e) ?? 'unknown';
  const host = safeHost(url);
  if (TLS_CODES.has(code)) {
    return new EntraError(
      `the TLS certificate of ${host} is not trusted (${code}); if a proxy inspects TLS, or for the sandbox, add its CA certificate to the connection (--ca-file)`,
      'tls',
      { code },
    );
  }
  if (code === 'ABORT_ERR' || code === 'ERR_ABORTED') return new EntraError(`the request to ${host} was cancelled`, 'aborted', { code });
  if (code === 'ETIMEDOUT' || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'TIMEOUT_ERR') return new EntraError(`${host} did not answer in time`, 'timeout', { code });
  return new EntraError(`cannot reach ${host} (${code})`, 'unreachable', { code });
}

export function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the server';
  }
}

/** Removes every occurrence of the secrets from a message (defence in depth: servers should never echo them). */
export function redact(message: string, secrets: readonly string[]): string {
  let out = message;
  for (const s of secrets) {
    if (s.length < 4) continue;
    out = out.split(s).join('[redacted]');
    // A PEM may come back reflowed: also strip its base64 body lines.
    if (s.includes('-----BEGIN')) {
      for (const line of s.split(/\r?\n/)) if (line.length >= 40 && !line.startsWith('-----')) out = out.split(line).join('[redacted]');
    }
  }
  return out.replace(/[\r\n]+/g, ' ');
}

/**
 * An AADSTS answer of the identity platform as one line: the code and its
 * first sentence or two, without the trace / correlation ids and timestamps
 * (noise to a person, and they change on every try).
 */
export function describeAadsts(text: string): { aadsts: number; message: string } | null {
  const m = /AADSTS(\d+):\s*([\s\S]*?)(?=\s+Trace ID:|\s+-\s+Correlation ID:|\s+Correlation ID:|$)/.exec(text);
  if (!m) return null;
  const body = (m[2] ?? '').replace(/\s+/g, ' ').trim();
  return { aadsts: Number(m[1]), message: `AADSTS${m[1]}: ${body}` };
}

/** The permissions that unlock an operation, named in 403 messages. */
export type PermissionHint = { what: string; needs: string };

/** A Graph error answer as an EntraError. */
export function graphHttpError(status: number, code: string | null, message: string | null, hint: PermissionHint | null): EntraError {
  const graphText = `${code ?? `HTTP ${status}`}${message ? `: ${message}` : ''}`;
  const what = hint?.what ?? 'the request';
  if (status === 401) return new EntraError(`Microsoft Graph rejected the access token for ${what} (${graphText})`, 'unauthorized', { status, code: code ?? undefined });
  if (status === 403) {
    const needs = hint ? `; the app needs the ${hint.needs} application permission, with admin consent` : '';
    return new EntraError(`Microsoft Graph refused ${what} (${graphText})${needs}`, 'forbidden', { status, code: code ?? undefined });
  }
  if (status === 404) return new EntraError(`Microsoft Graph found nothing for ${what} (${graphText})`, 'not-found', { status, code: code ?? undefined });
  if (status === 410) return new EntraError(`the delta link for ${what} has expired (${graphText})`, 'delta-expired', { status, code: code ?? undefined });
  if (status === 429) return new EntraError(`Microsoft Graph kept throttling ${what} after every retry (${graphText})`, 'throttled', { status, code: code ?? undefined });
  if (status >= 500) return new EntraError(`Microsoft Graph failed on ${what} after every retry (${graphText})`, 'server', { status, code: code ?? undefined });
  return new EntraError(`Microsoft Graph answered ${status} to ${what} (${graphText})`, 'bad-response', { status, code: code ?? undefined });
}
