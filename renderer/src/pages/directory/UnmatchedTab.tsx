// Directory › Unmatched accounts: accounts the cross-IdP correlation would only be guessing at, one
// row per account, for an admin to decide.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { AccountRef, CorrelationIssue } from '../../../../shared/domain.js';
import { StatusBadge } from '../../components/Badges.js';
import { AccountBadges } from '../../components/ChangeBadges.js';
import { DataGrid, type GridColumn, type SortState } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { InlineError } from '../../components/InlineError.js';
import { SearchInput } from '../../components/SearchInput.js';
import type { AsyncState } from '../../hooks/useAsync.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { localPage } from '../../lib/local-pages.js';
import { navigate, routes, type ObjectRef } from '../../lib/router.js';
import { objectKey } from './columns.js';
import { SEARCH_DEBOUNCE_MS } from './DirectoryList.js';

/** One account of one issue: the grid lists accounts, so each opens its own detail. */
type Row = AccountRef & { issueId: number; reason: CorrelationIssue['reason']; key: string; first: boolean; size: number };
type SortKey = 'key' | 'reason' | 'connectionName' | 'login';

export const reasonText: Record<CorrelationIssue['reason'], string> = {
  'ambiguous-email': 'The same e-mail address is on more than one account of one IdP',
  'ambiguous-employee-id': 'The same employee id is on more than one account of one IdP',
  'conflicting-keys': 'The e-mail address and the employee id point to different people',
};

const columns: GridColumn<Row, SortKey>[] = [
  {
    id: 'key',
    header: 'Shared e-mail or employee id', truncate: true,
    width: 'minmax(220px, 1.4fr)',
    minWidth: 220,
    sortKey: 'key',
    render: (r) => <span className={`mono${r.first ? '' : ' muted'}`}>{r.key}</span>,
    title: (r) => `${r.key}: ${r.size} accounts`,
  },
  {
    id: 'account',
    header: 'Account', truncate: true,
    width: 'minmax(180px, 1.1fr)',
    minWidth: 180,
    sortKey: 'connectionName',
    render: (r) => (
      <span className="cell-person">
        <AccountBadges accounts={[r]} />
        <span>{r.connectionName}</span>
      </span>
    ),
    title: (r) => r.connectionName,
  },
  { id: 'login', header: 'Login', truncate: true, width: 'minmax(200px, 1.4fr)', minWidth: 200, sortKey: 'login', render: (r) => r.login, title: (r) => r.login },
  { id: 'status', header: 'Status', width: '118px', minWidth: 118, render: (r) => <StatusBadge status={r.status} /> },
  {
    id: 'reason',
    header: 'Why not matched', truncate: true,
    width: 'minmax(240px, 1.8fr)',
    minWidth: 240,
    sortKey: 'reason',
    render: (r) => <span className={r.first ? undefined : 'muted'}>{reasonText[r.reason]}</span>,
    title: (r) => reasonText[r.reason],
  },
];

/**
 * Accounts the correlation would not match across IdPs without guessing
 * (directory:correlationIssues), one row per account, grouped by the key
 * they share. A row opens that account; the admin decides.
 */
export function UnmatchedTab({
  state,
  detail,
}: {
  state: AsyncState<CorrelationIssue[]> & { reload: () => void };
  detail: ObjectRef | null;
}): ReactNode {
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<SortState<SortKey>>({ key: 'key', dir: 'asc' });
  const q = useDebouncedValue(search, SEARCH_DEBOUNCE_MS).trim().toLowerCase();
  const issues = state.data;
  const rows = useMemo<Row[]>(
    () =>
      (issues ?? []).flatMap((issue) =>
        issue.accounts.map((a, i) => ({ ...a, issueId: issue.id, reason: issue.reason, key: issue.key, first: i === 0, size: issue.accounts.length })),
      ),
    [issues],
  );
  const matches = useCallback(
    (r: Row) => q === '' || [r.key, r.login, r.connectionName].some((v) => v.toLowerCase().includes(q)),
    [q],
  );
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      // Sorting keeps an issue's accounts together: by the sort key, then the issue, then its own order.
      Promise.resolve(localPage(rows, offset, limit, { filter: matches, sortValue: (r) => `${String(r[sort.key])}\u0000${r.issueId}`, dir: sort.dir })),
    [rows, matches, sort],
  );
  const shownIssues = useMemo(() => new Set(rows.filter(matches).map((r) => r.issueId)).size, [rows, matches]);

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label="Filter unmatched accounts">
        <SearchInput label="Search unmatched accounts" value={search} onChange={setSearch} placeholder="Search e-mail, login, connection…" width={300} />
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {issues ? `${formatNumber(shownIssues)} ${shownIssues === 1 ? 'match' : 'matches'} to decide` : ''}
        </span>
      </div>
      {state.status === 'error' ? <InlineError title="Couldn’t load unmatched accounts" message={state.error} onRetry={state.reload} /> : null}
      <DataGrid
        label="Unmatched accounts"
        columns={columns}
        fetchPage={issues ? fetchPage : () => new Promise<never>(() => undefined)}
        queryKey={`${issues ? 'ready' : 'loading'}|${state.status}|${q}|${sort.key}|${sort.dir}|${rows.length}`}
        rowKey={(r) => `${r.issueId}:${objectKey(r)}`}
        rowClassName={(r) => (r.first ? 'issue-first' : 'issue-cont')}
        sort={sort}
        onSortChange={setSort}
        onOpen={(r) => navigate(routes.directory('unmatched', { connectionId: r.connectionId, id: r.id }))}
        openKey={detail ? `${rows.find((r) => r.connectionId === detail.connectionId && r.id === detail.id)?.issueId ?? ''}:${objectKey(detail)}` : null}
        empty={
          q !== '' ? (
            <EmptyState title="No unmatched account matches this search" />
          ) : (
            <EmptyState title="Every account is matched">
              People known to more than one identity provider are matched by e-mail address, then by employee id.
              When a match would be a guess (two accounts share an address, or the address and the id disagree), the
              accounts are listed here for you to decide, never linked silently.
            </EmptyState>
          )
        }
      />
    </div>
  );
}
