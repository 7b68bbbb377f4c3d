// What every engine function is given instead of reaching for globals: the
// database, the keychain, the clock and the event sink. Tests pass real ones
// (a temp SQLite file, a private gnome-keyring) or small fakes.
import type { EventMap, EventName } from '../../shared/contract.js';
import type { AuditChannel } from '../../shared/governance.js';
import type { Db } from './db/database.js';
import { getMeta } from './db/meta.js';
import type { SecretStore } from './secrets/secret-store.js';

export type Clock = { now: () => Date };
export const systemClock: Clock = { now: () => new Date() };

export type EventSink = { emit: <E extends EventName>(event: E, payload: EventMap[E]) => void };

/** What the desktop shell offers the engine (Electron only): showing a file in the system's file manager. */
export type Desktop = { showItemInFolder: (file: string) => void };

export type EngineContext = {
  db: Db;
  dbPath: string;
  readOnly: boolean;
  secrets: SecretStore;
  clock: Clock;
  events: EventSink;
  /** Who is acting, for the audit log (OS user name, or 'cli:<user>'; for a console call, the signed-in operator). */
  actor: string;
  /** Where the current call came from, recorded with each audit event (absent: 'system', the engine itself). */
  channel?: AuditChannel;
  transport: 'electron' | 'bridge' | 'cli';
  /** True when the workspace is the demo one backed by the embedded sandbox. */
  sandbox: boolean;
  /** The desktop shell's services; absent in the CLI and the bridge. */
  desktop?: Desktop;
};

/** Thrown for conditions the user can fix; the message is shown as is. */
export class UserError extends Error {
  override readonly name = 'UserError';
  constructor(
    message: string,
    readonly code: 'bad-input' | 'not-found' | 'read-only' | 'unauthorized' | 'conflict' | 'failed' = 'failed',
  ) {
    super(message);
  }
}

export function workspaceId(db: Db): string {
  const id = getMeta(db, 'workspace_id');
  if (id === null) throw new UserError('this workspace has no id (meta.workspace_id is missing)', 'failed');
  return id;
}
