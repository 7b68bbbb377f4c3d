// The operator session is read from the keychain once per open workspace and
// re-read only after the recheck interval (a keychain read is a D-Bus round
// trip, and every console call asks who is signed in); sign-in and sign-out
// through this workspace show at once, and expiry is checked on every read.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { OperatorSession } from '../../shared/contract-operator.js';
import { workspaceId, type EngineContext } from '../../electron/engine/context.js';
import { clearSession, operatorAccount, readSession, saveSession } from '../../electron/engine/operator/session.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
let ctx: EngineContext;
let secrets: ReturnType<typeof memorySecretStore>;
let reads: number;
let now: number;

beforeEach(() => {
  ws = createTempWorkspace();
  ws.db.close();
  secrets = memorySecretStore();
  const get = secrets.get;
  reads = 0;
  secrets.get = (a) => {
    reads++;
    return get(a);
  };
  now = Date.parse('2026-12-07T09:00:00.000Z');
  ctx = openWorkspace({ dbPath: ws.file, secrets, transport: 'bridge' });
  ctx.clock = { now: () => new Date(now) };
  ws.db = ctx.db;
});
afterEach(() => {
  vi.useRealTimers();
  ws.cleanup();
});

const session = (expiresAt: string): OperatorSession => ({ connectionId: 1, connectionName: 'Okta', idp: 'okta', subject: '00u1', email: 'ada@acme.example', name: 'Ada', signedInAt: '2026-12-07T08:00:00.000Z', expiresAt });

describe('reading the operator session', () => {
  it('reads the keychain once for many calls, again after 15 s; a change by another process shows then', async () => {
    vi.useFakeTimers({ toFake: ['performance'] });
    expect(await readSession(ctx)).toBeNull();
    for (let i = 0; i < 20; i++) await readSession(ctx);
    expect(reads).toBe(1);
    // Another process (the CLI) signs in: not seen before the recheck, seen at it.
    await secrets.set(operatorAccount(workspaceId(ctx.db)), JSON.stringify(session('2026-12-07T17:00:00.000Z')));
    vi.advanceTimersByTime(14_999);
    expect(await readSession(ctx)).toBeNull();
    vi.advanceTimersByTime(1);
    expect((await readSession(ctx))?.email).toBe('ada@acme.example');
    expect(reads).toBe(2);
  });

  it('sign-in and sign-out here show at once, without a keychain read', async () => {
    expect(await readSession(ctx)).toBeNull();
    await saveSession(ctx, session('2026-12-07T17:00:00.000Z'));
    expect((await readSession(ctx))?.email).toBe('ada@acme.example');
    await clearSession(ctx);
    expect(await readSession(ctx)).toBeNull();
    expect(reads).toBe(1);
    expect(secrets.entries.size).toBe(0);
  });

  it('a remembered session ends exactly at its expiry and is removed from the keychain', async () => {
    await saveSession(ctx, session('2026-12-07T17:00:00.000Z'));
    now = Date.parse('2026-12-07T16:59:59.999Z');
    expect((await readSession(ctx))?.email).toBe('ada@acme.example');
    now = Date.parse('2026-12-07T17:00:00.000Z');
    expect(await readSession(ctx)).toBeNull();
    expect(secrets.entries.size).toBe(0);
    expect(reads).toBe(0);
  });
});
