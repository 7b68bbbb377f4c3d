// The mapper: the catalog (apps -> roles) on the left, the synced IdP groups
// on the right. A group is mapped to a role by dragging it onto the role, or
// by selecting the role and pressing the group's "Map" button (keyboard).
import { useState, type DragEvent, type ReactNode } from 'react';
import type { CatalogApp, CatalogRole } from '../../../../shared/governance.js';
import { EmptyState } from '../../components/EmptyState.js';
import { IconCatalog, IconPlus } from '../../components/Icons.js';
import { InlineError } from '../../components/InlineError.js';
import { SearchInput } from '../../components/SearchInput.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { AppForm, NewRoleForm } from './AppForms.js';
import { GROUP_DRAG_TYPE, GroupsPane, type DraggedGroup } from './GroupsPane.js';
import { ProblemMark, RiskBadge } from './parts.js';

export function AppsTab(): ReactNode {
  const listing = useCatalogStore((s) => s.listing);
  const status = useCatalogStore((s) => s.status);
  const error = useCatalogStore((s) => s.error);
  const load = useCatalogStore((s) => s.load);
  const [search, setSearch] = useState('');
  const [adding, setAdding] = useState(false);

  const needle = search.trim().toLowerCase();
  const apps = (listing?.apps ?? []).flatMap((a): CatalogApp[] => {
    if (needle === '' || a.name.toLowerCase().includes(needle)) return [a];
    const roles = a.roles.filter(
      (r) => r.name.toLowerCase().includes(needle) || r.mappings.some((m) => (m.currentName ?? m.groupName).toLowerCase().includes(needle)),
    );
    return roles.length > 0 ? [{ ...a, roles }] : [];
  });

  return (
    <div className="cat-split">
      <section className="cat-pane" aria-labelledby="cat-catalog-title">
        <div className="cat-pane-head">
          <h2 id="cat-catalog-title">Catalog</h2>
          <WriteButton className="btn btn-sm" onClick={() => setAdding(true)} disabled={adding}>
            <IconPlus size={14} /> New app
          </WriteButton>
        </div>
        <div className="cat-pane-tools">
          <SearchInput label="Search the catalog" value={search} onChange={setSearch} placeholder="Search apps, roles, groups…" />
        </div>
        {adding ? (
          <div className="cat-pane-form">
            <AppForm onDone={() => setAdding(false)} />
          </div>
        ) : null}
        <div className="cat-pane-body">
          {status === 'error' && error ? <InlineError title="Couldn’t load the catalog" message={error} onRetry={() => void load()} /> : null}
          {status === 'loading' && !listing ? <SkeletonLines lines={6} label="Loading the catalog" /> : null}
          {listing && listing.apps.length === 0 && !adding ? (
            <EmptyState icon={<IconCatalog size={28} />} title="The catalog is empty">
              {listing.hasSnapshot ? (
                <>
                  Start from the <a href={formatRoute(routes.catalog('suggestions'))}>suggestions</a> made from your IdP apps and
                  their groups, import a spreadsheet, or add an app with “New app”.
                </>
              ) : (
                <>
                  Nothing has been synced yet. <a href={formatRoute(routes.connections())}>Add a connection and sync it</a>, then
                  map its groups to roles here.
                </>
              )}
            </EmptyState>
          ) : null}
          {listing && listing.apps.length > 0 && apps.length === 0 ? <p className="muted cat-none">Nothing in the catalog matches “{search}”.</p> : null}
          <ul className="cat-tree" aria-label="Catalog apps">
            {apps.map((a) => (
              <AppNode key={a.id} app={a} />
            ))}
          </ul>
        </div>
      </section>
      <GroupsPane />
    </div>
  );
}

function AppNode({ app }: { app: CatalogApp }): ReactNode {
  const [editing, setEditing] = useState(false);
  const [addingRole, setAddingRole] = useState(false);
  return (
    <li className="cat-app">
      <div className="cat-app-head">
        <h3 className="cat-app-name">{app.name}</h3>
        {app.owner ? <span className="muted cat-app-owner">{app.owner}</span> : null}
        <span className="toolbar-spacer" />
        <WriteButton className="btn btn-ghost btn-sm" onClick={() => setAddingRole(true)} aria-label={`Add a role to ${app.name}`}>
          <IconPlus size={14} /> Role
        </WriteButton>
        <WriteButton className="btn btn-ghost btn-sm" onClick={() => setEditing((e) => !e)} aria-label={`Edit ${app.name}`} aria-expanded={editing}>
          Edit
        </WriteButton>
      </div>
      {editing ? <AppForm app={app} onDone={() => setEditing(false)} /> : null}
      {addingRole ? <NewRoleForm app={app} onDone={() => setAddingRole(false)} /> : null}
      {app.roles.length === 0 && !addingRole ? <p className="muted cat-none">No roles yet: add one with “Role”.</p> : null}
      <ul className="cat-roles" aria-label={`Roles of ${app.name}`}>
        {app.roles.map((r) => (
          <RoleNode key={r.id} role={r} />
        ))}
      </ul>
    </li>
  );
}

function RoleNode({ role }: { role: CatalogRole }): ReactNode {
  const selected = useCatalogStore((s) => s.selectedRoleId === role.id);
  const select = useCatalogStore((s) => s.select);
  const map = useCatalogStore((s) => s.map);
  const [over, setOver] = useState(false);
  const problems = role.mappings.flatMap((m) => m.problems);
  const label = `${role.appName} / ${role.name}`;

  const accepts = (e: DragEvent): boolean => e.dataTransfer.types.includes(GROUP_DRAG_TYPE);
  const onDrop = (e: DragEvent): void => {
    setOver(false);
    if (!accepts(e)) return;
    e.preventDefault();
    const g = JSON.parse(e.dataTransfer.getData(GROUP_DRAG_TYPE)) as DraggedGroup;
    select(role.id);
    void map({ roleId: role.id, connectionId: g.connectionId, groupId: g.groupId }, { group: g.name, role: label });
  };

  return (
    <li
      className={`cat-role${selected ? ' is-selected' : ''}${over ? ' is-drop' : ''}`}
      onDragOver={(e) => {
        if (!accepts(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'link';
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <button
        type="button"
        className="cat-role-select"
        aria-pressed={selected}
        aria-label={`Select ${label} as the role to map groups to`}
        onClick={() => select(selected ? null : role.id)}
      >
        <span className="cat-role-name">{role.name}</span>
        {!role.requestable ? <span className="chip">Not requestable</span> : null}
      </button>
      <RiskBadge risk={role.risk} />
      <span className="cat-role-count tabular" title={`${role.mappings.length} mapped group${role.mappings.length === 1 ? '' : 's'}`}>
        {role.mappings.length} group{role.mappings.length === 1 ? '' : 's'}
      </span>
      <ProblemMark problems={problems} />
      <a className="btn btn-ghost btn-sm" href={formatRoute(routes.role(role.id))} aria-label={`Open ${label}`}>
        Open
      </a>
    </li>
  );
}
