// The sync under fire: 429 storms, 5xx, dropped connections, bodies cut
// mid-page, slow answers, a persistently failing endpoint, cancellation, and
// Okta's real per-minute rate limits. The sandbox's clock runs a few seconds
// before a minute boundary so waits for X-Rate-Limit-Reset stay short (its
// windows are aligned to the minute, like Okta's), while everything else is
// real: HTTP on loopback, the SDK, SQLite files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../shared/domain.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { runFullSync, SyncFailedError, type SyncOptions } from '../../electron/engine/sync/okta-sync.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, expectedCounts, liveCounts, snapshotDigest, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-okta-faults-');
const GROUP_MEMBERS = /^\/api\/v1\/groups\/[^/]+\/users$/;

/** A clock `offset` ms ahead of real time; `nearMinuteEnd` moves it to `s` seconds before the next minute. */
function skewedClock() {
  let offset = 0;
  return {
    clock: { now: () => new Date(Date.now() + offset) },
    nearMinuteEnd(s: number) {
      const into = Date.now() % 60_000;
      offset = (60_000 - s * 1000 - into + 60_000) % 60_000;
    },
  };
}

// Fast back-off so retries do not slow the suite; the shape of the back-off is unit-tested.
const quick: SyncOptions = { connectorOptions: { baseBackoffMs: 20, maxBackoffMs: 200, timeoutMs: 5_000 } };

describe('sync faults (rate limits off)', () => {
  let sandbox: Sandbox;
  const time = skewedClock();
  beforeAll(async () => {
    sandbox = await startSandbox({ users: 400, seed: 5, clock: time.clock });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('rides out a 429 storm: waits for X-Rate-Limit-Reset, retries, finishes complete', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    time.nearMinuteEnd(2);
    sandbox.faults.add({ match: '/api/v1/users', kind: '429', times: 1 });
    sandbox.faults.add({ match: GROUP_MEMBERS, kind: '429', times: 4 });
    const summary = await runFullSync(ctx, conn, tokenOf(sandbox), quick);
    expect(sandbox.faults.list()).toEqual([]);
    expect(summary).toMatchObject({ status: 'succeeded', ...expectedCounts(sandbox) });
    expect(summary.rateLimited).toBe(5);
    expect(liveCounts(db, conn.id)).toEqual(expectedCounts(sandbox));
  });

  it('retries 5xx, dropped connections, bodies cut mid-page and slow answers, then succeeds', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    sandbox.faults.add({ match: '/api/v1/users', kind: '500', times: 2 });
    sandbox.faults.add({ match: '/api/v1/users', kind: 'reset-mid-body', times: 1 });
    sandbox.faults.add({ match: GROUP_MEMBERS, kind: '502', times: 2 });
    sandbox.faults.add({ match: GROUP_MEMBERS, kind: 'drop', times: 2 });
    sandbox.faults.add({ match: GROUP_MEMBERS, kind: 'reset-mid-body', times: 2 });
    sandbox.faults.add({ match: '/api/v1/apps', kind: '503', times: 1 });
    sandbox.faults.add({ match: '/api/v1/groups/rules', kind: 'slow', delayMs: 1_500, times: 1 });
    const summary = await runFullSync(ctx, conn, tokenOf(sandbox), { connectorOptions: { ...quick.connectorOptions, timeoutMs: 500 } });
    expect(sandbox.faults.list()).toEqual([]);
    expect(summary).toMatchObject({ status: 'succeeded', error: null, ...expectedCounts(sandbox) });
    expect(liveCounts(db, conn.id)).toEqual(expectedCounts(sandbox));
  });

  it('a persistent 5xx fails the run with a clear reason and leaves the previous snapshot live and intact', async () => {
    const { ctx, db, events } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox), quick);
    const before = snapshotDigest(db, conn.id);
    const rowsBefore = db.prepare('SELECT count(*) AS n FROM memberships').get();

    sandbox.faults.add({ match: GROUP_MEMBERS, kind: '503', times: 10_000 });
    let err: unknown;
    try {
      err = await runFullSync(ctx, conn, tokenOf(sandbox), quick).catch((e: unknown) => e);
    } finally {
      sandbox.faults.clear();
    }
    expect(err).toBeInstanceOf(SyncFailedError);
    const failed = err as SyncFailedError;
    expect(failed.message).toMatch(/Okta answered HTTP 503 for GET \/api\/v1\/groups\/[^/]+\/users after every retry/);
    expect(failed.summary).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 503') as unknown });
    expect(snapshotDigest(db, conn.id)).toBe(before);
    expect(db.prepare('SELECT count(*) AS n FROM memberships').get()).toEqual(rowsBefore);
    expect(db.prepare('SELECT live_gen FROM connections WHERE id = ?').get(conn.id)).toEqual({ live_gen: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM identities WHERE gen <> 1').get()).toEqual({ n: 0 });
    expect(verifyAuditChain(db).valid).toBe(true);
    const last = events.filter((e) => e.event === 'sync:progress').at(-1)?.payload as SyncProgress;
    expect(last).toMatchObject({ phase: 'failed', message: expect.stringContaining('HTTP 503') as unknown });

    // and once Okta is healthy again the next sync goes through
    const again = await runFullSync(ctx, conn, tokenOf(sandbox), quick);
    expect(again.status).toBe('succeeded');
    expect(snapshotDigest(db, conn.id)).toBe(before);
  });

  it('can be cancelled; the cancelled run is recorded and the snapshot untouched', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox), quick);
    const before = snapshotDigest(db, conn.id);
    const ctrl = new AbortController();
    // Hold group-member pages so the run is certainly mid-way when cancelled.
    sandbox.faults.add({ match: GROUP_MEMBERS, kind: 'slow', delayMs: 400, times: 50 });
    ctx.events = {
      emit: (event, payload) => {
        if (event === 'sync:progress' && (payload as SyncProgress).phase === 'memberships') ctrl.abort();
      },
    };
    try {
      const err = (await runFullSync(ctx, conn, tokenOf(sandbox), { ...quick, signal: ctrl.signal }).catch((e: unknown) => e)) as SyncFailedError;
      expect(err).toBeInstanceOf(SyncFailedError);
      expect(err.message).toMatch(/cancelled/);
      expect(err.summary?.status).toBe('failed');
    } finally {
      sandbox.faults.clear();
    }
    expect(snapshotDigest(db, conn.id)).toBe(before);
  });
});

