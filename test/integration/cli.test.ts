// The `latchkey` command as scripts and cron use it: real processes, a real
// SQLite file, the real (private) keychain, the sandbox over real HTTP.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'electron/cli/main.ts');
const dir = tempDir('latchkey-cli-');

type Run = { code: number | null; stdout: string; stderr: string };

function latchkey(args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], {
    cwd: repo,
    env: { ...process.env, CI: 'true', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

type SandboxLine = { okta: { url: string; token: string; readOnlyToken: string } };

function startSandboxProcess(args: string[]): Promise<{ child: ChildProcess; info: SandboxLine; line: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry, 'sandbox', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout });
    rl.once('line', (line) => resolve({ child, info: JSON.parse(line) as SandboxLine, line }));
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
}

describe('latchkey CLI: bad input gets one clear line and a non-zero exit', () => {
  it('usage errors exit 2', () => {
    const r = latchkey(['--db', path.join(dir, 'u.latchkey'), 'frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^latchkey: unknown command "frobnicate"/);
  });

  it('a file that is not SQLite is refused and left alone', () => {
    const f = path.join(dir, 'notes.txt');
    fs.writeFileSync(f, 'quarterly access review notes\n'.repeat(100));
    const before = fs.readFileSync(f);
    const r = latchkey(['--db', f, 'connection', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('is not a Latchkey workspace');
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('a workspace from a newer Latchkey is refused and left alone', () => {
    const f = path.join(dir, 'newer.latchkey');
    expect(latchkey(['--db', f, 'connection', 'list']).code).toBe(0);
    const raw = new Database(f);
    raw.pragma('user_version = 999');
    raw.close();
    const before = fs.readFileSync(f);
    const r = latchkey(['--db', f, 'connection', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/written by a newer Latchkey \(schema 999/);
    expect(fs.readFileSync(f).equals(before)).toBe(true);
  });

  it('an org URL that is not a URL names the flag', () => {
    const r = latchkey(['--db', path.join(dir, 'badurl.latchkey'), 'connection', 'add', 'okta', '--name', 'x', '--org-url', 'acme okta', '--token-env', 'T'], { T: 'abc' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--org-url: not a URL/);
  });

  it('no keychain: says what to install and stores nothing', () => {
    const f = path.join(dir, 'nokeychain.latchkey');
    const r = latchkey(['--db', f, 'connection', 'add', 'okta', '--name', 'x', '--org-url', 'https://acme.okta.com', '--token-env', 'T'], {
      T: 'never-stored-secret',
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/OS keychain is not available.*gnome-keyring/);
    expect(r.stderr).not.toContain('never-stored-secret');
    expect(latchkey(['--db', f, 'connection', 'list']).stdout).toMatch(/no connections/);
  });
});

describe.runIf(inPrivateKeychain)('latchkey CLI against the sandbox', () => {
  let sandbox: { child: ChildProcess; info: SandboxLine; line: string };
  const db = path.join(dir, 'acme.latchkey');

  beforeAll(async () => {
    sandbox = await startSandboxProcess(['--users', '300', '--seed', '5', '--rate-limits', 'okta']);
  });
  afterAll(() => {
    sandbox?.child.kill();
  });

  it('sandbox prints exactly one JSON line with the Okta URL and token', () => {
    expect(sandbox.line.trim()).toBe(sandbox.line);
    expect(sandbox.info.okta.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sandbox.info.okta.token.length).toBeGreaterThan(20);
  });

  it('adds, lists, tests and syncs a connection; the token never reaches output or the file', async () => {
    const env = { OKTA_TOKEN: sandbox.info.okta.token };
    const add = latchkey(['--db', db, 'connection', 'add', 'okta', '--name', 'acme', '--org-url', sandbox.info.okta.url, '--token-env', 'OKTA_TOKEN'], env);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);

    const list = latchkey(['--db', db, 'connection', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject([{ name: 'acme', kind: 'okta', baseUrl: sandbox.info.okta.url, lastSync: null }]);

    const test = latchkey(['--db', db, 'connection', 'test', 'acme', '--json']);
    expect(test.code).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ ok: true, canRead: true, canWrite: true });

    const sync = latchkey(['--db', db, 'sync', '--json']);
    expect(sync.code).toBe(0);
    const summary = JSON.parse(sync.stdout) as Record<string, number | string>;
    expect(summary).toMatchObject({ status: 'succeeded', mode: 'full', users: 300, rateLimited: 0 });
    for (const k of ['groups', 'memberships', 'apps', 'appAssignments', 'requests', 'durationMs']) expect(summary[k]).toBeGreaterThan(0);

    // What the IdP says, counted independently of the engine.
    const res = await fetch(`${sandbox.info.okta.url}/api/v1/groups?limit=10000`, { headers: { Authorization: `SSWS ${sandbox.info.okta.token}` } });
    expect(summary.groups).toBe(((await res.json()) as unknown[]).length);

    const verify = latchkey(['--db', db, 'audit', 'verify']);
    expect(verify.stdout).toMatch(/audit log: [3-9] events/);
    // The sync's end signed a checkpoint with the workspace's key (made on first use, in the keychain).
    expect(verify.stdout).toMatch(/^checkpoints: 1, 1 verified; newest #1 at [3-9] events \(sync, /m);
    expect(verify.stdout).toMatch(/^verifies$/m);
    expect(verify.code).toBe(0);

    for (const out of [add, list, test, sync]) expect(out.stdout + out.stderr).not.toContain(sandbox.info.okta.token);
    const bytes = ['', '-wal'].map((s) => (fs.existsSync(db + s) ? fs.readFileSync(db + s).toString('latin1') : '')).join('');
    expect(bytes).not.toContain(sandbox.info.okta.token);
  });

  it('a revoked token: Okta errorSummary in one line, previous snapshot kept', () => {
    const before = latchkey(['--db', db, 'runs', '--json']);
    const r = latchkey(['--db', db, 'sync', '--connection', 'acme', '--token-env', 'BAD'], { BAD: '00revoked-token-value' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/401 E0000011: Invalid token provided/);
    expect(r.stderr).not.toContain('00revoked-token-value');
    const raw = new Database(db, { readonly: true });
    expect(raw.prepare('SELECT count(*) n FROM cur_identities').get()).toEqual({ n: 300 });
    raw.close();
    expect(JSON.parse(before.stdout)).toHaveLength(1);
  });

  it('unknown connection names the known ones', () => {
    const r = latchkey(['--db', db, 'sync', '--connection', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('latchkey: error: unknown connection "nope" (known: acme)');
  });

  it('--read-only inspects a copy and refuses to change it', () => {
    const copy = path.join(dir, 'copy.latchkey');
    // A consistent copy even with the WAL: open, checkpoint, copy.
    const raw = new Database(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    fs.copyFileSync(db, copy);
    const before = fs.readFileSync(copy);
    const list = latchkey(['--db', copy, '--read-only', 'runs', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBeGreaterThan(0);
    const add = latchkey(['--db', copy, '--read-only', 'connection', 'remove', 'acme']);
    expect(add.code).toBe(1);
    expect(add.stderr).toMatch(/read-only/);
    const sync = latchkey(['--db', copy, '--read-only', 'sync']);
    expect(sync.code).toBe(1);
    expect(fs.readFileSync(copy).equals(before)).toBe(true);
  });
});
