// The canonical form of a review item's frozen population columns and its
// SHA-256 (review_items.row_hash). One definition for launch (which stores
// it), the population hash, and the reviewer workbook (which carries every
// frozen column as text and recomputes the hash from the cells on import,
// so an edited population cell is refused). Canonical form: a JSON array of
// the columns in FROZEN_COLUMNS order, each value text or null — numbers in
// decimal, JSON lists as stored, an empty string the same as null (a
// spreadsheet cannot tell them apart) — after a format tag.
import { createHash } from 'node:crypto';

/** The frozen columns of review_items, in canonical order (the workbook's population columns, same order). */
export const FROZEN_COLUMNS = [
  'connection_id',
  'identity_id',
  'group_id',
  'group_name',
  'person_name',
  'person_email',
  'person_status',
  'title',
  'department',
  'manager_email',
  'manager_name',
  'employment_type',
  'last_login',
  'account_created',
  'held_via',
  'via_apps',
  'role_id',
  'role_label',
  'risk',
  'app_label',
  'grant_id',
  'request_id',
  'approvers',
  'jira_key',
  'granted_at',
  'expires_at',
] as const;
export type FrozenColumn = (typeof FROZEN_COLUMNS)[number];
export type FrozenValues = { readonly [C in FrozenColumn]?: string | number | null | undefined };

const ROW_HASH_FORMAT = 'latchkey-review-item/1';

/** A frozen value in canonical text (null for none). */
export function canonicalCell(v: string | number | null | undefined): string | null {
  if (v === null || v === undefined) return null;
  const s = typeof v === 'number' ? String(v) : v;
  return s === '' ? null : s;
}

/** The canonical text the row hash is taken over. */
export function canonicalRow(values: FrozenValues): string {
  return JSON.stringify([ROW_HASH_FORMAT, ...FROZEN_COLUMNS.map((c) => canonicalCell(values[c]))]);
}

/** SHA-256 (hex) of a review item's frozen columns in canonical form. */
export function itemRowHash(values: FrozenValues): string {
  return createHash('sha256').update(canonicalRow(values)).digest('hex');
}
