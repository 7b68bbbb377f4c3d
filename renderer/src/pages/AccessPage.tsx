// The access ledger (#/access): grants, who has which group through which request and until when, filtered by the route (the dashboard's cards land here).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { GrantRow } from '../../../shared/governance.js';
import { api } from '../api/client.js';
import { DataGrid, type GridColumn } from '../components/DataGrid.js';
import { EmptyState } from '../components/EmptyState.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { SearchInput } from '../components/SearchInput.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';
import { formatNumber } from '../lib/format.js';
import { formatRoute, navigate, routes, type AccessFilter } from '../lib/router.js';
import { useJobsStore } from '../stores/jobs-store.js';
import { useRequestsStore } from '../stores/requests-store.js';
import { AccessBadge } from './requests/RequestParts.js';

/** What each filter is, in the tab and in the page's heading. */
function filterLabel(filter: AccessFilter, hours: number | null): string {
  switch (filter) {
    case 'time-bound':
      return 'Time-bound';
    case 'expiring':
      return hours === null ? 'Expiring soon' : `Expiring within ${hours} h`;
    case 'active':
      return 'All active';
    case 'ended':
      return 'Ended';
    case 'all':
      return 'All';
  }
}

const TABS: readonly AccessFilter[] = ['time-bound', 'expiring', 'active', 'ended', 'all'];
// The engine's names for the filters (jobs:grants).
const ENGINE_FILTER = { 'time-bound': 'time-bound', expiring: 'expiring-soon', active: 'active', ended: 'ended', all: 'all' } as const;

/** When a grant ends or ended, in words that fit its state. */
function GrantEnd({ g }: { g: GrantRow }): ReactNode {
  if (g.endedAt) return <RelativeTime iso={g.endedAt} />;
  if (g.expiresAt) return <RelativeTime iso={g.expiresAt} kind="deadline" />;
  return <span className="muted">permanent</span>;
}

export function AccessPage({ filter, withinHours }: { filter: AccessFilter; withinHours: number | null }): ReactNode {
  const noticeHours = useJobsStore((s) => s.view?.noticeHours ?? null);
  const [rawSearch, setSearch] = useState('');
  const search = useDebouncedValue(rawSearch, 250).trim();
  const [total, setTotal] = useState<number | null>(null);
  // A job ran, access expired, a request was approved: the ledger reloads (the version follows jobs and requests changes).
  const version = useRequestsStore((s) => s.version);
  // 'expiring' without hours follows the notice window, as Needs attention does.
  const hours = filter === 'expiring' ? (withinHours ?? noticeHours) : null;

  const columns = useMemo<GridColumn<GrantRow>[]>(
    () => [
      {
        id: 'who',
        header: 'Who',
        width: 'minmax(170px, 1.3fr)',
        minWidth: 170,
        truncate: true,
        render: (g) => <span className="cell-strong">{g.beneficiaryName}</span>,
        title: (g) => (g.beneficiaryEmail ? `${g.beneficiaryName} · ${g.beneficiaryEmail}` : g.beneficiaryName),
      },
      {
        id: 'role',
        header: 'Role',
        width: 'minmax(200px, 1.6fr)',
        minWidth: 200,
        truncate: true,
        render: (g) => g.roleLabel ?? <span className="muted">no role (granted outside the catalog)</span>,
        title: (g) => g.roleLabel ?? undefined,
      },
      {
        id: 'group',
        header: 'Group',
        width: 'minmax(180px, 1.4fr)',
        minWidth: 180,
        truncate: true,
        render: (g) => (
          <span>
            {g.groupName} <span className="muted">({g.connectionName ?? `connection #${g.connectionId}`})</span>
          </span>
        ),
        title: (g) => `${g.groupName} in ${g.connectionName ?? `connection #${g.connectionId}`}`,
      },
      { id: 'status', header: 'Status', width: '110px', minWidth: 110, render: (g) => <AccessBadge access={g.status} /> },
      { id: 'since', header: 'Since', width: '110px', minWidth: 110, render: (g) => <RelativeTime iso={g.provisionedAt ?? g.startsAt} /> },
      { id: 'ends', header: 'Ends', width: '120px', minWidth: 120, render: (g) => <GrantEnd g={g} /> },
      {
        id: 'request',
        header: 'Request',
        width: '96px',
        minWidth: 96,
        align: 'end',
        render: (g) =>
          g.requestId === null ? (
            <span className="muted">—</span>
          ) : (
            <a className="link-subtle tabular" href={formatRoute(routes.request(g.requestId))} onClick={(e) => e.stopPropagation()}>
              #{g.requestId}
            </a>
          ),
      },
    ],
    [],
  );

  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) =>
      api
        .call(
          'jobs:grants',
          { filter: ENGINE_FILTER[filter], ...(filter === 'expiring' && withinHours !== null ? { withinHours } : {}), search, offset, limit },
          { signal },
        )
        .then((page) => ({ ...page, offset })),
    [filter, withinHours, search],
  );

  const what = filterLabel(filter, hours);
  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Access</h1>
          <p className="page-sub">The grant ledger: who has which IdP group through which request, since when and until when. Time-bound access ends by itself.</p>
        </div>
      </header>
      <nav className="tabnav" aria-label="Access lists">
        {TABS.map((t) => (
          <a
            key={t}
            className="tabnav-item"
            href={formatRoute(routes.access(t, t === filter ? withinHours : null))}
            aria-current={filter === t ? 'page' : undefined}
          >
            {filterLabel(t, t === 'expiring' ? hours ?? noticeHours : null)}
          </a>
        ))}
      </nav>
      <div className="tab-body">
        <div className="toolbar" role="search" aria-label="Filter access">
          <SearchInput label="Search access" value={rawSearch} onChange={setSearch} placeholder="Search people, e-mails, groups…" width={280} />
          <span className="toolbar-spacer" />
          <span className="toolbar-count tabular" aria-live="polite">
            {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'grant' : 'grants'}`}
          </span>
        </div>
        <DataGrid<GrantRow>
          label={`Access: ${what}`}
          columns={columns}
          fetchPage={fetchPage}
          queryKey={`${filter}|${withinHours ?? ''}|${search}|${version}`}
          rowKey={(g) => String(g.id)}
          onOpen={(g) => {
            if (g.requestId !== null) navigate(routes.request(g.requestId));
          }}
          onTotal={setTotal}
          empty={
            <EmptyState title={search ? 'No grants match' : `No ${what.toLowerCase()} access`}>
              {search ? 'Try a shorter search.' : 'Access appears here once a request is approved and provisioned.'}
            </EmptyState>
          }
        />
      </div>
    </div>
  );
}
