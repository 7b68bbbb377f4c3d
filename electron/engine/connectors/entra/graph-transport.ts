// The last middleware of our Microsoft Graph client chain: the one that puts
// a request on the wire. The SDK's own HTTPMessageHandler calls the global
// fetch, and Node's fetch takes no https.Agent, so it could only trust a
// per-connection CA by changing trust for the whole process. This handler
// sends each request over node:https with the connection's agent instead
// (system CAs plus the connection's `caPem`, keep-alive sockets), through the
// same transport the Okta connector uses (gzip, premature-close detection).
//
// It is also where three rules are enforced for every request, retries
// included:
// - origin pinning: only the connection's Graph origin is ever contacted
//   (threat: a forged or tampered @odata.nextLink / deltaLink sending our
//   bearer token to another host; the SDK's AuthenticationHandler attaches
//   the token to any "Graph-looking" host, and to any port of a custom host);
// - one shared throttling gate: a 429's Retry-After pauses every request of
//   the connection, not just the one that was refused (the budget is per app
//   and tenant, so the others would only be refused too). The SDK's
//   RetryHandler, earlier in the chain, does the retrying and waits the same
//   Retry-After;
// - network errors, time-outs and 500/502 are retried here for GETs (the
//   RetryHandler only retries 429/503/504) with exponential back-off.
import type https from 'node:https';
import type { Context, Middleware } from '@microsoft/microsoft-graph-client';
import { createHttpTransport } from '../okta/http-transport.js';
import type { Transport } from '../okta/request-executor.js';
import { EntraError, isRetryableNetworkError, networkError, safeHost } from './entra-errors.js';

export type GraphHttpStats = {
  /** Requests put on the wire (retries included). */
  requests: number;
  /** Retries after network errors, time-outs and 500/502. */
  retries: number;
  /** 429 answers received (each one retried after its Retry-After). */
  rateLimited: number;
  /** Requests held at the throttling gate before being sent. */
  throttledWaits: number;
  /** Resource units Graph reported (x-ms-resource-unit). */
  resourceUnits: number;
  timeouts: number;
};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new EntraError('the sync was cancelled', 'aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new EntraError('the sync was cancelled', 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Per-request state shared between the call site and this handler (through the SDK's middleware options). */
export class CallState {
  /** What the handler threw: the SDK wraps it in a GraphError, the call site rethrows the original. */
  failure: unknown = null;
}

/** Pauses every request of a connection until a 429's Retry-After has passed. */
export type ThrottleGate = {
  pause: (ms: number) => void;
  /** Resolves when requests may go; true when it had to wait. */
  wait: (signal?: AbortSignal) => Promise<boolean>;
};

export function createThrottleGate(sleep: Sleep, now: () => number = Date.now): ThrottleGate {
  let until = 0;
  return {
    pause: (ms) => {
      until = Math.max(until, now() + ms);
    },
    async wait(signal) {
      let waited = false;
      for (let left = until - now(); left > 0; left = until - now()) {
        waited = true;
        await sleep(left, signal);
      }
      return waited;
    },
  };
}

/** Retry-After as milliseconds (seconds or an HTTP date), 1 s when absent or odd. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number {
  if (header === null || header.trim() === '') return 1000;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : 1000;
}

export type PinnedHandlerOptions = {
  /** The only origin requests may go to, e.g. https://graph.microsoft.com. */
  origin: string;
  agent: https.Agent;
  gate: ThrottleGate;
  stats: GraphHttpStats;
  signal?: AbortSignal;
  transport?: Transport;
  sleep?: Sleep;
  /** Per attempt (default 60 s). */
  timeoutMs?: number;
  /** Retries of a GET after a network error, time-out, 500 or 502 (default 4). */
  maxRetries?: number;
  /** First back-off step (doubles per attempt, with jitter; default 500 ms). */
  baseBackoffMs?: number;
};

export class PinnedHttpsHandler implements Middleware {
  private readonly transport: Transport;
  private readonly sleep: Sleep;

  constructor(private readonly o: PinnedHandlerOptions) {
    this.transport = o.transport ?? createHttpTransport();
    this.sleep = o.sleep ?? realSleep;
  }

