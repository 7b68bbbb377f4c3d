// The handlers of the requests channels (shared/contract-requests.ts). The
// console acts as the caller (the operator signed in through the IdP; in a
// sandbox, who the browser session acts as): their decisions go through
// channel 'console', and their requests are filed in their name.
import type { BulkDecisionResult, requestsChannels } from '../../../shared/contract-requests.js';
import { schedulerOf } from '../governance/scheduler.js';
import { UserError, type EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';
import { settingsView, updateSettings } from '../settings/settings.js';
import { personOf, requirePerson } from '../operator/caller.js';
import { addressesOf, searchBeneficiaries } from '../directory/people-lookup.js';
import { getRequest, listRequests } from '../requests/queries.js';
import { cancelRequest, createRequest, decideRequest, extendRequest } from '../requests/requests.js';
import { importRequestsCsv } from '../requests/requests-csv.js';
import { requestableRoles } from '../catalog/role-info.js';
import { governanceCounts } from '../requests/governance-summary.js';

export function requestsHandlers(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof requestsChannels> {
  const { db } = ctx;
  const { cache, caller } = helpers;
  const operator = (): string => requirePerson(caller, 'who are you?');
  // Every request write queues jobs (grants to provision, Jira updates): run them now, not at the next tick.
  const thenRunJobs = <T>(value: T): T => {
    void schedulerOf(ctx)?.tick();
    return value;
  };
  return {
    'requests:list': (q) => {
      const op = personOf(caller);
      const mine = q.view === 'mine' && op ? [...addressesOf(db, op)] : [];
      return listRequests(db, q, mine, cache);
    },
    'requests:governanceCounts': () => governanceCounts(ctx, personOf(caller)),
    'requests:get': ({ id }) => getRequest(db, id),
    'requests:create': (input) => thenRunJobs(createRequest(ctx, input, { source: 'console', requester: operator() })),
    'requests:decide': ({ id, decision, comment, onBehalfOf }) =>
      thenRunJobs(
        onBehalfOf
          ? // Recording, not deciding: the approver's decision, written down by the operator with why and the evidence.
            decideRequest(ctx, id, { decision, comment, by: onBehalfOf.approver, channel: 'console', recorded: { by: operator(), reason: onBehalfOf.reason, evidence: onBehalfOf.evidence } })
          : decideRequest(ctx, id, { decision, comment, by: operator(), channel: 'console' }),
      ),
    'requests:bulkDecide': ({ ids, decision, comment }) => {
      const by = operator();
      const byAddresses = addressesOf(db, by);
      // Each request in its own transaction: a refusal (not my step, decided meanwhile) leaves the others decided.
      const results: BulkDecisionResult[] = [];
      for (const id of [...new Set(ids)]) {
        try {
          const row = decideRequest(ctx, id, { decision, comment, by, channel: 'console', quiet: true, byAddresses });
          results.push({ id, ok: true, status: row.status });
        } catch (e) {
          if (!(e instanceof UserError)) throw e;
          results.push({ id, ok: false, error: e.message, code: e.code });
        }
      }
      const done = results.filter((r) => r.ok).map((r) => r.id);
      if (done.length > 0) ctx.events.emit('governance:changed', { area: 'requests', ids: done });
      return thenRunJobs({ results });
    },
    'requests:cancel': ({ id, reason }) => thenRunJobs(cancelRequest(ctx, id, { by: operator(), reason })),
    'requests:extend': (input) => thenRunJobs(extendRequest(ctx, input, { requester: operator() })),
    'requests:importCsv': ({ csv }) => {
      const who = personOf(caller);
      return thenRunJobs(importRequestsCsv(ctx, csv, who ? { requester: who } : {}));
    },
    'requests:searchBeneficiaries': ({ search, limit }) => searchBeneficiaries(db, search, limit),
    'requests:requestableRoles': () => requestableRoles(db),
    'settings:get': () => settingsView(db),
    'settings:set': (patch) => updateSettings(ctx, patch),
  };
}
