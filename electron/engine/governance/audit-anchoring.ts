// Where the audit chain is witnessed, in the order of the areas that end a
// run: a signed checkpoint at the end of every sync run and every job-runner
// run (the audit area signs; this is where the runs end).
import { signCheckpoint } from '../audit/checkpoints.js';
import type { CheckpointReason } from '../audit/checkpoint-store.js';
import type { EngineContext } from '../context.js';

/**
 * Signs a checkpoint at the end of a run. A checkpoint that cannot be signed
 * (read-only, no keychain) or fails is not the run's failure: `audit verify`
 * says what is covered, and the next run's end signs the head again.
 */
export async function checkpointQuietly(ctx: EngineContext, reason: CheckpointReason): Promise<void> {
  if (ctx.readOnly) return;
  try {
    await signCheckpoint(ctx, reason);
  } catch {
    // Covered by the next checkpoint.
  }
}
