// Full sync against the sandbox tenant (real HTTP on loopback, the official
// SDK, real SQLite files): counts, who manages each group, stability across
// re-syncs, OAuth service apps, and the errors a person sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncProgress } from '../../shared/domain.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { createOktaConnector } from '../../electron/engine/connectors/okta/okta-connector.js';
import { runFullSync, startFullSync, SyncFailedError } from '../../electron/engine/sync/okta-sync.js';
import { getSyncRun, listSyncRuns } from '../../electron/engine/sync/sync-runs.js';
import { activeSyncProgress } from '../../electron/engine/sync/active-syncs.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, expectedCounts, liveCounts, oauthOf, snapshotDigest, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-okta-sync-');
let sandbox: Sandbox;

beforeAll(async () => {
  sandbox = await startSandbox({ users: 600, seed: 11 });
});
afterAll(async () => {
  await sandbox.close();
});

describe('full Okta sync', () => {
  it('stores every user (DEPROVISIONED included), group, membership, app and assignment of the org', async () => {
    const { ctx, db, events } = workspace(dir);
    const conn = addConnection(db, sandbox);
    const summary = await runFullSync(ctx, conn, tokenOf(sandbox));
    const expected = expectedCounts(sandbox);

    expect(summary).toMatchObject({ status: 'succeeded', connectionId: conn.id, connectionName: conn.name, mode: 'full', error: null, rateLimited: 0, ...expected });
    expect(summary.requests).toBeGreaterThan(0);
    expect(summary.durationMs).not.toBeNull();
    expect(liveCounts(db, conn.id)).toEqual(expected);
    expect(sandbox.org.users.some((u) => u.status === 'DEPROVISIONED')).toBe(true);
    expect(db.prepare("SELECT count(*) AS n FROM cur_identities WHERE status = 'DEPROVISIONED'").get()).toEqual({
      n: sandbox.org.users.filter((u) => u.status === 'DEPROVISIONED').length,
    });

    // normalised attributes of one known person
    const u = sandbox.org.users.find((x) => x.managerIndex >= 0)!;
    const row = db.prepare('SELECT * FROM cur_identities WHERE id = ?').get(u.id) as Record<string, unknown>;
    expect(row).toMatchObject({ login: u.login, email: u.email, first_name: u.firstName, last_name: u.lastName, status: u.status, employee_type: u.employmentType });
    expect(row.manager_id).toBe(sandbox.org.users[u.managerIndex]!.id);
    expect(JSON.parse(row.profile as string)).toMatchObject({ login: u.login });

    // the run, its audit trail and its progress events
    expect(getSyncRun(db, summary.id)).toEqual(summary);
    expect(listSyncRuns(db, { connectionId: conn.id, limit: 5 })).toEqual([summary]);
    expect((db.prepare('SELECT action FROM audit_events ORDER BY seq').all() as { action: string }[]).map((r) => r.action)).toEqual(['sync.started', 'sync.succeeded']);
    expect(verifyAuditChain(db).valid).toBe(true);
    const phases = events.filter((e) => e.event === 'sync:progress').map((e) => (e.payload as SyncProgress).phase);
    expect(phases[0]).toBe('starting');
    expect(phases).toContain('memberships');
    expect(phases).toContain('committing');
    expect(phases.at(-1)).toBe('done');
    expect(events.at(-1)).toEqual({ event: 'sync:finished', payload: summary });
    expect(activeSyncProgress()).toEqual([]);
  });

  it('records who manages each group: rule, app import / built-in, or direct', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox));
    const rows = db.prepare('SELECT id, type, managed_by, managed_by_name FROM cur_groups').all() as {
      id: string;
      type: string;
      managed_by: string;
      managed_by_name: string | null;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    const org = sandbox.org;
    const seen = new Set<string>();
    for (const g of org.groups) {
      const r = byId.get(g.id)!;
      if (g.type === 'APP_GROUP') {
        expect(r).toMatchObject({ managed_by: 'external', managed_by_name: org.apps[g.sourceApp]!.label });
      } else if (g.type === 'BUILT_IN') {
        expect(r.managed_by).toBe('external');
      } else if (g.rule >= 0) {
        expect(r).toMatchObject({ managed_by: 'rule', managed_by_name: org.rules[g.rule]!.name });
      } else {
        expect(r).toMatchObject({ managed_by: 'direct', managed_by_name: null });
      }
      seen.add(r.managed_by);
    }
    expect([...seen].sort()).toEqual(['direct', 'external', 'rule']);
  });

  it('a re-sync of an unchanged org stores the same snapshot as a new generation', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox));
    const first = snapshotDigest(db, conn.id);
    const second = await runFullSync(ctx, conn, tokenOf(sandbox));
    expect(second.status).toBe('succeeded');
    expect(snapshotDigest(db, conn.id)).toBe(first);
    expect(db.prepare('SELECT live_gen FROM connections WHERE id = ?').get(conn.id)).toEqual({ live_gen: 2 });
    // only the live generation is kept
    expect(db.prepare('SELECT count(*) AS n FROM memberships WHERE connection_id = ? AND gen <> 2').get(conn.id)).toEqual({ n: 0 });
  });

  it('picks up changes made in Okta between two syncs', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    await runFullSync(ctx, conn, tokenOf(sandbox));
    const g = sandbox.org.groups.find((x) => x.type === 'OKTA_GROUP' && x.rule < 0)!;
    const outsider = sandbox.org.users.find((u) => u.status === 'ACTIVE' && !sandbox.org.memberships.has(g.index, u.index))!;
    sandbox.mutations.addMembership(g.id, outsider.id);
    try {
      const s = await runFullSync(ctx, conn, tokenOf(sandbox));
      expect(s.memberships).toBe(sandbox.org.memberships.total());
      expect(db.prepare('SELECT 1 AS x FROM cur_memberships WHERE group_id = ? AND identity_id = ?').get(g.id, outsider.id)).toEqual({ x: 1 });
    } finally {
      sandbox.mutations.removeMembership(g.id, outsider.id);
    }
  });

  it('syncs with an OAuth service app (private_key_jwt) as well', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox, { oauth: true });
    const summary = await runFullSync(ctx, conn, oauthOf(sandbox));
    expect(summary).toMatchObject({ status: 'succeeded', ...expectedCounts(sandbox) });
  });

  it('refuses a second sync of the same connection while one runs, and any sync of a read-only workspace', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    const first = startFullSync(ctx, conn, tokenOf(sandbox));
    expect(() => startFullSync(ctx, conn, tokenOf(sandbox))).toThrow(expect.objectContaining({ code: 'conflict' }) as Error);
    expect(activeSyncProgress().map((p) => p.connectionId)).toEqual([conn.id]);
    await first.done;

    const ro = workspace(dir, { readOnly: true });
    const conn2 = addConnection(ro.db, sandbox);
    await expect(runFullSync(ro.ctx, conn2, tokenOf(sandbox))).rejects.toMatchObject({ code: 'read-only' });
    expect(listSyncRuns(ro.db, { limit: 5 })).toEqual([]);
  });
});

