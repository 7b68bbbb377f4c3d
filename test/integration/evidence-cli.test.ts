// The evidence export from the command line on the security lead's path: the
// demo sandbox (Okta + Entra) synced over real HTTP into a workspace, one
// Okta user named like a formula, a snapshot copy saved, then
// `--read-only export evidence` on the copy (no keychain: the manifest is
// unsigned and says why), read back by openpyxl (counts and canonical
// hashes recomputed in Python against the manifest, the formula-like name a
// string cell) and `evidence verify` on it. The sheets are the test's own
// (accounts and their memberships from the snapshot): the product's sheets
// live in the registry (evidence/sheets.ts); the routing through runCli is
// checked with whatever the registry holds.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { runExportCommand } from '../../electron/cli/evidence-commands.js';
import { demoSandboxOf, startDemo } from '../../electron/engine/demo.js';
import type { EvidenceSheet } from '../../electron/engine/evidence/sheet-types.js';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { DEMO_SANDBOX_OPTIONS, startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { openpyxlSheetHashes, py } from '../helpers/openpyxl.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-evidence-cli-');
const FORMULA = '=HYPERLINK("http://x","y")';
let sandbox: Sandbox;
const secrets = memorySecretStore();
const workspace = path.join(dir, 'workspace.latchkey');
const copy = path.join(dir, 'copy.latchkey');

type Out = { code: number | 'serving'; stdout: string; stderr: string };
async function latchkey(...args: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), env: { CI: 'true' }, secrets });
  return { code, stdout, stderr };
}

const accounts: EvidenceSheet = {
  name: 'Accounts',
  query: 'test-accounts-at-period-end',
  description: 'Every synced account (test sheet).',
  columns: [
    { header: 'Display name', type: 'text' },
    { header: 'Login', type: 'text' },
    { header: 'Status', type: 'text' },
    { header: 'Created (UTC)', type: 'date' },
    { header: 'Connection', type: 'integer' },
  ],
  *rows({ db }) {
    const it = db.prepare('SELECT display_name, login, status, created, connection_id FROM cur_identities ORDER BY connection_id, id').raw().iterate() as IterableIterator<[string, string, string, string | null, number]>;
    for (const [name, login, status, created, conn] of it) yield { cells: [name, login, status, created ? new Date(created) : null, conn], ...(status !== 'ACTIVE' && status !== 'active' ? { flags: [`account status ${status}`] } : {}) };
  },
  reconcile: ({ db }, written) => [{ what: 'accounts in the snapshot', expected: db.prepare('SELECT count(*) FROM cur_identities').pluck().get() as number, actual: written }],
  sample: { population: 'accounts', accepts: () => true },
};

const memberships: EvidenceSheet = {
  name: 'Memberships',
  query: 'test-memberships-at-period-end',
  description: 'Every membership (test sheet).',
  columns: [
    { header: 'Connection', type: 'integer' },
    { header: 'Group', type: 'text' },
    { header: 'Account', type: 'text' },
  ],
  *rows({ db }) {
    const it = db.prepare('SELECT m.connection_id, m.group_id, m.identity_id FROM memberships m JOIN connections c ON c.id = m.connection_id AND c.live_gen = m.gen ORDER BY 1, 2, 3').raw().iterate() as IterableIterator<[number, string, string]>;
    for (const [c, g, i] of it) yield { cells: [c, g, i] };
  },
};

beforeAll(async () => {
  sandbox = await startSandbox({ ...DEMO_SANDBOX_OPTIONS, users: 200 });
  const ctx = openWorkspace({ dbPath: workspace, secrets, transport: 'cli', actor: 'test' });
  const demo = await startDemo(ctx, { env: {}, startSandbox: () => Promise.resolve(demoSandboxOf(sandbox)) });
  if (!demo?.firstSync || !demo.entra?.firstSync) throw new Error('the demo did not start its syncs');
  await Promise.all([demo.firstSync.done, demo.entra.firstSync.done]);
  // A user named like a formula, made in Okta (the sandbox's mutations, with their System Log events), then synced.
  const department = sandbox.org.departments[0]?.name;
  const city = sandbox.org.locations[0]?.city;
  if (!department || !city) throw new Error('an empty sandbox org');
  sandbox.mutations.createUser({ firstName: FORMULA, lastName: 'Smith', department, city, title: 'Analyst', employmentType: 'Employee' }, { activate: true });
  await syncAndReconcile(ctx, demo.connection.id, {}).then((r) => r.done);
  ctx.db.close();
  const saved = await latchkey('--db', workspace, 'snapshot', 'save', copy);
  expect(saved, saved.stderr).toMatchObject({ code: 0 });
}, 180_000);
afterAll(async () => {
  await sandbox.close();
});

