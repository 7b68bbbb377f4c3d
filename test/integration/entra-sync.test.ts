// Entra ID sync against the Graph sandbox: the official SDKs (@azure/identity,
// @microsoft/microsoft-graph-client) over real HTTPS with the sandbox CA
// pinned, real SQLite files. Full sync content against the sandbox
// directory, delta runs against a fresh full sync, replayed changes, an
// expired delta link, throttling, permissions, sign-in errors, certificate
// auth, scope, and a forged nextLink.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyScope, type SyncRunSummary, type SyncScope } from '../../shared/domain.js';
import { runCli } from '../../electron/cli/cli.js';
import { addConnection, getConnectionRecord } from '../../electron/engine/connections/connections.js';
import { testConnection } from '../../electron/engine/connections/connection-test.js';
import { createHttpTransport } from '../../electron/engine/connectors/okta/http-transport.js';
import type { ConnectionRecord, EntraCredential } from '../../electron/engine/connectors/types.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { startEntraSync, type EntraSyncOptions } from '../../electron/engine/sync/entra-sync.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { applyRandomGraphChanges } from '../../electron/sandbox/graph-mutate.js';
import { SANDBOX_GRAPH_ROLES } from '../../electron/sandbox/graph-server.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { liveCounts, snapshotDigest, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-entra-sync-');
const DELTA_MAX_AGE = 30 * 60_000;
// The sandbox's clock runs this far ahead of the real one (to age delta tokens without waiting).
const skew = { ms: 0 };
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({
    users: 400,
    seed: 31,
    clock: { now: () => new Date(Date.now() + skew.ms) },
    graphDeltaTokenMaxAgeMs: DELTA_MAX_AGE,
    // Small delta pages: a group's members@delta then spans several pages.
    graphDeltaMembersPerPage: 20,
  });
});
afterAll(async () => {
  await sandbox.close();
});

const graph = (s: Sandbox = sandbox): NonNullable<Sandbox['graph']> => {
  if (!s.graph) throw new Error('no graph sandbox');
  return s.graph;
};
const server = (s: Sandbox = sandbox): NonNullable<Sandbox['graphServer']> => {
  if (!s.graphServer) throw new Error('no graph sandbox');
  return s.graphServer;
};
const secretOf = (s: Sandbox = sandbox): EntraCredential => ({ type: 'secret', clientSecret: graph(s).clientSecret });

async function entraConnection(ctx: EngineContext, opts: { s?: Sandbox; name?: string; credential?: EntraCredential; scope?: SyncScope } = {}): Promise<ConnectionRecord> {
  const g = graph(opts.s);
  const credential = opts.credential ?? secretOf(opts.s);
  const c = await addConnection(ctx, {
    kind: 'entra',
    name: opts.name ?? `entra-${Math.random().toString(36).slice(2, 8)}`,
    tenantId: g.tenantId,
    clientId: g.clientId,
    authorityHost: g.url,
    graphUrl: g.url,
    caPem: g.caPem,
    budgetShare: 0.5,
    auth: credential.type === 'secret' ? { type: 'secret', clientSecret: credential.clientSecret } : { type: 'certificate', certificatePem: credential.certificatePem },
  });
  if (opts.scope) {
    ctx.db.prepare('UPDATE connections SET settings = ? WHERE id = ?').run(JSON.stringify({ ...c.settings, scope: opts.scope }), c.id);
    return getConnectionRecord(ctx.db, c.id);
  }
  return c;
}

async function sync(ctx: EngineContext, c: ConnectionRecord, opts: EntraSyncOptions & { credential?: EntraCredential; s?: Sandbox } = {}): Promise<SyncRunSummary> {
  const { credential, s, ...rest } = opts;
  return startEntraSync(ctx, c, credential ?? secretOf(s), rest).done;
}

async function failedSync(ctx: EngineContext, c: ConnectionRecord, opts: EntraSyncOptions & { credential?: EntraCredential } = {}): Promise<SyncRunSummary> {
  const { credential, ...rest } = opts;
  try {
    await startEntraSync(ctx, c, credential ?? secretOf(), rest).done;
  } catch (e) {
    const summary = (e as { summary?: SyncRunSummary | null }).summary;
    if (summary) return summary;
    throw e;
  }
  throw new Error('the sync succeeded');
}

