import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { GroupRow } from '../../../../shared/domain.js';
import { StatusBadge } from '../../components/Badges.js';
import { DataGrid, type SortState } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { IconExternal } from '../../components/Icons.js';
import { InlineError } from '../../components/InlineError.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber, initials } from '../../lib/format.js';
import { localPage } from '../../lib/local-pages.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { directory } from '../../stores/directory-store.js';
import { groupColumns, objectKey, signOnMode } from './columns.js';

export function AppDetail({ target }: { target: ObjectRef }): ReactNode {
  const key = objectKey(target);
  const state = useAsync(key, (signal) => directory.app(target, signal));
  const app = state.data;

  if (state.status === 'error' && !app) {
    return (
      <div className="detail">
        <InlineError title="Couldn’t load this app" message={state.error} onRetry={state.reload} />
      </div>
    );
  }
  if (!app) {
    return (
      <div className="detail">
        <SkeletonLines lines={3} label="Loading app" />
        <SkeletonLines lines={6} label="Loading assigned groups" />
      </div>
    );
  }
  const members = app.groups.reduce((n, g) => n + g.memberCount, 0);

  return (
    <div className="detail">
      <header className="detail-head">
        <span className="avatar avatar-lg app-icon" aria-hidden="true">
          {initials(app.label).charAt(0)}
        </span>
        <div className="detail-title">
          <h2>{app.label}</h2>
          <div className="detail-sub">
            <StatusBadge status={app.status} />
            <span>{signOnMode(app.signOnMode)}</span>
            <span className="mono muted">{app.name}</span>
          </div>
        </div>
      </header>
      {app.adminUrl ? (
        <div className="detail-actions">
          <a className="btn btn-sm" href={app.adminUrl} target="_blank" rel="noopener noreferrer">
            Open in Okta admin <IconExternal size={12} />
          </a>
        </div>
      ) : null}
      <dl className="facts">
        <div>
          <dt>Assigned groups</dt>
          <dd className="tabular">{formatNumber(app.groups.length)}</dd>
        </div>
        <div>
          <dt>Memberships through them</dt>
          <dd className="tabular" title="Sum of the assigned groups’ member counts; a person in two groups counts twice">
            {formatNumber(members)}
          </dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd>{app.connectionName}</dd>
        </div>
        <div>
          <dt>Okta id</dt>
          <dd className="mono">{app.id}</dd>
        </div>
      </dl>
      <h3 className="section-title">Assigned groups</h3>
      <AppGroups groups={app.groups} appKey={key} />
    </div>
  );
}

function AppGroups({ groups, appKey }: { groups: readonly GroupRow[]; appKey: string }): ReactNode {
  const [sort, setSort] = useState<SortState<'name' | 'type' | 'managedBy' | 'memberCount'>>({ key: 'name', dir: 'asc' });
  const columns = useMemo(() => groupColumns({ sortable: true, compact: true }), []);
  const fetchPage = useCallback(
    (offset: number, limit: number) => Promise.resolve(localPage(groups, offset, limit, { sortValue: (g) => g[sort.key], dir: sort.dir })),
    [groups, sort],
  );
  return (
    <DataGrid
      label="Assigned groups"
      columns={columns}
      fetchPage={fetchPage}
      queryKey={`${appKey}|${sort.key}|${sort.dir}`}
      rowKey={objectKey}
      sort={sort}
      onSortChange={setSort}
      onOpen={(g) => navigate(routes.directory('groups', { connectionId: g.connectionId, id: g.id }))}
      maxVisibleRows={16}
      empty={<EmptyState title="No groups are assigned to this app">Nobody gets this app through a group.</EmptyState>}
    />
  );
}
