// One row of the shared DataGrid (components/DataGrid.tsx), memoised: moving the active row with
// j/k re-renders the two rows whose state changed, not the hundred in view and overscan. A row
// renders again when its row object, its active/open state, its class, its position, the columns
// or `cellsVersion` (what its cells read besides the row, e.g. a store's decisions) change.
import { memo, type ReactNode } from 'react';
import type { GridColumn } from './DataGrid.js';
import { titleIfCut } from './grid-measure.js';

export type GridRowProps<T> = {
  index: number;
  domId: string;
  /** Offset from the top of the body, px. */
  top: number;
  /** undefined: not loaded yet (a placeholder row). */
  row: T | undefined;
  className: string;
  isActive: boolean;
  columns: readonly GridColumn<T, string>[];
  cellsVersion: unknown;
  onMouseDown: (e: { button: number }) => void;
  onClick: (index: number) => void;
  placeholderWidth: (index: number, columnId: string) => number;
};

function GridRowImpl<T>({ index, domId, top, row, className, isActive, columns, onMouseDown, onClick, placeholderWidth }: GridRowProps<T>): ReactNode {
  return (
    <div
      id={domId}
      role="row"
      aria-rowindex={index + 2}
      aria-selected={isActive}
      className={className}
      style={{ transform: `translateY(${top}px)` }}
      onMouseDown={onMouseDown}
      onClick={() => onClick(index)}
    >
      {columns.map((c) =>
        row === undefined ? (
          <div key={c.id} role="gridcell" className={`dg-td${c.align === 'end' ? ' is-end' : ''}`}>
            <span className="skeleton-text" style={{ width: `${placeholderWidth(index, c.id)}%` }} />
          </div>
        ) : (
          <div
            key={c.id}
            role="gridcell"
            className={`dg-td${c.align === 'end' ? ' is-end' : ''}${c.truncate ? ' is-free' : ''}`}
            title={c.title?.(row)}
            onMouseEnter={c.truncate && !c.title ? titleIfCut : undefined}
          >
            {c.render(row)}
          </div>
        ),
      )}
    </div>
  );
}

/** Props compared one by one (Object.is); handlers must be stable (the grid passes stable ones). */
export const GridRow = memo(GridRowImpl) as <T>(props: GridRowProps<T>) => ReactNode;
