// Connections, their tests, and sync runs (live progress from `sync:progress`,
// outcome from `sync:finished`, history from `sync:runs`); and Jira's status
// (the JSM import's last poll, the write-back queue) for the Jira cards.
import { create } from 'zustand';
import type { JiraPollResult, JiraStatus, JiraStatusNames } from '../../../shared/contract-jira.js';
import type { Channel, ChannelInput } from '../../../shared/contract.js';
import type { ConnectionSummary, ConnectionTestResult, SyncPhase, SyncProgress, SyncRunSummary, SyncScope } from '../../../shared/domain.js';
import { api, ApiError, errorMessage } from '../api/client.js';
import { engineNow } from '../hooks/useNow.js';
import { READ_ONLY_REASON, useAppStore } from './app-store.js';

export type TestState =
  | { status: 'running' }
  | { status: 'done'; result: ConnectionTestResult; at: string }
  | { status: 'error'; message: string };

type Load = 'idle' | 'loading' | 'ready' | 'error';

/**
 * A progress event and when it arrived, so "resets in 40 s" is computed
 * against the moment it was true; `incremental` once the run was seen reading
 * changes (System Log / delta links) rather than whole collections.
 */
export type LiveProgress = SyncProgress & { receivedAt: number; incremental: boolean };

export type AddConnectionInput = ChannelInput<'connections:add'>;

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
  /** Jira's status (jira:status); null until a Jira card has asked for it. */
  jira: JiraStatus | null;
  jiraError: string | null;

  load: () => Promise<void>;
  loadRuns: () => Promise<void>;
  loadActive: () => Promise<void>;
  add: (input: AddConnectionInput) => Promise<ConnectionSummary>;
  test: (connectionId: number) => Promise<void>;
  remove: (connectionId: number) => Promise<void>;
  /** Incremental when the engine can; `full` forces a full sync. */
  startSync: (connectionId: number, options?: { full?: boolean }) => Promise<void>;
  /** Saves what the connection syncs; the engine makes its next sync a full one. */
  setScope: (connectionId: number, scope: SyncScope) => Promise<ConnectionSummary>;
  onProgress: (p: SyncProgress) => void;
  onFinished: (run: SyncRunSummary) => void;
  loadJira: () => Promise<void>;
  /** Polls JSM now for one Jira connection (new portal requests, approval answers), then re-reads Jira's status. */
  pollJira: (connectionId: number) => Promise<JiraPollResult>;
  /** Sets the workflow status names a Jira connection moves issues through (blank: the default), then re-reads Jira's status. */
  setJiraStatuses: (connectionId: number, statuses: Partial<JiraStatusNames>) => Promise<JiraStatusNames>;
};

const finishedRuns = new Set<number>();

// Phases only a full sync has: an incremental run that falls back to a full one goes through them.
const fullPhases: ReadonlySet<SyncPhase> = new Set<SyncPhase>(['users', 'groups', 'memberships', 'apps', 'app-assignments']);

/**
 * The write controls are disabled in a read-only workspace; this makes sure
 * no write call leaves the page even if one were reached some other way
 * (a stale render, a keyboard shortcut). The engine refuses them too.
 */
function refuseIfReadOnly(channel: Channel): void {
  if (useAppStore.getState().info?.readOnly) throw new ApiError(READ_ONLY_REASON, 'read-only', channel);
}

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
  jira: null,
  jiraError: null,

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
      for (const p of active) {
        if (!finishedRuns.has(p.runId)) progress[p.connectionId] = { ...p, receivedAt, incremental: p.phase === 'changes' };
      }
      set({ progress });
    } catch {
      // Progress is a nicety; the run history still tells the story.
    }
  },

  add: async (input) => {
    refuseIfReadOnly('connections:add');
    const added = await api.call('connections:add', input);
    set((s) => ({ connections: [...s.connections.filter((c) => c.id !== added.id), added] }));
    void get().load();
    return added;
  },

  test: async (connectionId) => {
    set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'running' } } }));
    try {
      refuseIfReadOnly('connections:test');
      const result = await api.call('connections:test', { connectionId });
      set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'done', result, at: new Date(engineNow()).toISOString() } } }));
      if (result.orgName) void get().load(); // the org name may be new
    } catch (error) {
      set((s) => ({ tests: { ...s.tests, [connectionId]: { status: 'error', message: errorMessage(error) } } }));
    }
  },

  remove: async (connectionId) => {
    refuseIfReadOnly('connections:remove');
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

  startSync: async (connectionId, options) => {
    refuseIfReadOnly('sync:start');
    const full = options?.full ?? false;
    const { runId } = await api.call('sync:start', { connectionId, full });
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
              message: full ? 'Full sync requested' : null,
              receivedAt: Date.now(),
              incremental: false,
            },
          },
    }));
    void get().loadRuns();
  },

  setScope: async (connectionId, scope) => {
    refuseIfReadOnly('connections:setScope');
    const updated = await api.call('connections:setScope', { connectionId, scope });
    set((s) => ({ connections: s.connections.map((c) => (c.id === updated.id ? updated : c)) }));
    return updated;
  },

  onProgress: (p) => {
    if (finishedRuns.has(p.runId)) return;
    set((s) => {
      const prev = s.progress[p.connectionId];
      const wasIncremental = prev?.runId === p.runId && prev.incremental;
      const incremental = p.phase === 'changes' || (wasIncremental && !fullPhases.has(p.phase));
      return { progress: { ...s.progress, [p.connectionId]: { ...p, receivedAt: Date.now(), incremental } } };
    });
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

  loadJira: async () => {
    try {
      set({ jira: await api.call('jira:status', {}), jiraError: null });
    } catch (error) {
      set({ jiraError: errorMessage(error) });
    }
  },

  pollJira: async (connectionId) => {
    refuseIfReadOnly('jira:pollNow');
    try {
      return await api.call('jira:pollNow', { connectionId });
    } finally {
      void get().loadJira();
    }
  },

  setJiraStatuses: async (connectionId, statuses) => {
    refuseIfReadOnly('jira:setStatuses');
    try {
      return await api.call('jira:setStatuses', { connectionId, statuses });
    } finally {
      void get().loadJira();
    }
  },
}));