/** What the sandbox directory holds, as the snapshot should store it. */
function expectedDirectory(s: Sandbox = sandbox): { users: Set<string>; groups: Set<string>; memberships: Set<string>; apps: Set<string>; assignments: Set<string> } {
  const d = server(s).directory;
  const users = new Set(d.org.users.filter((u) => !d.isDeleted(u.index)).map((u) => d.userId(u.index)));
  const groups = new Set(d.groups.map((g) => d.groupId(g)));
  const memberships = new Set<string>();
  for (const g of d.groups) for (const u of d.memberships.members(g)) memberships.add(`${d.groupId(g)} ${d.userId(u)}`);
  const apps = new Set(d.apps.map((a) => d.servicePrincipalId(a)));
  const assignments = new Set<string>();
  for (const a of d.apps) for (const row of d.appRoleAssignedTo(a)) assignments.add(`${String(row.resourceId)} ${String(row.principalId)}`);
  return { users, groups, memberships, apps, assignments };
}

function storedDirectory(db: Db, connectionId: number): ReturnType<typeof expectedDirectory> {
  const col = (sql: string): Set<string> => new Set(db.prepare(sql).pluck().all(connectionId) as string[]);
  return {
    users: col('SELECT id FROM cur_identities WHERE connection_id = ?'),
    groups: col('SELECT id FROM cur_groups WHERE connection_id = ?'),
    memberships: col("SELECT group_id || ' ' || identity_id FROM cur_memberships WHERE connection_id = ?"),
    apps: col('SELECT id FROM cur_apps WHERE connection_id = ?'),
    assignments: col("SELECT app_id || ' ' || group_id FROM cur_app_assignments WHERE connection_id = ?"),
  };
}

