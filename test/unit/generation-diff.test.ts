// A full sync records what changed between the old and the new generation,
// row for row what the incremental patch records for the same changes (both
// modes must write the same history), in the transaction that flips the
// snapshot; a connection's first snapshot is a baseline with no rows.
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { generationDiffPlans } from '../../electron/engine/sync/generation-diff.js';
import { commitIncrementalRun } from '../../electron/engine/sync/incremental-run.js';
import type { SnapshotPatch } from '../../electron/engine/sync/snapshot-patch.js';
import { beginSyncRun } from '../../electron/engine/sync/run-start.js';
import { openSnapshotWriter } from '../../electron/engine/sync/snapshot-writer.js';
import type { AppAssignmentRecord, AppRecord, GroupRecord, IdentityRecord } from '../../electron/engine/connectors/snapshot-model.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-gendiff-');
let n = 0;
const clock = { now: () => new Date('2026-02-01T08:00:00.000Z') };
const who = { actor: 'test', clock };
const totals = { requests: 1, throttledWaits: 0, rateLimited: 0 };

function user(id: string, extra: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    id, login: `${id}@example.com`, email: `${id}@example.com`, firstName: 'F', lastName: id, displayName: `Person ${id}`, status: 'ACTIVE',
    department: 'Sales', title: null, managerId: null, location: null, employeeType: 'employee', employeeNumber: null, lastLogin: null,
    created: null, lastUpdated: null, profile: '{}', ...extra,
  };
}
const group = (id: string, extra: Partial<GroupRecord> = {}): GroupRecord => ({
  id, name: `group ${id}`, description: null, type: 'OKTA_GROUP', managedBy: 'direct', managedByName: null, lastMembershipUpdated: null, lastUpdated: null, ...extra,
});
const app = (id: string, extra: Partial<AppRecord> = {}): AppRecord => ({ id, name: id, label: `App ${id}`, status: 'ACTIVE', signOnMode: 'SAML_2_0', ...extra });

type State = { users: IdentityRecord[]; groups: GroupRecord[]; members: Record<string, string[]>; apps: AppRecord[]; assignments: AppAssignmentRecord[] };

const S0: State = {
  users: ['u1', 'u2', 'u3', 'u4', 'u5', 'u6'].map((id) => user(id)),
  groups: [group('g1'), group('g2', { description: 'two' }), group('g3')],
  members: { g1: ['u1', 'u2'], g2: ['u1', 'u3', 'u6'], g3: ['u4', 'u6'] },
  apps: [app('a1'), app('a2')],
  assignments: [
    { appId: 'a1', groupId: 'g1', priority: 0 },
    { appId: 'a1', groupId: 'g3', priority: 1 },
    { appId: 'a2', groupId: 'g2', priority: 0 },
  ],
};

// The same changes, twice: as patch operations (incremental) and as the state a full sync reads afterwards.
const joiner = user('u7', { displayName: 'New Person', status: 'STAGED' });
const changedUsers = [
  joiner,
  user('u2', { status: 'SUSPENDED', displayName: 'Person u2 (renamed)' }),
  user('u3', { status: 'DEPROVISIONED' }),
  user('u4', { department: 'Marketing', title: '', employeeType: 'contractor' }), // title null -> '' is no change
  user('u5', { managerId: 'u1', email: 'five@example.com' }),
];
const newGroup = group('g4', { type: 'APP_GROUP', managedBy: 'external' });
const renamedGroup = group('g1', { name: 'Sales EU', description: 'sales team' });
const newApp = app('a3', { label: 'Figma' });
const relabelled = app('a1', { label: 'Slack Enterprise', status: 'INACTIVE' });

