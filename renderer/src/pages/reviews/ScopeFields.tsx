// The scope part of the campaign editor: catalog apps and roles, IdP groups (mapped or not —
// unmapped app-assigned groups are where unmanaged access hides), IdP apps (every group assigned
// to them), connections, people filters, and whether time-bound and rule-managed access is in.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ReviewScope } from '../../../../shared/contract-reviews.js';
import type { AppRow, GroupRow } from '../../../../shared/domain.js';
import { errorMessage } from '../../api/client.js';
import { PersonPicker } from '../../components/PersonPicker.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { managedByText } from '../../components/Badges.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory, useDirectoryStore } from '../../stores/directory-store.js';
import { isIdentityProvider } from '../../lib/format.js';

export type Ref = { connectionId: number; id: string; label: string };

/** The scope as the editor holds it: references carry their labels so chips read as names. */
export type ScopeDraft = Omit<ReviewScope, 'groups' | 'idpApps'> & { groups: Ref[]; idpApps: Ref[] };

export const EMPTY_SCOPE: ScopeDraft = {
  roleIds: [],
  appIds: [],
  groups: [],
  idpApps: [],
  connectionIds: [],
  people: { departments: [], employmentTypes: [], statuses: [], managerEmails: [] },
  includeTimeBound: true,
  includeRuleManaged: true,
};

const STATUSES = ['ACTIVE', 'SUSPENDED', 'DEPROVISIONED', 'STAGED', 'PROVISIONED', 'LOCKED_OUT', 'PASSWORD_EXPIRED', 'RECOVERY'];

