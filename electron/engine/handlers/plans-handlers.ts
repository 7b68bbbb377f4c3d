// The handlers of the plans' channels (shared/contract-plans.ts).
import type { planChannels } from '../../../shared/contract-plans.js';
import type { EngineContext } from '../context.js';
import { getPlan, listPlans, retryPlan } from '../plans/views.js';
import type { AreaHandlers } from './handler-types.js';

export function plansHandlers(ctx: EngineContext): AreaHandlers<typeof planChannels> {
  return {
    'plans:list': ({ status, kind, limit }) => listPlans(ctx, { status, kind, limit }),
    'plans:get': ({ planId }) => getPlan(ctx, planId),
    'plans:retry': ({ planId }) => retryPlan(ctx, planId),
  };
}
