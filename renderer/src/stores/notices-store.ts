// The Notifications page's data: the notice settings (routes, quiet hours, digest, SMTP; whether each
// webhook is set — never its URL), the next 7 days of notices, the newest ones, and the writes: saving
// settings (secrets go straight to the keychain) and sending a test message, each refreshing what it changed.
import { create } from 'zustand';
import type { NoticeRow, NoticeSettings, NoticeSettingsPatch, NoticeTestResult } from '../../../shared/contract-notices.js';
import { api, errorMessage } from '../api/client.js';

type NoticesState = {
  settings: NoticeSettings | null;
  preview: NoticeRow[];
  recent: NoticeRow[];
  loading: 'idle' | 'loading' | 'ready' | 'error';
  error: string | null;
  load: () => Promise<void>;
  save: (patch: NoticeSettingsPatch) => Promise<void>;
  test: (channel: 'email' | 'slack' | 'teams', to?: string) => Promise<NoticeTestResult>;
};

let loadSeq = 0;

export const useNoticesStore = create<NoticesState>()((set, get) => ({
  settings: null,
  preview: [],
  recent: [],
  loading: 'idle',
  error: null,
  load: async () => {
    const seq = ++loadSeq;
    set({ loading: get().settings === null ? 'loading' : 'ready', error: null });
    try {
      const [settings, preview, recent] = await Promise.all([api.call('notices:getSettings', {}), api.call('notices:preview', { days: 7 }), api.call('notices:list', { status: 'all', limit: 50 })]);
      if (seq === loadSeq) set({ settings, preview, recent, loading: 'ready' });
    } catch (error) {
      if (seq === loadSeq) set({ loading: 'error', error: errorMessage(error) });
    }
  },
  save: async (patch) => {
    const settings = await api.call('notices:setSettings', patch);
    set({ settings });
    await get().load();
  },
  test: async (channel, to) => {
    const r = await api.call('notices:test', { channel, ...(to ? { to } : {}) });
    await get().load();
    return r;
  },
}));
