// Opening a workspace: the one place that turns a file path plus a secret
// store into an EngineContext, for the CLI, the bridge and Electron alike.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { EventMap, EventName } from '../../../shared/contract.js';
import { systemClock, type Clock, type EngineContext, type EventSink } from '../context.js';
import { openDatabase } from '../db/database.js';
import type { SecretStore } from '../secrets/secret-store.js';

export type EventBus = EventSink & {
  subscribe: (listener: <E extends EventName>(event: E, payload: EventMap[E]) => void) => () => void;
};

/** A tiny synchronous fan-out; a failing listener never breaks the engine. */
export function createEventBus(): EventBus {
  const listeners = new Set<<E extends EventName>(event: E, payload: EventMap[E]) => void>();
  return {
    emit: (event, payload) => {
      for (const l of listeners) {
        try {
          l(event, payload);
        } catch {
          // A broken subscriber (a closed window, a dropped SSE client) must not stop a sync.
        }
      }
    },
    subscribe: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
}

export type OpenWorkspaceOptions = {
  dbPath: string;
  readOnly?: boolean;
  secrets: SecretStore;
  transport: EngineContext['transport'];
  clock?: Clock;
  events?: EventSink;
  actor?: string;
  sandbox?: boolean;
};

export function openWorkspace(o: OpenWorkspaceOptions): EngineContext {
  const readOnly = o.readOnly ?? false;
  // A first launch has no user-data folder yet; a read-only open never creates anything.
  if (!readOnly && o.dbPath !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(o.dbPath)), { recursive: true });
  const db = openDatabase(o.dbPath, { readOnly });
  return {
    db,
    dbPath: path.resolve(o.dbPath),
    readOnly,
    secrets: o.secrets,
    clock: o.clock ?? systemClock,
    events: o.events ?? createEventBus(),
    actor: o.actor ?? defaultActor(o.transport),
    transport: o.transport,
    sandbox: o.sandbox ?? false,
  };
}

export function defaultActor(transport: EngineContext['transport']): string {
  let user = 'unknown';
  try {
    user = os.userInfo().username;
  } catch {
    // No passwd entry (some containers): keep 'unknown' rather than fail.
  }
  return `${transport}:${user}`;
}

/** Where Electron's app.getPath('userData') points for productName "Latchkey", without Electron. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.LATCHKEY_HOME) return env.LATCHKEY_HOME;
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Latchkey');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Latchkey');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Latchkey');
}

export function defaultWorkspacePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(userDataDir(env), 'workspace.latchkey');
}
