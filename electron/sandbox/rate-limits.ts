// Okta's per-endpoint rate limits, as the sandbox enforces them. Okta counts
// per org and per endpoint family, in one-minute windows, and reports the
// state on every response in X-Rate-Limit-Limit / -Remaining / -Reset (epoch
// seconds at which the window resets). The engine's sync paces itself from
// those headers, so the sandbox must send them on every response.
//
// Windows here are aligned to the clock's minute (reset = next whole minute):
// deterministic under an injected clock, and the same shape as Okta's.

export type RateLimitMode = 'off' | 'okta';

export type BucketDef = { name: string; limit: number; matches: (path: string) => boolean };

const family = (prefix: string) => (path: string): boolean => path === prefix || path.startsWith(`${prefix}/`);

/**
 * The bucket table (requests per minute), from Okta's published default
 * limits for the management API families the sandbox serves. The first
 * matching row wins; the last row catches everything else (/api/v1/org,
 * /oauth2/v1/token, ...).
 */
export const OKTA_RATE_LIMIT_BUCKETS: readonly BucketDef[] = [
  { name: '/api/v1/users', limit: 600, matches: family('/api/v1/users') },
  { name: '/api/v1/groups', limit: 500, matches: family('/api/v1/groups') },
  { name: '/api/v1/apps', limit: 100, matches: family('/api/v1/apps') },
  { name: '/api/v1/logs', limit: 120, matches: family('/api/v1/logs') },
  { name: 'other', limit: 1200, matches: () => true },
];

/**
 * With rate limits off the headers are still sent (clients must not depend on
 * their absence) but with a limit no sync can reach, still counted down, so a
 * budget-aware client sees plenty of room instead of stalling on fake numbers.
 */
export const UNLIMITED_BUCKET_LIMIT = 1_000_000;

export type RateLimitDecision = {
  bucket: string;
  limit: number;
  remaining: number;
  /** Epoch seconds when the window resets. */
  reset: number;
  allowed: boolean;
};

export type RateLimiter = {
  /** Counts one request against the path's bucket. */
  take: (path: string, nowMs: number) => RateLimitDecision;
  /** The current state of the path's bucket without counting a request. */
  peek: (path: string, nowMs: number) => RateLimitDecision;
};

export function bucketOf(path: string): BucketDef {
  return OKTA_RATE_LIMIT_BUCKETS.find((b) => b.matches(path)) ?? (OKTA_RATE_LIMIT_BUCKETS.at(-1) as BucketDef);
}

export function createRateLimiter(mode: RateLimitMode): RateLimiter {
  const windows = new Map<string, { windowStart: number; used: number }>();
  const state = (path: string, nowMs: number): { def: BucketDef; limit: number; w: { windowStart: number; used: number } } => {
    const def = bucketOf(path);
    const windowStart = Math.floor(nowMs / 60_000) * 60_000;
    let w = windows.get(def.name);
    if (!w || w.windowStart !== windowStart) {
      w = { windowStart, used: 0 };
      windows.set(def.name, w);
    }
    return { def, limit: mode === 'okta' ? def.limit : UNLIMITED_BUCKET_LIMIT, w };
  };
  const decision = (def: BucketDef, limit: number, w: { windowStart: number; used: number }, allowed: boolean): RateLimitDecision => ({
    bucket: def.name,
    limit,
    remaining: Math.max(0, limit - w.used),
    reset: (w.windowStart + 60_000) / 1000,
    allowed,
  });
  return {
    take: (path, nowMs) => {
      const { def, limit, w } = state(path, nowMs);
      if (w.used >= limit) return decision(def, limit, w, mode === 'off');
      w.used++;
      return decision(def, limit, w, true);
    },
    peek: (path, nowMs) => {
      const { def, limit, w } = state(path, nowMs);
      return decision(def, limit, w, w.used < limit || mode === 'off');
    },
  };
}
