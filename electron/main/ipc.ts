// The contract over Electron IPC: one `handle()` registration per channel, all
// through the same guard. It checks that the call comes from our own page
// (a navigated or injected frame is refused), then lets dispatch() validate
// the payload and turn the outcome into a Result.
//
// Written against a structural `ipcLike` (Bruno's registerSqliteIpc pattern),
// so tests drive it with a fake and no Electron; main passes `ipcMain`.
import { fileURLToPath } from 'node:url';
import { channelNames, type Result } from '../../shared/contract.js';
import { dispatch, type DispatchOptions, type Handlers } from '../engine/api.js';

/** The part of Electron's IpcMainInvokeEvent we read. */
export type IpcInvokeEventLike = { readonly senderFrame?: { readonly url: string } | null };

export type IpcLike = {
  handle(channel: string, listener: (event: IpcInvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler?(channel: string): void;
};

export type ContractIpcOptions = DispatchOptions & {
  /** True only for the app's own page (see createSenderCheck). */
  isTrustedSender: (frameUrl: string) => boolean;
};

export const UNTRUSTED_SENDER_MESSAGE = 'refused: this call did not come from the Latchkey window';

function senderUrl(event: IpcInvokeEventLike): string | null {
  try {
    // senderFrame is null once the frame navigated away or was destroyed.
    return event.senderFrame?.url ?? null;
  } catch {
    return null;
  }
}

/** The optional second argument of a call: exactly { actingAs: string (≤ 320) | null }, nothing else. */
function callMeta(args: unknown[]): { actingAs: string | null } | 'invalid' {
  if (args.length <= 1) return { actingAs: null };
  const m = args[1];
  if (args.length > 2 || !m || typeof m !== 'object' || Array.isArray(m)) return 'invalid';
  const keys = Object.keys(m);
  const actingAs = (m as { actingAs?: unknown }).actingAs;
  if (keys.length !== 1 || keys[0] !== 'actingAs') return 'invalid';
  if (actingAs === null) return { actingAs: null };
  return typeof actingAs === 'string' && actingAs.length <= 320 ? { actingAs } : 'invalid';
}

/** Registers every contract channel; returns a function that unregisters them. */
export function registerContractIpc(ipc: IpcLike, handlers: Handlers, options: ContractIpcOptions): () => void {
  for (const channel of channelNames) {
    ipc.handle(channel, async (event, ...args): Promise<Result<unknown>> => {
      const url = senderUrl(event);
      if (url === null || !options.isTrustedSender(url)) {
        return { ok: false, code: 'unauthorized', error: UNTRUSTED_SENDER_MESSAGE };
      }
      const meta = callMeta(args);
      if (meta === 'invalid') {
        return { ok: false, code: 'bad-input', error: `invalid call for ${channel}: expected one argument (the input) and at most { actingAs }, got ${args.length} arguments` };
      }
      // The renderer is the console; "acting as" is honoured by the engine only in sandbox workspaces.
      return dispatch(handlers, channel, args[0], { ...options, caller: { channel: 'console', actingAs: meta.actingAs } });
    });
  }
  return () => {
    for (const channel of channelNames) ipc.removeHandler?.(channel);
  };
}

/**
 * A sender check for where the renderer is loaded from: the app:// origin
 * (host included) or one exact file:// index.html. Query and fragment are
 * ignored (the router lives in the fragment); anything else is refused,
 * including other pages of the same scheme.
 */
export function createSenderCheck(allowed: { appOrigin?: string; indexFile?: string }): (frameUrl: string) => boolean {
  const app = allowed.appOrigin ? new URL(allowed.appOrigin) : null;
  return (frameUrl) => {
    let url: URL;
    try {
      url = new URL(frameUrl);
    } catch {
      return false;
    }
    if (app && url.protocol === app.protocol && url.host === app.host && url.username === '' && url.password === '') return true;
    if (allowed.indexFile && url.protocol === 'file:' && url.host === '') {
      try {
        return fileURLToPath(`file://${url.pathname}`) === allowed.indexFile;
      } catch {
        return false;
      }
    }
    return false;
  };
}
