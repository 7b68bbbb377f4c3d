// Identity correlation: one person known to several IdPs is one Directory
// row with every account; matches that would be guesses are refused and
// listed. Real SQLite files through the real migrations (seed-snapshot).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userQuery } from '../../shared/contract.js';
import type { AccountRef, CorrelationIssue, UserRow } from '../../shared/domain.js';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import { removeConnection } from '../../electron/engine/governance/connection-removal.js';
import { dashboardSummary } from '../../electron/engine/directory/dashboard.js';
import { accountsOf, correlationIssues } from '../../electron/engine/directory/people.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { correlate } from '../../electron/engine/directory/correlation-rules.js';
import { createPageCache } from '../../electron/engine/db/query-kit.js';
import { getUser, listUsers, userFacets } from '../../electron/engine/directory/users.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import {
  createTempWorkspace,
  seedConnection,
  seededRandom,
  seedSyncRun,
  type SeedUser,
  type TempWorkspace,
} from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
beforeEach(() => {
  ws = createTempWorkspace();
});
afterEach(() => ws.cleanup());

const okta = (users: SeedUser[], extra: Parameters<typeof seedConnection>[1] = { name: 'Okta' }): number =>
  seedConnection(ws.db, { kind: 'okta', baseUrl: 'https://acme.okta.com', staleGeneration: true, ...extra, users });
const entra = (users: SeedUser[], name = 'Entra'): number =>
  seedConnection(ws.db, { name, kind: 'entra', baseUrl: 'https://graph.microsoft.com', staleGeneration: true, users });

/** Every stored link as "cid:id -> person (matchedBy)", sorted. */
function links(): string[] {
  return (
    ws.db.prepare('SELECT connection_id, identity_id, person_id, matched_by FROM person_links ORDER BY 1, 2').raw().all() as [
      number,
      string,
      string,
      string | null,
    ][]
  ).map(([c, id, p, m]) => `${c}:${id} -> ${p}${m ? ` (${m})` : ''}`);
}

const short = (a: AccountRef): string => `${a.connectionId}:${a.id}${a.matchedBy ? `/${a.matchedBy}` : ''}`;
const people = (q: Partial<Parameters<typeof userQuery.parse>[0]> = {}): UserRow[] => listUsers(ws.db, userQuery.parse(q)).rows;

