// The operator's session: who signed in, through which connection, until
// when. Kept in the OS keychain under the workspace's id, never in SQLite
// (a copied workspace file must not carry someone's sign-in). It holds no
// token: the ID token is validated once at sign-in and then dropped; the
// session is ours and lasts the workspace's configured hours.
import type { OperatorSession } from '../../../shared/contract-operator.js';
import { workspaceId, type EngineContext } from '../context.js';

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

/** The live session, or null (none, unreadable, or expired: an expired one is removed). */
export async function readSession(ctx: EngineContext): Promise<OperatorSession | null> {
  const account = operatorAccount(workspaceId(ctx.db));
  const raw = await ctx.secrets.get(account);
  if (raw === null) return null;
  const session = parse(raw);
  if (session === null || Date.parse(session.expiresAt) <= ctx.clock.now().getTime()) {
    await ctx.secrets.delete(account);
    return null;
  }
  return session;
}

export async function saveSession(ctx: EngineContext, session: OperatorSession): Promise<void> {
  await ctx.secrets.set(operatorAccount(workspaceId(ctx.db)), JSON.stringify(session));
}

export async function clearSession(ctx: EngineContext): Promise<boolean> {
  return ctx.secrets.delete(operatorAccount(workspaceId(ctx.db)));
}
