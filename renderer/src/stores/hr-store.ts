// The HR feed page's data: the feed's status (last import, matched and unmatched people, pending and
// due events) and the import of an HR export or events file, which refreshes the status it changed.
import { create } from 'zustand';
import type { HrField, HrImportResult, HrPreset, HrStatus } from '../../../shared/contract-hr.js';
import { api, errorMessage } from '../api/client.js';
import { toBase64 } from './catalog-store.js';

type HrState = {
  status: HrStatus | null;
  loading: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
  /** Imports one file (CSV with a preset, or HR events as JSON lines); all rows or none. */
  importFile: (file: { name: string; bytes: Uint8Array }, preset: HrPreset, map?: Record<string, HrField | '-'>) => Promise<HrImportResult>;
};

let loadSeq = 0;

export const useHrStore = create<HrState>()((set, get) => ({
  status: null,
  loading: 'idle',
  error: null,
  load: async () => {
    const seq = ++loadSeq;
    set({ loading: get().status === null ? 'loading' : 'ready', error: null });
    try {
      const status = await api.call('hr:status', { limit: 100 });
      if (seq === loadSeq) set({ status, loading: 'ready' });
    } catch (error) {
      if (seq === loadSeq) set({ loading: 'error', error: errorMessage(error) });
    }
  },
  importFile: async (file, preset, map = {}) => {
    const result = await api.call('hr:import', { fileName: file.name, contentBase64: toBase64(file.bytes), preset, map });
    if (result.ok) await get().load();
    return result;
  },
}));
