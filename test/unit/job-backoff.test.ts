import { describe, expect, it } from 'vitest';
import { backoffMs, DEFAULT_BACKOFF } from '../../electron/engine/jobs/backoff.js';
import { offsetClock } from '../../electron/engine/jobs/clock.js';

describe('job back-off', () => {
  it('grows exponentially from ~2 s with full jitter, capped at 10 min', () => {
    expect(backoffMs(1, DEFAULT_BACKOFF, () => 0.999)).toBe(1998);
    expect(backoffMs(2, DEFAULT_BACKOFF, () => 0.999)).toBe(3996);
    expect(backoffMs(5, DEFAULT_BACKOFF, () => 0.5)).toBe(16_000);
    expect(backoffMs(30, DEFAULT_BACKOFF, () => 0.999)).toBe(599_400);
    // Full jitter: anywhere from 0 to the step.
    expect(backoffMs(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
  });

  it("waits at least what the server asked for (Retry-After / X-Rate-Limit-Reset), within the cap", () => {
    expect(backoffMs(1, DEFAULT_BACKOFF, () => 0, 30_000)).toBe(30_000);
    expect(backoffMs(1, DEFAULT_BACKOFF, () => 0.5, 30_000)).toBeGreaterThanOrEqual(30_000);
    expect(backoffMs(1, DEFAULT_BACKOFF, () => 0, 3_600_000)).toBe(600_000);
  });

  it('the sandbox clock only moves forward', () => {
    const c = offsetClock({ now: () => new Date(1000) });
    c.advance(500);
    expect(c.now().getTime()).toBe(1500);
    expect(c.offsetMs).toBe(500);
    expect(() => c.advance(-1)).toThrow(/only moves forward/);
  });
});
