// The real SecretStore: the OS keychain through @napi-rs/keyring (N-API, so the
// same binary works in Node and in Electron). macOS Keychain, Windows
// Credential Manager, and on Linux the Secret Service (gnome-keyring, KWallet).
//
// On Linux we pin the Secret Service: the library would otherwise fall back to
// the kernel keyring, which forgets everything at logout. There is no
// plaintext fallback; without a keychain the user gets a clear error instead.
import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { KeychainUnavailableError, type SecretStore } from './secret-store.js';

export const KEYCHAIN_SERVICE = 'dev.latchkey.console';

export function keychainHelp(platform: NodeJS.Platform = process.platform): string {
  switch (platform) {
    case 'darwin':
      return 'unlock the login keychain (Keychain Access) and try again';
    case 'win32':
      return 'make sure Windows Credential Manager is available for this user';
    default:
      return (
        'install and unlock a Secret Service keychain, e.g. `sudo apt-get install gnome-keyring libsecret-1-0 dbus-x11` ' +
        'and run inside a desktop session (or `dbus-run-session` with `gnome-keyring-daemon --unlock` for headless use)'
      );
  }
}

export function keyringSecretStore(service: string = KEYCHAIN_SERVICE): SecretStore {
  const options: EntryOptions | undefined = process.platform === 'linux' ? { linux: { store: 'secret-service' } } : undefined;
  const entry = (account: string): AsyncEntry => {
    try {
      return new AsyncEntry(service, account, options);
    } catch (e) {
      throw unavailable(e);
    }
  };
  const guard = async <T>(op: () => Promise<T>): Promise<T> => {
    try {
      return await op();
    } catch (e) {
      throw unavailable(e);
    }
  };
  return {
    get: (account) => guard(() => entry(account).getPassword()),
    set: (account, secret) => guard(() => entry(account).setPassword(secret)),
    delete: (account) => guard(() => entry(account).deleteCredential()),
  };
}

function unavailable(e: unknown): KeychainUnavailableError {
  if (e instanceof KeychainUnavailableError) return e;
  // The library's message names the platform failure, never the secret.
  const why = e instanceof Error ? e.message : String(e);
  return new KeychainUnavailableError(`the OS keychain is not available (${why}); ${keychainHelp()}`);
}
