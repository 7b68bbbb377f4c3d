// Client-credentials sign-in for an Entra connection, with the official
// @azure/identity credentials (MSAL underneath): ClientSecretCredential or
// ClientCertificateCredential (a client assertion JWT signed with the app's
// certificate). Both talk to the connection's authority host through a
// pipeline policy that hands their requests our https.Agent, so a
// per-connection CA (the sandbox, TLS inspection) is trusted for the token
// host exactly as for Graph, and nowhere else in the process.
//
// Tokens are cached here until five minutes before expiry (MSAL caches too;
// this also keeps the token's `roles` claim at hand: the application
// permissions admin-consented for the app, which is what testConnection
// reports).
import type https from 'node:https';
import { ClientCertificateCredential, ClientSecretCredential, type TokenCredential } from '@azure/identity';
import type { EntraCredential } from '../types.js';
import { describeAadsts, EntraError, networkCode, networkError, redact, safeHost } from './entra-errors.js';

export const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';

/** Hosts of Microsoft's own clouds: MSAL may validate them through instance discovery. Anything else (the sandbox, ADFS-like setups) skips it. */
const MICROSOFT_AUTHORITIES = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.partner.microsoftonline.cn', 'login.chinacloudapi.cn', 'login.microsoftonline.de']);

export type AccessToken = { token: string; expiresAt: number; roles: string[]; tenantId: string | null };

export type TokenSource = {
  /** A valid access token (cached; refreshed five minutes before it expires). */
  get: () => Promise<AccessToken>;
};

export type TokenSourceOptions = {
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: EntraCredential;
  agent: https.Agent;
  now?: () => number;
};

/** The claims of a JWT access token we read (we never verify it: it is Graph's to verify, we only read what was granted). */
export function tokenClaims(token: string): { roles: string[]; tenantId: string | null } {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { roles?: unknown; tid?: unknown };
    const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
    return { roles, tenantId: typeof payload.tid === 'string' ? payload.tid : null };
  } catch {
    return { roles: [], tenantId: null };
  }
}

/**
 * The credential, and the last network failure its requests met: MSAL turns
 * a refused or untrusted connection into a generic "endpoints resolution"
 * error, so the policy below keeps the real cause for the message.
 */
export function createCredential(o: TokenSourceOptions, onNetworkError: (e: unknown) => void = () => undefined): TokenCredential {
  const host = new URL(o.authorityHost);
  const options = {
    authorityHost: host.origin,
    disableInstanceDiscovery: !MICROSOFT_AUTHORITIES.has(host.hostname.toLowerCase()),
    additionalPolicies: [
      {
        position: 'perCall' as const,
        policy: {
          name: 'latchkeyPinnedAgent',
          // Sets our agent (system CAs + the connection's CA, keep-alive) on every token-side request.
          sendRequest: async (request: { agent?: unknown }, next: (r: never) => Promise<unknown>) => {
            request.agent = o.agent;
            try {
              return await next(request as never);
            } catch (e) {
              if (networkCode(e) !== null) onNetworkError(e);
              throw e;
            }
          },
        },
      },
    ],
  };
  if (o.credential.type === 'secret') return new ClientSecretCredential(o.tenantId, o.clientId, o.credential.clientSecret, options as never);
  return new ClientCertificateCredential(o.tenantId, o.clientId, { certificate: o.credential.certificatePem }, options as never);
}

const secretsOf = (c: EntraCredential): string[] => (c.type === 'secret' ? [c.clientSecret] : [c.certificatePem]);

/** A failed sign-in as one line: the AADSTS code and text, or what went wrong on the way. Never the secret. */
export function signInError(e: unknown, o: Pick<TokenSourceOptions, 'authorityHost' | 'tenantId' | 'credential'>, lastNetworkError: unknown = null): EntraError {
  if (e instanceof EntraError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const where = `sign-in to tenant ${o.tenantId} at ${safeHost(o.authorityHost)} failed`;
  const aad = describeAadsts(raw);
  if (aad) return new EntraError(redact(`${where}: ${aad.message}`, secretsOf(o.credential)), 'sign-in', { aadsts: aad.aadsts });
  const cause = networkCode(e) !== null ? e : lastNetworkError;
  if (cause !== null && networkCode(cause) !== null) {
    const n = networkError(cause, o.authorityHost);
    return new EntraError(`${where}: ${n.message}`, n.kind, n.details);
  }
  if (/endpoints_resolution_error|openid/i.test(raw)) {
    return new EntraError(`${where}: the authority did not serve the tenant's OpenID configuration (check the tenant id and --authority)`, 'sign-in');
  }
  if (/PEM|certificate|private key/i.test(raw)) {
    return new EntraError(`${where}: the certificate PEM could not be used (it needs the certificate and its private key)`, 'sign-in');
  }
  return new EntraError(redact(`${where}: ${raw.split('\n')[0] ?? raw}`, secretsOf(o.credential)), 'sign-in');
}

export function createTokenSource(o: TokenSourceOptions): TokenSource {
  const now = o.now ?? Date.now;
  let credential: TokenCredential | null = null;
  let cached: AccessToken | null = null;
  let pending: Promise<AccessToken> | null = null;
  let lastNetworkError: unknown = null;
  const fetchToken = async (): Promise<AccessToken> => {
    lastNetworkError = null;
    try {
      credential ??= createCredential(o, (e) => {
        lastNetworkError = e;
      });
      const t = await credential.getToken(GRAPH_SCOPE);
      if (!t) throw new EntraError('the identity platform returned no access token', 'sign-in');
      return { token: t.token, expiresAt: t.expiresOnTimestamp, ...tokenClaims(t.token) };
    } catch (e) {
      throw signInError(e, o, lastNetworkError);
    }
  };
  return {
    get: () => {
      if (cached && cached.expiresAt - 5 * 60_000 > now()) return Promise.resolve(cached);
      // Concurrent callers share one token request.
      pending ??= fetchToken().then(
        (t) => {
          cached = t;
          pending = null;
          return t;
        },
        (e: unknown) => {
          pending = null;
          throw e;
        },
      );
      return pending;
    },
  };
}
