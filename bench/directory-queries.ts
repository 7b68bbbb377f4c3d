// Directory query timings on a synthetic 100k-user workspace (100,000 users,
// 5,000 groups, ~1,000,000 memberships), through the real query functions.
// Not a timed test: it prints medians for bench/RESULTS.md.
//
// --hybrid adds an Entra connection holding the same people (98% of them,
// some e-mails upper-cased or missing, plus 2% cloud-only accounts, with the
// same groups and memberships), times the identity correlation on the
// 2 x 100k accounts, and runs the same queries: without a connection they
// now list PEOPLE (about 102k rows over 200k accounts).
//
// It also times what the Directory's read model (migration 4: the slim
// per-account rows, member counts and the trigram search index, kept by
// triggers) costs a sync: building it when a connection's first snapshot
// goes live, merging it when a full sync's generation goes live (1% of the
// people changed, half of the sign-in times moved), and the live membership
// changes of incremental sync and provisioning with and without it.
//
//   node --import tsx bench/directory-queries.ts [--users 100000] [--runs 7] [--hybrid]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { appQuery, groupMembersQuery, groupQuery, userQuery } from '../shared/contract.js';
import { openDatabase, type Db } from '../electron/engine/db/database.js';
import { listApps } from '../electron/engine/directory/apps.js';
import { dashboardSummary } from '../electron/engine/directory/dashboard.js';
import { getGroup, listGroupMembers, listGroups } from '../electron/engine/directory/groups.js';
import { createPageCache, type PageCache } from '../electron/engine/db/query-kit.js';
import { refreshCorrelation, type CorrelationStats } from '../electron/engine/directory/correlation.js';
import { getUser, listUsers, userFacets } from '../electron/engine/directory/users.js';
import { patchLiveMembership } from '../electron/engine/sync/live-snapshot.js';
import { searchBeneficiaries } from '../electron/engine/directory/people-lookup.js';
import { makeLive, seedSynthetic, seedSyncRun, seedSyntheticMirror } from '../test/fixtures/seed-snapshot.js';

export type DirectoryBenchRow = {
  query: string;
  medianMs: number;
  maxMs: number;
  /** After `PRAGMA analysis_limit=1000; ANALYZE` (what a sync could run after committing). */
  statsMedianMs: number | null;
  rows: number;
  total: number | null;
};

function measure(runs: number, fn: () => { rows: number; total: number | null }): { medianMs: number; maxMs: number; rows: number; total: number | null } {
  let last = fn(); // warm-up: statement compilation, page cache of the OS
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    last = fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { medianMs: times[Math.floor(times.length / 2)] ?? 0, maxMs: times[times.length - 1] ?? 0, ...last };
}

export type CorrelationBenchRow = { case: string; outcome: CorrelationStats['outcome']; medianMs: number; maxMs: number; written: number; people: number };

export type ModelCostRow = { case: string; ms: number; note: string };

export function runDirectoryBench(o: { users: number; runs: number; dir?: string; hybrid?: boolean }): {
  rows: DirectoryBenchRow[];
  correlation: CorrelationBenchRow[];
  modelCost: ModelCostRow[];
  seedMs: number;
  analyzeMs: number;
  file: string;
} {
  const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'latchkey-dirbench-'));
  const file = path.join(dir, 'bench.latchkey');
  const writer = openDatabase(file);
  const modelCost: ModelCostRow[] = [];
  const t0 = performance.now();
  const cid = seedSynthetic(writer, { users: o.users, groups: Math.max(10, Math.round(o.users / 20)), memberships: o.users * 10, live: false });
  modelCost.push({ case: 'first snapshot of a connection goes live: model built', ms: makeLive(writer, cid), note: `${o.users} accounts` });
  if (o.hybrid) {
    const mirror = seedSyntheticMirror(writer, cid, { skipEvery: 50, upperCaseEvery: 7, missingEmailEvery: 40, extraUsers: Math.round(o.users / 50), live: false });
    modelCost.push({ case: 'same, the Entra mirror', ms: makeLive(writer, mirror), note: `${writer.prepare('SELECT count(*) FROM cur_identities WHERE connection_id = ?').pluck().get(mirror) as number} accounts` });
  }
  const seedMs = performance.now() - t0;
  const correlation = o.hybrid ? correlationBench(writer, o.runs) : [];
  modelCost.push(...modelCostBench(writer, cid));
  writer.close();
  // Read as the UI does on a copied snapshot: read-only, through cur_* views.
  let db: Db = openDatabase(file, { readOnly: true });
  const out = suite(db, cid, o.runs);
  db.close();
  // The same queries once the file has planner statistics: without them SQLite
  // scans identities and probes connections per row instead of the reverse.
  const analyzer = openDatabase(file);
  const t1 = performance.now();
  analyzer.exec('PRAGMA analysis_limit = 1000; ANALYZE;');
  const analyzeMs = performance.now() - t1;
  analyzer.close();
  db = openDatabase(file, { readOnly: true });
  const withStats = suite(db, cid, o.runs);
  db.close();
  for (const row of out) row.statsMedianMs = withStats.find((r) => r.query === row.query)?.medianMs ?? null;
  if (!o.dir) fs.rmSync(dir, { recursive: true, force: true });
  return { rows: out, correlation, modelCost, seedMs, analyzeMs, file };
}

