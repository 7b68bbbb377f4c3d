// The HR source on a real workspace: the sandbox's hybrid organisation synced
// from its Okta and Entra tenants over real HTTP(S), then its HR feed (the
// BambooHR-style CSV and the dated events) imported. Matching by employee id
// then e-mail with correlation's persons, the audit event of each import, the
// events applied by effective date whatever order they arrive in, duplicates
// ignored, all rows or none, and `latchkey hr` through the CLI's entry point.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HrImportResult, HrStatus } from '../../shared/contract-hr.js';
import { runCli } from '../../electron/cli/cli.js';
import { recentAuditEvents, verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { addConnection as addEntraConnection } from '../../electron/engine/connections/connections.js';
import type { EngineContext } from '../../electron/engine/context.js';
import type { Db } from '../../electron/engine/db/database.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { hrStatus } from '../../electron/engine/hr/status.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { createRng } from '../../electron/sandbox/prng.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection as addOktaConnection, tokenOf, workspace } from './okta-sync-helpers.js';

const dir = tempDir('latchkey-hr-');
let sandbox: Sandbox;
const HOUR = 3_600_000;
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  sandbox = await startSandbox({ users: 300, seed: 41 });
});
afterAll(async () => {
  await sandbox.close();
});

/** A workspace at noon of the sandbox's anchor day, its Okta and Entra tenants synced and correlated. */
async function syncedWorkspace(): Promise<{ ctx: EngineContext; db: Db }> {
  const graph = sandbox.graph;
  if (!graph) throw new Error('the sandbox started without Graph');
  const { ctx, db } = workspace(dir);
  ctx.clock = { now: () => new Date(sandbox.org.anchor + 12 * HOUR) };
  ctx.channel = 'cli';
  ctx.actor = 'cli:ada';
  const okta = addOktaConnection(db, sandbox, { name: 'Okta' });
  const entra = await addEntraConnection(ctx, {
    kind: 'entra', name: 'Entra', tenantId: graph.tenantId, clientId: graph.clientId, authorityHost: graph.url, graphUrl: graph.url, caPem: graph.caPem, budgetShare: 0.5,
    auth: { type: 'secret', clientSecret: graph.clientSecret },
  });
  expect(await (await syncAndReconcile(ctx, okta.id, { credential: tokenOf(sandbox) })).done).toMatchObject({ status: 'succeeded' });
  expect(await (await syncAndReconcile(ctx, entra.id)).done).toMatchObject({ status: 'succeeded' });
  return { ctx, db };
}

/** A workspace with no connection (the CSV names every manager, so nothing else is needed). */
function bareWorkspace(): { ctx: EngineContext; db: Db } {
  const { ctx, db } = workspace(dir);
  ctx.clock = { now: () => new Date(sandbox.org.anchor + 12 * HOUR) };
  return { ctx, db };
}

const ok = (r: HrImportResult): Extract<HrImportResult, { ok: true }> => {
  if (!r.ok) throw new Error(`import refused:\n${r.errors.map((e) => e.message).join('\n')}`);
  return r;
};

