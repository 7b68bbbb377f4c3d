// The incremental writer: in-place, idempotent changes to the live
// generation, each recorded once in sync_changes; one transaction per run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginSyncRun } from '../../electron/engine/sync/run-start.js';
import { applyPatch } from '../../electron/engine/sync/snapshot-patch.js';
import { commitIncrementalRun, failIncrementalRun } from '../../electron/engine/sync/incremental-run.js';
import type { IdentityRecord } from '../../electron/engine/connectors/snapshot-model.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

const clock = { now: () => new Date('2026-11-22T10:00:00.000Z') };
const who = { actor: 'test', clock };

function identity(id: string, over: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    id, login: `${id}@example.com`, email: `${id}@example.com`, firstName: null, lastName: null, displayName: `User ${id}`,
    status: 'ACTIVE', department: 'Sales', title: 'Rep', managerId: null, location: null, employeeType: 'Employee',
    employeeNumber: null, lastLogin: null, created: null, lastUpdated: null, profile: '{}', ...over,
  };
}

type Row = { kind: string; subject_id: string; object_id: string | null; field: string | null; before: string | null; after: string | null };

let ws: TempWorkspace;
let cid: number;
beforeEach(() => {
  ws = createTempWorkspace();
  cid = seedConnection(ws.db, {
    name: 'Okta',
    users: [
      { id: 'u1', displayName: 'Ada', department: 'Sales', title: 'Rep', employeeType: 'Employee' },
      { id: 'u2', displayName: 'Bob', department: 'Sales', title: 'Rep', employeeType: 'Employee', employeeNumber: 'E2' },
    ],
    groups: [
      { id: 'g1', name: 'sales', members: ['u1'] },
      { id: 'g2', name: 'eng', members: [] },
    ],
    apps: [{ id: 'a1', name: 'figma', label: 'Figma', groups: ['g1'] }],
  });
});
afterEach(() => ws.cleanup());

const changes = (runId: number): Row[] =>
  ws.db.prepare('SELECT kind, subject_id, object_id, field, before, after FROM sync_changes WHERE run_id = ? ORDER BY seq').all(runId) as Row[];

describe('snapshot patch', () => {
  it('records each kind of change once and nothing for a replay', () => {
    const run = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    expect(run.gen).toBe(1); // patches the live generation
    const apply = (): void =>
      void applyPatch(ws.db, run, (p) => {
        p.upsertIdentities([identity('u1', { department: 'Marketing', title: 'Rep' }), identity('u3')], [{ identityId: 'u1', ref: 'E2' }]);
        p.upsertIdentities([identity('u2', { status: 'DEPROVISIONED', title: 'Rep', employeeNumber: 'E2', displayName: 'Bob' })]);
        p.addMembership('g2', 'u1');
        p.removeMembership('g1', 'u1');
        p.addMembership('nope', 'u1'); // a group out of scope / not in the snapshot
        p.addAppAssignment({ appId: 'a1', groupId: 'g2', priority: 1 });
      });
    apply();
    const first = changes(run.runId);
    expect(first.map((c) => `${c.kind}:${c.subject_id}:${c.object_id ?? c.field ?? ''}`).sort()).toEqual(
      [
        'attribute:u1:department',
        'attribute:u1:manager',
        'joiner:u3:',
        'leaver:u2:status',
        'membership-add:u1:g2',
        'membership-remove:u1:g1',
        'assignment-add:a1:g2',
      ].sort(),
    );
    expect(first.find((c) => c.field === 'manager')?.after).toBe('u2'); // the ref resolved by employee number
    expect(first.find((c) => c.kind === 'leaver')).toMatchObject({ before: 'ACTIVE', after: 'DEPROVISIONED' });
    apply(); // the same events again: idempotent
    expect(changes(run.runId)).toHaveLength(first.length);
  });

  it('removing a group records its memberships and assignments too', () => {
    const run = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    applyPatch(ws.db, run, (p) => expect(p.removeGroup('g1')).toBe(true));
    expect(changes(run.runId).map((c) => c.kind).sort()).toEqual(['assignment-remove', 'group-removed', 'membership-remove']);
    expect(ws.db.prepare('SELECT count(*) AS n FROM memberships WHERE group_id = ?').get('g1')).toEqual({ n: 0 });
  });

  it('setGroupMembers makes the members exactly the given ones', () => {
    const run = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    const r = applyPatch(ws.db, run, (p) => p.setGroupMembers('g1', ['u2']));
    expect(r).toEqual({ added: 1, removed: 1 });
    expect(ws.db.prepare('SELECT identity_id FROM cur_memberships WHERE group_id = ?').pluck().all('g1')).toEqual(['u2']);
  });

  it('a committed run stores counts, cursor and changes with an audit event; a failed one changes nothing', () => {
    const run = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    const out = commitIncrementalRun(ws.db, run, who, (p) => p.addMembership('g2', 'u2'), () => ({
      totals: { requests: 3, throttledWaits: 0, rateLimited: 0 },
      cursor: '{"since":"x"}',
    }));
    expect(out.changes).toBe(1);
    expect(ws.db.prepare('SELECT status, changes, cursor, memberships, requests FROM sync_runs WHERE id = ?').get(run.runId)).toEqual({
      status: 'succeeded', changes: 1, cursor: '{"since":"x"}', memberships: 2, requests: 3,
    });
    const run2 = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    expect(() =>
      commitIncrementalRun(ws.db, run2, who, (p) => {
        p.removeMembership('g2', 'u2');
        throw new Error('boom half-way');
      }, () => ({ totals: { requests: 0, throttledWaits: 0, rateLimited: 0 } })),
    ).toThrow('boom');
    failIncrementalRun(ws.db, run2, who, 'boom half-way', { requests: 1, throttledWaits: 0, rateLimited: 0 });
    // The half-applied removal was rolled back with its change record.
    expect(ws.db.prepare('SELECT count(*) AS n FROM cur_memberships WHERE group_id = ?').get('g2')).toEqual({ n: 1 });
    expect(changes(run2.runId)).toEqual([]);
    expect(ws.db.prepare('SELECT status, error FROM sync_runs WHERE id = ?').get(run2.runId)).toEqual({ status: 'failed', error: 'boom half-way' });
    expect(verifyAuditChain(ws.db).valid).toBe(true);
  });

  it('refuses to patch when a full sync replaced the generation meanwhile', () => {
    const run = beginSyncRun(ws.db, cid, { actor: 'test', clock, mode: 'incremental' });
    ws.db.prepare('UPDATE connections SET live_gen = live_gen + 1 WHERE id = ?').run(cid);
    expect(() => commitIncrementalRun(ws.db, run, who, () => 0, () => ({ totals: { requests: 0, throttledWaits: 0, rateLimited: 0 } }))).toThrow(
      /full sync replaced/,
    );
  });
});
