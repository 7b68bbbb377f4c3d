// Keeps Latchkey inside its share of each Okta rate-limit bucket.
//
// Okta's limits are per org and shared by every integration (SCIM apps, HR
// imports, other admin tools). A sync that drains a bucket makes someone
// else's integration fail with 429s, so we stop at `share` of each bucket and
// wait for the window to reset: we slow down BEFORE a 429, not after one.
//
// The state per bucket is what the server last told us (X-Rate-Limit-Limit,
// -Remaining, -Reset) plus the requests we have sent and not yet heard back
// about. The server's "remaining" already counts other clients' calls, so the
// rule "used + in flight < share * limit" keeps the whole org's usage of the
// bucket at or below the share, not only ours.
import type { Clock } from '../../context.js';

/** Okta's endpoint families, each with its own per-minute limit. */
export type BucketName = '/api/v1/users' | '/api/v1/groups' | '/api/v1/apps' | '/api/v1/logs' | 'other';

/** Resolves after `ms`, or at once when `signal` aborts (it never rejects). */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });

/** The bucket a request path counts against, by endpoint family. */
export function bucketFor(url: string): BucketName {
  let path: string;
  try {
    path = new URL(url, 'http://x').pathname;
  } catch {
    return 'other';
  }
  for (const family of ['/api/v1/users', '/api/v1/groups', '/api/v1/apps', '/api/v1/logs'] as const) {
    if (path === family || path.startsWith(`${family}/`)) return family;
  }
  return 'other';
}

export type RateLimitHeaders = { limit: number; remaining: number; reset: number; date: number | null };

/** Reads X-Rate-Limit-* (and Date, to correct for clock skew); null when the response carries none. */
export function readRateLimitHeaders(get: (name: string) => string | null): RateLimitHeaders | null {
  const limit = Number(get('x-rate-limit-limit'));
  const remaining = Number(get('x-rate-limit-remaining'));
  const reset = Number(get('x-rate-limit-reset'));
  // Okta has been seen to send duplicated headers ("600, 600"): Number() of that is NaN, so it is ignored.
  if (!Number.isFinite(limit) || !Number.isFinite(remaining) || !Number.isFinite(reset) || limit <= 0) return null;
  const dateHeader = get('date');
  const date = dateHeader ? Date.parse(dateHeader) : NaN;
  return { limit, remaining: Math.max(0, remaining), reset, date: Number.isFinite(date) ? date : null };
}

/** Reason for aborting internal waits: cheaper than the default DOMException (made per call). */
const STOPPED = Symbol('stopped');

export type BucketSnapshot = {
  bucket: BucketName;
  limit: number | null;
  remaining: number | null;
  /** Local time the window resets, when known. */
  resetAt: string | null;
  inFlight: number;
  /** Calls this bucket may still take within our share before we pause. */
  headroom: number | null;
};

export type BudgetStats = { throttledWaits: number; buckets: BucketSnapshot[] };

export type Ticket = { readonly bucket: BucketName; released: boolean };

export type RateBudget = {
  readonly share: number;
  /** Waits until a call to `bucket` fits in the budget, then counts it as in flight. */
  acquire: (bucket: BucketName, signal?: AbortSignal) => Promise<Ticket>;
  /** Ends an acquired call: records the server's headers (if any) and frees the in-flight slot. */
  release: (ticket: Ticket, headers: RateLimitHeaders | null) => void;
  /** A 429 says the bucket is spent whatever its headers claim: nothing more until the reset. */
  exhausted: (bucket: BucketName, headers: RateLimitHeaders | null) => void;
  /** When the bucket's window resets (local ms), if known and in the future. */
  resetAt: (bucket: BucketName) => number | null;
  stats: () => BudgetStats;
  /** The bucket with the least headroom right now (for progress reports). */
  tightest: () => BucketSnapshot | null;
};

type BucketState = {
  name: BucketName;
  /** null until a response told us; `unlimited` when responses carry no headers at all. */
  limit: number | null;
  unlimited: boolean;
  /** Lowest "remaining" reported in the current window (responses arrive out of order). */
  remaining: number;
  /** The server's X-Rate-Limit-Reset (epoch seconds): identifies the window. */
  resetEpoch: number;
  /** The same moment on our clock, corrected for skew via the Date header. */
  resetAtMs: number;
  inFlight: number;
  waiters: Set<() => void>;
};

export type RateBudgetOptions = {
  /** Share of each bucket we may use, 0 < share <= 1. */
  share: number;
  clock: Clock;
  sleep: Sleep;
  /** Extra wait after a reset, spread so concurrent waiters do not all fire in the same millisecond. */
  jitterMs?: () => number;
};

