// The access ledger as the Access page shows it: a page of grants (jobs area)
// with, for each, the request behind it (why, who asked, its Jira issue), how
// an ended grant ended and whether a sync has confirmed the removal since.
import type { LedgerGrant } from '../../../shared/contract-jobs.js';
import type { EngineContext } from '../context.js';
import { grantEnd, removalChecks } from '../jobs/grant-ends.js';
import { grantsByIds } from '../jobs/grant-store.js';
import { listGrants, type GrantListQuery } from '../jobs/operations.js';
import { requestRows } from './queries.js';

export function grantLedgerPage(ctx: EngineContext, q: GrantListQuery): { rows: LedgerGrant[]; total: number } {
  const page = listGrants(ctx, q);
  const records = grantsByIds(
    ctx.db,
    page.rows.map((g) => g.id),
  );
  const requestIds = [...new Set(page.rows.flatMap((g) => (g.requestId === null ? [] : [g.requestId])))];
  const requests = new Map(requestRows(ctx.db, requestIds).map((r) => [r.id, r]));
  const removals = removalChecks(ctx.db, [...records.values()]);
  return {
    total: page.total,
    rows: page.rows.map((g) => {
      const r = g.requestId === null ? undefined : requests.get(g.requestId);
      const record = records.get(g.id);
      return {
        ...g,
        request: r ? { justification: r.justification, requester: r.requester, jira: r.jira } : null,
        ended: record ? grantEnd(record) : null,
        removal: removals.get(g.id) ?? null,
      };
    }),
  };
}
