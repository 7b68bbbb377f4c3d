// The one dispatcher both transports use: unknown channels, zod validation
// that names the field, UserError codes, and error messages scrubbed of
// anything credential-shaped.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { channelNames } from '../../shared/contract.js';
import { WRITE_INPUTS } from '../fixtures/write-inputs.js';
import { BUSY_MESSAGE, createHandlers, dispatch, scrubSecrets, WRITE_CHANNELS, type Handlers } from '../../electron/engine/api.js';
import Database from 'better-sqlite3';
import { UserError } from '../../electron/engine/context.js';
import { latestSchemaVersion } from '../../electron/engine/db/migrations/index.js';
import { saveSnapshot } from '../../electron/engine/workspace/snapshot-copy.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { ORG_NOW, seedDirectoryOrg } from '../fixtures/directory-org.js';
import { seedHistory } from '../fixtures/history.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let handlers: Handlers;

beforeEach(() => {
  ws = createTempWorkspace();
  seedDirectoryOrg(ws.db);
  ws.db.close();
  const ctx = openWorkspace({ dbPath: ws.file, secrets: memorySecretStore(), transport: 'bridge', clock: { now: () => ORG_NOW } });
  ws.db = ctx.db;
  handlers = createHandlers(ctx, { version: '9.9.9' });
});
afterEach(() => ws.cleanup());

/** The same table with one handler replaced, to script failures. */
function withHandler<C extends keyof Handlers>(channel: C, fn: Handlers[C]): Handlers {
  return { ...handlers, [channel]: fn };
}

describe('dispatch', () => {
  it('answers a valid call with the handler value, applying schema defaults', async () => {
    const r = await dispatch(handlers, 'directory:users', { search: 'ada' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ total: 1, offset: 0 });
    const info = await dispatch(handlers, 'app:info', undefined);
    expect(info).toMatchObject({ ok: true, value: { version: '9.9.9', readOnly: false, transport: 'bridge', schemaVersion: latestSchemaVersion } });
  });

  it('rejects unknown channels, including prototype names', async () => {
    for (const name of ['nope:nothing', '__proto__', 'constructor', 'toString', '']) {
      const r = await dispatch(handlers, name, {});
      expect(r).toMatchObject({ ok: false, code: 'not-found' });
    }
  });

  it('rejects malformed payloads with bad-input naming the field', async () => {
    const cases: [string, unknown, RegExp][] = [
      ['directory:users', { limit: 'ten' }, /limit/],
      ['directory:users', { limit: 5000 }, /limit/],
      ['directory:users', { sort: 'password; DROP TABLE identities' }, /sort/],
      ['directory:users', { status: 'ACTIVE' }, /status/],
      ['directory:users', { unexpected: 1 }, /unexpected/],
      ['directory:user', { connectionId: 1 }, /\bid\b/],
      ['directory:user', { connectionId: -1, id: 'x' }, /connectionId/],
      ['connections:add', { kind: 'okta', name: 'x', orgUrl: 'not a url', auth: { type: 'token', token: 't' } }, /orgUrl: not a URL/],
      ['connections:add', { kind: 'okta', name: 'x', orgUrl: 'https://a.okta.com', auth: { type: 'token', token: '' } }, /auth\.token: the API token is empty/],
      ['sync:start', 'connection 1', /expected object/i],
      ['sync:start', null, /expected object/i],
    ];
    for (const [channel, input, field] of cases) {
      const r = await dispatch(handlers, channel, input);
      expect(r.ok, `${channel} ${JSON.stringify(input)}`).toBe(false);
      if (r.ok) continue;
      expect(r.code).toBe('bad-input');
      expect(r.error).toMatch(field);
      expect(r.error).toContain(channel);
    }
  });

  it('maps UserError to its code and message', async () => {
    const r = await dispatch(handlers, 'directory:user', { connectionId: 1, id: 'nobody' });
    expect(r).toEqual({ ok: false, code: 'not-found', error: 'no user "nobody" in connection #1' });
    const conflict = withHandler('connections:list', () => {
      throw new UserError('a connection named "x" already exists', 'conflict');
    });
    expect(await dispatch(conflict, 'connections:list', {})).toEqual({ ok: false, code: 'conflict', error: 'a connection named "x" already exists' });
  });

  it('says the workspace is busy (conflict, nothing changed) when another connection holds the write lock past the timeout', async () => {
    // A real lock: a second connection to the same file in an IMMEDIATE transaction, as a launch thread or a sync's writer holds it.
    const other = new Database(ws.file);
    other.prepare('BEGIN IMMEDIATE').run();
    const before = ws.db.prepare('SELECT count(*) FROM connections').pluck().get();
    ws.db.pragma('busy_timeout = 0');
    try {
      const writing = withHandler('connections:list', () => {
        ws.db.prepare("INSERT INTO connections (name, kind, base_url, auth_type, created_at, updated_at) VALUES ('x', 'okta', 'https://x.okta.com', 'token', 't', 't')").run();
        return [];
      });
      expect(await dispatch(writing, 'connections:list', {})).toEqual({ ok: false, code: 'conflict', error: BUSY_MESSAGE });
    } finally {
      other.prepare('ROLLBACK').run();
      other.close();
    }
    expect(ws.db.prepare('SELECT count(*) FROM connections').pluck().get()).toBe(before);
  });

  it('maps other errors to failed, without credentials', async () => {
    const token = '00abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN';
    const leaky = withHandler('connections:list', () => {
      throw new Error(`request failed: Authorization: SSWS ${token} (header Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl)`);
    });
    const r = await dispatch(leaky, 'connections:list', {});
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.code).toBe('failed');
    expect(r.error).toMatch(/^request failed/);
    expect(r.error).not.toContain(token);
    expect(r.error).not.toContain('eyJhbGciOiJSUzI1NiJ9');

    const rejecting = withHandler('sync:runs', () => Promise.reject(new Error('socket hang up')));
    expect(await dispatch(rejecting, 'sync:runs', {})).toEqual({ ok: false, code: 'failed', error: 'socket hang up' });
    const weird = withHandler('sync:runs', () => {
      throw 42; // eslint-disable-line @typescript-eslint/only-throw-error -- a non-Error throw must still map cleanly
    });
    expect(await dispatch(weird, 'sync:runs', {})).toEqual({ ok: false, code: 'failed', error: 'unexpected error' });
  });

  it('scrubs the secret fields of the payload and the transport secrets from errors', async () => {
    const secretToken = 'my-very-private-api-token-value';
    const echo = withHandler('connections:add', (input) => {
      throw new Error(`could not store ${input.kind === 'okta' && input.auth.type === 'token' ? input.auth.token : ''} for ${input.name}`);
    });
    const r = await dispatch(
      echo,
      'connections:add',
      { kind: 'okta', name: 'Acme', orgUrl: 'https://acme.okta.com', auth: { type: 'token', token: secretToken } },
      { secrets: ['bridge-token-abcdefghijklmnop'] },
    );
    expect(r).toEqual({ ok: false, code: 'failed', error: 'could not store [redacted] for Acme' });
    const transport = withHandler('sync:runs', () => {
      throw new Error('saw bridge-token-abcdefghijklmnop');
    });
    expect(await dispatch(transport, 'sync:runs', {}, { secrets: ['bridge-token-abcdefghijklmnop'] })).toMatchObject({ error: 'saw [redacted]' });
  });

  it('reports unexpected errors to the log hook, scrubbed, and not UserErrors', async () => {
    const seen: string[] = [];
    const failing = withHandler('sync:runs', () => {
      throw new Error('boom with Bearer abcdefghijklmnopqrstuvwxyz');
    });
    await dispatch(failing, 'sync:runs', {}, { onUnexpectedError: (c, m) => seen.push(`${c}: ${m}`) });
    await dispatch(handlers, 'directory:user', { connectionId: 1, id: 'nobody' }, { onUnexpectedError: (c, m) => seen.push(`${c}: ${m}`) });
    expect(seen).toEqual(['sync:runs: boom with Bearer [redacted]']);
  });
});

