// The Directory's read model (migration 4) against a recomputation from the
// live snapshot, after every kind of write that changes it: seeding, the
// correlation, incremental sync's patch, provisioning's live patch, a full
// sync's flip and purge, a connection's removal, and the upgrade of an older
// file. The model is kept by triggers, so the check is the same everywhere:
// what the triggers left equals what the cur_* views and person_links say.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../electron/engine/db/database.js';
import { latestSchemaVersion, migrations } from '../../electron/engine/db/migrations/index.js';
import { refreshCorrelation } from '../../electron/engine/directory/correlation.js';
import { patchLiveMembership } from '../../electron/engine/sync/live-snapshot.js';
import { removeConnection } from '../../electron/engine/governance/connection-removal.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { applyPatch } from '../../electron/engine/sync/snapshot-patch.js';
import { beginSyncRun } from '../../electron/engine/sync/run-start.js';
import { openSnapshotWriter } from '../../electron/engine/sync/snapshot-writer.js';
import type { IdentityRecord } from '../../electron/engine/connectors/snapshot-model.js';
import { userQuery } from '../../shared/contract.js';
import { listUsers } from '../../electron/engine/directory/users.js';
import {
  createTempWorkspace,
  seedConnection,
  seededRandom,
  seedSynthetic,
  seedSyntheticMirror,
  type SeedConnection,
  type TempWorkspace,
} from '../fixtures/seed-snapshot.js';

const clock = { now: () => new Date('2026-11-22T10:00:00.000Z') };

type ModelRow = {
  connection_id: number;
  id: string;
  display_name: string;
  login: string;
  email: string | null;
  status: string;
  department: string | null;
  title: string | null;
  manager_id: string | null;
  manager_name: string | null;
  last_login: string | null;
  group_count: number;
  person_id: string;
  linked: number;
  listed: number;
  person_group_count: number | null;
  person_last_login: string | null;
};

/** What the model must hold, computed here in plain code from the live views and person_links. */
function expectedModel(db: Db): { accounts: ModelRow[]; groups: [number, string, number][] } {
  const ids = db
    .prepare(
      `SELECT connection_id, id, display_name, login, email, status, department, title, manager_id, last_login
       FROM cur_identities WHERE connection_id IN (SELECT id FROM connections) ORDER BY connection_id, id`,
    )
    .all() as Omit<ModelRow, 'manager_name' | 'group_count' | 'person_id' | 'linked' | 'listed' | 'person_group_count' | 'person_last_login'>[];
  const names = new Map(ids.map((i) => [`${i.connection_id}/${i.id}`, i.display_name]));
  const counts = new Map(
    (db.prepare('SELECT connection_id, identity_id, count(*) FROM cur_memberships GROUP BY 1, 2').raw().all() as [number, string, number][]).map(
      ([c, u, n]) => [`${c}/${u}`, n],
    ),
  );
  const links = new Map(
    (db.prepare('SELECT connection_id, identity_id, person_id, matched_by FROM person_links').raw().all() as [number, string, string, string | null][]).map(
      ([c, u, p, m]) => [`${c}/${u}`, { person: p, matched: m }],
    ),
  );
  const rows: ModelRow[] = ids.map((i) => {
    const link = links.get(`${i.connection_id}/${i.id}`);
    return {
      ...i,
      manager_name: i.manager_id === null ? null : (names.get(`${i.connection_id}/${i.manager_id}`) ?? null),
      group_count: counts.get(`${i.connection_id}/${i.id}`) ?? 0,
      person_id: link?.person ?? `${i.connection_id}:${i.id}`,
      linked: link ? 1 : 0,
      listed: link ? (link.matched === null ? 1 : 0) : 1,
      person_group_count: null,
      person_last_login: null,
    };
  });
  for (const r of rows) {
    if (r.listed !== 1 || r.linked !== 1) continue;
    const all = rows.filter((x) => x.person_id === r.person_id);
    r.person_group_count = all.reduce((n, x) => n + x.group_count, 0);
    const logins = all.map((x) => x.last_login).filter((x): x is string => x !== null).sort();
    r.person_last_login = logins[logins.length - 1] ?? null;
  }
  const groups = db
    .prepare(
      `SELECT g.connection_id, g.id, (SELECT count(*) FROM cur_memberships m WHERE m.connection_id = g.connection_id AND m.group_id = g.id)
       FROM cur_groups g ORDER BY 1, 2`,
    )
    .raw()
    .all() as [number, string, number][];
  return { accounts: rows, groups };
}

