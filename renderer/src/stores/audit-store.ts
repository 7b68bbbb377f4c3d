// The Audit log page's state: the filters (kept across visits), the chain's status (head, newest
// signed checkpoint, anchors, the last verification), the recorded actions for the action filter,
// running a verification, and a version bumped when anything is recorded (stores/wire-events.ts)
// so the events grid refetches. The page reads the events and the CSV export through `auditLog`.
import { create } from 'zustand';
import type { AuditFilterInput, AuditStatusView, AuditVerifyView } from '../../../shared/contract-audit.js';
import type { AuditChannel } from '../../../shared/governance.js';
import { api, errorMessage } from '../api/client.js';

/** The page's filters as typed: the period as local dates (YYYY-MM-DD), each end included. */
export type AuditFilters = { actor: string; action: string; targetType: string; targetId: string; channel: AuditChannel | ''; fromDay: string; toDay: string };

export const NO_FILTERS: AuditFilters = { actor: '', action: '', targetType: '', targetId: '', channel: '', fromDay: '', toDay: '' };

type AuditState = {
  filters: AuditFilters;
  setFilter: <K extends keyof AuditFilters>(key: K, value: AuditFilters[K]) => void;
  clearFilters: () => void;
  status: AuditStatusView | null;
  statusError: string | null;
  actions: { action: string; count: number }[] | null;
  /** Bumped when events may have been recorded (any governance change, a finished sync). */
  version: number;
  verifying: boolean;
  load: () => Promise<void>;
  /** Verifies the chain now (seconds on a long log); the status then shows this result. Throws the engine's error. */
  verify: () => Promise<AuditVerifyView>;
  /** Something was recorded: the events and the head refetch, if the page has been opened. */
  changed: () => void;
};

export const useAuditStore = create<AuditState>()((set, get) => ({
  filters: NO_FILTERS,
  setFilter: (key, value) => set((s) => ({ filters: { ...s.filters, [key]: value } })),
  clearFilters: () => set({ filters: NO_FILTERS }),
  status: null,
  statusError: null,
  actions: null,
  version: 0,
  verifying: false,
  load: async () => {
    try {
      const [status, actions] = await Promise.all([api.call('audit:status', {}), api.call('audit:actions', {})]);
      set({ status, actions, statusError: null });
    } catch (e) {
      set({ statusError: errorMessage(e) });
    }
  },
  verify: async () => {
    set({ verifying: true });
    try {
      const result = await api.call('audit:verify', {});
      const status = get().status;
      if (status) set({ status: { ...status, lastVerify: result } });
      return result;
    } finally {
      set({ verifying: false });
    }
  },
  changed: () => {
    if (get().status === null && get().statusError === null) return;
    set((s) => ({ version: s.version + 1 }));
    // The head and checkpoints only: the action counts scan every event (seconds at a million), read when the page opens.
    api.call('audit:status', {}).then(
      (status) => set({ status: { ...status, lastVerify: status.lastVerify ?? get().status?.lastVerify ?? null }, statusError: null }),
      () => undefined,
    );
  },
}));

/** A local date (YYYY-MM-DD) as the instant its day starts here, ISO with the zone offset. */
export function localDayStart(day: string, plusDays = 0): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return null;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + plusDays);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** The filters as the engine takes them: the period from the start of the first day to the start of the day after the last. */
export function engineFilter(f: AuditFilters): AuditFilterInput {
  const from = f.fromDay ? localDayStart(f.fromDay) : null;
  const to = f.toDay ? localDayStart(f.toDay, 1) : null;
  return {
    ...(f.actor.trim() ? { actor: f.actor.trim() } : {}),
    ...(f.action ? { action: f.action } : {}),
    ...(f.targetType.trim() ? { targetType: f.targetType.trim() } : {}),
    ...(f.targetId.trim() ? { targetId: f.targetId.trim() } : {}),
    ...(f.channel ? { channel: f.channel } : {}),
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
  };
}

/** Reads the page makes for its own view, keyed on the store's `version`. */
export const auditLog = {
  events: (q: AuditFilterInput & { offset: number; limit: number }, signal?: AbortSignal) => api.call('audit:events', q, { signal }),
  exportCsv: (q: AuditFilterInput) => api.call('audit:export', q),
};
