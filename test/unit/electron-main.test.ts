// electron/main against a stand-in for the 'electron' module (the binary
// cannot run here; test/helpers/electron-stand-in.ts records what main asks).
// Each part of the security checklist is asserted so that weakening it fails
// here: window options, the privileged scheme and its CSP, the session's
// permission and header policy, navigation and window.open, IPC (every
// contract channel, no more, from our page only), and a .latchkey file from
// the file manager (open-file before and after ready, the path argument,
// the single-instance hand-over) opening read-only.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { channelNames, WRITE_CHANNELS } from '../../shared/contract.js';
import { RENDERER_CSP } from '../../electron/engine/bridge/security-headers.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { fileArgument } from '../../electron/main/engine-context.js';
import { installElectronStandIn, type ElectronStandIn, type FakeWebContents } from '../helpers/electron-stand-in.js';
import { tempDir } from '../helpers/tmp.js';

vi.mock('electron', async () => (await import('../helpers/electron-stand-in.js')).electronModule());

const repo = path.resolve(import.meta.dirname, '../..');
const mainFile = path.join(repo, 'electron/main/main.ts');
const dir = tempDir('latchkey-electron-main-');
const APP_PAGE = 'app://latchkey/index.html';

/** A workspace file as someone else would hand it over. */
function workspaceFile(name: string): string {
  const file = path.join(dir, name);
  const ctx = openWorkspace({ dbPath: file, secrets: memorySecretStore(), transport: 'cli', actor: 'cli:test' });
  ctx.db.close();
  return file;
}

const savedArgv = process.argv;
const savedEnv = { home: process.env.LATCHKEY_HOME, noSandbox: process.env.LATCHKEY_NO_SANDBOX };
let home: string;
let e: ElectronStandIn;

/** Imports main afresh (module state and all) with `argv`, against a fresh stand-in. */
async function loadMain(o: { argv?: string[]; lock?: boolean } = {}): Promise<ElectronStandIn> {
  home = fs.mkdtempSync(path.join(dir, 'home-'));
  process.env.LATCHKEY_HOME = home;
  process.env.LATCHKEY_NO_SANDBOX = '1';
  process.argv = ['/opt/Latchkey/latchkey', ...(o.argv ?? [])];
  e = installElectronStandIn({ singleInstanceLock: o.lock ?? true });
  vi.resetModules();
  await import(mainFile);
  return e;
}

async function ready(): Promise<void> {
  e.becomeReady();
  await vi.waitFor(() => expect(e.windows.length > 0 || e.log.some((l) => l.startsWith('app.exit'))).toBe(true));
}

type Result = { ok: boolean; value?: Record<string, unknown>; code?: string; error?: string };
/** Calls a contract channel as the renderer would, from `frame`. */
async function invoke(channel: string, input: unknown, frame: string | null = APP_PAGE): Promise<Result> {
  const handler = e.ipcHandlers.get(channel);
  if (!handler) throw new Error(`no IPC handler for ${channel}`);
  return (await (handler as (event: unknown, input: unknown) => Promise<Result>)({ senderFrame: frame === null ? null : { url: frame } }, input));
}

async function info(): Promise<{ dbPath: string; readOnly: boolean }> {
  const r = await invoke('app:info', {});
  expect(r.ok).toBe(true);
  return r.value as { dbPath: string; readOnly: boolean };
}

beforeEach(() => {
  process.argv = savedArgv;
});

afterEach(() => {
  // Closes the workspace and stops the scheduler, as quitting does.
  e.app.emit('will-quit');
  process.argv = savedArgv;
  if (savedEnv.home === undefined) delete process.env.LATCHKEY_HOME;
  else process.env.LATCHKEY_HOME = savedEnv.home;
  if (savedEnv.noSandbox === undefined) delete process.env.LATCHKEY_NO_SANDBOX;
  else process.env.LATCHKEY_NO_SANDBOX = savedEnv.noSandbox;
});

