// The Electron transport without Electron: registerContractIpc driven through
// a fake ipcLike (foreign senders refused, malformed payloads named, valid
// calls answered), and the preload compiled and run in a VM against a fake
// 'electron' module (self-contained, one function per channel, event allowlist).
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import ts from 'typescript';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelNames, type Result } from '../../shared/contract.js';
import { createHandlers, type Handlers } from '../../electron/engine/api.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { createSenderCheck, registerContractIpc, UNTRUSTED_SENDER_MESSAGE, type IpcInvokeEventLike, type IpcLike } from '../../electron/main/ipc.js';
import { seedDirectoryOrg } from '../fixtures/directory-org.js';
import { createTempWorkspace, seedConnection, type TempWorkspace } from '../fixtures/seed-snapshot.js';

type Listener = (event: IpcInvokeEventLike, ...args: unknown[]) => unknown;

/** Records registrations like ipcMain and lets the test invoke them as a renderer would. */
function fakeIpcMain(): IpcLike & { listeners: Map<string, Listener>; invoke: (url: string | null, channel: string, ...args: unknown[]) => Promise<Result<unknown>> } {
  const listeners = new Map<string, Listener>();
  return {
    listeners,
    handle(channel, listener) {
      if (listeners.has(channel)) throw new Error(`second handler for ${channel}`);
      listeners.set(channel, listener);
    },
    removeHandler(channel) {
      listeners.delete(channel);
    },
    async invoke(url, channel, ...args) {
      const l = listeners.get(channel);
      if (!l) throw new Error(`No handler registered for '${channel}'`);
      return (await l({ senderFrame: url === null ? null : { url } }, ...args)) as Result<unknown>;
    },
  };
}

const APP_URL = 'app://latchkey/index.html#/directory/users';

let ws: TempWorkspace;
let handlers: Handlers;

beforeEach(() => {
  ws = createTempWorkspace();
  seedDirectoryOrg(ws.db);
  ws.db.close();
  const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'electron' });
  ws.db = ctx.db;
  handlers = createHandlers(ctx);
});
afterEach(() => ws.cleanup());

describe('registerContractIpc', () => {
  it('registers exactly the contract channels and unregisters them', () => {
    const ipc = fakeIpcMain();
    const unregister = registerContractIpc(ipc, handlers, { isTrustedSender: createSenderCheck({ appOrigin: 'app://latchkey' }) });
    expect([...ipc.listeners.keys()].sort()).toEqual([...channelNames].sort());
    unregister();
    expect(ipc.listeners.size).toBe(0);
  });

  it('answers a valid call from the app page', async () => {
    const ipc = fakeIpcMain();
    registerContractIpc(ipc, handlers, { isTrustedSender: createSenderCheck({ appOrigin: 'app://latchkey' }) });
    const r = await ipc.invoke(APP_URL, 'directory:users', { search: 'grace' });
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.value as { rows: { displayName: string }[] }).rows.map((u) => u.displayName)).toEqual(['Grace Hopper']);
    expect(await ipc.invoke(APP_URL, 'app:info')).toMatchObject({ ok: true, value: { transport: 'electron' } });
  });

  it('refuses calls from foreign, navigated or destroyed frames before touching the handler', async () => {
    const ipc = fakeIpcMain();
    let called = 0;
    const counting: Handlers = {
      ...handlers,
      'connections:list': () => {
        called++;
        return [];
      },
    };
    registerContractIpc(ipc, counting, { isTrustedSender: createSenderCheck({ appOrigin: 'app://latchkey' }) });
    for (const url of [
      'https://evil.example/index.html',
      'app://evil/index.html',
      'app://latchkey.evil.example/index.html',
      'app://user:pw@latchkey/index.html',
      'file:///tmp/index.html',
      'http://127.0.0.1:5173/',
      'devtools://devtools/bundled/inspector.html',
      'about:blank',
      '',
      null,
    ]) {
      expect(await ipc.invoke(url, 'connections:list', {})).toEqual({ ok: false, code: 'unauthorized', error: UNTRUSTED_SENDER_MESSAGE });
    }
    expect(called).toBe(0);
    expect(await ipc.invoke(APP_URL, 'connections:list', {})).toMatchObject({ ok: true });
    expect(called).toBe(1);
  });

  it('rejects malformed payloads naming the field, and extra arguments', async () => {
    const ipc = fakeIpcMain();
    registerContractIpc(ipc, handlers, { isTrustedSender: () => true });
    const bad = await ipc.invoke(APP_URL, 'directory:groups', { managedBy: ['nobody'] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.code).toBe('bad-input');
      expect(bad.error).toMatch(/managedBy\.0/);
    }
    const notObject = await ipc.invoke(APP_URL, 'directory:user', 'id=1');
    expect(notObject).toMatchObject({ ok: false, code: 'bad-input' });
    const extra = await ipc.invoke(APP_URL, 'sync:runs', {}, { sneaky: true });
    expect(extra).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/one argument/) as unknown });
    // The only second argument is the call's meta, exactly { actingAs: string ≤ 320 | null }.
    for (const meta of [{ actingAs: 5 }, { actingAs: 'a@b.example', sneaky: true }, { actingAs: 'x'.repeat(321) }, ['a@b.example'], 'a@b.example']) {
      expect(await ipc.invoke(APP_URL, 'sync:runs', {}, meta)).toMatchObject({ ok: false, code: 'bad-input' });
    }
    expect(await ipc.invoke(APP_URL, 'sync:runs', {}, { actingAs: 'a@b.example' }, {})).toMatchObject({ ok: false, code: 'bad-input' });
  });

  it("passes the session's 'acting as' to the engine as the console's caller: honoured in a sandbox workspace only", async () => {
    const ipc = fakeIpcMain();
    registerContractIpc(ipc, handlers, { isTrustedSender: () => true });
    // This workspace has a connection to a real tenant (https://acme.okta.com): acting as is ignored.
    expect(await ipc.invoke(APP_URL, 'operator:status', {}, { actingAs: 'grace@acme.example' })).toMatchObject({ ok: true, value: { actingAs: null } });

    // Every connection on loopback: a sandbox, where the session's choice names the caller.
    const sandbox = createTempWorkspace();
    try {
      seedConnection(sandbox.db, { name: 'sandbox okta', baseUrl: 'http://127.0.0.1:5555' });
      sandbox.db.close();
      const ctx = openWorkspace({ dbPath: sandbox.file, secrets: memorySecretStore(), transport: 'electron' });
      sandbox.db = ctx.db;
      const sandboxIpc = fakeIpcMain();
      registerContractIpc(sandboxIpc, createHandlers(ctx), { isTrustedSender: () => true });
      expect(await sandboxIpc.invoke(APP_URL, 'operator:status', {}, { actingAs: 'Grace@Acme.example' })).toMatchObject({ ok: true, value: { actingAs: { email: 'grace@acme.example' } } });
      expect(await sandboxIpc.invoke(APP_URL, 'operator:status', {}, { actingAs: null })).toMatchObject({ ok: true, value: { actingAs: null } });
      expect(await sandboxIpc.invoke(APP_URL, 'operator:status', {})).toMatchObject({ ok: true, value: { actingAs: null } });
    } finally {
      sandbox.cleanup();
    }
  });
});

