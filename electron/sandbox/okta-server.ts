// An Okta-compatible HTTP server on loopback (node:http, no framework), over
// a generated organisation. Around the endpoint handlers of okta-routes.ts it
// does what real Okta does on every request, in this order:
//   1. injected faults (they model the network and Okta's edge, so they hit
//      before anything else and are not counted against rate limits);
//   2. rate limiting per endpoint bucket (every request counts, including
//      ones that then fail authentication), with X-Rate-Limit-* headers on
//      every response and a 429 E0000047 when the bucket is spent;
//   3. authentication: `SSWS <api token>` or `Bearer <access token>` from the
//      org authorization server (POST /oauth2/v1/token);
//   4. authorisation: Bearer tokens need the operation's scope (403 with a
//      WWW-Authenticate naming it, as Okta does), read-only admins cannot write.
// A control plane under /__sandbox/ (admin API token only) lets another
// process inject faults into a sandbox started by `latchkey sandbox`, and
// apply random realistic changes to its org (POST /__sandbox/mutate).
// Operator sign-in (oidc.ts) uses the org authorization server, as an Okta
// OIDC native app does for signing users in: discovery at
// /.well-known/openid-configuration, /oauth2/v1/authorize (the sandbox's
// sign-in page), /oauth2/v1/token (authorization_code + PKCE), and the
// signing keys at /oauth2/v1/keys; the issuer is the org URL itself.
import { createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listen, originOf } from '../engine/net/listen.js';
import { readBody, realSleep, systemClock } from './http-util.js';
import { applyFault, createFaults, parseFaultRequest, type Faults } from './faults.js';
import { createTokenIssuer, type OAuthClient } from './oauth.js';
import { createOidcProvider, signInPage, type OidcAccount, type OidcClient, type OidcFailure } from './oidc.js';
import type { Org } from './org-model.js';
import type { AdminRole } from './okta-resources.js';
import { accessDenied, errorReply, ERROR_JSON_TYPE, JSON_TYPE, OktaHttpError, type Principal, type Reply } from './okta-route-kit.js';
import { matchRoute } from './okta-routes.js';
import { applyRandomChanges, MutateRequestError, parseMutateRequest, type MutateRequest, type MutateSummary } from './okta-mutate.js';
import { createMutations, type OktaMutations } from './okta-mutations.js';
import { createOktaState, type Clock, type OktaState } from './okta-state.js';
import { createRateLimiter, type RateLimitDecision, type RateLimitMode } from './rate-limits.js';
import type { SystemLog } from './system-log.js';

export type { Clock } from './okta-state.js';

export type ApiToken = { token: string; user: number; role: AdminRole };

export type OktaServerOptions = {
  org: Org;
  /** SSWS API tokens and the admin users that own them. */
  apiTokens: readonly ApiToken[];
  /** OAuth 2.0 service apps allowed to use private_key_jwt at /oauth2/v1/token. */
  oauthClients?: readonly OAuthClient[];
  /** OIDC native apps (public clients, authorization code + PKCE) users sign in to. */
  oidcClients?: readonly OidcClient[];
  /** The ID token signing key (RSA); generated when absent. */
  oidcSigningKey?: KeyObject;
  host?: string;
  port?: number;
  rateLimits?: RateLimitMode;
  clock?: Clock;
  /** How a 'slow' fault waits (tests pass one that records the delay and resolves at once). */
  sleep?: (ms: number) => Promise<void>;
};

export type OktaServer = {
  /** The org URL, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  faults: Faults;
  mutations: OktaMutations;
  /** Random realistic changes, each through `mutations` (what POST /__sandbox/mutate does). */
  mutate: (request: MutateRequest) => MutateSummary;
  log: SystemLog;
  state: OktaState;
  /** Counters for benches: requests answered, 429s for a spent rate-limit bucket (injected faults not counted). */
  stats: OktaServerStats;
  close: () => Promise<void>;
};

export type OktaServerStats = { requests: number; rateLimited: number };


function hasScope(scopes: ReadonlySet<string>, needed: string): boolean {
  // An Okta `.manage` scope also grants the matching `.read`.
  return scopes.has(needed) || (needed.endsWith('.read') && scopes.has(`${needed.slice(0, -'.read'.length)}.manage`));
}

