// Building the engine context for the Electron shell. Kept free of 'electron'
// itself (main passes app.getPath('userData')), so the decisions here are
// plain and testable: where the workspace lives, and that a snapshot opened
// read-only never reaches for the keychain.
import path from 'node:path';
import type { EngineContext } from '../engine/context.js';
import { keyringSecretStore } from '../engine/secrets/keyring-store.js';
import type { SecretStore } from '../engine/secrets/secret-store.js';
import type { EventBus } from '../engine/workspace/workspace.js';
import { openWorkspace } from '../engine/workspace/workspace.js';

export const WORKSPACE_FILE = 'workspace.latchkey';

/** A read-only snapshot carries no credentials: reads find none, writes are refused. */
export const noCredentials: SecretStore = {
  get: () => Promise.resolve(null),
  set: () => Promise.reject(new Error('this snapshot is open read-only: credentials cannot be stored')),
  delete: () => Promise.resolve(false),
};

export type ShellArgs = { dbPath: string | null; readOnly: boolean };

/** `--db FILE` and `--read-only` from the command line (as `latchkey start` passes them). */
export function parseShellArgs(argv: readonly string[]): ShellArgs {
  let dbPath: string | null = null;
  let readOnly = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--db' && argv[i + 1] !== undefined) dbPath = argv[++i] ?? null;
    else if (a?.startsWith('--db=')) dbPath = a.slice('--db='.length);
    else if (a === '--read-only') readOnly = true;
  }
  return { dbPath, readOnly };
}

export type CreateEngineContextOptions = {
  /** app.getPath('userData'); the default workspace lives there. */
  userDataDir: string;
  /** An explicit workspace file (--db or File > Open snapshot…). */
  dbPath?: string | null;
  readOnly?: boolean;
  events: EventBus;
  /** The OS keychain by default; ignored for read-only snapshots. */
  secrets?: SecretStore;
};

export function createEngineContext(o: CreateEngineContextOptions): EngineContext {
  const readOnly = o.readOnly ?? false;
  return openWorkspace({
    dbPath: o.dbPath ?? path.join(o.userDataDir, WORKSPACE_FILE),
    readOnly,
    secrets: readOnly ? noCredentials : (o.secrets ?? keyringSecretStore()),
    transport: 'electron',
    events: o.events,
  });
}
