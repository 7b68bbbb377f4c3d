// A Microsoft Graph-compatible HTTPS server on loopback (node:https, no
// framework) over the Entra view of a generated organisation, plus the
// Microsoft identity platform's client-credentials token endpoint for its
// tenant. Around the handlers of graph-routes.ts it does, in this order:
//   1. injected faults (network / edge failures, before anything else);
//   2. authentication: `Bearer <token>` from POST /{tenant}/oauth2/v2.0/token,
//      401 InvalidAuthenticationToken otherwise;
//   3. throttling (when on): Graph's identity limits are resource units per
//      app and tenant per 10 s window, sized by tenant; a spent budget gets
//      429 TooManyRequests with Retry-After (seconds);
//   4. the route.
// It is https because the Graph SDK only sends tokens to custom hosts over
// https; the certificate comes from tls.ts and clients pin its CA.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { listen, originOf } from '../engine/net/listen.js';
import { createFaults, type Faults } from './faults.js';
import { createGraphDirectory, type GraphDirectory, type GraphUserOverride } from './graph-directory.js';
import { aadError, graphError, GraphHttpError, type GraphReply } from './graph-errors.js';
import { matchGraphRoute } from './graph-routes.js';
import type { Clock } from './okta-state.js';
import type { Org } from './org-generator.js';

export type GraphClient = { clientId: string; clientSecret: string; displayName: string };

export type GraphServerOptions = {
  org: Org;
  tls: { certPem: string; keyPem: string };
  /** App registrations allowed to use client_credentials with a client secret. */
  clients: readonly GraphClient[];
  host?: string;
  port?: number;
  /** Enforce Graph's identity throttling (429 + Retry-After). Off by default. */
  throttling?: boolean;
  /** Resource units per 10 s per app (default by tenant size, as Graph: <50 users 3500, <=500 5000, else 8000). */
  throttleBudget?: number;
  clock?: Clock;
  /** How a 'slow' fault waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Delta tokens older than this get 410 syncStateNotFound (default 7 days, Entra's directory change retention). */
  deltaTokenMaxAgeMs?: number;
  /** Access token lifetime (default 3599 s, as the identity platform issues). */
  tokenLifetimeSeconds?: number;
};

/** Changes made "in Entra, outside Latchkey", for tests of delta sync and drift. */
export type GraphMutations = {
  updateUser: (userIndex: number, patch: GraphUserOverride) => void;
  deleteUser: (userIndex: number) => void;
  /** True when added (false if already a member). */
  addMember: (groupIndex: number, userIndex: number) => boolean;
  removeMember: (groupIndex: number, userIndex: number) => boolean;
};

export type GraphServer = {
  /** https://127.0.0.1:P (no trailing slash): Graph is at `${url}/v1.0`, tokens at `${url}/${tenantId}/oauth2/v2.0/token`. */
  url: string;
  tenantId: string;
  directory: GraphDirectory;
  faults: Faults;
  mutations: GraphMutations;
  close: () => Promise<void>;
};

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const AAD_JSON_TYPE = 'application/json; charset=utf-8';
const MAX_BODY = 1 << 20;
const WINDOW_MS = 10_000;
const systemClock: Clock = { now: () => new Date() };
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

const sameSecret = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** Graph's budget by tenant size (identity and access throttling, "resource units per 10 seconds"). */
export function defaultThrottleBudget(users: number): number {
  return users < 50 ? 3500 : users <= 500 ? 5000 : 8000;
}

