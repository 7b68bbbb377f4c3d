// `latchkey sandbox` names its Jira site in the JSON line, and `latchkey
// connection add NAME --kind jira ...` / test / remove work against it as a
// script would drive them (real processes; the real keychain, so inside the
// private keychain session `npm test` starts). Argument errors need no keychain.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'electron/cli/main.ts');
const dir = tempDir('latchkey-jira-cli-');

type Run = { code: number | null; stdout: string; stderr: string };
const latchkey = (args: string[], env: NodeJS.ProcessEnv = {}): Run => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, env: { ...process.env, CI: 'true', ...env }, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

type Line = { okta: unknown; jira: { url: string; email: string; apiToken: string; projectKey: string; serviceDeskId: string; requestTypeId: string } };
let child: ChildProcess;
let info: Line;

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', entry, 'sandbox', '--users', '50'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  info = await new Promise<Line>((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line) as Line));
    child.once('exit', (code) => reject(new Error(`sandbox exited ${code}`)));
  });
}, 60_000);
afterAll(() => {
  child.kill('SIGTERM');
});

describe('latchkey sandbox + connection add --kind jira', () => {
  it('prints "jira" in the JSON line', () => {
    expect(info.jira.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.jira).toMatchObject({ email: 'latchkey-bot@example.com', projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10' });
    expect(info.jira.apiToken).toMatch(/^ATATT/);
  });

  it('names the flag that is wrong, without a keychain', () => {
    const f = path.join(dir, 'bad.latchkey');
    const base = ['--db', f, 'connection', 'add', 'Jira', '--kind', 'jira', '--site', info.jira.url, '--email', info.jira.email, '--token-env', 'JT'];
    const r = latchkey([...base, '--project', 'acc'], { JT: info.jira.apiToken });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--project: a project key is 2-10 capital letters/);
    const half = latchkey([...base, '--project', 'ACC', '--service-desk', '1'], { JT: info.jira.apiToken });
    expect(half.stderr).toMatch(/--request-type: give both the service desk id and the request type id/);
    const missing = latchkey(['--db', f, 'connection', 'add', 'Jira', '--kind', 'jira', '--site', info.jira.url]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--email is required/);
    expect(r.stderr + half.stderr).not.toContain(info.jira.apiToken);
  });

  it.runIf(inPrivateKeychain)('adds, tests and removes a Jira connection; the token only in the keychain', () => {
    const f = path.join(dir, 'jira.latchkey');
    const add = latchkey(
      ['--db', f, 'connection', 'add', 'Jira', '--kind', 'jira', '--site', info.jira.url, '--email', info.jira.email, '--token-env', 'JT', '--project', 'ACC', '--service-desk', '1', '--request-type', '10', '--json'],
      { JT: info.jira.apiToken },
    );
    expect(add.stderr).toBe('');
    expect(JSON.parse(add.stdout)).toMatchObject({ kind: 'jira', baseUrl: info.jira.url, jira: { projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10' } });
    const test = latchkey(['--db', f, 'connection', 'test', 'Jira', '--json']);
    expect(test.code).toBe(0);
    const result = JSON.parse(test.stdout) as { ok: boolean; canWrite: boolean; details: string[] };
    expect(result).toMatchObject({ ok: true, canRead: true, canWrite: true });
    expect(result.details.join('\n')).toMatch(/request type 10 "Access request" found/);
    const bytes = fs.readFileSync(f).toString('latin1') + (fs.existsSync(`${f}-wal`) ? fs.readFileSync(`${f}-wal`).toString('latin1') : '');
    expect(bytes).not.toContain(info.jira.apiToken);
    expect(latchkey(['--db', f, 'connection', 'remove', 'Jira']).code).toBe(0);
    expect(latchkey(['--db', f, 'connection', 'list', '--json']).stdout.trim()).toBe('[]');
  });

  it.runIf(inPrivateKeychain)('--statuses on add and edit: the test names the missing mapping, edit fixes it; a bad key is refused', () => {
    const f = path.join(dir, 'jira-statuses.latchkey');
    const base = ['--db', f, 'connection', 'add', 'Jira', '--kind', 'jira', '--site', info.jira.url, '--email', info.jira.email, '--token-env', 'JT', '--project', 'ACC'];
    const bad = latchkey([...base, '--statuses', 'review=QA'], { JT: info.jira.apiToken });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--statuses: unknown status "review" \(statuses: waiting, approved, done, declined\)/);
    expect(latchkey([...base, '--statuses', 'waiting=Open,done=Done'], { JT: info.jira.apiToken }).code).toBe(0);
    const test = JSON.parse(latchkey(['--db', f, 'connection', 'test', 'Jira', '--json']).stdout) as { details: string[] };
    expect(test.details.filter((d) => d.startsWith('missing status mapping')).map((d) => d.split(' — ')[0])).toEqual(['missing status mapping: waiting (waiting for approval)']);
    const edit = latchkey(['--db', f, 'connection', 'edit', 'Jira', '--statuses', 'waiting=Waiting for approval', '--json']);
    expect(edit.code).toBe(0);
    expect(JSON.parse(edit.stdout)).toEqual({ statuses: { waiting: 'Waiting for approval', approved: 'In progress', done: 'Done', declined: 'Declined' } });
    const again = JSON.parse(latchkey(['--db', f, 'connection', 'test', 'Jira', '--json']).stdout) as { details: string[] };
    expect(again.details.filter((d) => d.startsWith('missing status mapping'))).toEqual([]);
  });
});
