// A copied snapshot opened read-only: every write channel is refused with
// code 'read-only' on both transports (HTTP bridge and Electron IPC), reads
// still work, and the file is left byte-for-byte as it was.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract.js';
import { createHandlers, WRITE_CHANNELS, type Handlers } from '../../electron/engine/api.js';
import { startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace.js';
import { registerContractIpc, type IpcInvokeEventLike } from '../../electron/main/ipc.js';
import { seedDirectoryOrg } from '../fixtures/directory-org.js';
import { callChannel } from '../fixtures/http-client.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

const WRITE_INPUTS: Record<(typeof WRITE_CHANNELS)[number], unknown> = {
  'connections:add': { kind: 'okta', name: 'Another', orgUrl: 'https://another.okta.com', auth: { type: 'token', token: 'secret-token-value' } },
  'connections:remove': { connectionId: 1 },
  'connections:test': { connectionId: 1 },
  'connections:setScope': { connectionId: 1, scope: { groups: { prefixes: ['app-'] } } },
  'sync:start': { connectionId: 1 },
};

let ws: TempWorkspace;
let ctx: EngineContext;
let handlers: Handlers;
let bridge: Bridge;
let hashBefore: string;
const fileHash = (): string => createHash('sha256').update(fs.readFileSync(ws.file)).digest('hex');

beforeAll(async () => {
  ws = createTempWorkspace('latchkey-readonly-');
  seedDirectoryOrg(ws.db);
  ws.db.close(); // checkpoints the WAL into the file, like a copied snapshot
  hashBefore = fileHash();
  ctx = openWorkspace({ dbPath: ws.file, readOnly: true, secrets: memorySecretStore(), transport: 'bridge' });
  ws.db = ctx.db;
  handlers = createHandlers(ctx);
  bridge = await startBridge({ handlers });
});

afterAll(async () => {
  await bridge.close();
  ws.cleanup();
});

describe('read-only snapshot', () => {
  it('refuses every write channel over the HTTP bridge', async () => {
    for (const channel of WRITE_CHANNELS) {
      const res = await callChannel(bridge.port, bridge.token, channel, WRITE_INPUTS[channel]);
      expect(res.status).toBe(200);
      const body = res.json() as Result<unknown>;
      expect(body, channel).toMatchObject({ ok: false, code: 'read-only' });
      if (!body.ok) expect(body.error).toMatch(/opened read-only, without credentials/);
    }
  });

  it('refuses every write channel over IPC', async () => {
    const listeners = new Map<string, (event: IpcInvokeEventLike, ...args: unknown[]) => unknown>();
    registerContractIpc({ handle: (c, l) => listeners.set(c, l) }, handlers, { isTrustedSender: (url) => url.startsWith('app://latchkey/') });
    const event = { senderFrame: { url: 'app://latchkey/index.html' } };
    for (const channel of WRITE_CHANNELS) {
      const result = (await listeners.get(channel)?.(event, WRITE_INPUTS[channel])) as Result<unknown>;
      expect(result, channel).toMatchObject({ ok: false, code: 'read-only' });
    }
    const read = (await listeners.get('directory:groups')?.(event, {})) as Result<unknown>;
    expect(read).toMatchObject({ ok: true, value: { total: 4 } });
  });

  it('still answers every read channel and says it is read-only', async () => {
    const reads: [string, unknown][] = [
      ['app:info', {}],
      ['dashboard:summary', {}],
      ['connections:list', {}],
      ['sync:runs', {}],
      ['sync:active', {}],
      ['directory:users', { search: 'a', offset: 2, limit: 2 }],
      ['directory:users', { sort: 'groupCount', dir: 'desc', offset: 1500 }],
      ['directory:userFacets', {}],
      ['directory:user', { connectionId: 1, id: '00u1' }],
      ['directory:groups', { sort: 'memberCount' }],
      ['directory:group', { connectionId: 1, id: '00g1' }],
      ['directory:groupMembers', { connectionId: 1, id: '00g3' }],
      ['directory:apps', {}],
      ['directory:app', { connectionId: 1, id: '0oa2' }],
      ['audit:recent', {}],
    ];
    for (const [channel, input] of reads) {
      const body = (await callChannel(bridge.port, bridge.token, channel, input)).json() as Result<unknown>;
      expect(body.ok, `${channel}: ${JSON.stringify(body)}`).toBe(true);
    }
    const info = (await callChannel(bridge.port, bridge.token, 'app:info', {})).json();
    expect(info).toMatchObject({ ok: true, value: { readOnly: true } });
  });

  it('leaves the file unchanged', () => {
    expect(fileHash()).toBe(hashBefore);
  });
});
