// "Acting as" in a sandbox workspace: who this browser tab acts as, kept in
// sessionStorage (per browser session, never stored for the workspace) and
// sent with every call (a bridge header, or the IPC call's meta); the engine
// honours it only when every connection is on loopback, and records it
// labelled "(acting as, sandbox)".
import type { CallMeta } from '../../../shared/contract.js';

const KEY = 'latchkey.actingAs';

function storage(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null;
  }
}

/** The session's choice: an e-mail, '' (chose nobody), or null (never chose). */
export function getActingAs(): string | null {
  return storage()?.getItem(KEY) ?? null;
}

export function setActingAs(email: string | null): void {
  storage()?.setItem(KEY, email ?? '');
}

/** The header a bridge call carries when this session acts as someone. */
export function actingAsHeader(): Record<string, string> {
  const who = getActingAs();
  return who ? { 'X-Latchkey-Acting-As': who } : {};
}

/** The same for an IPC call (the desktop shell): its meta, or nothing. */
export function actingAsMeta(): CallMeta | undefined {
  const who = getActingAs();
  return who ? { actingAs: who } : undefined;
}
