// Group owners end to end: full syncs of the sandbox Okta (Group Owners API,
// one request per group) and Entra ($expand=owners on the groups listing)
// over real HTTP store exactly the owners the sandbox holds; the directory
// lookup other areas call returns them with their account status; an org
// without the API syncs without owners and says so; an incremental run that
// deletes a group takes its owners along; a failure reading owners fails the
// run and keeps the previous snapshot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnection as addEntraConnection } from '../../electron/engine/connections/connections.js';
import type { Db } from '../../electron/engine/db/database.js';
import { groupOwners } from '../../electron/engine/directory/snapshot-lookups.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { startEntraSync } from '../../electron/engine/sync/entra-sync.js';
import { OWNERS_ALL_GROUPS } from '../../electron/engine/sync/group-owners.js';
import { runFullSync, runOktaSync, SyncFailedError } from '../../electron/engine/sync/okta-sync.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-group-owners-');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 500, seed: 23 });
});
afterAll(async () => {
  await sandbox.close();
});

const org = (): Sandbox['org'] => sandbox.org;
const user = (u: number): OrgUser => org().users[u] as OrgUser;
const group = (g: number): OrgGroup => org().groups[g] as OrgGroup;

/** `groupId ownerId type` for every owner the sandbox's Okta lists (deleted users and groups left out). */
function oktaOwners(): Set<string> {
  const out = new Set<string>();
  for (const [g, owners] of org().groupOwners) {
    if (group(g).deleted) continue;
    for (const u of owners) if (!user(u).deleted) out.add(`${group(g).id} ${user(u).id} user`);
  }
  return out;
}

const stored = (db: Db, connectionId: number): Set<string> =>
  new Set(db.prepare("SELECT group_id || ' ' || owner_id || ' ' || owner_type FROM cur_group_owners WHERE connection_id = ?").pluck().all(connectionId) as string[]);

describe('Okta group owners', () => {
  it('a full sync stores every group owner; the lookup gives each with their status, inactive ones included, and [] for a group without one', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    const summary = await runFullSync(ctx, conn, tokenOf(sandbox));
    expect(summary.status).toBe('succeeded');
    const want = oktaOwners();
    expect(want.size).toBeGreaterThan(10);
    expect(stored(db, conn.id)).toEqual(want);
    // A small org: every group was asked, so the run says nothing about owners.
    expect(db.prepare('SELECT note FROM sync_runs WHERE id = ?').pluck().get(summary.id)).toBeNull();

    // The group whose owner is no longer active: the lookup says who and in which state.
    const [gi, owners] = [...org().groupOwners].find(([, o]) => o.some((u) => user(u).status !== 'ACTIVE')) as [number, number[]];
    const found = groupOwners(db, conn.id, group(gi).id);
    const expected = owners
      .map((u) => ({ identityId: user(u).id, email: user(u).email, name: `${user(u).firstName} ${user(u).lastName}`, status: user(u).status }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.identityId < b.identityId ? -1 : 1));
    expect(found).toEqual(expected);
    expect(found.some((o) => o.status === 'SUSPENDED' || o.status === 'DEPROVISIONED')).toBe(true);

    // Two owners, both active.
    const [g2, two] = [...org().groupOwners].find(([, o]) => o.length === 2 && o.every((u) => user(u).status === 'ACTIVE')) as [number, number[]];
    expect(groupOwners(db, conn.id, group(g2).id).map((o) => o.identityId).sort()).toEqual(two.map((u) => user(u).id).sort());

    // No owner: a rule group, and an unknown group.
    const dept = org().groups.find((g) => g.kind === 'department') as OrgGroup;
    expect(groupOwners(db, conn.id, dept.id)).toEqual([]);
    expect(groupOwners(db, conn.id, '00gUNKNOWN')).toEqual([]);
    // Another connection's owners are not this one's.
    expect(groupOwners(db, conn.id + 1000, group(gi).id)).toEqual([]);
  });

  it('an org without the Group Owners API syncs without owners and the run says why; with it back, the next full sync stores them', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    const before = sandbox.oktaStats.requests;
    sandbox.oktaState.features.groupOwners = false;
    let summary;
    try {
      summary = await runFullSync(ctx, conn, tokenOf(sandbox));
    } finally {
      sandbox.oktaState.features.groupOwners = true;
    }
    expect(summary.status).toBe('succeeded');
    expect(stored(db, conn.id).size).toBe(0);
    expect(db.prepare('SELECT note FROM sync_runs WHERE id = ?').pluck().get(summary.id)).toMatch(/^group owners not read: the org does not offer the Group Owners API/);
    expect(summary.users).toBe(org().users.length);
    // Asked once, not once per group: users (2 listings) + groups + members per group + rules + apps + app groups + one owners probe.
    const groups = org().groups.filter((g) => !g.deleted).length;
    expect(sandbox.oktaStats.requests - before).toBeLessThan(groups + 30);
    const again = await runFullSync(ctx, conn, tokenOf(sandbox));
    expect(stored(db, conn.id)).toEqual(oktaOwners());
    expect(again.status).toBe('succeeded');
  });

  it('a failure reading owners fails the full run and keeps the previous snapshot with its owners', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox));
    const owners = stored(db, conn.id);
    sandbox.faults.add({ match: /\/owners$/, kind: '500', times: 1000 });
    try {
      await expect(runFullSync(ctx, conn, tokenOf(sandbox), { connectorOptions: { maxRetries: 0 } })).rejects.toBeInstanceOf(SyncFailedError);
    } finally {
      sandbox.faults.clear();
    }
    expect(stored(db, conn.id)).toEqual(owners);
  });

  it('an incremental run keeps the owners it does not re-read, and drops those of a group deleted in Okta', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox));
    const before = stored(db, conn.id);
    // An owned OKTA_GROUP no rule targets: one Okta lets us delete.
    const victim = [...org().groupOwners.keys()].map(group).find((g) => !g.deleted && g.type === 'OKTA_GROUP' && g.rule < 0) as OrgGroup;
    sandbox.mutations.deleteGroup(victim.id);
    const run = await runOktaSync(ctx, conn, tokenOf(sandbox));
    expect(run.mode).toBe('incremental');
    const after = stored(db, conn.id);
    expect([...before].filter((k) => !after.has(k)).every((k) => k.startsWith(`${victim.id} `))).toBe(true);
    expect(before.size - after.size).toBe((org().groupOwners.get(victim.index) ?? []).length);
    expect(groupOwners(db, conn.id, victim.id)).toEqual([]);
  });
});

