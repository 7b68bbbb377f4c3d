// Birthright policies at 100,000 people / ~1M memberships: the what-if of a
// policy edit (goal ≤ 1 s) and evaluating every policy after a sync
// (birthrightOf over everyone, goal ≤ 2 s), each against a baseline in the
// same run and file: a bare SELECT of the same attribute columns (the live
// accounts with their person, and the HR records), rows as arrays, nothing
// done with them. The workspace is the synthetic org of
// test/fixtures/seed-snapshot.ts (seconds to build) with HR records for
// about 60% of the people (a third of them in another department than their
// IdP profile says), ten catalog roles and 20 policies in monitor mode, 5 of
// them enforced. Not a timed test: it prints times (median of --runs) for
// bench/RESULTS.md. Cold runs read the population afresh (as after a sync);
// warm ones reuse it (nothing written since: the editor's what-if as one types).
//
//   node --import tsx bench/policy-whatif.ts [--users 100000] [--per-user 10] [--runs 5]
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { EngineContext } from '../electron/engine/context.js';
import { openDatabase } from '../electron/engine/db/database.js';
import { forgetPopulation } from '../electron/engine/policies/attributes.js';
import { birthrightOf } from '../electron/engine/policies/birthright.js';
import { savePolicy, setApprovalPeople, setPolicyMode } from '../electron/engine/policies/policies.js';
import { whatIf } from '../electron/engine/policies/whatif.js';
import { memorySecretStore } from '../electron/engine/secrets/secret-store.js';
import type { Condition, PolicyDefinition } from '../shared/contract-policies.js';
import { seedRole } from '../test/fixtures/governance.js';
import { seededRandom, seedSynthetic } from '../test/fixtures/seed-snapshot.js';

const { values } = parseArgs({ options: { users: { type: 'string', default: '100000' }, 'per-user': { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } } });
const users = Number(values.users);
const perUser = Number(values['per-user']);
const runs = Number(values.runs);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-policy-bench-'));
const file = path.join(dir, 'big.latchkey');
const db = openDatabase(file);
const now = new Date('2026-12-08T12:00:00Z');
const ctx: EngineContext = { db, dbPath: file, readOnly: false, secrets: memorySecretStore(), clock: { now: () => now }, events: { emit: () => undefined }, actor: 'bench', channel: 'cli', transport: 'cli', sandbox: false };
const uptime = (): string => execSync('uptime').toString().trim().replace(/^.*load/, 'load');

let t = performance.now();
const cid = seedSynthetic(db, { users, groups: Math.max(10, Math.round(users / 20)), memberships: users * perUser });
const DEPARTMENTS = ['Engineering', 'Sales', 'Marketing', 'Finance', 'People', 'Legal', 'Support', 'Security', 'Operations', 'Design', 'Product', 'Data'];
const LOCATIONS = ['London', 'Berlin', 'Paris', 'New York', 'Austin', 'Singapore'];
// HR records for ~60% of the people, by employee number (what the synthetic accounts carry); a third moved department since the IdP was written.
const rnd = seededRandom(11);
const accounts = db.prepare('SELECT id, email, employee_number, department, title FROM cur_identities WHERE connection_id = ?').raw().all(cid) as [string, string, string, string, string][];
const insert = db.prepare(
  `INSERT INTO hr_records (record_key, employee_id, email, name, department, title, location, employment_type, manager_email, start_date, end_date, status, source, as_of, updated_at)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, 'csv:generic', ?, ?)`,
);
db.transaction(() => {
  for (const [, email, employeeNumber, department, title] of accounts) {
    if (rnd() > 0.6) continue;
    const dept = rnd() < 0.33 ? (DEPARTMENTS[Math.floor(rnd() * DEPARTMENTS.length)] as string) : department;
    const status = rnd() < 0.03 ? 'terminated' : rnd() < 0.02 ? 'pending' : 'active';
    insert.run(`id:${employeeNumber}`, employeeNumber, email, email, dept, title, LOCATIONS[Math.floor(rnd() * LOCATIONS.length)], rnd() < 0.85 ? 'Full-Time' : 'Contractor', rnd() < 0.9 ? 'boss@synthetic.example' : null, '2020-01-06', status, now.toISOString(), now.toISOString());
  }
})();
const hrCount = db.prepare('SELECT count(*) FROM hr_records').pluck().get() as number;
const roles: number[] = [];
for (let r = 0; r < 10; r++) {
  const groupId = `00g${String(r * 3).padStart(8, '0')}`;
  roles.push(seedRole(db, { app: `Bench App ${r % 3}`, role: `Role ${r}`, risk: 'medium', groups: [{ connectionId: cid, groupId, groupName: `g${r}` }] }, now));
}
const memberships = db.prepare('SELECT count(*) FROM memberships WHERE connection_id = ?').pluck().get(cid) as number;
console.log(`workspace: ${users} users, ${memberships} memberships, ${hrCount} HR records, seeded in ${((performance.now() - t) / 1000).toFixed(1)} s`);

