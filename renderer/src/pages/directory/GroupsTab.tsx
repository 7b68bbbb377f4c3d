// Directory › Groups: every synced group, searchable and filtered by what manages it (a group rule,
// an app import, direct, Latchkey).
import { useMemo, type ReactNode } from 'react';
import type { GroupManagedBy } from '../../../../shared/domain.js';
import { managedByText } from '../../components/Badges.js';
import { EmptyState } from '../../components/EmptyState.js';
import { MultiSelect } from '../../components/MultiSelect.js';
import type { ObjectRef } from '../../lib/router.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { groupColumns, useConnectionOf } from './columns.js';
import { DirectoryList } from './DirectoryList.js';

const managedByOptions: GroupManagedBy[] = ['rule', 'external', 'direct', 'latchkey'];

export function GroupsTab({ detail }: { detail: ObjectRef | null }): ReactNode {
  const filter = useDirectoryStore((s) => s.groups);
  const setGroups = useDirectoryStore((s) => s.setGroups);
  const connectionOf = useConnectionOf();
  const columns = useMemo(() => groupColumns({ sortable: true, ...(connectionOf ? { connectionOf } : {}) }), [connectionOf]);
  const clear = (): void => setGroups({ search: '', managedBy: [] });

  return (
    <DirectoryList
      tab="groups"
      noun={{ one: 'group', many: 'groups' }}
      label="Groups"
      searchPlaceholder="Search group names…"
      filter={filter}
      onFilterChange={setGroups}
      fetch={directory.groups}
      columns={columns}
      menus={
        <MultiSelect
          label="Managed by"
          options={managedByOptions.map((m) => ({ value: m, label: managedByText(m) }))}
          selected={filter.managedBy}
          onChange={(v) => setGroups({ managedBy: v as GroupManagedBy[] })}
        />
      }
      isFiltered={(q) => q.search.trim() !== '' || q.managedBy.length > 0}
      onClear={clear}
      noMatch={() => (
        <EmptyState
          title="No groups match these filters"
          action={
            <button type="button" className="btn" onClick={clear}>
              Clear filters
            </button>
          }
        />
      )}
      detail={detail}
    />
  );
}
