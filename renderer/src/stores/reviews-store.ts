// Access reviews in the console: the campaign list (it feeds the sidebar's
// count of the signed-in reviewer's open items), the reviewer's queue for one
// campaign with decisions applied at once and reconciled with the engine's
// answer, the reviews writes, and a version bumped by those writes and by
// every reviews, jobs or sync change (stores/wire-events.ts) so a campaign's
// page, preview and progress refetch. `reviews.*` are the reads a page makes
// for its own view.
import { create } from 'zustand';
import type { CampaignSummary, ReasonCode, ReviewDecision, ReviewItemRow } from '../../../shared/contract-reviews.js';
import type { ChannelInput, ChannelOutput, WriteChannel } from '../../../shared/contract.js';
import { api, errorMessage } from '../api/client.js';
import { withDecision, type GridDecision } from '../lib/review-grid.js';
import { expandGrid } from '../lib/review-grid-data.js';

/** Campaign definitions, launch, cancel, copy, reassignment, close, workbook import. */
export type ReviewsWrite = Extract<WriteChannel, `reviews:${string}`>;

/** partial: the first screen is here, the whole queue is on its way (filters, sorting and decisions wait for it). */
type Load = 'idle' | 'loading' | 'partial' | 'ready' | 'error';
/** Items read first when a queue is not loaded yet, so the grid paints them at once. */
const FIRST_SCREEN = 100;


export type Queue = {
  campaignId: number;
  status: Load;
  error: string | null;
  items: readonly ReviewItemRow[];
  /** Decisions given here and not yet read back with the items (the engine's answer replaces them). */
  overlay: ReadonlyMap<number, GridDecision>;
  /** Bumped on each decision, so views derived from decisions recompute and nothing else does. */
  decisions: number;
  total: number;
};

export type DecideOptions = { reasonCode?: ReasonCode; comment?: string; keepUntil?: string };

type ReviewsState = {
  version: number;
  /** Reviews changed (event, or a write made here): views keyed on `version` refetch, the list and the queue reload. */
  changed: () => void;
  /**
   * Something moved that a campaign's page shows (jobs, a sync): views keyed on `version` and the
   * list refetch. The queue reloads only on a reviews change it did not cause itself (`changedElsewhere`).
   */
  bump: () => void;
  /** A reviews change announced by the engine: as `changed`, but the queue is not read again for the echo of its own decisions. */
  changedElsewhere: () => void;
  /** Runs one reviews write, then `changed`; throws the engine's error for the form that made it. */
  write: <C extends ReviewsWrite>(channel: C, input: ChannelInput<C>) => Promise<ChannelOutput<C>>;
  campaigns: CampaignSummary[] | null;
  listError: string | null;
  loadList: () => Promise<void>;
  queue: Queue | null;
  /** Loads the signed-in reviewer's items of a campaign ('me': the operator, or who a sandbox session acts as). */
  loadQueue: (campaignId: number) => Promise<void>;
  /**
   * Drafts a decision on items: shown at once (pending), then the engine's
   * answer: refused items go back to what they were and their reasons are
   * returned; a refusal of the whole call is thrown (the form shows it by its field).
   */
  decide: (ids: readonly number[], decision: ReviewDecision, opts?: DecideOptions) => Promise<{ decided: number; refused: { itemId: number; why: string }[] }>;
  /** The grid's selected items (x, shift+x); kept here so the grid's cells read it as they render. */
  selected: ReadonlySet<number>;
  setSelected: (next: ReadonlySet<number> | ((prev: ReadonlySet<number>) => ReadonlySet<number>)) => void;
  /** Submits the reviewer's drafts, then reloads the queue. */
  submit: (campaignId: number) => Promise<ChannelOutput<'reviews:submit'>>;
};

let listSeq = 0;
let queueSeq = 0;
/** When this store last sent a decision: the engine's announcement of it arrives within ECHO_MS. */
let lastDecideAt = 0;
const ECHO_MS = 3000;

