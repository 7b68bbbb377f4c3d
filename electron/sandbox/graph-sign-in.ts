// The sandbox Entra's operator sign-in: /{tenant}/oauth2/v2.0/authorize with
// the sandbox's sign-in page, and the token endpoint's authorization_code
// grant (public client + PKCE) answered with v2.0 ID tokens (oid, tid, a
// pairwise sub), signed with the Graph server's published key. The protocol
// itself (codes, PKCE, refusals) is oidc.ts; this file gives it Entra's shape:
// AADSTS codes, claims, error pages.
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GraphDirectory } from './graph-directory.js';
import { aadError, type GraphReply } from './graph-errors.js';
import { readBody } from './http-util.js';
import type { Clock } from './okta-state.js';
import { createOidcProvider, signInPage, type OidcAccount, type OidcClient, type OidcFailure, type OidcFailureReason } from './oidc.js';
import type { Org } from './org-model.js';

/** AADSTS codes for the sign-in refusals. */
const AADSTS: Record<OidcFailureReason, number> = {
  unknown_client: 700016,
  redirect_mismatch: 50011,
  missing_parameter: 900144,
  unsupported_response_type: 700054,
  invalid_scope: 70011,
  pkce_required: 501491,
  pkce_method: 501491,
  code_invalid: 9002313,
  code_expired: 70008,
  code_redeemed: 54005,
  client_mismatch: 700005,
  verifier_mismatch: 501481,
  verifier_malformed: 501481,
};

export type GraphSignInDeps = {
  org: Org;
  dir: GraphDirectory;
  /** Public client app registrations (mobile and desktop redirect URIs) users sign in to. */
  clients: readonly OidcClient[];
  /** The private key whose certificate the server publishes at jwks_uri, and its kid (x5t). */
  keyPem: string;
  kid: string;
  issuer: () => string;
  clock: Clock;
  knownTenant: (tenant: string) => boolean;
};

export type GraphSignIn = {
  /** GET: the sign-in page; POST from it: sign in and redirect with a code (or with an error to a trusted redirect URI). */
  authorize: (req: IncomingMessage, url: URL, tenant: string) => Promise<GraphReply & { html?: string }>;
  /** The token endpoint's authorization_code grant. */
  redeem: (form: URLSearchParams, now: Date) => GraphReply;
};

export function createGraphSignIn(d: GraphSignInDeps): GraphSignIn {
  const oidc = createOidcProvider(d.clients, {
    issuer: d.issuer,
    // The identity platform's codes live about 10 minutes; ID tokens an hour.
    codeLifetimeS: 600,
    idTokenLifetimeS: 3600,
    signingKey: createPrivateKey(d.keyPem),
    kid: d.kid,
    headerExtras: { x5t: d.kid },
    requireState: false,
    idTokenClaims: (account, client, iat) => {
      const oid = String(account.claims.oid);
      return {
        ...account.claims,
        nbf: iat,
        // Entra's sub is pairwise: the same person has another sub in another app.
        sub: createHash('sha256').update(`${oid}:${client.clientId}`).digest('base64url').slice(0, 43),
        tid: d.dir.tenantId,
        rh: `0.${randomBytes(24).toString('base64url')}.`,
        uti: randomBytes(16).toString('base64url'),
        ver: '2.0',
      };
    },
  });
  let byUpn: Map<string, number> | null = null;
  /** The tenant's user a UPN names, if they may sign in. */
  const signInAccount = (upn: string): OidcAccount | { refused: string } => {
    byUpn ??= new Map(d.org.users.map((u) => [u.email.toLowerCase(), u.index]));
    const index = byUpn.get(upn.trim().toLowerCase());
    if (index === undefined || d.dir.isDeleted(index)) return { refused: `AADSTS50034: The user account ${upn.trim()} does not exist in the ${d.dir.domain} directory.` };
    const u = d.dir.user(index);
    if (u.accountEnabled === false) return { refused: 'AADSTS50057: The user account is disabled.' };
    const name = String(u.displayName);
    return { login: String(u.userPrincipalName), name, claims: { oid: d.dir.userId(index), name, preferred_username: u.userPrincipalName, email: u.mail } };
  };
  const suggestions = (): { login: string; name: string }[] => {
    const managers = new Set(d.org.users.map((u) => u.managerIndex));
    const out: { login: string; name: string }[] = [];
    for (const u of d.org.users) {
      if (out.length >= 8) break;
      if (!managers.has(u.index) || d.dir.isDeleted(u.index) || d.dir.user(u.index).accountEnabled === false) continue;
      out.push({ login: u.email, name: `${u.firstName} ${u.lastName}` });
    }
    return out;
  };
  const aadFailure = (f: OidcFailure, now: Date): GraphReply => aadError(f.status, f.error, AADSTS[f.reason], f.description, now);

  /** GET: the sign-in page; POST from it: sign in and redirect with a code (or with an error to a trusted redirect URI). */
  const authorizeRequest = async (req: IncomingMessage, url: URL, tenant: string): Promise<GraphReply & { html?: string }> => {
    const now = d.clock.now();
    const method = req.method ?? 'GET';
    const errorPage = (code: number, message: string): GraphReply & { html: string } => ({
      status: 400,
      html: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to your account</title></head><body><h1>Sorry, but we're having trouble signing you in.</h1><p id="error-description">AADSTS${code}: ${message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`)}</p></body></html>`,
    });
    if (!d.knownTenant(tenant)) return errorPage(90002, `Tenant '${tenant}' not found.`);
    if (method !== 'GET' && method !== 'POST') return errorPage(900561, 'The endpoint only accepts GET and POST requests.');
    const params = method === 'POST' ? new URLSearchParams((await readBody(req)) ?? '') : url.searchParams;
    const parsed = oidc.parseAuthorize(params);
    if (!parsed.ok) {
      if (!parsed.redirect) return errorPage(AADSTS[parsed.failure.reason], parsed.failure.description);
      const u = new URL(parsed.redirect);
      u.searchParams.set('error_description', `AADSTS${AADSTS[parsed.failure.reason]}: ${parsed.failure.description}`);
      return { status: 302, headers: { Location: u.toString() } };
    }
    const page = (error?: string, loginValue?: string): GraphReply & { html: string } => ({
      status: 200,
      html: signInPage({ vendor: 'Microsoft Entra', action: url.pathname, params, clientLabel: parsed.request.client.label, suggestions: suggestions(), ...(error ? { error } : {}), loginValue: loginValue ?? parsed.request.loginHint ?? '' }),
    });
    if (method === 'GET') return page();
    const login = params.get('login') || params.get('username') || '';
    if (!login.trim()) return page('Enter a user name (UPN) or pick a user.');
    const account = signInAccount(login);
    if ('refused' in account) return page(account.refused, login);
    return { status: 302, headers: { Location: oidc.issueCode(parsed.request, account, now.getTime()) } };
  };

  return {
    authorize: authorizeRequest,
    redeem: (form, now) => {
      const result = oidc.redeem(form, now.getTime());
      if (!result.ok) return aadFailure(result.failure, now);
      return { status: 200, json: { ...result.body, ext_expires_in: 3600 }, headers: { 'Cache-Control': 'no-store, no-cache', Pragma: 'no-cache' } };
    },
  };
}