describe('sync with Okta rate limits (--rate-limits okta)', () => {
  let sandbox: Sandbox;
  const time = skewedClock();
  beforeAll(async () => {
    sandbox = await startSandbox({ users: 2000, seed: 8, rateLimits: 'okta', clock: time.clock });
  });
  afterAll(async () => {
    await sandbox.close();
  });

  it('stays inside its budget share: waits for a reset instead of meeting a single 429', async () => {
    const { ctx, db } = workspace(dir);
    // A 15% share allows 75 calls a minute on the groups bucket (500/min) and
    // 15 on apps (100/min). This org needs more than one window's worth of
    // group calls but no more than two of either, so the run must pause for
    // exactly one reset (kept a few seconds away by the sandbox clock).
    const share = 0.15;
    const org = sandbox.org;
    const groupCalls = 2 + org.groups.reduce((n, g) => n + Math.max(1, Math.ceil(org.memberships.members(g.index).length / 1000)), 0);
    const appCalls = 1 + org.apps.length;
    expect(groupCalls).toBeGreaterThan(Math.floor(share * 500));
    expect(groupCalls).toBeLessThanOrEqual(2 * Math.floor(share * 500));
    expect(appCalls).toBeLessThanOrEqual(2 * Math.floor(share * 100));

    const conn = addConnection(db, sandbox, { budgetShare: share });
    time.nearMinuteEnd(4);
    const summary = await runFullSync(ctx, conn, tokenOf(sandbox));
    expect(summary).toMatchObject({ status: 'succeeded', rateLimited: 0, ...expectedCounts(sandbox) });
    expect(summary.throttledWaits).toBeGreaterThan(0);
  });
});