describe('createSenderCheck', () => {
  it('accepts only the exact file:// index when configured that way', () => {
    const index = path.resolve('/opt/latchkey/resources/app/dist/renderer/index.html');
    const check = createSenderCheck({ indexFile: index });
    expect(check(`file://${index}#/dashboard`)).toBe(true);
    expect(check(`file://${index}?x=1`)).toBe(true);
    expect(check(`file://${path.dirname(index)}/other.html`)).toBe(false);
    expect(check('file://remote-host/opt/latchkey/resources/app/dist/renderer/index.html')).toBe(false);
    expect(check('app://latchkey/index.html')).toBe(false);
    expect(check('not a url')).toBe(false);
  });
});

type FakeIpcRenderer = {
  invoked: [string, unknown][];
  listeners: Map<string, Set<(...args: unknown[]) => void>>;
};

/** Compiles preload.cts the way tsc does and runs it with a fake require('electron'). */
function loadPreload(): { api: Record<string, unknown>; ipc: FakeIpcRenderer; required: string[] } {
  const source = fs.readFileSync(path.resolve('electron/main/preload.cts'), 'utf8');
  const out = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    fileName: 'preload.cts',
  });
  const ipc: FakeIpcRenderer = { invoked: [], listeners: new Map() };
  const exposed: Record<string, unknown> = {};
  const required: string[] = [];
  const electron = {
    contextBridge: {
      exposeInMainWorld: (key: string, value: unknown) => {
        exposed[key] = value;
      },
    },
    ipcRenderer: {
      invoke: (channel: string, input: unknown) => {
        ipc.invoked.push([channel, input]);
        return Promise.resolve({ ok: true, value: channel });
      },
      on: (channel: string, l: (...args: unknown[]) => void) => {
        const set = ipc.listeners.get(channel) ?? new Set();
        set.add(l);
        ipc.listeners.set(channel, set);
      },
      removeListener: (channel: string, l: (...args: unknown[]) => void) => {
        ipc.listeners.get(channel)?.delete(l);
      },
    },
  };
  const module = { exports: {} };
  const requireFake = (name: string): unknown => {
    required.push(name);
    if (name === 'electron') return electron;
    throw new Error(`a sandboxed preload cannot require ${name}`);
  };
  vm.runInNewContext(out.outputText, { require: requireFake, module, exports: module.exports });
  return { api: exposed.latchkey as Record<string, unknown>, ipc, required };
}

describe('preload', () => {
  it('is self-contained and exposes one function per channel plus on()', async () => {
    const { api, ipc, required } = loadPreload();
    expect(required).toEqual(['electron']);
    expect(Object.keys(api).sort()).toEqual([...channelNames, 'on'].sort());
    for (const channel of channelNames) {
      const fn = api[channel] as (input: unknown) => Promise<unknown>;
      expect(await fn({ probe: channel })).toEqual({ ok: true, value: channel });
    }
    expect(ipc.invoked.map(([c]) => c)).toEqual(channelNames);
    expect(ipc.invoked.every(([c, input]) => (input as { probe: string }).probe === c)).toBe(true);
  });

  it('subscribes only to allowlisted events, hides the IPC event and unsubscribes', () => {
    const { api, ipc } = loadPreload();
    const on = api.on as (event: string, l: (p: unknown) => void) => () => void;
    expect(() => on('connections:add', () => undefined)).toThrow(/unknown event/);
    const got: unknown[] = [];
    const off = on('sync:progress', (...args: unknown[]) => got.push(args));
    const [wrapped] = [...(ipc.listeners.get('sync:progress') ?? [])];
    wrapped?.({ sender: 'secret sender object' }, { runId: 1 });
    expect(got).toEqual([[{ runId: 1 }]]);
    off();
    expect(ipc.listeners.get('sync:progress')?.size).toBe(0);
  });
});