// Upserts first: the patch names a removal by the names current at that
// moment, the full diff by the newest ones, so renames go before removals.
function applyOps(p: SnapshotPatch): void {
  p.upsertIdentities(changedUsers);
  p.upsertGroups([newGroup, renamedGroup]);
  p.upsertApps([newApp, relabelled]);
  p.removeIdentity('u6');
  p.removeGroup('g3');
  p.addMembership('g1', 'u7');
  p.addMembership('g4', 'u2');
  p.removeMembership('g2', 'u1');
  p.removeApp('a2');
  p.addAppAssignment({ appId: 'a1', groupId: 'g4', priority: 2 });
  p.addAppAssignment({ appId: 'a3', groupId: 'g1', priority: 0 });
}

const S1: State = {
  users: [user('u1'), ...changedUsers.filter((u) => u.id !== 'u7'), joiner],
  groups: [renamedGroup, S0.groups[1]!, newGroup],
  members: { g1: ['u1', 'u2', 'u7'], g2: ['u3'], g4: ['u2'] },
  apps: [relabelled, newApp],
  assignments: [
    { appId: 'a1', groupId: 'g1', priority: 0 },
    { appId: 'a1', groupId: 'g4', priority: 2 },
    { appId: 'a3', groupId: 'g1', priority: 0 },
  ],
};

let db: Db;
beforeEach(() => {
  db = openDatabase(path.join(dir, `g${n++}.latchkey`));
});

function connection(name: string): number {
  return Number(
    db
      .prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES (?, 'okta', 'https://acme.okta.com', 'token', '', '')")
      .run(name).lastInsertRowid,
  );
}

async function fullSync(connectionId: number, s: State, threaded = false): Promise<number> {
  const run = beginSyncRun(db, connectionId, who);
  const w = await openSnapshotWriter(db, run, { ...who, threaded });
  w.addIdentities(s.users);
  w.addGroups(s.groups);
  for (const [g, members] of Object.entries(s.members)) w.addMemberships(g, members);
  w.addApps(s.apps);
  w.addAppAssignments(s.assignments);
  await w.commit(totals);
  return run.runId;
}

const rowsOf = (runId: number): string[] =>
  (
    db
      .prepare('SELECT kind, subject_type, subject_id, subject_name, object_id, object_name, field, before, after FROM sync_changes WHERE run_id = ?')
      .all(runId) as Record<string, string | null>[]
  )
    .map((r) => Object.values(r).map((v) => v ?? '∅').join('|'))
    .sort();
const runRow = (id: number) => db.prepare('SELECT status, changes, baseline FROM sync_runs WHERE id = ?').get(id);