function storedModel(db: Db): { accounts: ModelRow[]; groups: [number, string, number][] } {
  return {
    accounts: db
      .prepare(
        `SELECT connection_id, id, display_name, login, email, status, department, title, manager_id, last_login, manager_name, group_count,
           person_id, linked, listed, person_group_count, person_last_login
         FROM directory_accounts ORDER BY connection_id, id`,
      )
      .all() as ModelRow[],
    groups: db.prepare('SELECT connection_id, id, member_count FROM directory_groups ORDER BY 1, 2').raw().all() as [number, string, number][],
  };
}

/** The model equals the recomputation, nothing is left in the bulk tables, and the search index holds exactly the model's rows. */
function expectModelInStep(db: Db): void {
  const stored = storedModel(db);
  const expected = expectedModel(db);
  const sortKey = (r: ModelRow): string => `${r.connection_id}/${r.id}`;
  expect(stored.accounts.map((r) => ({ ...r }))).toEqual(
    expected.accounts.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1)).map((r) => ({ ...r })),
  );
  expect(stored.groups).toEqual(expected.groups);
  expect(db.prepare('SELECT count(*) FROM directory_bulk').pluck().get()).toBe(0);
  const indexed = db.prepare('SELECT rowid FROM directory_search ORDER BY rowid').pluck().all();
  expect(indexed).toEqual(db.prepare('SELECT row FROM directory_accounts ORDER BY row').pluck().all());
  // Each row is found by its own text (the index holds the current values, not older ones).
  const find = db.prepare('SELECT rowid FROM directory_search WHERE directory_search MATCH ?').pluck();
  for (const r of db.prepare('SELECT row, display_name, login FROM directory_accounts').all() as { row: number; display_name: string; login: string }[]) {
    for (const text of [r.display_name, r.login]) {
      if ([...text].length >= 3) expect(find.all(`"${text.replaceAll('"', '""')}"`)).toContain(r.row);
    }
  }
}

