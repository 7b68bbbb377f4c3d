// The catalog as the Catalog page shows it: the listing (apps, roles, mapped
// groups with their health), the role picked as the target of "Map", and a
// version bumped on every catalog change or successful sync (stores/wire-events.ts)
// so the suggestions, coverage, groups and role views refetch too.
import { create } from 'zustand';
import type { CatalogListing } from '../../../shared/contract-catalog.js';
import type { ChannelInput, ChannelOutput, WriteChannel } from '../../../shared/contract.js';
import { api, errorMessage } from '../api/client.js';
import { toast } from './toast-store.js';

type Load = 'idle' | 'loading' | 'ready' | 'error';

/** The catalog's writes: apps, roles, mappings, suggestions, import. */
export type CatalogWrite = Extract<WriteChannel, `catalog:${string}`>;

type CatalogState = {
  listing: CatalogListing | null;
  status: Load;
  error: string | null;
  /** Bumped when the catalog or the snapshot changed: views keyed on it refetch. */
  version: number;
  /** The role new mappings go to ("Map" on a group row, or a drop). */
  selectedRoleId: number | null;
  load: () => Promise<void>;
  select: (roleId: number | null) => void;
  /** The catalog or the snapshot changed: views keyed on `version` refetch, and the listing once it has been read. */
  changed: () => void;
  /** Runs one catalog write, then refreshes (`changed`); throws the engine's error for the form or toast that made it. */
  write: <C extends CatalogWrite>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
  /** Maps a group to a role (a drop, or "Map"), with its toast. */
  map: (input: ChannelInput<'catalog:map'>, labels: { group: string; role: string }) => Promise<boolean>;
};

let loadSeq = 0;

export const useCatalogStore = create<CatalogState>()((set, get) => ({
  listing: null,
  status: 'idle',
  error: null,
  version: 0,
  selectedRoleId: null,
  load: async () => {
    const seq = ++loadSeq;
    set((s) => ({ status: s.listing ? s.status : 'loading', error: null }));
    try {
      const listing = await api.call('catalog:list', {});
      if (seq !== loadSeq) return;
      const selected = get().selectedRoleId;
      const stillThere = selected !== null && listing.apps.some((a) => a.roles.some((r) => r.id === selected));
      set({ listing, status: 'ready', ...(stillThere ? {} : { selectedRoleId: null }) });
    } catch (error) {
      if (seq === loadSeq) set({ status: 'error', error: errorMessage(error) });
    }
  },
  select: (selectedRoleId) => set({ selectedRoleId }),
  changed: () => {
    set((s) => ({ version: s.version + 1 }));
    // No read for a page nobody opened: the Catalog page loads the listing when it mounts.
    if (get().status !== 'idle') void get().load();
  },
  write: async (channel, input) => {
    const out = await api.call(channel, input);
    get().changed();
    return out;
  },
  map: async (input, labels) => {
    try {
      await get().write('catalog:map', input);
      toast.success(`${labels.group} → ${labels.role}`, 'Group mapped');
      return true;
    } catch (error) {
      toast.error(error, `Couldn’t map ${labels.group}`);
      return false;
    }
  },
}));

/** Base64 of a file's bytes, in chunks (String.fromCharCode on a whole file overflows the stack). */
export function toBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(out);
}

