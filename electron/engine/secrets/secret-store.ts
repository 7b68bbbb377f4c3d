// Credentials live in the OS keychain only. This is the seam: the engine asks
// a SecretStore, the real one is the keychain (keyring-store.ts), tests may
// pass the real one against a private gnome-keyring or a small in-memory fake.
export type SecretStore = {
  get: (account: string) => Promise<string | null>;
  set: (account: string, secret: string) => Promise<void>;
  delete: (account: string) => Promise<boolean>;
};

/** Raised when no keychain can be reached; the message says what to install. */
export class KeychainUnavailableError extends Error {
  override readonly name = 'KeychainUnavailableError';
}

/** Keychain account name for a connection's credential in one workspace. */
export function connectionAccount(workspaceId: string, connectionId: number): string {
  return `workspace-${workspaceId}/connection-${connectionId}`;
}

/** In-memory store for tests that are about something else than the keychain. */
export function memorySecretStore(): SecretStore & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return {
    entries,
    get: (a) => Promise.resolve(entries.get(a) ?? null),
    set: (a, s) => {
      entries.set(a, s);
      return Promise.resolve();
    },
    delete: (a) => Promise.resolve(entries.delete(a)),
  };
}
