import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { keyringSecretStore } from '../../electron/engine/secrets/keyring-store.js';
import { KeychainUnavailableError } from '../../electron/engine/secrets/secret-store.js';
import { inPrivateKeychain } from '../helpers/keychain.js';

describe.runIf(inPrivateKeychain)('OS keychain (private gnome-keyring)', () => {
  const service = `latchkey-test-${randomUUID()}`;
  const store = keyringSecretStore(service);

  it('stores, reads back, replaces and deletes a secret', async () => {
    expect(await store.get('acct-1')).toBeNull();
    await store.set('acct-1', '{"type":"token","token":"00abc"}');
    expect(await store.get('acct-1')).toBe('{"type":"token","token":"00abc"}');
    await store.set('acct-1', 'second');
    expect(await store.get('acct-1')).toBe('second');
    expect(await store.delete('acct-1')).toBe(true);
    expect(await store.get('acct-1')).toBeNull();
    expect(await store.delete('acct-1')).toBe(false);
  });

  it('keeps accounts apart', async () => {
    await store.set('a', '1');
    await store.set('b', '2');
    expect([await store.get('a'), await store.get('b')]).toEqual(['1', '2']);
    await store.delete('a');
    await store.delete('b');
  });
});

describe('no keychain reachable', () => {
  it('fails with a message that says what to install, and never falls back to plaintext', () => {
    // A child process with no D-Bus session: the Secret Service cannot be reached.
    const script = `
      import { keyringSecretStore } from ${JSON.stringify(path.resolve('electron/engine/secrets/keyring-store.ts'))};
      try { await keyringSecretStore('latchkey-nokeychain').set('x', 'secret-value'); console.log('STORED'); }
      catch (e) { console.log(e.name + ': ' + e.message); }
    `;
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env, encoding: 'utf8', timeout: 60_000 });
    const out = r.stdout + r.stderr;
    expect(out).not.toContain('STORED');
    expect(out).toContain('KeychainUnavailableError');
    expect(out).toMatch(/gnome-keyring/);
    expect(out).not.toContain('secret-value');
    expect(KeychainUnavailableError.name).toBe('KeychainUnavailableError');
  });
});
