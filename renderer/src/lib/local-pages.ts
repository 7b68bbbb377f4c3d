// Serves an in-memory array through the same `fetchPage(offset, limit)` shape
// the data grid uses for server-side results, so small tables (a user's
// groups, an app's groups, sync runs) reuse the one grid component.
import type { Page } from '../../../shared/domain.js';

export type SortDir = 'asc' | 'desc';
type SortValue = string | number | null | undefined;

/** How the console's in-memory grids order text: accents and case folded, numbers inside text by value. */
export const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

export function compareValues(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null || a === undefined || a === '') return 1; // blanks last
  if (b === null || b === undefined || b === '') return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

export function localPage<T>(
  rows: readonly T[],
  offset: number,
  limit: number,
  options: {
    sortValue?: ((row: T) => SortValue) | undefined;
    dir?: SortDir | undefined;
    filter?: ((row: T) => boolean) | undefined;
  } = {},
): Page<T> {
  let list = options.filter ? rows.filter(options.filter) : [...rows];
  const key = options.sortValue;
  if (key) {
    const sign = options.dir === 'desc' ? -1 : 1;
    // Blanks stay last in both directions.
    list = list.sort((x, y) => {
      const a = key(x);
      const b = key(y);
      const blankA = a === null || a === undefined || a === '';
      const blankB = b === null || b === undefined || b === '';
      if (blankA || blankB) return compareValues(a, b);
      return sign * compareValues(a, b);
    });
  }
  return { total: list.length, offset, rows: list.slice(offset, offset + limit) };
}
