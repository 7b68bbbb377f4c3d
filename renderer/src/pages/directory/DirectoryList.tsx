// The frame every Directory tab shares: the search toolbar and filter menus, the row count, the
// server-paged grid (refetched after each successful sync) and its empty states.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { Page } from '../../../../shared/domain.js';
import { DataGrid, type GridColumn, type SortDir } from '../../components/DataGrid.js';
import { SearchInput } from '../../components/SearchInput.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, routes, type DirectoryTab, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { useDirectoryStore } from '../../stores/directory-store.js';
import { objectKey } from './columns.js';
import { NoSnapshot } from './NoSnapshot.js';

/** How long the search box waits for typing to pause before it queries. */
export const SEARCH_DEBOUNCE_MS = 150;

type ListFilter<K extends string> = { search: string; sort: K; dir: SortDir };

/**
 * One Directory tab: the search toolbar, the server-paged table and the row
 * that opens the detail drawer. The tab states its filter menus, columns and
 * fetch; the accessible names follow from `noun` ("Filter users", "Search
 * users", grid "Users"), which the end-to-end test finds them by.
 */
export function DirectoryList<T extends { connectionId: number; id: string }, K extends string, F extends ListFilter<K>>({
  tab,
  noun,
  countNoun,
  label,
  searchPlaceholder,
  filter,
  onFilterChange,
  fetch,
  columns,
  menus,
  isFiltered,
  onClear,
  noMatch,
  detail,
  note,
  searchHint,
}: {
  /** The tab whose detail a row opens. */
  tab: DirectoryTab;
  /** Singular and plural, lower case: the toolbar's names and the row count. */
  noun: { one: string; many: string };
  /** What the row count counts when it is not `noun` (merged people rather than accounts). */
  countNoun?: { one: string; many: string } | undefined;
  /** The grid's accessible name. */
  label: string;
  searchPlaceholder: string;
  /** The tab's query state (from the directory store, so it survives a detail). */
  filter: F;
  onFilterChange: (patch: Partial<ListFilter<K>>) => void;
  /** Gets the Directory's connection picker with the query (null: every connection). */
  fetch: (query: F & { connectionId: number | null }, offset: number, limit: number, signal: AbortSignal) => Promise<Page<T>>;
  columns: readonly GridColumn<T, K>[];
  /** Filter menus after the search box. */
  menus?: ReactNode;
  /** Whether the (debounced) query narrows the table: then no rows means "no match", not "no data". */
  isFiltered: (query: F) => boolean;
  /** Offers "Clear filters" in the toolbar while filtered. */
  onClear?: () => void;
  /** The empty state when the query matches nothing. */
  noMatch: (query: F) => ReactNode;
  detail: ObjectRef | null;
  /** A line under the toolbar that explains what the table counts. */
  note?: ReactNode;
  /** What the search box does with this text, when it is worth saying (e.g. a search too short to match anywhere). */
  searchHint?: (text: string) => string | null;
}): ReactNode {
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const hasConnections = useConnectionsStore((s) => s.connections.length > 0);
  const [total, setTotal] = useState<number | null>(null);
  const connectionId = useDirectoryStore((s) => s.connectionId);
  const search = useDebouncedValue(filter.search, SEARCH_DEBOUNCE_MS);
  const query = useMemo(() => ({ ...filter, search, connectionId }), [filter, search, connectionId]);
  const fetchPage = useCallback((offset: number, limit: number, signal: AbortSignal) => fetch(query, offset, limit, signal), [fetch, query]);
  const filtered = isFiltered(query);
  const hint = searchHint?.(filter.search) ?? null;
  const open = useCallback((r: T) => navigate(routes.directory(tab, { connectionId: r.connectionId, id: r.id })), [tab]);

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label={`Filter ${noun.many}`}>
        <SearchInput
          label={`Search ${noun.many}`}
          value={filter.search}
          onChange={(v) => onFilterChange({ search: v })}
          placeholder={searchPlaceholder}
          width={300}
        />
        {menus}
        {filtered && onClear ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={onClear}>
            Clear filters
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${total === 1 ? (countNoun ?? noun).one : (countNoun ?? noun).many}`}
        </span>
      </div>
      {hint ? (
        <p className="toolbar-note" role="note">
          {hint}
        </p>
      ) : null}
      {note ? <div className="toolbar-note">{note}</div> : null}
      <DataGrid
        label={label}
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${JSON.stringify(query)}|${version}`}
        rowKey={objectKey}
        sort={{ key: filter.sort, dir: filter.dir }}
        onSortChange={(s) => onFilterChange({ sort: s.key, dir: s.dir })}
        onOpen={open}
        openKey={detail ? objectKey(detail) : null}
        onTotal={setTotal}
        empty={filtered ? noMatch(query) : <NoSnapshot what={noun.many} hasConnections={hasConnections} />}
      />
    </div>
  );
}
