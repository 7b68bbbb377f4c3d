// The Directory drawer for one IdP app: its status and sign-on mode, the groups assigned to it and
// how many memberships they carry.
import type { ReactNode } from 'react';
import { StatusBadge } from '../../components/Badges.js';
import { EmptyState } from '../../components/EmptyState.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber, initials } from '../../lib/format.js';
import type { ObjectRef } from '../../lib/router.js';
import { directory } from '../../stores/directory-store.js';
import { groupColumns, objectKey, signOnMode } from './columns.js';
import { AdminLink, DetailPending, IdpIdFact, RelatedGrid } from './DetailParts.js';

const groupGridColumns = groupColumns({ sortable: true, compact: true });

export function AppDetail({ target }: { target: ObjectRef }): ReactNode {
  const key = objectKey(target);
  const state = useAsync(key, (signal) => directory.app(target, signal));
  const app = state.data;

  if (!app) {
    return (
      <DetailPending what="app" state={state}>
        <SkeletonLines lines={3} label="Loading app" />
        <SkeletonLines lines={6} label="Loading assigned groups" />
      </DetailPending>
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
      <AdminLink href={app.adminUrl} connectionId={app.connectionId} />
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
        <IdpIdFact id={app.id} connectionId={app.connectionId} />
      </dl>
      <h3 className="section-title">Assigned groups</h3>
      <RelatedGrid
        label="Assigned groups"
        rows={app.groups}
        ownerKey={key}
        columns={groupGridColumns}
        initialSort="name"
        opens="groups"
        maxVisibleRows={16}
        empty={<EmptyState title="No groups are assigned to this app">Nobody gets this app through a group.</EmptyState>}
      />
    </div>
  );
}