  async execute(context: Context): Promise<void> {
    const state = context.middlewareControl?.getMiddlewareOptions(CallState) as CallState | undefined;
    try {
      context.response = await this.send(context);
    } catch (e) {
      if (state) state.failure = e;
      throw e;
    }
  }

  private async send(context: Context): Promise<Response> {
    const { o } = this;
    // RequestInfo is a DOM type the node config does not resolve: narrow by hand.
    const request: unknown = context.request;
    const requestUrl = typeof request === 'string' ? request : (request as { url?: unknown }).url;
    const url = typeof requestUrl === 'string' ? requestUrl : '';
    let origin: string;
    try {
      origin = new URL(url).origin;
    } catch {
      throw new EntraError('refused a malformed request URL', 'refused');
    }
    if (origin !== o.origin) {
      throw new EntraError(`refused to send a request to ${safeHost(url)}: the access token only goes to ${safeHost(o.origin)}, this connection's Graph endpoint`, 'refused');
    }
    const method = (context.options?.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = {};
    new Headers(context.options?.headers).forEach((v, k) => {
      headers[k] = v;
    });
    const rawBody = context.options?.body;
    const body = typeof rawBody === 'string' || rawBody instanceof Uint8Array ? rawBody : undefined;
    const idempotent = method === 'GET' || method === 'HEAD';
    const maxRetries = o.maxRetries ?? 4;
    const base = o.baseBackoffMs ?? 500;
    const backoff = (attempt: number): number => Math.min(30_000, base * 2 ** attempt) * (0.5 + Math.random() / 2);

    for (let attempt = 0; ; attempt++) {
      if (await o.gate.wait(o.signal)) o.stats.throttledWaits++;
      if (o.signal?.aborted) throw new EntraError('the sync was cancelled', 'aborted');
      o.stats.requests++;
      const timeout = AbortSignal.timeout(o.timeoutMs ?? 60_000);
      const signal = o.signal ? AbortSignal.any([o.signal, timeout]) : timeout;
      let status: number;
      let resHeaders: Headers;
      let buffer: Buffer;
      try {
        const res = await this.transport(url, { method, headers, ...(body !== undefined ? { body } : {}), signal, agent: o.agent });
        buffer = res.buffer ? await res.buffer() : Buffer.from(await res.arrayBuffer());
        status = res.status;
        resHeaders = new Headers();
        res.headers.forEach((v, k) => {
          // The body is already decoded: its old encoding and length would mislead a reader.
          if (k !== 'content-encoding' && k !== 'content-length') resHeaders.append(k, v);
        });
      } catch (e) {
        if (o.signal?.aborted) throw new EntraError('the sync was cancelled', 'aborted');
        const timedOut = timeout.aborted;
        if (timedOut) o.stats.timeouts++;
        if (idempotent && attempt < maxRetries && (timedOut || isRetryableNetworkError(e))) {
          o.stats.retries++;
          await this.sleep(backoff(attempt), o.signal);
          continue;
        }
        if (timedOut) throw new EntraError(`${safeHost(url)} did not answer within ${Math.round((o.timeoutMs ?? 60_000) / 1000)} s`, 'timeout');
        throw networkError(e, url);
      }
      const units = Number(resHeaders.get('x-ms-resource-unit'));
      if (Number.isFinite(units) && units > 0) o.stats.resourceUnits += units;
      if (status === 429) {
        o.stats.rateLimited++;
        o.gate.pause(retryAfterMs(resHeaders.get('retry-after')));
      } else if (status === 503 && resHeaders.has('retry-after')) {
        o.gate.pause(retryAfterMs(resHeaders.get('retry-after')));
      }
      if ((status === 500 || status === 502) && idempotent && attempt < maxRetries) {
        o.stats.retries++;
        await this.sleep(backoff(attempt), o.signal);
        continue;
      }
      const noBody = status === 204 || status === 205 || status === 304;
      return new Response(noBody ? null : new Uint8Array(buffer), { status, headers: resHeaders });
    }
  }
}
