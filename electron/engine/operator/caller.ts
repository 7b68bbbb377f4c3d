// Who is calling, for one call: the channel it came through (console, cli,
// …), the operator signed in through the IdP (from the keychain session),
// and — in sandbox workspaces only — who the browser session is "acting as"
// (unverified, for the demo and the tests, always labelled as such). Every
// decision and change is recorded in the caller's name and channel; a
// workspace that requires sign-in refuses changes without an operator.
import type { OperatorSession } from '../../../shared/contract-operator.js';
import type { AuditChannel } from '../../../shared/governance.js';
import { UserError, type EngineContext } from '../context.js';
import { normEmail } from '../directory/people-lookup.js';
import { getSettings } from '../settings/settings.js';
import { readSession } from './session.js';
import { isSandboxWorkspace } from './sign-in.js';

export type Caller = {
  channel: AuditChannel;
  /** The operator signed in through the IdP, or null. */
  operator: OperatorSession | null;
  /** Sandbox workspaces only: the e-mail this browser session acts as (never verified). */
  actingAs: string | null;
};

/** What a transport knows about a call before the engine looks at the session. */
export type CallerInput = { channel: AuditChannel; actingAs?: string | null };

export async function resolveCaller(ctx: EngineContext, input: CallerInput): Promise<Caller> {
  const operator = await readSession(ctx);
  // "Acting as" is honoured only where every connection is on loopback: a
  // header cannot make anyone somebody else against a real tenant.
  const actingAs = input.actingAs && isSandboxWorkspace(ctx.db) ? normEmail(input.actingAs) : null;
  return { channel: input.channel, operator, actingAs };
}

/** The person decisions and requests are made in the name of: the signed-in operator, else (sandbox) who the session acts as. */
export function personOf(caller: Caller): string | null {
  return caller.operator?.email ?? caller.actingAs;
}

/** The person, or a refusal that says how to become one. */
export function requirePerson(caller: Caller, what: string): string {
  const who = personOf(caller);
  if (who) return who;
  if (caller.operator) throw new UserError(`${what}: the signed-in account has no e-mail in the snapshot, and decisions are made by e-mail`, 'unauthorized');
  throw new UserError(`${what}: sign in first (Sign in, top right) — decisions and requests are made in the name of the operator signed in through the IdP`, 'unauthorized');
}

/** How the caller is named in the audit log: the operator; the acting-as person, labelled; else the transport's OS user. */
export function actorOf(caller: Caller, fallback: string): string {
  if (caller.operator) {
    const who = caller.operator.email ?? `${caller.operator.idp}:${caller.operator.subject}`;
    // The CLI also names the OS account it ran under.
    return caller.channel === 'cli' && fallback !== who ? `${who} (${fallback})` : who;
  }
  if (caller.actingAs) return `${caller.actingAs} (acting as, sandbox)`;
  return fallback;
}

/** The context for one call: audit events carry the caller as actor and their channel. */
export function callerContext(ctx: EngineContext, caller: Caller): EngineContext {
  return { ...ctx, actor: actorOf(caller, ctx.actor), channel: caller.channel };
}

/** A workspace set to require sign-in refuses changes until an operator is signed in (reading stays open). */
export function checkSignInRequired(ctx: EngineContext, caller: Caller, channelName: string): void {
  if (caller.operator || !getSettings(ctx.db).signIn.required) return;
  throw new UserError(`this workspace requires operators to sign in through the IdP before making changes: "${channelName}" was refused (browsing stays open; Sign in, top right)`, 'unauthorized');
}
