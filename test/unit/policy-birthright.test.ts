// birthrightOf on a real workspace file (a seeded snapshot, HR records, the
// policy tables): attributes from the HR record when the person has one
// (matched by employee id, then e-mail), else the IdP profile, and the
// explanation saying which; monitor vs enforce; an exception that stops
// applying at its exact end instant; the subset path agreeing with the whole
// population; grants of roles gone from the catalog left out.
import { afterAll, describe, expect, it } from 'vitest';
import type { PolicyDefinition } from '../../shared/contract-policies.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { birthrightOf } from '../../electron/engine/policies/birthright.js';
import { insertException, insertPolicy, insertVersion } from '../../electron/engine/policies/policy-store.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { seedRole } from '../fixtures/governance.js';
import { createTempWorkspace, seedConnection } from '../fixtures/seed-snapshot.js';

const ws = createTempWorkspace('latchkey-birthright-');
afterAll(() => ws.cleanup());
const NOW = new Date('2026-12-08T12:00:00.000Z');
let clock = NOW;
const ctx: EngineContext = {
  db: ws.db, dbPath: ws.file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => clock }, events: { emit: () => undefined }, actor: 'test', transport: 'cli', sandbox: false,
};

const cid = seedConnection(ws.db, {
  name: 'Acme Okta',
  users: [
    // HR says Engineering (matched by employee id), the IdP still says Sales.
    { id: 'u1', displayName: 'Ada Lovelace', email: 'ada@acme.example', employeeNumber: 'E1', department: 'Sales', title: 'Engineer', status: 'ACTIVE' },
    // Matched by e-mail (HR has no employee id for her).
    { id: 'u2', displayName: 'Grace Hopper', email: 'grace@acme.example', department: 'Sales', status: 'ACTIVE' },
    // No HR record: the Okta profile decides.
    { id: 'u3', displayName: 'Alan Turing', email: 'alan@acme.example', department: 'Engineering', title: 'Staff Engineer', status: 'ACTIVE', managerId: 'u2' },
    // Staged in Okta: pending.
    { id: 'u4', displayName: 'Linus T', email: 'linus@acme.example', department: 'Engineering', status: 'STAGED' },
  ],
  groups: [{ id: 'g1', name: 'eng' }, { id: 'g2', name: 'all' }],
});
const engRole = seedRole(ws.db, { app: 'GitHub', role: 'Member', groups: [{ connectionId: cid, groupId: 'g1', groupName: 'eng' }] });
const allRole = seedRole(ws.db, { app: 'Slack', role: 'Member', groups: [{ connectionId: cid, groupId: 'g2', groupName: 'all' }] });
const goneRole = seedRole(ws.db, { app: 'Old', role: 'Gone', groups: [] });

const hr = ws.db.prepare(
  `INSERT INTO hr_records (record_key, employee_id, email, name, department, title, location, employment_type, manager_email, start_date, end_date, status, source, as_of, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'csv:generic', 't', 't')`,
);
hr.run('id:e1', 'E1', 'someone-else@acme.example', 'Ada Lovelace', 'Engineering', 'Senior Engineer', 'London', 'Full-Time', 'grace@acme.example', '2020-01-06', null, 'active');
hr.run('email:grace@acme.example', null, 'GRACE@acme.example', 'Grace Hopper', 'Engineering', 'VP', 'Berlin', 'Full-Time', null, '2019-01-01', null, 'active');
// A record nobody in the snapshot matches.
hr.run('id:e9', 'E9', 'nobody@acme.example', 'Nobody', 'Engineering', null, null, null, null, '2027-01-04', null, 'active');

function addPolicy(db: Db, d: PolicyDefinition): number {
  const id = insertPolicy(db, d.name, d.mode, NOW.toISOString());
  insertVersion(db, id, 1, d, { state: 'current', at: NOW.toISOString(), by: 'test', channel: 'cli' });
  return id;
}

const engineering = addPolicy(ws.db, {
  name: 'Engineering',
  description: '',
  when: { all: [{ attribute: 'department', op: 'equals', value: 'engineering' }, { attribute: 'status', op: 'in', value: ['active', 'pending'] }] },
  grants: [{ roleId: engRole, days: null }, { roleId: goneRole, days: 30 }],
  graceDays: 7,
  mode: 'enforce',
});
const everyone = addPolicy(ws.db, { name: 'Everyone', description: '', when: { all: [] }, grants: [{ roleId: allRole, days: 90 }], graceDays: 3, mode: 'monitor' });
ws.db.prepare('DELETE FROM catalog_roles WHERE id = ?').run(goneRole);

describe('birthrightOf', () => {
  it('reads HR records when the person has one (by employee id, then e-mail), else the IdP profile, and says which', () => {
    const all = birthrightOf(ctx);
    const ada = all.get(`${cid}:u1`) ?? [];
    expect(ada.map((r) => [r.roleId, r.policyId, r.policyVersion, r.durationDays, r.graceDays, r.enforced])).toEqual([
      [engRole, engineering, 1, null, 7, true],
      [allRole, everyone, 1, 90, 3, false],
    ]);
    expect(ada[0]?.because).toBe('Engineering v1: department equals "engineering" ("Engineering"); status in ["active", "pending"] ("active") — from the HR record id:e1');
    expect(all.get(`${cid}:u2`)?.[0]?.because).toContain('from the HR record email:grace@acme.example');
    const alan = all.get(`${cid}:u3`) ?? [];
    expect(alan[0]?.because).toBe('Engineering v1: department equals "engineering" ("Engineering"); status in ["active", "pending"] ("active") — from the Acme Okta profile');
    expect(all.get(`${cid}:u4`)?.[0]?.because).toContain('("pending")');
    expect([...all.keys()].sort()).toEqual([`${cid}:u1`, `${cid}:u2`, `${cid}:u3`, `${cid}:u4`]);
  });

  it('an exception stops applying at its exact end instant', () => {
    const endsAt = '2026-12-08T12:30:00.000Z';
    insertException(ws.db, { policyId: engineering, personId: `${cid}:u3`, person: 'alan@acme.example', owner: 'grace@acme.example', reason: 'sabbatical', endsAt, at: NOW.toISOString(), by: 'test', channel: 'cli' });
    const roles = (): number[] => (birthrightOf(ctx, [`${cid}:u3`]).get(`${cid}:u3`) ?? []).map((r) => r.roleId);
    clock = new Date(Date.parse(endsAt) - 1);
    expect(roles()).toEqual([allRole]);
    clock = new Date(endsAt);
    expect(roles()).toEqual([engRole, allRole]);
    clock = NOW;
    expect(roles()).toEqual([allRole]);
  });

  it('the people asked for give the same answer as the whole population', () => {
    const all = birthrightOf(ctx);
    const ids = [`${cid}:u1`, `${cid}:u2`, 'nobody:x'];
    const some = birthrightOf(ctx, ids);
    expect([...some.keys()].sort()).toEqual([`${cid}:u1`, `${cid}:u2`]);
    for (const id of some.keys()) expect(some.get(id)).toEqual(all.get(id));
    expect(birthrightOf(ctx, []).size).toBe(0);
  });
});