describe('full sync change recording', () => {
  it('the first snapshot is a baseline: no rows, baseline = 1', async () => {
    const c = connection('acme');
    const r = await fullSync(c, S0, true);
    expect(runRow(r)).toEqual({ status: 'succeeded', changes: 0, baseline: 1 });
    expect(rowsOf(r)).toEqual([]);
  });

  it('records exactly the rows the incremental patch records for the same changes', async () => {
    const viaPatch = connection('patched');
    const viaFull = connection('full');
    await fullSync(viaPatch, S0);
    await fullSync(viaFull, S0);

    const inc = beginSyncRun(db, viaPatch, { ...who, mode: 'incremental' });
    const { changes } = commitIncrementalRun(db, inc, who, applyOps, () => ({ totals }));
    const full = await fullSync(viaFull, S1, true);

    const expected = rowsOf(inc.runId);
    expect(expected.length).toBe(changes);
    expect(rowsOf(full)).toEqual(expected);
    // and what those rows are, so a change to both writers at once still shows here
    expect(expected).toEqual(
      [
        'app-added|app|a3|Figma|∅|∅|∅|∅|ACTIVE',
        'app-changed|app|a1|Slack Enterprise|∅|∅|label|App a1|Slack Enterprise',
        'app-changed|app|a1|Slack Enterprise|∅|∅|status|ACTIVE|INACTIVE',
        'app-removed|app|a2|App a2|∅|∅|∅|ACTIVE|∅',
        'assignment-add|app|a1|Slack Enterprise|g4|group g4|∅|∅|∅',
        'assignment-add|app|a3|Figma|g1|Sales EU|∅|∅|∅',
        'assignment-remove|app|a1|Slack Enterprise|g3|group g3|∅|∅|∅',
        'assignment-remove|app|a2|App a2|g2|group g2|∅|∅|∅',
        'attribute|user|u4|Person u4|∅|∅|department|Sales|Marketing',
        'attribute|user|u4|Person u4|∅|∅|employeeType|employee|contractor',
        'attribute|user|u5|Person u5|∅|∅|email|u5@example.com|five@example.com',
        'attribute|user|u5|Person u5|∅|∅|manager|∅|u1',
        'group-added|group|g4|group g4|∅|∅|∅|∅|APP_GROUP',
        'group-changed|group|g1|Sales EU|∅|∅|description|∅|sales team',
        'group-changed|group|g1|Sales EU|∅|∅|name|group g1|Sales EU',
        'group-removed|group|g3|group g3|∅|∅|∅|OKTA_GROUP|∅',
        'joiner|user|u7|New Person|∅|∅|∅|∅|STAGED',
        'leaver|user|u3|Person u3|∅|∅|status|ACTIVE|DEPROVISIONED',
        'leaver|user|u6|Person u6|∅|∅|∅|ACTIVE|∅',
        'membership-add|user|u2|Person u2 (renamed)|g4|group g4|∅|∅|∅',
        'membership-add|user|u7|New Person|g1|Sales EU|∅|∅|∅',
        'membership-remove|user|u1|Person u1|g2|group g2|∅|∅|∅',
        'membership-remove|user|u4|Person u4|g3|group g3|∅|∅|∅',
        'membership-remove|user|u6|Person u6|g2|group g2|∅|∅|∅',
        'membership-remove|user|u6|Person u6|g3|group g3|∅|∅|∅',
        'status|user|u2|Person u2 (renamed)|∅|∅|status|ACTIVE|SUSPENDED',
      ].sort(),
    );
    expect(runRow(full)).toEqual({ status: 'succeeded', changes: expected.length, baseline: 0 });
    const audit = db.prepare("SELECT details FROM audit_events WHERE action = 'sync.succeeded' ORDER BY seq DESC LIMIT 1").pluck().get() as string;
    expect(JSON.parse(audit)).toMatchObject({ runId: full, changes: expected.length });
    expect(verifyAuditChain(db).valid).toBe(true);
  });

  it('an unchanged directory records nothing; the next change is against the latest snapshot', async () => {
    const c = connection('acme');
    await fullSync(c, S0);
    const same = await fullSync(c, S0);
    expect(runRow(same)).toEqual({ status: 'succeeded', changes: 0, baseline: 0 });
    const moved = await fullSync(c, { ...S0, members: { ...S0.members, g1: ['u1', 'u2', 'u5'] } });
    expect(rowsOf(moved)).toEqual(['membership-add|user|u5|Person u5|g1|group g1|∅|∅|∅']);
  });

  it('records nothing when the flip fails: history and snapshot change together', async () => {
    const c = connection('acme');
    await fullSync(c, S0);
    db.exec("CREATE TEMP TRIGGER no_flip BEFORE UPDATE OF live_gen ON connections BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
    const run = beginSyncRun(db, c, who);
    const w = await openSnapshotWriter(db, run, { ...who, threaded: false });
    w.addIdentities(S1.users);
    await expect(w.commit(totals)).rejects.toThrow('simulated failure');
    expect(rowsOf(run.runId)).toEqual([]);
    expect(db.prepare('SELECT live_gen FROM connections WHERE id = ?').pluck().get(c)).toBe(1);
    db.exec('DROP TRIGGER no_flip');
  });

  it('compares generations by merge, never one seek per row of a generation', () => {
    for (const { sql, plan } of generationDiffPlans(db)) {
      expect(plan, sql).toContain('MERGE (EXCEPT)');
      expect(plan.join('\n'), sql).not.toMatch(/SCAN (identities|groups|apps|memberships|app_assignments)\b/);
    }
  });
});
