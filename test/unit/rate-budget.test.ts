import { describe, expect, it } from 'vitest';
import { bucketFor, createRateBudget, readRateLimitHeaders } from '../../electron/engine/connectors/okta/rate-budget.js';
import { BudgetedRequestExecutor, type Transport } from '../../electron/engine/connectors/okta/request-executor.js';
import { fakeOkta, fakeTime, response, type FakeTime } from './okta-fakes.js';

const ORG = 'https://acme.okta.com';

function executor(time: FakeTime, transport: Transport, extra: Partial<ConstructorParameters<typeof BudgetedRequestExecutor>[0]> = {}) {
  const budget = createRateBudget({ share: 0.5, clock: time.clock, sleep: time.sleep, jitterMs: () => 10 });
  const ex = new BudgetedRequestExecutor({ budget, clock: time.clock, sleep: time.sleep, transport, random: () => 0.5, ...extra });
  return { budget, ex };
}

describe('bucketFor', () => {
  it('maps paths to Okta endpoint families', () => {
    expect(bucketFor(`${ORG}/api/v1/users?limit=200`)).toBe('/api/v1/users');
    expect(bucketFor(`${ORG}/api/v1/users/me/roles`)).toBe('/api/v1/users');
    expect(bucketFor(`${ORG}/api/v1/groups/00g1/users`)).toBe('/api/v1/groups');
    expect(bucketFor(`${ORG}/api/v1/groups/rules`)).toBe('/api/v1/groups');
    expect(bucketFor(`${ORG}/api/v1/apps/0oa1/groups`)).toBe('/api/v1/apps');
    expect(bucketFor(`${ORG}/api/v1/logs?since=x`)).toBe('/api/v1/logs');
    expect(bucketFor(`${ORG}/api/v1/usersx`)).toBe('other');
    expect(bucketFor(`${ORG}/oauth2/v1/token`)).toBe('other');
    expect(bucketFor(`${ORG}/api/v1/org`)).toBe('other');
  });

  it('reads rate-limit headers and ignores duplicated values', () => {
    const h = (m: Record<string, string>) => (n: string) => m[n] ?? null;
    expect(readRateLimitHeaders(h({ 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': '1767603660' }))).toMatchObject({
      limit: 600,
      remaining: 599,
      reset: 1767603660,
    });
    expect(readRateLimitHeaders(h({ 'x-rate-limit-limit': '600, 600', 'x-rate-limit-remaining': '1', 'x-rate-limit-reset': '1' }))).toBeNull();
    expect(readRateLimitHeaders(h({}))).toBeNull();
  });
});

describe('rate budget', () => {
  it('never goes past its share of a bucket, even with many requests in flight', async () => {
    const time = fakeTime();
    const okta = fakeOkta(time, { limits: { '/api/v1/users': 100 }, latencyMs: 40 });
    const { ex, budget } = executor(time, okta);
    const total = 260;
    let next = 0;
    const worker = async () => {
      while (next < total) {
        next++;
        const res = await ex.execute({ url: `${ORG}/api/v1/users?limit=200`, method: 'get' });
        expect(res.status).toBe(200);
      }
    };
    await time.run(Promise.all(Array.from({ length: 20 }, worker)));

    expect(okta.sent).toHaveLength(total);
    expect(okta.rejected).toBe(0);
    expect(ex.stats.rateLimited).toBe(0);
    // 50% of 100 per one-minute window, whatever the concurrency.
    for (const [, n] of okta.perWindow) expect(n).toBeLessThanOrEqual(50);
    expect(okta.perWindow.size).toBe(Math.ceil(total / 50));
    expect(budget.stats().throttledWaits).toBeGreaterThan(0);
  });

  it('counts what other integrations already used of the bucket', async () => {
    const time = fakeTime();
    const okta = fakeOkta(time, { limits: { '/api/v1/groups': 100 }, foreignUse: { '/api/v1/groups': 40 } });
    const { ex } = executor(time, okta);
    const firstMinute = Math.floor(time.now() / 60_000) * 60_000;
    await time.run(
      (async () => {
        for (let i = 0; i < 12; i++) await ex.execute({ url: `${ORG}/api/v1/groups/00g${i}/users`, method: 'get' });
      })(),
    );
    // 40 foreign + ours must stay <= 50 in the first window: 10 of our calls, then a wait.
    expect(okta.perWindow.get(`/api/v1/groups@${firstMinute}`)).toBe(10);
    expect(okta.sent[10]!.at).toBeGreaterThanOrEqual(firstMinute + 60_000);
    expect(okta.rejected).toBe(0);
  });

  it('waits for the reset rather than sending into a spent budget', async () => {
    const time = fakeTime(Date.UTC(2026, 0, 5, 9, 0, 30));
    const okta = fakeOkta(time, { limits: { '/api/v1/apps': 10 } });
    const { ex, budget } = executor(time, okta);
    await time.run(
      (async () => {
        for (let i = 0; i < 6; i++) await ex.execute({ url: `${ORG}/api/v1/apps`, method: 'get' });
      })(),
    );
    const reset = Date.UTC(2026, 0, 5, 9, 1, 0);
    expect(okta.sent.slice(0, 5).every((r) => r.at < reset)).toBe(true);
    expect(okta.sent[5]!.at).toBeGreaterThanOrEqual(reset);
    // and not much later than the reset (jitter + the Date header's second precision)
    expect(okta.sent[5]!.at).toBeLessThan(reset + 2_000);
    expect(budget.stats().throttledWaits).toBe(1);
  });

  it('on a 429 waits until X-Rate-Limit-Reset, then retries and says it is a retry', async () => {
    const time = fakeTime(Date.UTC(2026, 0, 5, 9, 0, 10));
    const reset = Date.UTC(2026, 0, 5, 9, 0, 40);
    let calls = 0;
    const transport: Transport = (url, init) => {
      calls++;
      if (calls === 1) {
        return Promise.resolve(
          response(429, { errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' }, {
            'x-rate-limit-limit': '600',
            'x-rate-limit-remaining': '0',
            'x-rate-limit-reset': String(reset / 1000),
            'x-okta-request-id': 'req-1',
            date: new Date(time.now()).toUTCString(),
          }),
        );
      }
      expect(init.headers['X-Okta-Retry-For']).toBe('req-1');
      expect(init.headers['X-Okta-Retry-Count']).toBe('1');
      expect(time.now()).toBeGreaterThanOrEqual(reset);
      return Promise.resolve(response(200, [{ id: 'u1' }], { 'x-rate-limit-limit': '600', 'x-rate-limit-remaining': '599', 'x-rate-limit-reset': String(reset / 1000 + 60) }));
    };
    const { ex } = executor(time, transport);
    const res = await time.run(ex.execute({ url: `${ORG}/api/v1/users`, method: 'get' }));
    expect(res.status).toBe(200);
    expect(calls).toBe(2);
    expect(ex.stats.rateLimited).toBe(1);
    expect(ex.stats.retries).toBe(1);
  });

  it('backs off exponentially with jitter on 5xx, then succeeds', async () => {
    const time = fakeTime();
    const statuses = [503, 500, 502, 200];
    const at: number[] = [];
    const transport: Transport = () => {
      at.push(time.now());
      return Promise.resolve(response(statuses.shift()!, []));
    };
    const { ex } = executor(time, transport, { baseBackoffMs: 1000, random: () => 0 });
    const res = await time.run(ex.execute({ url: `${ORG}/api/v1/groups`, method: 'get' }));
    expect(res.status).toBe(200);
    // equal jitter with random()=0: half of 1s, 2s, 4s
    expect([at[1]! - at[0]!, at[2]! - at[1]!, at[3]! - at[2]!]).toEqual([500, 1000, 2000]);
    expect(ex.stats.retries).toBe(3);
  });

  it('gives up after maxRetries and hands the last 5xx to the caller', async () => {
    const time = fakeTime();
    let calls = 0;
    const transport: Transport = () => {
      calls++;
      return Promise.resolve(response(500, { errorCode: 'E0000009', errorSummary: 'Internal Server Error' }));
    };
    const { ex } = executor(time, transport, { maxRetries: 3 });
    const res = await time.run(ex.execute({ url: `${ORG}/api/v1/groups`, method: 'get' }));
    expect(res.status).toBe(500);
    expect(calls).toBe(4);
  });

  it('retries dropped connections, bodies cut mid-way and time-outs; not DNS failures', async () => {
    const time = fakeTime();
    const outcomes: (() => Promise<ReturnType<typeof response>>)[] = [
      () => Promise.reject(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })),
      () =>
        Promise.resolve({
          ...response(200, []),
          buffer: () => Promise.reject(Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })),
        }),
      () => new Promise(() => undefined), // never answers: the time-out must fire
      () => Promise.resolve(response(200, [{ id: 'ok' }])),
    ];
    const transport: Transport = (_u, init) => {
      const next = outcomes.shift()!;
      return new Promise((resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' })));
        next().then(resolve, reject);
      });
    };
    const { ex } = executor(time, transport, { timeoutMs: 5_000 });
    const res = await time.run(ex.execute({ url: `${ORG}/api/v1/users`, method: 'get' }));
    expect(await res.json()).toEqual([{ id: 'ok' }]);
    expect(ex.stats.retries).toBe(3);
    expect(ex.stats.timeouts).toBe(1);

    const dns: Transport = () => Promise.reject(Object.assign(new Error('getaddrinfo ENOTFOUND nope.okta.com'), { code: 'ENOTFOUND' }));
    const t2 = executor(time, dns);
    await expect(time.run(t2.ex.execute({ url: 'https://nope.okta.com/api/v1/users', method: 'get' }))).rejects.toMatchObject({
      kind: 'unreachable',
      message: expect.stringContaining('cannot resolve nope.okta.com') as unknown,
    });
    expect(t2.ex.stats.requests).toBe(1);
  });

  it('probes a bucket with one request before sending in parallel', async () => {
    const time = fakeTime();
    const okta = fakeOkta(time, { latencyMs: 100 });
    const { ex } = executor(time, okta);
    await time.run(Promise.all(Array.from({ length: 8 }, (_, i) => ex.execute({ url: `${ORG}/api/v1/groups/g${i}/users`, method: 'get' }))));
    expect(okta.sent[0]!.at).toBeLessThan(okta.sent[1]!.at);
    expect(okta.sent.slice(1).every((r) => r.at === okta.sent[1]!.at)).toBe(true);
    expect(okta.maxInFlight).toBe(7);
  });

  it('treats a server without rate-limit headers as unlimited', async () => {
    const time = fakeTime();
    const transport: Transport = () => Promise.resolve(response(200, []));
    const { ex, budget } = executor(time, transport);
    await time.run(Promise.all(Array.from({ length: 50 }, () => ex.execute({ url: `${ORG}/api/v1/apps`, method: 'get' }))));
    expect(budget.stats().throttledWaits).toBe(0);
    expect(budget.stats().buckets[0]).toMatchObject({ bucket: '/api/v1/apps', limit: null });
  });
});