describe('latchkey export evidence on a read-only copy', () => {
  it('writes the workbook and an unsigned manifest, which openpyxl and evidence verify agree with', async () => {
    const out = path.join(dir, 'evidence.xlsx');
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets, transport: 'cli' });
    let stdout = '';
    const io = { stdout: (s: string) => (stdout += s), stderr: () => undefined, env: {} };
    const code = await runExportCommand(ro, ['evidence', '--from', '2020-01-01', '--to', '2100-12-31', '--out', out, '--sample', '10', '--seed', 'audit', '--json'], io, [accounts, memberships]);
    ro.db.close();
    expect(code).toBe(0);
    const r = JSON.parse(stdout) as { path: string; sha256: string; manifest: string; signed: boolean; unsigned: string; sheets: { name: string; rows: number; sha256: string; worksheets: string[]; reconciliations: { ok: boolean }[] }[] };
    expect(r).toMatchObject({ path: out, signed: false, manifest: path.join(dir, 'evidence.manifest.json') });
    expect(r.unsigned).toMatch(/read-only/);
    const acc = r.sheets.find((s) => s.name === 'Accounts');
    expect(acc?.rows).toBeGreaterThan(300);
    expect(acc?.reconciliations).toEqual([expect.objectContaining({ ok: true })]);

    const manifest = JSON.parse(fs.readFileSync(r.manifest, 'utf8')) as { workbook: { sha256: string }; signature: null; sheets: { name: string; rows: number; sha256: string; worksheets: string[]; columns: unknown[] }[]; syncRuns: { runId: number | null }[]; copyOf: unknown };
    expect(manifest.workbook.sha256).toBe(r.sha256);
    expect(manifest.signature).toBeNull();
    expect(manifest.copyOf).toMatchObject({ workspaceId: expect.any(String) as unknown });
    expect(manifest.syncRuns.every((s) => s.runId !== null)).toBe(true);
    // The independent reader: every hashed sheet's rows and canonical SHA-256 as openpyxl sees the cells.
    const seen = openpyxlSheetHashes(out, manifest.sheets.map((s) => ({ name: s.name, worksheets: s.worksheets, width: s.columns.length })));
    expect(seen.sheetnames).toEqual(['Cover', 'Manifest', 'Controls', 'Accounts', 'Memberships', 'Exceptions', 'Sample']);
    for (const s of manifest.sheets) expect(seen.sheets[s.name], s.name).toEqual({ rows: s.rows, sha256: s.sha256 });
    const formula = py<{ t: string; v: string }[]>(
      `ws = openpyxl.load_workbook(sys.argv[1])['Accounts']
print(json.dumps([{'t': r[0].data_type, 'v': r[0].value} for r in ws.iter_rows(min_row=2) if r[0].value and r[0].value.startswith('=')]))`,
      out,
    );
    expect(formula).toEqual([{ t: 's', v: `${FORMULA} Smith` }]);

    const v = await latchkey('--db', copy, 'evidence', 'verify', out, '--json');
    expect(v.code, v.stdout + v.stderr).toBe(0);
    const report = JSON.parse(v.stdout) as { ok: boolean; notes: string[] };
    expect(report.ok).toBe(true);
    expect(report.notes.join('\n')).toMatch(/unsigned: .*read-only/);
  });

  it('is allowed with --read-only through the command line and refuses bad periods', async () => {
    const out = path.join(dir, 'registry.xlsx');
    const ok = await latchkey('--db', copy, '--read-only', 'export', 'evidence', '--from', '2026-01-01', '--to', '2026-12-31', '--out', out);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^evidence workbook: .*registry\.xlsx .*SHA-256 [0-9a-f]{64}\)$/m);
    expect(ok.stdout).toMatch(/^manifest: .*registry\.manifest\.json \(unsigned: the workspace was opened read-only/m);
    const again = await latchkey('--db', copy, '--read-only', 'export', 'evidence', '--from', '2026-01-01', '--to', '2026-12-31', '--out', out);
    expect(again).toMatchObject({ code: 1 });
    expect(again.stderr).toMatch(/already exists/);
    const bad = await latchkey('--db', copy, '--read-only', 'export', 'evidence', '--from', '2026-02-30', '--to', '2026-12-31', '--out', path.join(dir, 'x.xlsx'));
    expect(bad).toMatchObject({ code: 2 });
    expect(bad.stderr).toMatch(/--from "2026-02-30" is not a date/);
    const backwards = await latchkey('--db', copy, '--read-only', 'export', 'evidence', '--from', '2026-12-31', '--to', '2026-01-01', '--out', path.join(dir, 'x.xlsx'));
    expect(backwards.stderr).toMatch(/is after --to/);
    const halfSample = await latchkey('--db', copy, '--read-only', 'export', 'evidence', '--from', '2026-01-01', '--to', '2026-12-31', '--out', path.join(dir, 'x.xlsx'), '--sample', '5');
    expect(halfSample.stderr).toMatch(/--sample N and --seed S go together/);
  });
});