describe('errors a person can act on', () => {
  it('a revoked token fails the sync with Okta\'s 401 summary, records it, and keeps nothing half-written', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox);
    const bad = { type: 'token' as const, token: '00revokedrevokedrevokedrevokedrevokedrevo' };
    const err = (await runFullSync(ctx, conn, bad).catch((e: unknown) => e)) as SyncFailedError;
    expect(err).toBeInstanceOf(SyncFailedError);
    expect(err.code).toBe('unauthorized');
    expect(err.message).toMatch(/401 E0000011: Invalid token provided/);
    expect(err.message).not.toContain(bad.token);
    expect(err.summary).toMatchObject({ status: 'failed', error: expect.stringContaining('Invalid token provided') as unknown });
    expect(liveCounts(db, conn.id).users).toBe(0);
    expect(db.prepare('SELECT count(*) AS n FROM identities').get()).toEqual({ n: 0 });
    expect(verifyAuditChain(db).valid).toBe(true);
  });

  it('a 403 for a missing scope names the scope', async () => {
    const { ctx, db } = workspace(dir);
    const conn = addConnection(db, sandbox, { oauth: true });
    const narrow = oauthOf(sandbox, ['okta.users.read', 'okta.groups.read']);
    const err = (await runFullSync(ctx, conn, narrow).catch((e: unknown) => e)) as SyncFailedError;
    expect(err).toBeInstanceOf(SyncFailedError);
    expect(err.message).toMatch(/403.*lacks the okta\.apps\.read scope/);

    const result = await createOktaConnector({ orgUrl: sandbox.okta.url, credential: narrow }).testConnection();
    expect(result).toMatchObject({ ok: false, canRead: false, canWrite: false });
    expect(result.details).toContain('cannot read apps: okta.apps.read not granted');
    expect(result.details).toContain('cannot read logs: okta.logs.read not granted');
  });

  it('test connection reports org name and read/write ability per credential', async () => {
    const admin = await createOktaConnector({ orgUrl: sandbox.okta.url, credential: tokenOf(sandbox) }).testConnection();
    expect(admin).toMatchObject({ ok: true, orgName: sandbox.org.company.name, canRead: true, canWrite: true, error: null });

    const readOnly = await createOktaConnector({ orgUrl: sandbox.okta.url, credential: { type: 'token', token: sandbox.okta.readOnlyToken } }).testConnection();
    expect(readOnly).toMatchObject({ ok: true, canRead: true, canWrite: false });
    expect(readOnly.details.join('\n')).toMatch(/READ_ONLY_ADMIN/);

    const oauth = await createOktaConnector({ orgUrl: sandbox.okta.url, credential: oauthOf(sandbox) }).testConnection();
    expect(oauth).toMatchObject({ ok: true, canRead: true, canWrite: true });

    const revoked = await createOktaConnector({ orgUrl: sandbox.okta.url, credential: { type: 'token', token: '00nopenopenopenopenopenopenopenopenopenope' } }).testConnection();
    expect(revoked).toMatchObject({ ok: false, error: expect.stringContaining('Invalid token provided') as unknown });

    const wrongKey = await createOktaConnector({
      orgUrl: sandbox.okta.url,
      credential: { ...oauthOf(sandbox), clientId: '0oanotregistered00000' } as ReturnType<typeof oauthOf>,
    }).testConnection();
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.error).toMatch(/OAuth/);

    const closed = await createOktaConnector({ orgUrl: 'http://127.0.0.1:9', credential: tokenOf(sandbox) }).testConnection();
    expect(closed).toMatchObject({ ok: false, error: expect.stringMatching(/^cannot reach 127\.0\.0\.1:9/) as unknown });
  });
});
