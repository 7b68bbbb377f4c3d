import { describe, expect, it } from 'vitest';
import { createFaults, parseFaultRequest } from '../../electron/sandbox/faults.js';
import { createMembershipStore, toSortedUnique } from '../../electron/sandbox/membership-store.js';
import { createRng } from '../../electron/sandbox/prng.js';
import { bucketOf, createRateLimiter, OKTA_RATE_LIMIT_BUCKETS, UNLIMITED_BUCKET_LIMIT } from '../../electron/sandbox/rate-limits.js';
import { createSystemLog, decodeLogCursor, type LogRecord } from '../../electron/sandbox/system-log.js';

describe('prng', () => {
  it('is deterministic per (seed, stream) and differs across streams', () => {
    const a = createRng(5, 'x');
    const b = createRng(5, 'x');
    const c = createRng(5, 'y');
    const seqA = Array.from({ length: 5 }, () => a.next());
    expect(Array.from({ length: 5 }, () => b.next())).toEqual(seqA);
    expect(Array.from({ length: 5 }, () => c.next())).not.toEqual(seqA);
    for (const v of seqA) expect(v >= 0 && v < 1).toBe(true);
  });

  it('draws integers in range and follows weights', () => {
    const r = createRng(9);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[r.weighted([1, 2, 7])]! += 1;
    expect(counts[2]! / 30_000).toBeGreaterThan(0.65);
    expect(counts[2]! / 30_000).toBeLessThan(0.75);
    for (let i = 0; i < 1000; i++) {
      const v = r.range(3, 5);
      expect(v >= 3 && v <= 5 && Number.isInteger(v)).toBe(true);
    }
  });
});

describe('membership store', () => {
  const make = (): ReturnType<typeof createMembershipStore> =>
    createMembershipStore([toSortedUnique([3, 1, 1, 2]), toSortedUnique([2]), toSortedUnique([])], 4);

  it('indexes both directions', () => {
    const s = make();
    expect(Array.from(s.members(0))).toEqual([1, 2, 3]);
    expect(Array.from(s.groupsOf(2))).toEqual([0, 1]);
    expect(Array.from(s.groupsOf(0))).toEqual([]);
    expect(s.total()).toBe(4);
  });

  it('adds and removes idempotently, keeping both directions sorted', () => {
    const s = make();
    expect(s.add(2, 3)).toBe(true);
    expect(s.add(2, 3)).toBe(false);
    expect(s.add(1, 0)).toBe(true);
    expect(Array.from(s.members(1))).toEqual([0, 2]);
    expect(Array.from(s.groupsOf(3))).toEqual([0, 2]);
    expect(s.remove(0, 2)).toBe(true);
    expect(s.remove(0, 2)).toBe(false);
    expect(Array.from(s.groupsOf(2))).toEqual([1]);
    expect(s.total()).toBe(5);
    expect(() => s.add(9, 0)).toThrow(RangeError);
  });

  it('grows for users and groups added later', () => {
    const s = make();
    const u = s.addUser();
    const g = s.addGroup();
    expect(u).toBe(4);
    expect(s.add(g, u)).toBe(true);
    expect(Array.from(s.groupsOf(u))).toEqual([g]);
  });
});

describe('rate limits', () => {
  it("uses Okta's bucket table", () => {
    expect(bucketOf('/api/v1/users').limit).toBe(600);
    expect(bucketOf('/api/v1/users/00u1/groups').limit).toBe(600);
    expect(bucketOf('/api/v1/groups/00g1/users').limit).toBe(500);
    expect(bucketOf('/api/v1/apps/0oa1/groups').limit).toBe(100);
    expect(bucketOf('/api/v1/logs').limit).toBe(120);
    expect(bucketOf('/api/v1/org').limit).toBe(1200);
    expect(bucketOf('/api/v1/usersx').name).toBe('other');
    expect(OKTA_RATE_LIMIT_BUCKETS.at(-1)?.name).toBe('other');
  });

  it('refuses the request after the limit until the minute resets (okta mode)', () => {
    const rl = createRateLimiter('okta');
    const t0 = Date.UTC(2026, 0, 1, 12, 0, 10);
    for (let i = 0; i < 120; i++) expect(rl.take('/api/v1/logs', t0).allowed).toBe(true);
    const spent = rl.take('/api/v1/logs', t0 + 1000);
    expect(spent).toMatchObject({ allowed: false, remaining: 0, limit: 120, reset: Date.UTC(2026, 0, 1, 12, 1, 0) / 1000 });
    expect(rl.take('/api/v1/users', t0).allowed).toBe(true);
    const next = rl.take('/api/v1/logs', t0 + 50_000);
    expect(next).toMatchObject({ allowed: true, remaining: 119 });
  });

  it('never refuses with limits off, and still counts', () => {
    const rl = createRateLimiter('off');
    let last = rl.take('/api/v1/apps', 0);
    for (let i = 0; i < 500; i++) last = rl.take('/api/v1/apps', 0);
    expect(last).toMatchObject({ allowed: true, limit: UNLIMITED_BUCKET_LIMIT, remaining: UNLIMITED_BUCKET_LIMIT - 501 });
  });
});

