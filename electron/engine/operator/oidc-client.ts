// The native-app side of OpenID Connect sign-in (RFC 8252): discovery, the
// authorize URL with PKCE S256, state and nonce, a loopback listener on
// 127.0.0.1 with an ephemeral port for the redirect (/callback), and the code
// exchange at the token endpoint as a public client (no secret). HTTP goes
// through node:http(s) with the connection's pinned CA when it has one;
// plain http is refused except on loopback (a code or token would travel in
// clear).
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { listen } from '../net/listen.js';
import type { Jwk } from './id-token.js';

export type OidcEndpoints = { issuer: string; authorizationEndpoint: string; tokenEndpoint: string; jwksUri: string };

export type HttpOptions = { caPem?: string; timeoutMs?: number };

/** Refused by sign-in with a message safe to show. */
export class SignInError extends Error {
  override readonly name = 'SignInError';
}

const MAX_BODY = 1 << 20;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkUrl(raw: string, what: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new SignInError(`the IdP's ${what} is not a URL: ${raw}`);
  }
  if (u.protocol === 'https:') return u;
  if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) return u;
  throw new SignInError(`the IdP's ${what} ${u.origin} is not https: sign-in refuses plain http except on loopback`);
}

/** One HTTP request returning status and parsed JSON body. */
function requestJson(url: URL, init: { method: 'GET' | 'POST'; form?: URLSearchParams }, opts: HttpOptions): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = init.form?.toString();
    const headers: Record<string, string> = { Accept: 'application/json', ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(Buffer.byteLength(body)) } : {}) };
    const onResponse = (res: IncomingMessage): void => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) res.destroy(new SignInError(`the IdP's answer from ${url.origin}${url.pathname} is larger than 1 MB`));
        else chunks.push(c);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const v = JSON.parse(text) as unknown;
          if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
          resolve({ status: res.statusCode ?? 0, json: v as Record<string, unknown> });
        } catch {
          reject(new SignInError(`the IdP answered ${url.origin}${url.pathname} with HTTP ${res.statusCode ?? 0} and no JSON object`));
        }
      });
    };
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, { method: init.method, headers, ...(opts.caPem ? { ca: opts.caPem } : {}) }, onResponse)
        : httpRequest(url, { method: init.method, headers }, onResponse);
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new SignInError(`the IdP at ${url.origin} did not answer within ${Math.round((opts.timeoutMs ?? 15_000) / 1000)} s`)));
    req.on('error', (e) => reject(e instanceof SignInError ? e : new SignInError(`cannot reach the IdP at ${url.origin}: ${e.message}`)));
    req.end(body);
  });
}

