// Turns what can go wrong between Latchkey and an Okta org into one clear
// sentence a person can act on. Threat handled: credentials leaking into logs,
// the UI or error reports. Messages are built from status codes, Okta's own
// errorSummary and the request path, never from request headers, and a final
// redaction pass removes the token or key should a server ever echo it back.
import { TLS_CODES } from '../tls-codes.js';

export type OktaErrorKind =
  | 'unauthorized' // 401: token revoked/invalid, OAuth client refused
  | 'forbidden' // 403: missing scope or admin role
  | 'not-found'
  | 'rate-limited' // 429 after every retry
  | 'server' // 5xx after every retry
  | 'timeout'
  | 'unreachable' // DNS, refused, reset
  | 'tls'
  | 'not-okta' // the URL answers, but not like an Okta org
  | 'bad-response'
  | 'aborted';

/** What an Okta call failed with; `message` is safe to show and log. */
export class OktaError extends Error {
  override readonly name = 'OktaError';
  constructor(
    message: string,
    readonly kind: OktaErrorKind,
    readonly details: { status?: number; errorCode?: string; path?: string; missingScope?: string; code?: string } = {},
  ) {
    super(message);
  }
}

/** The scope Okta wants for a read of this path, for 403s that do not say. */
export function scopeForPath(path: string, method = 'GET'): string | null {
  const write = method.toUpperCase() !== 'GET';
  if (/^\/api\/v1\/users\/[^/]+\/roles/.test(path)) return write ? 'okta.roles.manage' : 'okta.roles.read';
  if (/^\/api\/v1\/groups\/[^/]+\/users/.test(path)) return write ? 'okta.groups.manage' : 'okta.groups.read';
  if (path.startsWith('/api/v1/users')) return write ? 'okta.users.manage' : 'okta.users.read';
  if (path.startsWith('/api/v1/groups')) return write ? 'okta.groups.manage' : 'okta.groups.read';
  if (path.startsWith('/api/v1/apps')) return write ? 'okta.apps.manage' : 'okta.apps.read';
  if (path.startsWith('/api/v1/logs')) return 'okta.logs.read';
  if (path.startsWith('/api/v1/org')) return write ? 'okta.orgs.manage' : 'okta.orgs.read';
  return null;
}

/** scope="..." from a WWW-Authenticate challenge (Okta names the scope it wanted there). */
export function scopeFromChallenge(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /\bscope="([^"]*)"/i.exec(header);
  return m?.[1] ? m[1] : null;
}

/** The system error code of a network failure, looking through node-fetch/undici wrappers. */
export function networkCode(e: unknown): string | null {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const o = cur as { code?: unknown; errno?: unknown; cause?: unknown };
    if (typeof o.code === 'string' && o.code !== 'system' && o.code !== 'FETCH_ERROR') return o.code;
    if (typeof o.errno === 'string') return o.errno;
    cur = o.cause;
  }
  return null;
}

/** Network errors worth another try: the next attempt may well succeed. */
export function isRetryableNetworkError(e: unknown): boolean {
  const code = networkCode(e);
  if (code && TLS_CODES.has(code)) return false;
  // A name that does not resolve will not resolve in 500 ms either.
  if (code === 'ENOTFOUND' || code === 'EAI_FAIL') return false;
  return true;
}

/** Classifies a network-level failure (no HTTP answer) for `host`. */
export function networkError(e: unknown, method: string, url: string, attempts: number): OktaError {
  const code = networkCode(e);
  const u = safeUrl(url);
  const host = u?.host ?? 'the org';
  const path = u?.pathname ?? '';
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
  if (code && TLS_CODES.has(code)) {
    return new OktaError(`TLS error talking to ${host}: ${code}${code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER' ? ' (is the URL http:// where https:// is expected, or the reverse?)' : ' (certificate not trusted)'}`, 'tls', { code, path });
  }
  if (code === 'ENOTFOUND' || code === 'EAI_FAIL' || code === 'EAI_AGAIN') {
    return new OktaError(`cannot resolve ${u?.hostname ?? host}: check the org URL and your network`, 'unreachable', { code, path });
  }
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    return new OktaError(`cannot reach ${host} (${code})${tries}: check the org URL and your network`, 'unreachable', { code, path });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
    return new OktaError(`${host} dropped the connection during ${method} ${path}${tries}`, 'unreachable', { code, path });
  }
  const reason = e instanceof Error ? e.message.replace(/https?:\/\/\S+/g, '').trim() : String(e);
  return new OktaError(`${method} ${path} on ${host} failed${tries}: ${code ?? reason}`, 'unreachable', { ...(code ? { code } : {}), path });
}

