// A copied snapshot opened read-only: every write channel is refused with
// code 'read-only' on both transports (HTTP bridge and Electron IPC), reads
// (history included) still work, and the file is left byte-for-byte as it
// was, with no -wal or -shm created next to it (a copy may sit on a
// read-only medium).
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../shared/contract.js';
import type { RunDiff } from '../../shared/domain.js';
import { createHandlers, WRITE_CHANNELS, type Handlers } from '../../electron/engine/api.js';
import { startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { saveSnapshot } from '../../electron/engine/workspace/snapshot-copy.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { registerContractIpc, type IpcInvokeEventLike } from '../../electron/main/ipc.js';
import { seedDirectoryOrg } from '../fixtures/directory-org.js';
import { seedHistory } from '../fixtures/history.js';
import { callChannel, openSession } from '../fixtures/http-client.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';
import { WRITE_INPUTS } from '../fixtures/write-inputs.js';


let ws: TempWorkspace;
let copy: string;
let ctx: EngineContext;
let handlers: Handlers;
let bridge: Bridge;
let session: string;
let runs: ReturnType<typeof seedHistory>;
const sideFiles = (file: string): string[] => ['-wal', '-shm', '-journal'].map((s) => file + s).filter((f) => fs.existsSync(f));
const fileHash = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
let hashBefore: string;

beforeAll(async () => {
  ws = createTempWorkspace('latchkey-readonly-');
  seedDirectoryOrg(ws.db);
  runs = seedHistory(ws.db);
  // Saved while the workspace is open and in WAL mode, as `latchkey snapshot save` does it.
  copy = path.join(ws.dir, 'copy.latchkey');
  await saveSnapshot(ws.db, copy, { clock: { now: () => new Date('2025-06-03T00:00:00.000Z') } });
  ws.db.close();
  hashBefore = fileHash(copy);
  expect(sideFiles(copy)).toEqual([]);
  ctx = openWorkspace({ dbPath: copy, readOnly: true, secrets: memorySecretStore(), transport: 'bridge' });
  handlers = createHandlers(ctx);
  bridge = await startBridge({ handlers });
  session = await openSession(bridge.port, bridge.token);
});

afterAll(async () => {
  await bridge.close();
  ctx.db.close();
  ws.cleanup();
});

describe('read-only snapshot', () => {
  it('opens without creating -wal or -shm next to the copy', () => {
    expect(sideFiles(copy)).toEqual([]);
  });

  it('refuses every write channel over the HTTP bridge', async () => {
    for (const channel of WRITE_CHANNELS) {
      const res = await callChannel(bridge.port, session, channel, WRITE_INPUTS[channel]);
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
    const diff = (await listeners.get('changes:diff')?.(event, { fromRunId: runs.baseline, toRunId: runs.second })) as Result<RunDiff>;
    expect(diff).toMatchObject({ ok: true, value: { total: 2, counts: { 'membership-add': 1, attribute: 1 } } });
  });

  it('still answers every read channel, history included, and says it is read-only', async () => {
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
      ['directory:correlationIssues', {}],
      ['directory:accounts', { connectionId: 1, id: '00u1' }],
      ['changes:list', {}],
      ['changes:list', { runId: runs.second, kind: ['attribute'], search: 'ada' }],
      ['changes:diff', { fromRunId: runs.baseline, toRunId: runs.third }],
      ['audit:recent', {}],
      ['audit:events', { action: 'connection.added', from: '2020-01-01T00:00:00Z', limit: 5 }],
      ['audit:actions', {}],
      ['audit:status', {}],
      ['audit:verify', {}],
      ['audit:export', { channel: 'cli' }],
      ['jobs:grants', { filter: 'ended', endedHow: 'revoked' }],
    ];
    for (const [channel, input] of reads) {
      const body = (await callChannel(bridge.port, session, channel, input)).json() as Result<unknown>;
      expect(body.ok, `${channel}: ${JSON.stringify(body)}`).toBe(true);
    }
    const info = (await callChannel(bridge.port, session, 'app:info', {})).json();
    expect(info).toMatchObject({ ok: true, value: { readOnly: true } });
    const list = (await callChannel(bridge.port, session, 'changes:list', {})).json();
    expect(list).toMatchObject({ ok: true, value: { total: 3, counts: { 'membership-add': 1, 'membership-remove': 1, attribute: 1 } } });
    // Grace was added to figma-editors and removed again: across both runs only Ada's move remains.
    const diff = (await callChannel(bridge.port, session, 'changes:diff', { fromRunId: runs.baseline, toRunId: runs.third })).json();
    expect(diff).toMatchObject({ ok: true, value: { total: 1, rows: [{ kind: 'attribute', subjectName: 'Ada Lovelace', before: 'Research', after: 'Engineering' }] } });
  });

  it('leaves the copy byte-identical, still without -wal or -shm', () => {
    expect(fileHash(copy)).toBe(hashBefore);
    expect(sideFiles(copy)).toEqual([]);
  });
});

// What happens to a plain file copy of a WAL-mode workspace (cp instead of
// `snapshot save`): SQLite can only read a WAL database through its -shm
// index, so a read-only open creates -wal (empty) and -shm beside it and
// leaves them; better-sqlite3 is built without URI filenames, so the
// `immutable=1` way around it is not available. The database file itself is
// never written. On a read-only medium such a copy does not open at all
// (SQLITE_READONLY_DIRECTORY); `snapshot save` writes a rollback-journal
// file, which does.
describe('a plain file copy of a WAL workspace, opened read-only', () => {
  it('keeps the database file byte-identical; SQLite adds an empty -wal and a -shm', () => {
    const raw = createTempWorkspace('latchkey-readonly-cp-');
    try {
      seedDirectoryOrg(raw.db);
      raw.db.close(); // checkpoints the WAL into the file
      const file = path.join(raw.dir, 'cp.latchkey');
      fs.copyFileSync(raw.file, file);
      const before = fileHash(file);
      const ro = openDatabase(file, { readOnly: true });
      expect(ro.prepare('SELECT count(*) FROM cur_identities').pluck().get()).toBe(7);
      ro.close();
      expect(fileHash(file)).toBe(before);
      expect(sideFiles(file).map((f) => path.basename(f))).toEqual(['cp.latchkey-wal', 'cp.latchkey-shm']);
      expect(fs.statSync(`${file}-wal`).size).toBe(0);
    } finally {
      raw.cleanup();
    }
  });
});
