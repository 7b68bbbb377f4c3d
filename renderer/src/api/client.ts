// Picks the transport it finds: the Electron preload's `window.latchkey` when
// present, otherwise the local HTTP bridge that served this page.
// Who calls it for which data (a store, or a page for its own view; never both)
// and where events are subscribed: ARCHITECTURE.md, "The renderer".
import type { RendererApi } from '../../../shared/contract.js';
import { createBridgeTransport } from './bridge-transport.js';
import { createElectronTransport } from './electron-transport.js';
import type { Transport } from './transport.js';

export { ApiError, errorMessage, isAbort } from './api-error.js';
export type { CallOptions, EventStreamStatus, Transport } from './transport.js';

export function createClient(): Transport {
  const preload = (globalThis as { latchkey?: RendererApi }).latchkey;
  if (preload && typeof preload.on === 'function') return createElectronTransport(preload);
  return createBridgeTransport({ origin: window.location.origin, fetch: window.fetch.bind(window) });
}

let client: Transport | null = null;

function current(): Transport {
  client ??= createClient();
  return client;
}

/** The app-wide typed client. The transport is created on first use. */
export const api = {
  get transport(): Transport['kind'] {
    return current().kind;
  },
  call: ((channel, input, options) => current().call(channel, input, options)) as Transport['call'],
  on: ((event, listener) => current().on(event, listener)) as Transport['on'],
  onStatus: ((listener) => current().onStatus(listener)) as Transport['onStatus'],
  /** Installs a transport explicitly (scratch harnesses and tests). */
  install(transport: Transport): void {
    client?.close();
    client = transport;
  },
};
