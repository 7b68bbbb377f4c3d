// The org authorization server's token endpoint, for OAuth 2.0 service apps:
// client_credentials with private_key_jwt client authentication, as Okta
// requires for its management API scopes. The client signs a JWT (iss = sub =
// client id, aud = the token endpoint URL, short exp) with its private key;
// the sandbox verifies it with the registered public key using node:crypto.
//
// @okta/okta-sdk-nodejs 8.x (src/oauth.js) also sends a DPoP proof header on
// the token request, and only switches to DPoP when the server answers
// `use_dpop_nonce`. The sandbox's service app does not require DPoP (the
// default for a new Okta service app), so the header is ignored and a plain
// Bearer token is issued, exactly as Okta does for such an app.
import { randomBytes, verify, type KeyObject } from 'node:crypto';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type OAuthClient = {
  clientId: string;
  label: string;
  publicKey: KeyObject;
  keyId: string;
  /** Scopes granted to the app; a token can carry any subset. */
  grantedScopes: readonly string[];
};

export type AccessToken = { token: string; clientId: string; scopes: ReadonlySet<string>; expiresAt: number };

export type TokenResponse = { status: number; body: Record<string, unknown> };

export type TokenIssuer = {
  /** Handles POST /oauth2/v1/token with a form-encoded body. */
  handle: (form: URLSearchParams, tokenEndpointUrl: string, nowMs: number) => TokenResponse;
  /** The live access token with this value, or null (unknown or expired). */
  lookup: (token: string, nowMs: number) => AccessToken | null;
  client: (clientId: string) => OAuthClient | undefined;
};

const TOKEN_LIFETIME_S = 3600;
/** Okta refuses client assertions that live longer than an hour. */
const MAX_ASSERTION_LIFETIME_S = 3600;
const CLOCK_SKEW_S = 60;

const oauthError = (status: number, error: string, description: string): TokenResponse => ({ status, body: { error, error_description: description } });
const invalidClient = (description: string): TokenResponse => oauthError(401, 'invalid_client', description);

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const ALGORITHMS: Record<string, string> = { RS256: 'sha256', RS384: 'sha384', RS512: 'sha512' };

export function createTokenIssuer(clients: readonly OAuthClient[]): TokenIssuer {
  const byId = new Map(clients.map((c) => [c.clientId, c]));
  const tokens = new Map<string, AccessToken>();
  // jti values already used, with their expiry: a replayed assertion is refused.
  const usedJti = new Map<string, number>();

  const handle = (form: URLSearchParams, tokenEndpointUrl: string, nowMs: number): TokenResponse => {
    const now = Math.floor(nowMs / 1000);
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError(400, 'invalid_request', "The 'grant_type' parameter is required.");
    if (grantType !== 'client_credentials') {
      return oauthError(400, 'unsupported_grant_type', `The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].`);
    }
    const assertionType = form.get('client_assertion_type');
    const assertion = form.get('client_assertion');
    if (!assertion || assertionType !== JWT_BEARER) {
      return invalidClient('Client authentication failed. Either the client or the client credentials are invalid.');
    }
    const parts = assertion.split('.');
    const header = parts.length === 3 ? decodeJson(parts[0] as string) : null;
    const claims = parts.length === 3 ? decodeJson(parts[1] as string) : null;
    if (!header || !claims) return invalidClient('The client_assertion token is not a valid JWT.');
    const iss = claims.iss;
    const client = typeof iss === 'string' ? byId.get(iss) : undefined;
    if (!client) return invalidClient("Invalid value for 'client_id' parameter.");
    const formClientId = form.get('client_id');
    if ((formClientId !== null && formClientId !== client.clientId) || claims.sub !== client.clientId) {
      return invalidClient("The 'sub' claim of the client_assertion must equal the client id.");
    }
    const hash = typeof header.alg === 'string' ? ALGORITHMS[header.alg] : undefined;
    if (!hash) return invalidClient(`The client_assertion token has an unsupported signing algorithm: ${String(header.alg)}.`);
    if (header.kid !== undefined && header.kid !== client.keyId) return invalidClient("The client_assertion token's 'kid' does not match a key registered for the client.");
    const signature = Buffer.from(parts[2] as string, 'base64url');
    if (!verify(hash, Buffer.from(`${parts[0]}.${parts[1]}`), client.publicKey, signature)) {
      return invalidClient('The client_assertion signature is invalid.');
    }
    const aud = claims.aud;
    if (!(aud === tokenEndpointUrl || (Array.isArray(aud) && aud.includes(tokenEndpointUrl)))) {
      return invalidClient('The audience claim for client_assertion must be the endpoint invoked for the request.');
    }
    const exp = claims.exp;
    if (typeof exp !== 'number') return invalidClient("The client_assertion token must have an 'exp' claim.");
    if (exp + CLOCK_SKEW_S <= now) return invalidClient('The client_assertion token is expired.');
    const iat = typeof claims.iat === 'number' ? claims.iat : now;
    if (exp - Math.min(iat, now) > MAX_ASSERTION_LIFETIME_S + CLOCK_SKEW_S) {
      return invalidClient('The client_assertion token has an expiration too far into the future.');
    }
    for (const [jti, until] of usedJti) if (until < now) usedJti.delete(jti);
    const jti = claims.jti;
    if (typeof jti === 'string') {
      if (usedJti.has(jti)) return invalidClient("The client_assertion token's 'jti' has already been used.");
      usedJti.set(jti, exp + CLOCK_SKEW_S);
    }

    const requested = (form.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (requested.length === 0) {
      return oauthError(400, 'invalid_scope', "The authorization server resource does not have any configured default scopes, 'scope' must be provided.");
    }
    const notGranted = requested.filter((s) => !client.grantedScopes.includes(s));
    if (notGranted.length > 0) return oauthError(400, 'invalid_scope', `The following scopes are not granted to the client: ${notGranted.join(' ')}`);

    const token = randomBytes(32).toString('base64url');
    tokens.set(token, { token, clientId: client.clientId, scopes: new Set(requested), expiresAt: nowMs + TOKEN_LIFETIME_S * 1000 });
    return { status: 200, body: { token_type: 'Bearer', expires_in: TOKEN_LIFETIME_S, access_token: token, scope: requested.join(' ') } };
  };

  return {
    handle,
    lookup: (token, nowMs) => {
      const t = tokens.get(token);
      if (!t) return null;
      if (t.expiresAt <= nowMs) {
        tokens.delete(token);
        return null;
      }
      return t;
    },
    client: (clientId) => byId.get(clientId),
  };
}
