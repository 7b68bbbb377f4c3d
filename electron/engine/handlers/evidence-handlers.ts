// The handlers of the evidence channels (shared/contract-evidence.ts): every
// one reads (a read-only snapshot copy exports too).
import type { evidenceChannels } from '../../../shared/contract-evidence.js';
import type { EngineContext } from '../context.js';
import { cancelEvidenceExport, evidenceRuns, revealEvidence, startEvidenceExport } from '../evidence/export-runs.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';

export function evidenceHandlers(ctx: EngineContext, _helpers: ApiHelpers): AreaHandlers<typeof evidenceChannels> {
  return {
    'evidence:export': (input) => startEvidenceExport(ctx, input),
    'evidence:runs': () => evidenceRuns(ctx),
    'evidence:cancel': ({ exportId }) => cancelEvidenceExport(ctx, exportId),
    'evidence:reveal': ({ exportId }) => revealEvidence(ctx, exportId),
  };
}
