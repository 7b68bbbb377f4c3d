// OpenID Connect sign-in for the sandbox's Okta and Entra: what an operator's
// sign-in needs from an IdP, shared by both servers, with the vendor's shape
// (issuer, claims, error codes) supplied by each. Authorization code flow for
// public (native) clients: PKCE S256 is required, the code is single-use and
// short-lived, bound to the client, the redirect URI and the challenge; the
// ID token is an RS256 JWT signed with the key the server publishes at its
// jwks_uri.
//
// The authorize endpoint shows a simple sign-in page (no password: anyone at
// the sandbox is any sandbox user, which is what a sandbox is for) where the
// person types or picks a user's login.
//
// Loopback redirect URIs (http://127.0.0.1, http://[::1], http://localhost)
// match a registered one on any port, host and path exact (RFC 8252 §7.3):
// a native app listens on an ephemeral port it cannot know in advance.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';

export type OidcClient = {
  clientId: string;
  label: string;
  /** Registered redirect URIs; a loopback one matches any port. */
  redirectUris: readonly string[];
};

/** A user who can sign in: the subject, the login typed on the page, and the vendor's claims for the ID token. */
export type OidcAccount = { login: string; name: string; claims: Record<string, unknown> };

/** Why a request was refused: `reason` is the vendor-neutral cause (each server maps it to its own error code). */
export type OidcFailure = { status: number; error: string; description: string; reason: OidcFailureReason };

export type OidcFailureReason =
  | 'unknown_client'
  | 'redirect_mismatch'
  | 'missing_parameter'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'pkce_required'
  | 'pkce_method'
  | 'code_invalid'
  | 'code_expired'
  | 'code_redeemed'
  | 'client_mismatch'
  | 'verifier_mismatch'
  | 'verifier_malformed';

export type AuthorizeRequest = {
  client: OidcClient;
  redirectUri: string;
  scopes: string[];
  state: string;
  nonce: string | null;
  codeChallenge: string;
  loginHint: string | null;
};

export type OidcVendor = {
  /** The issuer (changes with the server's port, hence a function). */
  issuer: () => string;
  /** How long a code may be redeemed, seconds. */
  codeLifetimeS: number;
  idTokenLifetimeS: number;
  /** The key ID tokens are signed with and its `kid`. */
  signingKey: KeyObject;
  kid: string;
  /** Extra JOSE header fields (Entra adds x5t). */
  headerExtras?: Record<string, unknown>;
  /** The ID token's claims for this account and client, besides iss, aud, iat, exp, nonce (added here). */
  idTokenClaims: (account: OidcAccount, client: OidcClient, iat: number) => Record<string, unknown>;
  /** Whether `state` is required at authorize (Okta requires it). */
  requireState: boolean;
};

type IssuedCode = {
  code: string;
  clientId: string;
  redirectUri: string;
  challenge: string;
  scopes: string[];
  nonce: string | null;
  account: OidcAccount;
  expiresAt: number;
  authTime: number;
};

export type TokenResult = { ok: true; body: Record<string, unknown> } | { ok: false; failure: OidcFailure };

export type OidcProvider = {
  client: (clientId: string) => OidcClient | undefined;
  /** Validates an authorize request. `redirect` is set when the error may be sent back to the client (its redirect URI is trusted). */
  parseAuthorize: (params: URLSearchParams) => { ok: true; request: AuthorizeRequest } | { ok: false; failure: OidcFailure; redirect: string | null };
  /** Issues a code for a signed-in account; returns the redirect (redirect_uri?code=…&state=…). */
  issueCode: (request: AuthorizeRequest, account: OidcAccount, nowMs: number) => string;
  /** POST token with grant_type=authorization_code. */
  redeem: (form: URLSearchParams, nowMs: number) => TokenResult;
};

const fail = (status: number, error: string, description: string, reason: OidcFailureReason): OidcFailure => ({ status, error, description, reason });

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** True when `requested` is `registered`, or both are loopback http URIs that differ only in port (RFC 8252 §7.3). */
export function redirectMatches(registered: string, requested: string): boolean {
  if (registered === requested) return true;
  let a: URL;
  let b: URL;
  try {
    a = new URL(registered);
    b = new URL(requested);
  } catch {
    return false;
  }
  return a.protocol === 'http:' && b.protocol === 'http:' && LOOPBACK_HOSTS.has(a.hostname) && a.hostname === b.hostname && a.pathname === b.pathname && a.search === b.search && b.hash === '';
}