/**
 * What keeping the Directory's model costs a sync, beyond the first build:
 * a full sync's flip (the new generation of connection `cid` is a copy of
 * the live one with 1% of the people changed (title, name, groups), 1% gone,
 * 1% new, and every other sign-in time moved), and 1,000 live membership
 * changes (incremental sync, provisioning) with and without the model's
 * triggers (dropped inside a transaction that is rolled back).
 */
function modelCostBench(db: Db, cid: number): ModelCostRow[] {
  const out: ModelCostRow[] = [];
  const live = db.prepare('SELECT live_gen FROM connections WHERE id = ?').pluck().get(cid) as number;
  const next = live + 1;
  const n = "CAST(substr(id, 4) AS INTEGER)";
  db.transaction(() => {
    db.prepare(
      `INSERT INTO identities (connection_id, gen, id, login, email, first_name, last_name, display_name, status, department, title, manager_id,
         location, employee_type, employee_number, last_login, created, last_updated, profile)
       SELECT connection_id, ?, id, login, email, first_name, last_name,
         CASE WHEN ${n} % 100 = 1 THEN display_name || ' Jr' ELSE display_name END, status, department,
         CASE WHEN ${n} % 100 = 2 THEN 'Principal' ELSE title END, manager_id, location, employee_type, employee_number,
         CASE WHEN ${n} % 2 = 0 THEN '2025-06-02T00:00:00.000Z' ELSE last_login END, created, last_updated, profile
       FROM identities WHERE connection_id = ? AND gen = ? AND ${n} % 100 <> 3`,
    ).run(next, cid, live);
    db.prepare(
      `INSERT INTO identities (connection_id, gen, id, login, email, display_name, status, profile)
       SELECT ?, ?, '00v' || substr(id, 4), 'new.' || login, 'new.' || email, 'New ' || display_name, 'ACTIVE', '{}'
       FROM identities WHERE connection_id = ? AND gen = ? AND ${n} % 100 = 4`,
    ).run(cid, next, cid, live);
    db.prepare(
      `INSERT INTO groups (connection_id, gen, id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated)
       SELECT connection_id, ?, id, name, description, type, managed_by, managed_by_name, last_membership_updated, last_updated
       FROM groups WHERE connection_id = ? AND gen = ?`,
    ).run(next, cid, live);
    db.prepare(
      `INSERT INTO memberships (connection_id, gen, group_id, identity_id)
       SELECT connection_id, ?, group_id, identity_id FROM memberships
       WHERE connection_id = ? AND gen = ? AND CAST(substr(identity_id, 4) AS INTEGER) % 100 NOT IN (3, 5)`,
    ).run(next, cid, live);
  })();
  out.push({ case: 'full sync (1% changed, half the sign-ins moved) goes live: model merged', ms: makeLive(db, cid, next), note: 'inside the flip transaction' });
  db.prepare('DELETE FROM identities WHERE connection_id = ? AND gen < ?').run(cid, next);
  db.prepare('DELETE FROM memberships WHERE connection_id = ? AND gen < ?').run(cid, next);
  db.prepare('DELETE FROM groups WHERE connection_id = ? AND gen < ?').run(cid, next);

  const pairs = db
    .prepare('SELECT group_id, identity_id FROM memberships WHERE connection_id = ? AND gen = ? LIMIT 500')
    .raw()
    .all(cid, next) as [string, string][];
  const changes = (): number => {
    const t = performance.now();
    db.transaction(() => {
      for (const [g, u] of pairs) patchLiveMembership(db, cid, g, u, false);
      for (const [g, u] of pairs) patchLiveMembership(db, cid, g, u, true);
    })();
    return performance.now() - t;
  };
  changes(); // warm-up
  const withModel = changes();
  db.exec('BEGIN');
  for (const t of ['memberships_directory_insert', 'memberships_directory_delete']) db.exec(`DROP TRIGGER ${t}`);
  const t = performance.now();
  for (const [g, u] of pairs) patchLiveMembership(db, cid, g, u, false);
  for (const [g, u] of pairs) patchLiveMembership(db, cid, g, u, true);
  const without = performance.now() - t;
  db.exec('ROLLBACK');
  out.push({ case: '1,000 live membership changes (incremental sync, provisioning)', ms: withModel, note: `${without.toFixed(1)} ms without the model` });
  return out;
}

