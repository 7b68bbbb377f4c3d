// Types the per-area handler tables (catalog, requests, jobs, jira) share with
// api.ts, kept apart so those modules don't import api.ts (a cycle).
import type { Channel, ChannelArgs, ChannelOutput } from '../../shared/contract.js';
import type { PageCache } from './directory/query-kit.js';

/** One function per channel: validated input in, the channel's output out. */
export type Handlers = {
  [C in Channel]: (input: ChannelArgs<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
};

/** The handlers of one area's channels (the keys of its channel table). */
export type AreaHandlers<T> = Pick<Handlers, keyof T & Channel>;

export type ApiHelpers = {
  /** Throws the read-only UserError when the workspace was opened read-only. */
  writable: () => void;
  /** Directory page cache: clear it when a change alters the snapshot (e.g. a provisioned membership). */
  cache: PageCache;
};
