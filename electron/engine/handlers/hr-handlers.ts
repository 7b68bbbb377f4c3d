// The handlers of the HR source's channels (shared/contract-hr.ts).
import type { hrChannels } from '../../../shared/contract-hr.js';
import { decodeBase64 } from '../catalog/catalog-io.js';
import type { EngineContext } from '../context.js';
import { importHrAndPlan } from '../governance/hr-import.js';
import { hrStatus } from '../hr/status.js';
import type { AreaHandlers } from './handler-types.js';

export function hrHandlers(ctx: EngineContext): AreaHandlers<typeof hrChannels> {
  return {
    'hr:status': ({ limit }) => hrStatus(ctx, limit),
    'hr:import': ({ fileName, contentBase64, preset, map }) => importHrAndPlan(ctx, { fileName, bytes: decodeBase64(contentBase64), preset, map }),
  };
}
