// The built console served by `latchkey serve` (the local bridge) in a child
// process, as e2e tests and UI benches drive it, plus one contract call made
// the way the page makes it. The printed link is good once: whoever opens it
// first (the browser through openConsole, or callBridge) gets the session
// cookie, and the other is handed the same cookie.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';

const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'dist/electron/cli/main.js');

/** What a test needs to reach a bridge: its origin, its one-time token, and the session cookie once opened. */
export type BridgeAccess = { origin: string; token: string; session?: { name: string; value: string } };
export type Served = BridgeAccess & { child: ChildProcess; url: string };

/** The URL a bridge prints: http://127.0.0.1:PORT/?token=TOKEN */
export const BRIDGE_URL = /((http:\/\/127\.0\.0\.1:\d+)\/\?token=([A-Za-z0-9_-]+))/;

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
      const m = BRIDGE_URL.exec(out);
      if (m?.[1] && m[2] && m[3]) resolve({ child, url: m[1], origin: m[2], token: m[3] });
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`latchkey serve exited ${code}: ${err}`)));
  });
}

/** Opens the one-time link over HTTP (as a browser would) unless that was done already; returns the session cookie. */
async function sessionOf(s: BridgeAccess): Promise<{ name: string; value: string }> {
  if (s.session) return s.session;
  const res = await fetch(`${s.origin}/?token=${s.token}`, { redirect: 'manual' });
  const m = /^(latchkey_\d+)=([^;]+)/.exec(res.headers.getSetCookie()[0] ?? '');
  if (res.status !== 303 || !m?.[1] || !m[2]) throw new Error(`the bridge refused its link: HTTP ${res.status} ${await res.text()}`);
  s.session = { name: m[1], value: m[2] };
  return s.session;
}

/**
 * Opens the console in `page` at `route` (e.g. '#/requests'): through the
 * printed link if nobody used it yet (the real way in), otherwise with the
 * session cookie the test already holds.
 */
export async function openConsole(page: Page, s: BridgeAccess, route = ''): Promise<void> {
  if (!s.session) {
    await page.goto(`${s.origin}/?token=${s.token}${route}`);
    const cookie = (await page.context().cookies(s.origin)).find((c) => c.name === `latchkey_${new URL(s.origin).port}`);
    if (!cookie) throw new Error('the browser got no session cookie from the bridge link');
    s.session = { name: cookie.name, value: cookie.value };
    return;
  }
  await page.context().addCookies([{ name: s.session.name, value: s.session.value, url: s.origin, httpOnly: true, sameSite: 'Strict' }]);
  await page.goto(`${s.origin}/${route}`);
}

/** One contract call through the bridge; throws with the channel's error message. */
export async function callBridge<T>(s: BridgeAccess, channel: string, input: unknown, headers: Record<string, string> = {}): Promise<T> {
  const session = await sessionOf(s);
  const res = await fetch(`${s.origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { Cookie: `${session.name}=${session.value}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(input),
  });
  const body = (await res.json()) as { ok: true; value: T } | { ok: false; error: string };
  if (!body.ok) throw new Error(`${channel}: ${body.error}`);
  return body.value;
}

/**
 * A full sync of one connection run by the served engine (not a blocking CLI
 * child: the sandbox answers in the test's process), waited for; throws with
 * the run's status when it does not succeed within `timeoutMs`.
 */
export async function syncInConsole(s: BridgeAccess, connectionId: number, timeoutMs = 60_000): Promise<number> {
  const { runId } = await callBridge<{ runId: number }>(s, 'sync:start', { connectionId, full: true });
  const until = Date.now() + timeoutMs;
  for (;;) {
    const status = (await callBridge<{ id: number; status: string }[]>(s, 'sync:runs', { limit: 5 })).find((r) => r.id === runId)?.status;
    if (status === 'succeeded') return runId;
    if (status === 'failed' || Date.now() > until) throw new Error(`sync run #${runId} did not succeed (${status ?? 'not listed'})`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