type SdkErrorShape = {
  status?: unknown;
  errorCode?: unknown;
  errorSummary?: unknown;
  errorCauses?: unknown;
  url?: unknown;
  headers?: unknown;
  message?: unknown;
};

function headerOf(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => string | null } & Record<string, unknown>;
  if (typeof h.get === 'function') return h.get(name);
  const v = h[name] ?? h[name.toLowerCase()];
  return typeof v === 'string' ? v : null;
}

function safeUrl(url: unknown): URL | null {
  if (typeof url !== 'string') return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * Maps anything an SDK call can throw (OktaApiError, HttpError, our own
 * OktaError, network errors) to an OktaError with a message for people.
 */
export function toOktaError(e: unknown, context: { method?: string; url?: string } = {}): OktaError {
  if (e instanceof OktaError) return e;
  if (e instanceof Error && e.name === 'AbortError') return new OktaError('the sync was cancelled', 'aborted');
  const x = (e && typeof e === 'object' ? e : {}) as SdkErrorShape;
  const status = typeof x.status === 'number' ? x.status : Number(x.status);
  const method = (context.method ?? 'GET').toUpperCase();
  const u = safeUrl(x.url) ?? safeUrl(context.url);
  const path = u?.pathname ?? '';
  const where = path ? `${method} ${path}` : 'the request';
  if (!Number.isFinite(status) || status === 0) {
    return networkError(e, method, u?.href ?? '', 1);
  }
  const code = typeof x.errorCode === 'string' && x.errorCode !== 'undefined' ? x.errorCode : undefined;
  const summary = typeof x.errorSummary === 'string' && x.errorSummary ? x.errorSummary : undefined;
  const okta = code || summary ? `${code ? `${code}: ` : ''}${summary ?? ''}`.replace(/: $/, '') : undefined;
  const details = { status, path, ...(code ? { errorCode: code } : {}) };

  if (status === 401) {
    if (path === '/oauth2/v1/token') {
      return new OktaError(`Okta refused the OAuth service app's credentials (401${okta ? ` ${okta}` : ''}): check the client id, private key and key id`, 'unauthorized', details);
    }
    return new OktaError(`Okta rejected the credential (401 ${okta ?? 'Unauthorized'}): the API token is invalid, revoked or expired`, 'unauthorized', details);
  }
  if (status === 400 && path === '/oauth2/v1/token') {
    return new OktaError(`Okta refused the OAuth token request (400${okta ? ` ${okta}` : ''}): check the scopes granted to the service app`, 'unauthorized', details);
  }
  if (status === 403) {
    const scope = scopeFromChallenge(headerOf(x.headers, 'www-authenticate')) ?? scopeForPath(path, method);
    const because = scope ? `the credential lacks the ${scope} scope (or an admin role that allows it)` : 'the credential is not allowed to do this';
    return new OktaError(`Okta denied ${where} (403${okta ? ` ${okta}` : ''}): ${because}`, 'forbidden', { ...details, ...(scope ? { missingScope: scope } : {}) });
  }
  if (status === 404) {
    return new OktaError(`Okta answered 404 for ${where}${okta ? ` (${okta})` : ''}`, 'not-found', details);
  }
  if (status === 429) {
    return new OktaError(`Okta kept rate-limiting ${where} (429${okta ? ` ${okta}` : ''}) after every retry; try again later or lower the budget share`, 'rate-limited', details);
  }
  if (status >= 500) {
    return new OktaError(`Okta answered HTTP ${status} for ${where} after every retry${okta ? ` (${okta})` : ''}`, 'server', details);
  }
  return new OktaError(`Okta answered HTTP ${status} for ${where}${okta ? ` (${okta})` : ''}`, 'bad-response', details);
}

/** Removes every occurrence of the given secrets (and any Authorization header value) from text. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 6) out = out.split(s).join('[redacted]');
  }
  return out.replace(/\b(SSWS|Bearer|DPoP)\s+[A-Za-z0-9._~+/=-]{8,}/g, '$1 [redacted]');
}
