import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { AppRow } from '../../../../shared/domain.js';
import { DataGrid } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { SearchInput } from '../../components/SearchInput.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { appColumns, objectKey } from './columns.js';
import { NoSnapshot } from './NoSnapshot.js';
import { SEARCH_DEBOUNCE_MS } from './UsersTab.js';

export function AppsTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.apps);
  const setApps = useDirectoryStore((s) => s.setApps);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const hasConnections = useConnectionsStore((s) => s.connections.length > 0);
  const [total, setTotal] = useState<number | null>(null);
  const search = useDebouncedValue(filter.search, SEARCH_DEBOUNCE_MS);
  const query = useMemo(() => ({ ...filter, search }), [filter, search]);
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) => directory.apps(query, offset, limit, signal),
    [query],
  );
  const columns = useMemo(() => appColumns({ sortable: true }), []);
  const filtered = query.search.trim() !== '';
  const open = useCallback((r: AppRow) => navigate(routes.directory('apps', { connectionId: r.connectionId, id: r.id })), []);

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label="Filter apps">
        <SearchInput label="Search apps" value={filter.search} onChange={(v) => setApps({ search: v })} placeholder="Search app names…" width={300} />
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'app' : 'apps'}`}
        </span>
      </div>
      <DataGrid
        label="Apps"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${JSON.stringify(query)}|${version}`}
        rowKey={objectKey}
        sort={{ key: filter.sort, dir: filter.dir }}
        onSortChange={(s) => setApps({ sort: s.key, dir: s.dir })}
        onOpen={open}
        openKey={detail ? objectKey(detail) : null}
        onTotal={setTotal}
        empty={
          filtered ? (
            <EmptyState
              title={`No apps match “${query.search.trim()}”`}
              action={
                <button type="button" className="btn" onClick={() => setApps({ search: '' })}>
                  Clear search
                </button>
              }
            />
          ) : (
            <NoSnapshot what="apps" hasConnections={hasConnections} />
          )
        }
      />
    </div>
  );
}
