// The filter menus of list toolbars (Directory › Users status and department, Groups' manager): a
// button that opens checkboxes with counts.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { formatNumber } from '../lib/format.js';
import { IconChevronDown } from './Icons.js';

export type Option = { value: string; label: string; count?: number };

/**
 * A filter menu: a button that opens a list of checkboxes (with counts), a
 * quick filter when the list is long, and "Clear".
 */
export function MultiSelect({
  label,
  options,
  selected,
  onChange,
  loading = false,
  error = null,
}: {
  /** Visible label, e.g. "Status"; the button is named "Filter by status". */
  label: string;
  options: readonly Option[];
  selected: readonly string[];
  onChange: (next: string[]) => void;
  loading?: boolean;
  /** Why the options could not be loaded (the server's message). */
  error?: string | null;
}): ReactNode {
  const [open, setOpen] = useState(false);
  const [filter, setFilter] = useState('');
  const rootRef = useRef<HTMLDivElement>(null);
  const panelId = useId();

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent): void => {
      if (rootRef.current && !rootRef.current.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const toggle = (value: string): void => {
    onChange(selected.includes(value) ? selected.filter((v) => v !== value) : [...selected, value]);
  };
  const shown = filter.trim()
    ? options.filter((o) => o.label.toLowerCase().includes(filter.trim().toLowerCase()))
    : options;
  const summary =
    selected.length === 0 ? null : selected.length === 1 ? (options.find((o) => o.value === selected[0])?.label ?? selected[0]) : `${selected.length} selected`;

  return (
    <div
      className="menu"
      ref={rootRef}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          rootRef.current?.querySelector<HTMLButtonElement>('.menu-button')?.focus();
        }
      }}
    >
      <button
        type="button"
        className={`btn menu-button${selected.length > 0 ? ' is-filtered' : ''}`}
        aria-label={`Filter by ${label.toLowerCase()}`}
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="menu-button-label">{label}</span>
        {summary ? <span className="menu-button-value">{summary}</span> : null}
        <IconChevronDown />
      </button>
      {open ? (
        <div className="menu-panel" id={panelId} role="group" aria-label={`${label} filter`}>
          {options.length > 8 ? (
            <input
              className="input input-sm menu-filter"
              type="search"
              placeholder={`Find ${label.toLowerCase()}…`}
              aria-label={`Find ${label.toLowerCase()}`}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
              autoFocus
            />
          ) : null}
          <div className="menu-options">
            {error ? (
              <p className="menu-note text-danger" role="alert">
                {error}
              </p>
            ) : loading ? (
              <p className="menu-note">Loading…</p>
            ) : shown.length === 0 ? (
              <p className="menu-note">No matches</p>
            ) : null}
            {shown.map((o) => (
              <label key={o.value} className="menu-option">
                <input type="checkbox" checked={selected.includes(o.value)} onChange={() => toggle(o.value)} />
                <span className="menu-option-label">{o.label}</span>
                {o.count !== undefined ? (
                  <span className="menu-option-count" aria-hidden="true">
                    {formatNumber(o.count)}
                  </span>
                ) : null}
              </label>
            ))}
          </div>
          <div className="menu-footer">
            <span className="muted">{selected.length > 0 ? `${selected.length} selected` : 'Any'}</span>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => onChange([])} disabled={selected.length === 0}>
              Clear
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
