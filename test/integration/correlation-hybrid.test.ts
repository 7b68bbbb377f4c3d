// A hybrid organisation: the sandbox's Graph tenant holds the same people as
// its Okta org (same e-mails and employee ids, other object ids). Both are
// synced through the sync service over real HTTP(S) into one real SQLite
// file; the refresh the service runs after each sync must make every Okta
// person with an Entra account ONE Directory person with both accounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userQuery } from '../../shared/contract.js';
import type { UserRow } from '../../shared/domain.js';
import { addConnection as addEntraConnection } from '../../electron/engine/connections/connections.js';
import { dashboardSummary } from '../../electron/engine/directory/dashboard.js';
import { accountsOf, correlationIssues } from '../../electron/engine/directory/people.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { listUsers } from '../../electron/engine/directory/users.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection as addOktaConnection, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-correlation-');
let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 41 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('identity correlation on a hybrid Okta + Entra org', () => {
  it('shows every Okta person with an Entra account once, with both accounts', async () => {
    const graph = sandbox.graph;
    const directory = sandbox.graphServer?.directory;
    if (!graph || !directory) throw new Error('the sandbox started without Graph');
    const { ctx, db } = workspace(dir);
    const okta = addOktaConnection(db, sandbox, { name: 'Okta' });
    const entra = await addEntraConnection(ctx, {
      kind: 'entra',
      name: 'Entra',
      tenantId: graph.tenantId,
      clientId: graph.clientId,
      authorityHost: graph.url,
      graphUrl: graph.url,
      caPem: graph.caPem,
      budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: graph.clientSecret },
    });

    expect(await (await syncAndReconcile(ctx, okta.id, { credential: tokenOf(sandbox) })).done).toMatchObject({ status: 'succeeded' });
    // One IdP: everyone is their own person, nothing stored.
    expect(db.prepare('SELECT count(*) FROM person_links').pluck().get()).toBe(0);
    expect(await (await syncAndReconcile(ctx, entra.id)).done).toMatchObject({ status: 'succeeded' });

    // The pairs the sandbox generated: org user i is Okta's users[i].id and Entra's userId(i).
    const pairs = sandbox.org.users.filter((u) => !directory.isDeleted(u.index)).map((u) => ({ okta: u.id, entra: directory.userId(u.index) }));
    expect(pairs.length).toBeGreaterThan(250);
    for (const p of pairs) {
      const accounts = accountsOf(db, okta.id, p.okta);
      expect(accounts.map((a) => [a.connectionId, a.id, a.matchedBy])).toEqual([
        [okta.id, p.okta, null],
        [entra.id, p.entra, 'email'],
      ]);
    }
    expect(correlationIssues(db)).toEqual([]);

    // The people list: each pair once (as its Okta row), nobody else hidden.
    const oktaUsers = db.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ?').pluck().get(okta.id) as number;
    const entraUsers = db.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ?').pluck().get(entra.id) as number;
    const rows: UserRow[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = listUsers(db, userQuery.parse({ offset, limit: 100 }));
      expect(page.total).toBe(oktaUsers + entraUsers - pairs.length);
      rows.push(...page.rows);
      if (page.rows.length < 100) break;
    }
    expect(rows).toHaveLength(oktaUsers + entraUsers - pairs.length);
    expect(new Set(rows.map((r) => `${r.connectionId}:${r.id}`)).size).toBe(rows.length);
    const byOktaId = new Map(rows.filter((r) => r.connectionId === okta.id).map((r) => [r.id, r]));
    for (const p of pairs) expect(byOktaId.get(p.okta)?.accounts.map((a) => a.id)).toEqual([p.okta, p.entra]);
    expect(rows.some((r) => r.connectionId === entra.id && pairs.some((p) => p.entra === r.id))).toBe(false);

    // One connection still lists its own accounts, each naming its person's other account.
    const entraPage = listUsers(db, userQuery.parse({ connectionId: entra.id, limit: 1000 }));
    expect(entraPage.total).toBe(entraUsers);
    expect(entraPage.rows.filter((r) => r.accounts.length === 2)).toHaveLength(pairs.length);

    expect(dashboardSummary(db, { clock: ctx.clock, readOnly: false, recentRuns: () => [] }).users).toBe(oktaUsers + entraUsers - pairs.length);
    // The service already refreshed after the last sync: nothing left to do.
    expect(refreshCorrelation(db)).toMatchObject({ outcome: 'skipped' });
  });
});
