// The Electron main process: app lifecycle, the one window, the security
// policy and the IPC registration. It holds no product logic; the engine does.
//
// Security checklist (Electron's, applied here):
// - renderers: contextIsolation, sandbox (app-wide), no nodeIntegration, no
//   webview; the only bridge is the preload's `window.latchkey`;
// - content: served from app://latchkey (a privileged standard scheme, not
//   file://) with a strict CSP header, traversal-safe file lookup;
// - navigation and window.open: always denied; http(s) links to allowlisted
//   admin consoles open in the system browser instead;
// - permissions (camera, notifications, ...): every request and check denied;
// - IPC: every channel checks that the sender frame is our own page;
// - a .latchkey file from the file manager (open-file on macOS, the path
//   argument on Windows/Linux, forwarded by the single-instance lock) is
//   someone else's file: it opens read-only, without credentials.
//
// test/unit/electron-main.test.ts runs this file against a stand-in for the
// 'electron' module and fails when any of the above is weakened.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  type MenuItemConstructorOptions,
  type WebContents,
} from 'electron';
import { createHandlers } from '../engine/api.js';
import { SECURITY_HEADERS, RENDERER_CSP } from '../engine/bridge/security-headers.js';
import { cacheControlFor, openStaticFile } from '../engine/bridge/static-files.js';
import { listConnectionRecords } from '../engine/connections/connections.js';
import { saveSnapshot } from '../engine/workspace/snapshot-copy.js';
import { demoSandboxOf, startDemo } from '../engine/demo.js';
import { startScheduler, type Scheduler } from '../engine/governance/scheduler.js';
import type { EngineContext } from '../engine/context.js';
import { createEventBus, userDataDir } from '../engine/workspace/workspace.js';
import { DEMO_SANDBOX_OPTIONS, startSandbox } from '../sandbox/sandbox.js';
import { createEngineContext, fileArgument, parseShellArgs } from './engine-context.js';
import { isAllowedExternalUrl, orgHosts } from './external-links.js';
import { createSenderCheck, registerContractIpc } from './ipc.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/electron/main/main.js -> dist/renderer */
const rendererDir = path.resolve(here, '../../renderer');
const preloadPath = path.join(here, 'preload.cjs');

const APP_SCHEME = 'app';
const APP_HOST = 'latchkey';
const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
const isTrustedSender = createSenderCheck({ appOrigin: APP_ORIGIN });

// Must happen before 'ready': a standard, secure scheme gets a real origin
// (so CSP 'self' and the sender check mean something) without file:// powers.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();
// The same folder the CLI uses (LATCHKEY_HOME or the platform's config dir + /Latchkey).
app.setPath('userData', userDataDir());

const events = createEventBus();
let ctx: EngineContext | null = null;
let unregisterIpc: () => void = () => undefined;
let mainWindow: BrowserWindow | null = null;
let scheduler: Scheduler | null = null;
/** Set once the first workspace is open and the window exists; before that a handed-over file waits in pendingFile. */
let ready = false;
/** A file the file manager handed over before 'ready' (macOS sends open-file that early when it launches the app). */
let pendingFile: string | null = null;

/** Opens a workspace and (re)binds the IPC handlers to it. */
function useWorkspace(dbPath: string | null, readOnly: boolean): void {
  const next = createEngineContext({ userDataDir: app.getPath('userData'), dbPath, readOnly, events, desktop: { showItemInFolder: (file) => shell.showItemInFolder(file) } });
  unregisterIpc();
  // A job in flight when the file closes stays 'running' and is resumed at the next open (executors are idempotent).
  void scheduler?.stop();
  scheduler = null;
  ctx?.db.close();
  ctx = next;
  // Expiry runs while the app is open: catch-up first, then every 30 s.
  if (!readOnly) scheduler = startScheduler(next, { onError: (e) => console.error(`[latchkey] jobs: ${e instanceof Error ? e.message : String(e)}`) });
  unregisterIpc = registerContractIpc(ipcMain, createHandlers(next), {
    isTrustedSender,
    onUnexpectedError: (channel, message) => console.error(`[latchkey] ${channel}: ${message}`),
  });
}

/**
 * Opens a file handed over by the file manager in the one window: always
 * read-only (it may come from anyone, mailed or copied), through the engine's
 * read-only open. A file that cannot be opened leaves the current workspace
 * as it was and says why.
 */