function Chips({ items, onRemove, label }: { items: readonly string[]; onRemove: (i: number) => void; label: string }): ReactNode {
  if (items.length === 0) return null;
  return (
    <ul className="chips rv-chips" aria-label={label}>
      {items.map((t, i) => (
        <li key={`${t}-${i}`} className="chip">
          {t}
          <button type="button" className="icon-btn" aria-label={`Remove ${t}`} onClick={() => onRemove(i)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** Search the snapshot's groups or apps and add them to the scope. */
function ObjectSearch({ kind, onAdd, taken }: { kind: 'group' | 'app'; onAdd: (r: Ref) => void; taken: readonly Ref[] }): ReactNode {
  const id = useId();
  const [text, setText] = useState('');
  const search = useDebouncedValue(text, 200).trim();
  const [result, setResult] = useState<{ key: string; rows: (GroupRow | AppRow)[] }>({ key: '', rows: [] });
  const [error, setError] = useState<string | null>(null);
  const rows = result.key === search && search !== '' ? result.rows : [];
  useEffect(() => {
    if (search === '') return;
    const c = new AbortController();
    const read =
      kind === 'group'
        ? directory.groups({ search, managedBy: [], sort: 'name', dir: 'asc', connectionId: null }, 0, 12, c.signal)
        : directory.apps({ search, sort: 'label', dir: 'asc', connectionId: null }, 0, 12, c.signal);
    read.then(
      (p) => {
        setResult({ key: search, rows: p.rows });
        setError(null);
      },
      (e: unknown) => {
        if (!c.signal.aborted) setError(errorMessage(e));
      },
    );
    return () => c.abort();
  }, [search, kind]);
  const label = kind === 'group' ? 'Search IdP groups' : 'Search IdP apps';
  return (
    <div className="rv-search">
      <label htmlFor={id} className="sr-only">
        {label}
      </label>
      <input id={id} className="input" value={text} placeholder={kind === 'group' ? 'Add a group: type its name…' : 'Add an IdP app: type its name…'} onChange={(e) => setText(e.target.value)} autoComplete="off" />
      {error ? <p className="field-error">{error}</p> : null}
      {rows.length > 0 ? (
        <ul className="rv-results" aria-label={`${label}: results`}>
          {rows.map((r) => {
            const name = 'label' in r ? r.label : r.name;
            const has = taken.some((t) => t.connectionId === r.connectionId && t.id === r.id);
            return (
              <li key={`${r.connectionId}:${r.id}`}>
                <button type="button" className="btn btn-sm" disabled={has} onClick={() => onAdd({ connectionId: r.connectionId, id: r.id, label: name })}>
                  {has ? 'Added' : 'Add'}
                </button>{' '}
                <span>{name}</span>{' '}
                <span className="muted">
                  {'memberCount' in r ? `${r.memberCount.toLocaleString()} members · ${managedByText(r.managedBy)}` : `${r.groupCount} groups assigned`}
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
    </div>
  );
}

export function ScopeFields({ scope, onChange, error }: { scope: ScopeDraft; onChange: (s: ScopeDraft) => void; error: (f: string) => string | undefined }): ReactNode {
  const listing = useCatalogStore((s) => s.listing);
  const loadCatalog = useCatalogStore((s) => s.load);
  const connections = useConnectionsStore((s) => s.connections).filter(isIdentityProvider);
  const facets = useDirectoryStore((s) => s.facets);
  const loadFacets = useDirectoryStore((s) => s.loadFacets);
  const [employmentType, setEmploymentType] = useState('');
  useEffect(() => {
    if (listing === null) void loadCatalog();
    if (facets === null) void loadFacets();
  }, [listing, loadCatalog, facets, loadFacets]);
  const set = (patch: Partial<ScopeDraft>): void => onChange({ ...scope, ...patch });
  const people = (patch: Partial<ScopeDraft['people']>): void => set({ people: { ...scope.people, ...patch } });
  const toggle = <T,>(list: readonly T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const apps = listing?.apps ?? [];
  const err = (f: string): ReactNode => (error(f) ? <p className="field-error">{error(f)}</p> : null);

  return (
    <fieldset className="fieldset rv-scope" data-field="scope">
      <legend className="section-title">Scope</legend>
      {err('scope')}
      <div className="field field-wide" data-field="scope.appIds">
        <span className="field-label">Catalog apps and roles</span>
        {apps.length === 0 ? <p className="muted">The catalog has no apps yet.</p> : null}
        <div className="rv-catalog">
          {apps.map((a) => (
            <div key={a.id} className="rv-catalog-app">
              <label className="check-row">
                <input type="checkbox" checked={scope.appIds.includes(a.id)} onChange={() => set({ appIds: toggle(scope.appIds, a.id) })} />
                <strong>{a.name}</strong> <span className="muted">(every role)</span>
              </label>
              {a.roles.map((r) => (
                <label key={r.id} className="check-row rv-indent">
                  <input
                    type="checkbox"
                    disabled={scope.appIds.includes(a.id)}
                    checked={scope.appIds.includes(a.id) || scope.roleIds.includes(r.id)}
                    onChange={() => set({ roleIds: toggle(scope.roleIds, r.id) })}
                  />
                  {r.name} <span className="muted">({r.risk})</span>
                </label>
              ))}
            </div>
          ))}
        </div>
        {err('scope.appIds')}
        {err('scope.roleIds')}
      </div>
      <div className="field field-wide" data-field="scope.groups">
        <span className="field-label">IdP groups (mapped to a role or not)</span>
        <Chips label="Groups in scope" items={scope.groups.map((g) => g.label)} onRemove={(i) => set({ groups: scope.groups.filter((_, j) => j !== i) })} />
        <ObjectSearch kind="group" taken={scope.groups} onAdd={(r) => set({ groups: [...scope.groups, r] })} />
        {err('scope.groups')}
      </div>
      <div className="field field-wide" data-field="scope.idpApps">
        <span className="field-label">IdP apps (every group assigned to them, where unmanaged access hides)</span>
        <Chips label="IdP apps in scope" items={scope.idpApps.map((g) => g.label)} onRemove={(i) => set({ idpApps: scope.idpApps.filter((_, j) => j !== i) })} />
        <ObjectSearch kind="app" taken={scope.idpApps} onAdd={(r) => set({ idpApps: [...scope.idpApps, r] })} />
        {err('scope.idpApps')}
      </div>
      <div className="field field-wide" data-field="scope.connectionIds">
        <span className="field-label">Connections (none picked: every IdP connection)</span>
        {connections.map((c) => (
          <label key={c.id} className="check-row">
            <input type="checkbox" checked={scope.connectionIds.includes(c.id)} onChange={() => set({ connectionIds: toggle(scope.connectionIds, c.id) })} />
            {c.name}
          </label>
        ))}
        {err('scope.connectionIds')}
      </div>
      <div className="form-row form-row-even">
        <div className="field" data-field="scope.people.departments">
          <span className="field-label">Departments</span>
          <select
            className="input select"
            aria-label="Add a department"
            value=""
            onChange={(e) => e.target.value && people({ departments: [...scope.people.departments, e.target.value] })}
          >
            <option value="">Add a department…</option>
            {(facets?.departments ?? [])
              .filter((d) => !scope.people.departments.includes(d.value))
              .map((d) => (
                <option key={d.value} value={d.value}>
                  {d.value} ({d.count})
                </option>
              ))}
          </select>
          <Chips label="Departments" items={scope.people.departments} onRemove={(i) => people({ departments: scope.people.departments.filter((_, j) => j !== i) })} />
          {err('scope.people.departments')}
        </div>
        <div className="field" data-field="scope.people.employmentTypes">
          <label htmlFor="rv-emp" className="field-label">
            Employment types
          </label>
          <input
            id="rv-emp"
            className="input"
            value={employmentType}
            placeholder="e.g. Contractor, then Enter"
            onChange={(e) => setEmploymentType(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter' && employmentType.trim() !== '') {
                e.preventDefault();
                people({ employmentTypes: [...scope.people.employmentTypes, employmentType.trim()] });
                setEmploymentType('');
              }
            }}
          />
          <Chips label="Employment types" items={scope.people.employmentTypes} onRemove={(i) => people({ employmentTypes: scope.people.employmentTypes.filter((_, j) => j !== i) })} />
          {err('scope.people.employmentTypes')}
        </div>
      </div>
      <div className="field field-wide" data-field="scope.people.statuses">
        <span className="field-label">Account statuses (none picked: every status)</span>
        <div className="rv-inline-checks">
          {STATUSES.map((s) => (
            <label key={s} className="check-row">
              <input type="checkbox" checked={scope.people.statuses.includes(s)} onChange={() => people({ statuses: toggle(scope.people.statuses, s) })} />
              {s}
            </label>
          ))}
        </div>
      </div>
      <div className="field field-wide" data-field="scope.people.managerEmails">
        <PersonPicker
          label="People reporting to (managers)"
          onPick={(p) => {
            const email = p.email ?? p.login;
            if (!scope.people.managerEmails.includes(email)) people({ managerEmails: [...scope.people.managerEmails, email] });
          }}
        />
        <Chips label="Managers" items={scope.people.managerEmails} onRemove={(i) => people({ managerEmails: scope.people.managerEmails.filter((_, j) => j !== i) })} />
        {err('scope.people.managerEmails')}
      </div>
      <label className="check-row">
        <input type="checkbox" checked={scope.includeTimeBound} onChange={() => set({ includeTimeBound: !scope.includeTimeBound })} />
        Include time-bound grants (memberships that already have an end date)
      </label>
      <label className="check-row">
        <input type="checkbox" checked={scope.includeRuleManaged} onChange={() => set({ includeRuleManaged: !scope.includeRuleManaged })} />
        Include access held through group rules or dynamic groups (revoking it becomes a manual task)
      </label>
    </fieldset>
  );
}

/** The scope as the contract takes it. */
export function scopeInput(s: ScopeDraft): ReviewScope {
  return {
    ...s,
    groups: s.groups.map((g) => ({ connectionId: g.connectionId, groupId: g.id })),
    idpApps: s.idpApps.map((a) => ({ connectionId: a.connectionId, appId: a.id })),
  };
}

/** A stored scope as the editor holds it (labels: the ids, until a search names them). */
export function scopeDraft(s: ReviewScope): ScopeDraft {
  return {
    ...s,
    groups: s.groups.map((g) => ({ connectionId: g.connectionId, id: g.groupId, label: g.groupId })),
    idpApps: s.idpApps.map((a) => ({ connectionId: a.connectionId, id: a.appId, label: a.appId })),
  };
}
