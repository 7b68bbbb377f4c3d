import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { beginSyncRun } from '../../electron/engine/sync/run-start.js';
import { discardStaleGenerations } from '../../electron/engine/sync/snapshot-generations.js';
import { openSnapshotWriter, type SnapshotWriter, type WriterOptions } from '../../electron/engine/sync/snapshot-writer.js';
import type { GroupRecord, IdentityRecord } from '../../electron/engine/connectors/snapshot-model.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-writer-');
let n = 0;
const clock = { now: () => new Date('2026-01-05T09:00:00.000Z') };
const actor = { actor: 'test', clock };
const totals = { requests: 12, throttledWaits: 1, rateLimited: 0 };

function identity(id: string, extra: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    id, login: `${id}@example.com`, email: `${id}@example.com`, firstName: 'F', lastName: id, displayName: `F ${id}`, status: 'ACTIVE',
    department: 'Eng', title: null, managerId: null, location: null, employeeType: 'employee', employeeNumber: null, lastLogin: null,
    created: null, lastUpdated: null, profile: '{}', ...extra,
  };
}
function group(id: string, extra: Partial<GroupRecord> = {}): GroupRecord {
  return { id, name: id, description: null, type: 'OKTA_GROUP', managedBy: 'direct', managedByName: null, lastMembershipUpdated: null, lastUpdated: null, ...extra };
}

let db: Db;
let connectionId: number;
beforeEach(() => {
  db = openDatabase(path.join(dir, `w${n++}.latchkey`));
  connectionId = Number(
    db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('acme', 'okta', 'https://acme.okta.com', 'token', '', '')")
      .run().lastInsertRowid,
  );
});

const liveGen = () => (db.prepare('SELECT live_gen FROM connections WHERE id = ?').get(connectionId) as { live_gen: number }).live_gen;
const count = (view: string) => (db.prepare(`SELECT count(*) AS n FROM ${view}`).get() as { n: number }).n;
const allRows = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
const run = (id: number) => db.prepare('SELECT * FROM sync_runs WHERE id = ?').get(id) as Record<string, unknown>;
const actions = () => (db.prepare('SELECT action FROM audit_events ORDER BY seq').all() as { action: string }[]).map((r) => r.action);

function fill(w: SnapshotWriter, users: string[], groups: Record<string, string[]>) {
  w.addIdentities(users.map((u) => identity(u)));
  w.addGroups(Object.keys(groups).map((g) => group(g)));
  for (const [g, members] of Object.entries(groups)) w.addMemberships(g, members);
  w.addApps([{ id: 'app1', name: 'slack', label: 'Slack', status: 'ACTIVE', signOnMode: 'SAML_2_0' }]);
  w.addAppAssignments(Object.keys(groups).map((g) => ({ appId: 'app1', groupId: g, priority: 0 })));
}

async function syncOnce(users: string[], groups: Record<string, string[]>, opts: WriterOptions = actor) {
  const r = beginSyncRun(db, connectionId, actor);
  const w = await openSnapshotWriter(db, r, opts);
  fill(w, users, groups);
  const counts = await w.commit(totals);
  return { r, counts };
}

