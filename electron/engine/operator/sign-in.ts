// Operator sign-in through the workspace's IdP: OAuth 2.0 authorization code
// + PKCE with a loopback redirect (RFC 8252), as a native app. The issuer is
// the sign-in connection's: an Okta org URL (the org authorization server),
// or Entra's `{authority}/{tenant}/v2.0`. The ID token is validated
// (id-token.ts); the operator is the IdP account it names — the Okta user id
// (sub) or the Entra object id (oid, in the connection's tenant) — matched to
// that account in the snapshot. The session then lives in the keychain
// (session.ts) for the configured hours.
import { timingSafeEqual } from 'node:crypto';
import type { OperatorSession, OperatorStatus } from '../../../shared/contract-operator.js';
import { appendAudit } from '../audit/audit-log.js';
import { connectionRecordOrNull, listConnectionRecords, normaliseOrgUrl } from '../connections/connections.js';
import type { ConnectionRecord } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';
import { identityByKey } from '../directory/people-lookup.js';
import { getSettings } from '../settings/settings.js';
import { validateIdToken, IdTokenError } from './id-token.js';
import { authorizeUrl, discover, exchangeCode, fetchJwks, newPkce, randomToken, SignInError, startLoopback, type CallbackResult, type HttpOptions } from './oidc-client.js';
import { clearSession, readSession, saveSession } from './session.js';

/** How long a started sign-in waits for the browser to come back. */
export const SIGN_IN_TIMEOUT_MS = 10 * 60_000;

export type SignInTarget = { connection: ConnectionRecord; clientId: string; issuer: string; http: HttpOptions; sessionHours: number };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);
const onLoopback = (url: string | undefined): boolean => {
  if (url === undefined) return false;
  try {
    return LOOPBACK.has(new URL(url).hostname);
  } catch {
    return false;
  }
};

/** A sandbox workspace: every connection (and Entra authority) on loopback. Only there may "Acting as" name someone. */
export function isSandboxWorkspace(db: Db): boolean {
  return listConnectionRecords(db).every((c) => onLoopback(c.baseUrl) && (c.settings.authorityHost === undefined || onLoopback(c.settings.authorityHost)));
}

/** The issuer a connection's IdP signs ID tokens as. */
export function issuerOf(c: ConnectionRecord): string {
  if (c.kind === 'okta') return normaliseOrgUrl(c.baseUrl);
  if (c.kind === 'entra') {
    const authority = (c.settings.authorityHost ?? 'https://login.microsoftonline.com').replace(/\/$/, '');
    if (!c.settings.tenantId) throw new UserError(`sign-in: the Entra connection "${c.name}" has no tenant id`, 'bad-input');
    return `${authority}/${c.settings.tenantId}/v2.0`;
  }
  throw new UserError(`sign-in: "${c.name}" is a ${c.kind} connection; operators sign in through Okta or Entra`, 'bad-input');
}

export function signInTarget(db: Db): SignInTarget {
  const s = getSettings(db).signIn;
  if (s.connectionId === null || s.clientId === null) throw new UserError('sign-in is not set up: choose the connection and the OIDC app\'s client id in Settings first', 'bad-input');
  const connection = connectionRecordOrNull(db, s.connectionId);
  if (!connection) throw new UserError(`sign-in: its connection (${s.connectionId}) was removed; choose another in Settings`, 'not-found');
  return { connection, clientId: s.clientId, issuer: issuerOf(connection), http: connection.settings.caPem ? { caPem: connection.settings.caPem } : {}, sessionHours: s.sessionHours };
}

const sameString = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

export type PendingSignIn = {
  authorizeUrl: string;
  /** Settles when the browser came back: the session, or the reason it failed. */
  done: Promise<OperatorSession>;
  cancel: () => Promise<void>;
};

/**
 * Starts a sign-in: discovery, a loopback listener, fresh PKCE, state and
 * nonce. The caller opens `authorizeUrl` in a browser; `done` settles after
 * the redirect to /callback has been checked (state), the code redeemed,
 * the ID token validated and the account found in the snapshot.
 */
