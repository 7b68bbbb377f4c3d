// The handlers of the requests channels (shared/contract-requests.ts). The
// console acts as the operator (settings.operatorEmail): their decisions go
// through channel 'console', and their requests are filed in their name.
import type { BulkDecisionResult, requestsChannels } from '../../../shared/contract-requests.js';
import { schedulerOf } from '../governance/scheduler.js';
import { UserError, type EngineContext } from '../context.js';
import type { ApiHelpers, AreaHandlers } from './handler-types.js';
import { getSettings, settingsView, updateSettings } from '../settings/settings.js';
import { addressesOf, searchBeneficiaries } from '../directory/people-lookup.js';
import { getRequest, listRequests } from '../requests/queries.js';
import { cancelRequest, createRequest, decideRequest, extendRequest } from '../requests/requests.js';
import { importRequestsCsv } from '../requests/requests-csv.js';
import { requestableRoles } from '../catalog/role-info.js';
import { governanceCounts } from '../requests/governance-summary.js';

function operatorOf(ctx: EngineContext): string {
  const op = getSettings(ctx.db).operatorEmail;
  if (!op) throw new UserError('set who you are first ("Acting as" in the top bar): decisions and requests are made in your name', 'bad-input');
  return op;
}

export function requestsHandlers(ctx: EngineContext, helpers: ApiHelpers): AreaHandlers<typeof requestsChannels> {
  const { db } = ctx;
  const { cache } = helpers;
  // Every request write queues jobs (grants to provision, Jira updates): run them now, not at the next tick.
  const thenRunJobs = <T>(value: T): T => {
    void schedulerOf(ctx)?.tick();
    return value;
  };
  return {
    'requests:list': (q) => {
      const op = getSettings(db).operatorEmail;
      const mine = q.view === 'mine' && op ? [...addressesOf(db, op)] : [];
      return listRequests(db, q, mine, cache);
    },
    'requests:governanceCounts': () => governanceCounts(ctx),
    'requests:get': ({ id }) => getRequest(db, id),
    'requests:create': (input) => thenRunJobs(createRequest(ctx, input, { source: 'console', requester: operatorOf(ctx) })),
    'requests:decide': ({ id, decision, comment }) => thenRunJobs(decideRequest(ctx, id, { decision, comment, by: operatorOf(ctx), channel: 'console' })),
    'requests:bulkDecide': ({ ids, decision, comment }) => {
      const by = operatorOf(ctx);
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
    'requests:cancel': ({ id, reason }) => thenRunJobs(cancelRequest(ctx, id, { by: operatorOf(ctx), reason })),
    'requests:extend': (input) => thenRunJobs(extendRequest(ctx, input, { requester: operatorOf(ctx) })),
    'requests:importCsv': ({ csv }) => thenRunJobs(importRequestsCsv(ctx, csv)),
    'requests:searchBeneficiaries': ({ search, limit }) => searchBeneficiaries(db, search, limit),
    'requests:requestableRoles': () => requestableRoles(db),
    'settings:get': () => settingsView(db),
    'settings:set': (patch) => updateSettings(ctx, patch),
  };
}