describe.each([
  { threaded: false, name: 'in this thread' },
  { threaded: true, name: 'from a writer thread' },
])('snapshot writer ($name)', ({ threaded }) => {
  const wopts = (extra: Partial<WriterOptions> = {}): WriterOptions => ({ ...actor, threaded, ...extra });

  it('commit makes the new generation live, finishes the run and audits it', async () => {
    const { r, counts } = await syncOnce(['u1', 'u2', 'u3'], { g1: ['u1', 'u2'], g2: ['u3'] }, wopts());
    expect(r.gen).toBe(1);
    expect(liveGen()).toBe(1);
    expect(counts).toEqual({ users: 3, groups: 2, memberships: 3, apps: 1, appAssignments: 2 });
    expect([count('cur_identities'), count('cur_groups'), count('cur_memberships'), count('cur_apps'), count('cur_app_assignments')]).toEqual([3, 2, 3, 1, 2]);
    expect(run(r.runId)).toMatchObject({ status: 'succeeded', users: 3, memberships: 3, requests: 12, throttled_waits: 1, error: null });
    expect(run(r.runId).finished_at).toBe('2026-01-05T09:00:00.000Z');
    expect(actions()).toEqual(['sync.started', 'sync.succeeded']);
    expect(verifyAuditChain(db)).toMatchObject({ valid: true, count: 2 });
    expect(db.prepare("SELECT count(*) AS n FROM meta WHERE key LIKE 'sync-lock:%'").get()).toEqual({ n: 0 });
  });

  it('a second sync replaces the snapshot and removes the old generation', async () => {
    await syncOnce(['u1', 'u2', 'u3'], { g1: ['u1', 'u2'], g2: ['u3'] }, wopts());
    await syncOnce(['u1', 'u4'], { g1: ['u4'] }, wopts());
    expect(liveGen()).toBe(2);
    expect((db.prepare('SELECT id FROM cur_identities ORDER BY id').all() as { id: string }[]).map((x) => x.id)).toEqual(['u1', 'u4']);
    expect(db.prepare('SELECT group_id, identity_id FROM cur_memberships').all()).toEqual([{ group_id: 'g1', identity_id: 'u4' }]);
    // nothing of generation 1 is left behind
    for (const t of ['identities', 'groups', 'memberships', 'apps', 'app_assignments']) {
      expect(db.prepare(`SELECT count(*) AS n FROM ${t} WHERE gen <> 2`).get()).toEqual({ n: 0 });
    }
  });

  it('abort keeps the previous snapshot live and intact and records the reason', async () => {
    await syncOnce(['u1', 'u2', 'u3'], { g1: ['u1', 'u2'], g2: ['u3'] }, wopts());
    const before = db.prepare('SELECT * FROM cur_identities ORDER BY id').all();
    const beforeMembers = db.prepare('SELECT * FROM cur_memberships ORDER BY group_id, identity_id').all();

    const r = beginSyncRun(db, connectionId, actor);
    const w = await openSnapshotWriter(db, r, wopts());
    fill(w, ['u1', 'u9'], { g9: ['u9'] });
    await w.flush(); // the partial generation really is in the file
    expect(allRows('identities')).toBe(5);
    await w.abort('Okta answered HTTP 503 for GET /api/v1/groups/g9/users after every retry', totals);

    expect(liveGen()).toBe(1);
    expect(db.prepare('SELECT * FROM cur_identities ORDER BY id').all()).toEqual(before);
    expect(db.prepare('SELECT * FROM cur_memberships ORDER BY group_id, identity_id').all()).toEqual(beforeMembers);
    expect(allRows('identities')).toBe(3);
    expect(allRows('memberships')).toBe(3);
    expect(run(r.runId)).toMatchObject({ status: 'failed', error: expect.stringContaining('HTTP 503') as unknown });
    expect(actions()).toEqual(['sync.started', 'sync.succeeded', 'sync.started', 'sync.failed']);
    expect(verifyAuditChain(db).valid).toBe(true);
  });

  it('cleans up what a crashed run left, and marks that run failed', async () => {
    await syncOnce(['u1'], { g1: ['u1'] }, wopts());
    // A run that wrote part of generation 2 and then the process died.
    const crashed = beginSyncRun(db, connectionId, actor);
    const w = await openSnapshotWriter(db, crashed, wopts());
    fill(w, ['u1', 'u2'], { g1: ['u1', 'u2'] });
    await w.flush();
    // ...and an old generation an interrupted purge left behind.
    db.prepare("INSERT INTO identities (connection_id, gen, id, login, display_name, status) VALUES (?, 0, 'ghost', 'ghost', 'Ghost', 'ACTIVE')").run(connectionId);

    const next = beginSyncRun(db, connectionId, actor);
    expect(run(crashed.runId)).toMatchObject({ status: 'failed', error: expect.stringContaining('interrupted') as unknown });
    expect(next.gen).toBe(2);
    expect(await discardStaleGenerations(db, connectionId)).toBeGreaterThan(0);
    expect(db.prepare('SELECT count(*) AS n FROM identities WHERE gen <> 1').get()).toEqual({ n: 0 });

    const w2 = await openSnapshotWriter(db, next, wopts());
    fill(w2, ['u3'], { g3: ['u3'] });
    expect(w2.threaded).toBe(threaded);
    expect(await w2.commit(totals)).toMatchObject({ users: 1, memberships: 1 });
    expect((db.prepare('SELECT id FROM cur_identities').all() as { id: string }[]).map((x) => x.id)).toEqual(['u3']);
    expect(actions()).toEqual(['sync.started', 'sync.succeeded', 'sync.started', 'sync.failed', 'sync.started', 'sync.succeeded']);
    expect(verifyAuditChain(db).valid).toBe(true);
  });

  it('refuses to start while another live process holds the run', () => {
    const r = beginSyncRun(db, connectionId, actor);
    // Pretend the lock belongs to our parent process (alive, not us).
    const lock = JSON.parse((db.prepare('SELECT value FROM meta WHERE key = ?').get(`sync-lock:${connectionId}`) as { value: string }).value) as Record<string, unknown>;
    db.prepare('UPDATE meta SET value = ? WHERE key = ?').run(JSON.stringify({ ...lock, pid: process.ppid }), `sync-lock:${connectionId}`);
    expect(() => beginSyncRun(db, connectionId, actor)).toThrow(/already running in another Latchkey process/);
    expect(run(r.runId).status).toBe('running');
  });

  it('commit refuses when another sync replaced the snapshot meanwhile, and abort then cleans up', async () => {
    const r = beginSyncRun(db, connectionId, actor);
    const w = await openSnapshotWriter(db, r, wopts());
    fill(w, ['u1'], { g1: ['u1'] });
    db.prepare('UPDATE connections SET live_gen = 7 WHERE id = ?').run(connectionId);
    await expect(w.commit(totals)).rejects.toThrow(/another sync replaced/);
    await w.abort('conflict', totals);
    expect(liveGen()).toBe(7);
    expect(allRows('identities')).toBe(0);
  });

  it('batches writes, skips repeated links and keeps the latest copy of a repeated object', async () => {
    const r = beginSyncRun(db, connectionId, actor);
    const w = await openSnapshotWriter(db, r, wopts({ batchRows: 7, batchObjects: 3 }));
    const users = Array.from({ length: 250 }, (_, i) => `u${i}`);
    w.addIdentities(users.map((u) => identity(u)));
    w.addIdentities([identity('u5', { status: 'SUSPENDED' })]);
    w.addGroups([group('g1'), group('g2')]);
    w.addMemberships('g1', users);
    w.addMemberships('g1', users.slice(0, 30)); // a page read twice
    w.addMemberships('g2', users.slice(100, 213));
    expect(w.added()).toMatchObject({ users: 251, memberships: 250 + 30 + 113 });
    const counts = await w.commit(totals);
    expect(counts).toMatchObject({ users: 250, groups: 2, memberships: 363 });
    expect(db.prepare("SELECT status FROM cur_identities WHERE id = 'u5'").get()).toEqual({ status: 'SUSPENDED' });
  });

  it('resolves managers named by login, email or employee number', async () => {
    const r = beginSyncRun(db, connectionId, actor);
    const w = await openSnapshotWriter(db, r, wopts());
    w.addIdentities([
      identity('boss', { login: 'boss@example.com', email: 'b.oss@example.com', employeeNumber: 'E1' }),
      identity('a', { managerId: 'boss@example.com' }),
      identity('b', { managerId: 'E1' }),
      identity('c'),
      identity('d', { managerId: 'nobody@example.com' }),
      identity('twin1', { email: 'shared@example.com' }),
      identity('twin2', { email: 'shared@example.com' }),
      identity('e'),
    ]);
    const result = await w.resolveManagers([
      { identityId: 'a', ref: 'boss@example.com' },
      { identityId: 'b', ref: 'E1' },
      { identityId: 'c', ref: 'B.OSS@example.com' },
      { identityId: 'd', ref: 'nobody@example.com' },
      { identityId: 'e', ref: 'shared@example.com' },
    ]);
    expect(result).toEqual({ resolved: 3, unresolved: 2 });
    const managers = Object.fromEntries(
      (db.prepare('SELECT id, manager_id FROM identities WHERE gen = ?').all(r.gen) as { id: string; manager_id: string | null }[]).map((x) => [x.id, x.manager_id]),
    );
    expect(managers).toMatchObject({ a: 'boss', b: 'boss', c: 'boss', d: 'nobody@example.com', e: null });
    await w.abort('done', totals);
  });
});
