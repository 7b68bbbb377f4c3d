// Directory › Users: people (merged across IdPs when several are connected) or one connection's
// accounts, filtered by status and department, with the short-search hint.
import { useEffect, useMemo, type ReactNode } from 'react';
import type { AccountRef, UserRow } from '../../../../shared/domain.js';
import { EmptyState } from '../../components/EmptyState.js';
import { MultiSelect } from '../../components/MultiSelect.js';
import { humanize } from '../../lib/format.js';
import type { ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { userColumns } from './columns.js';
import { DirectoryList } from './DirectoryList.js';

/**
 * The engine matches a search of only one- or two-character words at the
 * START of a name, login or e-mail (3 or more characters match anywhere):
 * said under the box while that is what it does.
 */
function shortSearchHint(text: string): string | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0 || words.some((w) => [...w].length >= 3)) return null;
  return 'One or two letters match the start of a name, login or e-mail; type three or more to match anywhere.';
}

export function UsersTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.users);
  const setUsers = useDirectoryStore((s) => s.setUsers);
  const resetUsers = useDirectoryStore((s) => s.resetUsers);
  const facets = useDirectoryStore((s) => s.facets);
  const loadFacets = useDirectoryStore((s) => s.loadFacets);
  const facetsError = useDirectoryStore((s) => s.facetsError);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const connections = useConnectionsStore((s) => s.connections);
  const connectionId = useDirectoryStore((s) => s.connectionId);
  const idps = connections.filter((c) => c.kind === 'okta' || c.kind === 'entra');

  useEffect(() => {
    void loadFacets();
  }, [loadFacets, version]);

  // The Accounts column shows where a merged person has accounts: only meaningful with several IdPs and "All people".
  const showAccounts = idps.length > 1 && connectionId === null;
  const columns = useMemo(() => {
    if (!showAccounts) return userColumns();
    // A row the engine did not correlate still has its own account.
    const own = (r: UserRow): AccountRef[] => {
      const c = connections.find((x) => x.id === r.connectionId);
      return c ? [{ connectionId: c.id, connectionName: c.name, kind: c.kind, id: r.id, login: r.login, status: r.status, matchedBy: null, groupCount: r.groupCount }] : [];
    };
    return userColumns({ accounts: (r) => (r.accounts.length > 0 ? r.accounts : own(r)) });
  }, [showAccounts, connections]);

  return (
    <DirectoryList
      tab="users"
      noun={{ one: 'user', many: 'users' }}
      countNoun={showAccounts ? { one: 'person', many: 'people' } : undefined}
      label="Users"
      searchPlaceholder="Search name, login, email…"
      filter={filter}
      onFilterChange={setUsers}
      fetch={directory.users}
      columns={columns}
      menus={
        <>
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
        </>
      }
      isFiltered={(q) => q.search.trim() !== '' || q.status.length > 0 || q.department.length > 0}
      searchHint={shortSearchHint}
      onClear={resetUsers}
      noMatch={() => (
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
      )}
      detail={detail}
    />
  );
}
