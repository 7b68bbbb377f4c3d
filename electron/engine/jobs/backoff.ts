// Back-off between attempts of a job: exponential with "full jitter" (a
// random wait between 0 and the exponential step), so a burst of jobs that
// failed together (a 429 storm, an IdP outage) does not come back together.
// A wait the service asked for (Retry-After, X-Rate-Limit-Reset) wins when
// it is longer: coming back earlier would only be refused again.

export type BackoffPolicy = { baseMs: number; capMs: number };

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, capMs: 10 * 60_000 };

/** Milliseconds to wait before attempt `attempt + 1`, after `attempt` failed tries (attempt >= 1). */
export function backoffMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random, retryAfterMs?: number): number {
  const step = Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = Math.floor(random() * step);
  if (retryAfterMs !== undefined && Number.isFinite(retryAfterMs) && retryAfterMs > 0) {
    // The server's wait, plus a little spread so every waiter does not return in the same millisecond.
    return Math.max(jittered, Math.min(policy.capMs, retryAfterMs) + Math.floor(random() * Math.min(1000, policy.baseMs)));
  }
  return jittered;
}
