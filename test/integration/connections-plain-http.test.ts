// A connection stored with a plain-http URL off loopback (before https was
// required, or edited into the file by hand) never gets its credential sent:
// reading it from the keychain, and a sync given a credential for one run,
// both refuse with the reason. Loopback (the sandbox) keeps working.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { addOktaConnectionInput } from '../../shared/contract.js';
import { addConnection, getConnectionRecord, loadCredential } from '../../electron/engine/connections/connections.js';
import { startSync } from '../../electron/engine/sync/sync-service.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir();

describe('stored connections: plain http only on loopback', () => {
  it('refuses to load or use the credential of a connection whose URL went plain http off loopback', async () => {
    const ctx = openWorkspace({ dbPath: path.join(dir, 'w.latchkey'), secrets: memorySecretStore(), transport: 'cli', actor: 'cli:test' });
    const c = await addConnection(ctx, addOktaConnectionInput.parse({ kind: 'okta', name: 'Okta', orgUrl: 'http://127.0.0.1:9', auth: { type: 'token', token: 'T0KEN-value' } }));
    expect(await loadCredential(ctx, c)).toEqual({ type: 'token', token: 'T0KEN-value' });

    // As an older version (or a hand edit) could have left it.
    ctx.db.prepare('UPDATE connections SET base_url = ? WHERE id = ?').run('http://acme.okta.example', c.id);
    const stored = getConnectionRecord(ctx.db, c.id);
    const message = 'connection "Okta": use https:// for the org URL: plain http would send the credential in clear (http:// is allowed only on loopback: 127.0.0.1, ::1, localhost); remove it and add it again with https://';
    await expect(loadCredential(ctx, stored)).rejects.toThrow(message);
    await expect(startSync(ctx, c.id, { credential: { type: 'token', token: 'other' } })).rejects.toThrow(message);
    await expect(startSync(ctx, c.id)).rejects.toThrow(message);

    ctx.db.prepare('UPDATE connections SET base_url = ? WHERE id = ?').run('https://acme.okta.example', c.id);
    expect(await loadCredential(ctx, getConnectionRecord(ctx.db, c.id))).toEqual({ type: 'token', token: 'T0KEN-value' });
    ctx.db.close();
  });

  it("checks an Entra connection's authority host too", async () => {
    const ctx = openWorkspace({ dbPath: path.join(dir, 'e.latchkey'), secrets: memorySecretStore(), transport: 'cli', actor: 'cli:test' });
    const c = await addConnection(ctx, {
      kind: 'entra',
      name: 'Entra',
      tenantId: 't',
      clientId: 'c',
      graphUrl: 'https://graph.example',
      authorityHost: 'https://login.example',
      budgetShare: 0.5,
      auth: { type: 'secret', clientSecret: 's3cret' },
    });
    ctx.db.prepare("UPDATE connections SET settings = json_set(settings, '$.authorityHost', ?) WHERE id = ?").run('http://login.example', c.id);
    await expect(loadCredential(ctx, getConnectionRecord(ctx.db, c.id))).rejects.toThrow(/connection "Entra": use https:\/\/ for the authority host/);
    ctx.db.close();
  });
});
