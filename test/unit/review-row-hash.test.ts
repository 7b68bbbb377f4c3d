// The import's lean row hash (cellsRowHasher: one reused array, the shown
// columns' cells plus an empty-string mask and the other columns' stored
// values) is the row hash launch stored and rowHashOfCells recomputes, and
// it changes when any of the 26 hashed fields changes — a shown cell or a
// stored value of a column the sheet does not show.
import { describe, expect, it } from 'vitest';
import { cellOf, cellsRowHasher, FROZEN_COLUMNS, itemRowHash, rowHashOfCells, type FrozenColumn, type FrozenValues } from '../../electron/engine/reviews/row-hash.js';
import { SHEET_COLUMNS } from '../../electron/engine/reviews/workbook.js';
import { itemValues } from '../helpers/review-items-fixture.js';

const hasher = cellsRowHasher(SHEET_COLUMNS);

/** A stored row as the import sees it: the row's cells (item_id first), the mask of shown columns stored as '', and the rest's stored values after four leading fields. */
function asImported(v: FrozenValues, cells: readonly string[] = SHEET_COLUMNS.map((c) => cellOf(v[c]))): string {
  const mask = SHEET_COLUMNS.reduce((m, c, k) => (v[c] === '' ? m | (1 << k) : m), 0);
  const rest = hasher.restColumns.map((c) => v[c] ?? null);
  return hasher.hash(['42', ...cells, 'Keep'], 1, mask, [0, 0, 0, 0, 0, ...rest], 5);
}

/** Rows with what makes cells tricky: empty strings and NULLs, integers, JSON lists, spaces, markup, a line break, non-Latin text. */
const rows: FrozenValues[] = [
  ...Array.from({ length: 24 }, (_, n) => itemValues(n + 1, 1 + (n % 3))),
  itemValues(100, 7, { title: '', department: '', manager_name: '', jira_key: '', held_via: ' direct ', person_name: 'Zoë <Ødegård> & "Ω"', group_name: 'line\nbreak', via_apps: '[]' }),
  itemValues(101, 7, { request_id: 0, role_id: -3, connection_id: 123456789012345, person_email: '0042', risk: '007' }),
];

describe('the import row hash', () => {
  it('is the stored row hash and the same as rowHashOfCells, for every kind of row', () => {
    for (const v of rows) {
      const cells = Object.fromEntries(SHEET_COLUMNS.map((c) => [c, cellOf(v[c])]));
      expect(asImported(v)).toBe(itemRowHash(v));
      expect(asImported(v)).toBe(rowHashOfCells(cells, v));
    }
  });

  it('covers every hashed field: a changed shown cell or a changed stored value of any other column gives another hash', () => {
    const v = itemValues(8, 2);
    const stored = itemRowHash(v);
    const shown = new Set<FrozenColumn>(SHEET_COLUMNS);
    const changed: string[] = [];
    for (const c of FROZEN_COLUMNS) {
      const other: FrozenValues = { ...v, [c]: typeof v[c] === 'number' ? v[c] + 1 : `${cellOf(v[c])}x` };
      // A shown column: the stored value stays, the cell changes. Any other column: the stored value changes.
      const got = shown.has(c) ? asImported(v, SHEET_COLUMNS.map((s) => cellOf(other[s]))) : asImported(other);
      if (got !== stored) changed.push(c);
    }
    expect(changed).toEqual([...FROZEN_COLUMNS]);
    expect(hasher.restColumns.length + SHEET_COLUMNS.length).toBe(FROZEN_COLUMNS.length);
  });

  it('tells an empty cell over an empty string from one over NULL, and a number from its text', () => {
    const empty = itemValues(3, 1, { title: '' });
    const none = itemValues(3, 1, { title: null });
    expect(itemRowHash(empty)).not.toBe(itemRowHash(none));
    expect(asImported(empty)).toBe(itemRowHash(empty));
    expect(asImported(none)).toBe(itemRowHash(none));
    // The mask, not the cell, says which: the same empty cell with the other mask is the other row.
    expect(asImported(none, SHEET_COLUMNS.map((c) => cellOf(empty[c])))).toBe(itemRowHash(none));
    const asText = itemValues(4, 1, { request_id: '204' as unknown as number });
    expect(asImported(itemValues(4, 1))).not.toBe(itemRowHash(asText));
  });
});
