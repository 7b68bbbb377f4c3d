// The Directory drawer for one group: its type, who manages it, who owns it in the IdP,
// its members (searchable, server-paged) and the apps assigned to it.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { GroupOwner, UserRow } from '../../../../shared/domain.js';
import { Badge, ManagedByBadge, StatusBadge } from '../../components/Badges.js';
import { DataGrid } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { SearchInput } from '../../components/SearchInput.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { tabPanelProps, Tabs } from '../../components/Tabs.js';
import { useAsync } from '../../hooks/useAsync.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory } from '../../stores/directory-store.js';
import { appColumns, groupType, objectKey, userColumns } from './columns.js';
import { AdminLink, DetailPending, IdpIdFact, RelatedGrid } from './DetailParts.js';
import { SEARCH_DEBOUNCE_MS } from './DirectoryList.js';

type Tab = 'members' | 'apps';

const appGridColumns = appColumns({ sortable: true });

export function GroupDetail({ target }: { target: ObjectRef }): ReactNode {
  const key = objectKey(target);
  const state = useAsync(key, (signal) => directory.group(target, signal));
  const [tab, setTab] = useState<Tab>('members');
  const group = state.data;

  if (!group) {
    return (
      <DetailPending what="group" state={state}>
        <SkeletonLines lines={3} label="Loading group" />
        <SkeletonLines lines={8} label="Loading members" />
      </DetailPending>
    );
  }

  return (
    <div className="detail">
      <header className="detail-head">
        <span className="avatar avatar-lg avatar-group" aria-hidden="true">
          #
        </span>
        <div className="detail-title">
          <h2>{group.name}</h2>
          <div className="detail-sub">
            <Badge title={group.type}>{groupType(group.type)}</Badge>
            <ManagedByBadge managedBy={group.managedBy} name={group.managedByName} />
          </div>
        </div>
      </header>
      {group.description ? <p className="detail-desc">{group.description}</p> : null}
      <AdminLink href={group.adminUrl} connectionId={group.connectionId} />
      <dl className="facts">
        <div>
          <dt>Members</dt>
          <dd className="tabular">{formatNumber(group.memberCount)}</dd>
        </div>
        <div>
          <dt>Membership changed</dt>
          <dd>
            <RelativeTime iso={group.lastMembershipUpdated} never="—" />
          </dd>
        </div>
        <div>
          <dt>Owners</dt>
          <dd>
            <Owners owners={group.owners} connectionId={group.connectionId} />
          </dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd>{group.connectionName}</dd>
        </div>
        <IdpIdFact id={group.id} connectionId={group.connectionId} />
      </dl>
      <Tabs
        id="group-detail"
        label="Group detail sections"
        value={tab}
        onChange={setTab}
        items={[
          { key: 'members', label: 'Members', count: group.memberCount },
          { key: 'apps', label: 'Assigned apps', count: group.apps.length },
        ]}
      />
      <div {...tabPanelProps('group-detail', tab)} className="tab-panel">
        {tab === 'members' ? (
          <GroupMembers target={target} />
        ) : (
          <RelatedGrid
            label="Assigned apps"
            rows={group.apps}
            ownerKey={key}
            columns={appGridColumns}
            initialSort="label"
            opens="apps"
            maxVisibleRows={12}
            empty={<EmptyState title="No apps are assigned to this group" />}
          />
        )}
      </div>
    </div>
  );
}

/** The IdP's owners of the group, each opening their account; an inactive owner shows their status (reviews fall back from them). */
function Owners({ owners, connectionId }: { owners: GroupOwner[]; connectionId: number }): ReactNode {
  if (owners.length === 0) return '—';
  return (
    <>
      {owners.map((o, i) => (
        <span key={o.identityId}>
          {i > 0 ? ', ' : null}
          <a href={`#/directory/users/${connectionId}/${encodeURIComponent(o.identityId)}`} className="link" aria-label={`Owner: ${o.name}`}>
            {o.name}
          </a>
          {o.status !== 'ACTIVE' ? (
            <>
              {' '}
              <StatusBadge status={o.status} />
            </>
          ) : null}
        </span>
      ))}
    </>
  );
}

function GroupMembers({ target }: { target: ObjectRef }): ReactNode {
  const [search, setSearch] = useState('');
  const debounced = useDebouncedValue(search, SEARCH_DEBOUNCE_MS);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const columns = useMemo(() => userColumns().filter((c) => ['name', 'login', 'status', 'lastLogin'].includes(c.id)).map((c) => ({ ...c, sortKey: undefined })), []);
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) => directory.groupMembers(target, debounced, offset, limit, signal),
    [target, debounced],
  );
  return (
    <div className="stack">
      <SearchInput label="Search members" value={search} onChange={setSearch} placeholder="Search members…" />
      <DataGrid<UserRow>
        label="Members"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${objectKey(target)}|${debounced}|${version}`}
        rowKey={objectKey}
        onOpen={(u) => navigate(routes.directory('users', { connectionId: u.connectionId, id: u.id }))}
        maxVisibleRows={14}
        empty={
          debounced.trim() ? (
            <EmptyState title={`No members match “${debounced.trim()}”`} />
          ) : (
            <EmptyState title="This group has no members" />
          )
        }
      />
    </div>
  );
}
