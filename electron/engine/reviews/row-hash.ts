// A review item's frozen population columns as reviewer-workbook cells, and
// back: the row hash (population.ts canonicalRow: typed values, NULL as
// null) recomputed from a row's own cells, so an edited population cell is
// refused on import. A cell is text: numbers in decimal, JSON lists as
// stored, NULL as an empty cell. An empty cell cannot tell NULL from an
// empty string, so for an empty cell the stored value decides which of the
// two it is (both show as nothing: no edit can hide there); every other
// cell is taken as typed. A column the sheet does not show (absent from the
// cells) counts with its stored value.
import { canonicalRow, FROZEN_COLUMNS, sha256Hex, type FrozenColumn } from './population-proof.js';

export { FROZEN_COLUMNS, type FrozenColumn };
export type FrozenValues = { readonly [C in FrozenColumn]?: string | number | null | undefined };

/** The integer columns (the rest are text). */
const INTEGER_COLUMNS: ReadonlySet<FrozenColumn> = new Set<FrozenColumn>(['connection_id', 'role_id', 'grant_id', 'request_id']);

/** A stored frozen value as the workbook's cell text. */
export function cellOf(v: string | number | null | undefined): string {
  return v === null || v === undefined ? '' : typeof v === 'number' ? String(v) : v;
}

/** The typed values a row's cells stand for (see the header for empty cells). */
export function valuesOfCells(cells: Readonly<Record<string, string>>, stored: FrozenValues): Record<FrozenColumn, string | number | null> {
  const out = {} as Record<FrozenColumn, string | number | null>;
  for (const c of FROZEN_COLUMNS) {
    const cell = cells[c];
    const was = stored[c];
    if (cell === undefined) out[c] = was ?? null;
    else if (cell === '') out[c] = was === '' ? '' : null;
    else if (INTEGER_COLUMNS.has(c) && /^-?\d{1,15}$/.test(cell)) out[c] = Number(cell);
    else out[c] = cell;
  }
  return out;
}

/** SHA-256 (hex) of the canonical row of stored values (what launch stores as row_hash). */
export function itemRowHash(values: FrozenValues): string {
  const typed = {} as Record<FrozenColumn, string | number | null>;
  for (const c of FROZEN_COLUMNS) typed[c] = values[c] ?? null;
  return sha256Hex(canonicalRow(typed));
}

/** The row hash recomputed from a workbook row's cells. */
export function rowHashOfCells(cells: Readonly<Record<string, string>>, stored: FrozenValues): string {
  return sha256Hex(canonicalRow(valuesOfCells(cells, stored)));
}
