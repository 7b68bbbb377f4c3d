// Coverage: per IdP app, which of its assigned groups are mapped to a catalog
// role (requestable through Latchkey) and which are not, with counts.
import { useState, type ReactNode } from 'react';
import type { CoverageApp } from '../../../../shared/contract-catalog.js';
import { api } from '../../api/client.js';
import { Badge, ManagedByBadge } from '../../components/Badges.js';
import { EmptyState } from '../../components/EmptyState.js';
import { InlineError } from '../../components/InlineError.js';
import { SearchInput } from '../../components/SearchInput.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useCatalogStore } from '../../stores/catalog-store.js';

export function CoverageTab(): ReactNode {
  const version = useCatalogStore((s) => s.version);
  const state = useAsync('coverage', (signal) => api.call('catalog:coverage', {}, { signal }), version);
  const [search, setSearch] = useState('');
  const [gapsOnly, setGapsOnly] = useState(false);
  const report = state.data;
  const needle = search.trim().toLowerCase();
  const apps = (report?.apps ?? []).filter(
    (a) => (!gapsOnly || a.unmapped > 0) && (needle === '' || a.label.toLowerCase().includes(needle) || a.groups.some((g) => g.groupName.toLowerCase().includes(needle))),
  );

  return (
    <div className="cat-scroll">
      {report ? (
        <div className="stat-grid cat-stats" role="group" aria-label="Coverage totals">
          <Stat label="IdP apps" value={report.totals.apps} />
          <Stat label="Assigned groups" value={report.totals.groups} />
          <Stat label="Mapped to a role" value={report.totals.mapped} />
          <Stat label="Not mapped" value={report.totals.unmapped} warn={report.totals.unmapped > 0} />
          <Stat label="Apps fully covered" value={report.totals.fullyCovered} />
        </div>
      ) : null}
      <div className="toolbar cat-toolbar">
        <SearchInput label="Search apps and groups" value={search} onChange={setSearch} width={280} />
        <label className="check">
          <input type="checkbox" checked={gapsOnly} onChange={(e) => setGapsOnly(e.target.checked)} />
          Only apps with unmapped groups
        </label>
      </div>
      {state.status === 'error' ? <InlineError title="Couldn’t load coverage" message={state.error} onRetry={state.reload} /> : null}
      {!report && state.status === 'loading' ? <SkeletonLines lines={8} label="Loading coverage" /> : null}
      {report && report.apps.length === 0 ? (
        <section className="card">
          <EmptyState title="No app assignments in the snapshot">
            Coverage compares the groups assigned to your IdP apps with the catalog. <a href={formatRoute(routes.connections())}>Sync a connection</a>{' '}
            that has apps.
          </EmptyState>
        </section>
      ) : null}
      {apps.map((a) => (
        <CoverageCard key={`${a.connectionId}:${a.appId}`} app={a} />
      ))}
    </div>
  );
}

function Stat({ label, value, warn = false }: { label: string; value: number; warn?: boolean }): ReactNode {
  return (
    <div className={`stat${warn ? ' stat-warn' : ''}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value tabular">{formatNumber(value)}</div>
    </div>
  );
}

function CoverageCard({ app }: { app: CoverageApp }): ReactNode {
  const titleId = `cov-${app.connectionId}-${app.appId.replace(/[^A-Za-z0-9_-]/g, '')}`;
  const total = app.mapped + app.unmapped;
  return (
    <section className="card card-flush cat-cov" aria-labelledby={titleId}>
      <div className="card-head">
        <div>
          <h2 id={titleId}>
            {app.label} <span className="muted cat-cov-conn">{app.connectionName}</span>
          </h2>
        </div>
        <div className="toolbar">
          {app.status !== 'ACTIVE' ? <Badge>{app.status || 'Unknown status'}</Badge> : null}
          <Badge tone={app.unmapped === 0 ? 'green' : 'amber'}>
            {app.mapped} of {total} mapped
          </Badge>
        </div>
      </div>
      <table className="cat-table cat-table-fixed">
        <thead>
          <tr>
            <th scope="col">Assigned group</th>
            <th scope="col" className="cat-col-managed">
              Managed by
            </th>
            <th scope="col" className="num cat-col-num">
              Members
            </th>
            <th scope="col">Catalog role</th>
          </tr>
        </thead>
        <tbody>
          {app.groups.map((g) => (
            <tr key={g.groupId}>
              <td className="cat-group-name">{g.groupName}</td>
              <td>
                <ManagedByBadge managedBy={g.managedBy} name={null} />
              </td>
              <td className="num tabular">{formatNumber(g.memberCount)}</td>
              <td>
                {g.roles.length > 0 ? (
                  g.roles.map((r) => (
                    <a key={r.roleId} className="chip cat-chip-link" href={formatRoute(routes.role(r.roleId))}>
                      {r.label}
                    </a>
                  ))
                ) : (
                  <span className="text-warn">Not mapped{g.dismissed ? ' (suggestion dismissed)' : ''}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
