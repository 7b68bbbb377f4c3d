// The operator's session: who signed in, through which connection, until
// when. Kept in the OS keychain under the workspace's id, never in SQLite
// (a copied workspace file must not carry someone's sign-in). It holds no
// token: the ID token is validated once at sign-in and then dropped; the
// session is ours and lasts the workspace's configured hours.
import type { OperatorSession } from '../../../shared/contract-operator.js';
import { workspaceId, type EngineContext } from '../context.js';
import type { Db } from '../db/database.js';

export const operatorAccount = (workspace: string): string => `workspace-${workspace}/operator-session`;

function parse(raw: string): OperatorSession | null {
  try {
    const v = JSON.parse(raw) as Partial<OperatorSession>;
    if (typeof v.subject !== 'string' || typeof v.expiresAt !== 'string' || typeof v.connectionId !== 'number' || (v.idp !== 'okta' && v.idp !== 'entra')) return null;
    return v as OperatorSession;
  } catch {
    return null;
  }
}

/**
 * What this open workspace last read from the keychain. Every console call
 * asks who is signed in, and a keychain read is a D-Bus round trip (12-19 ms
 * measured against gnome-keyring here): the session is read again only after
 * SESSION_RECHECK_MS, so a sign-in or sign-out made by another process (the
 * CLI) shows within that time. Sign-in and sign-out through this workspace
 * update it at once; expiry is checked on every call. Keyed by the open
 * database, which every call's context shares.
 */
const SESSION_RECHECK_MS = 15_000;
const lastRead = new WeakMap<Db, { raw: string | null; at: number }>();

async function readRaw(ctx: EngineContext, account: string): Promise<string | null> {
  const hit = lastRead.get(ctx.db);
  if (hit && performance.now() - hit.at < SESSION_RECHECK_MS) return hit.raw;
  const raw = await ctx.secrets.get(account);
  lastRead.set(ctx.db, { raw, at: performance.now() });
  return raw;
}

/** The live session, or null (none, unreadable, or expired: an expired one is removed). */
export async function readSession(ctx: EngineContext): Promise<OperatorSession | null> {
  const account = operatorAccount(workspaceId(ctx.db));
  const raw = await readRaw(ctx, account);
  if (raw === null) return null;
  const session = parse(raw);
  if (session === null || Date.parse(session.expiresAt) <= ctx.clock.now().getTime()) {
    await clearSession(ctx);
    return null;
  }
  return session;
}

export async function saveSession(ctx: EngineContext, session: OperatorSession): Promise<void> {
  const account = operatorAccount(workspaceId(ctx.db));
  const raw = JSON.stringify(session);
  await ctx.secrets.set(account, raw);
  lastRead.set(ctx.db, { raw, at: performance.now() });
}

export async function clearSession(ctx: EngineContext): Promise<boolean> {
  const account = operatorAccount(workspaceId(ctx.db));
  lastRead.set(ctx.db, { raw: null, at: performance.now() });
  return ctx.secrets.delete(account);
}
