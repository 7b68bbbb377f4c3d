// Snapshot history on a real SQLite file: listing recorded changes (filters,
// search, counts, paging) and the net diff between two runs (composition of
// the runs in between, clear errors), including a randomised check of the
// composition against a model of the directory's state after every run.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changesQuery, diffQuery, type ChangesQuery, type DiffQuery } from '../../shared/contract.js';
import type { ChangeKind, SnapshotChange } from '../../shared/domain.js';
import type { Db } from '../../electron/engine/db/database.js';
import { statusChangeKind } from '../../electron/engine/sync/change-rules.js';
import { diffRuns, listChanges } from '../../electron/engine/sync/changes.js';
import { createTempWorkspace, seedConnection, seededRandom, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let db: Db;
let acme: number;
let beta: number;

beforeEach(() => {
  ws = createTempWorkspace('latchkey-changes-');
  db = ws.db;
  acme = seedConnection(db, { name: 'Acme' });
  beta = seedConnection(db, { name: 'Beta' });
});
afterEach(() => ws.cleanup());

let minute = 0;
/** A finished run; the first one of a connection is its baseline unless said otherwise. */
function addRun(connectionId: number, opts: { status?: 'succeeded' | 'failed' | 'running'; baseline?: boolean } = {}): number {
  const status = opts.status ?? 'succeeded';
  const first = db.prepare("SELECT count(*) FROM sync_runs WHERE connection_id = ? AND status = 'succeeded'").pluck().get(connectionId) === 0;
  const at = new Date(Date.UTC(2026, 0, 1, 0, minute++)).toISOString();
  return Number(
    db
      .prepare('INSERT INTO sync_runs (connection_id, mode, status, gen, started_at, finished_at, baseline) VALUES (?, ?, ?, 1, ?, ?, ?)')
      .run(connectionId, 'full', status, at, status === 'running' ? null : at, (opts.baseline ?? (first && status === 'succeeded')) ? 1 : 0).lastInsertRowid,
  );
}

type Row = {
  kind: ChangeKind;
  type?: 'user' | 'group' | 'app';
  id: string;
  name?: string | null;
  objectId?: string | null;
  objectName?: string | null;
  field?: string | null;
  before?: string | null;
  after?: string | null;
};

/** Records changes for a run as the patch or the full-sync diff would. */
function record(runId: number, rows: Row[]): void {
  const connectionId = db.prepare('SELECT connection_id FROM sync_runs WHERE id = ?').pluck().get(runId) as number;
  const insert = db.prepare(
    `INSERT INTO sync_changes (run_id, connection_id, kind, subject_type, subject_id, subject_name, object_id, object_name, field, before, after)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const r of rows) {
    const type = r.type ?? (r.kind.startsWith('group-') ? 'group' : r.kind.startsWith('app-') || r.kind.startsWith('assignment-') ? 'app' : 'user');
    insert.run(runId, connectionId, r.kind, type, r.id, r.name === undefined ? `Name ${r.id}` : r.name, r.objectId ?? null, r.objectName ?? null, r.field ?? null, r.before ?? null, r.after ?? null);
  }
  db.prepare('UPDATE sync_runs SET changes = changes + ? WHERE id = ?').run(rows.length, runId);
}

const diff = (input: Partial<DiffQuery> & { fromRunId: number; toRunId: number }) => diffRuns(db, diffQuery.parse(input));
const list = (input: Partial<ChangesQuery> = {}) => listChanges(db, changesQuery.parse(input));
/** The facts of a change, without seq/run/names. */
const fact = (c: SnapshotChange): string => [c.kind, c.subjectType, c.subjectId, c.objectId ?? '', c.field ?? '', c.before ?? '∅', c.after ?? '∅'].join('|');
const facts = (cs: SnapshotChange[]): string[] => cs.map(fact).sort();

describe('diffRuns: composition of the runs in between', () => {
  it('a membership added then removed is nothing; removed then added again is nothing', () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    const r4 = addRun(acme);
    record(r2, [{ kind: 'membership-add', id: 'u1', objectId: 'g1', objectName: 'Sales' }]);
    record(r3, [{ kind: 'membership-remove', id: 'u1', objectId: 'g1', objectName: 'Sales' }, { kind: 'membership-remove', id: 'u2', objectId: 'g1' }]);
    record(r4, [{ kind: 'membership-add', id: 'u2', objectId: 'g1' }]);
    expect(facts(diff({ fromRunId: r1, toRunId: r2 }).rows)).toEqual(['membership-add|user|u1|g1||∅|∅']);
    expect(facts(diff({ fromRunId: r2, toRunId: r3 }).rows)).toEqual(['membership-remove|user|u1|g1||∅|∅', 'membership-remove|user|u2|g1||∅|∅']);
    expect(diff({ fromRunId: r1, toRunId: r3 }).rows.map(fact)).toEqual(['membership-remove|user|u2|g1||∅|∅']);
    expect(diff({ fromRunId: r1, toRunId: r4 })).toMatchObject({ total: 0, rows: [], counts: {} });
  });

  it('a status that returns to its value vanishes; a chain keeps first before and last after, with the kind recomputed', () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    const r4 = addRun(acme);
    record(r2, [
      { kind: 'status', id: 'u1', field: 'status', before: 'ACTIVE', after: 'SUSPENDED' },
      { kind: 'status', id: 'u2', field: 'status', before: 'ACTIVE', after: 'SUSPENDED' },
      { kind: 'leaver', id: 'u3', field: 'status', before: 'ACTIVE', after: 'DEPROVISIONED' },
    ]);
    record(r3, [
      { kind: 'status', id: 'u1', field: 'status', before: 'SUSPENDED', after: 'ACTIVE' },
      { kind: 'leaver', id: 'u2', field: 'status', before: 'SUSPENDED', after: 'DEPROVISIONED' },
      { kind: 'status', id: 'u3', field: 'status', before: 'DEPROVISIONED', after: 'PROVISIONED' },
    ]);
    record(r4, [{ kind: 'status', id: 'u3', field: 'status', before: 'PROVISIONED', after: 'ACTIVE' }]);
    expect(facts(diff({ fromRunId: r1, toRunId: r3 }).rows)).toEqual([
      // ACTIVE -> SUSPENDED -> DEPROVISIONED: one leaver
      'leaver|user|u2||status|ACTIVE|DEPROVISIONED',
      // ACTIVE -> DEPROVISIONED -> PROVISIONED: a status change, not a leaver
      'status|user|u3||status|ACTIVE|PROVISIONED',
    ]);
    expect(facts(diff({ fromRunId: r1, toRunId: r4 }).rows)).toEqual(['leaver|user|u2||status|ACTIVE|DEPROVISIONED']);
    // From the middle: SUSPENDED -> DEPROVISIONED is a leaver; DEPROVISIONED -> ACTIVE a status change.
    expect(facts(diff({ fromRunId: r2, toRunId: r4 }).rows)).toEqual([
      'leaver|user|u2||status|SUSPENDED|DEPROVISIONED',
      'status|user|u1||status|SUSPENDED|ACTIVE',
      'status|user|u3||status|DEPROVISIONED|ACTIVE',
    ]);
  });

  it('leaver then joiner is nothing, or a status change when the status differs', () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    record(r2, [
      { kind: 'membership-remove', id: 'u1', objectId: 'g1' },
      { kind: 'leaver', id: 'u1', before: 'ACTIVE' },
      { kind: 'leaver', id: 'u2', before: 'ACTIVE' },
    ]);
    record(r3, [
      { kind: 'joiner', id: 'u1', after: 'ACTIVE' },
      { kind: 'membership-add', id: 'u1', objectId: 'g1' },
      { kind: 'joiner', id: 'u2', after: 'STAGED' },
    ]);
    expect(facts(diff({ fromRunId: r1, toRunId: r3 }).rows)).toEqual(['status|user|u2||status|ACTIVE|STAGED']);
    // joiner then leaver (the other way round) cancels too
    const r4 = addRun(acme);
    const r5 = addRun(acme);
    record(r4, [{ kind: 'joiner', id: 'u9', after: 'ACTIVE' }, { kind: 'attribute', id: 'u9', field: 'title', before: null, after: 'Temp' }]);
    record(r5, [{ kind: 'attribute', id: 'u9', field: 'title', before: 'Temp', after: 'Intern' }, { kind: 'leaver', id: 'u9', before: 'ACTIVE' }]);
    expect(diff({ fromRunId: r3, toRunId: r5 }).total).toBe(0);
  });

  it('an attribute chain keeps first before and last after, and vanishes when it returns', () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    const r4 = addRun(acme);
    record(r2, [
      { kind: 'attribute', id: 'u1', name: 'Ada L', field: 'department', before: 'Sales', after: 'Marketing' },
      { kind: 'attribute', id: 'u1', name: 'Ada L', field: 'title', before: null, after: 'Lead' },
    ]);
    record(r3, [{ kind: 'attribute', id: 'u1', name: 'Ada Lovelace', field: 'department', before: 'Marketing', after: 'Legal' }]);
    record(r4, [{ kind: 'attribute', id: 'u1', name: 'Ada Lovelace', field: 'department', before: 'Legal', after: 'Sales' }]);
    const d13 = diff({ fromRunId: r1, toRunId: r3 });
    expect(facts(d13.rows)).toEqual(['attribute|user|u1||department|Sales|Legal', 'attribute|user|u1||title|∅|Lead']);
    // the latest name, the latest run
    expect(d13.rows.find((r) => r.field === 'department')).toMatchObject({ subjectName: 'Ada Lovelace', runId: r3 });
    expect(facts(diff({ fromRunId: r1, toRunId: r4 }).rows)).toEqual(['attribute|user|u1||title|∅|Lead']);
  });

  it("a joiner's later changes belong to the joiner; changes before a removal belong to the leaver", () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    record(r2, [
      { kind: 'joiner', id: 'new', after: 'STAGED' },
      { kind: 'attribute', id: 'old', field: 'department', before: 'Sales', after: 'Legal' },
      { kind: 'status', id: 'old', field: 'status', before: 'ACTIVE', after: 'SUSPENDED' },
      { kind: 'group-added', id: 'g7', name: 'tmp', after: 'OKTA_GROUP' },
    ]);
    record(r3, [
      { kind: 'status', id: 'new', field: 'status', before: 'STAGED', after: 'ACTIVE' },
      { kind: 'attribute', id: 'new', field: 'title', before: null, after: 'Engineer' },
      { kind: 'leaver', id: 'old', before: 'SUSPENDED' },
      { kind: 'group-changed', id: 'g7', name: 'tmp2', field: 'name', before: 'tmp', after: 'tmp2' },
      { kind: 'group-changed', id: 'g1', name: 'Sales EU', field: 'name', before: 'Sales', after: 'Sales EU' },
    ]);
    const d = diff({ fromRunId: r1, toRunId: r3 });
    expect(facts(d.rows)).toEqual([
      'group-added|group|g7|||∅|OKTA_GROUP',
      'group-changed|group|g1||name|Sales|Sales EU',
      'joiner|user|new|||∅|ACTIVE',
      'leaver|user|old|||ACTIVE|∅',
    ]);
    expect(d.rows.find((r) => r.subjectId === 'g7')?.subjectName).toBe('tmp2');
    expect(d.counts).toEqual({ 'group-added': 1, 'group-changed': 1, joiner: 1, leaver: 1 });
  });

  it('apps and assignments compose like users and memberships', () => {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const r3 = addRun(acme);
    record(r2, [
      { kind: 'app-changed', id: 'a1', field: 'status', before: 'ACTIVE', after: 'INACTIVE' },
      { kind: 'assignment-add', id: 'a1', objectId: 'g1' },
      { kind: 'app-added', id: 'a2', after: 'ACTIVE' },
    ]);
    record(r3, [
      { kind: 'app-changed', id: 'a1', field: 'status', before: 'INACTIVE', after: 'ACTIVE' },
      { kind: 'assignment-remove', id: 'a1', objectId: 'g1' },
      { kind: 'assignment-remove', id: 'a1', objectId: 'g2' },
      { kind: 'app-changed', id: 'a2', field: 'label', before: 'Two', after: 'Deux' },
    ]);
    expect(facts(diff({ fromRunId: r1, toRunId: r3 }).rows)).toEqual(['app-added|app|a2|||∅|ACTIVE', 'assignment-remove|app|a1|g2||∅|∅']);
  });

  it("only counts the connection's own runs in the range", () => {
    const a1 = addRun(acme);
    const b1 = addRun(beta);
    const b2 = addRun(beta);
    const a2 = addRun(acme);
    record(b2, [{ kind: 'joiner', id: 'b-user', after: 'ACTIVE' }]);
    record(a2, [{ kind: 'joiner', id: 'a-user', after: 'ACTIVE' }]);
    expect(facts(diff({ fromRunId: a1, toRunId: a2 }).rows)).toEqual(['joiner|user|a-user|||∅|ACTIVE']);
    expect(facts(diff({ fromRunId: b1, toRunId: b2 }).rows)).toEqual(['joiner|user|b-user|||∅|ACTIVE']);
    const finished = (id: number) => db.prepare('SELECT finished_at FROM sync_runs WHERE id = ?').pluck().get(id) as string;
    expect(diff({ fromRunId: a1, toRunId: a2 })).toMatchObject({ connectionId: acme, fromRunId: a1, toRunId: a2, fromAt: finished(a1), toAt: finished(a2) });
  });

  it('matches a model of the directory on random histories', () => {
    const rnd = seededRandom(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
    const STATUSES = ['ACTIVE', 'SUSPENDED', 'DEPROVISIONED', 'STAGED', 'PROVISIONED'];
    const DEPTS = ['Sales', 'Legal', 'Eng', null];
    type User = { status: string; dept: string | null };
    let users = new Map<string, User>(Array.from({ length: 12 }, (_, i) => [`u${i}`, { status: 'ACTIVE', dept: 'Sales' }]));
    let members = new Set<string>(['u1|g1', 'u2|g1', 'u3|g2']);
    let nextUser = 100;
    const states: { run: number; users: Map<string, User>; members: Set<string> }[] = [{ run: addRun(acme), users: new Map(users), members: new Set(members) }];
    for (let r = 0; r < 40; r++) {
      const run = addRun(acme);
      const rows: Row[] = [];
      users = new Map([...users].map(([k, v]) => [k, { ...v }]));
      members = new Set(members);
      for (let op = 0; op < 6; op++) {
        const ids = [...users.keys()];
        const x = rnd();
        if (x < 0.12) {
          const id = `u${nextUser++}`;
          const status = pick(['ACTIVE', 'STAGED']);
          users.set(id, { status, dept: null });
          rows.push({ kind: 'joiner', id, after: status });
        } else if (x < 0.2 && ids.length > 3) {
          const id = pick(ids);
          for (const m of [...members].filter((k) => k.startsWith(`${id}|`))) {
            members.delete(m);
            rows.push({ kind: 'membership-remove', id, objectId: m.split('|')[1]! });
          }
          rows.push({ kind: 'leaver', id, before: users.get(id)!.status });
          users.delete(id);
        } else if (x < 0.45) {
          const id = pick(ids);
          const u = users.get(id)!;
          const next = pick(STATUSES);
          if (next !== u.status) rows.push({ kind: statusChangeKind(u.status, next), id, field: 'status', before: u.status, after: next });
          u.status = next;
        } else if (x < 0.65) {
          const id = pick(ids);
          const u = users.get(id)!;
          const next = pick(DEPTS);
          if (next !== u.dept) rows.push({ kind: 'attribute', id, field: 'department', before: u.dept, after: next });
          u.dept = next;
        } else {
          const key = `${pick(ids)}|${pick(['g1', 'g2', 'g3'])}`;
          const [id, g] = key.split('|') as [string, string];
          if (members.has(key)) {
            members.delete(key);
            rows.push({ kind: 'membership-remove', id, objectId: g });
          } else {
            members.add(key);
            rows.push({ kind: 'membership-add', id, objectId: g });
          }
        }
      }
      record(run, rows);
      states.push({ run, users, members });
    }
    const expected = (a: (typeof states)[number], b: (typeof states)[number]): string[] => {
      const out: string[] = [];
      for (const [id, u] of b.users) {
        const old = a.users.get(id);
        if (!old) out.push(`joiner|user|${id}|||∅|${u.status}`);
        else {
          if (old.status !== u.status) out.push(`${statusChangeKind(old.status, u.status)}|user|${id}||status|${old.status}|${u.status}`);
          if (old.dept !== u.dept) out.push(`attribute|user|${id}||department|${old.dept ?? '∅'}|${u.dept ?? '∅'}`);
        }
      }
      for (const [id, u] of a.users) if (!b.users.has(id)) out.push(`leaver|user|${id}|||${u.status}|∅`);
      for (const m of b.members) if (!a.members.has(m)) out.push(`membership-add|user|${m}||∅|∅`);
      for (const m of a.members) if (!b.members.has(m)) out.push(`membership-remove|user|${m}||∅|∅`);
      return out.sort();
    };
    let compared = 0;
    for (let i = 0; i < states.length; i++) {
      for (let j = i + 1; j < states.length; j += 1 + Math.floor(rnd() * 4)) {
        const got = diff({ fromRunId: states[i]!.run, toRunId: states[j]!.run, limit: 1000 });
        expect(facts(got.rows), `runs ${states[i]!.run}..${states[j]!.run}`).toEqual(expected(states[i]!, states[j]!));
        expect(got.total).toBe(got.rows.length);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(100);
  });
});

describe('diffRuns: paging, filters, errors', () => {
  function history(): { r1: number; r2: number } {
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const rows: Row[] = [];
    for (let i = 0; i < 25; i++) rows.push({ kind: 'membership-add', id: `u${i}`, name: `Person ${i}`, objectId: 'g1', objectName: 'Sales' });
    rows.push({ kind: 'attribute', id: 'u3', name: 'Person 3', field: 'department', before: 'Sales', after: '50%_off' });
    rows.push({ kind: 'joiner', id: 'u99', name: 'Grace Hopper', after: 'ACTIVE' });
    record(r2, rows);
    return { r1, r2 };
  }

  it('pages newest first with a stable total', () => {
    const { r1, r2 } = history();
    const all = diff({ fromRunId: r1, toRunId: r2, limit: 1000 });
    expect(all.total).toBe(27);
    const seqs = all.rows.map((r) => r.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => b - a));
    const pages = [0, 10, 20].map((offset) => diff({ fromRunId: r1, toRunId: r2, offset, limit: 10 }));
    expect(pages.map((p) => p.rows.length)).toEqual([10, 10, 7]);
    expect(pages.flatMap((p) => p.rows)).toEqual(all.rows);
    expect(pages.every((p) => p.total === 27)).toBe(true);
    expect(diff({ fromRunId: r1, toRunId: r2, offset: 500 })).toMatchObject({ total: 27, offset: 500, rows: [] });
  });

  it('filters by kind (counts ignore the kind filter) and searches names, ids and values literally', () => {
    const { r1, r2 } = history();
    const joiners = diff({ fromRunId: r1, toRunId: r2, kind: ['joiner'] });
    expect(joiners.total).toBe(1);
    expect(joiners.rows[0]).toMatchObject({ subjectName: 'Grace Hopper' });
    expect(joiners.counts).toEqual({ 'membership-add': 25, attribute: 1, joiner: 1 });
    expect(diff({ fromRunId: r1, toRunId: r2, search: 'grace' }).rows.map((r) => r.subjectId)).toEqual(['u99']);
    expect(diff({ fromRunId: r1, toRunId: r2, search: '%_' }).rows.map((r) => r.subjectId)).toEqual(['u3']);
    expect(diff({ fromRunId: r1, toRunId: r2, search: 'sales person' })).toMatchObject({ total: 26 });
    expect(diff({ fromRunId: r1, toRunId: r2, search: 'u2' }).counts).toEqual({ 'membership-add': 6 });
  });

  it('refuses unknown runs, other connections, the wrong order, failed or running runs, and runs before the baseline', () => {
    const failedFirst = addRun(acme, { status: 'failed' });
    const r1 = addRun(acme);
    const r2 = addRun(acme);
    const bad = addRun(acme, { status: 'failed' });
    const running = addRun(acme, { status: 'running' });
    const b1 = addRun(beta);
    expect(db.prepare('SELECT baseline FROM sync_runs WHERE id = ?').pluck().get(r1)).toBe(1);
    const err = (q: { fromRunId: number; toRunId: number }): string => {
      try {
        diff(q);
      } catch (e) {
        return `${(e as { code?: string }).code}: ${(e as Error).message}`;
      }
      return 'no error';
    };
    expect(err({ fromRunId: r1, toRunId: 999 })).toBe('not-found: no sync run #999');
    expect(err({ fromRunId: r1, toRunId: b1 })).toBe(`bad-input: run #${r1} is of "Acme" and run #${b1} of "Beta": a diff compares two runs of the same connection`);
    expect(err({ fromRunId: r2, toRunId: r1 })).toBe(`bad-input: run #${r2} is newer than run #${r1}: give the older run first (#${r1} #${r2})`);
    expect(err({ fromRunId: r1, toRunId: r1 })).toMatch(/compared with itself/);
    expect(err({ fromRunId: r1, toRunId: bad })).toBe(`bad-input: run #${bad} failed: it left no snapshot to compare`);
    expect(err({ fromRunId: failedFirst, toRunId: r2 })).toMatch(/failed: it left no snapshot/);
    expect(err({ fromRunId: r1, toRunId: running })).toMatch(/still running/);
    // A succeeded run before the baseline (e.g. history from before a reset) cannot be a starting point.
    db.prepare('UPDATE sync_runs SET baseline = 0 WHERE id = ?').run(r1);
    db.prepare('UPDATE sync_runs SET baseline = 1 WHERE id = ?').run(r2);
    const r3 = addRun(acme);
    expect(err({ fromRunId: r1, toRunId: r3 })).toBe(`bad-input: run #${r1} is older than "Acme"'s first snapshot (run #${r2}): history starts there`);
    expect(err({ fromRunId: r2, toRunId: r3 })).toBe('no error');
  });
});

