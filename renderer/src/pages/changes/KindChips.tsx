// The Changes page's filter by kind of change: one toggle per kind with its count, and "All kinds".
import type { ReactNode } from 'react';
import { changeKinds, type ChangeCounts, type ChangeKind } from '../../../../shared/domain.js';
import { kindInfo, totalOf } from '../../lib/change-kinds.js';
import { formatNumber } from '../../lib/format.js';

/**
 * The kind filter: one toggle per kind that has changes (or is selected),
 * each with its count, and "All kinds" to clear. Counts come from the query
 * without the kind filter, so a chip still says what it would show.
 */
export function KindChips({
  counts,
  selected,
  onToggle,
  onClear,
  loading,
}: {
  counts: ChangeCounts | null;
  selected: readonly ChangeKind[];
  onToggle: (kind: ChangeKind) => void;
  onClear: () => void;
  loading: boolean;
}): ReactNode {
  const shown = changeKinds.filter((k) => (counts?.[k] ?? 0) > 0 || selected.includes(k));
  return (
    <div className={`kind-chips${loading ? ' is-loading' : ''}`} role="group" aria-label="Filter by kind of change">
      <button type="button" className="kind-chip" aria-pressed={selected.length === 0} onClick={onClear}>
        All kinds
        <span className="kind-chip-count">{counts ? formatNumber(totalOf(counts)) : '…'}</span>
      </button>
      {shown.map((k) => (
        <button
          key={k}
          type="button"
          className={`kind-chip tone-${kindInfo[k].tone}`}
          aria-pressed={selected.includes(k)}
          onClick={() => onToggle(k)}
        >
          {kindInfo[k].label}
          <span className="kind-chip-count">{formatNumber(counts?.[k] ?? 0)}</span>
        </button>
      ))}
    </div>
  );
}
