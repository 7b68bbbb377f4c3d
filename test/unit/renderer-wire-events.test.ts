// Engine events reach the stores in one place (renderer/src/stores/wire-events.ts):
// driven through a fake transport that records every call, each event must
// refresh what it did before the subscriptions were gathered there — Needs
// attention and the engine's clock after a burst of jobs changes, the request
// views' version, the catalog, the dashboard's governance counts and Jira's
// status only once they were read, the snapshot's views after a sync, and the
// re-reads after the event stream reconnects — and no other renderer file may
// subscribe to the engine itself.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Channel, EventMap, EventName } from '../../shared/contract.js';
import type { SyncRunSummary } from '../../shared/domain.js';
import { api, type EventStreamStatus, type Transport } from '../../renderer/src/api/client.js';
import { setEngineClockOffset } from '../../renderer/src/hooks/useNow.js';
import { useCatalogStore } from '../../renderer/src/stores/catalog-store.js';
import { useConnectionsStore } from '../../renderer/src/stores/connections-store.js';
import { useDashboardStore } from '../../renderer/src/stores/dashboard-store.js';
import { useJobsStore } from '../../renderer/src/stores/jobs-store.js';
import { useRequestsStore } from '../../renderer/src/stores/requests-store.js';
import { useToastStore } from '../../renderer/src/stores/toast-store.js';
import { BURST_MS, CLOCK_RESYNC_MS, wireEvents } from '../../renderer/src/stores/wire-events.js';

/** What the fake engine answers: enough of each shape for the stores to take it. */
const answers: Partial<Record<Channel, () => unknown>> = {
  'jobs:clock': () => ({ now: new Date().toISOString(), offsetMs: 0, adjustable: true }),
  'catalog:list': () => ({ apps: [], problemCount: 0, hasSnapshot: true }),
  'connections:list': () => [],
  'sync:runs': () => [],
  'sync:active': () => [],
  'requests:requestableRoles': () => [],
  'jira:status': () => ({ configured: false, connection: null }),
};

type Fake = Transport & {
  calls: Channel[];
  emit: <E extends EventName>(event: E, payload: EventMap[E]) => void;
  status: (s: EventStreamStatus) => void;
  listenerCount: () => number;
};

function fakeEngine(): Fake {
  const calls: Channel[] = [];
  const listeners = new Map<string, Set<(p: never) => void>>();
  const statusListeners = new Set<(s: EventStreamStatus) => void>();
  return {
    kind: 'bridge',
    calls,
    call: ((channel: Channel) => {
      calls.push(channel);
      return Promise.resolve(answers[channel]?.() ?? {});
    }) as Transport['call'],
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    onStatus: (listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    },
    close: () => undefined,
    emit: (event, payload) => {
      for (const l of listeners.get(event) ?? []) (l as (p: typeof payload) => void)(payload);
    },
    status: (s) => {
      for (const l of statusListeners) l(s);
    },
    listenerCount: () => [...listeners.values()].reduce((n, s) => n + s.size, 0) + statusListeners.size,
  };
}

const run = (over: Partial<SyncRunSummary>): SyncRunSummary => ({
  id: 7,
  connectionId: 1,
  connectionName: 'Acme Okta',
  mode: 'incremental',
  status: 'succeeded',
  startedAt: '2026-04-24T10:00:00.000Z',
  finishedAt: '2026-04-24T10:00:05.000Z',
  durationMs: 5_000,
  users: 10,
  groups: 4,
  memberships: 20,
  apps: 2,
  appAssignments: 3,
  requests: 12,
  throttledWaits: 0,
  rateLimited: 0,
  error: null,
  changes: 0,
  changeCounts: {},
  baseline: false,
  note: null,
  ...over,
});

const stores = [useJobsStore, useCatalogStore, useConnectionsStore, useDashboardStore, useRequestsStore, useToastStore] as const;

