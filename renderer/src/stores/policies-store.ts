// The Policies page's data: the list of birthright policies (mode, version in effect, whether a change
// waits for a second operator) and every write to them (save, monitor / enforce, approve, import,
// exceptions), each followed by a refresh; `version` is bumped so a policy's detail refetches.
import { create } from 'zustand';
import type { PolicyRow } from '../../../shared/contract-policies.js';
import type { ChannelInput, ChannelOutput, WriteChannel } from '../../../shared/contract.js';
import { api, errorMessage } from '../api/client.js';

type Load = 'idle' | 'loading' | 'ready' | 'error';

/** The policies' writes. */
export type PoliciesWrite = Extract<WriteChannel, `policies:${string}`>;

type PoliciesState = {
  rows: PolicyRow[] | null;
  status: Load;
  error: string | null;
  /** Bumped after every policy write: a policy's detail keyed on it refetches. */
  version: number;
  load: () => Promise<void>;
  /** Runs one policy write, then refreshes the list; throws the engine's error for the form or toast that made it. */
  write: <C extends PoliciesWrite>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
};

let loadSeq = 0;

export const usePoliciesStore = create<PoliciesState>()((set, get) => ({
  rows: null,
  status: 'idle',
  error: null,
  version: 0,
  load: async () => {
    const seq = ++loadSeq;
    set((s) => ({ status: s.rows ? s.status : 'loading', error: null }));
    try {
      const rows = await api.call('policies:list', {});
      if (seq === loadSeq) set({ rows, status: 'ready' });
    } catch (error) {
      if (seq === loadSeq) set({ status: 'error', error: errorMessage(error) });
    }
  },
  write: async (channel, input) => {
    try {
      return await api.call(channel, input);
    } finally {
      set((s) => ({ version: s.version + 1 }));
      void get().load();
    }
  },
}));
