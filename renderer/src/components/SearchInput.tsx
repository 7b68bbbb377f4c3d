// The search box of every list toolbar: named for screen readers, cleared with Escape or its ×
// button, no autocomplete or spellcheck on names and e-mails.
import type { ReactNode } from 'react';
import { IconClose, IconSearch } from './Icons.js';

export function SearchInput({
  label,
  value,
  onChange,
  placeholder,
  width,
  disabled,
}: {
  /** Accessible name, e.g. "Search users". */
  label: string;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  width?: number;
  disabled?: boolean;
}): ReactNode {
  return (
    <div className="search" style={width ? { width } : undefined}>
      <IconSearch className="search-icon" />
      <input
        className="input search-input"
        type="search"
        aria-label={label}
        placeholder={placeholder ?? `${label}…`}
        value={value}
        disabled={disabled}
        spellCheck={false}
        autoComplete="off"
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value !== '') {
            e.stopPropagation();
            onChange('');
          }
        }}
      />
      {value !== '' ? (
        <button type="button" className="icon-btn search-clear" aria-label="Clear search" onClick={() => onChange('')}>
          <IconClose size={14} />
        </button>
      ) : null}
    </div>
  );
}
