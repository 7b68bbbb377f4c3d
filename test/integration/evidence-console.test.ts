// The console's evidence export (the Evidence page's channels) on a real
// workspace synced from the sandbox Okta: the workbook is written in its own
// worker thread with progress events (rows written never go back; the last
// event is the result), the file and its manifest match what the result card
// says and `evidence verify` accepts them; a cancel leaves no file and no
// partial; a read-only snapshot copy exports with no keychain (the manifest
// says why it is unsigned); bad input and a second export at once are
// refused naming the problem; "show in folder" goes through the shell. The
// copy's workbook is read back by openpyxl (every sheet's rows and canonical
// hash as the manifest says) and opened by LibreOffice, which re-saves it
// with the same sheets and rows.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvidenceRunView } from '../../shared/contract-evidence.js';
import { createHandlers, dispatch } from '../../electron/engine/api.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { evidenceRunSettled } from '../../electron/engine/evidence/export-runs.js';
import { EVIDENCE_SHEETS } from '../../electron/engine/evidence/sheets.js';
import { verifyEvidence } from '../../electron/engine/evidence/verify.js';
import { saveSnapshot } from '../../electron/engine/workspace/snapshot-copy.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { tempDir } from '../helpers/tmp.js';
import { openpyxlSheetHashes } from '../helpers/openpyxl.js';
import { jobsWorkspace, type JobsWorkspace } from './job-helpers.js';

const dir = tempDir('latchkey-evidence-console-');
const out = path.join(dir, 'out');
let sandbox: Sandbox;
let w: JobsWorkspace;

const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const progressOf = (events: JobsWorkspace['events'], exportId: string): EvidenceRunView[] =>
  events.filter((e) => e.event === 'evidence:progress').map((e) => e.payload as EvidenceRunView).filter((v) => v.exportId === exportId);

async function start(ctx: EngineContext, input: Record<string, unknown>): Promise<EvidenceRunView> {
  const r = await dispatch(createHandlers(ctx), 'evidence:export', input);
  if (!r.ok) throw new Error(r.error);
  return r.value as EvidenceRunView;
}

beforeAll(async () => {
  sandbox = await startSandbox({ users: 120, seed: 41, port: 0, rateLimits: 'off', graph: false });
  w = await jobsWorkspace(dir, sandbox, { entra: false });
  fs.mkdirSync(out);
}, 120_000);

afterAll(async () => {
  w?.db.close();
  await sandbox?.close();
});

