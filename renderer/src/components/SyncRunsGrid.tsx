import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { SyncRunSummary } from '../../../shared/domain.js';
import { formatDuration, formatNumber } from '../lib/format.js';
import { localPage } from '../lib/local-pages.js';
import { SyncStatusBadge } from './Badges.js';
import { DataGrid, type GridColumn, type SortState } from './DataGrid.js';
import { RelativeTime } from './RelativeTime.js';

type RunSort = 'startedAt' | 'connectionName' | 'status' | 'durationMs' | 'users' | 'groups' | 'memberships' | 'apps' | 'requests';

const sortValue = (key: RunSort) => (r: SyncRunSummary) => r[key];

/** Sync run history, newest first by default. Same grid as every other table. */
export function SyncRunsGrid({
  runs,
  label = 'Sync history',
  showConnection = true,
  compact = false,
  maxVisibleRows = 8,
  loading = false,
  empty,
}: {
  runs: readonly SyncRunSummary[];
  label?: string;
  showConnection?: boolean;
  /** Fewer columns, for the dashboard. */
  compact?: boolean;
  maxVisibleRows?: number;
  /** While the history is still loading, show placeholder rows rather than the empty state. */
  loading?: boolean;
  empty: ReactNode;
}): ReactNode {
  const [sort, setSort] = useState<SortState<RunSort>>({ key: 'startedAt', dir: 'desc' });
  const columns = useMemo<GridColumn<SyncRunSummary, RunSort>[]>(() => {
    const cols: GridColumn<SyncRunSummary, RunSort>[] = [
      {
        id: 'started',
        header: 'Started',
        width: 'minmax(120px, 1fr)',
        minWidth: 120,
        sortKey: 'startedAt',
        render: (r) => <RelativeTime iso={r.startedAt} />,
      },
      {
        id: 'connection',
        header: 'Connection',
        width: 'minmax(150px, 1.2fr)',
        minWidth: 150,
        sortKey: 'connectionName',
        render: (r) => r.connectionName,
        title: (r) => r.connectionName,
      },
      { id: 'status', header: 'Status', width: '118px', minWidth: 118, sortKey: 'status', render: (r) => <SyncStatusBadge status={r.status} /> },
      {
        id: 'duration',
        header: 'Duration',
        width: '104px',
        minWidth: 104,
        sortKey: 'durationMs',
        align: 'end',
        render: (r) => formatDuration(r.durationMs),
      },
      { id: 'users', header: 'Users', width: '88px', minWidth: 88, sortKey: 'users', align: 'end', render: (r) => formatNumber(r.users) },
      { id: 'groups', header: 'Groups', width: '88px', minWidth: 88, sortKey: 'groups', align: 'end', render: (r) => formatNumber(r.groups) },
      {
        id: 'memberships',
        header: 'Memberships',
        width: '134px',
        minWidth: 134,
        sortKey: 'memberships',
        align: 'end',
        render: (r) => formatNumber(r.memberships),
      },
      { id: 'apps', header: 'Apps', width: '76px', minWidth: 76, sortKey: 'apps', align: 'end', render: (r) => formatNumber(r.apps) },
      {
        id: 'requests',
        header: 'Requests',
        width: '108px',
        minWidth: 108,
        sortKey: 'requests',
        align: 'end',
        render: (r) => formatNumber(r.requests),
        title: (r) => `${r.requests} HTTP requests · ${r.throttledWaits} throttled waits · ${r.rateLimited} × 429`,
      },
      {
        id: 'error',
        header: 'Result',
        width: 'minmax(160px, 2fr)',
        minWidth: 160,
        render: (r) =>
          r.error ? (
            <span className="text-danger">{r.error}</span>
          ) : r.status === 'running' ? (
            <span className="muted">In progress</span>
          ) : (
            <span className="muted">
              {r.rateLimited > 0 ? `${r.rateLimited} × 429 retried` : r.throttledWaits > 0 ? `${r.throttledWaits} throttled waits` : 'No 429s'}
            </span>
          ),
        title: (r) => r.error ?? undefined,
      },
    ];
    const hidden = new Set([...(showConnection ? [] : ['connection']), ...(compact ? ['apps', 'requests'] : [])]);
    return cols.filter((c) => !hidden.has(c.id));
  }, [showConnection, compact]);

  const version = useMemo(() => runs.map((r) => `${r.id}:${r.status}`).join(','), [runs]);
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      loading
        ? new Promise<never>(() => undefined)
        : Promise.resolve(localPage(runs, offset, limit, { sortValue: sortValue(sort.key), dir: sort.dir })),
    [runs, sort, loading],
  );

  return (
    <DataGrid
      label={label}
      columns={columns}
      fetchPage={fetchPage}
      queryKey={`${loading ? 'loading' : version}|${sort.key}|${sort.dir}`}
      rowKey={(r) => String(r.id)}
      sort={sort}
      onSortChange={setSort}
      maxVisibleRows={maxVisibleRows}
      empty={empty}
    />
  );
}
