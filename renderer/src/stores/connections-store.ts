// Connections, their tests, and sync runs (live progress from `sync:progress`,
// outcome from `sync:finished`, history from `sync:runs`).
import { create } from 'zustand';
import type { AddOktaConnectionInput } from '../../../shared/contract.js';
import type { ConnectionSummary, ConnectionTestResult, SyncProgress, SyncRunSummary } from '../../../shared/domain.js';
import { api, errorMessage } from '../api/client.js';

export type TestState =
  | { status: 'running' }
  | { status: 'done'; result: ConnectionTestResult; at: string }
  | { status: 'error'; message: string };

type Load = 'idle' | 'loading' | 'ready' | 'error';

/** A progress event and when it arrived, so "resets in 40 s" is computed against the moment it was true. */
export type LiveProgress = SyncProgress & { receivedAt: number };

type ConnectionsState = {
  connections: ConnectionSummary[];
  status: Load;
  error: string | null;
  /** Runs in progress, by connection id. */
  progress: Record<number, LiveProgress>;
  /** The last run that finished while this window was open, by connection id. */
  outcomes: Record<number, SyncRunSummary>;
  tests: Record<number, TestState>;
  runs: SyncRunSummary[];
  runsStatus: Load;
  runsError: string | null;
  /** Bumped when a sync succeeds, so directory tables refetch. */
  snapshotVersion: number;

  load: () => Promise<void>;
  loadRuns: () => Promise<void>;
  loadActive: () => Promise<void>;
  add: (input: AddOktaConnectionInput) => Promise<ConnectionSummary>;
  test: (connectionId: number) => Promise<void>;
  remove: (connectionId: number) => Promise<void>;
  startSync: (connectionId: number) => Promise<void>;
  onProgress: (p: SyncProgress) => void;
  onFinished: (run: SyncRunSummary) => void;
};

const finishedRuns = new Set<number>();

function without<V>(record: Record<number, V>, key: number): Record<number, V> {
  const next = { ...record };
  delete next[key];
  return next;
}

export const useConnectionsStore = create<ConnectionsState>()((set, get) => ({
  connections: [],
  status: 'idle',
  error: null,
  progress: {},
  outcomes: {},
  tests: {},
  runs: [],
  runsStatus: 'idle',
  runsError: null,
  snapshotVersion: 0,

  load: async () => {
    set({ status: get().status === 'ready' ? 'ready' : 'loading', error: null });
    try {
      const connections = await api.call('connections:list', {});
      set({ connections, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },

  loadRuns: async () => {
    set({ runsStatus: get().runsStatus === 'ready' ? 'ready' : 'loading', runsError: null });
    try {
      const runs = await api.call('sync:runs', { limit: 200 });
      set({ runs, runsStatus: 'ready' });
    } catch (error) {
      set({ runsStatus: 'error', runsError: errorMessage(error) });
    }
  },

  loadActive: async () => {
    try {
      const active = await api.call('sync:active', {});
      const progress: Record<number, LiveProgress> = {};
      const receivedAt = Date.now();
      for (const p of active) if (!finishedRuns.has(p.runId)) progress[p.connectionId] = { ...p, receivedAt };
      set({ progress });
    } catch {
      // Progress is a nicety; the run history still tells the story.
    }
  },

  add: async (input) => {
    const added = await api.call('connections:add', input);
    set((s) => ({ connections: [...s.connections.filter((c) => c.id !== added.id), added] }));
    void get().load();
    return added;
  },

  test: async (connectionId) => {
    set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'running' } } }));
    try {
      const result = await api.call('connections:test', { connectionId });
      set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'done', result, at: new Date().toISOString() } } }));
      if (result.orgName) void get().load(); // the org name may be new
    } catch (error) {
      set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'error', message: errorMessage(error) } } }));
    }
  },

  remove: async (connectionId) => {
    await api.call('connections:remove', { connectionId });
    set((s) => ({
      connections: s.connections.filter((c) => c.id !== connectionId),
      progress: without(s.progress, connectionId),
      outcomes: without(s.outcomes, connectionId),
      tests: without(s.tests, connectionId),
      runs: s.runs.filter((r) => r.connectionId !== connectionId),
      snapshotVersion: s.snapshotVersion + 1,
    }));
  },

  startSync: async (connectionId) => {
    const { runId } = await api.call('sync:start', { connectionId });
    // A very small sync can finish before this answer arrives; don't resurrect it.
    if (finishedRuns.has(runId)) return;
    set((s) => ({
      outcomes: without(s.outcomes, connectionId),
      progress: s.progress[connectionId]?.runId === runId
        ? s.progress
        : {
            ...s.progress,
            [connectionId]: {
              runId,
              connectionId,
              phase: 'starting',
              pages: 0,
              items: 0,
              expected: null,
              requests: 0,
              budget: null,
              message: null,
              receivedAt: Date.now(),
            },
          },
    }));
    void get().loadRuns();
  },

  onProgress: (p) => {
    if (finishedRuns.has(p.runId)) return;
    set((s) => ({ progress: { ...s.progress, [p.connectionId]: { ...p, receivedAt: Date.now() } } }));
  },

  onFinished: (run) => {
    finishedRuns.add(run.id);
    set((s) => ({
      progress: s.progress[run.connectionId]?.runId === run.id || s.progress[run.connectionId] === undefined
        ? without(s.progress, run.connectionId)
        : s.progress,
      outcomes: { ...s.outcomes, [run.connectionId]: run },
      runs: [run, ...s.runs.filter((r) => r.id !== run.id)],
      snapshotVersion: run.status === 'succeeded' ? s.snapshotVersion + 1 : s.snapshotVersion,
    }));
    void get().load();
    void get().loadRuns();
  },
}));
