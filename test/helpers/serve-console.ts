// The built console served by `latchkey serve` (the local bridge) in a child
// process, as e2e tests and UI benches drive it, plus one contract call made
// the way the page makes it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'dist/electron/cli/main.js');

export type Served = { child: ChildProcess; url: string; origin: string; token: string };

/** `extra`: global options before `serve` (e.g. --read-only); `env`: added to the child's environment. */
export function serveConsole(db: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  if (!fs.existsSync(cli) || !fs.existsSync(path.join(repo, 'dist/renderer/index.html'))) {
    throw new Error('the console is not built: run `npm run build` first (npm test does)');
  }
  const child = spawn(process.execPath, [cli, '--db', db, ...extra, 'serve', '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /((http:\/\/127\.0\.0\.1:\d+)\/#token=([A-Za-z0-9_-]+))/.exec(out);
      if (m?.[1] && m[2] && m[3]) resolve({ child, url: m[1], origin: m[2], token: m[3] });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`latchkey serve exited ${code}: ${err}`)));
  });
}

/** One contract call through the bridge; throws with the channel's error message. */
export async function callBridge<T>(s: Pick<Served, 'origin' | 'token'>, channel: string, input: unknown, headers: Record<string, string> = {}): Promise<T> {
  const res = await fetch(`${s.origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: true; value: T } | { ok: false; error: string };
  if (!body.ok) throw new Error(`${channel}: ${body.error}`);
  return body.value;
}
