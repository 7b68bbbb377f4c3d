// The channel declaration helper, shared by contract.ts and the per-area
// contract files (contract-catalog.ts, contract-requests.ts, ...).
import type { z } from 'zod';

/** Declares a channel: the input schema now, the output type as a phantom. */
export const channel =
  <O>() =>
  <I extends z.ZodType>(input: I): { input: I; output: O } => ({ input, output: undefined as O });
