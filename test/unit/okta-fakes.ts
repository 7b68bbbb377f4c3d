// Test doubles for the Okta connector's unit tests: simulated time (a clock
// and a sleep that only move when the test says so) and a tiny in-memory
// "Okta" transport that enforces per-minute buckets the way Okta does.
import type { Clock } from '../../electron/engine/context.js';
import type { Sleep } from '../../electron/engine/connectors/okta/rate-budget.js';
import type { HeadersLike, Transport, TransportInit, TransportResponse } from '../../electron/engine/connectors/okta/request-executor.js';

export type FakeTime = {
  clock: Clock;
  sleep: Sleep;
  now: () => number;
  /** Timers waiting to fire. */
  pending: () => number;
  /**
   * Runs `work` to completion, firing the earliest timer whenever every
   * other piece of work is blocked (simulated time: no real waiting).
   */
  run: <T>(work: Promise<T>) => Promise<T>;
  /** Every sleep requested, in ms. */
  sleeps: number[];
};

export function fakeTime(start = Date.UTC(2026, 0, 5, 9, 0, 0)): FakeTime {
  let now = start;
  let timers: { at: number; seq: number; resolve: () => void }[] = [];
  let seq = 0;
  const sleeps: number[] = [];
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      sleeps.push(ms);
      const t = { at: now + Math.max(0, ms), seq: seq++, resolve };
      timers.push(t);
      signal?.addEventListener(
        'abort',
        () => {
          timers = timers.filter((x) => x !== t);
          resolve();
        },
        { once: true },
      );
    });
  const idle = (): Promise<void> => new Promise((r) => setImmediate(r));
  return {
    clock: { now: () => new Date(now) },
    sleep,
    now: () => now,
    pending: () => timers.length,
    sleeps,
    async run(work) {
      let settled = false;
      const tracked = work.finally(() => {
        settled = true;
      });
      tracked.catch(() => undefined);
      for (let spins = 0; !settled; spins++) {
        if (spins > 1_000_000) throw new Error('simulation did not settle');
        await idle();
        if (settled) break;
        if (timers.length === 0) continue;
        timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
        const t = timers.shift()!;
        now = Math.max(now, t.at);
        t.resolve();
      }
      return tracked;
    },
  };
}

export function headers(map: Record<string, string>): HeadersLike {
  const lower = new Map(Object.entries(map).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    get: (n) => lower.get(n.toLowerCase()) ?? null,
    forEach: (cb) => lower.forEach((v, k) => cb(v, k)),
  };
}

export function response(status: number, body: unknown, h: Record<string, string> = {}): TransportResponse {
  const buf = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  return {
    status,
    headers: headers({ 'content-type': 'application/json', ...h }),
    buffer: () => Promise.resolve(buf),
    arrayBuffer: () => Promise.resolve(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)),
  };
}

export type SentRequest = { at: number; method: string; url: string; headers: Record<string, string> };

/**
 * An Okta-like server in memory: one-minute windows aligned to the clock's
 * minute, X-Rate-Limit-* on every answer, 429 (E0000047) when a bucket is
 * spent. `handler` builds the answer of allowed requests; `inFlight` tracks
 * the most requests the server held at once.
 */
export function fakeOkta(
  time: FakeTime,
  opts: {
    limits?: Partial<Record<string, number>>;
    handler?: (req: SentRequest) => TransportResponse | Promise<TransportResponse>;
    /** Simulated service time of each request. */
    latencyMs?: number;
    /** Calls other integrations already made in the current window, per bucket. */
    foreignUse?: Partial<Record<string, number>>;
  } = {},
): Transport & { sent: SentRequest[]; perWindow: Map<string, number>; rejected: number; maxInFlight: number } {
  const limits: Record<string, number> = { '/api/v1/users': 600, '/api/v1/groups': 500, '/api/v1/apps': 100, '/api/v1/logs': 120, other: 1200, ...opts.limits };
  const used = new Map<string, number>();
  const bucketOf = (path: string): string => {
    for (const b of ['/api/v1/users', '/api/v1/groups', '/api/v1/apps', '/api/v1/logs']) if (path === b || path.startsWith(`${b}/`)) return b;
    return 'other';
  };
  let inFlight = 0;
  const t = async (url: string, init: TransportInit): Promise<TransportResponse> => {
    const req: SentRequest = { at: time.now(), method: init.method, url, headers: init.headers };
    t.sent.push(req);
    inFlight++;
    t.maxInFlight = Math.max(t.maxInFlight, inFlight);
    try {
      if (opts.latencyMs) await time.sleep(opts.latencyMs);
      const path = new URL(url).pathname;
      const bucket = bucketOf(path);
      const windowStart = Math.floor(time.now() / 60_000) * 60_000;
      const key = `${bucket}@${windowStart}`;
      const limit = limits[bucket]!;
      const n = (used.get(key) ?? opts.foreignUse?.[bucket] ?? 0) + 1;
      const rl = {
        'x-rate-limit-limit': String(limit),
        'x-rate-limit-reset': String((windowStart + 60_000) / 1000),
        date: new Date(time.now()).toUTCString(),
      };
      if (n > limit) {
        t.rejected++;
        return response(429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' }, { ...rl, 'x-rate-limit-remaining': '0' });
      }
      used.set(key, n);
      t.perWindow.set(key, n - (opts.foreignUse?.[bucket] ?? 0));
      const res = await (opts.handler ?? (() => response(200, [])))(req);
      const merged: Record<string, string> = { ...rl, 'x-rate-limit-remaining': String(limit - n) };
      res.headers.forEach((v, k) => {
        if (!(k in merged)) merged[k] = v;
      });
      return { ...res, headers: headers(merged) };
    } finally {
      inFlight--;
    }
  };
  t.sent = [] as SentRequest[];
  t.perWindow = new Map<string, number>();
  t.rejected = 0;
  t.maxInFlight = 0;
  return t;
}