describe('faults', () => {
  it('matches by path prefix or regex and method, and is used up after `times`', () => {
    const f = createFaults();
    f.add({ match: '/api/v1/groups', kind: '500', times: 2 });
    f.add({ match: /^\/api\/v1\/users\/[^/]+$/, method: 'get', kind: 'drop' });
    expect(f.take('GET', '/api/v1/apps')).toBeNull();
    expect(f.take('GET', '/api/v1/groups/00g1/users')?.kind).toBe('500');
    expect(f.take('GET', '/api/v1/groups')?.kind).toBe('500');
    expect(f.take('GET', '/api/v1/groups')).toBeNull();
    expect(f.take('PUT', '/api/v1/users/00u1')).toBeNull();
    expect(f.take('GET', '/api/v1/users/00u1/groups')).toBeNull();
    expect(f.take('GET', '/api/v1/users/00u1')?.kind).toBe('drop');
    expect(f.list()).toEqual([]);
  });

  it('validates faults given over HTTP', () => {
    const [regex] = parseFaultRequest({ match: '^/api/v1/logs$', regex: true, kind: 'slow', delayMs: 10 });
    expect(regex?.match).toBeInstanceOf(RegExp);
    expect(parseFaultRequest([{ match: '/a', kind: '429', times: 3 }])).toEqual([{ match: '/a', kind: '429', times: 3 }]);
    expect(() => parseFaultRequest({ match: '/a', kind: 'explode' })).toThrow(/kind/);
    expect(() => parseFaultRequest({ kind: '500' })).toThrow(/match/);
    expect(() => parseFaultRequest({ match: '/a', kind: '500', times: 0 })).toThrow(/times/);
    expect(() => parseFaultRequest({ match: '(', regex: true, kind: '500' })).toThrow(/regular expression/);
  });
});

describe('system log', () => {
  const party = { id: 'x', type: 'User', alternateId: 'a', displayName: 'A' };
  const fill = (): ReturnType<typeof createSystemLog> => {
    const log = createSystemLog();
    for (let i = 0; i < 10; i++) {
      log.append({ published: 1000 + i * 100, eventType: i % 2 ? 'group.user_membership.add' : 'user.lifecycle.create', actor: party, targets: [], outcome: 'SUCCESS', severity: 'INFO', uuid: `u${i}`, transactionId: 't', requestUri: null, via: 'api' });
    }
    return log;
  };
  const all = (): boolean => true;

  it('pages in published order and, when polling, always returns a cursor that resumes exactly', () => {
    const log = fill();
    const seen: LogRecord[] = [];
    let after: number | null = null;
    for (let round = 0; round < 10; round++) {
      const page = log.query({ since: 0, until: 10_000, afterSeq: after, limit: 3, descending: false, polling: true, predicate: all });
      seen.push(...page.events);
      expect(page.next).not.toBeNull();
      after = decodeLogCursor(page.next as string);
      if (page.events.length === 0) break;
    }
    expect(seen.map((r) => r.uuid)).toEqual(Array.from({ length: 10 }, (_, i) => `u${i}`));
    log.append({ published: 5000, eventType: 'user.lifecycle.suspend', actor: party, targets: [], outcome: 'SUCCESS', severity: 'INFO', uuid: 'late', transactionId: 't', requestUri: null, via: 'api' });
    const more = log.query({ since: 0, until: 10_000, afterSeq: after, limit: 3, descending: false, polling: true, predicate: all });
    expect(more.events.map((r) => r.uuid)).toEqual(['late']);
  });

  it('ends bounded queries without a next cursor, honours since/until and filters', () => {
    const log = fill();
    const page = log.query({ since: 1200, until: 1600, afterSeq: null, limit: 100, descending: false, polling: false, predicate: all });
    expect(page.events.map((r) => r.published)).toEqual([1200, 1300, 1400, 1500]);
    expect(page.next).toBeNull();
    const adds = log.query({ since: 0, until: 10_000, afterSeq: null, limit: 100, descending: false, polling: false, predicate: (r) => r.eventType === 'group.user_membership.add' });
    expect(adds.events.length).toBe(5);
    const desc = log.query({ since: 0, until: 10_000, afterSeq: null, limit: 4, descending: true, polling: false, predicate: all });
    expect(desc.events.map((r) => r.uuid)).toEqual(['u9', 'u8', 'u7', 'u6']);
    const desc2 = log.query({ since: 0, until: 10_000, afterSeq: decodeLogCursor(desc.next as string), limit: 4, descending: true, polling: false, predicate: all });
    expect(desc2.events.map((r) => r.uuid)).toEqual(['u5', 'u4', 'u3', 'u2']);
  });

  it('keeps published order when an event is appended with an earlier time', () => {
    const log = fill();
    const r = log.append({ published: 0, eventType: 'x', actor: party, targets: [], outcome: 'SUCCESS', severity: 'INFO', uuid: 'z', transactionId: 't', requestUri: null, via: 'api' });
    expect(r.published).toBe(1900);
    expect(r.seq).toBe(11);
  });
});