describe('full Entra sync', () => {
  it('stores the sandbox directory: users, dynamic and assigned groups, memberships, apps and assignments', async () => {
    const { ctx, db, events } = workspace(dir);
    const c = await entraConnection(ctx);
    const summary = await sync(ctx, c);
    const expected = expectedDirectory();
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full', error: null, rateLimited: 0, baseline: true, note: null });
    expect(storedDirectory(db, c.id)).toEqual(expected);
    expect(summary).toMatchObject({ users: expected.users.size, groups: expected.groups.size, memberships: expected.memberships.size, apps: expected.apps.size, appAssignments: expected.assignments.size });

    const d = server().directory;
    // A person: UPN as login, profile attributes, manager by id (from $expand=manager), sign-in time.
    const person = d.org.users.find((u) => u.managerIndex >= 0 && u.managerIndex !== u.index && u.lastLogin !== null && u.status === 'ACTIVE');
    if (!person) throw new Error('no managed person');
    const row = db.prepare('SELECT * FROM cur_identities WHERE connection_id = ? AND id = ?').get(c.id, d.userId(person.index)) as Record<string, unknown>;
    const graphUser = d.user(person.index);
    expect(row).toMatchObject({
      login: person.email,
      email: person.email,
      first_name: person.firstName,
      last_name: person.lastName,
      status: 'ACTIVE',
      department: graphUser.department,
      title: graphUser.jobTitle,
      manager_id: d.userId(person.managerIndex),
      location: graphUser.officeLocation,
      employee_type: person.employmentType,
      employee_number: person.employeeNumber,
      last_login: new Date(person.lastLogin ?? 0).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      created: graphUser.createdDateTime,
    });
    expect(JSON.parse(row.profile as string)).toMatchObject({ userPrincipalName: person.email, employeeId: person.employeeNumber });
    // Sign-in blocked is a leaver status.
    const blocked = d.org.users.find((u) => u.status === 'SUSPENDED' || u.status === 'DEPROVISIONED');
    if (!blocked) throw new Error('no blocked user');
    expect(db.prepare('SELECT status FROM cur_identities WHERE connection_id = ? AND id = ?').pluck().get(c.id, d.userId(blocked.index))).toBe('DISABLED');

    // Groups by origin: dynamic (rule text), Microsoft 365, security; synced from AD: external.
    const groups = db.prepare('SELECT id, name, type, managed_by, managed_by_name FROM cur_groups WHERE connection_id = ?').all(c.id) as { id: string; type: string; managed_by: string; managed_by_name: string | null }[];
    const byId = new Map(groups.map((g) => [g.id, g]));
    for (const gi of d.groups) {
      const graphGroup = d.group(gi);
      const stored = byId.get(d.groupId(gi));
      if (d.isDynamic(gi)) expect(stored).toMatchObject({ type: 'Dynamic', managed_by: 'rule', managed_by_name: graphGroup.membershipRule });
      else if (graphGroup.onPremisesSyncEnabled === true) expect(stored).toMatchObject({ managed_by: 'external', managed_by_name: 'Active Directory' });
      else expect(stored).toMatchObject({ type: (graphGroup.groupTypes as string[]).includes('Unified') ? 'Microsoft365' : 'Security', managed_by: 'direct' });
    }
    expect(new Set(groups.map((g) => g.type))).toEqual(new Set(['Dynamic', 'Security', ...(d.groups.some((gi) => (d.group(gi).groupTypes as string[]).includes('Unified')) ? ['Microsoft365'] : [])]));

    // Progress went through the phases; the cursor holds both delta links.
    const phases = events.filter((e) => e.event === 'sync:progress').map((e) => (e.payload as { phase: string }).phase);
    expect(phases[0]).toBe('starting');
    expect(phases).toContain('memberships');
    expect(phases.at(-1)).toBe('done');
    const cursor = JSON.parse(db.prepare('SELECT cursor FROM sync_runs WHERE id = ?').pluck().get(summary.id) as string) as { users: string; groups: string };
    expect(cursor.users).toContain(`${graph().url}/v1.0/users/delta?`);
    expect(cursor.groups).toContain('$deltatoken=');
  });

  it('works with certificate auth (client assertion signed with the app certificate)', async () => {
    const { ctx, db } = workspace(dir);
    const credential: EntraCredential = { type: 'certificate', certificatePem: graph().certificatePem };
    const c = await entraConnection(ctx, { credential });
    const summary = await sync(ctx, c, { credential });
    expect(summary.status).toBe('succeeded');
    expect(liveCounts(db, c.id).users).toBe(expectedDirectory().users.size);
  });

  it('limits groups and apps to the scope, and never lists members of groups out of it', async () => {
    const { ctx, db } = workspace(dir);
    const d = server().directory;
    const prefix = 'app-';
    const app = d.org.apps.find((a) => d.appRoleAssignedTo(a.index).length > 0);
    if (!app) throw new Error('no assigned app');
    const scope: SyncScope = { ...emptyScope(), groups: { prefixes: [prefix], pattern: null, types: [] }, apps: { include: [app.label] } };
    const c = await entraConnection(ctx, { scope });
    const requested: string[] = [];
    const transport = createHttpTransport();
    const summary = await sync(ctx, c, { connectorOptions: { transport: (url, init) => (requested.push(url), transport(url, init)) } });
    expect(summary.status).toBe('succeeded');
    const kept = d.groups.filter((g) => String(d.group(g).displayName).toLowerCase().startsWith(prefix.toLowerCase())).map((g) => d.groupId(g));
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(d.groups.length);
    expect(new Set(db.prepare('SELECT id FROM cur_groups WHERE connection_id = ?').pluck().all(c.id))).toEqual(new Set(kept));
    const memberListings = requested.filter((u) => /\/groups\/[^/]+\/members/.test(u)).map((u) => /\/groups\/([^/]+)\/members/.exec(u)?.[1]);
    expect(new Set(memberListings)).toEqual(new Set(kept));
    expect(db.prepare('SELECT id FROM cur_apps WHERE connection_id = ?').pluck().all(c.id)).toEqual([d.servicePrincipalId(app.index)]);
    const assignedGroups = db.prepare('SELECT group_id FROM cur_app_assignments WHERE connection_id = ?').pluck().all(c.id) as string[];
    for (const g of assignedGroups) expect(kept).toContain(g);
  });

  it('refuses to follow a nextLink to another host (the token stays with the Graph endpoint)', async () => {
    const { ctx, db } = workspace(dir);
    const c = await entraConnection(ctx);
    const port = new URL(graph().url).port;
    const elsewhere = `localhost:${port}`;
    server().setLinkBase(`https://${elsewhere}`);
    try {
      const summary = await failedSync(ctx, c, { connectorOptions: { pageSize: 100 } });
      expect(summary.error).toMatch(new RegExp(`refused to follow a link to ${elsewhere}`));
    } finally {
      server().setLinkBase(null);
    }
    // Nothing was sent there, and the previous (empty) snapshot is untouched.
    expect(server().stats().hosts[elsewhere]).toBeUndefined();
    expect(liveCounts(db, c.id).users).toBe(0);
  });
});