describe('electron main: the security checklist', { timeout: 60_000 }, () => {
  it('registers the app:// scheme before ready, privileged only as standard + secure + fetch, and turns on the sandbox app-wide', async () => {
    await loadMain();
    expect(e.privilegedSchemes).toEqual([{ schemes: [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }], beforeReady: true }]);
    expect(e.log.indexOf('app.enableSandbox')).toBeGreaterThanOrEqual(0);
    expect(e.log.indexOf('app.enableSandbox')).toBeLessThan(e.log.indexOf('ready') === -1 ? Infinity : e.log.indexOf('ready'));
    await ready();
    expect([...e.protocolHandlers.keys()]).toEqual(['app']);
  });

  it('opens one window: context isolation, sandbox, no Node, no webview, web security, our page only', async () => {
    await loadMain();
    await ready();
    expect(e.windows).toHaveLength(1);
    const win = e.windows[0];
    expect(win?.options.webPreferences).toEqual({
      preload: path.join(repo, 'electron/main/preload.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    });
    expect(win?.url).toBe(APP_PAGE);
  });

  it('serves the renderer from app://latchkey with the strict CSP and hardening headers, nothing else', async () => {
    await loadMain();
    await ready();
    const serve = e.protocolHandlers.get('app');
    if (!serve) throw new Error('no app:// handler');
    const page = await serve({ url: APP_PAGE, method: 'GET' });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    for (const part of ["default-src 'self'", "script-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'"]) {
      expect(RENDERER_CSP.split('; ')).toContain(part);
    }
    expect(RENDERER_CSP).not.toMatch(/unsafe-eval|script-src[^;]*unsafe-inline|\*/);
    for (const req of [
      { url: 'app://latchkey/%2e%2e/package.json', method: 'GET' },
      { url: 'app://latchkey/..%2F..%2Fpackage.json', method: 'GET' },
      { url: 'app://other/index.html', method: 'GET' },
      { url: APP_PAGE, method: 'POST' },
    ]) {
      const res = await serve(req);
      expect(res.status, `${req.method} ${req.url}`).toBe(404);
      expect(res.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    }
    // Anything ever loaded over http(s) gets the same CSP, replacing its own.
    let answered: Record<string, string[]> | undefined;
    e.sessionPolicy.headersReceived?.({ responseHeaders: { 'Content-Security-Policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => (answered = r.responseHeaders));
    expect(answered).toEqual({ 'Content-Security-Policy': [RENDERER_CSP], 'X-Other': ['1'] });
  });

  it('denies every permission request and check', async () => {
    await loadMain();
    await ready();
    const { permissionRequest, permissionCheck } = e.sessionPolicy;
    if (!permissionRequest || !permissionCheck) throw new Error('no permission handlers');
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'hid', 'serial', 'usb']) {
      const answers: boolean[] = [];
      permissionRequest({}, permission, (granted) => answers.push(granted), { requestingUrl: APP_PAGE });
      expect(answers, permission).toEqual([false]);
      expect(permissionCheck({}, permission, 'app://latchkey', {}), permission).toBe(false);
    }
  });

  it('stops every navigation, redirect off the app, webview and window.open; only allowlisted links leave for the system browser', async () => {
    await loadMain();
    await ready();
    // Applied to every web contents Electron creates, not only the window's.
    const other = new (e.windows[0]?.webContents.constructor as new () => FakeWebContents)();
    e.app.emit('web-contents-created', {}, other);
    for (const contents of [e.windows[0]?.webContents, other]) {
      if (!contents) throw new Error('no contents');
      e.opened.length = 0;
      for (const url of ['https://evil.example/', 'file:///etc/passwd', 'app://latchkey/index.html#/x', 'https://acme.okta.com/admin']) {
        expect(contents.attempt('will-navigate', url).defaultPrevented, url).toBe(true);
      }
      expect(contents.attempt('will-redirect', 'https://evil.example/').defaultPrevented).toBe(true);
      expect(contents.attempt('will-redirect', 'app://latchkey/index.html').defaultPrevented).toBe(false);
      expect(contents.attempt('will-attach-webview', 'https://evil.example/').defaultPrevented).toBe(true);
      for (const url of ['https://acme.okta.com/admin/users', 'https://evil.example/', 'javascript:alert(1)', 'file:///etc/passwd', 'http://acme.okta.com/']) {
        expect(contents.windowOpenHandler?.({ url }), url).toEqual({ action: 'deny' });
      }
      // Only the Okta admin links (a known admin console) were handed to the system browser.
      expect(e.opened).toEqual(['https://acme.okta.com/admin', 'https://acme.okta.com/admin/users']);
    }
  });

  it('registers every contract channel over IPC, no more, answering only our own page', async () => {
    await loadMain();
    await ready();
    expect([...e.ipcHandlers.keys()].sort()).toEqual([...channelNames].sort());
    expect(await info()).toEqual(expect.objectContaining({ dbPath: path.join(home, 'workspace.latchkey'), readOnly: false }));
    for (const frame of ['https://evil.example/', 'app://other/index.html', 'file:///tmp/index.html', null]) {
      expect(await invoke('app:info', {}, frame), String(frame)).toMatchObject({ ok: false, code: 'unauthorized' });
    }
  });

  it('hands over to the running instance and does nothing else when the single-instance lock is taken', async () => {
    await loadMain({ lock: false });
    expect(e.log).toContain('app.quit');
    e.becomeReady();
    await new Promise((r) => setTimeout(r, 50));
    expect(e.windows).toHaveLength(0);
    expect(e.ipcHandlers.size).toBe(0);
    expect(e.app.listenerCount('open-file') + e.app.listenerCount('second-instance')).toBe(0);
  });
});

describe('electron main: a .latchkey file from the file manager opens read-only', { timeout: 60_000 }, () => {
  it('macOS open-file before ready: the first workspace opened is that file, read-only; the default one is not even created', async () => {
    const file = workspaceFile('mailed.latchkey');
    await loadMain();
    const event = { defaultPrevented: false, preventDefault: () => void (event.defaultPrevented = true) };
    e.app.emit('open-file', event, file);
    expect(event.defaultPrevented).toBe(true);
    await ready();
    expect(await info()).toEqual(expect.objectContaining({ dbPath: file, readOnly: true }));
    expect(fs.existsSync(path.join(home, 'workspace.latchkey'))).toBe(false);
    for (const channel of WRITE_CHANNELS.slice(0, 5)) {
      expect(await invoke(channel, {}), channel).toMatchObject({ ok: false, code: 'read-only' });
    }
  });

  it('macOS open-file after ready: the window switches to the file, read-only, and reloads; IPC stays exactly the contract', async () => {
    const file = workspaceFile('later.latchkey');
    await loadMain();
    await ready();
    expect((await info()).readOnly).toBe(false);
    const event = { defaultPrevented: false, preventDefault: () => void (event.defaultPrevented = true) };
    e.app.emit('open-file', event, file);
    expect(event.defaultPrevented).toBe(true);
    expect(await info()).toEqual(expect.objectContaining({ dbPath: file, readOnly: true }));
    expect(e.windows[0]?.webContents.reloads).toBe(1);
    expect(e.windows).toHaveLength(1);
    expect([...e.ipcHandlers.keys()].sort()).toEqual([...channelNames].sort());
    expect(await invoke('settings:set', { noticeHours: 12 })).toMatchObject({ ok: false, code: 'read-only' });
  });

  it('Windows/Linux: the path argument opens read-only at start (a --db value is not taken for it)', async () => {
    const file = workspaceFile('argv.latchkey');
    await loadMain({ argv: ['--enable-logging', file] });
    await ready();
    expect(await info()).toEqual(expect.objectContaining({ dbPath: file, readOnly: true }));

    const own = path.join(dir, 'own.latchkey');
    e.app.emit('will-quit');
    await loadMain({ argv: ['--db', own] });
    await ready();
    expect(await info()).toEqual(expect.objectContaining({ dbPath: own, readOnly: false }));
  });

  it('a second launch with a file hands it to the running window: opened read-only there, window restored and focused', async () => {
    const file = workspaceFile('second.latchkey');
    await loadMain();
    await ready();
    const win = e.windows[0];
    if (!win) throw new Error('no window');
    win.minimized = true;
    e.app.emit('second-instance', {}, ['/opt/Latchkey/latchkey', '--original-process-start-time=1', 'second.latchkey'], dir);
    expect(await info()).toEqual(expect.objectContaining({ dbPath: file, readOnly: true }));
    expect(win.restores).toBe(1);
    expect(win.focuses).toBe(1);
    expect(win.webContents.reloads).toBe(1);
    expect(e.windows).toHaveLength(1);
    // Without a file, a second launch only brings the window forward.
    e.app.emit('second-instance', {}, ['/opt/Latchkey/latchkey'], dir);
    expect(win.focuses).toBe(2);
    expect(await info()).toEqual(expect.objectContaining({ dbPath: file }));
  });

  it('a file that cannot be opened says so by name and leaves the current workspace in place', async () => {
    const junk = path.join(dir, 'junk.latchkey');
    fs.writeFileSync(junk, 'this is not a database, just some text long enough to look like a header...');
    await loadMain();
    await ready();
    const before = await info();
    e.app.emit('open-file', { preventDefault: () => undefined }, junk);
    expect(e.errorBoxes).toEqual([{ title: 'Cannot open junk.latchkey', content: expect.any(String) as unknown }]);
    expect(await info()).toEqual(before);
  });
});

describe('fileArgument', () => {
  it('takes the last .latchkey path, absolute against the working directory, never a switch, --db value or script', () => {
    expect(fileArgument(['/opt/latchkey', 'a.latchkey'], '/home/u')).toBe('/home/u/a.latchkey');
    expect(fileArgument(['/opt/latchkey', '/tmp/B.LATCHKEY'], '/home/u')).toBe('/tmp/B.LATCHKEY');
    expect(fileArgument(['electron', 'dist/electron/main/main.js', '--db', 'x.latchkey'], '/w')).toBeNull();
    expect(fileArgument(['/opt/latchkey', '--flag=y.latchkey', '-z.latchkey'], '/w')).toBeNull();
    expect(fileArgument(['a.latchkey'], '/w')).toBeNull();
    expect(fileArgument(['/opt/latchkey', 'notes.txt', 'one.latchkey', 'two.latchkey'], '/w')).toBe('/w/two.latchkey');
  });
});
