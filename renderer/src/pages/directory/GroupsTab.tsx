import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { GroupManagedBy, GroupRow } from '../../../../shared/domain.js';
import { managedByText } from '../../components/Badges.js';
import { DataGrid } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { MultiSelect } from '../../components/MultiSelect.js';
import { SearchInput } from '../../components/SearchInput.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { groupColumns, objectKey } from './columns.js';
import { NoSnapshot } from './NoSnapshot.js';
import { SEARCH_DEBOUNCE_MS } from './UsersTab.js';

const managedByOptions: GroupManagedBy[] = ['rule', 'external', 'direct', 'latchkey'];

export function GroupsTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.groups);
  const setGroups = useDirectoryStore((s) => s.setGroups);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const hasConnections = useConnectionsStore((s) => s.connections.length > 0);
  const [total, setTotal] = useState<number | null>(null);
  const search = useDebouncedValue(filter.search, SEARCH_DEBOUNCE_MS);
  const query = useMemo(() => ({ ...filter, search }), [filter, search]);
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) => directory.groups(query, offset, limit, signal),
    [query],
  );
  const columns = useMemo(() => groupColumns({ sortable: true }), []);
  const filtered = query.search.trim() !== '' || query.managedBy.length > 0;
  const clear = (): void => setGroups({ search: '', managedBy: [] });
  const open = useCallback((r: GroupRow) => navigate(routes.directory('groups', { connectionId: r.connectionId, id: r.id })), []);

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label="Filter groups">
        <SearchInput label="Search groups" value={filter.search} onChange={(v) => setGroups({ search: v })} placeholder="Search group names…" width={300} />
        <MultiSelect
          label="Managed by"
          options={managedByOptions.map((m) => ({ value: m, label: managedByText(m) }))}
          selected={filter.managedBy}
          onChange={(v) => setGroups({ managedBy: v as GroupManagedBy[] })}
        />
        {filtered ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={clear}>
            Clear filters
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'group' : 'groups'}`}
        </span>
      </div>
      <DataGrid
        label="Groups"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${JSON.stringify(query)}|${version}`}
        rowKey={objectKey}
        sort={{ key: filter.sort, dir: filter.dir }}
        onSortChange={(s) => setGroups({ sort: s.key, dir: s.dir })}
        onOpen={open}
        openKey={detail ? objectKey(detail) : null}
        onTotal={setTotal}
        empty={
          filtered ? (
            <EmptyState
              title="No groups match these filters"
              action={
                <button type="button" className="btn" onClick={clear}>
                  Clear filters
                </button>
              }
            />
          ) : (
            <NoSnapshot what="groups" hasConnections={hasConnections} />
          )
        }
      />
    </div>
  );
}
