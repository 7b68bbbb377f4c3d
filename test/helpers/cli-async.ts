// The CLI from sources in a child process, awaited: for tests whose sandbox
// lives in the test's own process (a blocking spawnSync would starve it) and
// that kill a run part-way (the crash tests).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const entry = path.join(repo, 'electron/cli/main.ts');

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Starts `latchkey --db DB ARGS…` (CI=true, secrets only through env); the caller may kill it. */
export function spawnLatchkey(dbPath: string, args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry, '--db', dbPath, ...args], { cwd: repo, env: { ...process.env, CI: 'true', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs `latchkey --db DB ARGS…` to its end and gives its exit code and output. */
export function latchkeyAsync(dbPath: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawnLatchkey(dbPath, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}
