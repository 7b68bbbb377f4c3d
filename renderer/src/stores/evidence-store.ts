// The Evidence page's data: this session's evidence exports (running and finished) and the default
// folder; starting, cancelling and revealing one. `evidence:progress` events update a run in place.
import { create } from 'zustand';
import type { EvidenceExportInput, EvidenceRunView } from '../../../shared/contract-evidence.js';
import { api, errorMessage } from '../api/client.js';

type EvidenceState = {
  folder: string | null;
  runs: EvidenceRunView[];
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
  /** Starts an export; resolves with its first view (the engine refuses a bad period or folder with a message). */
  start: (input: EvidenceExportInput) => Promise<EvidenceRunView>;
  cancel: (exportId: string) => Promise<void>;
  /** Shows the workbook in the file manager; false where the engine has none to open (a browser tab on another machine's engine). */
  reveal: (exportId: string) => Promise<boolean>;
  /** An `evidence:progress` event: the run's newest state. */
  progress: (run: EvidenceRunView) => void;
};

/** Newest first; a run's newer view replaces its older one. */
function upsert(runs: readonly EvidenceRunView[], run: EvidenceRunView): EvidenceRunView[] {
  const rest = runs.filter((r) => r.exportId !== run.exportId);
  return [run, ...rest].sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export const useEvidenceStore = create<EvidenceState>()((set, get) => ({
  folder: null,
  runs: [],
  status: 'idle',
  error: null,
  load: async () => {
    set({ status: get().folder === null ? 'loading' : 'ready', error: null });
    try {
      const { folder, runs } = await api.call('evidence:runs', {});
      set({ folder, runs, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  start: async (input) => {
    const run = await api.call('evidence:export', input);
    // Its progress events (even its end) can arrive before this answer: never put a newer state back to running.
    const known = get().runs.find((r) => r.exportId === run.exportId);
    if (!known) set({ runs: upsert(get().runs, run) });
    return known ?? run;
  },
  cancel: async (exportId) => {
    const run = await api.call('evidence:cancel', { exportId });
    // The cancel answers while the thread is still stopping; its end comes as an event.
    if (run.state !== 'running') set({ runs: upsert(get().runs, run) });
  },
  reveal: async (exportId) => (await api.call('evidence:reveal', { exportId })).shown,
  progress: (run) => {
    // Progress events can overtake the start call's answer; a finished state never goes back to running.
    const known = get().runs.find((r) => r.exportId === run.exportId);
    if (known && known.state !== 'running' && run.state === 'running') return;
    set({ runs: upsert(get().runs, run) });
  },
}));