describe('rate budget at the reset instant (fixed clock)', () => {
  // The window resets at R; until then our share (5 of 10) is used up.
  const R = Date.UTC(2026, 0, 5, 9, 1, 0);
  function spentBudget() {
    let now = R - 30_000;
    const sleeps: number[] = [];
    const budget = createRateBudget({
      share: 0.5,
      clock: { now: () => new Date(now) },
      // Simulated: a sleep moves the clock by what it asked for.
      sleep: (ms) => {
        sleeps.push(ms);
        now += ms;
        return Promise.resolve();
      },
      jitterMs: () => 10,
    });
    return {
      budget,
      sleeps,
      set: (t: number) => {
        now = t;
      },
      async spend() {
        const t = await budget.acquire('/api/v1/apps');
        budget.release(t, { limit: 10, remaining: 5, reset: R / 1000, date: null });
      },
    };
  }

  it('sends at exactly the reset instant without waiting (one probe into the new window)', async () => {
    const b = spentBudget();
    await b.spend();
    b.set(R);
    expect(b.budget.resetAt('/api/v1/apps')).toBeNull();
    await b.budget.acquire('/api/v1/apps');
    expect(b.sleeps).toEqual([]);
    expect(b.budget.stats().throttledWaits).toBe(0);
  });

  it('1 ms before the reset it waits until the reset (plus the jitter)', async () => {
    const b = spentBudget();
    await b.spend();
    b.set(R - 1);
    expect(b.budget.resetAt('/api/v1/apps')).toBe(R);
    await b.budget.acquire('/api/v1/apps');
    expect(b.sleeps).toEqual([1 + 10]);
    expect(b.budget.stats().throttledWaits).toBe(1);
  });
});
