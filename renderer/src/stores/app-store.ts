// The workspace as the shell needs it (app:info: its file, version, read-only, sandbox) and the
// live-update stream's state; and the read-only rule every write control follows.
import { create } from 'zustand';
import type { AppInfo } from '../../../shared/domain.js';
import { api, errorMessage, type EventStreamStatus } from '../api/client.js';

type AppState = {
  info: AppInfo | null;
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  events: EventStreamStatus;
  load: () => Promise<void>;
  setEvents: (s: EventStreamStatus) => void;
};

/** Why every write control is disabled in a read-only workspace (tooltip and accessible description). */
export const READ_ONLY_REASON = 'Read-only snapshot: opened without credentials; nothing can be changed or synced';

export const useAppStore = create<AppState>()((set) => ({
  info: null,
  status: 'loading',
  error: null,
  events: 'idle',
  load: async () => {
    set({ status: 'loading', error: null });
    try {
      const info = await api.call('app:info', {});
      set({ info, status: 'ready' });
    } catch (error) {
      set({ status: 'error', error: errorMessage(error) });
    }
  },
  setEvents: (events) => set({ events }),
}));

/** True when the workspace was opened read-only: every write control is disabled. */
export const useReadOnly = (): boolean => useAppStore((s) => s.info?.readOnly ?? false);

/** The workspace file's name, for the read-only banner ("acme-2026-04.latchkey"). */
export function fileName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}
