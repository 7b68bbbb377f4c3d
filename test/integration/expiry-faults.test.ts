// Expiry while the IdPs misbehave: grants of Okta and Entra groups expire
// together and their revocations meet 5xx answers, proxies' HTML 502s,
// dropped connections, bodies cut mid-way, slow answers and (Graph) a 429
// storm with Retry-After. Nothing may be lost (every membership removed,
// every grant expired) or duplicated (one revocation job, one audit event and
// one IdP change per grant).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { catchUp } from '../../electron/engine/governance/scheduler.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { entraMember, FAST, grantOf, insertGrant, jobsWorkspace, oktaMember, pickTarget, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-expiry-faults-');
const HOUR = 3_600_000;
let sandbox: Sandbox;
let w: JobsWorkspace;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 400, seed: 31, port: 0, rateLimits: 'off', jira: false });
  w = await jobsWorkspace(dir, sandbox);
}, 90_000);
afterAll(async () => {
  await sandbox.close();
});

describe('expiry under IdP faults', () => {
  it('revokes every expired grant exactly once through 5xx, drops, cut bodies, slow answers and a Graph 429 storm', async () => {
    const entra = w.entra;
    if (!entra) throw new Error('the sandbox has no Entra side');
    const used = new Set<string>();
    const okta = Array.from({ length: 12 }, () => pickTarget(w.db, w.okta.id, { type: 'OKTA_GROUP', skip: used }));
    const graph = Array.from({ length: 6 }, () => pickTarget(w.db, entra.id, { type: 'Security', skip: used }));
    const expiresAt = new Date(w.ctx.clock.now().getTime() + HOUR).toISOString();
    const grants = [
      ...okta.map((t) => ({ t, idp: 'okta' as const, ...insertGrant(w.ctx, { connectionId: w.okta.id, ...t }, { expiresAt }) })),
      ...graph.map((t) => ({ t, idp: 'entra' as const, ...insertGrant(w.ctx, { connectionId: entra.id, ...t }, { expiresAt }) })),
    ];
    // Provisioned cleanly first.
    await runJobs(w.ctx, FAST);
    for (const g of grants) expect(grantOf(w.db, g.grantId).status).toBe('active');
    for (const g of grants.filter((x) => x.idp === 'okta')) expect(oktaMember(sandbox, g.t.groupId, g.t.userId)).toBe(true);

    const oktaDelete = /^\/api\/v1\/groups\/[^/]+\/users\/[^/]+$/;
    for (const [kind, times] of [['500', 3], ['502', 2], ['503', 2], ['drop', 3], ['reset-mid-body', 2]] as const) {
      sandbox.faults.add({ match: oktaDelete, method: 'DELETE', kind, times });
    }
    sandbox.faults.add({ match: oktaDelete, method: 'DELETE', kind: 'slow', delayMs: 2_000, times: 2 });
    const graphDelete = /\/members\/[^/]+\/\$ref$/;
    sandbox.graphServer?.faults.add({ match: graphDelete, method: 'DELETE', kind: '429', times: 3 });
    sandbox.graphServer?.faults.add({ match: graphDelete, method: 'DELETE', kind: '503', times: 1 });
    sandbox.graphServer?.faults.add({ match: graphDelete, method: 'DELETE', kind: 'drop', times: 2 });

    const logBefore = sandbox.log.size();
    w.clock.advance(HOUR + 1000);
    const r = await catchUp(w.ctx, FAST);
    expect(sandbox.faults.list()).toEqual([]);
    expect(sandbox.graphServer?.faults.list()).toEqual([]);
    expect(r.failed).toBe(0);
    expect(r.retried).toBeGreaterThan(0);

    for (const g of grants) {
      const row = grantOf(w.db, g.grantId);
      expect(row.status, `grant ${g.grantId}`).toBe('expired');
      expect(row.end_reason).toBe(`expired at ${expiresAt}`);
      const jobs = w.db.prepare("SELECT status FROM jobs WHERE grant_id = ? AND kind = 'revoke'").all(g.grantId);
      expect(jobs).toEqual([{ status: 'succeeded' }]);
      const audits = (w.db.prepare("SELECT count(*) AS n FROM audit_events WHERE action = 'grant.expired' AND target_id = ?").get(String(g.grantId)) as { n: number }).n;
      expect(audits).toBe(1);
    }
    // The IdPs agree: nobody is left in the groups.
    for (const g of grants.filter((x) => x.idp === 'okta')) expect(oktaMember(sandbox, g.t.groupId, g.t.userId)).toBe(false);
    for (const g of grants.filter((x) => x.idp === 'entra')) expect(entraMember(sandbox, g.t.groupId, g.t.userId), `${g.t.userId} in ${g.t.groupName}`).toBe(false);
    // One removal per Okta grant in Okta's own log: none lost, none twice.
    const removals = sandbox.log
      .all()
      .slice(logBefore)
      .filter((e) => e.eventType === 'group.user_membership.remove');
    expect(removals).toHaveLength(okta.length);
  }, 120_000);
});