export const useReviewsStore = create<ReviewsState>()((set, get) => ({
  version: 0,
  changed: () => {
    set((s) => ({ version: s.version + 1 }));
    if (get().campaigns !== null || get().listError !== null) void get().loadList();
    const q = get().queue;
    if (q) void get().loadQueue(q.campaignId);
  },
  bump: () => {
    set((s) => ({ version: s.version + 1 }));
    if (get().campaigns !== null || get().listError !== null) void get().loadList();
  },
  changedElsewhere: () => {
    // 100,000 items are not read again for the event that answers a key press made here.
    if (Date.now() - lastDecideAt < ECHO_MS) get().bump();
    else get().changed();
  },
  write: async (channel, input) => {
    const out = await api.call(channel, input);
    get().changed();
    return out;
  },
  campaigns: null,
  listError: null,
  loadList: async () => {
    const seq = ++listSeq;
    try {
      const campaigns = await api.call('reviews:list', { status: 'all' });
      if (seq === listSeq) set({ campaigns, listError: null });
    } catch (e) {
      if (seq === listSeq) set({ listError: errorMessage(e) });
    }
  },
  queue: null,
  loadQueue: async (campaignId) => {
    const seq = ++queueSeq;
    const wasReady = get().queue?.campaignId === campaignId && get().queue?.status === 'ready';
    set((s) => ({
      queue:
        s.queue?.campaignId === campaignId
          ? { ...s.queue, status: s.queue.status === 'ready' ? 'ready' : 'loading', error: null }
          : { campaignId, status: 'loading', error: null, items: [], overlay: new Map(), decisions: 0, total: 0 },
      ...(s.queue?.campaignId === campaignId ? {} : { selected: new Set<number>() }),
    }));
    // A queue not shown yet: its first screen is read first (milliseconds), then the whole queue
    // (seconds at 100,000 items). One after the other: two requests at once may reach the engine in
    // either order, and the first screen would then wait behind the whole read.
    if (!wasReady) {
      try {
        const data = await api.call('reviews:grid', { campaignId, first: FIRST_SCREEN });
        set((s) =>
          seq === queueSeq && s.queue?.campaignId === campaignId && s.queue.status === 'loading'
            ? // A queue that fits in the first screen is whole already.
              { queue: { ...s.queue, status: data.items.length >= data.total ? 'ready' : 'partial', items: expandGrid(data), total: data.total } }
            : {},
        );
        if (seq !== queueSeq) return;
        if (data.items.length >= data.total) return;
      } catch {
        // The whole read below reports the error.
      }
    }
    try {
      // The compact form (reviews:grid): the whole queue in one read, expanded here.
      const data = await api.call('reviews:grid', { campaignId });
      if (seq !== queueSeq) return;
      const rows = expandGrid(data);
      // What the engine says now replaces what was drafted here, except calls still in flight.
      set((s) => {
        const pending = new Map<number, GridDecision>();
        if (s.queue?.campaignId === campaignId) for (const [id, d] of s.queue.overlay) if (d.pending) pending.set(id, d);
        return { queue: { campaignId, status: 'ready', error: null, items: rows, overlay: pending, decisions: (s.queue?.decisions ?? 0) + 1, total: rows.length } };
      });
    } catch (e) {
      if (seq !== queueSeq) return;
      set((s) => (s.queue?.campaignId === campaignId ? { queue: { ...s.queue, status: 'error', error: errorMessage(e) } } : {}));
    }
  },
  decide: async (ids, decision, opts = {}) => {
    const q = get().queue;
    if (!q || ids.length === 0) return { decided: 0, refused: [] };
    const before = q.overlay;
    const campaignId = q.campaignId;
    const local = { decision, reasonCode: opts.reasonCode ?? null, comment: opts.comment ?? null, keepUntil: opts.keepUntil ?? null };
    set((s) => (s.queue ? { queue: { ...s.queue, overlay: withDecision(s.queue.overlay, ids, local), decisions: s.queue.decisions + 1 } } : {}));
    const restore = (only: readonly number[] | null): void =>
      set((s) => {
        if (!s.queue || s.queue.campaignId !== campaignId) return {};
        const next = new Map(s.queue.overlay);
        for (const id of only ?? ids) {
          const was = before.get(id);
          if (was) next.set(id, was);
          else next.delete(id);
        }
        return { queue: { ...s.queue, overlay: next, decisions: s.queue.decisions + 1 } };
      });
    lastDecideAt = Date.now();
    try {
      const out = await api.call('reviews:decide', {
        campaignId,
        itemIds: [...ids],
        decision,
        comment: opts.comment ?? '',
        ...(opts.reasonCode ? { reasonCode: opts.reasonCode } : {}),
        ...(opts.keepUntil ? { keepUntil: opts.keepUntil } : {}),
      });
      const refused = new Set(out.refused.map((r) => r.itemId));
      if (refused.size > 0) restore([...refused]);
      // Accepted: no longer pending (a draft, as the engine recorded it).
      set((s) => {
        if (!s.queue || s.queue.campaignId !== campaignId) return {};
        const next = new Map(s.queue.overlay);
        for (const id of ids) {
          const d = next.get(id);
          if (d?.pending && !refused.has(id)) next.set(id, { ...d, pending: false });
        }
        return { queue: { ...s.queue, overlay: next, decisions: s.queue.decisions + 1 } };
      });
      // Other views (progress, the list's counts) refetch; the queue keeps its overlay.
      set((s) => ({ version: s.version + 1 }));
      return out;
    } catch (e) {
      restore(null);
      throw e;
    } finally {
      lastDecideAt = Date.now();
    }
  },
  selected: new Set(),
  setSelected: (next) => set((s) => ({ selected: typeof next === 'function' ? next(s.selected) : next })),
  submit: async (campaignId) => {
    const out = await api.call('reviews:submit', { campaignId });
    get().changed();
    return out;
  },
}));

/** The signed-in reviewer's open items across active campaigns (the sidebar's badge). */
export function myOpenItems(campaigns: readonly CampaignSummary[] | null): number {
  return (campaigns ?? []).filter((c) => c.status === 'active').reduce((n, c) => n + c.mine, 0);
}

/** Reads a page makes for its own view, keyed on the store's `version`. */
export const reviews = {
  get: (campaignId: number, signal?: AbortSignal) => api.call('reviews:get', { campaignId }, { signal }),
  preview: (campaignId: number, signal?: AbortSignal) => api.call('reviews:preview', { campaignId }, { signal }),
  progress: (campaignId: number, signal?: AbortSignal) => api.call('reviews:progress', { campaignId }, { signal }),
  items: (q: ChannelInput<'reviews:items'>, signal?: AbortSignal) => api.call('reviews:items', q, { signal }),
  item: (itemId: number, signal?: AbortSignal) => api.call('reviews:item', { itemId }, { signal }),
  exportWorkbook: (campaignId: number, reviewer: string) => api.call('reviews:exportWorkbook', { campaignId, reviewer }),
};
