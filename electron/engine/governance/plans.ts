// Joiner / mover / leaver plans in the governance order: the due HR events
// become plans (plans/evaluate.ts, with the birthright policies' evaluator),
// then every due or running plan moves on (plans/advance.ts). Called after
// each successful sync (after-sync.ts), after each HR import (hr-import.ts),
// on the tick (scheduler.ts) and after each job-runner run (run-jobs.ts), so
// a plan's next tier starts as soon as the jobs of the last one finish.
import { suspendLeaverConnections } from '../connections/connections.js';
import type { EngineContext } from '../context.js';
import { advancePlans, type AdvanceSummary } from '../plans/advance.js';
import { evaluatePlans, type BirthrightSource } from '../plans/evaluate.js';
import { birthrightOf } from '../policies/birthright.js';

/** The birthright policies' evaluator (policies/birthright.ts): what joiners get and movers keep. */
export const birthrightSource: BirthrightSource = birthrightOf;

/** Plans the due HR events, then advances every due or running plan. Never throws: a report, retried at the next call. */
export function planAndAdvance(ctx: EngineContext, onError: (e: unknown) => void = () => undefined): AdvanceSummary & { created: number[] } {
  let created: number[] = [];
  try {
    created = evaluatePlans(ctx, { birthright: birthrightSource, suspendOn: suspendLeaverConnections(ctx.db) });
  } catch (e) {
    onError(e);
  }
  try {
    return { ...advancePlans(ctx), created };
  } catch (e) {
    onError(e);
    return { plans: 0, started: 0, finished: [], changed: [], created };
  }
}
