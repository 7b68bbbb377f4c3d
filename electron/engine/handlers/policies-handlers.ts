// The handlers of the birthright policies' channels (shared/contract-policies.ts).
// Who acts is the caller: the operator signed in through the IdP (in a
// sandbox, who the browser session acts as), else the transport's actor; a
// second operator's approval is refused when that is the one who asked.
import type { policiesChannels } from '../../../shared/contract-policies.js';
import type { EngineContext } from '../context.js';
import { personOf } from '../operator/caller.js';
import { addException, approvePolicy, endException, setApprovalPeople, setPolicyMode } from '../policies/policies.js';
import { checkPolicies, exceptionById, exportPolicies, getPolicy, importPolicies, listPolicies, policyRow, savePolicyYaml, whatIfYaml } from '../policies/views.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';

export function policiesHandlers(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof policiesChannels> {
  const by = (): { by: string } => ({ by: personOf(helpers.caller) ?? ctx.actor });
  return {
    'policies:list': () => listPolicies(ctx),
    'policies:get': ({ id, version }) => getPolicy(ctx, id, version),
    'policies:check': ({ yaml }) => checkPolicies(ctx, yaml),
    'policies:whatif': ({ yaml, id, limit }) => whatIfYaml(ctx, yaml, { id, limit }),
    'policies:export': () => ({ yaml: exportPolicies(ctx) }),
    'policies:save': ({ yaml, id }) => savePolicyYaml(ctx, yaml, { ...by(), id }),
    'policies:setMode': ({ id, mode }) => {
      const r = setPolicyMode(ctx, id, mode, by());
      return { ok: true, policy: policyRow(ctx, r.policyId), outcome: r.outcome, approval: r.approval };
    },
    'policies:approve': ({ id }) => policyRow(ctx, approvePolicy(ctx, id, by()).policyId),
    'policies:import': ({ yaml }) => importPolicies(ctx, yaml, by()),
    'policies:addException': (e) => exceptionById(ctx, addException(ctx, e, by()).id),
    'policies:endException': ({ id }) => exceptionById(ctx, endException(ctx, id, by()).id),
    'policies:setApprovalPeople': ({ people }) => setApprovalPeople(ctx, people),
  };
}
