// Toolbar selects that pick an id or "all": the generic Picker, and the Connection picker of the
// Directory and Changes pages.
import { useId, type ReactNode } from 'react';
import type { ConnectionSummary } from '../../../shared/domain.js';
import { connectionKindLabel } from '../lib/format.js';

/** A labelled select of a page's toolbar that picks an id; the option with value "" stands for null. */
export function Picker({
  label,
  value,
  onChange,
  wide = false,
  disabled,
  children,
}: {
  label: string;
  value: number | null;
  onChange: (value: number | null) => void;
  wide?: boolean;
  disabled?: boolean;
  /** The options. */
  children: ReactNode;
}): ReactNode {
  const id = useId();
  return (
    <div className="picker">
      <label htmlFor={id} className="picker-label">
        {label}
      </label>
      <select
        id={id}
        className={wide ? 'input select select-wide' : 'input select'}
        value={value === null ? '' : String(value)}
        onChange={(e) => onChange(e.target.value === '' ? null : Number(e.target.value))}
        disabled={disabled}
      >
        {children}
      </select>
    </div>
  );
}

/** The "Connection" picker; `allLabel` adds a first option (null) for all of them. */
export function ConnectionPicker({
  connections,
  value,
  onChange,
  allLabel,
}: {
  connections: readonly ConnectionSummary[];
  value: number | null;
  onChange: (connectionId: number | null) => void;
  allLabel?: string;
}): ReactNode {
  return (
    <Picker label="Connection" value={value} onChange={onChange}>
      {allLabel === undefined ? null : <option value="">{allLabel}</option>}
      {connections.map((c) => (
        <option key={c.id} value={c.id}>
          {c.name} ({connectionKindLabel(c.kind)})
        </option>
      ))}
    </Picker>
  );
}
