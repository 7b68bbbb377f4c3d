// The workspace's key-value table (meta): its id, the snapshot a copy was
// made of, the correlation fingerprint, sync locks. Each key belongs to the
// area that names it; the SQL is here.
import type { Db } from './database.js';

export function getMeta(db: Db, key: string): string | null {
  return (db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get(key) as string | undefined) ?? null;
}

export function setMeta(db: Db, key: string, value: string): void {
  db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function deleteMeta(db: Db, key: string): void {
  db.prepare('DELETE FROM meta WHERE key = ?').run(key);
}

/** Deletes every key starting with `prefix` (e.g. every sync lock of a copied workspace). */
export function deleteMetaWithPrefix(db: Db, prefix: string): void {
  db.prepare("DELETE FROM meta WHERE substr(key, 1, length(?)) = ?").run(prefix, prefix);
}
