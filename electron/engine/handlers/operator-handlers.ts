// The handlers of the operator channels (shared/contract-operator.ts): the
// sign-in status, starting a sign-in (the pending one is held here, one at a
// time per workspace handle), signing out, and the sign-in settings.
import type { operatorChannels } from '../../../shared/contract-operator.js';
import type { EngineContext } from '../context.js';
import { beginSignIn, operatorStatus, signOut, type PendingSignIn } from '../operator/sign-in.js';
import { updateSignInSettings } from '../settings/settings.js';
import type { AreaHandlers } from './handler-types.js';

export function operatorHandlers(ctx: EngineContext): AreaHandlers<typeof operatorChannels> {
  let pending: PendingSignIn | null = null;
  let lastError: string | null = null;
  return {
    'operator:status': async () => ({ ...(await operatorStatus(ctx)), pending: pending ? { authorizeUrl: pending.authorizeUrl } : null, lastError }),
    'operator:signIn': async ({ loginHint }) => {
      if (pending) await pending.cancel();
      lastError = null;
      const started = await beginSignIn(ctx, loginHint ? { loginHint } : {});
      pending = started;
      started.done.then(
        () => {
          if (pending === started) pending = null;
        },
        (e: unknown) => {
          if (pending !== started) return;
          pending = null;
          lastError = e instanceof Error ? e.message : String(e);
        },
      );
      return { authorizeUrl: started.authorizeUrl };
    },
    'operator:signOut': async () => {
      if (pending) await pending.cancel();
      pending = null;
      return { signedOut: await signOut(ctx) };
    },
    'operator:setSettings': (patch) => updateSignInSettings(ctx, patch),
  };
}
