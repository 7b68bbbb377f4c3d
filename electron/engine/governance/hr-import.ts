// An HR import and what follows it: the events it brought that are due
// become plans at once (a backdated leaver is processed right away), in the
// governance order (planAndAdvance). The console and the CLI import through
// here, so the HR area never calls the plans area.
import type { EngineContext } from '../context.js';
import { importHr, type HrImportRequest } from '../hr/import.js';
import { planAndAdvance } from './plans.js';

export function importHrAndPlan(ctx: EngineContext, req: HrImportRequest): ReturnType<typeof importHr> {
  const result = importHr(ctx, req);
  planAndAdvance(ctx);
  return result;
}
