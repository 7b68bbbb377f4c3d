// `latchkey start` opening the browser: the one-time link never appears on a
// command line (a fake xdg-open records exactly what other users could read in
// /proc/PID/cmdline), the launcher file is 0600 in a 0700 directory, real
// Chromium opening it ends signed in on the token-less console, and the file
// is gone once the link was used, or at exit.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBrowser, type Launcher } from '../../electron/cli/browser-launcher.js';
import { createHandlers } from '../../electron/engine/api.js';
import { startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';
import { launchChromium } from '../helpers/chromium.js';

const repo = path.resolve(import.meta.dirname, '../..');
let ws: TempWorkspace;
let bin: string;
let launchers: string;
let log: string;
let browser: Browser | undefined;

beforeAll(() => {
  ws = createTempWorkspace('latchkey-launcher-');
  bin = path.join(ws.dir, 'bin');
  launchers = path.join(ws.dir, 'launchers');
  log = path.join(ws.dir, 'opener.log');
  fs.mkdirSync(bin);
  fs.mkdirSync(launchers);
  // A stand-in for xdg-open: records its own /proc cmdline (what `ps` shows
  // every local user) and the launcher's and its directory's modes.
  fs.writeFileSync(
    path.join(bin, 'xdg-open'),
    `#!/bin/sh\n{ tr '\\0' ' ' < /proc/$$/cmdline; echo; stat -c %a "$1"; stat -c %a "$(dirname "$1")"; } > "${log}.tmp"\nmv "${log}.tmp" "${log}"\n`,
    { mode: 0o755 },
  );
});

afterAll(async () => {
  await browser?.close();
  ws.cleanup();
});

const io = (stdout: string[] = []): { env: NodeJS.ProcessEnv; stdout: (s: string) => void } => ({
  env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}`, DISPLAY: ':0' },
  stdout: (s) => stdout.push(s),
});

describe('latchkey start: opening the browser', () => {
  it('opens a 0600 launcher file, never the tokened URL; the file redirects, signs the browser in, and goes once used', async () => {
    const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge' });
    const staticDir = path.join(ws.dir, 'renderer');
    fs.mkdirSync(staticDir);
    fs.writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>console</title><p>console</p>');
    let launcher: Launcher | null = null;
    const bridge: Bridge = await startBridge({ handlers: createHandlers(ctx), staticDir, onTokenUsed: () => launcher?.remove() });
    try {
      launcher = openBrowser(bridge.url, io(), { platform: 'linux', launcherDir: launchers });
      expect(launcher).not.toBeNull();
      const file = launcher?.file ?? '';
      await vi.waitFor(() => expect(fs.existsSync(log)).toBe(true), { timeout: 10_000 });
      const [cmdline, fileMode, dirMode] = fs.readFileSync(log, 'utf8').trim().split('\n');
      // The opener saw the launcher's path, and nothing of the token.
      expect(cmdline?.trim()).toBe(`/bin/sh ${path.join(bin, 'xdg-open')} ${file}`);
      expect(cmdline).not.toContain(bridge.token);
      expect(fileMode).toBe('600');
      expect(dirMode).toBe('700');
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(path.dirname(path.dirname(file))).toBe(launchers);
      expect(fs.readFileSync(file, 'utf8')).toContain(`<meta http-equiv="refresh" content="0;url=${bridge.url}">`);

      // A real browser opening the file lands on the token-less console, signed in.
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(`file://${file}`);
      await expect.poll(() => page.url(), { timeout: 10_000 }).toBe(`${bridge.origin}/`);
      await expect.poll(() => page.textContent('body')).toContain('console');
      const info = await page.evaluate(async () => (await fetch('/api/app%3Ainfo', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).json() as unknown);
      expect(info).toMatchObject({ ok: true });
      // Used: the launcher and its directory are gone, and the link is refused from now on.
      expect(fs.existsSync(file)).toBe(false);
      expect(fs.existsSync(path.dirname(file))).toBe(false);
      const again = await (await browser.newContext()).newPage();
      expect((await again.goto(bridge.url))?.status()).toBe(401);
    } finally {
      await bridge.close();
      ctx.db.close();
    }
  });

  it('removes an unused launcher when the process exits', () => {
    const script = `
      const { openBrowser } = await import(${JSON.stringify(path.join(repo, 'electron/cli/browser-launcher.ts'))});
      const l = openBrowser('http://127.0.0.1:1/?token=${'t'.repeat(43)}', { env: { ...process.env, PATH: ${JSON.stringify(bin)} + ':' + process.env.PATH, DISPLAY: ':0' }, stdout: () => {} }, { platform: 'linux', launcherDir: ${JSON.stringify(launchers)} });
      console.log(l.file);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: repo });
    expect(r.stderr).toBe('');
    const file = r.stdout.trim();
    expect(file.startsWith(launchers)).toBe(true);
    expect(fs.existsSync(path.dirname(file))).toBe(false);
  });

  it('opens nothing without a desktop session and says to open the URL by hand', () => {
    const out: string[] = [];
    const o = io(out);
    delete o.env.DISPLAY;
    delete o.env.WAYLAND_DISPLAY;
    expect(openBrowser('http://127.0.0.1:1/?token=x', o, { platform: 'linux', launcherDir: launchers })).toBeNull();
    expect(out.join('')).toMatch(/open the URL above yourself/);
    expect(fs.readdirSync(launchers)).toEqual([]);
  });
});
