// The demo (`npm start` with no tenant): the embedded sandbox's hybrid org
// behind two connections, "Sandbox Okta" and "Sandbox Entra", in a real
// SQLite workspace, synced over real HTTP(S) by the sync service. First
// launch: both first syncs, people correlated across the two. A later launch
// on a NEW sandbox process (new ports, credentials and CA): both connections
// re-pointed and audited, no automatic sync, and "Sync now" of each still
// works and leaves the snapshot equal to what the new sandbox serves.
import { getSettings } from '../../electron/engine/settings/settings.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { userQuery } from '../../shared/contract.js';
import type { SyncRunSummary, UserRow } from '../../shared/domain.js';
import { recentAuditEvents } from '../../electron/engine/audit/audit-log.js';
import { addConnection, getConnectionRecord, listConnectionRecords, loadCredential } from '../../electron/engine/connections/connections.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { demoSandboxOf, SANDBOX_CONNECTION_NAME, SANDBOX_ENTRA_CONNECTION_NAME, SANDBOX_JIRA_CONNECTION_NAME, startDemo, wantsSandbox, type Demo } from '../../electron/engine/demo.js';
import { accountsOf, correlationIssues } from '../../electron/engine/directory/people.js';
import { listUsers } from '../../electron/engine/directory/users.js';
import { memorySecretStore, type SecretStore } from '../../electron/engine/secrets/secret-store.js';
import { decodeEntraCursor } from '../../electron/engine/sync/entra-run.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { lastCursor } from '../../electron/engine/sync/sync-runs.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { DEMO_SANDBOX_OPTIONS, startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-demo-');
const sandboxes: Sandbox[] = [];
afterAll(async () => {
  await Promise.all(sandboxes.map((s) => s.close()));
});

async function demoSandbox(): Promise<Sandbox> {
  const s = await startSandbox({ ...DEMO_SANDBOX_OPTIONS, users: 200 });
  sandboxes.push(s);
  return s;
}

/** One launch of the app: the workspace file opened afresh, the keychain shared (it outlives the process). */
function launch(file: string, secrets: SecretStore): EngineContext {
  return openWorkspace({ dbPath: file, secrets, transport: 'cli', actor: 'test' });
}

function graphOf(s: Sandbox): NonNullable<Sandbox['graph']> {
  if (!s.graph || !s.graphServer) throw new Error('the demo sandbox started without Graph');
  return s.graph;
}

const runCount = (ctx: EngineContext): number => ctx.db.prepare('SELECT count(*) FROM sync_runs').pluck().get() as number;

async function syncNow(ctx: EngineContext, connectionId: number, full = false): Promise<SyncRunSummary> {
  return (await syncAndReconcile(ctx, connectionId, { full })).done;
}

function allUsers(ctx: EngineContext): { total: number; rows: UserRow[] } {
  const rows: UserRow[] = [];
  let total = 0;
  for (let offset = 0; ; offset += 100) {
    const page = listUsers(ctx.db, userQuery.parse({ offset, limit: 100 }));
    total = page.total;
    rows.push(...page.rows);
    if (page.rows.length < 100) break;
  }
  return { total, rows };
}

describe('the demo on the embedded sandbox', () => {
  const file = path.join(dir, 'demo.latchkey');
  const secrets = memorySecretStore();
  let first: Sandbox;
  let firstDemo: Demo;

  it('first launch: Okta and Entra connections, both first syncs, each person once with both accounts', async () => {
    first = await demoSandbox();
    const g = graphOf(first);
    const ctx = launch(file, secrets);
    expect(wantsSandbox(ctx)).toBe(true);
    const demo = await startDemo(ctx, { env: {}, startSandbox: () => Promise.resolve(demoSandboxOf(first)) });
    if (!demo?.entra) throw new Error('the demo started without its Entra connection');
    firstDemo = demo;
    expect(ctx.sandbox).toBe(true);
    expect(demo.sandbox.graph).toEqual({ url: g.url, tenantId: g.tenantId, clientId: g.clientId, clientSecret: g.clientSecret, caPem: g.caPem });

    const okta = demo.connection;
    const entra = demo.entra.connection;
    expect(okta).toMatchObject({ name: SANDBOX_CONNECTION_NAME, kind: 'okta', baseUrl: first.okta.url });
    expect(entra).toMatchObject({
      name: SANDBOX_ENTRA_CONNECTION_NAME,
      kind: 'entra',
      baseUrl: g.url,
      clientId: g.clientId,
      settings: { tenantId: g.tenantId, authorityHost: g.url, caPem: g.caPem },
    });
    expect(await loadCredential(ctx, entra)).toEqual({ type: 'secret', clientSecret: g.clientSecret });
    expect(await loadCredential(ctx, okta)).toEqual({ type: 'token', token: first.okta.token });
    // Operators sign in through the sandbox Okta's OIDC app.
    expect(getSettings(ctx.db).signIn).toEqual({ connectionId: okta.id, clientId: first.okta.signIn.clientId, sessionHours: 8, required: false });

    if (!demo.firstSync || !demo.entra.firstSync) throw new Error('a first sync was not started');
    const [oktaRun, entraRun] = await Promise.all([demo.firstSync.done, demo.entra.firstSync.done]);
    expect(oktaRun).toMatchObject({ connectionId: okta.id, status: 'succeeded', mode: 'full', baseline: true, error: null });
    expect(entraRun).toMatchObject({ connectionId: entra.id, status: 'succeeded', mode: 'full', baseline: true, error: null });
    expect(entraRun.users).toBeGreaterThan(150);

    // The pairs the sandbox generated: org user i is Okta's users[i].id and Entra's userId(i).
    const directory = first.graphServer?.directory;
    if (!directory) throw new Error('no Graph directory');
    const pairs = first.org.users.filter((u) => !directory.isDeleted(u.index)).map((u) => ({ okta: u.id, entra: directory.userId(u.index) }));
    expect(pairs.length).toBeGreaterThan(150);
    const count = (id: number): number => ctx.db.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ?').pluck().get(id) as number;
    const { total, rows } = allUsers(ctx);
    expect(total).toBe(count(okta.id) + count(entra.id) - pairs.length);
    expect(rows).toHaveLength(total);
    expect(new Set(rows.map((r) => `${r.connectionId}:${r.id}`)).size).toBe(rows.length);
    const byOktaId = new Map(rows.filter((r) => r.connectionId === okta.id).map((r) => [r.id, r]));
    for (const p of pairs) expect(byOktaId.get(p.okta)?.accounts.map((a) => [a.connectionId, a.id])).toEqual([[okta.id, p.okta], [entra.id, p.entra]]);
    expect(accountsOf(ctx.db, okta.id, pairs[0]!.okta).map((a) => [a.connectionId, a.matchedBy])).toEqual([[okta.id, null], [entra.id, 'email']]);
    expect(correlationIssues(ctx.db)).toEqual([]);

    // The credentials live in the keychain only.
    ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    const onDisk = fs.readFileSync(file).toString('latin1');
    for (const secret of [g.clientSecret, first.okta.token]) expect(onDisk.includes(secret)).toBe(false);
    ctx.db.close();
  });

  it('a later launch on a new sandbox re-points both connections, starts no sync, and "Sync now" of each works on the new sandbox', async () => {
    expect(firstDemo).toBeDefined();
    const before = { okta: firstDemo.connection, entra: firstDemo.entra!.connection };
    await first.close();
    sandboxes.splice(sandboxes.indexOf(first), 1);
    const second = await demoSandbox();
    const g = graphOf(second);
    expect(second.okta.url).not.toBe(first.okta.url);
    expect(g.url).not.toBe(first.graph?.url);

    const ctx = launch(file, secrets);
    const runsBefore = runCount(ctx);
    const entraLinks = decodeEntraCursor(lastCursor(ctx.db, before.entra.id)?.cursor ?? '');
    expect(entraLinks?.users.startsWith(`${before.entra.baseUrl}/`)).toBe(true);
    expect(wantsSandbox(ctx)).toBe(true);
    const demo = await startDemo(ctx, { env: {}, startSandbox: () => Promise.resolve(demoSandboxOf(second)) });
    if (!demo?.entra) throw new Error('the demo started without its Entra connection');

    // Same connections, pointed at the new sandbox, no automatic sync.
    expect(demo.firstSync).toBeNull();
    expect(demo.entra.firstSync).toBeNull();
    expect(runCount(ctx)).toBe(runsBefore);
    const records = listConnectionRecords(ctx.db);
    expect(records.filter((c) => c.kind !== 'jira').map((c) => c.id).sort()).toEqual([before.okta.id, before.entra.id].sort());
    // Requests of the demo are recorded in the new sandbox's Jira.
    expect(records.filter((c) => c.kind === 'jira').map((c) => [c.name, c.baseUrl])).toEqual([[SANDBOX_JIRA_CONNECTION_NAME, second.jira?.url.replace(/\/+$/, '')]]);
    expect(getConnectionRecord(ctx.db, before.okta.id)).toMatchObject({ baseUrl: second.okta.url });
    expect(getConnectionRecord(ctx.db, before.entra.id)).toMatchObject({
      baseUrl: g.url,
      clientId: g.clientId,
      settings: { tenantId: g.tenantId, authorityHost: g.url, caPem: g.caPem },
    });
    expect(await loadCredential(ctx, demo.connection)).toEqual({ type: 'token', token: second.okta.token });
    // The sandbox's sign-in app has a new client id every start: sign-in follows it.
    expect(getSettings(ctx.db).signIn).toMatchObject({ connectionId: before.okta.id, clientId: second.okta.signIn.clientId });
    expect(await loadCredential(ctx, demo.entra.connection)).toEqual({ type: 'secret', clientSecret: g.clientSecret });

    // Each re-point is audited, saying from where to where; the Entra one names the run whose delta links moved.
    const repointed = recentAuditEvents(ctx.db, 20).filter((e) => e.action === 'connection.repointed');
    const oktaEvent = repointed.find((e) => e.targetId === String(before.okta.id));
    const entraEvent = repointed.find((e) => e.targetId === String(before.entra.id));
    expect(oktaEvent?.details).toMatchObject({ name: SANDBOX_CONNECTION_NAME, from: first.okta.url, to: second.okta.url, reason: 'sandbox restarted' });
    const lastEntraRun = lastCursor(ctx.db, before.entra.id)?.runId;
    const lastOktaRun = lastCursor(ctx.db, before.okta.id)?.runId;
    expect(entraEvent?.details).toMatchObject({
      name: SANDBOX_ENTRA_CONNECTION_NAME,
      from: before.entra.baseUrl,
      to: g.url,
      reason: 'sandbox restarted',
      changed: ['Graph URL', 'authority host', 'client id', 'CA certificate'],
      clientId: g.clientId,
    });
    expect(JSON.stringify(repointed)).not.toContain(g.clientSecret);

    // A change in each IdP of the new sandbox: "Sync now" must read it from there.
    const org = second.org;
    const direct = org.groups.filter((x) => !x.deleted && x.type === 'OKTA_GROUP' && x.rule < 0 && x.kind !== 'app');
    const person = org.users.find((u) => !u.deleted && u.status === 'ACTIVE' && u.index > 5 && direct.some((x) => second.mutations.addMembership(x.id, u.id)));
    expect(person).toBeDefined();
    second.graphServer!.mutations.updateUser(7, { jobTitle: 'Demo Restart Tester' });

    // The stored positions belong to the previous sandbox: a full sync, saying why, that finds the changes.
    const oktaRun = await syncNow(ctx, before.okta.id);
    expect(oktaRun).toMatchObject({ status: 'succeeded', mode: 'full', error: null, changeCounts: expect.objectContaining({ 'membership-add': 1 }) as unknown });
    expect(oktaRun.note).toBe(`the connection points at ${second.okta.url} now, the System Log position of run #${lastOktaRun} at ${first.okta.url}: full sync`);
    const entraRun = await syncNow(ctx, before.entra.id);
    expect(entraRun).toMatchObject({ status: 'succeeded', mode: 'full', error: null, changes: 1 });
    expect(entraRun.note).toMatch(new RegExp(`^the connection points at ${g.url} now, the delta links of run #${lastEntraRun} at https://127\\.0\\.0\\.1:\\d+: full sync$`));

    // And the runs after that are incremental again, from the new sandbox's positions.
    second.mutations.removeMembership(direct.find((x) => second.org.memberships.has(x.index, person!.index))!.id, person!.id);
    expect(await syncNow(ctx, before.okta.id)).toMatchObject({ status: 'succeeded', mode: 'incremental', changes: 1 });
    expect(await syncNow(ctx, before.entra.id)).toMatchObject({ status: 'succeeded', mode: 'incremental', changes: 0 });
    const title = ctx.db.prepare('SELECT title FROM cur_identities WHERE connection_id = ? AND id = ?').pluck().get(before.entra.id, second.graphServer!.directory.userId(7));
    expect(title).toBe('Demo Restart Tester');

    // Honest: a full sync of each now finds nothing the delta runs missed.
    expect(await syncNow(ctx, before.okta.id, true)).toMatchObject({ status: 'succeeded', mode: 'full', changes: 0 });
    expect(await syncNow(ctx, before.entra.id, true)).toMatchObject({ status: 'succeeded', mode: 'full', changes: 0 });
    ctx.db.close();
  });
});

describe('when the demo runs', () => {
  it('a connection to a real tenant switches the demo off: no sandbox is started', async () => {
    const ctx = launch(path.join(dir, 'real.latchkey'), memorySecretStore());
    expect(wantsSandbox(ctx)).toBe(true);
    await addConnection(ctx, { kind: 'okta', name: 'Acme', orgUrl: 'https://acme.okta.com', budgetShare: 0.5, auth: { type: 'token', token: '00fake-token-for-the-test' } });
    expect(wantsSandbox(ctx)).toBe(false);
    let started = 0;
    const demo = await startDemo(ctx, {
      env: {},
      startSandbox: () => {
        started++;
        return Promise.reject(new Error('the sandbox should not start'));
      },
    });
    expect(demo).toBeNull();
    expect(started).toBe(0);
    ctx.db.close();
  });

  it('an Entra connection named like the sandbox one but signing in at a real authority is a real tenant', async () => {
    const ctx = launch(path.join(dir, 'named.latchkey'), memorySecretStore());
    await addConnection(ctx, {
      kind: 'entra',
      name: SANDBOX_ENTRA_CONNECTION_NAME,
      tenantId: 'contoso.onmicrosoft.com',
      clientId: '00000000-0000-0000-0000-000000000001',
      authorityHost: 'https://login.microsoftonline.com',
      graphUrl: 'https://127.0.0.1:9',
      budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: 'not-a-real-secret' },
    });
    expect(wantsSandbox(ctx)).toBe(false);
    ctx.db.close();
  });

  it('a workspace from the Okta-only demo gains the Entra connection, and only its first sync runs', async () => {
    const s = await demoSandbox();
    const ctx = launch(path.join(dir, 'upgrade.latchkey'), memorySecretStore());
    const oktaOnly = await startDemo(ctx, { env: {}, startSandbox: () => Promise.resolve({ ...demoSandboxOf(s), graph: null, close: () => Promise.resolve() }) });
    expect(oktaOnly?.entra).toBeNull();
    expect(await oktaOnly?.firstSync?.done).toMatchObject({ status: 'succeeded' });

    const demo = await startDemo(ctx, { env: {}, startSandbox: () => Promise.resolve(demoSandboxOf(s)) });
    expect(demo?.firstSync).toBeNull();
    expect(demo?.entra?.connection.name).toBe(SANDBOX_ENTRA_CONNECTION_NAME);
    expect(await demo?.entra?.firstSync?.done).toMatchObject({ status: 'succeeded', mode: 'full' });
    expect(listConnectionRecords(ctx.db).map((c) => c.name).sort()).toEqual([SANDBOX_CONNECTION_NAME, SANDBOX_ENTRA_CONNECTION_NAME, SANDBOX_JIRA_CONNECTION_NAME].sort());
    ctx.db.close();
  });
});