describe('engine events are wired to the stores in one place', () => {
  let engine: Fake;
  let unwire: () => void;
  /** The calls made since the last look, then forgets them. */
  const made = (): Channel[] => engine.calls.splice(0);
  const settle = async (ms = 0): Promise<void> => {
    await vi.advanceTimersByTimeAsync(ms);
  };

  beforeEach(async () => {
    vi.useFakeTimers();
    for (const s of stores) (s as { setState: (v: unknown, replace: true) => void; getInitialState: () => unknown }).setState(s.getInitialState(), true);
    engine = fakeEngine();
    api.install(engine);
    unwire = wireEvents();
    await settle();
  });
  afterEach(() => {
    unwire();
    vi.useRealTimers();
    setEngineClockOffset(0);
  });

  it('reads Needs attention and the engine clock at start, and the clock again every few minutes', async () => {
    expect(made().sort()).toEqual(['jobs:attention', 'jobs:clock']);
    await settle(CLOCK_RESYNC_MS);
    expect(made()).toEqual(['jobs:clock']);
  });

  it('reloads Needs attention once per burst of jobs changes, with the clock; a requests change without it', async () => {
    made();
    const version = useRequestsStore.getState().version;
    for (const id of [1, 2, 3]) engine.emit('governance:changed', { area: 'jobs', ids: [id] });
    expect(useRequestsStore.getState().version).toBe(version + 3); // request lists, a request's detail, the access ledger
    expect(made()).toEqual([]); // nothing before the burst is over
    await settle(BURST_MS);
    expect(made().sort()).toEqual(['jobs:attention', 'jobs:clock']);

    engine.emit('governance:changed', { area: 'requests', ids: [9] });
    await settle(BURST_MS);
    expect(made()).toEqual(['jobs:attention']);
    expect(useRequestsStore.getState().version).toBe(version + 4);
  });

  it('a catalog change bumps the catalog version, and re-reads the listing and the requestable roles only once they were read', async () => {
    made();
    const requestsVersion = useRequestsStore.getState().version;
    engine.emit('governance:changed', { area: 'catalog', ids: [1] });
    await settle(BURST_MS);
    expect(useCatalogStore.getState().version).toBe(1);
    expect(made()).toEqual([]); // nobody opened the Catalog or Requests page
    expect(useRequestsStore.getState().version).toBe(requestsVersion);

    await useCatalogStore.getState().load();
    await useRequestsStore.getState().loadRoles();
    made();
    engine.emit('governance:changed', { area: 'catalog', ids: [1] });
    await settle(BURST_MS);
    expect(made().sort()).toEqual(['catalog:list', 'requests:requestableRoles']);
    expect(useCatalogStore.getState().version).toBe(2);
  });

  it("re-reads the dashboard's governance counts and Jira's status on any change, once they were read", async () => {
    made();
    engine.emit('governance:changed', { area: 'requests', ids: [1] });
    await settle(BURST_MS);
    expect(made()).toEqual(['jobs:attention']);

    await useDashboardStore.getState().loadGovernance();
    await useConnectionsStore.getState().loadJira();
    made();
    engine.emit('governance:changed', { area: 'catalog', ids: [1] });
    engine.emit('governance:changed', { area: 'catalog', ids: [2] });
    await settle(BURST_MS);
    // Jira's status at each event; the counts once for the burst.
    expect(made().sort()).toEqual(['jira:status', 'jira:status', 'requests:governanceCounts']);
  });

  it('a finished sync updates connections and runs, the dashboard, the Directory facets and the catalog views', async () => {
    made();
    const snapshot = useConnectionsStore.getState().snapshotVersion;
    engine.emit('sync:finished', run({ status: 'succeeded' }));
    await settle();
    expect(made().sort()).toEqual(['connections:list', 'dashboard:summary', 'directory:userFacets', 'requests:governanceCounts', 'sync:runs']);
    expect(useConnectionsStore.getState().snapshotVersion).toBe(snapshot + 1);
    expect(useCatalogStore.getState().version).toBe(1);
    expect(useToastStore.getState().toasts.at(-1)?.title).toBe('Incremental sync of Acme Okta finished');

    engine.emit('sync:finished', run({ id: 8, status: 'failed', error: 'E0000011: invalid token' }));
    await settle();
    expect(made()).not.toContain('directory:userFacets');
    expect(useCatalogStore.getState().version).toBe(1);
    expect(useToastStore.getState().toasts.at(-1)?.message).toBe('E0000011: invalid token');
  });

  it('re-reads what may have changed while the event stream was down, only after a drop', async () => {
    made();
    engine.status('open');
    await settle();
    expect(made()).toEqual([]);
    engine.status('reconnecting');
    engine.status('open');
    await settle();
    expect(made().sort()).toEqual(['connections:list', 'dashboard:summary', 'jobs:attention', 'jobs:clock', 'requests:governanceCounts', 'sync:active', 'sync:runs']);
  });

  it('unwiring removes every listener and timer', async () => {
    expect(engine.listenerCount()).toBeGreaterThan(0);
    engine.emit('governance:changed', { area: 'jobs', ids: [1] });
    unwire();
    unwire = () => undefined;
    expect(engine.listenerCount()).toBe(0);
    made();
    await settle(CLOCK_RESYNC_MS);
    expect(made()).toEqual([]); // neither the pending burst nor the clock resync ran
  });
});

describe('no other renderer file subscribes to the engine', () => {
  it('api.on and api.onStatus appear only in stores/wire-events.ts', () => {
    const src = path.resolve(import.meta.dirname, '../../renderer/src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => /\.tsx?$/.test(f) && !f.startsWith(`api${path.sep}`));
    const subscribing = files.filter((f) => /\bapi\s*\.\s*on(Status)?\s*\(/.test(readFileSync(path.join(src, f), 'utf8')));
    expect(subscribing).toEqual([path.join('stores', 'wire-events.ts')]);
  });
});
