// Grants' notices outside the console, planned on the governance tick from
// what the jobs area did: "access ending soon" for each grant that just got
// its expiry notice (jobs/expiry.ts records it once per grant and comments
// on Jira; this routes it to the beneficiary, the requester or whoever the
// route names, by Slack, Teams or e-mail). One dedup key per grant.
import type { EngineContext } from '../context.js';
import { grantsByIds } from '../jobs/grant-store.js';
import { routeNotice } from '../notices/routing.js';
import { requestWithRoleLabel } from '../requests/request-store.js';

export function planAccessEndingSoon(ctx: EngineContext, grantIds: readonly number[]): number {
  if (ctx.readOnly || grantIds.length === 0) return 0;
  let created = 0;
  ctx.db
    .transaction(() => {
      for (const g of grantsByIds(ctx.db, grantIds).values()) {
        const r = g.request_id !== null ? requestWithRoleLabel(ctx.db, g.request_id) : null;
        const what = r?.role_label ?? `the group "${g.group_name}"`;
        created += routeNotice(ctx, {
          type: 'access-ending-soon',
          key: `access-ending-soon:${g.id}`,
          about: { type: 'grant', id: g.id },
          people: { beneficiary: g.beneficiary_email, requester: r?.requester ?? null },
          subject: `Access ending soon: ${what} for ${g.beneficiary_name}, at ${g.expires_at ?? 'its end'}`,
          body: `The access of ${g.beneficiary_name} to ${what} ends at ${g.expires_at ?? 'its end date'}. To keep it, request an extension in Latchkey.`,
          link: r ? `requests/${r.id}` : 'access/expiring',
        }).created;
      }
    })
    .immediate();
  return created;
}
