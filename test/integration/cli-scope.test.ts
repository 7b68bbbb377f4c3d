// `latchkey connection scope`: limiting what a connection syncs from the
// command line, as large orgs need, against the sandbox over real HTTP.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../electron/cli/cli.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';

let sandbox: Sandbox;
let dir: string;
beforeAll(async () => {
  sandbox = await startSandbox({ users: 200, seed: 3, graph: false });
  dir = fs.mkdtempSync(path.join(process.env.LATCHKEY_TEST_TMP ?? os.tmpdir(), 'latchkey-cli-scope-'));
});
afterAll(async () => {
  await sandbox.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('latchkey connection scope', () => {
  it('shows, sets, validates and clears the scope; the next sync keeps only what is in it', async () => {
    const file = path.join(dir, 'scope.latchkey');
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s), env: { T: sandbox.okta.token }, secrets: memorySecretStore() };
    const run = async (...args: string[]): Promise<number | 'serving'> => {
      out.length = 0;
      err.length = 0;
      return runCli(['--db', file, ...args], io);
    };
    expect(await run('connection', 'add', 'okta', '--name', 'acme', '--org-url', sandbox.okta.url, '--token-env', 'T')).toBe(0);
    expect(await run('connection', 'scope', 'acme')).toBe(0);
    expect(out.join('')).toBe('acme: everything\n');

    expect(await run('connection', 'scope', 'acme', '--group-prefix', 'app-, dept-', '--group-types', 'OKTA_GROUP')).toBe(0);
    expect(out.join('')).toBe('acme: groups starting with app-, dept- · group types OKTA_GROUP (the next sync is a full one)\n');
    expect(await run('sync', '--connection', 'acme', '--json')).toBe(0);
    const names = (): string[] => {
      const db = openDatabase(file, { readOnly: true });
      try {
        return db.prepare('SELECT name FROM cur_groups').pluck().all() as string[];
      } finally {
        db.close();
      }
    };
    const kept = names();
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.every((n) => n.startsWith('app-') || n.startsWith('dept-'))).toBe(true);

    // A bad pattern is refused by name and changes nothing.
    expect(await run('connection', 'scope', 'acme', '--group-pattern', '([a-')).toBe(2);
    expect(err.join('')).toContain('invalid scope: groups.pattern: not a valid regular expression');
    expect(await run('connection', 'scope', 'acme', '--json')).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ groups: { prefixes: ['app-', 'dept-'], pattern: null, types: ['OKTA_GROUP'] } });

    // Read-only: refused before the file is opened.
    const before = fs.readFileSync(file);
    expect(await run('--read-only', 'connection', 'scope', 'acme', '--clear')).not.toBe(0);
    expect(fs.readFileSync(file).equals(before)).toBe(true);

    expect(await run('connection', 'scope', 'acme', '--clear')).toBe(0);
    expect(out.join('')).toBe('acme: everything (the next sync is a full one)\n');
    expect(await run('sync', '--connection', 'acme', '--json')).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ mode: 'full', status: 'succeeded' });
    expect(names().length).toBeGreaterThan(kept.length);
  });
});