function openFromFileManager(file: string): void {
  if (!ready) {
    pendingFile = file;
    return;
  }
  try {
    useWorkspace(file, true);
  } catch (e) {
    dialog.showErrorBox(`Cannot open ${path.basename(file)}`, e instanceof Error ? e.message : String(e));
    return;
  }
  if (!mainWindow) {
    mainWindow = createWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
  mainWindow.webContents.reload();
}

function allowedExternal(url: string): boolean {
  const hosts = ctx ? orgHosts(listConnectionRecords(ctx.db).map((c) => c.baseUrl)) : [];
  return isAllowedExternalUrl(url, hosts);
}

function openExternalIfAllowed(url: string): void {
  if (allowedExternal(url)) void shell.openExternal(url);
}

function harden(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    // The UI routes inside the fragment; a real navigation is never ours.
    event.preventDefault();
    openExternalIfAllowed(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!event.url.startsWith(`${APP_ORIGIN}/`)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST && request.method === 'GET' ? await openStaticFile(rendererDir, url.pathname) : null;
    if (!file) return new Response('not found', { status: 404, headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain' } });
    const body = await fs.promises.readFile(file.file);
    return new Response(new Uint8Array(body), {
      headers: { ...SECURITY_HEADERS, 'Content-Type': file.contentType, 'Cache-Control': cacheControlFor(url.pathname, file.file) },
    });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  // Belt and braces: should anything ever load over http(s), it gets the same CSP.
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [RENDERER_CSP] } });
  });
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    title: 'Latchkey',
    show: false,
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

async function openSnapshot(): Promise<void> {
  const options = {
    title: 'Open snapshot (read-only)',
    properties: ['openFile' as const],
    filters: [{ name: 'Latchkey workspace', extensions: ['latchkey', 'db', 'sqlite'] }],
  };
  const picked = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  const file = picked.filePaths[0];
  if (picked.canceled || !file) return;
  try {
    useWorkspace(file, true);
  } catch (e) {
    dialog.showErrorBox('Cannot open snapshot', e instanceof Error ? e.message : String(e));
    return;
  }
  mainWindow?.webContents.reload();
}

/** File > Save a copy…: a consistent copy (online backup) for an auditor or a laptop; it opens read-only anywhere. */
async function saveSnapshotCopy(): Promise<void> {
  if (!ctx) return;
  const stamp = ctx.clock.now().toISOString().slice(0, 10);
  const options = {
    title: 'Save a copy of this workspace',
    defaultPath: `latchkey-snapshot-${stamp}.latchkey`,
    filters: [{ name: 'Latchkey workspace', extensions: ['latchkey'] }],
  };
  const picked = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
  if (picked.canceled || !picked.filePath) return;
  try {
    // The dialog already asked before replacing an existing file.
    await saveSnapshot(ctx.db, picked.filePath, { force: true, clock: ctx.clock });
  } catch (e) {
    dialog.showErrorBox('Cannot save the copy', e instanceof Error ? e.message : String(e));
  }
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Open snapshot… (read-only)', accelerator: 'CmdOrCtrl+O', click: () => void openSnapshot() },
        { label: 'Save a copy…', accelerator: 'CmdOrCtrl+Shift+S', click: () => void saveSnapshotCopy() },
        { type: 'separator' },
        process.platform === 'darwin' ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' as const }]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

if (!app.requestSingleInstanceLock()) {
  // Another Latchkey owns the workspace (SQLite writer, keychain); hand over to it.
  app.quit();
} else {
  // A second launch (double-clicking a .latchkey file while Latchkey runs)
  // hands its argv to this instance: open the file it names here.
  app.on('second-instance', (_event, argv, workingDirectory) => {
    const file = fileArgument(argv, workingDirectory);
    if (file) {
      openFromFileManager(file);
      return;
    }
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  // macOS: a file opened from Finder or dropped on the Dock icon, before or after 'ready'.
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openFromFileManager(file);
  });
  app.on('web-contents-created', (_event, contents) => harden(contents));
  events.subscribe((event, payload) => {
    for (const win of BrowserWindow.getAllWindows()) {
      if (!win.isDestroyed()) win.webContents.send(event, payload);
    }
  });

  app
    .whenReady()
    .then(() => {
      lockDownSession();
      serveRenderer();
      const args = parseShellArgs(process.argv);
      // A file from the file manager (open-file before ready, or the path argument) opens read-only.
      const handedOver = pendingFile ?? fileArgument(process.argv, process.cwd());
      pendingFile = null;
      try {
        useWorkspace(handedOver ?? args.dbPath, handedOver !== null || args.readOnly);
      } catch (e) {
        dialog.showErrorBox('Cannot open the workspace', e instanceof Error ? e.message : String(e));
        app.exit(1);
        return;
      }
      buildMenu();
      mainWindow = createWindow();
      ready = true;
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
      });
      // No real tenant configured: the demo runs on the embedded sandbox and
      // syncs its Okta and Entra connections once; the window shows the progress through 'sync:progress'.
      return ctx ? startDemo(ctx, { startSandbox: async () => demoSandboxOf(await startSandbox(DEMO_SANDBOX_OPTIONS)) }) : null;
    })
    .then((demo) => {
      if (demo) app.once('will-quit', () => void demo.sandbox.close());
    })
    .catch((e: unknown) => {
      console.error(e);
      app.exit(1);
    });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    unregisterIpc();
    void scheduler?.stop();
    scheduler = null;
    ctx?.db.close();
    ctx = null;
  });
}