describe('listChanges', () => {
  it("lists one run's changes or the newest across runs, with per-kind counts, filters and paging", () => {
    const a1 = addRun(acme);
    const a2 = addRun(acme);
    const b1 = addRun(beta);
    const b2 = addRun(beta);
    record(a2, [
      { kind: 'joiner', id: 'u1', name: 'Ada Lovelace', after: 'ACTIVE' },
      { kind: 'membership-add', id: 'u1', name: 'Ada Lovelace', objectId: 'g1', objectName: 'Sales' },
      { kind: 'attribute', id: 'u2', name: 'Alan Turing', field: 'department', before: 'Sales', after: 'Marketing' },
    ]);
    record(b2, [{ kind: 'leaver', id: 'x1', name: 'Barbara Liskov', before: 'ACTIVE' }]);

    const one = list({ runId: a2 });
    expect(one.total).toBe(3);
    expect(one.rows.map((r) => r.kind)).toEqual(['attribute', 'membership-add', 'joiner']);
    expect(one.counts).toEqual({ joiner: 1, 'membership-add': 1, attribute: 1 });
    expect(one.rows[0]).toEqual({
      seq: expect.any(Number) as number, runId: a2, connectionId: acme, kind: 'attribute', subjectType: 'user', subjectId: 'u2',
      subjectName: 'Alan Turing', objectId: null, objectName: null, field: 'department', before: 'Sales', after: 'Marketing',
    });
    expect(list({ runId: a1 })).toEqual({ total: 0, offset: 0, rows: [], counts: {} });

    const across = list();
    expect(across.rows.map((r) => r.subjectId)).toEqual(['x1', 'u2', 'u1', 'u1']);
    expect(list({ connectionId: beta }).rows.map((r) => r.runId)).toEqual([b2]);
    expect(list({ connectionId: beta, runId: a2 }).total).toBe(0);

    const filtered = list({ runId: a2, kind: ['joiner', 'membership-add'] });
    expect(filtered.total).toBe(2);
    expect(filtered.counts).toEqual({ joiner: 1, 'membership-add': 1, attribute: 1 });
    expect(list({ search: 'marketing' }).rows.map((r) => r.subjectId)).toEqual(['u2']);
    expect(list({ search: 'SALES' }).total).toBe(2); // object name and before value
    expect(list({ search: 'sales', kind: ['attribute'] })).toMatchObject({ total: 1, counts: { attribute: 1, 'membership-add': 1 } });

    const page = list({ offset: 1, limit: 2 });
    expect(page).toMatchObject({ total: 4, offset: 1 });
    expect(page.rows.map((r) => r.subjectId)).toEqual(['u2', 'u1']);
    expect(() => list({ runId: 999 })).toThrow('no sync run #999');
    expect(b1).toBeGreaterThan(0);
  });
});
