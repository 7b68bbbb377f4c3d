// The Requests page's state: the workspace settings (the expiry notice lead
// time), the list filters and row selection,
// the requestable roles, the request writes, and a data version bumped by
// those writes and by every requests or jobs change (stores/wire-events.ts)
// so request lists, a request's detail and the access ledger refetch.
import { create } from 'zustand';
import type { RequestableRole, SettingsView } from '../../../shared/contract-requests.js';
import type { ChannelInput, ChannelOutput, WriteChannel } from '../../../shared/contract.js';
import type { RequestState } from '../../../shared/governance.js';
import { api, errorMessage } from '../api/client.js';

/** Filing, deciding, cancelling, extending and importing requests. */
export type RequestsWrite = Extract<WriteChannel, `requests:${string}`>;

type RequestsState = {
  /** Bumped when requests, grants or jobs change (event, or a write made here). */
  version: number;
  bump: () => void;
  /** Runs one request write, then bumps the version so lists and details refetch; throws the engine's error for the form that made it. */
  write: <C extends RequestsWrite>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
  settings: SettingsView | null;
  settingsError: string | null;
  loadSettings: () => Promise<void>;
  /** Saves workspace settings (the expiry notice lead time); throws the engine's error. */
  saveSettings: (patch: ChannelInput<'settings:set'>) => Promise<SettingsView>;
  search: string;
  setSearch: (search: string) => void;
  /** Statuses shown on the "All" tab (empty: every status). */
  statuses: RequestState[];
  setStatuses: (statuses: RequestState[]) => void;
  selected: ReadonlySet<number>;
  toggle: (id: number) => void;
  clearSelection: () => void;
  roles: RequestableRole[] | null;
  rolesError: string | null;
  loadRoles: () => Promise<void>;
};

export const useRequestsStore = create<RequestsState>()((set, get) => ({
  version: 0,
  bump: () => set((s) => ({ version: s.version + 1 })),
  write: async (channel, input) => {
    const out = await api.call(channel, input);
    get().bump();
    return out;
  },
  settings: null,
  settingsError: null,
  loadSettings: async () => {
    try {
      set({ settings: await api.call('settings:get', {}), settingsError: null });
    } catch (e) {
      set({ settingsError: errorMessage(e) });
    }
  },
  saveSettings: async (patch) => {
    const settings = await api.call('settings:set', patch);
    set({ settings, settingsError: null });
    return settings;
  },
  search: '',
  setSearch: (search) => set({ search }),
  statuses: [],
  setStatuses: (statuses) => set({ statuses, selected: new Set() }),
  selected: new Set(),
  toggle: (id) =>
    set((s) => {
      const next = new Set(s.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return { selected: next };
    }),
  clearSelection: () => set({ selected: new Set() }),
  roles: null,
  rolesError: null,
  loadRoles: async () => {
    try {
      set({ roles: await api.call('requests:requestableRoles', {}), rolesError: null });
    } catch (e) {
      set({ rolesError: errorMessage(e) });
    }
  },
}));
