// Who is at the console: the operator signed in through the IdP (and until
// when), a sign-in in progress, the workspace's sign-in settings, and — in a
// sandbox workspace only — who this browser session acts as. `person` is the
// e-mail decisions and requests are made in the name of; pages read it here.
import { create } from 'zustand';
import type { OperatorStatus, SignInSettingsPatch } from '../../../shared/contract-operator.js';
import { getActingAs, setActingAs } from '../api/acting-as.js';
import { api, errorMessage } from '../api/client.js';
import { useRequestsStore } from './requests-store.js';
import { useReviewsStore } from './reviews-store.js';

type OperatorState = {
  status: OperatorStatus | null;
  error: string | null;
  /** This browser session's "Acting as" (sandbox only): an e-mail, '' (nobody), null (not chosen yet). */
  actingAs: string | null;
  /** The signed-in operator's e-mail, else (sandbox) who the session acts as. */
  person: string | null;
  load: () => Promise<void>;
  /** Opens the IdP's sign-in page in a new tab and follows the sign-in until it ends; returns the error, or null when signed in. */
  signIn: (open?: (url: string) => void) => Promise<string | null>;
  signOut: () => Promise<void>;
  saveSettings: (patch: SignInSettingsPatch) => Promise<void>;
  setActingAs: (email: string | null) => void;
};

const personOf = (status: OperatorStatus | null, actingAs: string | null): string | null =>
  status?.session?.email ?? (status?.actingAsAllowed ? actingAs || null : null);

/** Requests lists and details, and the review queue and counts, depend on who is at the console: they refetch when that changes. */
const whoChanged = (): void => {
  useRequestsStore.getState().clearSelection();
  useRequestsStore.getState().bump();
  // The review queue held is the previous person's: dropped, so the grid reads the new person's afresh.
  useReviewsStore.setState({ queue: null, selected: new Set<number>() });
  useReviewsStore.getState().changed();
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export const useOperatorStore = create<OperatorState>()((set, get) => ({
  status: null,
  error: null,
  actingAs: getActingAs(),
  person: null,
  load: async () => {
    try {
      const status = await api.call('operator:status', {});
      let actingAs = get().actingAs;
      // A sandbox session that has picked nobody acts as the demo's manager, so approvals can be tried at once.
      if (status.actingAsAllowed && actingAs === null && status.actingAsSuggestion) {
        actingAs = status.actingAsSuggestion;
        setActingAs(actingAs);
      }
      const before = get().person;
      set({ status, actingAs, person: personOf(status, actingAs), error: null });
      if (before !== get().person) whoChanged();
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  },
  signIn: async (open = (url) => void window.open(url, '_blank', 'noopener')) => {
    try {
      const { authorizeUrl } = await api.call('operator:signIn', {});
      open(authorizeUrl);
      // The IdP redirects to the engine's loopback listener; follow the outcome here.
      for (let i = 0; i < 600; i++) {
        await sleep(1000);
        await get().load();
        const s = get().status;
        if (!s || s.pending === null) return s?.session ? null : (s?.lastError ?? 'the sign-in did not complete');
      }
      return 'the sign-in did not complete within 10 minutes';
    } catch (e) {
      return errorMessage(e);
    }
  },
  signOut: async () => {
    await api.call('operator:signOut', {});
    await get().load();
  },
  saveSettings: async (patch) => {
    await api.call('operator:setSettings', patch);
    await get().load();
  },
  setActingAs: (email) => {
    setActingAs(email);
    set((s) => ({ actingAs: email ?? '', person: personOf(s.status, email) }));
    whoChanged();
  },
}));