describe('delta sync', () => {
  it('after changes in Entra equals a fresh full sync; replayed changes change nothing', async () => {
    const { ctx, db } = workspace(dir);
    const c = await entraConnection(ctx);
    const full = await sync(ctx, c);
    expect(full.mode).toBe('full');

    const d = server().directory;
    const m = server().mutations;
    const assigned = d.groups.filter((g) => !d.isDynamic(g) && d.group(g).onPremisesSyncEnabled !== true && d.memberships.members(g).length >= 5);
    const [g1, g2, g3] = assigned;
    if (g1 === undefined || g2 === undefined || g3 === undefined) throw new Error('not enough groups');
    const live = (u: number): boolean => !d.isDeleted(u);
    // A user deleted (with their memberships, and as their reports' manager).
    const leaver = d.org.users.find((u) => live(u.index) && d.memberships.groupsOf(u.index).length > 0 && d.org.users.some((r) => r.managerIndex === u.index && r.index !== u.index));
    if (!leaver) throw new Error('no manager to delete');
    const leaverGroups = d.memberships.groupsOf(leaver.index).length;
    m.deleteUser(leaver.index);
    // Membership adds and removes, one group with more changes than a delta page holds (members@delta split across pages).
    const removed = d.memberships.members(g1)[0] ?? 0;
    m.removeMember(g1, removed);
    const outsiders = d.org.users.filter((u) => live(u.index) && !d.memberships.has(g2, u.index)).slice(0, 45);
    for (const u of outsiders) m.addMember(g2, u.index);
    for (const u of [...d.memberships.members(g3)].slice(0, 5)) m.removeMember(g3, u);
    // One person blocked, one moved (department, title, manager).
    const mover = d.org.users.find((u) => live(u.index) && u.managerIndex >= 0 && u.index !== leaver.index && u.managerIndex !== leaver.index);
    const blocked = d.org.users.find((u) => live(u.index) && u.status === 'ACTIVE' && u.index !== mover?.index && u.managerIndex !== leaver.index);
    const boss = d.org.users.find((u) => live(u.index) && u.index !== mover?.index && u.index !== mover?.managerIndex);
    if (!mover || !blocked || !boss) throw new Error('no mover');
    m.updateUser(mover.index, { department: 'Delta Department', jobTitle: 'Delta Title', managerIndex: boss.index });
    m.updateUser(blocked.index, { accountEnabled: false, managerIndex: null });

    const requested: string[] = [];
    const transport = createHttpTransport();
    const delta = await sync(ctx, c, { connectorOptions: { transport: (url, init) => (requested.push(url), transport(url, init)) } });
    expect(delta).toMatchObject({ status: 'succeeded', mode: 'incremental', error: null });
    expect(delta.note).toMatch(/^delta from run #\d+: /);
    expect(delta.changeCounts).toMatchObject({ leaver: 2, 'membership-add': 45 });
    expect(delta.changeCounts['membership-remove']).toBe(6 + leaverGroups);
    expect(delta.changeCounts.attribute).toBeGreaterThanOrEqual(4);
    // The delta read was split: the big group came in over several pages.
    expect(requested.filter((u) => u.includes('/groups/delta')).length).toBeGreaterThan(2);
    // No member listing of known groups, no per-user request.
    expect(requested.some((u) => /\/groups\/[^/]+\/members/.test(u))).toBe(false);
    expect(requested.some((u) => /\/users\/[0-9a-f-]{36}/.test(u))).toBe(false);

    const moverRow = db.prepare('SELECT department, title, manager_id FROM cur_identities WHERE connection_id = ? AND id = ?').get(c.id, d.userId(mover.index));
    expect(moverRow).toEqual({ department: 'Delta Department', title: 'Delta Title', manager_id: d.userId(boss.index) });
    expect(db.prepare('SELECT status, manager_id FROM cur_identities WHERE connection_id = ? AND id = ?').get(c.id, d.userId(blocked.index))).toEqual({ status: 'DISABLED', manager_id: null });
    expect(db.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ? AND manager_id = ?').pluck().get(c.id, d.userId(leaver.index))).toBe(0);
    expect(storedDirectory(db, c.id)).toEqual(expectedDirectory());

    // The same as a fresh full sync of the tenant as it is now.
    const other = workspace(dir);
    const fresh = await entraConnection(other.ctx);
    expect((await sync(other.ctx, fresh)).status).toBe('succeeded');
    const afterDelta = snapshotDigest(db, c.id);
    expect(afterDelta).toBe(snapshotDigest(other.db, fresh.id));

    // Replaying the same changes (an older cursor, as after a crash) is harmless.
    db.prepare('UPDATE sync_runs SET cursor = (SELECT cursor FROM sync_runs WHERE id = ?) WHERE id = ?').run(full.id, delta.id);
    const replay = await sync(ctx, c);
    expect(replay).toMatchObject({ status: 'succeeded', mode: 'incremental', changes: 0 });
    expect(snapshotDigest(db, c.id)).toBe(afterDelta);

    // Nothing changed since: a delta run with nothing to do is a handful of requests.
    const idle = await sync(ctx, c);
    expect(idle).toMatchObject({ status: 'succeeded', mode: 'incremental', changes: 0 });
    expect(idle.requests).toBeLessThan(full.requests / 3);
  });

  it('equals a fresh full sync after randomised change sets', async () => {
    const { ctx, db } = workspace(dir);
    const c = await entraConnection(ctx);
    await sync(ctx, c);
    for (const seed of [101, 202]) {
      const applied = applyRandomGraphChanges(server(), { fraction: 0.05, seed });
      expect(applied.total).toBe(20);
      const delta = await sync(ctx, c);
      expect(delta).toMatchObject({ status: 'succeeded', mode: 'incremental' });
      expect(delta.changes).toBeGreaterThan(0);
      const other = workspace(dir);
      const fresh = await entraConnection(other.ctx);
      await sync(other.ctx, fresh);
      expect(snapshotDigest(db, c.id)).toBe(snapshotDigest(other.db, fresh.id));
    }
  });

  it('a delta link Graph no longer knows (410) falls back to a full sync and says which', async () => {
    const { ctx, db } = workspace(dir);
    const c = await entraConnection(ctx);
    expect((await sync(ctx, c)).mode).toBe('full');
    server().mutations.updateUser(5, { jobTitle: 'Expired Link Tester' });
    skew.ms = DELTA_MAX_AGE + 60_000;
    let summary: SyncRunSummary;
    try {
      summary = await sync(ctx, c);
    } finally {
      skew.ms = 0;
    }
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(summary.note).toMatch(/^the (users|groups) delta link of run #\d+ expired \(410 syncStateNotFound\): full sync/);
    expect(db.prepare('SELECT title FROM cur_identities WHERE connection_id = ? AND id = ?').pluck().get(c.id, server().directory.userId(5))).toBe('Expired Link Tester');
    expect(db.prepare("SELECT count(*) FROM audit_events WHERE action = 'sync.mode-changed'").pluck().get()).toBe(1);
    // The next run is a delta again, from the new links.
    expect((await sync(ctx, c)).mode).toBe('incremental');
  });

  it('goes full when asked, when the scope changed, or when the links are older than 7 days', async () => {
    const { ctx } = workspace(dir);
    const c = await entraConnection(ctx);
    await sync(ctx, c);
    expect((await sync(ctx, c, { full: true })).note).toBe('full sync requested');
    const scoped: ConnectionRecord = { ...c, settings: { ...c.settings, scope: { ...emptyScope(), groups: { prefixes: ['zz'], pattern: null, types: [] } } } };
    expect((await sync(ctx, scoped)).note).toMatch(/^the sync scope changed since run #\d+/);
    const later = { ...ctx, clock: { now: () => new Date(Date.now() + 8 * 86_400_000) } };
    const old = await sync(later, scoped);
    expect(old).toMatchObject({ mode: 'full' });
    expect(old.note).toMatch(/^the delta links are 8 days old/);
  });
});

describe('throttling', () => {
  it('handles every 429 (counted) by waiting Retry-After, and finishes with the full directory', async () => {
    const throttled = await startSandbox({ users: 300, seed: 32, rateLimits: 'okta', graphThrottle: { budget: 40, windowMs: 1000 } });
    try {
      const { ctx, db } = workspace(dir);
      const c = await entraConnection(ctx, { s: throttled });
      const summary = await sync(ctx, c, { s: throttled });
      expect(summary).toMatchObject({ status: 'succeeded', error: null });
      expect(summary.rateLimited).toBeGreaterThan(0);
      // Every 429 the server sent was seen (and retried) by the client.
      expect(summary.rateLimited).toBe(server(throttled).stats().throttled);
      expect(storedDirectory(db, c.id)).toEqual(expectedDirectory(throttled));
    } finally {
      await throttled.close();
    }
  });
});

describe('permissions and sign-in', () => {
  it('test connection names the tenant and the permissions; read-only apps can read, not write', async () => {
    const { ctx } = workspace(dir);
    const c = await entraConnection(ctx);
    const full = await testConnection(ctx, c.id);
    expect(full).toMatchObject({ ok: true, canRead: true, canWrite: true, error: null, orgName: server().directory.domain });
    expect(full.details[0]).toBe(`tenant ${graph().tenantId} (${server().directory.domain})`);
    for (const p of ['User.Read.All', 'Group.Read.All', 'GroupMember.ReadWrite.All', 'AuditLog.Read.All']) expect(full.details.some((d) => d.startsWith(`${p} granted`))).toBe(true);

    const readOnly = SANDBOX_GRAPH_ROLES.filter((r) => r !== 'GroupMember.ReadWrite.All' && r !== 'AuditLog.Read.All');
    server().mutations.setRoles(graph().clientId, readOnly);
    try {
      const result = await testConnection(ctx, c.id);
      expect(result).toMatchObject({ ok: true, canRead: true, canWrite: false });
      expect(result.details.some((d) => d.startsWith('GroupMember.ReadWrite.All not granted'))).toBe(true);
      expect(result.details.some((d) => d.startsWith('AuditLog.Read.All not granted'))).toBe(true);
      // A read-only app syncs everything but sign-in times, and says so.
      const { ctx: ctx2, db } = workspace(dir);
      const c2 = await entraConnection(ctx2);
      const summary = await sync(ctx2, c2);
      expect(summary.status).toBe('succeeded');
      expect(summary.note).toBe('last sign-in times not synced: the app lacks AuditLog.Read.All');
      expect(db.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ? AND last_login IS NOT NULL').pluck().get(c2.id)).toBe(0);
      expect(summary.users).toBe(expectedDirectory().users.size);
    } finally {
      server().mutations.setRoles(graph().clientId, SANDBOX_GRAPH_ROLES);
    }
  });

  it('a wrong secret gives the AADSTS error in one line, without the secret, in the result and the run', async () => {
    const { ctx, db } = workspace(dir);
    const c = await entraConnection(ctx);
    const wrong = 'Wr0ng~SecretValue-that-must-not-leak-1234';
    const result = await testConnection(ctx, c.id, { type: 'secret', clientSecret: wrong });
    expect(result.ok).toBe(false);
    expect(result.error).toMatch(/AADSTS7000215: Invalid client secret provided\./);
    expect(result.error).not.toContain(wrong);
    expect(result.error).not.toMatch(/\n|Trace ID/);
    const summary = await failedSync(ctx, c, { credential: { type: 'secret', clientSecret: wrong } });
    expect(summary.error).toMatch(/^sign-in to tenant .+ failed: AADSTS7000215: /);
    const everything = JSON.stringify([db.prepare('SELECT * FROM sync_runs').all(), db.prepare('SELECT * FROM audit_events').all()]);
    expect(everything).not.toContain(wrong);
  });

  it('syncs through the sync service with the credential from the keychain', async () => {
    const { ctx } = workspace(dir);
    const c = await entraConnection(ctx);
    const started = await syncAndReconcile(ctx, c.id);
    const summary = await started.done;
    expect(summary).toMatchObject({ status: 'succeeded', connectionId: c.id, users: expectedDirectory().users.size });
  });
});

describe('latchkey connection add/test for Entra', () => {
  it('adds an Entra connection and tests it, showing the tenant and permissions', async () => {
    const g = graph();
    const file = `${dir}/cli-${Date.now()}.latchkey`;
    const caFile = `${dir}/ca.pem`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(caFile, g.caPem);
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (x: string) => out.push(x), stderr: (x: string) => err.push(x), env: { ENTRA_SECRET: g.clientSecret }, secrets: memorySecretStore() };
    const add = await runCli(
      ['--db', file, 'connection', 'add', 'corp-entra', '--kind', 'entra', '--tenant', g.tenantId, '--client-id', g.clientId, '--secret-env', 'ENTRA_SECRET', '--authority', g.url, '--graph-url', g.url, '--ca-file', caFile],
      io,
    );
    expect(err.join('')).toBe('');
    expect(add).toBe(0);
    expect(out.join('')).toMatch(/^added connection "corp-entra" \(#\d+, Entra tenant /);
    out.length = 0;
    expect(await runCli(['--db', file, 'connection', 'test', 'corp-entra'], io)).toBe(0);
    const text = out.join('');
    expect(text).toContain(`ok: ${server().directory.domain} — read yes, write yes`);
    expect(text).toContain(`tenant ${g.tenantId}`);
    expect(text).toContain('GroupMember.ReadWrite.All granted');
    expect(text).not.toContain(g.clientSecret);
    const missing = await runCli(['--db', file, 'connection', 'add', 'x', '--kind', 'entra', '--tenant', g.tenantId, '--client-id', g.clientId], io);
    expect(missing).toBe(2);
  });

  it('sync --secret-env uses a secret from the environment for that run only (cron with an external secret manager)', async () => {
    const g = graph();
    const file = `${dir}/cli-secret-env-${Date.now()}.latchkey`;
    const caFile = `${dir}/ca-secret-env.pem`;
    const { writeFileSync } = await import('node:fs');
    writeFileSync(caFile, g.caPem);
    const out: string[] = [];
    const err: string[] = [];
    const secrets = memorySecretStore();
    const io = (env: Record<string, string>) => ({ stdout: (x: string) => out.push(x), stderr: (x: string) => err.push(x), env, secrets });
    const addArgs = ['--db', file, 'connection', 'add', 'cron-entra', '--kind', 'entra', '--tenant', g.tenantId, '--client-id', g.clientId, '--authority', g.url, '--graph-url', g.url, '--ca-file', caFile];
    // The stored secret is a wrong one: only the run's own secret can succeed.
    expect(await runCli([...addArgs, '--secret-env', 'STALE'], io({ STALE: 'not-the-secret-0123456789' }))).toBe(0);
    out.length = 0;
    expect(await runCli(['--db', file, 'sync', '--connection', 'cron-entra', '--secret-env', 'ENTRA_SECRET', '--json'], io({ ENTRA_SECRET: g.clientSecret }))).toBe(0);
    const summary = JSON.parse(out.join('')) as { status: string; mode: string; users: number };
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(summary.users).toBeGreaterThan(0);
    // Nothing was stored: the keychain still holds the stale secret, which Entra refuses.
    err.length = 0;
    expect(await runCli(['--db', file, 'connection', 'test', 'cron-entra'], io({}))).not.toBe(0);
    expect(out.join('') + err.join('')).toMatch(/AADSTS7000215/);
    // The Okta flag on an Entra connection is a usage error naming both.
    err.length = 0;
    expect(await runCli(['--db', file, 'sync', '--connection', 'cron-entra', '--token-env', 'ENTRA_SECRET'], io({ ENTRA_SECRET: g.clientSecret }))).toBe(2);
    expect(err.join('')).toContain('--token-env is for Okta connections; "cron-entra" is entra');
  });
});