export function createRateBudget(options: RateBudgetOptions): RateBudget {
  const share = options.share;
  if (!(share > 0 && share <= 1)) throw new RangeError(`budget share must be in (0, 1], got ${share}`);
  const now = (): number => options.clock.now().getTime();
  const jitter = options.jitterMs ?? ((): number => 50 + Math.random() * 250);
  const buckets = new Map<BucketName, BucketState>();
  let throttledWaits = 0;

  const state = (name: BucketName): BucketState => {
    let s = buckets.get(name);
    if (!s) {
      s = { name, limit: null, unlimited: false, remaining: 0, resetEpoch: 0, resetAtMs: 0, inFlight: 0, waiters: new Set() };
      buckets.set(name, s);
    }
    return s;
  };

  const allowedOf = (limit: number): number => Math.max(1, Math.floor(share * limit));

  /** 'go', or the local time to wait until (null: wait for an in-flight call to come back). */
  const decide = (s: BucketState, t: number): 'go' | { until: number | null } => {
    if (s.unlimited) return 'go';
    // Unknown limit: send a single probe and learn the bucket from its answer
    // rather than firing `concurrency` calls blind into a possibly-spent bucket.
    if (s.limit === null) return s.inFlight === 0 ? 'go' : { until: null };
    const used = s.limit - s.remaining + s.inFlight;
    if (used < allowedOf(s.limit)) return 'go';
    if (t >= s.resetAtMs) {
      // The window should have rolled over. One probe finds out (our reset
      // estimate could be early if the clocks disagree); the rest follow once
      // it reports the new window.
      return s.inFlight === 0 ? 'go' : { until: null };
    }
    return { until: s.resetAtMs };
  };

  const notify = (s: BucketState): void => {
    const ws = [...s.waiters];
    s.waiters.clear();
    for (const w of ws) w();
  };

  const waitFor = async (s: BucketState, until: number | null, signal?: AbortSignal): Promise<void> => {
    const stop = new AbortController();
    const onAbort = (): void => stop.abort(STOPPED);
    signal?.addEventListener('abort', onAbort, { once: true });
    const released = new Promise<void>((resolve) => {
      const w = (): void => resolve();
      s.waiters.add(w);
      stop.signal.addEventListener('abort', () => {
        s.waiters.delete(w);
        resolve();
      });
    });
    const timers: Promise<void>[] = [released];
    if (until !== null) timers.push(options.sleep(Math.max(0, until - now()) + jitter(), stop.signal));
    try {
      await Promise.race(timers);
    } finally {
      stop.abort(STOPPED);
      signal?.removeEventListener('abort', onAbort);
    }
  };

  const observe = (s: BucketState, h: RateLimitHeaders | null): void => {
    if (!h) {
      // A server that never sends the headers has no limit we can see.
      if (s.limit === null) s.unlimited = true;
      return;
    }
    s.unlimited = false;
    if (h.reset > s.resetEpoch || s.limit === null) {
      // A new window: take its numbers as they are.
      const skew = h.date !== null ? now() - h.date : 0;
      s.resetEpoch = h.reset;
      s.resetAtMs = h.reset * 1000 + skew;
      s.limit = h.limit;
      s.remaining = h.remaining;
    } else if (h.reset === s.resetEpoch) {
      s.limit = h.limit;
      s.remaining = Math.min(s.remaining, h.remaining);
    }
    // An answer from an older window (sent before the reset, answered after) tells us nothing new.
  };

  const snapshot = (s: BucketState): BucketSnapshot => ({
    bucket: s.name,
    limit: s.unlimited ? null : s.limit,
    remaining: s.unlimited || s.limit === null ? null : s.remaining,
    resetAt: s.limit !== null && !s.unlimited && s.resetAtMs > 0 ? new Date(s.resetAtMs).toISOString() : null,
    inFlight: s.inFlight,
    headroom: s.unlimited || s.limit === null ? null : Math.max(0, allowedOf(s.limit) - (s.limit - s.remaining) - s.inFlight),
  });

  return {
    share,
    async acquire(bucket, signal) {
      const s = state(bucket);
      let counted = false;
      for (;;) {
        signal?.throwIfAborted();
        const d = decide(s, now());
        if (d === 'go') {
          s.inFlight++;
          return { bucket, released: false };
        }
        // Waiting for a reset is a throttle; waiting behind a probe is not (it is one round trip).
        if (d.until !== null && !counted) {
          counted = true;
          throttledWaits++;
        }
        await waitFor(s, d.until, signal);
      }
    },
    release(ticket, headers) {
      if (ticket.released) return;
      ticket.released = true;
      const s = state(ticket.bucket);
      s.inFlight = Math.max(0, s.inFlight - 1);
      observe(s, headers);
      notify(s);
    },
    exhausted(bucket, headers) {
      const s = state(bucket);
      observe(s, headers);
      if (s.limit === null) s.limit = headers?.limit ?? 1;
      s.unlimited = false;
      s.remaining = 0;
      if (headers && headers.reset >= s.resetEpoch) {
        const skew = headers.date !== null ? now() - headers.date : 0;
        s.resetEpoch = headers.reset;
        s.resetAtMs = headers.reset * 1000 + skew;
      }
      notify(s);
    },
    resetAt(bucket) {
      const s = buckets.get(bucket);
      if (!s || s.limit === null || s.unlimited) return null;
      return s.resetAtMs > now() ? s.resetAtMs : null;
    },
    stats: () => ({ throttledWaits, buckets: [...buckets.values()].map(snapshot) }),
    tightest() {
      let best: BucketSnapshot | null = null;
      for (const s of buckets.values()) {
        const snap = snapshot(s);
        if (snap.limit === null || snap.remaining === null) continue;
        const ratio = (snap.headroom ?? 0) / snap.limit;
        if (!best || ratio < (best.headroom ?? 0) / (best.limit ?? 1)) best = snap;
      }
      return best;
    },
  };
}
