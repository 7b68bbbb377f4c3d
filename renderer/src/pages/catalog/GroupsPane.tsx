// The mapper's right-hand pane: synced IdP groups (search, connection
// filter, unmapped only), who manages each, how many members, where it is
// already mapped. Rows drag onto a role; "Map" maps to the selected role.
import { useState, type ReactNode } from 'react';
import type { CatalogGroupRow } from '../../../../shared/contract-catalog.js';
import { api } from '../../api/client.js';
import { ManagedByBadge } from '../../components/Badges.js';
import { EmptyState } from '../../components/EmptyState.js';
import { InlineError } from '../../components/InlineError.js';
import { ConnectionPicker } from '../../components/Picker.js';
import { SearchInput } from '../../components/SearchInput.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { ProblemMark } from './parts.js';

export const GROUP_DRAG_TYPE = 'application/x-latchkey-group';
export type DraggedGroup = { connectionId: number; groupId: string; name: string };

const PAGE = 100;

export function GroupsPane(): ReactNode {
  const connections = useConnectionsStore((s) => s.connections).filter((c) => c.kind === 'okta' || c.kind === 'entra');
  const version = useCatalogStore((s) => s.version);
  const listing = useCatalogStore((s) => s.listing);
  const selectedRoleId = useCatalogStore((s) => s.selectedRoleId);
  const map = useCatalogStore((s) => s.map);
  const [search, setSearch] = useState('');
  const [connectionId, setConnectionId] = useState<number | null>(null);
  const [unmappedOnly, setUnmappedOnly] = useState(false);
  const [limit, setLimit] = useState(PAGE);
  const q = useDebouncedValue(search, 200);
  // A new search or filter starts blank; more rows or a refresh keeps the list on screen meanwhile.
  const key = JSON.stringify([q, connectionId, unmappedOnly]);
  const state = useAsync(
    key,
    (signal) => api.call('catalog:groups', { search: q, ...(connectionId === null ? {} : { connectionId }), unmappedOnly, offset: 0, limit }, { signal }),
    `${version}/${limit}`,
  );

  const role = listing?.apps.flatMap((a) => a.roles).find((r) => r.id === selectedRoleId) ?? null;
  const roleLabel = role ? `${role.appName} / ${role.name}` : null;
  const page = state.data;

  return (
    <section className="cat-pane" aria-labelledby="cat-groups-title">
      <div className="cat-pane-head">
        <h2 id="cat-groups-title">IdP groups</h2>
        <span className="toolbar-count" aria-live="polite">
          {page ? `${formatNumber(page.total)} group${page.total === 1 ? '' : 's'}` : ''}
        </span>
      </div>
      <div className="cat-pane-tools">
        <SearchInput
          label="Search IdP groups"
          value={search}
          onChange={(v) => {
            setSearch(v);
            setLimit(PAGE);
          }}
        />
        {connections.length > 1 ? <ConnectionPicker connections={connections} value={connectionId} onChange={setConnectionId} allLabel="All connections" /> : null}
        <label className="check">
          <input type="checkbox" checked={unmappedOnly} onChange={(e) => setUnmappedOnly(e.target.checked)} />
          Unmapped only
        </label>
      </div>
      <p className="cat-target" aria-live="polite">
        {roleLabel ? (
          <>
            Mapping to <strong>{roleLabel}</strong>: drag a group onto a role, or press “Map”.
          </>
        ) : (
          'Select a role on the left, then press “Map” on a group (or drag a group onto a role).'
        )}
      </p>
      <div className="cat-pane-body">
        {state.status === 'error' ? <InlineError title="Couldn’t load groups" message={state.error} onRetry={state.reload} /> : null}
        {!page && state.status === 'loading' ? <SkeletonLines lines={8} label="Loading groups" /> : null}
        {page && page.total === 0 ? (
          connections.length === 0 ? (
            <EmptyState title="No identity provider yet">
              <a href={formatRoute(routes.connections(true))}>Add an Okta or Entra connection</a> and sync it: its groups show here.
            </EmptyState>
          ) : (
            <EmptyState title={q || unmappedOnly ? 'No group matches' : 'No groups synced yet'}>
              {q || unmappedOnly ? 'Try another search or filter.' : 'Sync a connection to list its groups here.'}
            </EmptyState>
          )
        ) : null}
        <ul className="cat-groups" aria-label="IdP groups">
          {page?.rows.map((g) => (
            <GroupRow
              key={`${g.connectionId}:${g.id}`}
              group={g}
              showConnection={connections.length > 1}
              roleLabel={roleLabel}
              onMap={() =>
                role ? void map({ roleId: role.id, connectionId: g.connectionId, groupId: g.id }, { group: g.name, role: roleLabel ?? '' }) : undefined
              }
              mappedHere={role !== null && role.mappings.some((m) => m.connectionId === g.connectionId && m.groupId === g.id)}
            />
          ))}
        </ul>
        {page && page.rows.length < page.total ? (
          <button type="button" className="btn btn-sm cat-more" onClick={() => setLimit((l) => Math.min(l + PAGE, 500))} disabled={limit >= 500}>
            {limit >= 500 ? `Showing the first 500 of ${formatNumber(page.total)}: search to narrow down` : `Show more (${formatNumber(page.total - page.rows.length)} left)`}
          </button>
        ) : null}
      </div>
    </section>
  );
}

function GroupRow({
  group,
  showConnection,
  roleLabel,
  onMap,
  mappedHere,
}: {
  group: CatalogGroupRow;
  showConnection: boolean;
  roleLabel: string | null;
  onMap: () => void;
  mappedHere: boolean;
}): ReactNode {
  const drag: DraggedGroup = { connectionId: group.connectionId, groupId: group.id, name: group.name };
  return (
    <li
      className={`cat-group${group.mappedTo.length > 0 ? ' is-mapped' : ''}`}
      draggable
      onDragStart={(e) => {
        e.dataTransfer.setData(GROUP_DRAG_TYPE, JSON.stringify(drag));
        e.dataTransfer.setData('text/plain', group.name);
        e.dataTransfer.effectAllowed = 'link';
      }}
    >
      <div className="cat-group-main">
        <div className="cat-group-line">
          <span className="cat-group-name">{group.name}</span>
          <ProblemMark problems={group.problems} />
        </div>
        <div className="cat-group-meta">
          {showConnection ? <span className="chip">{group.connectionName}</span> : null}
          <ManagedByBadge managedBy={group.managedBy} name={group.managedBy === 'direct' ? null : group.managedByName} />
          <span className="muted tabular">
            {formatNumber(group.memberCount)} member{group.memberCount === 1 ? '' : 's'}
          </span>
          {group.mappedTo.length > 0 ? (
            <span className="cat-mapped" title={group.mappedTo.map((m) => m.label).join(', ')}>
              Mapped: {group.mappedTo.map((m) => m.label).join(', ')}
            </span>
          ) : null}
        </div>
      </div>
      <WriteButton
        className="btn btn-sm"
        onClick={onMap}
        disabled={roleLabel === null || mappedHere}
        aria-label={roleLabel ? `Map ${group.name} to ${roleLabel}` : `Map ${group.name} (select a role first)`}
        title={roleLabel === null ? 'Select a role on the left first' : mappedHere ? `Already mapped to ${roleLabel}` : undefined}
      >
        {mappedHere ? 'Mapped' : 'Map'}
      </WriteButton>
    </li>
  );
}
