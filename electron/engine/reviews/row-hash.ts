// A review item's frozen population columns as reviewer-workbook cells, and
// back: the row hash (population.ts canonicalRow: typed values, NULL as
// null) recomputed from a row's own cells, so an edited population cell is
// refused on import. A cell is text: numbers in decimal, JSON lists as
// stored, NULL as an empty cell. An empty cell cannot tell NULL from an
// empty string, so for an empty cell the stored value decides which of the
// two it is (both show as nothing: no edit can hide there); every other
// cell is taken as typed. A column the sheet does not show (absent from the
// cells) counts with its stored value.
import { canonicalRow, FROZEN_COLUMNS, ROW_HASH_TAG, ROW_HASH_VERSION, sha256Hex, type FrozenColumn } from './population-proof.js';

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

/**
 * The row hash of many workbook rows without building an object per row
 * (the import checks 50,000): the same canonical row as rowHashOfCells, put
 * together in one reused array. For the `shown` columns it needs the row's
 * cells and, per shown column, only whether the stored value is the empty
 * string (bit k of `emptyMask` for shown[k]: what an empty cell stands for);
 * for every other frozen column its stored value (`rest` from `firstRest`,
 * in FROZEN_COLUMNS order: `restColumns`).
 */
export function cellsRowHasher(shown: readonly FrozenColumn[]): {
  restColumns: readonly FrozenColumn[];
  hash: (cells: readonly string[], firstCell: number, emptyMask: number, rest: readonly unknown[], firstRest: number) => string;
} {
  if (shown.length > 30) throw new Error('at most 30 shown columns fit the empty-string mask');
  const restColumns = FROZEN_COLUMNS.filter((c) => !shown.includes(c));
  const shownAt = shown.map((c) => 2 + FROZEN_COLUMNS.indexOf(c));
  const shownInteger = shown.map((c) => INTEGER_COLUMNS.has(c));
  const restAt = restColumns.map((c) => 2 + FROZEN_COLUMNS.indexOf(c));
  const canonical: (string | number | null)[] = [ROW_HASH_TAG, ROW_HASH_VERSION, ...FROZEN_COLUMNS.map(() => null)];
  return {
    restColumns,
    hash: (cells, firstCell, emptyMask, rest, firstRest) => {
      for (let k = 0; k < restAt.length; k++) canonical[restAt[k] as number] = (rest[firstRest + k] as string | number | null | undefined) ?? null;
      for (let k = 0; k < shownAt.length; k++) {
        const cell = cells[firstCell + k] ?? '';
        canonical[shownAt[k] as number] = cell === '' ? ((emptyMask >> k) & 1 ? '' : null) : shownInteger[k] && /^-?\d{1,15}$/.test(cell) ? Number(cell) : cell;
      }
      // JSON.stringify of the same list canonicalRow builds: the same text, so the same hash.
      return sha256Hex(JSON.stringify(canonical));
    },
  };
}
