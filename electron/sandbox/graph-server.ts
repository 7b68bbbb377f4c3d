// A Microsoft Graph-compatible HTTPS server on loopback (node:https, no
// framework) over the Entra view of a generated organisation, plus the
// Microsoft identity platform's client-credentials token endpoint for its
// tenant. Around the handlers of graph-routes.ts it does, in this order:
//   1. injected faults (network / edge failures, before anything else);
//   2. authentication: `Bearer <token>` from POST /{tenant}/oauth2/v2.0/token,
//      401 InvalidAuthenticationToken otherwise;
//   3. authorisation: the token's `roles` (the application permissions
//      granted to the app) must include one the operation accepts, else 403
//      Authorization_RequestDenied;
//   4. throttling (when on): Graph's identity limits are resource units per
//      app and tenant per 10 s window, sized by tenant; a spent budget gets
//      429 TooManyRequests with Retry-After (seconds);
//   5. the route.
// The identity platform side serves what MSAL (under @azure/identity) reads
// before it asks for a token: the tenant's OpenID configuration and its
// signing keys. Tokens are RS256 JWTs with the claims of an app-only Graph
// token (roles, tid, appid, appidacr...), signed with the server's TLS key
// (published at jwks_uri). Clients authenticate with a client secret or a
// client assertion (a JWT signed with a certificate registered on the app,
// RS256 or PS256, named by its x5t / x5t#S256 thumbprint).
// Operator sign-in (graph-sign-in.ts over oidc.ts): /{tenant}/oauth2/v2.0/authorize shows the
// sandbox's sign-in page, and the token endpoint also redeems authorization
// codes (public client + PKCE) for v2.0 ID tokens (oid, tid, a pairwise sub),
// signed with the same published key.
// It is https because the Graph SDK only sends tokens to custom hosts over
// https; the certificate comes from tls.ts and clients pin its CA.
import { constants as cryptoConstants, createHash, createPublicKey, randomBytes, randomUUID, sign as cryptoSign, verify as cryptoVerify, X509Certificate } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { listen, originOf } from '../engine/net/listen.js';
import { readBody, realSleep, sameSecret, systemClock } from './http-util.js';
import { applyFault, createFaults, type Faults } from './faults.js';
import { createGraphDirectory, type GraphDirectory, type GraphUserOverride } from './graph-directory.js';
import { aadError, graphError, GraphHttpError, type GraphReply } from './graph-errors.js';
import { requestCost, requirePermission } from './graph-route-kit.js';
import { createGraphSignIn } from './graph-sign-in.js';
import type { OidcClient } from './oidc.js';
import { matchGraphRoute } from './graph-routes.js';
import type { Clock } from './okta-state.js';
import type { Org } from './org-model.js';

/** An app registration the sandbox tenant trusts, with its credentials and the application permissions (app roles) admin-consented for it. */
export type GraphClient = {
  clientId: string;
  clientSecret: string;
  displayName: string;
  /** Granted application permissions, e.g. User.Read.All (default: SANDBOX_GRAPH_ROLES). */
  roles?: readonly string[];
  /** Certificates (PEM) registered as the app's certificate credentials. */
  certificates?: readonly string[];
};

