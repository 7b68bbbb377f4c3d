// Needs attention: failed jobs, open manual tasks, drift and grants expiring
// soon, read in one call (jobs:attention), and the engine's clock (jobs:clock);
// and the writes made from that page, each followed by one re-read. The view
// is re-read on jobs and requests changes, the clock after jobs changes
// (stores/wire-events.ts).
import { create } from 'zustand';
import type { AttentionView, ClockView } from '../../../shared/contract-jobs.js';
import type { ChannelInput } from '../../../shared/contract.js';
import type { GrantRow } from '../../../shared/governance.js';
import { api, errorMessage } from '../api/client.js';
import { setEngineClockOffset } from '../hooks/useNow.js';
import { useRequestsStore } from './requests-store.js';
import { toast } from './toast-store.js';

/** What can be done from Needs attention. The notice lead time and the sandbox clock have their own actions below. */
export type AttentionWrite = 'jobs:retry' | 'jobs:cancel' | 'jobs:completeTask' | 'jobs:cancelTask' | 'jobs:resolveDrift' | 'requests:extend';

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
  /**
   * Runs one write for the row `key` (busy while it runs), toasts `done` or the
   * engine's error, then re-reads the view. Returns whether it worked.
   */
  act: <C extends AttentionWrite>(key: string, channel: C, input: ChannelInput<C>, done: string) => Promise<boolean>;
  /** Saves the notice lead time through the workspace settings (the requests store holds them); the view follows. */
  setNoticeHours: (hours: number) => Promise<boolean>;
  /** Sandbox only: moves the workspace clock ahead (expiry runs), then re-reads it. */
  advanceClock: (minutes: number) => Promise<boolean>;
  /**
   * Revokes a grant now (the Access page): a revocation job, recorded in the
   * signed-in operator's name through the console. The ledger (keyed on the
   * requests store's version) and this view follow; throws the engine's error
   * for the dialog that asked.
   */
  revokeGrant: (grantId: number, reason: string) => Promise<GrantRow>;
};

/** What every write from this page does around its call: busy, toast, one re-read. */
async function tracked(
  key: string,
  write: () => Promise<unknown>,
  done: string,
  store: { get: () => JobsState; set: (patch: Partial<JobsState>) => void },
): Promise<boolean> {
  store.set({ busy: new Set(store.get().busy).add(key) });
  try {
    await write();
    toast.success(done);
    return true;
  } catch (error) {
    toast.error(error);
    return false;
  } finally {
    const busy = new Set(store.get().busy);
    busy.delete(key);
    store.set({ busy });
    void store.get().load();
  }
}

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
  act: (key, channel, input, done) => tracked(key, () => api.call(channel, input), done, { get, set }),
  setNoticeHours: (hours) =>
    tracked('notice', () => useRequestsStore.getState().saveSettings({ expiryNoticeHours: hours }), `Notices now go out ${hours} h before expiry`, { get, set }),
  revokeGrant: async (grantId, reason) => {
    const grant = await api.call('jobs:revokeGrant', { grantId, reason });
    useRequestsStore.getState().bump();
    void get().load();
    return grant;
  },
  advanceClock: async (minutes) => {
    const ok = await tracked('clock', () => api.call('jobs:advanceClock', { minutes }), 'Clock moved ahead; expiry ran', { get, set });
    await get().loadClock();
    return ok;
  },
}));
