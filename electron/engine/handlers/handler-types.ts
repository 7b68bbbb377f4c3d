// Types the per-area handler tables (handlers/*-handlers.ts) share with
// api.ts, kept apart so those modules don't import api.ts (a cycle).
import type { Channel, ChannelArgs, ChannelOutput } from '../../../shared/contract.js';
import type { PageCache } from '../db/query-kit.js';
import type { Caller, CallerInput } from '../operator/caller.js';

/**
 * Marks a handler table as built for a writable workspace. dispatch() runs
 * a `write` channel only through a table that carries it (a spread copy keeps
 * it; a table built by hand without it is read-only), so read-only mode is
 * decided once, from the contract's declaration, not by each handler.
 */
export const WORKSPACE_MODE: unique symbol = Symbol('latchkey.workspaceMode');

/**
 * Builds the table for one call's caller (api.ts): resolves the signed-in
 * operator, refuses a write when the workspace requires sign-in and nobody
 * is signed in, and returns handlers whose audit events name that caller.
 */
export const FOR_CALLER: unique symbol = Symbol('latchkey.forCaller');

/** One function per channel: validated input in, the channel's output out. */
export type Handlers = {
  [C in Channel]: (input: ChannelArgs<C>) => Promise<ChannelOutput<C>> | ChannelOutput<C>;
} & { readonly [WORKSPACE_MODE]?: 'writable' | 'read-only'; readonly [FOR_CALLER]?: (caller: CallerInput, channel: Channel, outer?: Handlers) => Promise<Handlers> };

/** The handlers of one area's channels (the keys of its channel table). */
export type AreaHandlers<T> = Pick<Handlers, keyof T & Channel>;

export type ApiHelpers = {
  /** Directory page cache: clear it when a change alters the snapshot (e.g. a provisioned membership). */
  cache: PageCache;
  /** Who makes this call (the signed-in operator; in a sandbox, who the session acts as) and through which channel. */
  caller: Caller;
};