describe('matching', () => {
  it('removing a connection unlinks its accounts at once', async () => {
    const o = okta([{ id: '00u1', login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace' }]);
    const e = entra([{ id: 'e-ada', login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace' }]);
    refreshCorrelation(ws.db);
    expect(people()[0]?.accounts.map(short)).toEqual([`${o}:00u1`, `${e}:e-ada/email`]);
    ws.db.close();
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'cli' });
    ws.db = ctx.db;
    await removeConnection(ctx, e);
    expect(links()).toEqual([]);
    expect(people().map((r) => r.accounts.map(short))).toEqual([[`${o}:00u1`]]);
  });

  it('links the same e-mail in another case (and with stray spaces) as one person', () => {
    const o = okta([{ id: '00u1', login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace' }]);
    const e = entra([{ id: 'e-ada', login: 'ada@acme.example', email: '  Ada@ACME.example ', displayName: 'Ada Lovelace' }]);
    const stats = refreshCorrelation(ws.db);
    expect(stats).toMatchObject({ outcome: 'recomputed', accounts: 2, people: 1, linked: 1, issues: 0 });
    expect(links()).toEqual([`${o}:00u1 -> ${o}:00u1`, `${e}:e-ada -> ${o}:00u1 (email)`]);
    expect(accountsOf(ws.db, e, 'e-ada').map(short)).toEqual([`${e}:e-ada/email`, `${o}:00u1`]);
    const [own, other] = accountsOf(ws.db, o, '00u1');
    expect(own).toEqual({ connectionId: o, connectionName: 'Okta', kind: 'okta', id: '00u1', login: 'ada@acme.example', status: 'ACTIVE', matchedBy: null, groupCount: 0 });
    expect(other).toMatchObject({ connectionName: 'Entra', kind: 'entra', id: 'e-ada', matchedBy: 'email' });
    expect(correlationIssues(ws.db)).toEqual([]);
  });

  it('links by employee id when the Entra account has no mail, and leaves keyless accounts alone', () => {
    const o = okta([
      { id: '00u1', email: 'grace@acme.example', employeeNumber: 'E-100' },
      { id: '00u2', email: 'alan@acme.example', employeeNumber: null },
    ]);
    const e = entra([
      // No mailbox: Entra's `mail` is null; the UPN (login) equals Okta's e-mail but is deliberately not used.
      { id: 'e-grace', login: 'grace@acme.example', email: null, employeeNumber: ' e-100 ' },
      { id: 'e-alan', login: 'alan@acme.example', email: null, employeeNumber: null },
    ]);
    refreshCorrelation(ws.db);
    expect(accountsOf(ws.db, o, '00u1').map(short)).toEqual([`${o}:00u1`, `${e}:e-grace/employee-id`]);
    expect(accountsOf(ws.db, e, 'e-alan').map(short)).toEqual([`${e}:e-alan`]);
    expect(accountsOf(ws.db, o, '00u2').map(short)).toEqual([`${o}:00u2`]);
    // Only people with two or more accounts have rows; everyone else is their own person.
    expect(links()).toEqual([`${o}:00u1 -> ${o}:00u1`, `${e}:e-grace -> ${o}:00u1 (employee-id)`]);
  });

  it('refuses two Entra accounts with the e-mail of one Okta account and lists all three', () => {
    const o = okta([{ id: '00u1', email: 'Linus@acme.example', employeeNumber: 'E-7' }]);
    const e = entra([
      { id: 'e-linus', email: 'linus@acme.example', employeeNumber: 'E-7' },
      { id: 'e-linus-admin', email: 'LINUS@acme.example', employeeNumber: null },
    ]);
    refreshCorrelation(ws.db);
    expect(links()).toEqual([]);
    const issues = correlationIssues(ws.db);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ reason: 'ambiguous-email', key: 'linus@acme.example' });
    expect(issues[0]?.accounts.map(short)).toEqual([`${o}:00u1`, `${e}:e-linus`, `${e}:e-linus-admin`]);
    // Never half-applied: the employee id would single out e-linus, but the accounts stay apart.
    expect(accountsOf(ws.db, o, '00u1')).toHaveLength(1);
    expect(people().map((r) => `${r.connectionId}:${r.id}`)).toHaveLength(3);
  });

  it('refuses an employee id held by two accounts of one connection', () => {
    const o = okta([{ id: '00u1', email: null, employeeNumber: 'C20001' }]);
    const e = entra([
      { id: 'e-1', email: null, employeeNumber: 'c20001' },
      { id: 'e-2', email: null, employeeNumber: 'C20001' },
    ]);
    refreshCorrelation(ws.db);
    expect(links()).toEqual([]);
    expect(correlationIssues(ws.db).map((i) => [i.reason, i.key, i.accounts.map(short)])).toEqual([
      // Shown as the IdP spells it, not case-folded.
      ['ambiguous-employee-id', 'C20001', [`${o}:00u1`, `${e}:e-1`, `${e}:e-2`]],
    ]);
  });

  it('does not list a key shared only inside one connection (nothing to link)', () => {
    okta([
      { id: '00u1', email: 'shared@acme.example' },
      { id: '00u2', email: 'shared@acme.example' },
    ]);
    entra([{ id: 'e-1', email: 'someone@acme.example' }]);
    expect(refreshCorrelation(ws.db)).toMatchObject({ issues: 0, linked: 0 });
  });

  it('refuses an e-mail match whose employee ids disagree (a re-used address)', () => {
    const o = okta([{ id: '00u1', email: 'sam@acme.example', employeeNumber: '100001' }]);
    const e = entra([{ id: 'e-sam', email: 'sam@acme.example', employeeNumber: '100777' }]);
    refreshCorrelation(ws.db);
    expect(links()).toEqual([]);
    expect(correlationIssues(ws.db).map((i) => [i.reason, i.key, i.accounts.map(short)])).toEqual([
      ['conflicting-keys', 'sam@acme.example', [`${o}:00u1`, `${e}:e-sam`]],
    ]);
  });

  it('refuses when e-mail and employee id point at different accounts of one connection', () => {
    const o = okta([{ id: '00u1', email: 'kim@acme.example', employeeNumber: '100002' }]);
    const e = entra([
      { id: 'e-kim', email: 'kim@acme.example', employeeNumber: null },
      { id: 'e-other', email: 'k.other@acme.example', employeeNumber: '100002' },
    ]);
    refreshCorrelation(ws.db);
    expect(links()).toEqual([]);
    expect(correlationIssues(ws.db).map((i) => [i.reason, i.key, i.accounts.map(short)])).toEqual([
      ['conflicting-keys', '100002', [`${o}:00u1`, `${e}:e-kim`, `${e}:e-other`]],
    ]);
  });

  it('refuses an employee id that would join two people e-mail told apart', () => {
    const o = okta([
      { id: '00u1', email: 'one@acme.example', employeeNumber: '42' },
      { id: '00u2', email: 'two@acme.example', employeeNumber: null },
    ]);
    const e = entra([
      { id: 'e-1', email: 'one@acme.example', employeeNumber: null },
      { id: 'e-2', email: 'two@acme.example', employeeNumber: '42' },
    ]);
    refreshCorrelation(ws.db);
    expect(links()).toEqual([]);
    expect(correlationIssues(ws.db).map((i) => [i.reason, i.key, i.accounts.map(short)])).toEqual([
      ['conflicting-keys', '42', [`${o}:00u1`, `${o}:00u2`, `${e}:e-1`, `${e}:e-2`]],
    ]);
  });

  it('links three connections into one person, first account in the lowest connection id', () => {
    const o = okta([{ id: '00u1', email: 'barbara@acme.example', employeeNumber: '7' }]);
    const e1 = entra([{ id: 'e-b', email: 'Barbara@acme.example', employeeNumber: null }], 'Entra prod');
    const e2 = entra([{ id: 'x-b', email: null, employeeNumber: '7' }], 'Entra lab');
    refreshCorrelation(ws.db);
    expect(links()).toEqual([`${o}:00u1 -> ${o}:00u1`, `${e1}:e-b -> ${o}:00u1 (email)`, `${e2}:x-b -> ${o}:00u1 (employee-id)`]);
    expect(accountsOf(ws.db, e2, 'x-b').map(short)).toEqual([`${e2}:x-b/employee-id`, `${o}:00u1`, `${e1}:e-b/email`]);
    const rows = people();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.accounts.map((a) => a.connectionName)).toEqual(['Okta', 'Entra prod', 'Entra lab']);
  });

  it('names the employee-id match relative to the first account when it was not matched by e-mail', () => {
    // The lowest connection's account joined by employee id; the other two share an e-mail.
    const o = okta([{ id: '00u1', email: null, employeeNumber: '9' }]);
    const e1 = entra([{ id: 'e-1', email: 'pat@acme.example', employeeNumber: '9' }], 'Entra A');
    const e2 = entra([{ id: 'e-2', email: 'pat@acme.example', employeeNumber: null }], 'Entra B');
    refreshCorrelation(ws.db);
    expect(accountsOf(ws.db, o, '00u1').map(short)).toEqual([`${o}:00u1`, `${e1}:e-1/employee-id`, `${e2}:e-2/employee-id`]);
  });

  it('finds the same people whatever order the accounts come in', () => {
    // Randomised: small key spaces so collisions, ambiguities and conflicts are common.
    const rnd = seededRandom(7);
    for (let round = 0; round < 40; round++) {
      const n = 30;
      const input = {
        cid: Array.from({ length: n }, () => 1 + Math.floor(rnd() * 3)),
        email: Array.from({ length: n }, () => (rnd() < 0.2 ? null : `p${Math.floor(rnd() * 12)}@x`)),
        employeeId: Array.from({ length: n }, () => (rnd() < 0.3 ? null : `${Math.floor(rnd() * 12)}`)),
      };
      const result = correlate(input);
      const persons = new Map<number, number[]>();
      for (let i = 0; i < n; i++) persons.set(result.first[i] as number, [...(persons.get(result.first[i] as number) ?? []), i]);
      const inIssues = new Set(result.issues.flatMap((x) => x.accounts));
      for (const members of persons.values()) {
        // One account per connection, and the first is in the lowest connection.
        const cids = members.map((m) => input.cid[m] as number);
        expect(new Set(cids).size).toBe(cids.length);
        expect(Math.min(...cids)).toBe(input.cid[result.first[members[0] as number] as number]);
        // Nobody listed in an issue is linked, and no linked person has two employee ids.
        if (members.length > 1) {
          for (const m of members) expect(inIssues.has(m)).toBe(false);
          expect(new Set(members.map((m) => input.employeeId[m]).filter((x) => x !== null)).size).toBeLessThanOrEqual(1);
        }
      }
      // The same clusters from the reversed input (indexes mapped back).
      const rev = correlate({ cid: [...input.cid].reverse(), email: [...input.email].reverse(), employeeId: [...input.employeeId].reverse() });
      for (let i = 0; i < n; i++) {
        const j = n - 1 - i;
        const sameA = (k: number): boolean => result.first[i] === result.first[k];
        const sameB = (k: number): boolean => rev.first[j] === rev.first[n - 1 - k];
        for (let k = 0; k < n; k++) expect(sameB(k)).toBe(sameA(k));
      }
    }
  });
});

describe('refresh', () => {
  it('is stable: same person ids, nothing written again, skipped when no sync changed identities', () => {
    const o = okta([
      { id: '00u1', email: 'a@acme.example' },
      { id: '00u2', email: 'b@acme.example', employeeNumber: '2' },
    ]);
    const e = entra([
      { id: 'e-a', email: 'A@acme.example' },
      { id: 'e-b', email: null, employeeNumber: '2' },
    ]);
    expect(refreshCorrelation(ws.db).written).toBe(4);
    const first = links();
    expect(refreshCorrelation(ws.db, { force: true })).toMatchObject({ outcome: 'recomputed', written: 0 });
    expect(links()).toEqual(first);
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'skipped' });

    // A sync recorded a change that is not about keys: still skipped.
    const run = seedSyncRun(ws.db, { connectionId: o, startedAt: '2025-01-02T00:00:00.000Z' });
    const change = ws.db.prepare(
      `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, field, before, after) VALUES (?, ?, ?, 'user', ?, ?, NULL, NULL)`,
    );
    change.run(run, o, 'attribute', '00u1', 'title');
    change.run(run, o, 'leaver', '00u1', 'status'); // deactivated, still there with the same keys
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'skipped' });
    // A joiner: the keys are read again, found identical, nothing recomputed.
    change.run(run, o, 'joiner', '00u9', null);
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'unchanged', accounts: 4 });
    change.run(run, o, 'leaver', '00u8', null); // deleted in the IdP
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'unchanged' });

    // An e-mail change moves the link; the recorded attribute change is what tells the refresh.
    ws.db.prepare("UPDATE identities SET email = 'a.new@acme.example' WHERE connection_id = ? AND id = 'e-a'").run(e);
    change.run(run, e, 'attribute', 'e-a', 'email');
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'recomputed', written: 2 });
    expect(links()).toEqual([`${o}:00u2 -> ${o}:00u2`, `${e}:e-b -> ${o}:00u2 (employee-id)`]);
  });

  it('drops the links of accounts that left, and of a removed connection once the next refresh runs', () => {
    const o = okta([{ id: '00u1', email: 'a@acme.example' }]);
    const e = entra([{ id: 'e-a', email: 'a@acme.example' }]);
    const e2 = entra([{ id: 'x-a', email: 'a@acme.example' }], 'Entra 2');
    refreshCorrelation(ws.db);
    expect(links()).toHaveLength(3);
    ws.db.prepare("DELETE FROM identities WHERE connection_id = ? AND id = 'x-a'").run(e2);
    refreshCorrelation(ws.db, { force: true });
    expect(links()).toEqual([`${o}:00u1 -> ${o}:00u1`, `${e}:e-a -> ${o}:00u1 (email)`]);
    ws.db.prepare('DELETE FROM connections WHERE id = ?').run(e);
    refreshCorrelation(ws.db); // the connection list changed: not skipped
    expect(links()).toEqual([]);
    expect(accountsOf(ws.db, o, '00u1').map(short)).toEqual([`${o}:00u1`]);
  });

  it('re-links when the first account leaves: the next account becomes the person', () => {
    const o = okta([{ id: '00u1', email: 'a@acme.example' }]);
    const e1 = entra([{ id: 'e-a', email: 'a@acme.example' }], 'Entra A');
    const e2 = entra([{ id: 'x-a', email: 'a@acme.example' }], 'Entra B');
    refreshCorrelation(ws.db);
    ws.db.prepare("DELETE FROM identities WHERE connection_id = ? AND id = '00u1'").run(o);
    refreshCorrelation(ws.db, { force: true });
    expect(links()).toEqual([`${e1}:e-a -> ${e1}:e-a`, `${e2}:x-a -> ${e1}:e-a (email)`]);
    // The people list hides x-a (a linked account above the lowest linked connection) and nobody else.
    okta([{ id: '00u7', email: 'solo@acme.example' }], { name: 'Okta late' });
    expect(people().map((r) => `${r.connectionId}:${r.id}`)).toEqual([`${o + 3}:00u7`, `${e1}:e-a`]);
  });

  it('does not read anything with a single IdP, and drops the links a removed second IdP left', () => {
    const o = okta([{ id: '00u1', email: 'a@acme.example' }]);
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'skipped', accounts: 0 });
    const e = entra([{ id: 'e-a', email: 'a@acme.example' }]);
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'recomputed', linked: 1 });
    ws.db.prepare('DELETE FROM connections WHERE id = ?').run(e);
    // The removed connection's own links go with it (the Directory's model must not list through them);
    // the refresh drops what is left.
    expect(links()).toEqual([`${o}:00u1 -> ${o}:00u1`]);
    expect(refreshCorrelation(ws.db)).toMatchObject({ outcome: 'skipped', written: 1 });
    expect(links()).toEqual([]);
    expect(accountsOf(ws.db, o, '00u1')).toHaveLength(1);
  });

  it('reads only the live generation', () => {
    // staleGeneration writes a "ghost" user in a non-live generation of each connection.
    okta([{ id: '00u1', email: 'ghost@stale.example' }]);
    entra([{ id: 'e-1', email: 'nobody@acme.example' }]);
    expect(refreshCorrelation(ws.db)).toMatchObject({ accounts: 2, linked: 0 });
  });
});

