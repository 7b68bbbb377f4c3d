// The header row of the shared DataGrid (components/DataGrid.tsx): one column header per column,
// a sort button with aria-sort where the column sorts (a click toggles asc/desc), a label otherwise.
import type { ReactNode } from 'react';
import type { GridColumn, SortState } from './DataGrid.js';
import { IconSort } from './Icons.js';

type Props<K extends string> = {
  /** What the header reads of each column. */
  columns: readonly Pick<GridColumn<unknown, K>, 'id' | 'header' | 'align' | 'sortKey'>[];
  sort: SortState<K> | null | undefined;
  onSortChange: ((s: SortState<K>) => void) | undefined;
};

export function GridHeader<K extends string>({ columns, sort, onSortChange }: Props<K>): ReactNode {
  return (
    <div role="rowgroup" className="dg-head">
      <div role="row" aria-rowindex={1} className="dg-row dg-head-row">
        {columns.map((c) => {
          const sorted = sort && c.sortKey !== undefined && sort.key === c.sortKey ? sort.dir : null;
          return (
            <div
              key={c.id}
              role="columnheader"
              className={`dg-th${c.align === 'end' ? ' is-end' : ''}`}
              aria-sort={c.sortKey === undefined ? undefined : sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : 'none'}
            >
              {c.sortKey !== undefined && onSortChange ? (
                <button
                  type="button"
                  className="dg-sort"
                  onClick={() => {
                    const key = c.sortKey as K;
                    onSortChange({ key, dir: sorted === 'asc' ? 'desc' : 'asc' });
                  }}
                >
                  <span>{c.header}</span>
                  <IconSort dir={sorted} />
                </button>
              ) : (
                <span className="dg-th-label">{c.header}</span>
              )}
            </div>
          );
        })}
      </div>
    </div>
  );
}
