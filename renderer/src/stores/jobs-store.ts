// Needs attention: failed jobs, open manual tasks, drift and grants expiring
// soon, read in one call (jobs:attention), and the engine's clock (jobs:clock).
// Both are re-read on jobs and requests changes (stores/wire-events.ts).
import { create } from 'zustand';
import type { AttentionView, ClockView } from '../../../shared/contract-jobs.js';
import { api, errorMessage } from '../api/client.js';
import { setEngineClockOffset } from '../hooks/useNow.js';
import { toast } from './toast-store.js';

type JobsState = {
  view: AttentionView | null;
  clock: ClockView | null;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  /** Ids of rows with an action in flight (buttons show it and stay disabled). */
  busy: Set<string>;
  load: () => Promise<void>;
  /** Reads the engine's clock: the sandbox control shows it and every relative time counts from it (hooks/useNow.ts). */
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
      const sent = Date.now();
      const clock = await api.call('jobs:clock', {});
      const received = Date.now();
      // The engine read its clock somewhere in the round trip: count from the middle.
      // This offset also absorbs skew between the machine serving and this browser.
      setEngineClockOffset(Date.parse(clock.now) - (sent + received) / 2);
      set({ clock });
    } catch {
      // Without it relative times count from this browser's clock; the page still works.
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