/** Reads the issuer's discovery document; its issuer must be the one we expect (OIDC Discovery 4.3). */
export async function discover(issuer: string, opts: HttpOptions = {}): Promise<OidcEndpoints> {
  const url = checkUrl(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`, 'discovery document');
  const { status, json } = await requestJson(url, { method: 'GET' }, opts);
  if (status !== 200) throw new SignInError(`the IdP's discovery document at ${url.toString()} answered HTTP ${status}`);
  if (json.issuer !== issuer) throw new SignInError(`the discovery document names the issuer ${JSON.stringify(json.issuer)}, not ${issuer}`);
  const field = (name: string): string => {
    const v = json[name];
    if (typeof v !== 'string') throw new SignInError(`the IdP's discovery document has no ${name}`);
    checkUrl(v, name);
    return v;
  };
  const methods = json.code_challenge_methods_supported;
  if (Array.isArray(methods) && !methods.includes('S256')) throw new SignInError('the IdP does not support PKCE with S256');
  return { issuer, authorizationEndpoint: field('authorization_endpoint'), tokenEndpoint: field('token_endpoint'), jwksUri: field('jwks_uri') };
}

export async function fetchJwks(jwksUri: string, opts: HttpOptions = {}): Promise<Jwk[]> {
  const { status, json } = await requestJson(checkUrl(jwksUri, 'jwks_uri'), { method: 'GET' }, opts);
  if (status !== 200 || !Array.isArray(json.keys)) throw new SignInError(`the IdP's signing keys at ${jwksUri} could not be read (HTTP ${status})`);
  return json.keys as Jwk[];
}

export type Pkce = { verifier: string; challenge: string };

/** A fresh PKCE pair: 32 random bytes as the verifier, its SHA-256 as the challenge (RFC 7636, S256). */
export function newPkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export const randomToken = (): string => randomBytes(24).toString('base64url');

export function authorizeUrl(endpoints: OidcEndpoints, p: { clientId: string; redirectUri: string; state: string; nonce: string; challenge: string; loginHint?: string }): string {
  const u = new URL(endpoints.authorizationEndpoint);
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('scope', 'openid profile email');
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('state', p.state);
  u.searchParams.set('nonce', p.nonce);
  u.searchParams.set('code_challenge', p.challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  if (p.loginHint) u.searchParams.set('login_hint', p.loginHint);
  return u.toString();
}

/** Redeems the code as a public client; returns the ID token. The IdP's error is named (never a token). */
export async function exchangeCode(endpoints: OidcEndpoints, p: { clientId: string; code: string; redirectUri: string; verifier: string }, opts: HttpOptions = {}): Promise<string> {
  const form = new URLSearchParams({ grant_type: 'authorization_code', client_id: p.clientId, code: p.code, redirect_uri: p.redirectUri, code_verifier: p.verifier });
  const { status, json } = await requestJson(checkUrl(endpoints.tokenEndpoint, 'token endpoint'), { method: 'POST', form }, opts);
  if (status !== 200) {
    const description = typeof json.error_description === 'string' ? json.error_description : '';
    throw new SignInError(`the IdP refused the sign-in code: ${typeof json.error === 'string' ? json.error : `HTTP ${status}`}${description ? ` (${description.split(' Trace ID:')[0]})` : ''}`);
  }
  if (typeof json.id_token !== 'string') throw new SignInError('the IdP answered without an ID token (is the "openid" scope granted to the app?)');
  return json.id_token;
}

export type CallbackResult = { code: string; state: string } | { error: string; description: string; state: string | null };

/**
 * A loopback listener for one redirect: 127.0.0.1, an ephemeral port, path
 * /callback. `handle` checks the redirect; the browser is shown its message
 * (signed in, or why not), then the listener closes.
 */
export async function startLoopback(handle: (result: CallbackResult) => Promise<{ ok: boolean; message: string }>): Promise<{ redirectUri: string; close: () => Promise<void> }> {
  let done = false;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== '/callback') {
      res.statusCode = 404;
      res.end('Not found');
      return;
    }
    const send = (ok: boolean, message: string): void => {
      const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
      res.statusCode = ok ? 200 : 400;
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Cache-Control', 'no-store');
      res.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
      res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Latchkey sign-in</title><style>body{font:15px system-ui,sans-serif;max-width:30rem;margin:4rem auto}</style></head><body><h1>${ok ? 'Signed in' : 'Sign-in failed'}</h1><p id="result">${escaped}</p><p>You can close this tab and return to Latchkey.</p></body></html>`);
    };
    if (done) {
      send(false, 'This sign-in was already completed or cancelled; start again from Latchkey.');
      return;
    }
    const q = url.searchParams;
    const state = q.get('state');
    const code = q.get('code');
    const error = q.get('error');
    const result: CallbackResult = code && state !== null ? { code, state } : { error: error ?? 'invalid_request', description: q.get('error_description') ?? (error ? '' : 'the redirect carried no code'), state };
    done = true;
    // One redirect per sign-in: once this answer is delivered, the listener goes.
    res.on('finish', () => void listening.close());
    handle(result).then(
      (r) => send(r.ok, r.message),
      (e: unknown) => send(false, e instanceof Error ? e.message : String(e)),
    );
  });
  const listening = await listen(server, 0, '127.0.0.1');
  return { redirectUri: `http://127.0.0.1:${listening.port}/callback`, close: listening.close };
}
