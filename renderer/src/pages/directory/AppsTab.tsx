import { useMemo, type ReactNode } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import type { ObjectRef } from '../../lib/router.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { appColumns, useConnectionOf } from './columns.js';
import { DirectoryList } from './DirectoryList.js';

export function AppsTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.apps);
  const setApps = useDirectoryStore((s) => s.setApps);
  const connectionOf = useConnectionOf();
  const columns = useMemo(() => appColumns({ sortable: true, ...(connectionOf ? { connectionOf } : {}) }), [connectionOf]);

  return (
    <DirectoryList
      tab="apps"
      noun={{ one: 'app', many: 'apps' }}
      label="Apps"
      searchPlaceholder="Search app names…"
      filter={filter}
      onFilterChange={setApps}
      fetch={directory.apps}
      columns={columns}
      // Search is the only filter, so its empty state offers to clear just that.
      isFiltered={(q) => q.search.trim() !== ''}
      noMatch={(q) => (
        <EmptyState
          title={`No apps match “${q.search.trim()}”`}
          action={
            <button type="button" className="btn" onClick={() => setApps({ search: '' })}>
              Clear search
            </button>
          }
        />
      )}
      detail={detail}
    />
  );
}
