// The access ledger (#/access): every grant — who has which IdP group through which request, why,
// since and until when, its Jira issue — filtered by the route's tab (the dashboard's cards land
// here), a connection, how ended grants ended, and a search; Revoke now and Extend on live grants,
// and for ended ones how they ended and whether a later sync confirmed the removal.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { GRANT_END_HOWS, type GrantEndHow, type LedgerGrant } from '../../../shared/contract-jobs.js';
import { api } from '../api/client.js';
import { DataGrid } from '../components/DataGrid.js';
import { EmptyState } from '../components/EmptyState.js';
import { SearchInput } from '../components/SearchInput.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';
import { formatNumber, isIdentityProvider } from '../lib/format.js';
import { formatRoute, navigate, routes, type AccessFilter } from '../lib/router.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { useJobsStore } from '../stores/jobs-store.js';
import { useRequestsStore } from '../stores/requests-store.js';
import { ExtendDialog } from './access/ExtendDialog.js';
import { END_HOW_LABEL, ledgerColumns } from './access/ledger-columns.js';
import { RevokeDialog } from './access/RevokeDialog.js';

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

export function AccessPage({ filter, withinHours }: { filter: AccessFilter; withinHours: number | null }): ReactNode {
  const noticeHours = useJobsStore((s) => s.view?.noticeHours ?? null);
  const connections = useConnectionsStore((s) => s.connections).filter(isIdentityProvider);
  const [rawSearch, setSearch] = useState('');
  const search = useDebouncedValue(rawSearch, 250).trim();
  const [connectionId, setConnectionId] = useState<number | null>(null);
  const [endedHow, setEndedHow] = useState<GrantEndHow | null>(null);
  const [total, setTotal] = useState<number | null>(null);
  const [revoking, setRevoking] = useState<LedgerGrant | null>(null);
  const [extending, setExtending] = useState<LedgerGrant | null>(null);
  // A job ran, access expired, a request was approved: the ledger reloads (the version follows jobs and requests changes).
  const version = useRequestsStore((s) => s.version);
  // 'expiring' without hours follows the notice window, as Needs attention does.
  const hours = filter === 'expiring' ? (withinHours ?? noticeHours) : null;
  const showsEnded = filter === 'ended' || filter === 'all';
  const how = showsEnded ? endedHow : null;

  const columns = useMemo(() => ledgerColumns({ ended: showsEnded, actions: filter !== 'ended', why: filter !== 'ended' }, { onRevoke: setRevoking, onExtend: setExtending }), [showsEnded, filter, setRevoking, setExtending]);

  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) =>
      api
        .call(
          'jobs:grants',
          {
            filter: ENGINE_FILTER[filter],
            ...(filter === 'expiring' && withinHours !== null ? { withinHours } : {}),
            ...(connectionId !== null ? { connectionId } : {}),
            ...(how !== null ? { endedHow: how } : {}),
            search,
            offset,
            limit,
          },
          { signal },
        )
        .then((page) => ({ ...page, offset })),
    [filter, withinHours, search, connectionId, how],
  );

  const what = filterLabel(filter, hours);
  const filtered = search !== '' || connectionId !== null || how !== null;
  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Access</h1>
          <p className="page-sub">
            The grant ledger: who has which IdP group through which request, why, since when and until when. Time-bound access ends by itself; revoke ends it now.
          </p>
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
          <SearchInput label="Search access" value={rawSearch} onChange={setSearch} placeholder="Search people, roles, groups…" width={280} />
          {connections.length > 1 ? (
            <select
              className="input input-sm select"
              aria-label="Connection"
              value={connectionId ?? ''}
              onChange={(e) => setConnectionId(e.target.value === '' ? null : Number(e.target.value))}
            >
              <option value="">Every connection</option>
              {connections.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
          ) : null}
          {showsEnded ? (
            <select className="input input-sm select" aria-label="How it ended" value={endedHow ?? ''} onChange={(e) => setEndedHow(e.target.value === '' ? null : (e.target.value as GrantEndHow))}>
              <option value="">{filter === 'all' ? 'Any state' : 'Ended any way'}</option>
              {GRANT_END_HOWS.map((h) => (
                <option key={h} value={h}>
                  {END_HOW_LABEL[h]}
                </option>
              ))}
            </select>
          ) : null}
          {filtered ? (
            <button
              type="button"
              className="btn btn-ghost btn-sm"
              onClick={() => {
                setSearch('');
                setConnectionId(null);
                setEndedHow(null);
              }}
            >
              Clear filters
            </button>
          ) : null}
          <span className="toolbar-spacer" />
          <span className="toolbar-count tabular" aria-live="polite">
            {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'grant' : 'grants'}`}
          </span>
        </div>
        <DataGrid<LedgerGrant>
          label={`Access: ${what}`}
          columns={columns}
          fetchPage={fetchPage}
          queryKey={`${filter}|${withinHours ?? ''}|${search}|${connectionId ?? ''}|${how ?? ''}|${version}`}
          rowKey={(g) => String(g.id)}
          onOpen={(g) => {
            if (g.requestId !== null) navigate(routes.request(g.requestId));
          }}
          onTotal={setTotal}
          empty={
            <EmptyState title={filtered ? 'No grants match' : `No ${what.toLowerCase()} access`}>
              {filtered ? 'Try a shorter search or clear the filters.' : 'Access appears here once a request is approved and provisioned.'}
            </EmptyState>
          }
        />
      </div>
      {revoking ? <RevokeDialog grant={revoking} onClose={() => setRevoking(null)} /> : null}
      {extending ? <ExtendDialog grant={extending} onClose={() => setExtending(null)} /> : null}
    </div>
  );
}