const OKTA: SeedConnection = {
  name: 'Okta',
  kind: 'okta',
  staleGeneration: true,
  users: [
    // The report comes before the manager: the manager's name arrives with the manager.
    { id: 'o-ada', login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace', managerId: 'o-grace', lastLogin: '2026-01-01T00:00:00Z', department: 'Eng' },
    { id: 'o-grace', login: 'grace@acme.example', email: 'grace@acme.example', displayName: 'Grace Hopper', lastLogin: '2026-03-01T00:00:00Z', department: 'Eng' },
    { id: 'o-alan', login: 'alan@acme.example', email: 'alan@acme.example', displayName: 'Alan Turing', status: 'SUSPENDED' },
  ],
  groups: [
    { id: 'og-eng', name: 'engineering', members: ['o-ada', 'o-grace'] },
    { id: 'og-all', name: 'everyone', members: ['o-ada', 'o-grace', 'o-alan'] },
  ],
  apps: [{ id: 'oa-1', name: 'figma', label: 'Figma', groups: ['og-eng'] }],
};
const ENTRA: SeedConnection = {
  name: 'Entra',
  kind: 'entra',
  baseUrl: 'https://graph.microsoft.com',
  staleGeneration: true,
  users: [
    { id: 'e-ada', login: 'ada@acme.onmicrosoft.com', email: 'ada@acme.example', displayName: 'Ada King', lastLogin: '2026-05-01T00:00:00Z' },
    { id: 'e-grace', login: 'grace@acme.onmicrosoft.com', email: 'GRACE@acme.example', displayName: 'Grace Hopper' },
    { id: 'e-cloud', login: 'cloud@acme.onmicrosoft.com', email: null, displayName: 'Cloud Only' },
  ],
  groups: [
    { id: 'eg-eng', name: 'engineering', members: ['e-ada', 'e-grace'] },
    { id: 'eg-m365', name: 'm365', members: ['e-ada', 'e-cloud'] },
  ],
};

function identity(id: string, over: Partial<IdentityRecord> = {}): IdentityRecord {
  return {
    id, login: `${id}@acme.example`, email: `${id}@acme.example`, firstName: null, lastName: null, displayName: id, status: 'ACTIVE',
    department: null, title: null, managerId: null, location: null, employeeType: null, employeeNumber: null, lastLogin: null,
    created: null, lastUpdated: null, profile: '{}', ...over,
  };
}

let ws: TempWorkspace;
let okta: number;
let entra: number;
beforeEach(() => {
  ws = createTempWorkspace();
  okta = seedConnection(ws.db, OKTA);
  entra = seedConnection(ws.db, ENTRA);
});
afterEach(() => ws.cleanup());

describe('the Directory read model', () => {
  it('follows rows written into the live generation, and ignores the stale one', () => {
    expectModelInStep(ws.db);
    expect(ws.db.prepare("SELECT manager_name FROM directory_accounts WHERE id = 'o-ada'").pluck().get()).toBe('Grace Hopper');
    expect(ws.db.prepare("SELECT count(*) FROM directory_accounts WHERE id = 'ghost-user'").pluck().get()).toBe(0);
  });

  it('follows the correlation: people, their first accounts and their totals', () => {
    refreshCorrelation(ws.db);
    expectModelInStep(ws.db);
    const ada = ws.db.prepare("SELECT listed, linked, person_group_count, person_last_login FROM directory_accounts WHERE id = 'o-ada'").get();
    // Two Okta groups and two Entra groups; the newest sign-in is Entra's.
    expect(ada).toEqual({ listed: 1, linked: 1, person_group_count: 4, person_last_login: '2026-05-01T00:00:00Z' });
    expect(ws.db.prepare("SELECT listed FROM directory_accounts WHERE id = 'e-ada'").pluck().get()).toBe(0);
    // Unlinking (a second IdP gone from the correlation) puts everyone back on their own.
    ws.db.prepare('DELETE FROM person_links WHERE connection_id = ?').run(entra);
    expectModelInStep(ws.db);
  });

  it("follows incremental sync's patch: upserts, renames, leavers, memberships, a removed group", () => {
    refreshCorrelation(ws.db);
    const run = beginSyncRun(ws.db, okta, { actor: 'test', clock, mode: 'incremental' });
    applyPatch(ws.db, run, (p) => {
      p.upsertIdentities([
        identity('o-grace', { login: 'grace@acme.example', email: 'grace@acme.example', displayName: 'Grace B. Hopper', title: 'Rear Admiral', lastLogin: '2026-06-01T00:00:00Z' }),
        identity('o-new', { displayName: 'New Joiner', managerId: 'o-grace' }),
      ]);
      p.addMembership('og-eng', 'o-new');
      p.removeMembership('og-all', 'o-ada');
      p.removeIdentity('o-alan');
      p.setGroupMembers('og-all', ['o-new', 'o-grace']);
    });
    expectModelInStep(ws.db);
    // The report sees the manager's new name.
    expect(ws.db.prepare("SELECT manager_name FROM directory_accounts WHERE id = 'o-ada'").pluck().get()).toBe('Grace B. Hopper');
    applyPatch(ws.db, run, (p) => {
      p.removeGroup('og-eng');
      p.removeIdentity('o-grace');
    });
    expectModelInStep(ws.db);
    expect(ws.db.prepare("SELECT manager_name FROM directory_accounts WHERE id = 'o-ada'").pluck().get()).toBeNull();
  });

  it("follows provisioning's patch of the live memberships, and changes nothing when it repeats", () => {
    refreshCorrelation(ws.db);
    ws.db.transaction(() => {
      patchLiveMembership(ws.db, entra, 'eg-m365', 'e-grace', true);
      patchLiveMembership(ws.db, entra, 'eg-m365', 'e-grace', true); // already a member
      patchLiveMembership(ws.db, okta, 'og-eng', 'o-ada', false);
      patchLiveMembership(ws.db, okta, 'og-eng', 'o-ada', false); // already gone
    })();
    expectModelInStep(ws.db);
    expect(ws.db.prepare("SELECT person_group_count FROM directory_accounts WHERE id = 'o-grace'").pluck().get()).toBe(5 - 1 + 0);
    // Sign-ins move both ways: a newer one is the person's newest at once, an older one makes it look again.
    const signIn = ws.db.prepare('UPDATE identities SET last_login = ? WHERE connection_id = ? AND gen = 1 AND id = ?');
    signIn.run('2026-09-01T00:00:00Z', okta, 'o-ada');
    expectModelInStep(ws.db);
    signIn.run('2025-01-01T00:00:00Z', okta, 'o-ada');
    signIn.run(null, entra, 'e-ada');
    expectModelInStep(ws.db);
    expect(ws.db.prepare("SELECT person_last_login FROM directory_accounts WHERE id = 'o-ada'").pluck().get()).toBe('2025-01-01T00:00:00Z');
  });

  it("follows a full sync's flip: joiners, leavers, changed rows and counts, then the purge of the old generation", async () => {
    refreshCorrelation(ws.db);
    const run = beginSyncRun(ws.db, okta, { actor: 'test', clock });
    const w = await openSnapshotWriter(ws.db, run, { actor: 'test', clock, threaded: false });
    w.addIdentities([
      identity('o-ada', { login: 'ada@acme.example', email: 'ada@acme.example', displayName: 'Ada Lovelace', title: 'Countess', lastLogin: '2026-07-01T00:00:00Z' }),
      identity('o-grace', { login: 'grace@acme.example', email: 'grace@acme.example', displayName: 'Grace Hopper', managerId: 'o-ada' }),
      identity('o-linus', { displayName: 'Linus Torvalds' }),
    ]);
    w.addGroups([
      { id: 'og-eng', name: 'engineering', description: null, type: 'OKTA_GROUP', managedBy: 'direct', managedByName: null, lastMembershipUpdated: null, lastUpdated: null },
      { id: 'og-new', name: 'kernel', description: null, type: 'OKTA_GROUP', managedBy: 'direct', managedByName: null, lastMembershipUpdated: null, lastUpdated: null },
    ]);
    w.addMemberships('og-eng', ['o-ada', 'o-linus']);
    w.addMemberships('og-new', ['o-linus']);
    await w.commit({ requests: 1, throttledWaits: 0, rateLimited: 0 });
    expectModelInStep(ws.db);
    refreshCorrelation(ws.db);
    expectModelInStep(ws.db);
    expect(ws.db.prepare("SELECT count(*) FROM identities WHERE connection_id = ? AND gen = 1").pluck().get(okta)).toBe(0);
  });

  it("follows a connection's removal, before and after the correlation catches up", () => {
    refreshCorrelation(ws.db);
    // Removed behind the engine's back: the accounts whose first account went with it are listed on their own.
    ws.db.pragma('foreign_keys = ON');
    ws.db.transaction(() => ws.db.prepare('DELETE FROM connections WHERE id = ?').run(okta))();
    expect(ws.db.prepare("SELECT listed, linked, person_id FROM directory_accounts WHERE id = 'e-ada'").get()).toEqual({ listed: 1, linked: 0, person_id: `${entra}:e-ada` });
    expect(ws.db.prepare('SELECT count(*) FROM directory_accounts WHERE connection_id = ?').pluck().get(okta)).toBe(0);
    refreshCorrelation(ws.db);
    expectModelInStep(ws.db);
  });

  it('follows removeConnection', async () => {
    refreshCorrelation(ws.db);
    ws.db.close();
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'cli' });
    ws.db = ctx.db;
    await removeConnection(ctx, entra);
    expectModelInStep(ws.db);
    expect(ws.db.prepare('SELECT count(*) FROM directory_accounts WHERE connection_id = ?').pluck().get(entra)).toBe(0);
  });
});

