// `latchkey snapshot save`, `changes`, `diff`, and what `--read-only` allows:
// the CLI's own entry point (runCli) on real SQLite files, in this process
// with an in-memory keychain (no keychain is needed: reads never touch it,
// and refused verbs are refused before anything is opened).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunDiff } from '../../shared/domain.js';
import { runCli } from '../../electron/cli/cli.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { seedDirectoryOrg } from '../fixtures/directory-org.js';
import { seedHistory } from '../fixtures/history.js';
import { createTempWorkspace } from '../fixtures/seed-snapshot.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-cli-history-');
type Out = { code: number | 'serving'; stdout: string; stderr: string };

async function latchkey(...args: string[]): Promise<Out> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    env: { CI: 'true' },
    secrets: memorySecretStore(),
  });
  return { code, stdout, stderr };
}

const hash = (f: string): string | null => (fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
const state = (f: string): (string | null)[] => ['', '-wal', '-shm', '-journal'].map((s) => hash(f + s));

let workspace: string;
let runs: ReturnType<typeof seedHistory>;
let copy: string;

beforeAll(async () => {
  const ws = createTempWorkspace('latchkey-cli-history-ws-');
  seedDirectoryOrg(ws.db);
  runs = seedHistory(ws.db);
  ws.db.close();
  workspace = path.join(dir, 'workspace.latchkey');
  fs.copyFileSync(ws.file, workspace);
  ws.cleanup();
  copy = path.join(dir, 'copy.latchkey');
  const saved = await latchkey('--db', workspace, 'snapshot', 'save', copy);
  expect(saved, saved.stderr).toMatchObject({ code: 0, stderr: '' });
});

describe('latchkey snapshot save', () => {
  it('writes a copy that opens read-only without side files, with a new workspace id and the same history', () => {
    expect(state(copy).slice(1)).toEqual([null, null, null]);
    const src = new Database(workspace, { readonly: true });
    const dst = new Database(copy, { readonly: true });
    try {
      expect(dst.pragma('journal_mode', { simple: true })).toBe('delete');
      const id = (db: Database.Database) => db.prepare("SELECT value FROM meta WHERE key = 'workspace_id'").pluck().get();
      expect(id(dst)).not.toBe(id(src));
      expect(JSON.parse(dst.prepare("SELECT value FROM meta WHERE key = 'snapshot_of'").pluck().get() as string)).toMatchObject({ workspaceId: id(src) });
      for (const table of ['sync_changes', 'sync_runs', 'audit_events', 'identities', 'memberships']) {
        const rows = (db: Database.Database) => JSON.stringify(db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all());
        expect(rows(dst), table).toBe(rows(src));
      }
    } finally {
      src.close();
      dst.close();
    }
  });

  it('refuses to replace a file unless --force, and never writes over the workspace itself', async () => {
    const before = state(copy);
    const again = await latchkey('--db', workspace, 'snapshot', 'save', copy);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`latchkey: error: ${copy} already exists: choose another name, or pass --force to replace it\n`);
    expect(state(copy)).toEqual(before);

    const other = path.join(dir, 'other.latchkey');
    fs.writeFileSync(other, 'not a database');
    fs.writeFileSync(`${other}-wal`, 'a stale WAL that must not be replayed into the new copy');
    const forced = await latchkey('--db', workspace, 'snapshot', 'save', other, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.existsSync(`${other}-wal`)).toBe(false);
    expect((await latchkey('--db', other, '--read-only', 'runs', '--json')).code).toBe(0);

    const self = await latchkey('--db', workspace, 'snapshot', 'save', workspace, '--force');
    expect(self.code).toBe(1);
    expect(self.stderr).toMatch(/is the workspace itself/);
    const missing = await latchkey('--db', workspace, 'snapshot', 'save', path.join(dir, 'no-such-folder', 'x.latchkey'));
    expect(missing.stderr).toMatch(/the folder .* does not exist/);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  it('copies a consistent state while another connection holds an open write transaction', async () => {
    const writer = new Database(workspace);
    writer.pragma('journal_mode = WAL');
    writer.pragma('busy_timeout = 5000');
    const out = path.join(dir, 'during-write.latchkey');
    try {
      writer.exec('BEGIN IMMEDIATE');
      writer.prepare("INSERT INTO sync_runs (connection_id, mode, status, gen, started_at) VALUES (1, 'full', 'running', 2, 'x')").run();
      const saved = await latchkey('--db', workspace, 'snapshot', 'save', out);
      expect(saved.code, saved.stderr).toBe(0);
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
    const copied = new Database(out, { readonly: true });
    expect(copied.prepare("SELECT count(*) FROM sync_runs WHERE status = 'running'").pluck().get()).toBe(0);
    copied.close();
  });

  it('works on a workspace opened --read-only (saving a copy is a read), leaving it byte-identical', async () => {
    const before = state(copy);
    const out = path.join(dir, 'copy-of-copy.latchkey');
    const r = await latchkey('--db', copy, '--read-only', 'snapshot', 'save', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ file: out, connections: 2, auditChain: { valid: true } });
    expect(state(copy)).toEqual(before);
    expect((await latchkey('--db', out, '--read-only', 'audit', 'verify')).code).toBe(0);
  });
});

describe('latchkey --read-only', () => {
  // Every verb that changes the workspace or needs the keychain, as a script would type it.
  const writes: string[][] = [
    ['connection', 'add', 'okta', '--name', 'x', '--org-url', 'https://x.okta.com', '--token-env', 'T'],
    ['connection', 'add', 'entra', '--name', 'x'],
    ['connection', 'remove', 'Acme'],
    ['connection', 'test', 'Acme'],
    ['connection', 'scope', 'Acme', '--group-prefix', 'app-'],
    ['connection'],
    ['sync'],
    ['sync', '--connection', 'Acme'],
    ['sync', '--full'],
    ['snapshot', 'restore', 'x'],
  ];

  it('refuses every write verb with one line naming it, exit 1, and the file byte-identical', async () => {
    const before = state(copy);
    for (const args of writes) {
      const r = await latchkey('--db', copy, '--read-only', ...args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^latchkey: error: ".+" changes the workspace or needs its credentials: refused on a workspace opened with --read-only/);
    }
    expect(state(copy)).toEqual(before);
    // --read-only may also follow other global options
    expect((await latchkey('--read-only', '--db', copy, 'sync')).code).toBe(1);
    expect(state(copy)).toEqual(before);
  });

  it('runs the read verbs, history included, offline', async () => {
    const before = state(copy);
    for (const args of [['runs'], ['connection', 'list'], ['audit', 'verify'], ['changes'], ['changes', '--run', String(runs.second)], ['diff', String(runs.baseline), String(runs.third)]]) {
      const r = await latchkey('--db', copy, '--read-only', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    }
    expect(state(copy)).toEqual(before);
  });
});

describe('latchkey diff and changes', () => {
  it('prints the net change grouped by kind with counts', async () => {
    const r = await latchkey('--db', copy, '--read-only', 'diff', String(runs.baseline), `#${runs.second}`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `diff #${runs.baseline} → #${runs.second} of "Acme" (2025-05-31T10:00:05.500Z → 2025-06-01T10:00:04.000Z): 2 changes\n` +
        'attribute (1)\n' +
        '  ~ Ada Lovelace department: Research → Engineering\n' +
        'membership-add (1)\n' +
        '  + Grace Hopper → group app-figma-editors (membership-add)\n',
    );
    const net = await latchkey('--db', copy, 'diff', String(runs.baseline), String(runs.third), '--kind', 'membership-add,membership-remove');
    expect(net.stdout).toMatch(/: no changes\n$/);
  });

  it('--json prints the whole RunDiff', async () => {
    const r = await latchkey('--db', copy, 'diff', String(runs.baseline), String(runs.second), '--json');
    const d = JSON.parse(r.stdout) as RunDiff;
    expect(d).toMatchObject({ fromRunId: runs.baseline, toRunId: runs.second, total: 2, offset: 0, counts: { attribute: 1, 'membership-add': 1 } });
    expect(d.rows.map((x) => x.kind)).toEqual(['attribute', 'membership-add']);
  });

  it('names what is wrong: order, unknown runs, failed runs, other connections, kinds', async () => {
    const cases: [string[], number, RegExp][] = [
      [['diff', String(runs.second), String(runs.baseline)], 1, /is newer than run .*: give the older run first/],
      [['diff', String(runs.baseline), '999'], 1, /no sync run #999/],
      [['diff', String(runs.baseline), '2'], 1, /is of "Acme" and run #2 of "Beta sandbox"/],
      [['diff', '1'], 2, /RUN_B is missing/],
      [['diff', '1', 'x'], 2, /RUN_B must be a positive whole number/],
      [['diff', '1', '3', '--kind', 'joiners'], 2, /unknown change kind "joiners"/],
      [['changes', '--run', '2'], 0, /run #2 of "Beta sandbox", full failed .*: no changes \(the run failed\)/],
      [['changes', '--connection', 'Beta sandbox'], 1, /no sync has finished yet/],
    ];
    for (const [args, code, message] of cases) {
      const r = await latchkey('--db', copy, '--read-only', ...args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stdout + r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it("changes lists the newest finished run's changes; --json gives the run and all rows", async () => {
    const text = await latchkey('--db', copy, 'changes');
    expect(text.stdout).toBe(
      `run #${runs.third} of "Acme", full succeeded 2025-06-02T10:00:03.000Z: 1 change\nmembership-remove (1)\n  - Grace Hopper → group app-figma-editors (membership-remove)\n`,
    );
    const base = await latchkey('--db', copy, 'changes', '--run', String(runs.baseline));
    expect(base.stdout).toMatch(/first snapshot \(a baseline/);
    const json = JSON.parse((await latchkey('--db', copy, 'changes', '--run', String(runs.second), '--json', '--kind', 'attribute')).stdout) as {
      run: { id: number };
      total: number;
      counts: Record<string, number>;
      rows: unknown[];
    };
    expect(json).toMatchObject({ run: { id: runs.second }, total: 1, counts: { attribute: 1, 'membership-add': 1 } });
    expect(json.rows).toHaveLength(1);
  });
});
