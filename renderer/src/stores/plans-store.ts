// The Plans page's store: the version the plan list and a plan's timeline are fetched on (bumped by
// the engine's 'plans' events and by a retry), and the retry itself, which refreshes what it changed.
import { create } from 'zustand';
import type { PlanView } from '../../../shared/contract-plans.js';
import { api } from '../api/client.js';

type PlansState = {
  /** Views keyed on it refetch: a plan was made, moved on, finished or retried. */
  version: number;
  changed: () => void;
  /** Runs a failed or partial plan's failed steps again. */
  retry: (planId: number) => Promise<PlanView>;
};

export const usePlansStore = create<PlansState>()((set) => ({
  version: 0,
  changed: () => set((s) => ({ version: s.version + 1 })),
  retry: async (planId) => {
    const view = await api.call('plans:retry', { planId });
    set((s) => ({ version: s.version + 1 }));
    return view;
  },
}));