export async function startOktaServer(options: OktaServerOptions): Promise<OktaServer> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const host = options.host ?? '127.0.0.1';
  let base = '';
  const state = createOktaState(options.org, () => base);
  const mutations = createMutations(state, clock);
  const faults = createFaults();
  const stats: OktaServerStats = { requests: 0, rateLimited: 0 };
  const limiter = createRateLimiter(options.rateLimits ?? 'off');
  const issuer = createTokenIssuer(options.oauthClients ?? []);
  const apiTokens = new Map(options.apiTokens.map((t) => [t.token, t]));
  const signingKey = options.oidcSigningKey ?? generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const signingJwk = createPublicKey(signingKey).export({ format: 'jwk' });
  const signingKid = randomBytes(32).toString('base64url').slice(0, 43);
  const oidc = createOidcProvider(options.oidcClients ?? [], {
    issuer: () => base,
    // Okta's authorization codes live 5 minutes; ID tokens an hour.
    codeLifetimeS: 300,
    idTokenLifetimeS: 3600,
    signingKey,
    kid: signingKid,
    requireState: true,
    idTokenClaims: (account) => ({ ...account.claims, ver: 1, jti: `ID.${randomBytes(32).toString('base64url')}`, amr: ['pwd'], idp: options.org.company.id }),
  });

  const authenticate = (req: IncomingMessage): Principal | Reply => {
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = space > 0 ? header.slice(0, space).toLowerCase() : '';
    const credential = space > 0 ? header.slice(space + 1).trim() : '';
    if (scheme === 'ssws') {
      const token = apiTokens.get(credential);
      if (token) return { kind: 'ssws', user: token.user, role: token.role };
    } else if (scheme === 'bearer') {
      const token = issuer.lookup(credential, clock.now().getTime());
      const client = token ? issuer.client(token.clientId) : undefined;
      if (token && client) return { kind: 'oauth', clientId: client.clientId, label: client.label, scopes: token.scopes };
      return errorReply(401, 'E0000011', 'Invalid token provided', [], {
        'WWW-Authenticate': `Bearer authorization_uri="${base}/oauth2/v1/authorize", realm="${base}", error="invalid_token", error_description="The access token is invalid.", resource="${req.url?.split('?')[0] ?? ''}"`,
      });
    }
    return errorReply(401, 'E0000011', 'Invalid token provided');
  };

  /** The sandbox user a login names, if they may sign in (active, not deleted). */
  const signInAccount = (login: string): OidcAccount | { refused: string } => {
    const index = state.findUser(login.trim());
    const u = index === undefined ? undefined : options.org.users[index];
    if (!u || u.deleted) return { refused: `No user '${login.trim()}' in this sandbox org.` };
    if (u.status !== 'ACTIVE') return { refused: `The user ${u.login} cannot sign in: their status is ${u.status}.` };
    const name = `${u.firstName} ${u.lastName}`;
    return { login: u.login, name, claims: { sub: u.id, name, email: u.email, preferred_username: u.login } };
  };

  /** A few active managers to pick on the sign-in page. */
  const suggestions = (): { login: string; name: string }[] => {
    const managers = new Set(options.org.users.map((u) => u.managerIndex));
    return options.org.users.filter((u) => !u.deleted && u.status === 'ACTIVE' && managers.has(u.index)).slice(0, 8).map((u) => ({ login: u.login, name: `${u.firstName} ${u.lastName}` }));
  };

  const oauthJson = (status: number, body: Record<string, unknown>): Reply => ({ status, body: JSON.stringify(body), contentType: JSON_TYPE, headers: { 'Cache-Control': 'no-store', Pragma: 'no-cache' } });
  const htmlReply = (status: number, html: string): Reply => ({ status, body: html, contentType: 'text/html;charset=utf-8' });
  const errorPage = (f: OidcFailure): Reply => htmlReply(f.status, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>400 Bad Request</title></head><body><h1>${f.error}</h1><p id="error-description">${f.description.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p></body></html>`);

  /** GET shows the sign-in page; POST (from that page) signs the user in and redirects with a code. */
  const authorize = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') return errorReply(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const params = method === 'POST' ? new URLSearchParams((await readBody(req)) ?? '') : url.searchParams;
    const parsed = oidc.parseAuthorize(params);
    if (!parsed.ok) return parsed.redirect ? { status: 302, headers: { Location: parsed.redirect } } : errorPage(parsed.failure);
    const page = (error?: string, loginValue?: string): Reply =>
      htmlReply(200, signInPage({ vendor: 'Okta', action: '/oauth2/v1/authorize', params, clientLabel: parsed.request.client.label, suggestions: suggestions(), ...(error ? { error } : {}), loginValue: loginValue ?? parsed.request.loginHint ?? '' }));
    if (method === 'GET') return page();
    const login = params.get('login') || params.get('username') || '';
    if (!login.trim()) return page('Type a username or pick a user.');
    const account = signInAccount(login);
    if ('refused' in account) return page(account.refused, login);
    return { status: 302, headers: { Location: oidc.issueCode(parsed.request, account, clock.now().getTime()) } };
  };

  const apiRequest = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path === '/oauth2/v1/token') {
      if (method !== 'POST') return errorReply(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      const body = await readBody(req);
      if (body === null) return { status: 400, body: JSON.stringify({ error: 'invalid_request', error_description: 'The request body is too large.' }), contentType: JSON_TYPE };
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'authorization_code') {
        const result = oidc.redeem(form, clock.now().getTime());
        return result.ok ? oauthJson(200, result.body) : oauthJson(result.failure.status, { error: result.failure.error, error_description: result.failure.description });
      }
      const result = issuer.handle(form, `${base}/oauth2/v1/token`, clock.now().getTime());
      return oauthJson(result.status, result.body);
    }
    if (path === '/oauth2/v1/authorize') return authorize(req, url);
    if (path === '/.well-known/openid-configuration' && method === 'GET') return { status: 200, body: JSON.stringify(openIdConfiguration()), contentType: JSON_TYPE };
    if (path === '/oauth2/v1/keys' && method === 'GET') {
      return { status: 200, body: JSON.stringify({ keys: [{ kty: 'RSA', alg: 'RS256', kid: signingKid, use: 'sig', e: signingJwk.e, n: signingJwk.n }] }), contentType: JSON_TYPE, headers: { 'Cache-Control': 'max-age=3600, must-revalidate' } };
    }
    const match = matchRoute(method, path);
    if (match === null) return errorReply(404, 'E0000007', `Not found: Resource not found: ${path} (Endpoint)`);
    if ('methodNotAllowed' in match) return errorReply(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    const principal = authenticate(req);
    if ('status' in principal) return principal;
    const { route, params } = match;
    if (principal.kind === 'oauth' && !hasScope(principal.scopes, route.scope)) {
      return accessDenied({
        'WWW-Authenticate': `Bearer authorization_uri="${base}/oauth2/v1/authorize", realm="${base}", scope="${route.scope}", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="${path}"`,
      });
    }
    if (principal.kind === 'ssws' && route.write && principal.role !== 'SUPER_ADMIN') return accessDenied();
    if (route.write) await readBody(req);
    try {
      return route.handle({ state, mutations, clock, method, path, query: url.searchParams, params, principal });
    } catch (e) {
      if (e instanceof OktaHttpError) return e.reply;
      throw e;
    }
  };

  /** The org authorization server's OpenID configuration, in the shape Okta serves it. */
  const openIdConfiguration = (): Record<string, unknown> => ({
    issuer: base,
    authorization_endpoint: `${base}/oauth2/v1/authorize`,
    token_endpoint: `${base}/oauth2/v1/token`,
    userinfo_endpoint: `${base}/oauth2/v1/userinfo`,
    registration_endpoint: `${base}/oauth2/v1/clients`,
    jwks_uri: `${base}/oauth2/v1/keys`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'code token', 'id_token token', 'code id_token token'],
    response_modes_supported: ['query', 'fragment', 'form_post', 'okta_post_message'],
    grant_types_supported: ['authorization_code', 'implicit', 'refresh_token', 'password', 'urn:ietf:params:oauth:grant-type:device_code'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'profile', 'address', 'phone', 'offline_access', 'groups'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    claims_supported: ['iss', 'ver', 'sub', 'aud', 'iat', 'exp', 'jti', 'auth_time', 'amr', 'idp', 'nonce', 'name', 'nickname', 'preferred_username', 'given_name', 'middle_name', 'family_name', 'email', 'email_verified', 'profile', 'zoneinfo', 'locale', 'address', 'phone_number', 'picture', 'website', 'gender', 'birthdate', 'updated_at', 'at_hash', 'c_hash'],
    code_challenge_methods_supported: ['S256'],
    introspection_endpoint: `${base}/oauth2/v1/introspect`,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    revocation_endpoint: `${base}/oauth2/v1/revoke`,
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'client_secret_jwt', 'private_key_jwt', 'none'],
    end_session_endpoint: `${base}/oauth2/v1/logout`,
    request_parameter_supported: true,
    request_object_signing_alg_values_supported: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
    device_authorization_endpoint: `${base}/oauth2/v1/device/authorize`,
    dpop_signing_alg_values_supported: ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'],
  });

  const controlRequest = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const principal = authenticate(req);
    if ('status' in principal) return principal;
    if (principal.kind !== 'ssws' || principal.role !== 'SUPER_ADMIN') return accessDenied();
    if (url.pathname === '/__sandbox/mutate') {
      if (req.method !== 'POST') return errorReply(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      const body = await readBody(req);
      let summary: MutateSummary;
      try {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body ?? '') as unknown;
        } catch {
          throw new MutateRequestError('the body is not JSON');
        }
        summary = applyRandomChanges(state, mutations, parseMutateRequest(parsed));
      } catch (e) {
        if (e instanceof MutateRequestError) return errorReply(400, 'E0000001', 'Api validation failed: mutate', [e.message]);
        throw e;
      }
      return { status: 200, contentType: JSON_TYPE, body: JSON.stringify(summary) };
    }
    if (url.pathname !== '/__sandbox/faults') return errorReply(404, 'E0000007', `Not found: Resource not found: ${url.pathname} (Endpoint)`);
    const list = (): Reply => ({
      status: 200,
      contentType: JSON_TYPE,
      body: JSON.stringify({ faults: faults.list().map((f) => ({ ...f, match: typeof f.match === 'string' ? f.match : f.match.source, regex: typeof f.match !== 'string' })) }),
    });
    switch (req.method) {
      case 'GET':
        return list();
      case 'DELETE':
        faults.clear();
        return { status: 204 };
      case 'POST': {
        const body = await readBody(req);
        try {
          for (const f of parseFaultRequest(JSON.parse(body ?? '') as unknown)) faults.add(f);
        } catch (e) {
          return errorReply(400, 'E0000001', 'Api validation failed: fault', [(e as Error).message]);
        }
        return list();
      }
      default:
        return errorReply(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
    }
  };

  const send = (res: ServerResponse, reply: Reply, rate: RateLimitDecision | null, resetMidBody: boolean): void => {
    res.statusCode = reply.status;
    res.setHeader('Date', clock.now().toUTCString());
    res.setHeader('X-Okta-Request-Id', randomBytes(20).toString('base64url').slice(0, 27));
    if (rate) {
      res.setHeader('X-Rate-Limit-Limit', String(rate.limit));
      res.setHeader('X-Rate-Limit-Remaining', String(rate.remaining));
      res.setHeader('X-Rate-Limit-Reset', String(rate.reset));
    }
    res.setHeader('Cache-Control', 'no-cache, no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('Expires', '0');
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    const body = reply.body === undefined ? null : typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : reply.body;
    if (body) {
      res.setHeader('Content-Type', reply.contentType ?? JSON_TYPE);
      res.setHeader('Content-Length', String(body.length));
    }
    if (resetMidBody) {
      // Promise the whole body, deliver half of it, then cut the connection:
      // the client sees a response that dies mid-transfer.
      res.flushHeaders();
      const cut = (): void => {
        res.destroy();
      };
      if (body && body.length > 1) res.write(body.subarray(0, Math.floor(body.length / 2)), cut);
      else setImmediate(cut);
      return;
    }
    res.end(body ?? undefined);
  };

  const faultReply = (status: 429 | 500 | 502 | 503, path: string): { reply: Reply; rate: RateLimitDecision | null } => {
    switch (status) {
      case 429: {
        const peek = limiter.peek(path, clock.now().getTime());
        return { reply: errorReply(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'), rate: { ...peek, remaining: 0, allowed: false } };
      }
      case 500:
        return { reply: errorReply(500, 'E0000009', 'Internal Server Error'), rate: null };
      case 503:
        return { reply: errorReply(503, 'E0000010', 'Service is in read only mode'), rate: null };
      default:
        // A proxy in front of Okta failing: HTML, not an Okta error body.
        return { reply: { status: 502, contentType: 'text/html', body: '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>' }, rate: null };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', base);
    const method = req.method ?? 'GET';
    if (url.pathname.startsWith('/__sandbox/')) {
      send(res, await controlRequest(req, url), null, false);
      return;
    }
    const fault = await applyFault(faults.take(method, url.pathname), req, sleep);
    if (fault.dropped) return;
    if (fault.errorStatus !== null) {
      const { reply, rate } = faultReply(fault.errorStatus, url.pathname);
      send(res, reply, rate, false);
      return;
    }
    const { resetMidBody } = fault;
    stats.requests++;
    const rate = limiter.take(url.pathname, clock.now().getTime());
    if (!rate.allowed) {
      stats.rateLimited++;
      send(res, errorReply(429, 'E0000047', 'API call exceeded rate limit due to too many requests.'), rate, resetMidBody);
      return;
    }
    send(res, await apiRequest(req, url), rate, resetMidBody);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      // A bug in a handler: answer like Okta's 500 rather than hanging the client.
      if (!res.headersSent) {
        res.statusCode = 500;
        res.setHeader('Content-Type', ERROR_JSON_TYPE);
        res.end(errorReply(500, 'E0000009', 'Internal Server Error', [e instanceof Error ? e.message : String(e)]).body as string);
      } else res.destroy();
    });
  });
  // Sync clients keep connections alive across thousands of pages.
  server.keepAliveTimeout = 30_000;

  const listening = await listen(server, options.port ?? 0, host);
  base = originOf('http', host, listening.port);

  return {
    url: base,
    faults,
    mutations,
    mutate: (request) => applyRandomChanges(state, mutations, parseMutateRequest(request)),
    log: state.log,
    stats,
    state,
    close: listening.close,
  };
}

