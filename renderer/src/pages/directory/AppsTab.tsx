// Directory › Apps: every app the IdPs hold, server-paged and searchable, and the note on why
// Catalog › Coverage counts fewer.
import { useMemo, type ReactNode } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import type { ObjectRef } from '../../lib/router.js';
import { useDashboardStore } from '../../stores/dashboard-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { formatNumber } from '../../lib/format.js';
import { appColumns, useConnectionOf } from './columns.js';
import { DirectoryList } from './DirectoryList.js';

export function AppsTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.apps);
  const setApps = useDirectoryStore((s) => s.setApps);
  const connectionOf = useConnectionOf();
  const summary = useDashboardStore((s) => s.summary);
  const all = useDirectoryStore((s) => s.connectionId === null);
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
      note={all && summary ? <AppsNote apps={summary.apps} withGroups={summary.appsWithGroups} /> : null}
    />
  );
}

/**
 * Why the Directory and Catalog › Coverage count apps differently: Coverage
 * lists the apps that have groups assigned (what a catalog role can map);
 * the Directory lists every app the IdPs hold.
 */
export function AppsNote({ apps, withGroups }: { apps: number; withGroups: number }): ReactNode {
  const none = apps - withGroups;
  if (none <= 0) return null;
  return (
    <p className="muted" data-testid="apps-note">
      {formatNumber(apps)} apps: {formatNumber(withGroups)} have groups assigned (the apps Catalog › Coverage lists), {formatNumber(none)}{' '}
      {none === 1 ? 'has' : 'have'} none (assigned to people directly, or to nobody), so Coverage leaves {none === 1 ? 'it' : 'them'} out.
    </p>
  );
}