/** The HR tables and the audit log, as text: equal text, nothing changed. */
const tables = (db: Db): string =>
  JSON.stringify(['hr_records', 'hr_events', 'hr_imports', 'audit_events'].map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY rowid`).all()));

/** Each person's record, without when or through which import it was written. */
const records = (db: Db): unknown[] =>
  db
    .prepare('SELECT record_key, employee_id, email, name, department, title, location, employment_type, manager_email, manager_employee_id, start_date, end_date, status FROM hr_records ORDER BY record_key')
    .all();

const eventLines = (): string[] => sandbox.hr.events.trim().split('\n');
const eventById = (id: string): { employee: { employee_id: string; email: string } ; effective_date: string } =>
  JSON.parse(eventLines().find((l) => l.includes(`"${id}"`)) ?? 'null') as { employee: { employee_id: string; email: string }; effective_date: string };

describe('the HR feed on a synced workspace', () => {
  it('imports the sandbox CSV and events, matches every person by employee id, audits each import and ignores a repeat', async () => {
    const { ctx, db } = await syncedWorkspace();
    const people = sandbox.org.users.length;
    const csv = ok(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }));
    expect(csv).toMatchObject({ kind: 'csv', preset: 'bamboohr', rows: people, created: people, updated: 0, unchanged: 0, sha256: sha(sandbox.hr.csv) });

    const [audit] = recentAuditEvents(db, 1);
    expect(audit).toMatchObject({ actor: 'cli:ada', channel: 'cli', action: 'hr.imported', targetType: 'hr-import', targetId: String(csv.importId) });
    expect(audit?.details).toEqual({ fileName: 'employees.csv', sha256: sha(sandbox.hr.csv), kind: 'csv', preset: 'bamboohr', rows: people, created: people, updated: 0, unchanged: 0, events: 0, duplicates: 0 });

    let s: HrStatus = hrStatus(ctx, 500);
    // Every HR record is a person of the snapshot, matched by employee id; Okta and Entra accounts of one person count once.
    expect(s).toMatchObject({ records: people, matched: people, matchedByEmployeeId: people, matchedByEmail: 0, unmatchedRecords: { count: 0 }, accountsWithoutRecord: { count: 0 } });
    expect(s.lastImport).toMatchObject({ id: csv.importId, fileName: 'employees.csv', actor: 'cli:ada', channel: 'cli', sha256: sha(sandbox.hr.csv), rows: people, created: people });

    const lines = eventLines().length;
    const ev = ok(importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }));
    expect(ev).toMatchObject({ kind: 'events', preset: null, rows: lines, events: lines, duplicates: 0 });
    s = hrStatus(ctx, 500);
    const today = new Date(sandbox.org.anchor).toISOString().slice(0, 10);
    expect(s.today).toBe(today);
    // Hires start ahead, leavers leave ahead: pending. The backdated leaver and the mover effective yesterday are due.
    const { summary } = sandbox.hr;
    expect(s.pendingEvents.rows.map((e) => e.eventId)).toEqual(expect.arrayContaining([...summary.hires, ...summary.leavers, summary.rehire]));
    expect(s.dueEvents.rows.map((e) => e.eventId).sort()).toEqual([summary.backdatedLeaver, summary.movers[0]].sort());
    expect(s.pendingEvents.count + s.dueEvents.count).toBe(lines);

    const late = eventById(summary.backdatedLeaver);
    const row = db.prepare('SELECT status, end_date FROM hr_records WHERE employee_id = ?').get(late.employee.employee_id);
    expect(row).toEqual({ status: 'terminated', end_date: late.effective_date });
    const rehire = eventById(summary.rehire ?? '');
    expect(db.prepare('SELECT status, start_date, end_date FROM hr_records WHERE employee_id = ?').get(rehire.employee.employee_id)).toEqual({ status: 'active', start_date: rehire.effective_date, end_date: null });

    // The same file again: every event is a duplicate, nothing changes but the record of the import.
    const before = records(db);
    const again = ok(importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }));
    expect(again).toMatchObject({ events: 0, duplicates: lines, created: 0, updated: 0 });
    expect(records(db)).toEqual(before);
    expect(verifyAuditChain(db)).toMatchObject({ valid: true });
    db.close();
  });

  it('lists HR records matching nobody, people without a record, and matches by e-mail when the row has no employee id', async () => {
    const { ctx, db } = await syncedWorkspace();
    const [header, ...rows] = sandbox.hr.csv.trim().split('\r\n') as [string, ...string[]];
    // Five people left out (after the CEO and heads, so their reports' manager stays known), one row without its employee id, one stranger.
    const left = rows.slice(200, 205);
    const kept = rows.filter((r) => !left.includes(r));
    const noId = (kept[100] as string).replace(/^[^,]*,/, ',');
    kept[100] = noId;
    kept.push('999999,Nemo,Nobody,nemo@elsewhere.example,Sales,AE,Paris,Employee,2024-01-02,,Active,');
    ok(importHr(ctx, { fileName: 'partial.csv', bytes: Buffer.from(`${[header, ...kept].join('\r\n')}\r\n`), preset: 'bamboohr' }));
    const s = hrStatus(ctx);
    expect(s).toMatchObject({ records: kept.length, matched: kept.length - 1, matchedByEmail: 1, unmatchedRecords: { count: 1 } });
    expect(s.unmatchedRecords.rows).toEqual([expect.objectContaining({ employeeId: '999999', email: 'nemo@elsewhere.example', status: 'active' })]);
    expect(s.accountsWithoutRecord.count).toBe(5);
    expect(s.accountsWithoutRecord.rows.map((a) => a.email).sort()).toEqual(left.map((r) => (r.split(',')[3] as string).toLowerCase()).sort());
    db.close();
  });

  it('stores nothing when one row is bad: an unknown manager, a missing effective date, a date that is not one', async () => {
    const { ctx, db } = await syncedWorkspace();
    ok(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }));
    const before = tables(db);
    const [header, ...rows] = sandbox.hr.csv.trim().split('\r\n') as [string, ...string[]];
    rows[41] = (rows[41] as string).replace(/,[^,]*$/, ',ghost@nowhere.example');
    const bad = importHr(ctx, { fileName: 'bad.csv', bytes: Buffer.from(`${[header, ...rows].join('\r\n')}\r\n`), preset: 'bamboohr' });
    expect(bad).toEqual({ ok: false, rows: rows.length, errors: [{ row: 43, column: 'manager_email', message: expect.stringContaining('row 43, "manager_email": unknown manager ghost@nowhere.example') as unknown }] });
    expect(tables(db)).toBe(before);

    const lines = eventLines();
    lines[3] = (lines[3] as string).replace(/"effective_date":"[^"]*",/, '');
    lines[5] = (lines[5] as string).replace(/"effective_date":"[^"]*"/, '"effective_date":"31/12/2026"');
    lines[7] = (lines[7] as string).replace(/"employee":\{/, '"manager_email":"ghost@nowhere.example","employee":{');
    const badEvents = importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(lines.join('\n')) });
    expect(badEvents.ok).toBe(false);
    // Format errors are found first (lines 4 and 6); with those fixed, the unknown manager (line 8).
    expect(!badEvents.ok && badEvents.errors.map((e) => [e.row, e.column])).toEqual([[4, 'effective_date'], [6, 'effective_date']]);
    lines[3] = eventLines()[3] as string;
    lines[5] = eventLines()[5] as string;
    const managerOnly = importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(lines.join('\n')) });
    expect(!managerOnly.ok && managerOnly.errors.map((e) => [e.row, e.column])).toEqual([[8, 'manager_email']]);
    expect(tables(db)).toBe(before);
    db.close();
  });
});

describe('HR events in any order', () => {
  it('give the same records whether they come in order, shuffled, or split across imports in reverse', () => {
    const inOrder = bareWorkspace();
    ok(importHr(inOrder.ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }));
    ok(importHr(inOrder.ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }));
    const want = records(inOrder.db);

    const rng = createRng(7, 'hr-order');
    for (let round = 0; round < 3; round++) {
      const ws = bareWorkspace();
      ok(importHr(ws.ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }));
      const lines = eventLines();
      for (let i = lines.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [lines[i], lines[j]] = [lines[j] as string, lines[i] as string];
      }
      // Three files, the last one first; one line sent twice.
      const parts = [lines.slice(0, 8), lines.slice(8, 16), [...lines.slice(16), lines[0] as string]].reverse();
      let duplicates = 0;
      for (const p of parts) duplicates += ok(importHr(ws.ctx, { fileName: `part.ndjson`, bytes: Buffer.from(p.join('\n')) })).duplicates;
      expect(duplicates).toBe(1);
      expect(records(ws.db)).toEqual(want);
      ws.db.close();
    }
    inOrder.db.close();
  });
});

describe('latchkey hr', () => {
  type Out = { code: number | 'serving'; stdout: string; stderr: string };
  async function latchkey(...args: string[]): Promise<Out> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets: memorySecretStore() });
    return { code, stdout, stderr };
  }

  it('imports with --json, prints the status, refuses a bad file with exit 1, and only reads with --read-only', async () => {
    const { db, ctx } = await syncedWorkspace();
    db.close();
    const file = ctx.dbPath;
    const csvFile = path.join(dir, 'employees.csv');
    const eventsFile = path.join(dir, 'hr-events.jsonl');
    fs.writeFileSync(csvFile, sandbox.hr.csv);
    fs.writeFileSync(eventsFile, sandbox.hr.events);

    const imported = await latchkey('--db', file, 'hr', 'import', csvFile, '--preset', 'bamboohr', '--json');
    expect(imported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(imported.stdout)).toMatchObject({ ok: true, kind: 'csv', preset: 'bamboohr', fileName: 'employees.csv', sha256: sha(fs.readFileSync(csvFile)), created: sandbox.org.users.length });
    const text = await latchkey('--db', file, 'hr', 'import', eventsFile);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^imported \d+ event lines from hr-events\.jsonl \(sha256 [0-9a-f]{12}…\): HR records 0 created, \d+ updated, \d+ unchanged; \d+ events stored, 0 duplicates ignored\n$/);

    const status = await latchkey('--db', file, 'hr', 'status', '--json');
    const s = JSON.parse(status.stdout) as HrStatus;
    expect(s).toMatchObject({ records: sandbox.org.users.length, matched: sandbox.org.users.length, lastImport: { fileName: 'hr-events.jsonl', kind: 'events', channel: 'cli' } });
    const plain = await latchkey('--db', file, 'hr', 'status');
    expect(plain.stdout).toContain(`HR records: ${sandbox.org.users.length}; matched ${sandbox.org.users.length}`);
    // The import processed the two due events at once: the backdated leaver got a plan, the mover (no policy, nothing requested) needed none.
    expect(plain.stdout).toMatch(/events due, not yet processed \(effective on or before \d{4}-\d{2}-\d{2}\): 0\n/);
    const planned = await latchkey('--db', file, 'plan', 'list', '--json');
    expect((JSON.parse(planned.stdout) as { rows: { kind: string; hrEventId: string }[] }).rows.map((p) => [p.kind, p.hrEventId])).toEqual([['leaver', sandbox.hr.summary.backdatedLeaver]]);
    const shown = await latchkey('--db', file, 'plan', 'show', '1');
    expect(shown.stdout).toMatch(/^plan #1 leaver for .*: (running|done)\n/);
    expect(shown.stdout).toContain('Tier 1 — account checks\n');

    const badFile = path.join(dir, 'bad.csv');
    fs.writeFileSync(badFile, 'Employee #,Work Email,Hire Date,Favourite Colour\n1,a@x.example,yesterday,blue\n');
    const bad = await latchkey('--db', file, 'hr', 'import', badFile, '--preset', 'bamboohr');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('row 1, column "Favourite Colour": unknown column for the bamboohr preset');
    expect(bad.stderr).toContain('nothing was imported');
    const mapped = await latchkey('--db', file, 'hr', 'import', badFile, '--preset', 'bamboohr', '--map', 'Favourite Colour=-', '--json');
    expect(mapped.code).toBe(1);
    expect(JSON.parse(mapped.stdout)).toEqual({ ok: false, rows: 1, errors: [{ row: 2, column: 'Hire Date', message: 'row 2, column "Hire Date": "yesterday" is not a date (YYYY-MM-DD or MM/DD/YYYY)' }] });
    expect((await latchkey('--db', file, 'hr', 'import', csvFile, '--preset', 'peoplesoft')).code).toBe(2);

    const hash = sha(fs.readFileSync(file));
    const refused = await latchkey('--db', file, '--read-only', 'hr', 'import', csvFile);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('"hr import" changes the workspace');
    expect((await latchkey('--db', file, '--read-only', 'hr', 'status')).code).toBe(0);
    expect(sha(fs.readFileSync(file))).toBe(hash);
  });
});