export async function beginSignIn(ctx: EngineContext, opts: { loginHint?: string; timeoutMs?: number } = {}): Promise<PendingSignIn> {
  const target = signInTarget(ctx.db);
  const endpoints = await discover(target.issuer, target.http);
  const pkce = newPkce();
  const state = randomToken();
  const nonce = randomToken();
  let settle: { resolve: (s: OperatorSession) => void; reject: (e: Error) => void } | null = null;
  const done = new Promise<OperatorSession>((resolve, reject) => {
    settle = { resolve, reject };
  });
  // Nobody may be waiting on `done` (the console polls the status instead): keep a failure from being unhandled.
  done.catch(() => undefined);
  let redirectUri = '';
  const complete = async (result: CallbackResult): Promise<OperatorSession> => {
    if (result.state === null || !sameString(result.state, state)) {
      throw new SignInError('the sign-in came back with a state that is not this sign-in\'s (a forged or stale redirect): refused');
    }
    if ('error' in result) throw new SignInError(`the IdP refused the sign-in: ${result.error}${result.description ? ` (${result.description.split(' Trace ID:')[0]})` : ''}`);
    const idToken = await exchangeCode(endpoints, { clientId: target.clientId, code: result.code, redirectUri, verifier: pkce.verifier }, target.http);
    const keys = await fetchJwks(endpoints.jwksUri, target.http);
    let claims;
    try {
      claims = validateIdToken(idToken, keys, { issuer: target.issuer, clientId: target.clientId, nonce, nowS: Math.floor(ctx.clock.now().getTime() / 1000) });
    } catch (e) {
      if (e instanceof IdTokenError) throw new SignInError(`sign-in refused: ${e.message}`);
      throw e;
    }
    return startSession(ctx, target, claims);
  };
  const loopback = await startLoopback(async (result) => {
    try {
      const session = await complete(result);
      settle?.resolve(session);
      return { ok: true, message: `Signed in to Latchkey as ${session.name}${session.email ? ` (${session.email})` : ''}, until ${session.expiresAt.slice(0, 16).replace('T', ' ')} UTC.` };
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      settle?.reject(err);
      return { ok: false, message: err.message };
    } finally {
      clearTimeout(timer);
    }
  });
  redirectUri = loopback.redirectUri;
  const timer = setTimeout(() => {
    settle?.reject(new SignInError('the sign-in was not completed within 10 minutes; start again'));
    void loopback.close();
  }, opts.timeoutMs ?? SIGN_IN_TIMEOUT_MS);
  timer.unref();
  return {
    authorizeUrl: authorizeUrl(endpoints, { clientId: target.clientId, redirectUri, state, nonce, challenge: pkce.challenge, ...(opts.loginHint ? { loginHint: opts.loginHint } : {}) }),
    done,
    cancel: async () => {
      clearTimeout(timer);
      settle?.reject(new SignInError('the sign-in was cancelled'));
      await loopback.close();
    },
  };
}

/** Matches the token's account to the snapshot and stores the session. */
async function startSession(ctx: EngineContext, target: SignInTarget, claims: Record<string, unknown>): Promise<OperatorSession> {
  const c = target.connection;
  let subject: string;
  if (c.kind === 'entra') {
    if (typeof claims.oid !== 'string') throw new SignInError('sign-in refused: the Entra ID token names no object id (oid)');
    if (claims.tid !== c.settings.tenantId) throw new SignInError(`sign-in refused: the account belongs to another tenant (${String(claims.tid)})`);
    subject = claims.oid;
  } else {
    subject = String(claims.sub);
  }
  const account = identityByKey(ctx.db, c.id, subject);
  const who = typeof claims.preferred_username === 'string' ? claims.preferred_username : typeof claims.email === 'string' ? claims.email : subject;
  if (!account) throw new SignInError(`sign-in refused: ${who} (${subject}) is not in this workspace's snapshot of "${c.name}"; sync it first`);
  if (['DEPROVISIONED', 'DISABLED', 'SUSPENDED'].includes(account.status.toUpperCase())) {
    throw new SignInError(`sign-in refused: ${account.login} is ${account.status.toLowerCase()} in the snapshot of "${c.name}"`);
  }
  const now = ctx.clock.now();
  const session: OperatorSession = {
    connectionId: c.id,
    connectionName: c.name,
    idp: c.kind === 'entra' ? 'entra' : 'okta',
    subject,
    email: account.email ?? (typeof claims.email === 'string' ? claims.email.toLowerCase() : null),
    name: account.name,
    signedInAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + target.sessionHours * 3_600_000).toISOString(),
  };
  await saveSession(ctx, session);
  if (!ctx.readOnly) {
    appendAudit(ctx.db, { actor: operatorActor(session), channel: 'console', action: 'operator.signed-in', targetType: 'connection', targetId: c.id, details: { subject, email: session.email, expiresAt: session.expiresAt } }, now);
  }
  return session;
}

/** How an operator is named in the audit log: their e-mail, or the IdP account. */
export const operatorActor = (s: OperatorSession): string => s.email ?? `${s.idp}:${s.subject}`;

export async function signOut(ctx: EngineContext): Promise<boolean> {
  const session = await readSession(ctx);
  const removed = await clearSession(ctx);
  if (session && !ctx.readOnly) {
    appendAudit(ctx.db, { actor: operatorActor(session), channel: 'console', action: 'operator.signed-out', targetType: 'connection', targetId: session.connectionId, details: { subject: session.subject } }, ctx.clock.now());
  }
  return removed;
}

export { readSession as currentOperator };

/** The operator:status view (without the pending sign-in, which the handler holds). */
export async function operatorStatus(ctx: EngineContext): Promise<Omit<OperatorStatus, 'pending' | 'lastError'>> {
  const settings = getSettings(ctx.db).signIn;
  const connection = settings.connectionId === null ? null : connectionRecordOrNull(ctx.db, settings.connectionId);
  return { settings, connectionName: connection?.name ?? null, session: await readSession(ctx), actingAsAllowed: isSandboxWorkspace(ctx.db) };
}
