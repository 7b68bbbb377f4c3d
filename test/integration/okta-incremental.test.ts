// Okta incremental sync against the sandbox tenant (real HTTP, the official
// SDK, real SQLite files): after random realistic change sets, the
// incrementally patched snapshot must equal a fresh full sync of the same
// org, row for row; replays are harmless; and it falls back to a full sync,
// saying why, when the position is too old, the log is not readable or the
// scope changed. Scope: groups out of scope are never stored nor listed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyScope, type SyncRunSummary, type SyncScope } from '../../shared/domain.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import type { ResponseInfo } from '../../electron/engine/connectors/okta/request-executor.js';
import type { ConnectionRecord, OktaCredential } from '../../electron/engine/connectors/types.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { runOktaSync, SyncFailedError, type SyncOptions } from '../../electron/engine/sync/okta-sync.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, oauthOf, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-okta-incremental-');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 400, seed: 23, graph: false });
});
afterAll(async () => {
  await sandbox.close();
});

type Dump = Record<string, unknown[]>;

/** Every row of the live snapshot, every column but the generation, in a stable order. */
function dump(db: Db, connectionId: number): Dump {
  const all = (sql: string): unknown[] => db.prepare(sql).all(connectionId);
  return {
    identities: all(
      `SELECT id, login, email, first_name, last_name, display_name, status, department, title, manager_id, location, employee_type,
         employee_number, last_login, created, last_updated, profile FROM cur_identities WHERE connection_id = ? ORDER BY id`,
    ),
    groups: all(
      `SELECT id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated
       FROM cur_groups WHERE connection_id = ? ORDER BY id`,
    ),
    memberships: all('SELECT group_id, identity_id FROM cur_memberships WHERE connection_id = ? ORDER BY group_id, identity_id'),
    apps: all('SELECT id, name, label, status, sign_on_mode FROM cur_apps WHERE connection_id = ? ORDER BY id'),
    appAssignments: all('SELECT app_id, group_id, priority FROM cur_app_assignments WHERE connection_id = ? ORDER BY app_id, group_id'),
  };
}

/** Where two dumps differ, as a short list a failing test can print. */
function differences(a: Dump, b: Dump): string[] {
  const out: string[] = [];
  for (const table of Object.keys(a)) {
    const left = new Set((a[table] ?? []).map((r) => JSON.stringify(r)));
    const right = new Set((b[table] ?? []).map((r) => JSON.stringify(r)));
    for (const r of left) if (!right.has(r)) out.push(`${table} only in incremental: ${r.slice(0, 300)}`);
    for (const r of right) if (!left.has(r)) out.push(`${table} only in full: ${r.slice(0, 300)}`);
  }
  return out.slice(0, 20);
}

type Ws = { ctx: EngineContext; db: Db; conn: ConnectionRecord };

function newWorkspace(opts: { scope?: SyncScope; oauth?: boolean } = {}): Ws {
  const { ctx, db } = workspace(dir);
  const conn = addConnection(db, sandbox, { oauth: opts.oauth ?? false });
  if (opts.scope) {
    conn.settings.scope = opts.scope;
    db.prepare('UPDATE connections SET settings = ? WHERE id = ?').run(JSON.stringify(conn.settings), conn.id);
  }
  return { ctx, db, conn };
}

async function sync(ws: Ws, credential: OktaCredential = tokenOf(sandbox), opts: SyncOptions = {}): Promise<SyncRunSummary> {
  return runOktaSync(ws.ctx, ws.conn, credential, opts);
}

/** A fresh full sync of the sandbox as it is now, into a new workspace. */
async function freshFull(scope?: SyncScope): Promise<Dump> {
  const ws = newWorkspace(scope ? { scope } : {});
  const s = await sync(ws);
  expect(s).toMatchObject({ mode: 'full', status: 'succeeded', note: null, baseline: expect.any(Boolean) as unknown });
  return dump(ws.db, ws.conn.id);
}

