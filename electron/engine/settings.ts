// Workspace settings (the `settings` table, JSON values): who operates this
// console, how early expiry notices go out, how often JSM is polled.
import type { Db } from './db/database.js';

export type WorkspaceSettings = {
  /** The e-mail of the person using this console: their approvals are "My approvals"; they can't approve their own requests. */
  operatorEmail: string | null;
  /** Hours before expiry that a notice is recorded (and written to Jira). */
  expiryNoticeHours: number;
};

export const DEFAULT_SETTINGS: WorkspaceSettings = { operatorEmail: null, expiryNoticeHours: 24 };

export function getSettings(db: Db): WorkspaceSettings {
  const rows = db.prepare('SELECT key, value FROM settings').all() as { key: string; value: string }[];
  const out: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  for (const r of rows) if (r.key in DEFAULT_SETTINGS) out[r.key] = JSON.parse(r.value) as unknown;
  return out as WorkspaceSettings;
}

/** Writes the given keys; call inside the transaction that audits the change. */
export function putSettings(db: Db, patch: Partial<WorkspaceSettings>): WorkspaceSettings {
  const put = db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  for (const [k, v] of Object.entries(patch)) if (k in DEFAULT_SETTINGS && v !== undefined) put.run(k, JSON.stringify(v));
  return getSettings(db);
}