// 20 policies: department (equals / in), title prefixes and patterns, location, employment type, status, manager, nested any/all.
const conditionOf = (i: number): Condition => {
  const dept = DEPARTMENTS[i % DEPARTMENTS.length] as string;
  const active: Condition = { attribute: 'status', op: 'in', value: ['active', 'pending'] };
  switch (i % 5) {
    case 0:
      return { all: [{ attribute: 'department', op: 'equals', value: dept }, active] };
    case 1:
      return { all: [{ attribute: 'department', op: 'in', value: [dept, DEPARTMENTS[(i + 3) % DEPARTMENTS.length] as string] }, { any: [{ attribute: 'title', op: 'starts_with', value: 'Senior' }, { attribute: 'title', op: 'matches', value: '^(Lead|Architect|Director)' }] }] };
    case 2:
      return { all: [{ attribute: 'location', op: 'in', value: [LOCATIONS[i % LOCATIONS.length] as string] }, { attribute: 'employment_type', op: 'equals', value: 'Full-Time' }, active] };
    case 3:
      return { all: [{ attribute: 'manager', op: 'exists', value: true }, { attribute: 'department', op: 'starts_with', value: dept.slice(0, 3) }] };
    default:
      return { any: [{ all: [{ attribute: 'department', op: 'equals', value: dept }, { attribute: 'title', op: 'equals', value: 'Manager' }] }, { attribute: 'title', op: 'matches', value: 'Director$' }] };
  }
};
const defOf = (i: number, mode: PolicyDefinition['mode'] = 'monitor'): PolicyDefinition => ({
  name: `Policy ${i}`,
  description: '',
  when: conditionOf(i),
  grants: [{ roleId: roles[i % roles.length] as number, days: null }, ...(i % 4 === 0 ? [{ roleId: roles[(i + 1) % roles.length] as number, days: 90 }] : [])],
  graceDays: 7,
  mode,
});
t = performance.now();
setApprovalPeople(ctx, 1_000_000);
const ids = Array.from({ length: 20 }, (_, i) => savePolicy(ctx, defOf(i), { by: 'bench@example.com' }).policyId);
for (const id of ids.slice(0, 5)) setPolicyMode(ctx, id, 'enforce', { by: 'bench@example.com' });
console.log(`20 policies saved (5 enforced) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
function time(label: string, f: () => unknown): number {
  const ms: number[] = [];
  let out: unknown;
  for (let r = 0; r < runs; r++) {
    const s = performance.now();
    out = f();
    ms.push(performance.now() - s);
  }
  const m = median(ms);
  console.log(`${label.padEnd(58)} median ${m.toFixed(0).padStart(6)} ms  (runs: ${ms.map((x) => x.toFixed(0)).join(', ')})${typeof out === 'string' ? `  ${out}` : ''}`);
  return m;
}

console.log(`start: ${uptime()}`);
// The baseline: the same columns the evaluation reads, one bare SELECT per source, rows as arrays.
const bareAccounts = db.prepare(
  `SELECT i.connection_id, c.name, i.id, coalesce(l.person_id, i.connection_id || ':' || i.id), coalesce(l.matched_by IS NULL, 1),
     i.display_name, i.email, i.employee_number, i.department, i.title, i.location, i.employee_type, i.status, i.manager_id
   FROM cur_identities i JOIN connections c ON c.id = i.connection_id AND c.kind IN ('okta', 'entra')
   LEFT JOIN person_links l ON l.connection_id = i.connection_id AND l.identity_id = i.id ORDER BY i.connection_id, i.id`,
);
const bareHr = db.prepare('SELECT record_key, employee_id, email, department, title, location, employment_type, manager_email, start_date, end_date, status FROM hr_records ORDER BY id');
const base = time('baseline: bare SELECT of the attribute columns (2 queries)', () => `${bareAccounts.raw().all().length + bareHr.raw().all().length} rows`);

// The what-if of an edit of an enforced policy (policy 0: its department test widened to two, a title test added).
const edited: PolicyDefinition = { ...defOf(0, 'enforce'), when: { all: [{ attribute: 'department', op: 'in', value: ['Engineering', 'Data'] }, { attribute: 'title', op: 'matches', value: 'engineer|architect' }, { attribute: 'status', op: 'equals', value: 'active' }] } };
// Cold: the population read afresh (after a sync or an import); warm: held from the previous evaluation while nothing was written (the editor's what-if as one types).
const cold = <T>(f: () => T): (() => T) => () => {
  forgetPopulation(db);
  return f();
};
const editWhatIf = (): string => {
  const r = whatIf(ctx, edited, { policyId: ids[0] as number, limit: 100 });
  return `${r.counts.population} people, ${r.counts.affectedPeople} affected (+${r.counts.gains} −${r.counts.losses})`;
};
const newWhatIf = (): string => `${whatIf(ctx, { ...defOf(3), name: 'New one' }, { policyId: null, limit: 500 }).counts.affectedPeople} affected`;
const evaluateAll = (): string => {
  const m = birthrightOf(ctx);
  let roleCount = 0;
  for (const v of m.values()) roleCount += v.length;
  return `${m.size} people with birthright roles, ${roleCount} roles`;
};
const w = time('what-if of an edit, cold (100 changes explained)', cold(editWhatIf));
const ww = time('what-if of an edit, warm', editWhatIf);
const n = time('what-if of a new policy, cold (500 changes explained)', cold(newWhatIf));
const all = time('evaluate all 20 policies (birthrightOf, everyone), cold', cold(evaluateAll));
const allWarm = time('evaluate all 20 policies, warm', evaluateAll);
const some = time('birthrightOf 100 people (the subset path)', () => {
  const m = birthrightOf(ctx, accounts.slice(0, 100).map(([id]) => `${cid}:${id}`));
  return `${m.size} people`;
});
console.log(`end: ${uptime()}`);
console.log(`ratios to the baseline: what-if edit cold ${(w / base).toFixed(2)}× / warm ${(ww / base).toFixed(2)}×, new ${(n / base).toFixed(2)}×, evaluate all cold ${(all / base).toFixed(2)}× / warm ${(allWarm / base).toFixed(2)}×, 100 people ${(some / base).toFixed(3)}×`);
console.log(`goals: what-if ≤ 1000 ms: cold ${w.toFixed(0)} ms, warm ${ww.toFixed(0)} ms; evaluate all ≤ 2000 ms: cold ${all.toFixed(0)} ms, warm ${allWarm.toFixed(0)} ms`);
db.close();
fs.rmSync(dir, { recursive: true, force: true });