export async function startGraphServer(options: GraphServerOptions): Promise<GraphServer> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const host = options.host ?? '127.0.0.1';
  const dir = createGraphDirectory(options.org);
  const faults = createFaults();
  const clients = new Map(options.clients.map((c) => [c.clientId, c]));
  const tokens = new Map<string, { clientId: string; expires: number }>();
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const deltaTokenMaxAgeMs = options.deltaTokenMaxAgeMs ?? 7 * 86_400_000;
  const budget = options.throttleBudget ?? defaultThrottleBudget(options.org.users.length);
  const windows = new Map<string, { start: number; used: number }>();
  let base = '';

  const tokenRequest = async (req: IncomingMessage, tenant: string): Promise<GraphReply> => {
    const now = clock.now();
    if (tenant.toLowerCase() !== dir.tenantId && tenant.toLowerCase() !== dir.domain.toLowerCase()) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, now);
    }
    if (req.method !== 'POST') return aadError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.', now);
    const form = new URLSearchParams((await readBody(req)) ?? '');
    const grantType = form.get('grant_type');
    if (!grantType) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.", now);
    if (grantType !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.', now);
    const clientId = form.get('client_id') ?? '';
    if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", now);
    const client = clients.get(clientId);
    if (!client) {
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${dir.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, now);
    }
    const secret = form.get('client_secret');
    if (!secret) return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now);
    if (!sameSecret(secret, client.clientSecret)) {
      return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`, now);
    }
    const scope = form.get('scope') ?? '';
    if (scope !== GRAPH_DEFAULT_SCOPE) {
      return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, now);
    }
    // Opaque to clients (real ones are JWTs; the SDK never looks inside).
    const accessToken = `eyJ0eXAiOiJKV1QiLCJub25jZSI6${randomBytes(48).toString('base64url')}`;
    tokens.set(accessToken, { clientId, expires: now.getTime() + lifetime * 1000 });
    return { status: 200, json: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' } };
  };

  const unauthorized = (message: string): GraphReply => graphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` });

  const authenticate = (req: IncomingMessage): string | GraphReply => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) return unauthorized('Access token is empty.');
    const token = tokens.get(m[1] ?? '');
    if (!token) return unauthorized('Access token validation failure. Invalid audience.');
    if (token.expires <= clock.now().getTime()) return unauthorized('Lifetime validation failed, the token is expired.');
    return token.clientId;
  };

  /** Spends `cost` resource units of the client's current 10 s window; null when allowed, else seconds to wait. */
  const throttle = (clientId: string, cost: number): number | null => {
    if (!options.throttling) return null;
    const now = clock.now().getTime();
    const start = now - (now % WINDOW_MS);
    let w = windows.get(clientId);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      windows.set(clientId, w);
    }
    if (w.used + cost > budget) return Math.max(1, Math.ceil((start + WINDOW_MS - now) / 1000));
    w.used += cost;
    return null;
  };

  const apiRequest = async (req: IncomingMessage, url: URL): Promise<GraphReply> => {
    const method = req.method ?? 'GET';
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (tokenPath) return tokenRequest(req, decodeURIComponent(tokenPath[1] ?? ''));
    if (!url.pathname.startsWith('/v1.0/')) return graphError(400, 'BadRequest', `Invalid version: ${url.pathname.split('/')[1] ?? ''}`);
    const path = url.pathname.slice('/v1.0'.length);
    const principal = authenticate(req);
    if (typeof principal !== 'string') return principal;
    const match = matchGraphRoute(method, path);
    if (match === null) return graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`);
    if ('methodNotAllowed' in match) return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    const wait = throttle(principal, match.route.cost);
    if (wait !== null) {
      return graphError(429, 'TooManyRequests', `Your request is throttled temporarily. Please try after ${wait} seconds.`, { 'Retry-After': String(wait) });
    }
    const body = match.route.write ? await readBody(req) : null;
    try {
      return match.route.handle({ dir, base, now: clock.now().getTime(), method, path, query: url.searchParams, body, deltaTokenMaxAgeMs }, match.params);
    } catch (e) {
      if (e instanceof GraphHttpError) return e.reply;
      throw e;
    }
  };

  const send = (req: IncomingMessage, res: ServerResponse, reply: GraphReply, resetMidBody: boolean): void => {
    const now = clock.now();
    const requestId = randomUUID();
    const header = req.headers['client-request-id'];
    const clientRequestId = typeof header === 'string' && header !== '' ? header : requestId;
    res.statusCode = reply.status;
    res.setHeader('Date', now.toUTCString());
    res.setHeader('request-id', requestId);
    res.setHeader('client-request-id', clientRequestId);
    res.setHeader('x-ms-ags-diagnostic', JSON.stringify({ ServerInfo: { DataCenter: 'Sandbox', Slice: 'E', Ring: '0', ScaleUnit: '000', RoleInstance: 'LATCHKEY' } }));
    res.setHeader('Cache-Control', 'no-cache');
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    const json = reply.error
      ? { error: { code: reply.error.code, message: reply.error.message, innerError: { date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'request-id': requestId, 'client-request-id': clientRequestId } } }
      : reply.json;
    if (json === undefined) {
      res.end();
      return;
    }
    const body = Buffer.from(JSON.stringify(json), 'utf8');
    // The identity platform answers plain JSON; Graph answers OData JSON.
    res.setHeader('Content-Type', /\/oauth2\/v2\.0\/token$/.test(req.url?.split('?')[0] ?? '') ? AAD_JSON_TYPE : JSON_TYPE);
    res.setHeader('Content-Length', String(body.length));
    if (resetMidBody) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    let resetMidBody = false;
    const fault = faults.take(req.method ?? 'GET', url.pathname);
    if (fault) {
      if (fault.kind === 'drop') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'slow') await sleep(fault.delayMs);
      else if (fault.kind === 'reset-mid-body') resetMidBody = true;
      else if (fault.kind === '429') {
        send(req, res, graphError(429, 'TooManyRequests', 'Your request is throttled temporarily. Please try after 2 seconds.', { 'Retry-After': '2' }), false);
        return;
      } else {
        const status = Number(fault.kind);
        const [code, message] = status === 503 ? ['serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.'] : status === 502 ? ['BadGateway', 'Bad Gateway'] : ['generalException', 'An unspecified error has occurred.'];
        send(req, res, graphError(status, code, message), false);
        return;
      }
    }
    send(req, res, await apiRequest(req, url), resetMidBody);
  };

  const server: Server = createServer({ cert: options.tls.certPem, key: options.tls.keyPem }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) send(req, res, graphError(500, 'generalException', e instanceof Error ? e.message : String(e)), false);
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  const listening = await listen(server, options.port ?? 0, host);
  base = originOf('https', host, listening.port);

  const at = (): number => clock.now().getTime();
  const mutations: GraphMutations = {
    updateUser: (u, patch) => dir.updateUser(u, patch, at()),
    deleteUser: (u) => dir.deleteUser(u, at()),
    addMember: (g, u) => {
      const added = dir.memberships.add(g, u);
      if (added) dir.record({ kind: 'group', index: g, member: { user: u, added: true } }, at());
      return added;
    },
    removeMember: (g, u) => {
      const removed = dir.memberships.remove(g, u);
      if (removed) dir.record({ kind: 'group', index: g, member: { user: u, added: false } }, at());
      return removed;
    },
  };

  return {
    url: base,
    tenantId: dir.tenantId,
    directory: dir,
    faults,
    mutations,
    close: listening.close,
  };
}