describe('evidence export from the console', () => {
  it('writes the workbook off the engine thread with progress, and the result card matches the file, its manifest and evidence verify', async () => {
    const first = await start(w.ctx, { from: '2020-01-01', to: '2099-12-31', folder: out });
    expect(first).toMatchObject({ state: 'running', from: '2020-01-01T00:00:00.000Z', to: '2099-12-31T23:59:59.999Z' });
    expect(path.dirname(first.path)).toBe(out);
    expect(path.basename(first.path)).toMatch(/^latchkey-evidence_2020-01-01_2099-12-31_\d{8}T\d{6}Z\.xlsx$/);
    const done = await evidenceRunSettled(w.ctx, first.exportId);
    expect(done.error).toBeNull();
    expect(done.state).toBe('done');
    const r = done.result!;
    // The card's figures are the file's.
    expect(fs.statSync(done.path).size).toBe(r.size);
    expect(sha256(done.path)).toBe(r.sha256);
    expect(r.manifestPath).toBe(done.path.replace(/\.xlsx$/, '.manifest.json'));
    const manifest = JSON.parse(fs.readFileSync(r.manifestPath, 'utf8')) as { workbook: { sha256: string }; sheets: { name: string; rows: number; sha256: string }[]; signature: unknown };
    expect(manifest.workbook.sha256).toBe(r.sha256);
    expect(r.sheets.map((s) => [s.name, s.rows, s.sha256])).toEqual(manifest.sheets.map((s) => [s.name, s.rows, s.sha256]));
    expect(r.signed).toBe(manifest.signature !== null);
    for (const s of EVIDENCE_SHEETS) expect(r.sheets.map((x) => x.name)).toContain(s.name);
    const people = r.sheets.find((s) => s.name === 'People')!;
    expect(people.rows).toBe(w.db.prepare('SELECT count(*) FROM cur_identities').pluck().get());
    // Nothing left beside it but the workbook and its manifest.
    expect(fs.readdirSync(out).sort()).toEqual([path.basename(done.path), path.basename(r.manifestPath)].sort());
    const verified = await verifyEvidence(done.path);
    expect(verified.findings).toEqual([]);
    expect(verified.ok).toBe(true);

    // Progress: rows written never go back, every sheet is named, the last event is the result.
    const seen = progressOf(w.events, first.exportId);
    expect(seen.length).toBeGreaterThan(1);
    const rows = seen.map((v) => v.rowsWritten);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ state: 'done', result: { sha256: r.sha256 } });
    expect(seen.some((v) => v.state === 'running' && v.sheet !== null && v.sheetsTotal === EVIDENCE_SHEETS.length)).toBe(true);

    // The runs list shows it, newest first, with the default folder beside the workspace file.
    const runs = await dispatch(createHandlers(w.ctx), 'evidence:runs', {});
    expect(runs.ok && runs.value).toMatchObject({ folder: path.dirname(w.ctx.dbPath), runs: [{ exportId: first.exportId, state: 'done' }] });
  }, 120_000);

  it('cancel stops it: no workbook, no partial file, nothing changed in the workspace', async () => {
    const before = fs.readdirSync(out).sort();
    const head = w.db.prepare('SELECT count(*) FROM audit_events').pluck().get();
    const run = await start(w.ctx, { from: '2020-01-01', to: '2099-12-31', folder: out });
    const cancel = await dispatch(createHandlers(w.ctx), 'evidence:cancel', { exportId: run.exportId });
    expect(cancel.ok).toBe(true);
    const settled = await evidenceRunSettled(w.ctx, run.exportId);
    expect(settled.state).toBe('cancelled');
    expect(settled.result).toBeNull();
    expect(fs.existsSync(run.path)).toBe(false);
    expect(fs.readdirSync(out).sort()).toEqual(before);
    expect(w.db.prepare('SELECT count(*) FROM audit_events').pluck().get()).toBe(head);
  }, 60_000);

  it('refuses a bad folder, a backwards period, a sample without a seed, and a second export at once, each naming the problem', async () => {
    const h = createHandlers(w.ctx);
    const refused = async (input: Record<string, unknown>): Promise<string> => {
      const r = await dispatch(h, 'evidence:export', input);
      expect(r.ok).toBe(false);
      return r.ok ? '' : `${r.code}: ${r.error}`;
    };
    expect(await refused({ from: '2026-01-01', to: '2026-03-31', folder: path.join(dir, 'nowhere') })).toMatch(/^bad-input: folder: .*nowhere does not exist$/);
    expect(await refused({ from: '2026-01-01', to: '2026-03-31', folder: 'relative/dir' })).toMatch(/^bad-input: folder: "relative\/dir" is not an absolute path$/);
    expect(await refused({ from: '2026-04-01', to: '2026-03-31', folder: out })).toMatch(/^bad-input: to: the period ends/);
    expect(await refused({ from: '2026-02-30', to: '2026-03-31', folder: out })).toMatch(/from/);
    expect(await refused({ from: '2026-01-01', to: '2026-03-31', folder: out, sample: 10 })).toBe('bad-input: seed: give a seed with the sample (the same seed draws the same rows)');
    expect(await refused({ from: '2026-01-01', to: '2026-03-31', folder: out, seed: 'audit-2026' })).toBe('bad-input: sample: give how many rows to draw with the seed');
    const run = await start(w.ctx, { from: '2020-01-01', to: '2099-12-31', folder: out });
    expect(await refused({ from: '2020-01-01', to: '2099-12-31', folder: out })).toMatch(/^conflict: an export is already running/);
    await evidenceRunSettled(w.ctx, run.exportId);
  }, 60_000);

  it('shows a finished workbook in its folder through the desktop shell; refuses one that did not finish', async () => {
    const shown: string[] = [];
    const ctx: EngineContext = { ...w.ctx, desktop: { showItemInFolder: (f) => shown.push(f) } };
    const run = await start(ctx, { from: '2020-01-01', to: '2099-12-31', folder: out });
    await evidenceRunSettled(ctx, run.exportId);
    const r = await dispatch(createHandlers(ctx), 'evidence:reveal', { exportId: run.exportId });
    expect(r).toEqual({ ok: true, value: { shown: true, path: run.path } });
    expect(shown).toEqual([run.path]);
    // The CLI has no file manager to open.
    expect(await dispatch(createHandlers(w.ctx), 'evidence:reveal', { exportId: run.exportId })).toEqual({ ok: true, value: { shown: false, path: run.path } });
    const cancelled = (await dispatch(createHandlers(w.ctx), 'evidence:runs', {})) as { ok: true; value: { runs: EvidenceRunView[] } };
    const notDone = cancelled.value.runs.find((x) => x.state === 'cancelled')!;
    const refused = await dispatch(createHandlers(ctx), 'evidence:reveal', { exportId: notDone.exportId });
    expect(refused).toMatchObject({ ok: false, code: 'conflict' });
    expect(await dispatch(createHandlers(ctx), 'evidence:reveal', { exportId: 'ev-000000000000' })).toMatchObject({ ok: false, code: 'not-found' });
  }, 60_000);

  it('exports from a read-only snapshot copy with no keychain: same sheet hashes, the manifest says why it is unsigned', async () => {
    const copy = path.join(dir, 'copy.latchkey');
    await saveSnapshot(w.db, copy, { force: true, clock: w.ctx.clock });
    const ro = openWorkspace({ dbPath: copy, readOnly: true, secrets: memorySecretStore(), transport: 'cli', clock: w.ctx.clock });
    const folder = path.join(dir, 'ro-out');
    fs.mkdirSync(folder);
    try {
      const period = { from: '2020-01-01', to: w.ctx.clock.now().toISOString() };
      const a = await evidenceRunSettled(ro, (await start(ro, { ...period, folder })).exportId);
      const b = await evidenceRunSettled(w.ctx, (await start(w.ctx, { ...period, folder: out })).exportId);
      expect(a.state).toBe('done');
      expect(a.result?.signed).toBe(false);
      const manifest = JSON.parse(fs.readFileSync(a.result!.manifestPath, 'utf8')) as { signature: unknown; unsigned: string };
      expect(manifest.signature).toBeNull();
      expect(manifest.unsigned).toMatch(/\S/);
      // Independent readers: openpyxl's rows and canonical hashes for every sheet are the manifest's.
      const m = JSON.parse(fs.readFileSync(a.result!.manifestPath, 'utf8')) as { sheets: { name: string; rows: number; sha256: string; worksheets: string[]; columns: unknown[] }[] };
      const shape = m.sheets.map((x) => ({ name: x.name, worksheets: x.worksheets, width: x.columns.length }));
      const seen = openpyxlSheetHashes(a.path, shape);
      expect(seen.sheetnames.slice(0, 3)).toEqual(['Cover', 'Manifest', 'Controls']);
      for (const x of m.sheets) expect(seen.sheets[x.name], x.name).toEqual({ rows: x.rows, sha256: x.sha256 });
      // LibreOffice opens it without repair and re-saves every sheet with its rows.
      const lo = path.join(dir, 'lo');
      const r = spawnSync('soffice', [`-env:UserInstallation=file://${lo}/profile`, '--headless', '--convert-to', 'xlsx', '--outdir', lo, a.path], { encoding: 'utf8', timeout: 180_000 });
      const resaved = path.join(lo, path.basename(a.path));
      expect(r.status, r.stderr).toBe(0);
      expect(fs.existsSync(resaved)).toBe(true);
      const again = openpyxlSheetHashes(resaved, shape);
      expect(again.sheetnames).toEqual(seen.sheetnames);
      for (const x of m.sheets) expect(again.sheets[x.name]?.rows, x.name).toBe(x.rows);
      // Same data, same period: the same content hash for every data sheet (the copy's audit chain adds its snapshot anchor, so the chain sheets may differ).
      const data = (v: EvidenceRunView): [string, string][] => v.result!.sheets.filter((s) => EVIDENCE_SHEETS.some((d) => d.name === s.name && d.name !== 'Audit log')).map((s) => [s.name, s.sha256]);
      expect(data(a)).toEqual(data(b));
    } finally {
      ro.db.close();
    }
  }, 300_000);
});