describe('scrubSecrets', () => {
  it('removes headers, keys, JWTs, Okta tokens and key=value secrets but keeps field names', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    expect(scrubSecrets(`bad key ${pem} given`)).toBe('bad key [redacted private key] given');
    expect(scrubSecrets('SSWS 00aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa')).toBe('SSWS [redacted]');
    expect(scrubSecrets('token=abcdefghijklmnopqrstu&x=1')).toBe('token=[redacted]&x=1');
    expect(scrubSecrets('{"client_secret":"abcdefghijklmnopqrstu"}')).toBe('{"client_secret":"[redacted]"}');
    expect(scrubSecrets('auth.token: the API token is empty')).toBe('auth.token: the API token is empty');
    expect(scrubSecrets('user 00u1abcdefghijklmno not found')).toBe('user 00u1abcdefghijklmno not found');
    expect(scrubSecrets('x'.repeat(5000)).length).toBeLessThanOrEqual(2001);
  });
});

describe('createHandlers', () => {
  it('implements every channel of the contract', () => {
    expect(Object.keys(handlers).sort()).toEqual([...channelNames].sort());
  });

  it('refuses every write channel on a saved snapshot opened read-only, leaves it byte-identical, and reads its history', async () => {
    const runs = seedHistory(ws.db);
    const copy = path.join(ws.dir, 'saved.latchkey');
    await saveSnapshot(ws.db, copy, { clock: { now: () => ORG_NOW } });
    const bytes = (f: string): string | null => (fs.existsSync(f) ? createHash('sha256').update(fs.readFileSync(f)).digest('hex') : null);
    const before = [bytes(copy), bytes(`${copy}-wal`), bytes(`${copy}-shm`)];
    expect(before.slice(1)).toEqual([null, null]);
    const ctx = openWorkspace({ dbPath: copy, readOnly: true, secrets: memorySecretStore(), transport: 'bridge' });
    const ro = createHandlers(ctx);
    const inputs = WRITE_INPUTS;

    try {
      for (const channel of WRITE_CHANNELS) {
        const r = await dispatch(ro, channel, inputs[channel]);
        expect(r.ok, channel).toBe(false);
        if (r.ok) continue;
        expect(r.code).toBe('read-only');
        expect(r.error).toMatch(/read-only, without credentials/);
      }
      expect(await dispatch(ro, 'dashboard:summary', {})).toMatchObject({ ok: true, value: { readOnly: true, users: 7 } });
      expect(await dispatch(ro, 'changes:list', { runId: runs.second })).toMatchObject({ ok: true, value: { total: 2 } });
      expect(await dispatch(ro, 'changes:diff', { fromRunId: runs.baseline, toRunId: runs.third })).toMatchObject({ ok: true, value: { total: 1 } });
      expect(await dispatch(ro, 'changes:diff', { fromRunId: runs.third, toRunId: runs.baseline })).toMatchObject({ ok: false, code: 'bad-input' });
    } finally {
      ctx.db.close();
    }
    expect([bytes(copy), bytes(`${copy}-wal`), bytes(`${copy}-shm`)]).toEqual(before);
  });
});