describe('Entra group owners', () => {
  it('a full sync stores the owners expanded on the groups listing, as Entra ids, and the lookup returns them', async () => {
    const { ctx, db } = workspace(dir);
    const g = sandbox.graph;
    const server = sandbox.graphServer;
    if (!g || !server) throw new Error('no graph sandbox');
    const conn = await addEntraConnection(ctx, {
      kind: 'entra', name: 'entra-owners', tenantId: g.tenantId, clientId: g.clientId, authorityHost: g.url, graphUrl: g.url, caPem: g.caPem, budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: g.clientSecret },
    });
    const summary = await startEntraSync(ctx, conn, { type: 'secret', clientSecret: g.clientSecret }).done;
    expect(summary.status).toBe('succeeded');
    const d = server.directory;
    const want = new Set<string>();
    for (const gi of d.groups) for (const u of d.org.groupOwners.get(gi) ?? []) if (!d.isDeleted(u)) want.add(`${d.groupId(gi)} ${d.userId(u)} user`);
    expect(want.size).toBeGreaterThan(10);
    expect(stored(db, conn.id)).toEqual(want);
    const [gi, owners] = [...d.org.groupOwners].find(([, o]) => o.length === 2) as [number, number[]];
    const found = groupOwners(db, conn.id, d.groupId(gi));
    expect(found.map((o) => o.identityId).sort()).toEqual(owners.map((u) => d.userId(u)).sort());
    expect(found.every((o) => o.email !== null && o.name !== '' && o.status !== '')).toBe(true);
    const dept = d.groups.find((x) => d.org.groups[x]?.kind === 'department') as number;
    expect(groupOwners(db, conn.id, d.groupId(dept))).toEqual([]);
  });
});

describe('a large Okta org', () => {
  it('reads the owners of app-assigned and catalog-mapped groups only, and the run says how many it did not ask about', async () => {
    const big = await startSandbox({ users: 11_000, seed: 5, graph: false, jira: false });
    try {
      const groups = big.org.groups;
      expect(groups.length).toBeGreaterThan(OWNERS_ALL_GROUPS);
      const assigned = new Set(big.org.apps.flatMap((a) => a.assignments.map((x) => groups[x.group]?.id as string)));
      // An owned group no app is assigned to, mapped in the catalog: the sync asks about it because of the mapping.
      const mapped = [...big.org.groupOwners.keys()].map((g) => groups[g] as OrgGroup).find((g) => !assigned.has(g.id)) as OrgGroup;
      const { ctx, db } = workspace(dir);
      const conn = addConnection(db, big);
      seedRole(db, { app: 'Wiki', role: 'Editor', groups: [{ connectionId: conn.id, groupId: mapped.id, groupName: mapped.name }] });
      const summary = await (await syncAndReconcile(ctx, conn.id, { credential: tokenOf(big), full: true })).done;
      expect(summary.status).toBe('succeeded');
      const asked = new Set([...assigned, mapped.id]);
      const want = new Set<string>();
      for (const [g, owners] of big.org.groupOwners) {
        if (!asked.has((groups[g] as OrgGroup).id)) continue;
        for (const u of owners) want.add(`${(groups[g] as OrgGroup).id} ${(big.org.users[u] as OrgUser).id} user`);
      }
      expect(stored(db, conn.id)).toEqual(want);
      expect(groupOwners(db, conn.id, mapped.id).map((o) => o.identityId).sort()).toEqual((big.org.groupOwners.get(mapped.index) ?? []).map((u) => big.org.users[u]?.id).sort());
      expect(db.prepare('SELECT note FROM sync_runs WHERE id = ?').pluck().get(summary.id)).toBe(
        `group owners read for ${asked.size} app-assigned or catalog-mapped groups of ${groups.length}; ${groups.length - asked.size} not asked`,
      );
    } finally {
      await big.close();
    }
  }, 120_000);
});