export function formatModelCost(rows: readonly ModelCostRow[]): string {
  const lines = ['| the Directory model at sync time | ms | |', '| --- | ---: | --- |'];
  for (const r of rows) lines.push(`| ${r.case} | ${r.ms.toFixed(1)} | ${r.note} |`);
  return lines.join('\n');
}

/**
 * refreshCorrelation on the hybrid workspace, in the situations a sync leaves
 * it in: the first refresh (every link written); a full sync where no key
 * changed (the keys are read and hashed, nothing recomputed); the same
 * forced through the rules (what any key change costs before writing); 1% of
 * the Entra accounts changed e-mail or employee id; an incremental sync that
 * recorded no identity change (fingerprint only).
 */
function correlationBench(db: Db, runs: number): CorrelationBenchRow[] {
  const out: CorrelationBenchRow[] = [];
  const time = (name: string, times: number, before: () => void, fn: () => CorrelationStats): void => {
    const ms: number[] = [];
    let last: CorrelationStats | undefined;
    for (let k = 0; k < times; k++) {
      before();
      const t = performance.now();
      last = fn();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    out.push({
      case: name,
      outcome: last?.outcome ?? 'skipped',
      medianMs: ms[Math.floor(ms.length / 2)] ?? 0,
      maxMs: ms[ms.length - 1] ?? 0,
      written: last?.written ?? 0,
      people: last?.people ?? 0,
    });
  };
  const okta = db.prepare("SELECT id FROM connections WHERE kind = 'okta' ORDER BY id").pluck().get() as number;
  const entra = db.prepare("SELECT id FROM connections WHERE kind = 'entra'").pluck().get() as number;
  const run = seedSyncRun(db, { connectionId: okta, startedAt: '2025-06-01T00:00:00.000Z' });
  // What a sync that saw a joiner records: the fingerprint can no longer vouch for the links.
  const recordJoiner = (): void => {
    db.prepare("INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id) VALUES (?, ?, 'joiner', 'user', '00u00000001')").run(run, okta);
  };
  time('first refresh (no links yet)', Math.min(runs, 3), () => db.exec('DELETE FROM person_links'), () => refreshCorrelation(db, { force: true }));
  time('full sync, no key changed (keys read and hashed)', runs, recordJoiner, () => refreshCorrelation(db));
  time('same, forced through the rules (nothing to write)', runs, () => undefined, () => refreshCorrelation(db, { force: true }));
  let round = 0;
  time(
    '1% of Entra accounts changed e-mail or employee id',
    runs,
    () => {
      round++;
      db.prepare(
        `UPDATE identities SET email = CASE WHEN abs(random()) % 2 = 0 THEN 'moved.' || id || '.' || ? || '@synthetic.example' ELSE email END,
           employee_number = CASE WHEN abs(random()) % 2 = 0 THEN NULL ELSE employee_number END
         WHERE connection_id = ? AND gen = 1 AND abs(random()) % 100 = 0`,
      ).run(round, entra);
      recordJoiner();
    },
    () => refreshCorrelation(db),
  );
  time('incremental sync without identity changes', runs, () => undefined, () => refreshCorrelation(db));
  return out;
}

export function formatCorrelationBench(rows: readonly CorrelationBenchRow[]): string {
  const lines = [
    '| refreshCorrelation | outcome | median ms | max ms | links written | people |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) lines.push(`| ${r.case} | ${r.outcome} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} | ${r.written} | ${r.people || ''} |`);
  return lines.join('\n');
}

function suite(db: Db, cid: number, runs: number): DirectoryBenchRow[] {
  const o = { runs };
  const out: DirectoryBenchRow[] = [];
  const page = (p: { total: number; rows: unknown[] }) => ({ rows: p.rows.length, total: p.total });
  const add = (query: string, fn: () => { rows: number; total: number | null }): void => {
    out.push({ query, statsMedianMs: null, ...measure(o.runs, fn) });
  };
  const fresh = (): PageCache => createPageCache();
  const biggestGroup = db
    .prepare('SELECT group_id FROM cur_memberships GROUP BY connection_id, group_id ORDER BY count(*) DESC LIMIT 1')
    .pluck()
    .get() as string;

  const someone = db.prepare("SELECT id FROM cur_identities WHERE connection_id = ? AND id <= '00u00012345' ORDER BY id DESC LIMIT 1").pluck().get(cid) as string;
  add('users: page 1, sort name', () => page(listUsers(db, userQuery.parse({}), fresh())));
  add('users: page 1, sort lastLogin desc', () => page(listUsers(db, userQuery.parse({ sort: 'lastLogin', dir: 'desc' }), fresh())));
  add('users: page 1, sort title', () => page(listUsers(db, userQuery.parse({ sort: 'title' }), fresh())));
  add('users: page 1, sort groupCount desc', () => page(listUsers(db, userQuery.parse({ sort: 'groupCount', dir: 'desc' }), fresh())));
  add('users: page 1, sort manager', () => page(listUsers(db, userQuery.parse({ sort: 'manager' }), fresh())));
  add('users: filter status+department', () =>
    page(listUsers(db, userQuery.parse({ status: ['ACTIVE'], department: ['Sales', 'Legal'] }), fresh())),
  );
  add('users: search "lovelace.1" (narrow)', () => page(listUsers(db, userQuery.parse({ search: 'lovelace.1' }), fresh())));
  add('users: search "ada" (~6%)', () => page(listUsers(db, userQuery.parse({ search: 'ada' }), fresh())));
  add('users: search "ada engineer" (2 terms)', () => page(listUsers(db, userQuery.parse({ search: 'ada engineer' }), fresh())));
  add('users: search "a" (matches ~all)', () => page(listUsers(db, userQuery.parse({ search: 'a' }), fresh())));
  add('users: offset 50,000, uncached', () => page(listUsers(db, userQuery.parse({ offset: 50_000 }), fresh())));
  add('users: offset 50,000 groupCount, uncached', () =>
    page(listUsers(db, userQuery.parse({ offset: 50_000, sort: 'groupCount', dir: 'desc' }), fresh())),
  );
  const warm = createPageCache();
  listUsers(db, userQuery.parse({ offset: 50_000 }), warm);
  let off = 50_000;
  add('users: next page while scrolling (cached keys)', () => {
    off += 200;
    return page(listUsers(db, userQuery.parse({ offset: off }), warm));
  });
  const warmGc = createPageCache();
  listUsers(db, userQuery.parse({ sort: 'groupCount', dir: 'desc', offset: 2000 }), warmGc);
  let offGc = 2000;
  add('users: next page, sort groupCount (cached keys)', () => {
    offGc += 200;
    return page(listUsers(db, userQuery.parse({ sort: 'groupCount', dir: 'desc', offset: offGc }), warmGc));
  });
  const warmCount = createPageCache();
  listUsers(db, userQuery.parse({}), warmCount);
  let variant = 0;
  add('users: page 1, re-sorted (count cached, page not)', () => {
    variant++; // a new limit each run, so only the count can come from the cache
    return page(listUsers(db, userQuery.parse({ sort: variant % 2 ? 'login' : 'email', limit: 150 + variant }), warmCount));
  });
  add('users: search "ad" (two characters: start of name/login/e-mail)', () => page(listUsers(db, userQuery.parse({ search: 'ad' }), fresh())));
  add('users: one connection, page 1', () => page(listUsers(db, userQuery.parse({ connectionId: cid }), fresh())));
  add('users: one connection, sort groupCount desc', () => page(listUsers(db, userQuery.parse({ connectionId: cid, sort: 'groupCount', dir: 'desc' }), fresh())));
  add('users: one connection, search "ada"', () => page(listUsers(db, userQuery.parse({ connectionId: cid, search: 'ada' }), fresh())));
  add('users: one connection, facets', () => {
    const f = userFacets(db, { connectionId: cid });
    return { rows: f.statuses.length + f.departments.length, total: null };
  });
  add('people picker: search "ada lovelace"', () => ({ rows: searchBeneficiaries(db, 'ada lovelace', 8).length, total: null }));
  add('people picker: search "ad"', () => ({ rows: searchBeneficiaries(db, 'ad', 8).length, total: null }));
  add('users: facets', () => {
    const f = userFacets(db, {});
    return { rows: f.statuses.length + f.departments.length, total: null };
  });
  add('user detail', () => {
    const d = getUser(db, cid, someone);
    return { rows: d.groups.length + d.apps.length, total: null };
  });
  add('groups: page 1, sort name', () => page(listGroups(db, groupQuery.parse({}), fresh())));
  add('groups: page 1, sort memberCount desc', () => page(listGroups(db, groupQuery.parse({ sort: 'memberCount', dir: 'desc' }), fresh())));
  add('groups: search "sales"', () => page(listGroups(db, groupQuery.parse({ search: 'sales' }), fresh())));
  add('group detail (largest group)', () => {
    const g = getGroup(db, cid, biggestGroup);
    return { rows: g.apps.length, total: g.memberCount };
  });
  add('group members: page 1 (largest group)', () => page(listGroupMembers(db, groupMembersQuery.parse({ connectionId: cid, id: biggestGroup }), fresh())));
  add('apps: page 1, sort groupCount', () => page(listApps(db, appQuery.parse({ sort: 'groupCount', dir: 'desc' }), fresh())));
  add('dashboard summary', () => {
    const s = dashboardSummary(db, { clock: { now: () => new Date('2025-06-01T00:00:00Z') }, readOnly: true, recentRuns: () => [] });
    return { rows: 1, total: s.users };
  });
  return out;
}

export function formatDirectoryBench(rows: readonly DirectoryBenchRow[]): string {
  const lines = ['| query | median ms | max ms | median ms with ANALYZE stats | rows | total |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
  for (const r of rows) {
    lines.push(`| ${r.query} | ${r.medianMs.toFixed(1)} | ${r.maxMs.toFixed(1)} | ${r.statsMedianMs?.toFixed(1) ?? ''} | ${r.rows} | ${r.total ?? ''} |`);
  }
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const { values } = parseArgs({
    options: { users: { type: 'string', default: '100000' }, runs: { type: 'string', default: '7' }, hybrid: { type: 'boolean', default: false } },
  });
  const users = Number(values.users);
  const result = runDirectoryBench({ users, runs: Number(values.runs), hybrid: values.hybrid });
  console.log(
    `directory queries: ${users} users${values.hybrid ? ' in Okta + an Entra mirror' : ''} (seeded in ${Math.round(result.seedMs)} ms; ANALYZE ${Math.round(result.analyzeMs)} ms), ` +
      `${os.cpus()[0]?.model ?? 'cpu'} x${os.cpus().length}, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  );
  if (result.correlation.length > 0) console.log(`${formatCorrelationBench(result.correlation)}\n`);
  console.log(`${formatModelCost(result.modelCost)}\n`);
  console.log(formatDirectoryBench(result.rows));
}
