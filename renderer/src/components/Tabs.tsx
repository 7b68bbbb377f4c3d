// ARIA tabs (arrow keys move focus) for sections inside one panel, such as a user's or a group's
// detail; pages switch their views with route links instead.
import { useRef, type ReactNode } from 'react';

export type TabItem<K extends string> = { key: K; label: string; count?: number | null };

/** Props for the panel of tab `key` in the tab set `id`. */
export function tabPanelProps(id: string, key: string): { id: string; role: 'tabpanel'; 'aria-labelledby': string } {
  return { id: `${id}-panel-${key}`, role: 'tabpanel', 'aria-labelledby': `${id}-tab-${key}` };
}

/** ARIA tabs (roving focus with arrow keys). The caller renders the panel with `tabPanelProps`. */
export function Tabs<K extends string>({
  id,
  label,
  items,
  value,
  onChange,
}: {
  id: string;
  label: string;
  items: readonly TabItem<K>[];
  value: K;
  onChange: (key: K) => void;
}): ReactNode {
  const listRef = useRef<HTMLDivElement>(null);
  const focusTab = (index: number): void => {
    const item = items[(index + items.length) % items.length];
    if (!item) return;
    onChange(item.key);
    listRef.current?.querySelector<HTMLButtonElement>(`[data-key="${item.key}"]`)?.focus();
  };
  return (
    <div className="tabs" role="tablist" aria-label={label} ref={listRef}>
      {items.map((item, i) => (
        <button
          key={item.key}
          type="button"
          role="tab"
          data-key={item.key}
          id={`${id}-tab-${item.key}`}
          aria-controls={`${id}-panel-${item.key}`}
          aria-selected={item.key === value}
          tabIndex={item.key === value ? 0 : -1}
          className="tab"
          onClick={() => onChange(item.key)}
          onKeyDown={(e) => {
            if (e.key === 'ArrowRight') focusTab(i + 1);
            else if (e.key === 'ArrowLeft') focusTab(i - 1);
            else if (e.key === 'Home') focusTab(0);
            else if (e.key === 'End') focusTab(items.length - 1);
            else return;
            e.preventDefault();
          }}
        >
          {item.label}
          {item.count !== undefined && item.count !== null ? <span className="tab-count">{item.count.toLocaleString()}</span> : null}
        </button>
      ))}
    </div>
  );
}