describe('Okta incremental sync', () => {
  it('equals a fresh full sync after random realistic change sets (several seeds)', async () => {
    const ws = newWorkspace();
    const first = await sync(ws);
    expect(first).toMatchObject({ mode: 'full', status: 'succeeded', note: null });
    const kinds = new Set<string>();
    // Random rounds, then one made by hand so that every kind of change is
    // certain to be covered (group and app changes are rare in the mix).
    const handMade = (): void => {
      const m = sandbox.mutations;
      const org = sandbox.org;
      const app = org.apps.find((a) => a.index > 0 && a.status === 'ACTIVE')!;
      const direct = org.groups.filter((g) => !g.deleted && g.type === 'OKTA_GROUP' && g.rule < 0 && g.kind !== 'app');
      const people = org.users.filter((u) => !u.deleted && u.status === 'ACTIVE' && u.index > 5);
      const g = m.createGroup({ name: 'proj-incremental-test', description: 'Made by the incremental test' });
      for (const u of people.slice(0, 4)) m.addMembership(g, u.id);
      m.assignAppToGroup(app.id, g);
      m.assignAppToGroup(app.id, direct[0]!.id);
      m.unassignAppFromGroup(app.id, org.groups[app.assignments[0]!.group]!.id);
      m.updateGroupProfile(direct[1]!.id, { name: `${direct[1]!.name}-renamed`, description: 'renamed' });
      m.deleteGroup(direct[2]!.id);
      m.deleteUser(people[10]!.id);
      m.setUserStatus(people[11]!.id, 'SUSPENDED');
      m.updateUserProfile(people[12]!.id, { title: 'Chief Incremental Officer', managerId: people[13]!.id });
      m.removeMembership(g, people[0]!.id);
    };
    for (const seed of [3, 7, 19, 42, -1]) {
      if (seed < 0) handMade();
      else expect(sandbox.mutate({ fraction: 0.04, seed }).changes).toBeGreaterThan(10);
      const inc = await sync(ws);
      expect(inc, inc.error ?? '').toMatchObject({ mode: 'incremental', status: 'succeeded', error: null });
      expect(inc.changes).toBeGreaterThan(0);
      expect(inc.note).toMatch(/^incremental from run #\d+: \d+ System Log events since /);
      for (const k of Object.keys(inc.changeCounts)) kinds.add(k);
      const fresh = await freshFull();
      const mine = dump(ws.db, ws.conn.id);
      expect(differences(mine, fresh), `seed ${seed}`).toEqual([]);
      expect(mine).toEqual(fresh);
      // The run's counts are the live snapshot's.
      expect(inc).toMatchObject({ users: fresh.identities?.length, groups: fresh.groups?.length, memberships: fresh.memberships?.length, appAssignments: fresh.appAssignments?.length });
    }
    // Across the rounds every kind of change the mutations make was recorded.
    expect([...kinds].sort()).toEqual(
      expect.arrayContaining([
        'joiner', 'leaver', 'status', 'attribute', 'membership-add', 'membership-remove', 'assignment-add', 'assignment-remove',
        'group-added', 'group-removed', 'group-changed',
      ]),
    );
    expect(verifyAuditChain(ws.db).valid).toBe(true);
  });

  it('replays harmlessly: a second run with nothing new records no change, and costs a handful of requests', async () => {
    const ws = newWorkspace();
    const full = await sync(ws);
    sandbox.mutate({ count: 30, seed: 5 });
    const inc = await sync(ws);
    expect(inc.mode).toBe('incremental');
    expect(inc.changes).toBeGreaterThan(0);
    // Far fewer requests than listing everything (a count, not a timing).
    expect(inc.requests * 5).toBeLessThan(full.requests);
    const again = await sync(ws);
    expect(again).toMatchObject({ mode: 'incremental', status: 'succeeded', changes: 0, changeCounts: {} });
    expect(again.requests).toBeLessThanOrEqual(2);

    // Replaying the whole window again (the full sync's position) changes nothing either.
    const fullCursor = (ws.db.prepare('SELECT cursor FROM sync_runs WHERE id = ?').get(full.id) as { cursor: string }).cursor;
    ws.db.prepare('UPDATE sync_runs SET cursor = ? WHERE id = ?').run(fullCursor, again.id);
    const replay = await sync(ws);
    expect(replay).toMatchObject({ mode: 'incremental', status: 'succeeded', changes: 0 });
    expect(replay.note).toMatch(/\d+ System Log events since/);
    expect(dump(ws.db, ws.conn.id)).toEqual(await freshFull());
  });

  it('falls back to a full sync, and says why, when the position is older than the 90-day retention', async () => {
    const ws = newWorkspace();
    await sync(ws);
    const later = Date.now() + 91 * 86_400_000;
    ws.ctx.clock = { now: () => new Date(later) };
    const s = await sync(ws);
    expect(s).toMatchObject({ mode: 'full', status: 'succeeded' });
    expect(s.note).toMatch(/System Log position is 91 days old, beyond Okta's 90-day retention: full sync/);
  });

  it("falls back to a full sync when the credential may not read the System Log", async () => {
    const scopes = sandbox.okta.oauth.scopes.filter((x) => x !== 'okta.logs.read');
    const ws = newWorkspace({ oauth: true });
    ws.conn.scopes = scopes;
    const credential = oauthOf(sandbox, scopes);
    expect((await sync(ws, credential)).mode).toBe('full');
    sandbox.mutate({ count: 10, seed: 8 });
    const s = await sync(ws, credential);
    expect(s).toMatchObject({ mode: 'full', status: 'succeeded' });
    expect(s.note).toBe('cannot read the System Log (okta.logs.read not granted): full sync');
    // The same run record turned from incremental into full, and the audit trail says so.
    const actions = (ws.db.prepare('SELECT action FROM audit_events ORDER BY seq').all() as { action: string }[]).map((r) => r.action);
    expect(actions.slice(-3)).toEqual(['sync.started', 'sync.mode-changed', 'sync.succeeded']);
    expect(dump(ws.db, ws.conn.id)).toEqual(await freshFull());
  });

  it('does a full sync when asked (--full) and when the scope changed, saying so', async () => {
    const ws = newWorkspace();
    await sync(ws);
    expect((await sync(ws, tokenOf(sandbox), { full: true })).note).toBe('full sync requested');
    const scope: SyncScope = { ...emptyScope(), groups: { prefixes: ['app-'], pattern: null, types: [] } };
    ws.conn.settings.scope = scope;
    const s = await sync(ws);
    expect(s.mode).toBe('full');
    expect(s.note).toMatch(/^the sync scope changed since run #\d+ \(was: everything; now: groups starting with app-\): full sync$/);
    expect((await sync(ws)).mode).toBe('incremental');
  });

  it('applies the scope: groups out of it are neither stored nor listed, in full and incremental runs', async () => {
    const [app1, app2] = sandbox.org.apps.filter((a) => a.index > 0 && a.status === 'ACTIVE');
    const scope: SyncScope = { groups: { prefixes: ['app-', 'proj-'], pattern: null, types: [] }, apps: { include: [app1!.label, app2!.name] } };
    const keep = (name: string): boolean => name.startsWith('app-') || name.startsWith('proj-');
    const ws = newWorkspace({ scope });
    const requested: string[] = [];
    const onResponse = (info: ResponseInfo): void => {
      requested.push(new URL(info.url).pathname);
    };
    await sync(ws, tokenOf(sandbox), { connectorOptions: { onResponse } });
    const outOfScope = new Set(sandbox.org.groups.filter((g) => !keep(g.name)).map((g) => g.id));
    const memberListings = (): string[] => requested.filter((p) => /^\/api\/v1\/groups\/[^/]+\/users$/.test(p)).map((p) => p.split('/')[4] ?? '');
    expect(memberListings().length).toBeGreaterThan(0);
    expect(memberListings().filter((id) => outOfScope.has(id))).toEqual([]);
    const stored = dump(ws.db, ws.conn.id);
    const names = (stored.groups as { name: string }[]).map((g) => g.name);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => !keep(n))).toEqual([]);
    const ids = new Set((stored.groups as { id: string }[]).map((g) => g.id));
    expect((stored.memberships as { group_id: string }[]).every((m) => ids.has(m.group_id))).toBe(true);
    expect((stored.appAssignments as { group_id: string }[]).every((a) => ids.has(a.group_id))).toBe(true);
    expect((stored.apps as { id: string }[]).map((a) => a.id).sort()).toEqual([app1!.id, app2!.id].sort());
    expect((stored.appAssignments as { app_id: string }[]).every((a) => a.app_id === app1!.id || a.app_id === app2!.id)).toBe(true);
    expect(requested.filter((p) => /^\/api\/v1\/apps\/[^/]+\/groups$/.test(p)).length).toBe(2);
    // Everyone is still synced: the scope limits groups and apps, not people.
    expect(stored.identities?.length).toBe(sandbox.org.users.filter((u) => !u.deleted).length);

    requested.length = 0;
    sandbox.mutate({ fraction: 0.05, seed: 31 });
    // Groups renamed into and out of the scope: one arrives with its members and app assignments, one leaves.
    const outside = sandbox.org.groups.find((g) => !g.deleted && g.type === 'OKTA_GROUP' && g.rule < 0 && !keep(g.name) && sandbox.org.memberships.members(g.index).length > 0)!;
    sandbox.mutations.assignAppToGroup(app1!.id, outside.id);
    sandbox.mutations.updateGroupProfile(outside.id, { name: `proj-${outside.name}` });
    const inside = sandbox.org.groups.find((g) => !g.deleted && g.type === 'OKTA_GROUP' && g.rule < 0 && g.name.startsWith('app-') && sandbox.org.memberships.members(g.index).length > 0)!;
    sandbox.mutations.updateGroupProfile(inside.id, { name: `old-${inside.name}` });
    const inc = await sync(ws, tokenOf(sandbox), { connectorOptions: { onResponse } });
    expect(inc.changeCounts['group-added']).toBeGreaterThanOrEqual(1);
    expect(inc.changeCounts['group-removed']).toBeGreaterThanOrEqual(1);
    const now = dump(ws.db, ws.conn.id);
    expect((now.memberships as { group_id: string }[]).filter((m) => m.group_id === outside.id).length).toBe(sandbox.org.memberships.members(outside.index).length);
    expect((now.appAssignments as { app_id: string; group_id: string }[]).some((a) => a.app_id === app1!.id && a.group_id === outside.id)).toBe(true);
    expect((now.groups as { id: string }[]).some((g) => g.id === inside.id)).toBe(false);
    expect(inc.mode).toBe('incremental');
    // Only the group renamed into the scope had its members listed.
    const stillOut = new Set(sandbox.org.groups.filter((g) => !keep(g.name)).map((g) => g.id));
    expect(memberListings().filter((id) => stillOut.has(id))).toEqual([]);
    expect(memberListings()).toContain(outside.id);
    expect(differences(dump(ws.db, ws.conn.id), await freshFull(scope))).toEqual([]);
  });

  it('a failed incremental run changes nothing; the next one replays the same events and catches up', async () => {
    const ws = newWorkspace();
    await sync(ws);
    sandbox.mutate({ count: 25, seed: 12 });
    const before = dump(ws.db, ws.conn.id);
    // Re-reading users fails for good (every retry answered 500).
    sandbox.faults.add({ match: '/api/v1/users', kind: '500', times: 50 });
    const err = (await sync(ws, tokenOf(sandbox), { connectorOptions: { baseBackoffMs: 5, maxBackoffMs: 20, maxRetries: 2 } }).catch((e: unknown) => e)) as SyncFailedError;
    expect(err).toBeInstanceOf(SyncFailedError);
    const failed = err.summary!;
    sandbox.faults.clear();
    expect(failed).toMatchObject({ mode: 'incremental', status: 'failed', changes: 0 });
    expect(failed.error).toMatch(/500/);
    expect(dump(ws.db, ws.conn.id)).toEqual(before);
    expect(ws.db.prepare("SELECT count(*) AS n FROM sync_changes WHERE run_id = ?").get(failed.id)).toEqual({ n: 0 });
    const next = await sync(ws);
    expect(next).toMatchObject({ mode: 'incremental', status: 'succeeded' });
    expect(next.changes).toBeGreaterThan(0);
    expect(dump(ws.db, ws.conn.id)).toEqual(await freshFull());
  });

  it('progress of an incremental run goes through the changes phase', async () => {
    const { ctx, db, events } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runOktaSync(ctx, conn, tokenOf(sandbox));
    sandbox.mutate({ count: 5, seed: 2 });
    events.length = 0;
    const s = await runOktaSync(ctx, conn, tokenOf(sandbox));
    const phases = events.filter((e) => e.event === 'sync:progress').map((e) => (e.payload as { phase: string }).phase);
    expect(phases[0]).toBe('changes');
    expect(phases).toContain('committing');
    expect(phases.at(-1)).toBe('done');
    expect(events.at(-1)).toEqual({ event: 'sync:finished', payload: s });
  });
});