/** What the sandbox app is granted unless told otherwise: everything Latchkey reads, and group membership writes. */
export const SANDBOX_GRAPH_ROLES: readonly string[] = ['User.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'User.EnableDisableAccount.All', 'AuditLog.Read.All', 'Application.Read.All'];

export type GraphServerOptions = {
  org: Org;
  tls: { certPem: string; keyPem: string };
  /** App registrations allowed to use client_credentials with a client secret. */
  clients: readonly GraphClient[];
  /** Public client app registrations (mobile and desktop redirect URIs) users sign in to. */
  oidcClients?: readonly OidcClient[];
  host?: string;
  port?: number;
  /** Enforce Graph's identity throttling (429 + Retry-After). Off by default. */
  throttling?: boolean;
  /** Resource units per 10 s per app (default by tenant size, as Graph: <50 users 3500, <=500 5000, else 8000). */
  throttleBudget?: number;
  /** The throttling window (default 10 s, as Graph). Tests shorten it so a Retry-After costs them less than a second. */
  throttleWindowMs?: number;
  clock?: Clock;
  /** How a 'slow' fault waits. */
  sleep?: (ms: number) => Promise<void>;
  /** Delta tokens older than this get 410 syncStateNotFound (default 7 days, Entra's directory change retention). */
  deltaTokenMaxAgeMs?: number;
  /** Access token lifetime (default 3599 s, as the identity platform issues). */
  tokenLifetimeSeconds?: number;
  /** Most member references one groups/delta page carries (default 1000); larger groups continue on the next page. */
  deltaMembersPerPage?: number;
};

export type GraphServerStats = {
  /** Requests answered (token and Graph). */
  requests: number;
  /** 429s for a spent throttling budget (injected faults not counted). */
  throttled: number;
  /** Resource units spent by requests that were served. */
  resourceUnits: number;
  /** Requests per Host header (e.g. to see that nothing followed a link to another host). */
  hosts: Record<string, number>;
};

/** Changes made "in Entra, outside Latchkey", for tests of delta sync and drift. */
export type GraphMutations = {
  updateUser: (userIndex: number, patch: GraphUserOverride) => void;
  deleteUser: (userIndex: number) => void;
  /** True when added (false if already a member). */
  addMember: (groupIndex: number, userIndex: number) => boolean;
  removeMember: (groupIndex: number, userIndex: number) => boolean;
  /** Changes an app's granted permissions (admin consent); tokens issued from then on carry them. */
  setRoles: (clientId: string, roles: readonly string[]) => void;
};

export type GraphServer = {
  /** https://127.0.0.1:P (no trailing slash): Graph is at `${url}/v1.0`, tokens at `${url}/${tenantId}/oauth2/v2.0/token`. */
  url: string;
  tenantId: string;
  directory: GraphDirectory;
  faults: Faults;
  mutations: GraphMutations;
  stats: () => GraphServerStats;
  /**
   * Makes @odata.nextLink / deltaLink point at another origin (null: back to
   * this server): a forged link, for tests that a client never follows one
   * to a host other than its Graph endpoint.
   */
  setLinkBase: (origin: string | null) => void;
  close: () => Promise<void>;
};

export const GRAPH_DEFAULT_SCOPE = 'https://graph.microsoft.com/.default';
const JSON_TYPE = 'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const AAD_JSON_TYPE = 'application/json; charset=utf-8';

/** Graph's budget by tenant size (identity and access throttling, "resource units per 10 seconds"). */
export function defaultThrottleBudget(users: number): number {
  return users < 50 ? 3500 : users <= 500 ? 5000 : 8000;
}

const b64url = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

type RegisteredCertificate = { publicKey: ReturnType<typeof createPublicKey>; x5t: string; x5tS256: string };

function registerCertificate(pem: string): RegisteredCertificate {
  const cert = new X509Certificate(pem);
  return {
    publicKey: cert.publicKey,
    x5t: createHash('sha1').update(cert.raw).digest('base64url'),
    x5tS256: createHash('sha256').update(cert.raw).digest('base64url'),
  };
}

/** A GUID derived from a string (stable ids for the app's service principal and similar). */
function derivedGuid(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

type AssertionCheck = { ok: true } | { ok: false; status: number; error: string; code: number; message: string };

/**
 * Checks a client assertion as the identity platform does: a JWT signed
 * RS256 or PS256 by a certificate registered on the app (found by its
 * x5t#S256 or x5t header), issued and subject the client id, for this
 * tenant's token endpoint, within its validity.
 */
function checkAssertion(jwt: string, clientId: string, certificates: readonly RegisteredCertificate[], audiences: readonly string[], nowSeconds: number): AssertionCheck {
  const malformed = (detail: string): AssertionCheck => ({ ok: false, status: 401, error: 'invalid_client', code: 50027, message: `JWT token is invalid or malformed. ${detail}` });
  const parts = jwt.split('.');
  if (parts.length !== 3) return malformed('The assertion is not a compact JWS.');
  const [h = '', p = '', sig = ''] = parts;
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8')) as Record<string, unknown>;
    claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return malformed('The header or payload is not JSON.');
  }
  const alg = header.alg;
  if (alg !== 'RS256' && alg !== 'PS256') return malformed(`Unsupported signing algorithm '${String(alg)}'.`);
  const s256 = typeof header['x5t#S256'] === 'string' ? header['x5t#S256'] : null;
  const s1 = typeof header.x5t === 'string' ? header.x5t : null;
  const cert = certificates.find((c) => (s256 !== null && c.x5tS256 === s256) || (s1 !== null && c.x5t === s1));
  if (!cert) {
    const thumb = s256 ?? s1 ?? '(none)';
    return { ok: false, status: 401, error: 'invalid_client', code: 700027, message: `Client assertion failed signature validation. [Reason - The key was not found., Thumbprint of key used by client: '${thumb}', Please visit the Azure Portal to see configured keys for app Id '${clientId}'.]` };
  }
  const key = alg === 'PS256' ? { key: cert.publicKey, padding: cryptoConstants.RSA_PKCS1_PSS_PADDING, saltLength: cryptoConstants.RSA_PSS_SALTLEN_DIGEST } : cert.publicKey;
  if (!cryptoVerify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'))) {
    return { ok: false, status: 401, error: 'invalid_client', code: 700027, message: 'Client assertion contains an invalid signature.' };
  }
  if (claims.iss !== clientId || claims.sub !== clientId) {
    return { ok: false, status: 401, error: 'invalid_client', code: 700021, message: "Client assertion application identifier doesn't match 'client_id' parameter." };
  }
  if (typeof claims.aud !== 'string' || !audiences.includes(claims.aud)) return malformed(`The audience '${String(claims.aud)}' is invalid: it must be this tenant's token endpoint.`);
  const exp = typeof claims.exp === 'number' ? claims.exp : NaN;
  const nbf = typeof claims.nbf === 'number' ? claims.nbf : -Infinity;
  // Five minutes of clock skew either way, as the identity platform allows.
  if (!(exp + 300 > nowSeconds) || nbf - 300 > nowSeconds) {
    return { ok: false, status: 401, error: 'invalid_client', code: 700024, message: 'Client assertion is not within its valid time range.' };
  }
  return { ok: true };
}

export async function startGraphServer(options: GraphServerOptions): Promise<GraphServer> {
  const clock = options.clock ?? systemClock;
  const sleep = options.sleep ?? realSleep;
  const host = options.host ?? '127.0.0.1';
  const dir = createGraphDirectory(options.org);
  const faults = createFaults();
  type Registered = GraphClient & { grantedRoles: readonly string[]; certs: RegisteredCertificate[]; objectId: string };
  const clients = new Map<string, Registered>(
    options.clients.map((c) => [
      c.clientId,
      { ...c, grantedRoles: [...(c.roles ?? SANDBOX_GRAPH_ROLES)], certs: (c.certificates ?? []).map(registerCertificate), objectId: derivedGuid(`${dir.tenantId}:sp:${c.clientId}`) },
    ]),
  );
  const tokens = new Map<string, { clientId: string; expires: number; roles: ReadonlySet<string> }>();
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const deltaTokenMaxAgeMs = options.deltaTokenMaxAgeMs ?? 7 * 86_400_000;
  const deltaMembersPerPage = options.deltaMembersPerPage ?? 1000;
  const budget = options.throttleBudget ?? defaultThrottleBudget(options.org.users.length);
  const windows = new Map<string, { start: number; used: number }>();
  const windowMs = options.throttleWindowMs ?? 10_000;
  const stats: GraphServerStats = { requests: 0, throttled: 0, resourceUnits: 0, hosts: {} };
  // Tokens are signed with the server's TLS key; its certificate is the published signing key.
  const signingCert = new X509Certificate(options.tls.certPem);
  const signingKid = createHash('sha1').update(signingCert.raw).digest('base64url');
  let base = '';
  let linkBase: string | null = null;

  const knownTenant = (tenant: string): boolean => tenant.toLowerCase() === dir.tenantId || tenant.toLowerCase() === dir.domain.toLowerCase();
  const signIn = createGraphSignIn({
    org: options.org,
    dir,
    clients: options.oidcClients ?? [],
    keyPem: options.tls.keyPem,
    kid: signingKid,
    issuer: () => `${base}/${dir.tenantId}/v2.0`,
    clock,
    knownTenant,
  });

  const tokenEndpoint = (tenant: string): string => `${base}/${tenant}/oauth2/v2.0/token`;

  /** GET /{tenant}/v2.0/.well-known/openid-configuration, as login.microsoftonline.com answers it (endpoints on this server). */
  const openIdConfiguration = (tenant: string): GraphReply => {
    if (!knownTenant(tenant)) {
      return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, clock.now());
    }
    const t = dir.tenantId;
    const graphHost = new URL(base).host;
    return {
      status: 200,
      json: {
        token_endpoint: tokenEndpoint(t),
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/${t}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/${t}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${base}/${t}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/${t}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/${t}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'cloud_instance_name', 'cloud_instance_host_name', 'cloud_graph_host_name', 'msgraph_host', 'aud', 'exp', 'iat', 'auth_time', 'acr', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'at_hash', 'c_hash', 'email'],
        kerberos_endpoint: `${base}/${t}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'microsoftonline.com',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: graphHost,
        rbac_url: 'https://pas.windows.net',
      },
    };
  };

  /** GET /{tenant}/discovery/v2.0/keys: the key tokens are signed with. */
  const jwks = (tenant: string): GraphReply => {
    if (!knownTenant(tenant)) return aadError(400, 'invalid_tenant', 90002, `Tenant '${tenant}' not found.`, clock.now());
    const jwk = createPublicKey(options.tls.certPem).export({ format: 'jwk' });
    return { status: 200, json: { keys: [{ kty: 'RSA', use: 'sig', kid: signingKid, x5t: signingKid, n: jwk.n, e: jwk.e, x5c: [signingCert.raw.toString('base64')], issuer: `${base}/${dir.tenantId}/v2.0` }] } };
  };

  /** An app-only Graph access token: an RS256 JWT with the claims Entra puts in one (roles only when some are granted). */
  const issueToken = (client: Registered, viaCertificate: boolean, now: Date): string => {
    const iat = Math.floor(now.getTime() / 1000);
    const sts = `https://sts.windows.net/${dir.tenantId}/`;
    const header = { typ: 'JWT', nonce: randomBytes(32).toString('base64url'), alg: 'RS256', x5t: signingKid, kid: signingKid };
    const claims = {
      aud: 'https://graph.microsoft.com',
      iss: sts,
      iat,
      nbf: iat,
      exp: iat + lifetime,
      aio: randomBytes(40).toString('base64url'),
      app_displayname: client.displayName,
      appid: client.clientId,
      appidacr: viaCertificate ? '2' : '1',
      idp: sts,
      idtyp: 'app',
      oid: client.objectId,
      rh: `0.${randomBytes(24).toString('base64url')}.`,
      ...(client.grantedRoles.length > 0 ? { roles: [...client.grantedRoles] } : {}),
      sub: client.objectId,
      tenant_region_scope: 'EU',
      tid: dir.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      wids: ['0997a1d0-0d1d-4acb-b408-d5ca73121e90'],
      xms_tcdt: iat - 86_400 * 400,
    };
    const signingInput = `${b64url(header)}.${b64url(claims)}`;
    const signature = cryptoSign('sha256', Buffer.from(signingInput), options.tls.keyPem).toString('base64url');
    return `${signingInput}.${signature}`;
  };

  const tokenRequest = async (req: IncomingMessage, tenant: string): Promise<GraphReply> => {
    const now = clock.now();
    if (!knownTenant(tenant)) {
      return aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, now);
    }
    if (req.method !== 'POST') return aadError(400, 'invalid_request', 900561, 'The endpoint only accepts POST requests.', now);
    const form = new URLSearchParams((await readBody(req)) ?? '');
    const grantType = form.get('grant_type');
    if (!grantType) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'grant_type'.", now);
    if (grantType === 'authorization_code') {
      return signIn.redeem(form, now);
    }
    if (grantType !== 'client_credentials') return aadError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.', now);
    const clientId = form.get('client_id') ?? '';
    if (!clientId) return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_id'.", now);
    const client = clients.get(clientId);
    if (!client) {
      return aadError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${dir.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`, now);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    let viaCertificate = false;
    if (assertion !== null) {
      if (form.get('client_assertion_type') !== CLIENT_ASSERTION_TYPE) {
        return aadError(400, 'invalid_request', 900144, "The request body must contain the following parameter: 'client_assertion_type'.", now);
      }
      const audiences = [tokenEndpoint(dir.tenantId), tokenEndpoint(dir.domain), tokenEndpoint(tenant)];
      const check = checkAssertion(assertion, clientId, client.certs, audiences, Math.floor(now.getTime() / 1000));
      if (!check.ok) return aadError(check.status, check.error, check.code, check.message, now);
      viaCertificate = true;
    } else {
      if (!secret) return aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", now);
      if (!sameSecret(secret, client.clientSecret)) {
        return aadError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`, now);
      }
    }
    const scope = form.get('scope') ?? '';
    if (scope !== GRAPH_DEFAULT_SCOPE) {
      return aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, now);
    }
    const accessToken = issueToken(client, viaCertificate, now);
    tokens.set(accessToken, { clientId, expires: now.getTime() + lifetime * 1000, roles: new Set(client.grantedRoles) });
    return { status: 200, json: { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: accessToken }, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' } };
  };

  const unauthorized = (message: string): GraphReply => graphError(401, 'InvalidAuthenticationToken', message, { 'WWW-Authenticate': `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"` });

  const authenticate = (req: IncomingMessage): { clientId: string; roles: ReadonlySet<string> } | GraphReply => {
    const header = req.headers.authorization ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m) return unauthorized('Access token is empty.');
    const token = tokens.get(m[1] ?? '');
    if (!token) return unauthorized('Access token validation failure. Invalid audience.');
    if (token.expires <= clock.now().getTime()) return unauthorized('Lifetime validation failed, the token is expired.');
    return token;
  };

  /** Spends `cost` resource units of the client's current 10 s window; null when allowed, else seconds to wait. */
  const throttle = (clientId: string, cost: number): number | null => {
    if (!options.throttling) return null;
    const now = clock.now().getTime();
    const start = now - (now % windowMs);
    let w = windows.get(clientId);
    if (!w || w.start !== start) {
      w = { start, used: 0 };
      windows.set(clientId, w);
    }
    if (w.used + cost > budget) return Math.max(1, Math.ceil((start + windowMs - now) / 1000));
    w.used += cost;
    return null;
  };

  const apiRequest = async (req: IncomingMessage, url: URL): Promise<GraphReply & { html?: string }> => {
    const method = req.method ?? 'GET';
    const tokenPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname);
    if (tokenPath) return tokenRequest(req, decodeURIComponent(tokenPath[1] ?? ''));
    const authorizePath = /^\/([^/]+)\/oauth2\/v2\.0\/authorize$/.exec(url.pathname);
    if (authorizePath) return signIn.authorize(req, url, decodeURIComponent(authorizePath[1] ?? ''));
    const oidc = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname);
    if (oidc && method === 'GET') return openIdConfiguration(decodeURIComponent(oidc[1] ?? ''));
    const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(url.pathname);
    if (keys && method === 'GET') return jwks(decodeURIComponent(keys[1] ?? ''));
    if (!url.pathname.startsWith('/v1.0/')) return graphError(400, 'BadRequest', `Invalid version: ${url.pathname.split('/')[1] ?? ''}`);
    const path = url.pathname.slice('/v1.0'.length);
    const principal = authenticate(req);
    if ('status' in principal) return principal;
    const match = matchGraphRoute(method, path);
    if (match === null) return graphError(400, 'BadRequest', `Resource not found for the segment '${path.split('/')[1] ?? ''}'.`);
    if ('methodNotAllowed' in match) return graphError(405, 'Request_BadRequest', 'Specified HTTP method is not allowed for the request target.');
    try {
      requirePermission(principal.roles, match.route.permissions);
    } catch (e) {
      if (e instanceof GraphHttpError) return e.reply;
      throw e;
    }
    const cost = requestCost(match.route.cost, url.searchParams);
    const wait = throttle(principal.clientId, cost);
    if (wait !== null) {
      stats.throttled++;
      return graphError(429, 'TooManyRequests', `Your request is throttled temporarily. Please try after ${wait} seconds.`, { 'Retry-After': String(wait) });
    }
    stats.resourceUnits += cost;
    const body = match.route.write ? await readBody(req) : null;
    // Graph reports what an identity request cost in resource units.
    const withCost = (reply: GraphReply): GraphReply => ({ ...reply, headers: { ...reply.headers, 'x-ms-resource-unit': String(cost) } });
    try {
      return withCost(
        match.route.handle(
          { dir, roles: principal.roles, deltaMembersPerPage, base: linkBase ?? base, now: clock.now().getTime(), method, path, query: url.searchParams, body, deltaTokenMaxAgeMs },
          match.params,
        ),
      );
    } catch (e) {
      if (e instanceof GraphHttpError) return withCost(e.reply);
      throw e;
    }
  };

  const send = (req: IncomingMessage, res: ServerResponse, reply: GraphReply & { html?: string }, resetMidBody: boolean): void => {
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
    if (reply.html !== undefined) {
      const page = Buffer.from(reply.html, 'utf8');
      res.setHeader('Content-Type', 'text/html; charset=utf-8');
      res.setHeader('Content-Length', String(page.length));
      res.end(page);
      return;
    }
    const json = reply.error
      ? { error: { code: reply.error.code, message: reply.error.message, innerError: { date: now.toISOString().replace(/\.\d{3}Z$/, 'Z'), 'request-id': requestId, 'client-request-id': clientRequestId } } }
      : reply.json;
    if (json === undefined) {
      res.end();
      return;
    }
    const body = Buffer.from(JSON.stringify(json), 'utf8');
    // The identity platform answers plain JSON; Graph answers OData JSON.
    res.setHeader('Content-Type', /\/oauth2\/v2\.0\/token$|\/\.well-known\/openid-configuration$|\/discovery\/v2\.0\/keys$/.test(req.url?.split('?')[0] ?? '') ? AAD_JSON_TYPE : JSON_TYPE);
    res.setHeader('Content-Length', String(body.length));
    if (resetMidBody) {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
      return;
    }
    res.end(body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    stats.requests++;
    const hostHeader = req.headers.host ?? '';
    stats.hosts[hostHeader] = (stats.hosts[hostHeader] ?? 0) + 1;
    const fault = await applyFault(faults.take(req.method ?? 'GET', url.pathname), req, sleep);
    if (fault.dropped) return;
    if (fault.errorStatus === 429) {
      send(req, res, graphError(429, 'TooManyRequests', 'Your request is throttled temporarily. Please try after 2 seconds.', { 'Retry-After': '2' }), false);
      return;
    }
    if (fault.errorStatus !== null) {
      const status = fault.errorStatus;
      const [code, message] = status === 503 ? ['serviceNotAvailable', 'The service is temporarily unavailable. Please retry later.'] : status === 502 ? ['BadGateway', 'Bad Gateway'] : ['generalException', 'An unspecified error has occurred.'];
      send(req, res, graphError(status, code, message), false);
      return;
    }
    const { resetMidBody } = fault;
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
    setRoles: (clientId, roles) => {
      const client = clients.get(clientId);
      if (!client) throw new RangeError(`no app registration ${clientId}`);
      client.grantedRoles = [...roles];
    },
  };

  return {
    url: base,
    tenantId: dir.tenantId,
    directory: dir,
    faults,
    mutations,
    stats: () => ({ ...stats, hosts: { ...stats.hosts } }),
    setLinkBase: (origin) => {
      linkBase = origin === null ? null : new URL(origin).origin;
    },
    close: listening.close,
  };
}
