// The local-bridge transport: the page is served by `latchkey serve` on
// 127.0.0.1 and reaches the same handler table over HTTP. The browser holds
// the bridge's HttpOnly session cookie (set when the one-time link was
// opened); this code never sees a token or the session id.
//
//   POST /api/<encodeURIComponent(channel)>   body: JSON input
//     headers: Content-Type: application/json (cookie sent by the browser)
//     → 200 {ok:true,value} | {ok:false,error,code}
//     → 400/401/403/413 with the same body shape for transport-level refusals
//   GET /api/events   (Accept: text/event-stream)
//     → SSE: `event: sync:progress\ndata: {...}\n\n`
import type { Channel, ChannelInput, ChannelOutput, EventMap, EventName, Result } from '../../../shared/contract.js';
import { ApiError } from './api-error.js';
import { createSseParser } from './sse-parser.js';
import type { CallOptions, EventStreamStatus, Transport } from './transport.js';

export type BridgeOptions = {
  /** Origin the page was served from, e.g. http://127.0.0.1:4317 */
  origin: string;
  fetch: typeof fetch;
  /** Backoff schedule for the event stream, in ms (last value repeats). */
  backoffMs?: readonly number[];
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
};

const DEFAULT_BACKOFF = [500, 1000, 2000, 4000, 8000, 15000] as const;
function isResult(body: unknown): body is Result<unknown> {
  if (typeof body !== 'object' || body === null || !('ok' in body)) return false;
  const ok = body.ok;
  return ok === true || (ok === false && 'error' in body && typeof body.error === 'string');
}

export function createBridgeTransport(options: BridgeOptions): Transport {
  const { origin } = options;
  const doFetch = options.fetch;
  const backoff = options.backoffMs ?? DEFAULT_BACKOFF;
  const later = options.setTimeout ?? ((fn: () => void, ms: number) => globalThis.setTimeout(fn, ms));
  const cancelLater = options.clearTimeout ?? ((h: unknown) => globalThis.clearTimeout(h as ReturnType<typeof setTimeout>));
  const host = (() => {
    try {
      return new URL(origin).host;
    } catch {
      return origin;
    }
  })();

  async function call<C extends Channel>(
    channel: C,
    input: ChannelInput<C>,
    opts?: CallOptions,
  ): Promise<ChannelOutput<C>> {
    let response: Response;
    try {
      response = await doFetch(`${origin}/api/${encodeURIComponent(channel)}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(input ?? {}),
        credentials: 'same-origin',
        cache: 'no-store',
        signal: opts?.signal ?? null,
      });
    } catch (error) {
      if (opts?.signal?.aborted) throw new ApiError('Request cancelled', 'aborted', channel);
      void error;
      throw new ApiError(
        `Cannot reach the Latchkey bridge at ${host}. Is \`latchkey serve\` still running?`,
        'network',
        channel,
      );
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      if (opts?.signal?.aborted) throw new ApiError('Request cancelled', 'aborted', channel);
      throw new ApiError(`The bridge answered HTTP ${response.status} without a JSON body`, 'transport', channel);
    }
    if (!isResult(body)) {
      throw new ApiError(`The bridge answered HTTP ${response.status} with an unexpected body`, 'transport', channel);
    }
    if (!body.ok) {
      const code = body.code ?? (response.status === 401 || response.status === 403 ? 'unauthorized' : 'failed');
      throw new ApiError(body.error, code, channel);
    }
    return body.value as ChannelOutput<C>;
  }

  // ---- events -------------------------------------------------------------
  type AnyListener = (payload: unknown) => void;
  const listeners = new Map<string, Set<AnyListener>>();
  const statusListeners = new Set<(s: EventStreamStatus) => void>();
  let status: EventStreamStatus = 'idle';
  let started = false;
  let stopped = false;
  let attempt = 0;
  let timer: unknown = null;
  let controller: AbortController | null = null;
  let lastEventId: string | null = null;

  const setStatus = (s: EventStreamStatus): void => {
    if (s === status) return;
    status = s;
    for (const l of statusListeners) l(s);
  };

  const dispatch = (event: string, data: string): void => {
    const set = listeners.get(event);
    if (!set || set.size === 0) return;
    let payload: unknown;
    try {
      payload = JSON.parse(data);
    } catch {
      return; // a malformed event is dropped, not fatal
    }
    for (const l of [...set]) l(payload);
  };

  const scheduleReconnect = (hintMs: number | null): void => {
    if (stopped) return;
    const base = backoff[Math.min(attempt, backoff.length - 1)] ?? 15000;
    attempt += 1;
    const wait = Math.max(hintMs ?? 0, base);
    setStatus('reconnecting');
    timer = later(() => {
      timer = null;
      void connect();
    }, wait);
  };

  async function connect(): Promise<void> {
    if (stopped) return;
    controller = new AbortController();
    const parser = createSseParser();
    const headers: Record<string, string> = { Accept: 'text/event-stream' };
    if (lastEventId !== null) headers['Last-Event-ID'] = lastEventId;
    setStatus(attempt === 0 ? 'connecting' : 'reconnecting');
    try {
      const response = await doFetch(`${origin}/api/events`, {
        method: 'GET',
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        signal: controller.signal,
      });
      if (response.status === 401 || response.status === 403) {
        // A missing session will not appear by retrying.
        setStatus('unauthorized');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
      attempt = 0;
      setStatus('open');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        for (const msg of parser.push(value)) {
          if (msg.id !== null) lastEventId = msg.id;
          dispatch(msg.event, msg.data);
        }
      }
      scheduleReconnect(parser.retryMs());
    } catch {
      if (stopped) return;
      scheduleReconnect(parser.retryMs());
    }
  }

  const ensureStarted = (): void => {
    if (started || stopped) return;
    started = true;
    void connect();
  };

  return {
    kind: 'bridge',
    call,
    on<E extends EventName>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      let set = listeners.get(event);
      if (!set) {
        set = new Set();
        listeners.set(event, set);
      }
      const l = listener as AnyListener;
      set.add(l);
      ensureStarted();
      return () => {
        set.delete(l);
      };
    },
    onStatus(listener) {
      statusListeners.add(listener);
      listener(status);
      return () => {
        statusListeners.delete(listener);
      };
    },
    close() {
      stopped = true;
      if (timer !== null) cancelLater(timer);
      controller?.abort();
      setStatus('closed');
    },
  };
}
