import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addOktaConnectionInput, describeZodError } from '../../shared/contract.js';
import { verifyAuditChain } from '../../electron/engine/audit/audit-log.js';
import { addConnection, getConnectionRecord, listConnectionRecords, loadCredential } from '../../electron/engine/connections/connections.js';
import { removeConnection } from '../../electron/engine/governance/connection-removal.js';
import { UserError, workspaceId } from '../../electron/engine/context.js';
import { keyringSecretStore } from '../../electron/engine/secrets/keyring-store.js';
import { connectionAccount, memorySecretStore, type SecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();
const TOKEN = '00Zx-very-secret-token-value-1234567890';

function input(name: string, orgUrl = 'https://acme.okta.com/admin/dashboard') {
  return addOktaConnectionInput.parse({ kind: 'okta', name, orgUrl, auth: { type: 'token', token: TOKEN } });
}

function fileBytes(f: string): string {
  return [f, `${f}-wal`, `${f}-shm`]
    .filter((p) => fs.existsSync(p))
    .map((p) => fs.readFileSync(p).toString('latin1'))
    .join('');
}

// The real keychain where `npm test` provides one; the checks on SQLite hold either way.
const secrets: SecretStore = inPrivateKeychain ? keyringSecretStore(`latchkey-test-${process.pid}`) : memorySecretStore();

describe('connections', () => {
  it('adds a connection: row in SQLite, credential only in the keychain, audit event in the same step', async () => {
    const f = path.join(dir, 'add.latchkey');
    const ctx = openWorkspace({ dbPath: f, secrets, transport: 'cli', actor: 'cli:test' });
    const c = await addConnection(ctx, input('Acme'));
    expect(c).toMatchObject({ name: 'Acme', kind: 'okta', baseUrl: 'https://acme.okta.com', authType: 'token' });
    expect(await loadCredential(ctx, c)).toEqual({ type: 'token', token: TOKEN });
    expect(await secrets.get(connectionAccount(workspaceId(ctx.db), c.id))).toContain(TOKEN);
    const audit = ctx.db.prepare("SELECT action, details FROM audit_events WHERE action = 'connection.added'").all() as { details: string }[];
    expect(audit).toHaveLength(1);
    expect(audit[0]?.details).not.toContain(TOKEN);
    expect(verifyAuditChain(ctx.db).valid).toBe(true);
    ctx.db.close();
    expect(fileBytes(f)).not.toContain(TOKEN);
    expect(fileBytes(f)).not.toContain(TOKEN.slice(4, 20));
  });

  it('refuses a duplicate name (any case) and keeps the first one', async () => {
    const ctx = openWorkspace({ dbPath: path.join(dir, 'dup.latchkey'), secrets, transport: 'cli' });
    await addConnection(ctx, input('Acme'));
    await expect(addConnection(ctx, input('acme'))).rejects.toThrow(/already exists/);
    expect(listConnectionRecords(ctx.db)).toHaveLength(1);
    ctx.db.close();
  });

  it('rejects an org URL that is not a URL, naming the field', () => {
    const r = addOktaConnectionInput.safeParse({ kind: 'okta', name: 'x', orgUrl: 'acme okta', auth: { type: 'token', token: 't' } });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error)).toMatch(/^orgUrl: not a URL/);
  });

  it('unknown connection names the known ones', () => {
    const ctx = openWorkspace({ dbPath: path.join(dir, 'unknown.latchkey'), secrets, transport: 'cli' });
    expect(() => getConnectionRecord(ctx.db, 'nope')).toThrow(/unknown connection "nope" \(no connections yet/);
    ctx.db.close();
  });

  it('a keychain that refuses leaves no half-made connection', async () => {
    const refusing: SecretStore = { ...memorySecretStore(), set: () => Promise.reject(new Error('keychain locked')) };
    const ctx = openWorkspace({ dbPath: path.join(dir, 'refuse.latchkey'), secrets: refusing, transport: 'cli' });
    await expect(addConnection(ctx, input('Acme'))).rejects.toThrow('keychain locked');
    expect(listConnectionRecords(ctx.db)).toHaveLength(0);
    expect(verifyAuditChain(ctx.db)).toMatchObject({ valid: true, count: 2 });
    ctx.db.close();
  });

  it('removes the connection, its snapshot rows and its keychain entry', async () => {
    const ctx = openWorkspace({ dbPath: path.join(dir, 'remove.latchkey'), secrets, transport: 'cli' });
    const c = await addConnection(ctx, input('Acme'));
    ctx.db.prepare("INSERT INTO memberships VALUES (?, 0, 'g', 'u')").run(c.id);
    await removeConnection(ctx, c.id);
    expect(listConnectionRecords(ctx.db)).toHaveLength(0);
    expect(ctx.db.prepare('SELECT count(*) n FROM memberships').get()).toEqual({ n: 0 });
    expect(await secrets.get(connectionAccount(workspaceId(ctx.db), c.id))).toBeNull();
    await expect(loadCredential(ctx, c)).rejects.toThrow(/no credential for connection "Acme"/);
    ctx.db.close();
  });

  it('a read-only workspace refuses to add or remove connections', async () => {
    const f = path.join(dir, 'ro.latchkey');
    const rw = openWorkspace({ dbPath: f, secrets, transport: 'cli' });
    const c = await addConnection(rw, input('Acme'));
    rw.db.close();
    const ro = openWorkspace({ dbPath: f, readOnly: true, secrets, transport: 'cli' });
    await expect(addConnection(ro, input('Other'))).rejects.toSatisfy((e) => e instanceof UserError && e.code === 'read-only');
    await expect(removeConnection(ro, c.id)).rejects.toThrow(/read-only/);
    expect(listConnectionRecords(ro.db)).toHaveLength(1);
    ro.db.close();
  });
});
