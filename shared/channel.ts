// How a channel is declared, for contract.ts and the per-area contract files
// (contract-catalog.ts, contract-requests.ts, ...): its input schema, its
// output type, and whether it writes. Every channel is declared with `read`
// or `write`, never without saying which: the engine's dispatch() refuses
// every `write` channel on a read-only workspace from this declaration alone,
// and the read-only tests walk the same list.
import type { z } from 'zod';

export type ChannelSpec<I extends z.ZodType, O, W extends boolean> = { input: I; output: O; writes: W };

/** A channel that only reads (allowed on a read-only snapshot); the output type is a phantom. */
export const read =
  <O>() =>
  <I extends z.ZodType>(input: I): ChannelSpec<I, O, false> => ({ input, output: undefined as O, writes: false });

/**
 * A channel that changes the workspace, needs the keychain or reaches out to
 * a tenant on the user's behalf: refused on a read-only snapshot.
 */
export const write =
  <O>() =>
  <I extends z.ZodType>(input: I): ChannelSpec<I, O, true> => ({ input, output: undefined as O, writes: true });
