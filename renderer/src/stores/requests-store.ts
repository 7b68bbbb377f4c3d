// The Requests page's state: the operator ("Acting as"), the list filters and
// row selection, the requestable roles, and a data version bumped by every
// requests or jobs change (stores/wire-events.ts) so request lists, a
// request's detail and the access ledger refetch.
import { create } from 'zustand';
import type { RequestableRole, SettingsView } from '../../../shared/contract-requests.js';
import type { RequestState } from '../../../shared/governance.js';
import { api, errorMessage } from '../api/client.js';

type RequestsState = {
  /** Bumped when requests, grants or jobs change (event, or a write made here). */
  version: number;
  bump: () => void;
  settings: SettingsView | null;
  settingsError: string | null;
  loadSettings: () => Promise<void>;
  /** Sets the operator; returns the engine's error message, or null when saved. */
  setOperator: (email: string | null) => Promise<string | null>;
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
  settings: null,
  settingsError: null,
  loadSettings: async () => {
    try {
      set({ settings: await api.call('settings:get', {}), settingsError: null });
    } catch (e) {
      set({ settingsError: errorMessage(e) });
    }
  },
  setOperator: async (email) => {
    try {
      const settings = await api.call('settings:set', { operatorEmail: email });
      set({ settings, settingsError: null, selected: new Set() });
      get().bump();
      return null;
    } catch (e) {
      return errorMessage(e);
    }
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
