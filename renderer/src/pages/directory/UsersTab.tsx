import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { UserRow } from '../../../../shared/domain.js';
import { DataGrid } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { MultiSelect } from '../../components/MultiSelect.js';
import { SearchInput } from '../../components/SearchInput.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber, humanize } from '../../lib/format.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { userColumns, objectKey } from './columns.js';
import { NoSnapshot } from './NoSnapshot.js';

export const SEARCH_DEBOUNCE_MS = 150;

export function UsersTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.users);
  const setUsers = useDirectoryStore((s) => s.setUsers);
  const resetUsers = useDirectoryStore((s) => s.resetUsers);
  const facets = useDirectoryStore((s) => s.facets);
  const loadFacets = useDirectoryStore((s) => s.loadFacets);
  const facetsError = useDirectoryStore((s) => s.facetsError);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const hasConnections = useConnectionsStore((s) => s.connections.length > 0);
  const [total, setTotal] = useState<number | null>(null);

  useEffect(() => {
    void loadFacets();
  }, [loadFacets, version]);

  const search = useDebouncedValue(filter.search, SEARCH_DEBOUNCE_MS);
  const query = useMemo(() => ({ ...filter, search }), [filter, search]);
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) => directory.users(query, offset, limit, signal),
    [query],
  );
  const columns = useMemo(() => userColumns(), []);
  const filtered = query.search.trim() !== '' || query.status.length > 0 || query.department.length > 0;
  const open = useCallback((r: UserRow) => navigate(routes.directory('users', { connectionId: r.connectionId, id: r.id })), []);

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label="Filter users">
        <SearchInput
          label="Search users"
          value={filter.search}
          onChange={(v) => setUsers({ search: v })}
          placeholder="Search name, login, email…"
          width={300}
        />
        <MultiSelect
          label="Status"
          options={(facets?.statuses ?? []).map((f) => ({ value: f.value, label: humanize(f.value), count: f.count }))}
          selected={filter.status}
          onChange={(status) => setUsers({ status })}
          loading={!facets}
          error={facetsError}
        />
        <MultiSelect
          label="Department"
          options={(facets?.departments ?? []).map((f) => ({ value: f.value, label: f.value, count: f.count }))}
          selected={filter.department}
          onChange={(department) => setUsers({ department })}
          loading={!facets}
          error={facetsError}
        />
        {filtered ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={resetUsers}>
            Clear filters
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'user' : 'users'}`}
        </span>
      </div>
      <DataGrid
        label="Users"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${JSON.stringify(query)}|${version}`}
        rowKey={objectKey}
        sort={{ key: filter.sort, dir: filter.dir }}
        onSortChange={(s) => setUsers({ sort: s.key, dir: s.dir })}
        onOpen={open}
        openKey={detail ? objectKey(detail) : null}
        onTotal={setTotal}
        empty={
          filtered ? (
            <EmptyState
              title="No users match these filters"
              action={
                <button type="button" className="btn" onClick={resetUsers}>
                  Clear filters
                </button>
              }
            >
              Try a shorter search, or another status or department.
            </EmptyState>
          ) : (
            <NoSnapshot what="users" hasConnections={hasConnections} />
          )
        }
      />
    </div>
  );
}
