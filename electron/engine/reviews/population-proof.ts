// The proof of a frozen population (population.ts's header gives the
// canonical forms the README documents): the frozen columns in their
// canonical order, the canonical row text and its SHA-256 (row_hash, in JS
// for a verifier and the workbook, in SQL for the launch), and the
// population hash — folded in during the launch's insert when the rows arrive
// in canonical order, else (and for any verifier) by the sorted pass.
import { createHash, hash } from 'node:crypto';
import type { Db } from '../db/database.js';
import { rowHashesInOrder } from './item-store.js';
/** The frozen columns of review_items, in their canonical (row_hash) order. */
export const FROZEN_COLUMNS = [
  'connection_id', 'identity_id', 'group_id', 'group_name', 'person_name', 'person_email', 'person_status', 'title', 'department',
  'manager_email', 'manager_name', 'employment_type', 'last_login', 'account_created', 'held_via', 'via_apps', 'role_id', 'role_label',
  'risk', 'app_label', 'grant_id', 'request_id', 'approvers', 'jira_key', 'granted_at', 'expires_at',
] as const;
export type FrozenColumn = (typeof FROZEN_COLUMNS)[number];
export const ROW_HASH_TAG = 'latchkey-review-item';
export const ROW_HASH_VERSION = 1;

/** The canonical text whose SHA-256 is row_hash, from the stored values (what a verifier recomputes). */
export function canonicalRow(values: Record<FrozenColumn, string | number | null>): string {
  return JSON.stringify([ROW_HASH_TAG, ROW_HASH_VERSION, ...FROZEN_COLUMNS.map((c) => values[c])]);
}
// crypto.hash (one shot, UTF-8 for a string) is ~3× createHash per row: it is called once per item at launch.
export const sha256Hex = (s: string): string => hash('sha256', s, 'hex');

/** SQL of the canonical row over alias `r` (text columns that hold JSON are concatenated with '' so they stay strings). */
export function canonicalRowSql(r: string): string {
  return `json_array('${ROW_HASH_TAG}', ${ROW_HASH_VERSION}, ${FROZEN_COLUMNS.map((c) => (c === 'via_apps' || c === 'approvers' ? `(${r}.${c} || '')` : `${r}.${c}`)).join(', ')})`;
}

/** Compares two strings as SQLite's BINARY collation does (UTF-8 bytes): UTF-16 order, except a surrogate (U+10000 and up) sorts after U+E000–U+FFFF. */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let k = 0; k < n; k++) {
    const x = a.charCodeAt(k);
    const y = b.charCodeAt(k);
    if (x !== y) {
      const sx = x >= 0xd800 && x <= 0xdfff;
      const sy = y >= 0xd800 && y <= 0xdfff;
      return sx === sy ? x - y : sx ? 1 : -1;
    }
  }
  return a.length - b.length;
}

/**
 * Registers the launch's row-hash SQL function, latchkey_item_hash(canonical
 * text, connection_id, group_id, identity_id), a better-sqlite3 user
 * function called once per inserted item, in insertion order. Besides the row
 * hash it returns, it folds each row hash into the population hash while the
 * items arrive in the canonical order (connection_id, group_id,
 * identity_id) — which the population query's plan gives (groups, then each
 * group's members by their key) — so no sorted pass over the items is
 * needed; if the order ever breaks, `populationHash()` says null and the
 * caller takes the sorted pass. It counts the rows per connection too (the
 * items side of the reconciliation, without reading the million rows back).
 * `onRows` hears the row count every 65,536 rows (the launch's progress).
 */
export function registerItemHash(db: Db, onRows?: (n: number) => void): { populationHash: () => string | null; rows: () => number; byConnection: () => Map<number, number> } {
  const pop = createHash('sha256');
  const perConnection = new Map<number, number>();
  let n = 0;
  let ordered = true;
  let pc = 0;
  let pg = '';
  let pi = '';
  let pending: string[] = [];
  db.function('latchkey_item_hash', (canonical: unknown, c: unknown, g: unknown, i: unknown) => {
    const h = typeof canonical === 'string' ? sha256Hex(canonical) : null;
    n++;
    if (typeof c === 'number') perConnection.set(c, (perConnection.get(c) ?? 0) + 1);
    if (ordered) {
      if (h === null || typeof c !== 'number' || typeof g !== 'string' || typeof i !== 'string') ordered = false;
      else if (n > 1 && (c < pc || (c === pc && (compareUtf8(g, pg) < 0 || (g === pg && compareUtf8(i, pi) <= 0))))) ordered = false;
      else {
        pc = c;
        pg = g;
        pi = i;
        pending.push(h);
        if (pending.length === 1024) {
          pop.update(`${pending.join('\n')}\n`);
          pending = [];
        }
      }
    }
    if (onRows && (n & 0xffff) === 0) onRows(n);
    return h;
  });
  return {
    populationHash: () => {
      if (!ordered) return null;
      if (pending.length > 0) pop.update(`${pending.join('\n')}\n`);
      pending = [];
      return pop.digest('hex');
    },
    rows: () => n,
    byConnection: () => perConnection,
  };
}

/** SHA-256 over the campaign's row hashes in canonical order (see the header). */
export function populationHash(db: Db, campaignId: number): string {
  const h = createHash('sha256');
  for (const rh of rowHashesInOrder(db, campaignId)) {
    h.update(rh).update('\n');
  }
  return h.digest('hex');
}
