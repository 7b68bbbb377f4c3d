// Building the engine context for the Electron shell. Kept free of 'electron'
// itself (main passes app.getPath('userData')), so the decisions here are
// plain and testable: where the workspace lives, and that a snapshot opened
// read-only never reaches for the keychain.
import path from 'node:path';
import type { Desktop, EngineContext } from '../engine/context.js';
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

/**
 * The workspace file a file manager handed over on the command line (Windows
 * and Linux start `Latchkey <file>`; a second instance passes its argv to the
 * first), made absolute against `cwd`; null when there is none. Only a path
 * ending in .latchkey counts: switches (Chromium adds its own), the value of
 * --db and the app's own script are never taken for one.
 */
export function fileArgument(argv: readonly string[], cwd: string): string | null {
  let found: string | null = null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (a === '--db') {
      i++;
      continue;
    }
    if (a.startsWith('-') || !a.toLowerCase().endsWith('.latchkey')) continue;
    found = path.resolve(cwd, a);
  }
  return found;
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
  /** The shell's services the engine may use (showing an exported file in its folder). */
  desktop?: Desktop;
};

export function createEngineContext(o: CreateEngineContextOptions): EngineContext {
  const readOnly = o.readOnly ?? false;
  const ctx = openWorkspace({
    dbPath: o.dbPath ?? path.join(o.userDataDir, WORKSPACE_FILE),
    readOnly,
    secrets: readOnly ? noCredentials : (o.secrets ?? keyringSecretStore()),
    transport: 'electron',
    events: o.events,
  });
  return o.desktop ? { ...ctx, desktop: o.desktop } : ctx;
}
