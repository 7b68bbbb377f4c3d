// The dashboard's data: the snapshot counts and recent runs (dashboard:summary) and the governance counts (requests:governanceCounts).
import { create } from 'zustand';
import type { GovernanceCounts } from '../../../shared/contract-requests.js';
import type { DashboardSummary } from '../../../shared/domain.js';
import { api, errorMessage } from '../api/client.js';

type DashboardState = {
  summary: DashboardSummary | null;
  governance: GovernanceCounts | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Why the governance counts could not be read (the snapshot counts may still show). */
  governanceError: string | null;
  load: () => Promise<void>;
  /** Only the governance counts: after a request, job, expiry or drift change. */
  loadGovernance: () => Promise<void>;
};

export const useDashboardStore = create<DashboardState>()((set, get) => ({
  summary: null,
  governance: null,
  status: 'idle',
  error: null,
  governanceError: null,
  load: async () => {
    // Keep showing the last summary while refreshing; skeletons only on first load.
    set({ status: get().summary ? 'ready' : 'loading', error: null });
    const governance = get().loadGovernance();
    try {
      const summary = await api.call('dashboard:summary', {});
      set({ summary, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
    await governance;
  },
  loadGovernance: async () => {
    try {
      set({ governance: await api.call('requests:governanceCounts', {}), governanceError: null });
    } catch (error) {
      set({ governanceError: errorMessage(error) });
    }
  },
}));
