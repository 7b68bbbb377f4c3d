// The real `latchkey` command on crafted workspace files, as child processes
// with a deadline: before the schema check, a recursive view in place of the
// connections table hung `connection list` and `serve --read-only` for good
// (SQLite cannot be interrupted, so even SIGTERM went unanswered), and an
// empty `audit_events` view made `audit verify` report "verifies: 0 events".
// Each now exits at once with one line naming the difference.
import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { alter, emptyViewInPlaceOf, genuineWorkspace, recursiveViewInPlaceOf } from '../fixtures/crafted-workspace.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'electron/cli/main.ts');
const dir = tempDir('latchkey-crafted-');
/**
 * Per process: far above a refusal (what it takes is tsx compiling the CLI,
 * up to half a minute on a loaded two-core machine), far below "never".
 */
const DEADLINE_MS = 180_000;
/** Processes at a time: more only slows every one of them down on two cores. */
const AT_ONCE = 3;
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (running >= AT_ONCE) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await fn();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

type Run = { code: number | null; killedAtDeadline: boolean; stdout: string; stderr: string };

/** Runs the CLI; a process still running at the deadline is killed with SIGKILL (a hung SQLite ignores SIGTERM). */
function latchkey(args: string[], until?: RegExp): Promise<Run> {
  return slot(() => run(args, until));
}

function run(args: string[], until?: RegExp): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: repo, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killedAtDeadline = false;
    const timer = setTimeout(() => {
      killedAtDeadline = true;
      child.kill('SIGKILL');
    }, DEADLINE_MS);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      // A server that came up is the expected outcome for a genuine file: stop it.
      if (until?.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, killedAtDeadline, stdout, stderr });
    });
  });
}

/** A test waits for its runs, queued behind the others. */
const TEST_MS = 4 * DEADLINE_MS;
const SERVING = /http:\/\/127\.0\.0\.1:\d+\/[?#]token=/;
const recursive = path.join(dir, 'recursive.latchkey');
const emptyAudit = path.join(dir, 'empty-audit.latchkey');
const genuine = path.join(dir, 'genuine.latchkey');
const damaged = path.join(dir, 'damaged.latchkey');
const runs: Record<string, Promise<Run>> = {};

/** Overwrites the root page of `table` with junk, its schema row intact. */
function damageTable(file: string, table: string): void {
  const db = new Database(file);
  const page = db.pragma('page_size', { simple: true }) as number;
  const root = db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(table) as number;
  db.close();
  const fd = fs.openSync(file, 'r+');
  fs.writeSync(fd, Buffer.alloc(page, 0xa5), 0, page, (root - 1) * page);
  fs.closeSync(fd);
}

beforeAll(() => {
  genuineWorkspace(genuine);
  alter(genuineWorkspace(recursive), recursiveViewInPlaceOf('connections'));
  alter(genuineWorkspace(emptyAudit), emptyViewInPlaceOf('audit_events'));
  damageTable(genuineWorkspace(damaged), 'connections');
  // Started together, AT_ONCE at a time: the slow part of each is starting it.
  runs.list = latchkey(['--db', recursive, 'connection', 'list']);
  runs.listReadOnly = latchkey(['--db', recursive, '--read-only', 'connection', 'list']);
  runs.serve = latchkey(['--db', recursive, '--read-only', 'serve', '--port', '0'], SERVING);
  runs.serveGenuine = latchkey(['--db', genuine, '--read-only', 'serve', '--port', '0'], SERVING);
  runs.verify = latchkey(['--db', emptyAudit, 'audit', 'verify']);
  runs.verifyReadOnly = latchkey(['--db', emptyAudit, '--read-only', 'audit', 'verify']);
  runs.verifyGenuine = latchkey(['--db', genuine, '--read-only', 'audit', 'verify']);
  runs.damagedReadOnly = latchkey(['--db', damaged, '--read-only', 'connection', 'list']);
  runs.damaged = latchkey(['--db', damaged, 'connection', 'list']);
});

function expectRefused(r: Run, difference: string): void {
  expect(r.killedAtDeadline).toBe(false);
  expect(r.code).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^latchkey: error: .* was refused: its schema is not the one Latchkey creates/);
  expect(lines[0]).toContain(difference);
  expect(r.stderr).not.toMatch(/unexpected failure|\n\s+at /);
}

describe('the CLI on a crafted workspace file', () => {
  it('a recursive view in place of connections: `connection list` exits at once, naming it (read-write and --read-only)', async () => {
    const before = fs.readFileSync(recursive);
    for (const r of [await runs.list, await runs.listReadOnly]) {
      expectRefused(r as Run, 'connections is a view in this file, a table in a Latchkey workspace');
      expect(r?.stdout).toBe('');
    }
    expect(fs.readFileSync(recursive).equals(before)).toBe(true);
  }, TEST_MS);

  it('the same file: `serve --read-only` never starts serving and the process exits; a genuine copy serves', async () => {
    const r = (await runs.serve) as Run;
    expectRefused(r, 'connections is a view in this file, a table in a Latchkey workspace');
    expect(r.stdout).not.toMatch(SERVING);
    const g = (await runs.serveGenuine) as Run;
    expect(g.killedAtDeadline).toBe(false);
    expect(g.stdout).toMatch(SERVING);
  }, TEST_MS);

  it('an audit_events view with no rows: `audit verify` is refused, never "verifies: 0 events"; a genuine copy verifies its 3', async () => {
    for (const r of [await runs.verify, await runs.verifyReadOnly]) {
      expectRefused(r as Run, 'audit_events is a view in this file, a table in a Latchkey workspace');
      expect(r?.stdout).not.toContain('verifies');
    }
    const g = (await runs.verifyGenuine) as Run;
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/\b3 events\b/);
  }, TEST_MS);

  it('a damaged page: named at open on a read-only copy (quick_check), and as a damaged file read-write, never as an unexpected failure', async () => {
    const ro = (await runs.damagedReadOnly) as Run;
    expect(ro.killedAtDeadline).toBe(false);
    expect(ro.code).toBe(1);
    expect(ro.stderr).toMatch(new RegExp(`^latchkey: error: ${damaged.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is damaged \\(.+\\); it was not changed — restore it from a copy\n$`));
    const rw = (await runs.damaged) as Run;
    expect(rw.killedAtDeadline).toBe(false);
    expect(rw.code).toBe(1);
    expect(rw.stderr).toMatch(/^latchkey: error: the workspace file is damaged \(database disk image is malformed\): restore it from a copy\n$/);
  }, TEST_MS);
});
