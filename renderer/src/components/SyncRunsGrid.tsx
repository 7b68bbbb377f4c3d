// The sync history table of Connections and the dashboard: the runs the connections store holds,
// sorted here, each row opening that run in the Changes view.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { SyncRunSummary } from '../../../shared/domain.js';
import { describeRunChanges } from '../lib/change-kinds.js';
import { formatDuration, formatNumber, withLocalTimes } from '../lib/format.js';
import { localPage } from '../lib/local-pages.js';
import { navigate, routes } from '../lib/router.js';
import { SyncStatusBadge } from './Badges.js';
import { RunChangeCounts, RunModeBadge } from './ChangeBadges.js';
import { DataGrid, type GridColumn, type SortState } from './DataGrid.js';
import { RelativeTime } from './RelativeTime.js';

type RunSort = 'startedAt' | 'connectionName' | 'mode' | 'status' | 'changes' | 'durationMs' | 'users' | 'requests';

const sortValue = (key: RunSort) => (r: SyncRunSummary) => r[key];

/**
 * Sync run history, newest first by default. Same grid as every other table.
 * A row opens that run in the Changes view; its change counts are a link there too.
 */
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
  /** Fewer columns (no snapshot sizes), for the dashboard. */
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
        width: 'minmax(110px, 1fr)',
        minWidth: 110,
        sortKey: 'startedAt',
        render: (r) => <RelativeTime iso={r.startedAt} />,
      },
      {
        id: 'connection',
        header: 'Connection', truncate: true,
        width: 'minmax(140px, 1.2fr)',
        minWidth: 140,
        sortKey: 'connectionName',
        render: (r) => r.connectionName,
        title: (r) => r.connectionName,
      },
      { id: 'mode', header: 'Mode', width: '118px', minWidth: 118, sortKey: 'mode', render: (r) => <RunModeBadge mode={r.mode} /> },
      { id: 'status', header: 'Status', width: '124px', minWidth: 124, sortKey: 'status', render: (r) => <SyncStatusBadge status={r.status} /> },
      {
        id: 'changes',
        header: 'Changes', truncate: true,
        width: compact ? 'minmax(240px, 3fr)' : 'minmax(200px, 2.2fr)',
        minWidth: compact ? 240 : 200,
        sortKey: 'changes',
        render: (r) => <RunChangeCounts run={r} max={compact ? 4 : 3} />,
        title: (r) => describeRunChanges(r),
      },
      {
        id: 'duration',
        header: 'Duration',
        width: '104px',
        minWidth: 104,
        sortKey: 'durationMs',
        align: 'end',
        render: (r) => formatDuration(r.durationMs),
      },
      {
        id: 'users',
        header: 'Users',
        width: '84px',
        minWidth: 84,
        sortKey: 'users',
        align: 'end',
        render: (r) => formatNumber(r.users),
        title: (r) =>
          `${formatNumber(r.users)} users · ${formatNumber(r.groups)} groups · ${formatNumber(r.memberships)} memberships · ${formatNumber(r.apps)} apps · ${formatNumber(r.appAssignments)} app assignments`,
      },
      {
        // HTTP calls to the IdP's API, not access requests: named so the two never read alike.
        id: 'requests',
        header: 'API calls',
        width: '104px',
        minWidth: 104,
        sortKey: 'requests',
        align: 'end',
        render: (r) => formatNumber(r.requests),
        title: (r) =>
          `${formatNumber(r.requests)} calls to the IdP's API (pages, lookups and retries) · ${formatNumber(r.throttledWaits)} waits to stay within the rate-limit share · ${formatNumber(r.rateLimited)} × 429 answered`,
      },
      {
        id: 'error',
        header: 'Result', truncate: true,
        width: 'minmax(150px, 1.6fr)',
        minWidth: 150,
        // The error when it failed; otherwise the run's note (why this mode, what it noticed), then throttling.
        render: (r) =>
          r.error ? (
            <span className="text-danger">{r.error}</span>
          ) : r.status === 'running' ? (
            <span className="muted">In progress</span>
          ) : r.note ? (
            <span className="run-note">{withLocalTimes(r.note)}</span>
          ) : (
            <span className="muted">{throttling(r)}</span>
          ),
        title: (r) => r.error ?? (r.note ? `${withLocalTimes(r.note)} (${throttling(r)})` : undefined),
      },
    ];
    const hidden = new Set([...(showConnection ? [] : ['connection']), ...(compact ? ['users', 'requests'] : [])]);
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
      onOpen={(r) => navigate(routes.changes(r.id))}
      maxVisibleRows={maxVisibleRows}
      empty={empty}
    />
  );
}

function throttling(r: SyncRunSummary): string {
  return r.rateLimited > 0 ? `${r.rateLimited} × 429 retried` : r.throttledWaits > 0 ? `${r.throttledWaits} throttled waits` : 'No 429s';
}
