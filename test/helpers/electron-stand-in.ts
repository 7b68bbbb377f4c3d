// A small stand-in for the 'electron' module (the binary cannot run here). It
// records what electron/main asks of Electron — window options, protocol
// registration and handler, session policy, IPC handlers, app events, menus,
// dialogs, external opens — and lets a test play Electron's part: become
// ready, emit open-file or second-instance, navigate a page. Only what main
// uses is here; like Electron, ipcMain.handle refuses a second handler.
//
// Use: vi.mock('electron', () => electronModule()) in the test, then
// installElectronStandIn() before each fresh import of main (the stand-in is
// kept on globalThis because vi.resetModules() gives the test a fresh copy of
// this module).
import { EventEmitter } from 'node:events';

type Fn = (...args: never[]) => unknown;

export type NavigationEvent = { url: string; defaultPrevented: boolean; preventDefault: () => void };

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  reloads = 0;
  sent: [string, unknown][] = [];
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
  }
  reload(): void {
    this.reloads += 1;
  }
  /** Plays a navigation-like event ('will-navigate', 'will-redirect', 'will-attach-webview') and says whether main stopped it. */
  attempt(name: string, url: string): NavigationEvent {
    const event: NavigationEvent = {
      url,
      defaultPrevented: false,
      preventDefault() {
        event.defaultPrevented = true;
      },
    };
    this.emit(name, event, url);
    return event;
  }
}

export type StandInOptions = { singleInstanceLock: boolean };

export function createElectronStandIn(options: StandInOptions) {
  /** Everything main asked, in order, by name (for "before ready" checks). */
  const log: string[] = [];
  let isReady = false;
  let becomeReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    becomeReady = () => {
      isReady = true;
      log.push('ready');
      resolve();
    };
  });
  const paths = new Map<string, string>();

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    enableSandbox: () => void log.push('app.enableSandbox'),
    setPath: (name: string, value: string) => void paths.set(name, value),
    getPath: (name: string): string => {
      const p = paths.get(name);
      if (p === undefined) throw new Error(`stand-in: no path ${name}`);
      return p;
    },
    requestSingleInstanceLock: (): boolean => {
      log.push('app.requestSingleInstanceLock');
      return options.singleInstanceLock;
    },
    whenReady: (): Promise<void> => ready,
    quit: () => void log.push('app.quit'),
    exit: (code?: number) => void log.push(`app.exit(${code ?? 0})`),
  });

  const windows: FakeWindow[] = [];
  class FakeWindow extends EventEmitter {
    static getAllWindows(): FakeWindow[] {
      return windows.filter((w) => !w.destroyed);
    }
    readonly options: Record<string, unknown>;
    readonly webContents = new FakeWebContents();
    url: string | null = null;
    minimized = false;
    focuses = 0;
    restores = 0;
    destroyed = false;
    constructor(opts: Record<string, unknown>) {
      super();
      this.options = opts;
      windows.push(this);
      log.push('new BrowserWindow');
      // As Electron does for every page it creates.
      app.emit('web-contents-created', {}, this.webContents);
    }
    loadURL(url: string): Promise<void> {
      this.url = url;
      return Promise.resolve();
    }
    show(): void {}
    focus(): void {
      this.focuses += 1;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    restore(): void {
      this.minimized = false;
      this.restores += 1;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
  }

  const ipcHandlers = new Map<string, Fn>();
  const ipcMain = {
    handle(channel: string, listener: Fn): void {
      if (ipcHandlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      ipcHandlers.set(channel, listener);
    },
    removeHandler(channel: string): void {
      ipcHandlers.delete(channel);
    },
  };

  const privilegedSchemes: { schemes: unknown; beforeReady: boolean }[] = [];
  const protocolHandlers = new Map<string, (request: { url: string; method: string }) => Promise<Response>>();
  const protocol = {
    registerSchemesAsPrivileged(schemes: unknown): void {
      privilegedSchemes.push({ schemes, beforeReady: !isReady });
    },
    handle(scheme: string, handler: (request: { url: string; method: string }) => Promise<Response>): void {
      protocolHandlers.set(scheme, handler);
    },
  };

  const sessionPolicy: {
    permissionRequest: ((contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void) | null;
    permissionCheck: ((contents: unknown, permission: string, origin: string, details: unknown) => boolean) | null;
    headersReceived: ((details: { responseHeaders?: Record<string, string[]> }, callback: (r: { responseHeaders?: Record<string, string[]> }) => void) => void) | null;
  } = { permissionRequest: null, permissionCheck: null, headersReceived: null };
  const session = {
    defaultSession: {
      setPermissionRequestHandler: (h: typeof sessionPolicy.permissionRequest) => void (sessionPolicy.permissionRequest = h),
      setPermissionCheckHandler: (h: typeof sessionPolicy.permissionCheck) => void (sessionPolicy.permissionCheck = h),
      webRequest: { onHeadersReceived: (h: typeof sessionPolicy.headersReceived) => void (sessionPolicy.headersReceived = h) },
    },
  };

  const errorBoxes: { title: string; content: string }[] = [];
  const dialog = {
    showErrorBox: (title: string, content: string) => void errorBoxes.push({ title, content }),
    showOpenDialog: () => Promise.resolve({ canceled: true, filePaths: [] }),
    showSaveDialog: () => Promise.resolve({ canceled: true, filePath: undefined }),
  };
  const menus: unknown[] = [];
  const Menu = { buildFromTemplate: (t: unknown) => t, setApplicationMenu: (m: unknown) => void menus.push(m) };
  const opened: string[] = [];
  const shell = { openExternal: (url: string) => (opened.push(url), Promise.resolve()) };

  return {
    /** What main imports. */
    module: { app, BrowserWindow: FakeWindow, ipcMain, protocol, session, dialog, Menu, shell },
    // What the test reads and plays.
    app,
    log,
    becomeReady,
    windows,
    ipcHandlers,
    privilegedSchemes,
    protocolHandlers,
    sessionPolicy,
    errorBoxes,
    menus,
    opened,
  };
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>;

const holder = globalThis as { __latchkeyElectronStandIn?: ElectronStandIn };

/** A fresh stand-in; main gets it at its next import (and every later access). */
export function installElectronStandIn(options: StandInOptions): ElectronStandIn {
  const standIn = createElectronStandIn(options);
  holder.__latchkeyElectronStandIn = standIn;
  return standIn;
}

function current(): ElectronStandIn {
  const s = holder.__latchkeyElectronStandIn;
  if (!s) throw new Error('no electron stand-in installed: call installElectronStandIn() before importing main');
  return s;
}

/**
 * For vi.mock('electron', ...): the module main imports, each export read
 * from the stand-in installed last (vitest keeps the mocked module across
 * vi.resetModules(), so it must not hold one stand-in itself).
 */
export function electronModule(): ElectronStandIn['module'] {
  const m = {} as ElectronStandIn['module'];
  for (const key of ['app', 'BrowserWindow', 'ipcMain', 'protocol', 'session', 'dialog', 'Menu', 'shell'] as const) {
    Object.defineProperty(m, key, { enumerable: true, get: () => current().module[key] });
  }
  return m;
}