describe('the Directory lists people', () => {
  let o: number;
  let e: number;
  beforeEach(() => {
    o = okta([
      { id: '00u1', displayName: 'Ada Lovelace', email: 'ada@acme.example', department: 'Engineering', lastLogin: '2025-05-30T00:00:00.000Z' },
      { id: '00u2', displayName: 'Grace Hopper', email: 'grace@acme.example', employeeNumber: 'E-2', department: 'Engineering', lastLogin: '2024-01-01T00:00:00.000Z' },
      { id: '00u3', displayName: 'Alan Turing', email: 'alan@acme.example', department: 'Research', status: 'SUSPENDED' },
      { id: '00u4', displayName: 'Okta Only', email: 'only@acme.example', department: 'Sales', lastLogin: null },
    ]);
    e = entra([
      { id: 'e-ada', displayName: 'Ada Lovelace (Entra)', login: 'ada.l@acme.onmicrosoft.com', email: 'ADA@acme.example', department: 'Engineering' },
      { id: 'e-grace', displayName: 'Grace Hopper', login: 'grace@acme.example', email: null, employeeNumber: 'e-2', lastLogin: '2025-05-31T00:00:00.000Z' },
      { id: 'e-cloud', displayName: 'Cloud Only', email: 'cloud@acme.example', department: 'Sales' },
    ]);
    ws.db.exec(`INSERT INTO groups (connection_id, gen, id, name, type, managed_by) VALUES
      (${o}, 1, '00g1', 'engineering', 'OKTA_GROUP', 'direct'), (${e}, 1, 'eg-1', 'M365 Engineering', 'Unified', 'direct');
      INSERT INTO memberships (connection_id, gen, group_id, identity_id) VALUES (${o}, 1, '00g1', '00u1'), (${e}, 1, 'eg-1', 'e-ada');`);
  });

  it('shows every identity before a first correlation ran', () => {
    expect(people().map((r) => r.id)).toEqual(['00u1', 'e-ada', '00u3', 'e-cloud', '00u2', 'e-grace', '00u4']);
    expect(people()[0]?.accounts.map(short)).toEqual([`${o}:00u1`]);
  });

  it('lists one row per person with every account, with correct totals and paging', () => {
    refreshCorrelation(ws.db);
    const page = listUsers(ws.db, userQuery.parse({}));
    expect(page.total).toBe(5);
    expect(page.rows.map((r) => [r.displayName, r.accounts.map(short)])).toEqual([
      ['Ada Lovelace', [`${o}:00u1`, `${e}:e-ada/email`]],
      ['Alan Turing', [`${o}:00u3`]],
      ['Cloud Only', [`${e}:e-cloud`]],
      ['Grace Hopper', [`${o}:00u2`, `${e}:e-grace/employee-id`]],
      ['Okta Only', [`${o}:00u4`]],
    ]);
    const cache = createPageCache();
    const paged = [0, 2, 4].flatMap((offset) => listUsers(ws.db, userQuery.parse({ offset, limit: 2 }), cache).rows.map((r) => r.id));
    expect(paged).toEqual(page.rows.map((r) => r.id));
    // Deep pages go through the cached key list: same people.
    expect(listUsers(ws.db, userQuery.parse({ offset: 3, limit: 2, sort: 'groupCount', dir: 'desc' })).total).toBe(5);

    // Filters and sort apply to the row shown (the first account); search also to the other accounts.
    expect(people({ search: 'ada' }).map((r) => r.id)).toEqual(['00u1']);
    expect(people({ search: 'ada.l@acme.onmicrosoft' }).map((r) => r.id)).toEqual(['00u1']);
    expect(people({ search: '(entra) lovelace' }).map((r) => r.id)).toEqual(['00u1']);
    expect(listUsers(ws.db, userQuery.parse({ search: 'onmicrosoft' })).total).toBe(1);
    expect(people({ search: 'onmicrosoft', connectionId: o })).toEqual([]);
    expect(people({ department: ['Sales'] }).map((r) => r.id)).toEqual(['e-cloud', '00u4']);
    expect(people({ status: ['SUSPENDED'] }).map((r) => r.id)).toEqual(['00u3']);
    expect(people({ sort: 'groupCount', dir: 'desc' })[0]?.id).toBe('00u1');
    expect(userFacets(ws.db, {}).departments).toEqual([
      { value: 'Engineering', count: 2 },
      { value: 'Sales', count: 2 },
      { value: 'Research', count: 1 },
    ]);
  });

  it('lists one connection as its accounts, each with its person', () => {
    refreshCorrelation(ws.db);
    const page = listUsers(ws.db, userQuery.parse({ connectionId: e }));
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => [r.id, r.accounts.map(short)])).toEqual([
      ['e-ada', [`${e}:e-ada/email`, `${o}:00u1`]],
      ['e-cloud', [`${e}:e-cloud`]],
      ['e-grace', [`${e}:e-grace/employee-id`, `${o}:00u2`]],
    ]);
    expect(userFacets(ws.db, { connectionId: e }).departments.map((d) => d.value)).toEqual(['', 'Engineering', 'Sales']);
  });

  it('lists everyone when a linked connection was removed since the last refresh', () => {
    refreshCorrelation(ws.db);
    ws.db.prepare('DELETE FROM connections WHERE id = ?').run(o);
    // e-ada and e-grace were linked to Okta accounts that are gone: still listed.
    expect(people().map((r) => r.id)).toEqual(['e-ada', 'e-cloud', 'e-grace']);
    refreshCorrelation(ws.db);
    expect(people().map((r) => r.id)).toEqual(['e-ada', 'e-cloud', 'e-grace']);
  });

  it('lists an identity that joined after the last refresh as its own person', () => {
    refreshCorrelation(ws.db);
    ws.db
      .prepare("INSERT INTO identities (connection_id, gen, id, login, email, display_name, status) VALUES (?, 1, 'e-new', 'new@acme.example', 'ada@acme.example', 'New Joiner', 'ACTIVE')")
      .run(e);
    expect(people().map((r) => r.id)).toContain('e-new');
    expect(listUsers(ws.db, userQuery.parse({})).total).toBe(6);
  });

  it('shows every account and their groups in a user detail', () => {
    refreshCorrelation(ws.db);
    const d = getUser(ws.db, e, 'e-ada');
    expect(d.accounts.map(short)).toEqual([`${e}:e-ada/email`, `${o}:00u1`]);
    expect(d.groups.map((g) => [g.connectionId, g.name])).toEqual([
      [e, 'M365 Engineering'],
      [o, 'engineering'],
    ]);
    expect(d.groupCount).toBe(1); // the requested account's own
    // The person's: what the people list shows, and exactly the groups listed.
    expect(d.personGroupCount).toBe(2);
    expect(d.groups).toHaveLength(d.personGroupCount);
    expect(d.accounts.map((a) => a.groupCount)).toEqual([1, 1]);
    expect(people({ search: 'ada' })[0]).toMatchObject({ groupCount: 1, personGroupCount: 2 });
    expect(d.displayName).toBe('Ada Lovelace (Entra)');
  });

  it('counts people on the dashboard', () => {
    refreshCorrelation(ws.db);
    const s = dashboardSummary(ws.db, { clock: { now: () => new Date('2025-06-01T00:00:00.000Z') }, readOnly: false, recentRuns: () => [] });
    expect(s).toMatchObject({ users: 5, activeUsers: 4, suspendedUsers: 1, deprovisionedUsers: 0 });
    // Stale: ACTIVE with no sign-in anywhere in 90 days. Grace signed in to Entra yesterday; Okta Only and Cloud Only never.
    expect(s.staleUsers).toBe(2);
  });

  it('answers directory:accounts and directory:correlationIssues over the handler table', async () => {
    entra([
      { id: 'd-1', email: 'dup@acme.example' },
      { id: 'd-2', email: 'dup@acme.example' },
    ], 'Entra dup');
    okta([{ id: '00ud', email: 'dup@acme.example' }], { name: 'Okta 2' });
    refreshCorrelation(ws.db);
    ws.db.close();
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    ws.db = ctx.db;
    const handlers = createHandlers(ctx, { version: '0.0.0' });
    const accounts = await dispatch(handlers, 'directory:accounts', { connectionId: o, id: '00u2' });
    expect(accounts.ok && (accounts.value as AccountRef[]).map(short)).toEqual([`${o}:00u2`, `${e}:e-grace/employee-id`]);
    const missing = await dispatch(handlers, 'directory:accounts', { connectionId: o, id: 'nobody' });
    expect(missing).toMatchObject({ ok: false, code: 'not-found' });
    const issues = await dispatch(handlers, 'directory:correlationIssues', {});
    expect(issues.ok && (issues.value as CorrelationIssue[]).map((i) => [i.reason, i.key, i.accounts.map((a) => a.id)])).toEqual([
      ['ambiguous-email', 'dup@acme.example', ['d-1', 'd-2', '00ud']],
    ]);
  });
});