/** RFC 7636: 43-128 characters of [A-Z a-z 0-9 - . _ ~]. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;
const CHALLENGE = /^[A-Za-z0-9\-_]{43}$/;

const b64json = (v: unknown): string => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');

/** Signs a JWT with RS256 (what both IdPs use for ID tokens). */
export function signRs256(header: Record<string, unknown>, claims: Record<string, unknown>, key: KeyObject): string {
  const input = `${b64json({ ...header, alg: 'RS256' })}.${b64json(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

/** at_hash / c_hash: the left half of the SHA-256 of the value, base64url (OIDC Core 3.1.3.6). */
export const halfHash = (value: string): string => createHash('sha256').update(value).digest().subarray(0, 16).toString('base64url');

export function createOidcProvider(clients: readonly OidcClient[], vendor: OidcVendor): OidcProvider {
  const byId = new Map(clients.map((c) => [c.clientId, c]));
  const codes = new Map<string, IssuedCode>();
  // Codes already redeemed (or tried), until they would have expired: a second redemption is named as such.
  const redeemed = new Map<string, number>();

  const parseAuthorize: OidcProvider['parseAuthorize'] = (params) => {
    const clientId = params.get('client_id');
    if (!clientId) return { ok: false, failure: fail(400, 'invalid_request', "The 'client_id' parameter is required.", 'missing_parameter'), redirect: null };
    const client = byId.get(clientId);
    if (!client) return { ok: false, failure: fail(400, 'invalid_client', `The client '${clientId}' is not registered (no such app).`, 'unknown_client'), redirect: null };
    const redirectUri = params.get('redirect_uri');
    if (!redirectUri) return { ok: false, failure: fail(400, 'invalid_request', "The 'redirect_uri' parameter is required.", 'missing_parameter'), redirect: null };
    if (!client.redirectUris.some((r) => redirectMatches(r, redirectUri))) {
      return { ok: false, failure: fail(400, 'invalid_request', `The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: ${redirectUri} is not registered for ${client.label}.`, 'redirect_mismatch'), redirect: null };
    }
    const state = params.get('state') ?? '';
    const back = (failure: OidcFailure): { ok: false; failure: OidcFailure; redirect: string } => {
      const u = new URL(redirectUri);
      u.searchParams.set('error', failure.error);
      u.searchParams.set('error_description', failure.description);
      if (state) u.searchParams.set('state', state);
      return { ok: false, failure, redirect: u.toString() };
    };
    if (params.get('response_type') !== 'code') {
      return back(fail(400, 'unsupported_response_type', `The response type '${params.get('response_type') ?? ''}' is not supported: this app uses the authorization code flow ('code').`, 'unsupported_response_type'));
    }
    const scopes = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!scopes.includes('openid')) return back(fail(400, 'invalid_scope', "The scope must include 'openid' for a sign-in.", 'invalid_scope'));
    const unknown = scopes.filter((s) => !['openid', 'profile', 'email', 'offline_access'].includes(s));
    if (unknown.length > 0) return back(fail(400, 'invalid_scope', `One or more scopes are not configured for the authorization server resource: ${unknown.join(' ')}`, 'invalid_scope'));
    if (vendor.requireState && !state) return back(fail(400, 'invalid_request', "The 'state' parameter is required.", 'missing_parameter'));
    const challenge = params.get('code_challenge');
    if (!challenge) return back(fail(400, 'invalid_request', "PKCE code challenge is required when the token endpoint authentication method is 'NONE'.", 'pkce_required'));
    if (params.get('code_challenge_method') !== 'S256') return back(fail(400, 'invalid_request', "The 'code_challenge_method' must be 'S256' (plain is not accepted).", 'pkce_method'));
    if (!CHALLENGE.test(challenge)) return back(fail(400, 'invalid_request', "The 'code_challenge' is not a base64url SHA-256 (43 characters).", 'pkce_required'));
    return { ok: true, request: { client, redirectUri, scopes, state, nonce: params.get('nonce'), codeChallenge: challenge, loginHint: params.get('login_hint') } };
  };

  const issueCode: OidcProvider['issueCode'] = (request, account, nowMs) => {
    const code = randomBytes(32).toString('base64url');
    codes.set(code, {
      code,
      clientId: request.client.clientId,
      redirectUri: request.redirectUri,
      challenge: request.codeChallenge,
      scopes: request.scopes,
      nonce: request.nonce,
      account,
      expiresAt: nowMs + vendor.codeLifetimeS * 1000,
      authTime: Math.floor(nowMs / 1000),
    });
    const u = new URL(request.redirectUri);
    u.searchParams.set('code', code);
    if (request.state) u.searchParams.set('state', request.state);
    return u.toString();
  };

  const redeem: OidcProvider['redeem'] = (form, nowMs) => {
    for (const [c, until] of redeemed) if (until < nowMs) redeemed.delete(c);
    const clientId = form.get('client_id');
    if (!clientId) return { ok: false, failure: fail(400, 'invalid_request', "The 'client_id' parameter is required (a public client names itself).", 'missing_parameter') };
    const client = byId.get(clientId);
    if (!client) return { ok: false, failure: fail(401, 'invalid_client', `The client '${clientId}' is not registered (no such app).`, 'unknown_client') };
    const code = form.get('code');
    if (!code) return { ok: false, failure: fail(400, 'invalid_request', "The 'code' parameter is required.", 'missing_parameter') };
    if (redeemed.has(code)) return { ok: false, failure: fail(400, 'invalid_grant', 'The authorization code was already redeemed: a code is single-use.', 'code_redeemed') };
    const issued = codes.get(code);
    if (!issued) return { ok: false, failure: fail(400, 'invalid_grant', 'The authorization code is invalid or has expired.', 'code_invalid') };
    // Single use: whatever happens next, this code is spent.
    codes.delete(code);
    redeemed.set(code, issued.expiresAt + 3_600_000);
    if (issued.expiresAt <= nowMs) return { ok: false, failure: fail(400, 'invalid_grant', 'The authorization code has expired.', 'code_expired') };
    if (issued.clientId !== clientId) return { ok: false, failure: fail(400, 'invalid_grant', 'The authorization code was issued to another client.', 'client_mismatch') };
    if (form.get('redirect_uri') !== issued.redirectUri) {
      return { ok: false, failure: fail(400, 'invalid_grant', "The 'redirect_uri' does not match the redirect URI of the authorization request.", 'redirect_mismatch') };
    }
    const verifier = form.get('code_verifier');
    if (!verifier) return { ok: false, failure: fail(400, 'invalid_grant', "PKCE verification failed: the 'code_verifier' parameter is required.", 'verifier_malformed') };
    if (!VERIFIER.test(verifier)) return { ok: false, failure: fail(400, 'invalid_grant', 'PKCE verification failed: the code_verifier must be 43-128 unreserved characters.', 'verifier_malformed') };
    if (createHash('sha256').update(verifier).digest('base64url') !== issued.challenge) {
      return { ok: false, failure: fail(400, 'invalid_grant', 'PKCE verification failed: the code_verifier does not match the code_challenge of the authorization request.', 'verifier_mismatch') };
    }
    const iat = Math.floor(nowMs / 1000);
    const accessToken = randomBytes(32).toString('base64url');
    const claims: Record<string, unknown> = {
      ...vendor.idTokenClaims(issued.account, client, iat),
      iss: vendor.issuer(),
      aud: clientId,
      iat,
      exp: iat + vendor.idTokenLifetimeS,
      auth_time: issued.authTime,
      at_hash: halfHash(accessToken),
      ...(issued.nonce !== null ? { nonce: issued.nonce } : {}),
    };
    if (!issued.scopes.includes('email')) delete claims.email;
    if (!issued.scopes.includes('profile')) {
      delete claims.name;
      delete claims.preferred_username;
    }
    const idToken = signRs256({ typ: 'JWT', kid: vendor.kid, ...vendor.headerExtras }, claims, vendor.signingKey);
    return { ok: true, body: { token_type: 'Bearer', expires_in: 3600, access_token: accessToken, scope: issued.scopes.join(' '), id_token: idToken } };
  };

  return { client: (id) => byId.get(id), parseAuthorize, issueCode, redeem };
}

const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

/**
 * The sandbox sign-in page: the authorize parameters carried as hidden
 * fields, a login to type, and a few sandbox users to pick. It posts back to
 * the authorize endpoint.
 */
export function signInPage(opts: { vendor: string; action: string; params: URLSearchParams; clientLabel: string; suggestions: readonly { login: string; name: string }[]; error?: string; loginValue?: string }): string {
  const hidden = [...opts.params.entries()]
    .filter(([k]) => k !== 'login' && k !== 'username')
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const picks = opts.suggestions
    .map((s) => `<li><button type="submit" name="login" value="${escapeHtml(s.login)}">${escapeHtml(s.name)} <small>${escapeHtml(s.login)}</small></button></li>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · ${escapeHtml(opts.vendor)} sandbox</title>
<style>body{font:15px system-ui,sans-serif;max-width:28rem;margin:3rem auto;color:#1d1d1f}label,input,button{display:block;width:100%;box-sizing:border-box}input{padding:.5rem;margin:.3rem 0 .8rem}button{padding:.45rem;margin:.2rem 0;text-align:left;cursor:pointer}ul{list-style:none;padding:0}.error{color:#b00020}.note{color:#555;font-size:13px}</style></head>
<body><h1>${escapeHtml(opts.vendor)} sandbox</h1><p>Sign in to <strong>${escapeHtml(opts.clientLabel)}</strong>.</p>
<p class="note">A sandbox organisation: no password, any sandbox user can sign in here. A real ${escapeHtml(opts.vendor)} asks for the user's credentials and factors.</p>
${opts.error ? `<p class="error" role="alert">${escapeHtml(opts.error)}</p>` : ''}
<form method="post" action="${escapeHtml(opts.action)}">${hidden}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" value="${escapeHtml(opts.loginValue ?? '')}" autofocus>
<button type="submit" id="sign-in">Sign in</button>
${picks ? `<p>Or pick a sandbox user:</p><ul>${picks}</ul>` : ''}
</form></body></html>`;
}