describe('migration 4', () => {
  it('builds the model of a workspace synced before it, people and totals included', () => {
    const file = path.join(ws.dir, 'v3.latchkey');
    const v3 = openDatabase(file, { migrations: migrations.slice(0, 3) });
    const o = seedConnection(v3, OKTA);
    const e = seedConnection(v3, ENTRA);
    // What a version-3 correlation refresh left.
    const link = v3.prepare('INSERT INTO person_links (connection_id, identity_id, person_id, matched_by) VALUES (?, ?, ?, ?)');
    link.run(o, 'o-ada', `${o}:o-ada`, null);
    link.run(e, 'e-ada', `${o}:o-ada`, 'email');
    expect(v3.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'directory_accounts'").pluck().get()).toBe(0);
    v3.close();
    // Upgraded through migration 4 (and whatever came after it) on open.
    const db = openDatabase(file);
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(latestSchemaVersion);
      expectModelInStep(db);
      expect(db.prepare("SELECT person_group_count FROM directory_accounts WHERE id = 'o-ada'").pluck().get()).toBe(4);
    } finally {
      db.close();
      fs.rmSync(file, { force: true });
    }
  });
});

describe('search through the trigram index', () => {
  /** The Directory's search before the index: LIKE on every account, a person matching through any of theirs. */
  function likeSearch(db: Db, text: string, connectionId?: number): string[] {
    const terms = text.trim().split(/\s+/).filter(Boolean);
    const cols = ['display_name', 'login', 'email', 'department', 'title'];
    const where = terms.map(() => `(${cols.map((c) => `a.${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`).join(' AND ');
    const params = terms.flatMap((t) => cols.map(() => `%${t.replace(/[\\%_]/g, (c) => `\\${c}`)}%`));
    const matching = db
      .prepare(`SELECT a.connection_id, a.id FROM cur_identities a WHERE ${where}`)
      .raw()
      .all(...params) as [number, string][];
    const personOf = new Map(
      (db.prepare('SELECT connection_id, identity_id, person_id FROM person_links').raw().all() as [number, string, string][]).map(([c, i, p]) => [`${c}:${i}`, p]),
    );
    const firstOf = new Map(
      (db.prepare('SELECT person_id, connection_id, identity_id FROM person_links WHERE matched_by IS NULL').raw().all() as [string, number, string][]).map(
        ([p, c, i]) => [p, `${c}:${i}`],
      ),
    );
    const out = new Set<string>();
    for (const [c, id] of matching) {
      if (connectionId !== undefined) {
        if (c === connectionId) out.add(`${c}:${id}`);
        continue;
      }
      const p = personOf.get(`${c}:${id}`);
      out.add(p === undefined ? `${c}:${id}` : (firstOf.get(p) as string));
    }
    return [...out].sort();
  }
  const viaIndex = (db: Db, search: string, connectionId?: number): string[] =>
    listUsers(db, userQuery.parse({ search, limit: 500, ...(connectionId === undefined ? {} : { connectionId }) }))
      .rows.map((r) => `${r.connectionId}:${r.id}`)
      .sort();

  it('finds exactly what LIKE finds, for people and for one connection, on a seeded org', () => {
    const cid = seedSynthetic(ws.db, { users: 400, groups: 30, memberships: 2000, seed: 7 });
    const mirror = seedSyntheticMirror(ws.db, cid, { skipEvery: 9, upperCaseEvery: 5, missingEmailEvery: 11, extraUsers: 20 });
    // Non-ASCII text: LIKE folds ASCII case only, the trigram index folds all of it; the re-check keeps LIKE's answer.
    seedConnection(ws.db, {
      name: 'Unicode',
      users: [
        { id: 'u-jorg', displayName: 'Jörg Ünal', login: 'jorg@acme.example', title: 'Ingénieur' },
        { id: 'u-quote', displayName: 'Dwayne "The Rock" Johnson', login: 'dwayne@acme.example', department: '50%_off' },
      ],
    });
    refreshCorrelation(ws.db);
    const rnd = seededRandom(3);
    const texts = ws.db.prepare("SELECT display_name, login, coalesce(email, ''), coalesce(department, ''), coalesce(title, '') FROM cur_identities").raw().all() as string[][];
    const pieces: string[] = [];
    for (let k = 0; k < 60; k++) {
      const row = texts[Math.floor(rnd() * texts.length)] as string[];
      const text = row[Math.floor(rnd() * row.length)] as string;
      if (text.length < 3) continue;
      const len = 3 + Math.floor(rnd() * Math.min(6, text.length - 2));
      const at = Math.floor(rnd() * (text.length - len + 1));
      const piece = text.slice(at, at + len).trim();
      if ([...piece].length >= 3 && !/\s/.test(piece)) pieces.push(rnd() < 0.3 ? piece.toUpperCase() : piece);
    }
    const searches = [
      ...pieces,
      ...pieces.slice(0, 15).map((p, i) => `${p} ${pieces[(i * 7 + 3) % pieces.length]}`),
      'ada engineer', 'lovelace.1', '.example', 'JÖRG', 'jörg', 'ingénieur', 'INGÉNIEUR', '"the', 'rock"', '50%_', '%_o', 'a_a', 'nobody-matches-this',
      'ada x', 'e ada', // a short term beside a long one: substring, like LIKE
    ];
    expect(searches.length).toBeGreaterThan(60);
    for (const s of searches) {
      expect(viaIndex(ws.db, s), s).toEqual(likeSearch(ws.db, s));
      expect(viaIndex(ws.db, s, mirror), `${s} (one connection)`).toEqual(likeSearch(ws.db, s, mirror));
    }
    expect(viaIndex(ws.db, 'jörg')).toHaveLength(1);
    expect(viaIndex(ws.db, 'JÖRG')).toEqual([]);
  });
});
