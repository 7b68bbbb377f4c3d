// The Changes page's query state (which connection, which kinds, the search)
// and the calls that read recorded changes. The run or the pair of runs
// lives in the route, so a run can be linked to (from the dashboard, the
// sync history) and reloaded.
import { create } from 'zustand';
import type { ChangeCounts, ChangeKind, Page, RunDiff, SnapshotChange } from '../../../shared/domain.js';
import { api } from '../api/client.js';

export type ChangesFilter = { kinds: ChangeKind[]; search: string };

type ChangesState = ChangesFilter & {
  /** The run picker's connection; null lists every connection's runs (one-run mode only). */
  connectionId: number | null;
  setConnection: (connectionId: number | null) => void;
  toggleKind: (kind: ChangeKind) => void;
  setKinds: (kinds: ChangeKind[]) => void;
  setSearch: (search: string) => void;
  clearFilters: () => void;
};

export const useChangesStore = create<ChangesState>()((set) => ({
  connectionId: null,
  kinds: [],
  search: '',
  setConnection: (connectionId) => set({ connectionId }),
  toggleKind: (kind) => set((s) => ({ kinds: s.kinds.includes(kind) ? s.kinds.filter((k) => k !== kind) : [...s.kinds, kind] })),
  setKinds: (kinds) => set({ kinds }),
  setSearch: (search) => set({ search }),
  clearFilters: () => set({ kinds: [], search: '' }),
}));

/** What one grid query covers: a run (or the newest across runs of a connection / all), or two runs. */
export type ChangesSource =
  | { mode: 'run'; runId: number | null; connectionId: number | null }
  | { mode: 'compare'; fromRunId: number; toRunId: number };

export type ChangesPage = Page<SnapshotChange> & { counts: ChangeCounts };

export const changes = {
  /** A page of changes. `kinds` narrows the rows; the counts per kind that come with it ignore that filter. */
  page: async (
    source: ChangesSource,
    filter: ChangesFilter,
    offset: number,
    limit: number,
    signal?: AbortSignal,
  ): Promise<ChangesPage | RunDiff> => {
    const search = filter.search.trim();
    if (source.mode === 'compare') {
      return api.call('changes:diff', { fromRunId: source.fromRunId, toRunId: source.toRunId, kind: filter.kinds, search, offset, limit }, { signal });
    }
    return api.call(
      'changes:list',
      {
        ...(source.runId !== null ? { runId: source.runId } : {}),
        ...(source.connectionId !== null && source.runId === null ? { connectionId: source.connectionId } : {}),
        kind: filter.kinds,
        search,
        offset,
        limit,
      },
      { signal },
    );
  },
};
