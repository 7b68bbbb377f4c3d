// Pieces every Directory detail (user, group, app) is built from, so the
// three drawers load, fail, link out and list related objects alike.
import { useCallback, useState, type ReactNode } from 'react';
import { DataGrid, type GridColumn, type SortState } from '../../components/DataGrid.js';
import { IconExternal } from '../../components/Icons.js';
import { InlineError } from '../../components/InlineError.js';
import type { AsyncState } from '../../hooks/useAsync.js';
import { localPage } from '../../lib/local-pages.js';
import { navigate, routes, type DirectoryTab } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { objectKey } from './columns.js';

/** Before a detail has data: its load error with a retry, or else `children` (the skeleton). */
export function DetailPending({
  what,
  state,
  children,
}: {
  /** e.g. "app", as in "Couldn’t load this app" */
  what: string;
  state: AsyncState<unknown> & { reload: () => void };
  children: ReactNode;
}): ReactNode {
  return (
    <div className="detail">
      {state.status === 'error' ? <InlineError title={`Couldn’t load this ${what}`} message={state.error} onRetry={state.reload} /> : children}
    </div>
  );
}

/** The object's page in the IdP's admin console, when the connection has one. */
/** The object's id in its IdP, named as that IdP's admins know it ("Okta id", Entra's "Object id"). */
export function IdpIdFact({ id, connectionId }: { id: string; connectionId: number }): ReactNode {
  const kind = useConnectionsStore((s) => s.connections.find((c) => c.id === connectionId)?.kind);
  return (
    <div>
      <dt>{kind === 'entra' ? 'Object id' : kind === 'okta' ? 'Okta id' : 'Id'}</dt>
      <dd className="mono">{id}</dd>
    </div>
  );
}

export function AdminLink({ href, connectionId }: { href: string | null; connectionId: number }): ReactNode {
  const kind = useConnectionsStore((s) => s.connections.find((c) => c.id === connectionId)?.kind ?? 'okta');
  return href ? (
    <div className="detail-actions">
      <a className="btn btn-sm" href={href} target="_blank" rel="noopener noreferrer">
        {kind === 'entra' ? 'Open in the Entra admin center' : 'Open in Okta admin'} <IconExternal size={12} />
      </a>
    </div>
  ) : null;
}

type SortValue = string | number | null | undefined;

/**
 * Objects related to the open detail (an app's groups, a group's apps). They
 * arrive with the detail, so the grid sorts and pages them in memory; a row
 * opens that object in the `opens` tab.
 */
export function RelatedGrid<T extends { connectionId: number; id: string } & Record<K, SortValue>, K extends string>({
  label,
  rows,
  ownerKey,
  columns,
  initialSort,
  opens,
  maxVisibleRows,
  empty,
}: {
  label: string;
  rows: readonly T[];
  /** Key of the object whose detail this is; a new owner starts from the top. */
  ownerKey: string;
  columns: readonly GridColumn<T, K>[];
  initialSort: K;
  opens: DirectoryTab;
  maxVisibleRows: number;
  empty: ReactNode;
}): ReactNode {
  const [sort, setSort] = useState<SortState<K>>({ key: initialSort, dir: 'asc' });
  const fetchPage = useCallback(
    (offset: number, limit: number) => Promise.resolve(localPage(rows, offset, limit, { sortValue: (r) => r[sort.key], dir: sort.dir })),
    [rows, sort],
  );
  return (
    <DataGrid
      label={label}
      columns={columns}
      fetchPage={fetchPage}
      queryKey={`${ownerKey}|${sort.key}|${sort.dir}`}
      rowKey={objectKey}
      sort={sort}
      onSortChange={setSort}
      onOpen={(r) => navigate(routes.directory(opens, { connectionId: r.connectionId, id: r.id }))}
      maxVisibleRows={maxVisibleRows}
      empty={empty}
    />
  );
}
