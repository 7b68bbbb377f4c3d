// The bridge's body limits over real HTTP: ordinary calls keep 1 MB, a channel
// that takes a whole file gets what its contract schema allows (a 1.1 MB
// catalog CSV, refused before, imports), over the limit is a 413 naming it,
// and a file-sized body is spooled to a 0600 file in a 0700 directory while it
// arrives, removed after (also when the upload is abandoned).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contract } from '../../shared/contract.js';
import { createHandlers } from '../../electron/engine/api.js';
import { bodyLimitFor, MAX_BODY_BYTES, startBridge, type Bridge } from '../../electron/engine/bridge/http-bridge.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { callChannel, openSession, rawRequest } from '../fixtures/http-client.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let bridge: Bridge;
let session: string;
let uploads: string;

beforeAll(async () => {
  ws = createTempWorkspace('latchkey-bridge-limits-');
  ws.db.close();
  const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge', actor: 'bridge:test' });
  ws.db = ctx.db;
  uploads = path.join(ws.dir, 'uploads');
  fs.mkdirSync(uploads);
  bridge = await startBridge({ handlers: createHandlers(ctx), uploadDir: uploads });
  session = await openSession(bridge.port, bridge.token);
});

afterAll(async () => {
  await bridge.close();
  ws.cleanup();
});

/** A valid catalog CSV of `rows` roles without mappings, each with a long description. */
function catalogCsv(rows: number): string {
  const lines = ['app,role,role_description,risk'];
  for (let i = 0; i < rows; i++) lines.push(`App ${Math.floor(i / 50)},Role ${i},${'d'.repeat(1900)},low`);
  return `${lines.join('\n')}\n`;
}

const base64Max = (): number => {
  const field = contract['catalog:import'].input.shape.contentBase64;
  if (field.maxLength === null) throw new Error('the import schema has no max');
  return field.maxLength;
};

describe('bridge: body limits', () => {
  it('derives each limit from the contract: 1 MB for ordinary calls, what the schema allows for file channels', () => {
    expect(bodyLimitFor('directory:users')).toBe(MAX_BODY_BYTES);
    expect(bodyLimitFor('catalog:import')).toBe(3 * base64Max() + 64 * 1024);
    expect(bodyLimitFor('requests:importCsv')).toBe(3 * 5_000_000 + 64 * 1024);
    // The largest file the contract allows (20 MB, base64 at its max) fits in one body.
    const largest = JSON.stringify({ format: 'csv', contentBase64: 'A'.repeat(base64Max()) });
    expect(Buffer.byteLength(largest)).toBeLessThanOrEqual(bodyLimitFor('catalog:import'));
  });

  it('imports a 1.1 MB catalog CSV through the bridge', async () => {
    const csv = catalogCsv(610);
    expect(csv.length).toBeGreaterThan(1.1 * 1024 * 1024);
    const res = await callChannel(bridge.port, session, 'catalog:import', { format: 'csv', contentBase64: Buffer.from(csv).toString('base64') });
    expect(res.status).toBe(200);
    expect(res.json()).toMatchObject({ ok: true, value: { ok: true, rows: 610, rolesCreated: 610, appsCreated: 13 } });
    const list = (await callChannel(bridge.port, session, 'catalog:list', {})).json() as { ok: true; value: { apps: { roles: unknown[] }[] } };
    expect(list.value.apps.flatMap((a) => a.roles)).toHaveLength(610);
    // Spooled and gone.
    expect(fs.readdirSync(uploads)).toEqual([]);
  });

  it('answers 413 naming the limit, for an ordinary call and for a file channel', async () => {
    const small = await callChannel(bridge.port, session, 'directory:users', { search: 'x'.repeat(MAX_BODY_BYTES) });
    expect(small.status).toBe(413);
    expect(small.json()).toEqual({ ok: false, code: 'bad-input', error: `the request body is larger than directory:users accepts: 1 MB (${MAX_BODY_BYTES} bytes) at most` });

    const limit = bodyLimitFor('requests:importCsv');
    const body = `{"csv":"${'a'.repeat(limit - 9)}"}`;
    expect(Buffer.byteLength(body)).toBe(limit + 1);
    const big = await rawRequest(bridge.port, { method: 'POST', path: '/api/requests%3AimportCsv', headers: { Cookie: session, 'Content-Type': 'application/json' }, body });
    expect(big.status).toBe(413);
    expect(big.json()).toEqual({ ok: false, code: 'bad-input', error: `the request body is larger than requests:importCsv accepts: 14.4 MB (${limit} bytes) at most` });
    // One byte less gets through the bridge, to the schema (which names its own limit).
    const atLimit = await rawRequest(bridge.port, { method: 'POST', path: '/api/requests%3AimportCsv', headers: { Cookie: session, 'Content-Type': 'application/json' }, body: body.slice(0, 8) + body.slice(9) });
    expect(atLimit.status).toBe(200);
    expect(atLimit.json()).toMatchObject({ ok: false, code: 'bad-input', error: expect.stringMatching(/csv: Too big/) as unknown });
    expect(fs.readdirSync(uploads)).toEqual([]);
  });

  it('spools a file-sized body to a 0600 file in a private 0700 directory while it arrives, and removes it after, or when abandoned', async () => {
    for (const abandon of [false, true]) {
      const body = JSON.stringify({ format: 'csv', contentBase64: Buffer.from(catalogCsv(300)).toString('base64') });
      const half = Math.floor(body.length / 2);
      let answered: Promise<number> = Promise.resolve(0);
      const req = http.request({
        host: '127.0.0.1',
        port: bridge.port,
        method: 'POST',
        path: '/api/catalog%3Aimport',
        headers: { Host: `127.0.0.1:${bridge.port}`, Cookie: session, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
      });
      answered = new Promise((resolve, reject) => {
        req.on('response', (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        });
        req.on('error', (e) => (abandon ? resolve(-1) : reject(e)));
      });
      req.write(body.slice(0, half));
      const spooled = await vi.waitFor(() => {
        const [dir] = fs.readdirSync(uploads);
        expect(dir).toMatch(/^latchkey-upload-/);
        const file = path.join(uploads, dir ?? '', 'body.json');
        expect(fs.statSync(file).size).toBeGreaterThan(0);
        return { dir: path.join(uploads, dir ?? ''), file };
      });
      expect(fs.statSync(spooled.dir).mode & 0o777).toBe(0o700);
      expect(fs.statSync(spooled.file).mode & 0o777).toBe(0o600);
      if (abandon) req.destroy();
      else req.end(body.slice(half));
      const status = await answered;
      expect(status).toBe(abandon ? -1 : 200);
      await vi.waitFor(() => expect(fs.readdirSync(uploads)).toEqual([]));
    }
  });
});
