// The sandbox's adjustable clock: real time plus an offset that only moves
// forward. Used by the demo and the end-to-end test to let access expire
// without waiting; refused outside the sandbox (jobs:advanceClock), since
// moving a real workspace's clock would expire real access early.
import type { Clock, EngineContext } from '../context.js';

export type AdjustableClock = Clock & { readonly offsetMs: number; advance: (ms: number) => void };

export function offsetClock(base: Clock = { now: () => new Date() }, offsetMs = 0): AdjustableClock {
  let offset = offsetMs;
  return {
    now: () => new Date(base.now().getTime() + offset),
    get offsetMs() {
      return offset;
    },
    advance(ms) {
      if (!(ms > 0)) throw new RangeError('the clock only moves forward');
      offset += ms;
    },
  };
}

export function isAdjustable(c: Clock): c is AdjustableClock {
  return typeof (c as Partial<AdjustableClock>).advance === 'function';
}

/** The context's clock as an adjustable one, installing it on first use (sandbox workspaces only). */
export function adjustableClockOf(ctx: EngineContext): AdjustableClock {
  if (isAdjustable(ctx.clock)) return ctx.clock;
  const c = offsetClock(ctx.clock);
  ctx.clock = c;
  return c;
}
