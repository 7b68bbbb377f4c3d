// The handlers of the operator channels (shared/contract-operator.ts): the
// sign-in status, starting a sign-in (the pending one is held here, one at a
// time per workspace handle), signing out, and the sign-in settings.
import type { operatorChannels } from '../../../shared/contract-operator.js';
import type { EngineContext } from '../context.js';
import { nameOfAddress } from '../directory/people-lookup.js';
import type { Caller } from '../operator/caller.js';
import { beginSignIn, operatorStatus, signOut, type PendingSignIn } from '../operator/sign-in.js';
import { updateSignInSettings } from '../settings/settings.js';
import type { AreaHandlers } from './handler-types.js';

/** The sign-in in progress and the last failure, shared by every call's handler table. */
export type OperatorState = { pending: PendingSignIn | null; lastError: string | null };
export const createOperatorState = (): OperatorState => ({ pending: null, lastError: null });

export function operatorHandlers(ctx: EngineContext, state: OperatorState, caller: Caller): AreaHandlers<typeof operatorChannels> {
  return {
    'operator:status': async () => ({
      ...(await operatorStatus(ctx)),
      actingAs: caller.actingAs ? { email: caller.actingAs, name: nameOfAddress(ctx.db, caller.actingAs) } : null,
      pending: state.pending ? { authorizeUrl: state.pending.authorizeUrl } : null, lastError: state.lastError }),
    'operator:signIn': async ({ loginHint }) => {
      if (state.pending) await state.pending.cancel();
      state.lastError = null;
      const started = await beginSignIn(ctx, loginHint ? { loginHint } : {});
      state.pending = started;
      started.done.then(
        () => {
          if (state.pending === started) state.pending = null;
        },
        (e: unknown) => {
          if (state.pending !== started) return;
          state.pending = null;
          state.lastError = e instanceof Error ? e.message : String(e);
        },
      );
      return { authorizeUrl: started.authorizeUrl };
    },
    'operator:signOut': async () => {
      if (state.pending) await state.pending.cancel();
      state.pending = null;
      return { signedOut: await signOut(ctx) };
    },
    'operator:setSettings': (patch) => updateSignInSettings(ctx, patch),
  };
}
