// Needs attention: failed jobs, open manual tasks, drift and grants expiring
// soon, read in one call (jobs:attention) and refetched on governance:changed.
import { create } from 'zustand';
import type { AttentionView, ClockView } from '../../../shared/contract-jobs.js';
import { api, errorMessage } from '../api/client.js';
import { toast } from './toast-store.js';

type JobsState = {
  view: AttentionView | null;
  clock: ClockView | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Ids of rows with an action in flight (buttons show it and stay disabled). */
  busy: Set<string>;
  load: () => Promise<void>;
  loadClock: () => Promise<void>;
  /** Runs one write, then reloads; errors go to a toast. Returns whether it worked. */
  act: (key: string, run: () => Promise<unknown>, done: string) => Promise<boolean>;
};

export const useJobsStore = create<JobsState>()((set, get) => ({
  view: null,
  clock: null,
  status: 'idle',
  error: null,
  busy: new Set(),
  load: async () => {
    set({ status: get().view ? 'ready' : 'loading', error: null });
    try {
      const view = await api.call('jobs:attention', {});
      set({ view, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  loadClock: async () => {
    try {
      set({ clock: await api.call('jobs:clock', {}) });
    } catch {
      // The clock control is a sandbox nicety: without it the page still works.
    }
  },
  act: async (key, run, done) => {
    set({ busy: new Set(get().busy).add(key) });
    try {
      await run();
      toast.success(done);
      return true;
    } catch (error) {
      toast.error(error);
      return false;
    } finally {
      const busy = new Set(get().busy);
      busy.delete(key);
      set({ busy });
      void get().load();
    }
  },
}));

/** Refetch on every jobs change (a job ran, expiry fired, a task was done); returns the unsubscribe. */
export function subscribeJobs(): () => void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return api.on('governance:changed', (e) => {
    if (e.area !== 'jobs' && e.area !== 'requests') return;
    // A burst of job outcomes arrives together: one refetch.
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      void useJobsStore.getState().load();
    }, 300);
  });
}
