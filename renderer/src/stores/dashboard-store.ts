import { create } from 'zustand';
import type { DashboardSummary } from '../../../shared/domain.js';
import { api, errorMessage } from '../api/client.js';

type DashboardState = {
  summary: DashboardSummary | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
};

export const useDashboardStore = create<DashboardState>()((set, get) => ({
  summary: null,
  status: 'idle',
  error: null,
  load: async () => {
    // Keep showing the last summary while refreshing; skeletons only on first load.
    set({ status: get().summary ? 'ready' : 'loading', error: null });
    try {
      const summary = await api.call('dashboard:summary', {});
      set({ summary, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
}));
