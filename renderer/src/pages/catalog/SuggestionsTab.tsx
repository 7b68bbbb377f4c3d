// Catalog entries proposed from the snapshot's IdP apps and their assigned
// groups. Accept as is, edit (app name, which roles, their names and risk)
// then accept, or dismiss (kept across syncs; "Restore" brings them back).
import { useState, type ReactNode } from 'react';
import type { CatalogSuggestion } from '../../../../shared/contract-catalog.js';
import { RISK_TIERS, type RiskTier } from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { EmptyState } from '../../components/EmptyState.js';
import { useFormErrors } from '../../components/FormFields.js';
import { InlineError } from '../../components/InlineError.js';
import { SearchInput } from '../../components/SearchInput.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useCatalogStore } from '../../stores/catalog-store.js';
import { toast } from '../../stores/toast-store.js';
import { ProblemList, ProblemMark, RiskBadge, riskLabel } from './parts.js';

export function SuggestionsTab(): ReactNode {
  const version = useCatalogStore((s) => s.version);
  const listing = useCatalogStore((s) => s.listing);
  const write = useCatalogStore((s) => s.write);
  const state = useAsync('suggestions', (signal) => api.call('catalog:suggestions', {}, { signal }), version);
  const [search, setSearch] = useState('');
  const data = state.data;
  const needle = search.trim().toLowerCase();
  const shown = (data?.suggestions ?? []).filter(
    (s) => needle === '' || s.appName.toLowerCase().includes(needle) || s.roles.some((r) => r.groups.some((g) => g.groupName.toLowerCase().includes(needle))),
  );

  const restore = async (): Promise<void> => {
    try {
      const { restored } = await write('catalog:restoreDismissed', {});
      toast.success(`${formatNumber(restored)} suggestion${restored === 1 ? '' : 's'} back in the list`, 'Dismissed suggestions restored');
    } catch (error) {
      toast.error(error, 'Couldn’t restore dismissed suggestions');
    }
  };

  return (
    <div className="cat-scroll">
      <div className="toolbar cat-toolbar">
        <SearchInput label="Search suggestions" value={search} onChange={setSearch} width={280} />
        <span className="toolbar-count">
          {data ? `${formatNumber(data.suggestions.length)} app${data.suggestions.length === 1 ? '' : 's'} with unmapped groups` : ''}
        </span>
        <span className="toolbar-spacer" />
        {data && data.dismissed > 0 ? (
          <WriteButton className="btn btn-sm" onClick={() => void restore()}>
            Restore {formatNumber(data.dismissed)} dismissed
          </WriteButton>
        ) : null}
      </div>
      {state.status === 'error' ? <InlineError title="Couldn’t load suggestions" message={state.error} onRetry={state.reload} /> : null}
      {!data && state.status === 'loading' ? <SkeletonLines lines={8} label="Loading suggestions" /> : null}
      {data && data.suggestions.length === 0 ? (
        <section className="card">
          <EmptyState title={listing?.hasSnapshot === false ? 'Nothing synced yet' : 'No suggestions left'}>
            {listing?.hasSnapshot === false ? (
              <>
                Suggestions come from your IdP apps and the groups assigned to them.{' '}
                <a href={formatRoute(routes.connections())}>Sync a connection</a> first.
              </>
            ) : (
              <>
                Every group assigned to an active IdP app is mapped to a role or was dismissed. See{' '}
                <a href={formatRoute(routes.catalog('coverage'))}>Coverage</a> for the full picture.
              </>
            )}
          </EmptyState>
        </section>
      ) : null}
      {shown.map((s) => (
        <SuggestionCard key={s.key} suggestion={s} />
      ))}
    </div>
  );
}

type DraftRole = { include: boolean; name: string; risk: RiskTier };

function SuggestionCard({ suggestion: s }: { suggestion: CatalogSuggestion }): ReactNode {
  const write = useCatalogStore((st) => st.write);
  const [editing, setEditing] = useState(false);
  const [appName, setAppName] = useState(s.appName);
  const [roles, setRoles] = useState<DraftRole[]>(s.roles.map((r) => ({ include: true, name: r.name, risk: r.risk })));
  const [busy, setBusy] = useState(false);
  const groupCount = s.roles.reduce((n, r) => n + r.groups.length, 0);
  const titleId = `sugg-${s.key.replace(/[^a-z0-9]+/g, '-')}`;
  // The name's own message only while its input is shown; otherwise it belongs in the banner.
  const errors = useFormErrors<'appName'>(titleId, editing ? ['appName'] : []);

  const accept = async (): Promise<void> => {
    errors.begin();
    setBusy(true);
    const source = s.sources[0];
    try {
      const picked = s.roles.flatMap((r, i) => {
        const d = roles[i];
        return d && d.include ? [{ name: d.name, risk: d.risk, groups: r.groups.map((g) => ({ connectionId: g.connectionId, groupId: g.groupId })) }] : [];
      });
      const app = await write('catalog:acceptSuggestion', {
        appName: editing ? appName : s.appName,
        roles: editing ? picked : s.roles.map((r) => ({ name: r.name, risk: r.risk, groups: r.groups.map((g) => ({ connectionId: g.connectionId, groupId: g.groupId })) })),
        source: source ? { connectionId: source.connectionId, appId: source.appId } : null,
      });
      toast.success(`${app.name}: ${app.roles.length} role${app.roles.length === 1 ? '' : 's'} in the catalog`, 'Suggestion accepted');
    } catch (e) {
      errors.fail(e);
    } finally {
      setBusy(false);
    }
  };
  const dismiss = async (): Promise<void> => {
    setBusy(true);
    try {
      const items = s.roles.flatMap((r) => r.groups.map((g) => ({ connectionId: g.connectionId, appId: g.appId, groupId: g.groupId })));
      await write('catalog:dismissSuggestion', { items });
      toast.info(`${s.appName} won’t be suggested again (Restore brings it back)`, 'Suggestion dismissed');
    } catch (e) {
      toast.error(e, 'Couldn’t dismiss the suggestion');
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card card-flush cat-sugg" aria-labelledby={titleId}>
      <div className="card-head">
        <div>
          <h2 id={titleId}>{s.appName}</h2>
          <p className="muted">
            {s.roles.length} role{s.roles.length === 1 ? '' : 's'} from {groupCount} assigned group{groupCount === 1 ? '' : 's'} ·{' '}
            {s.sources.map((x) => `${x.label} (${x.connectionName})`).join(', ')}
            {s.existingAppId !== null ? ' · merges into the catalog app of the same name' : ''}
          </p>
        </div>
        <div className="toolbar">
          <WriteButton className="btn btn-primary btn-sm" disabled={busy || (editing && !roles.some((r) => r.include))} onClick={() => void accept()} aria-label={`Accept ${s.appName}`}>
            {editing ? 'Accept edited' : 'Accept'}
          </WriteButton>
          <WriteButton className="btn btn-sm" disabled={busy} onClick={() => setEditing((e) => !e)} aria-label={editing ? `Stop editing ${s.appName}` : `Edit ${s.appName}`} aria-pressed={editing}>
            {editing ? 'Cancel edit' : 'Edit'}
          </WriteButton>
          <WriteButton className="btn btn-ghost btn-sm" disabled={busy} onClick={() => void dismiss()} aria-label={`Dismiss ${s.appName}`}>
            Dismiss
          </WriteButton>
        </div>
      </div>
      {/* An edit of the name or of any role row is a new attempt: the last refusal goes. */}
      <div className="card-body" onChange={errors.onFormChange}>
        {editing ? (
          <div className="field cat-sugg-app" data-field="appName">
            <label htmlFor={`${titleId}-name`}>App name</label>
            <input
              id={`${titleId}-name`}
              className="input"
              value={appName}
              onChange={(e) => setAppName(e.target.value)}
              aria-invalid={errors.fe.invalid('appName')}
              aria-describedby={errors.fe.describedBy('appName')}
            />
            {errors.fe.errorText('appName')}
          </div>
        ) : null}
        {errors.form ? <InlineError message={errors.form} /> : null}
        <table className="cat-table cat-table-fixed">
          <thead>
            <tr>
              {editing ? (
                <th scope="col" className="cat-col-check">
                  Include
                </th>
              ) : null}
              <th scope="col" className="cat-col-role">
                Role
              </th>
              <th scope="col" className="cat-col-risk">
                Risk
              </th>
              <th scope="col">Groups</th>
            </tr>
          </thead>
          <tbody>
            {s.roles.map((r, i) => {
              const d = roles[i] ?? { include: true, name: r.name, risk: r.risk };
              const set = (patch: Partial<DraftRole>): void => setRoles((all) => all.map((x, j) => (j === i ? { ...x, ...patch } : x)));
              return (
                <tr key={`${r.name}-${i}`} className={editing && !d.include ? 'is-off' : undefined}>
                  {editing ? (
                    <td>
                      <input type="checkbox" aria-label={`Include ${r.name}`} checked={d.include} onChange={(e) => set({ include: e.target.checked })} />
                    </td>
                  ) : null}
                  <td>
                    {editing ? (
                      <input className="input input-sm" aria-label={`Role name for ${r.groups.map((g) => g.groupName).join(', ')}`} value={d.name} onChange={(e) => set({ name: e.target.value })} />
                    ) : (
                      <span className="cell-strong">{r.name}</span>
                    )}
                    {r.existingRoleId !== null ? <span className="chip cat-chip">existing role</span> : null}
                  </td>
                  <td>
                    {editing ? (
                      <select className="input input-sm select" aria-label={`Risk of ${d.name}`} value={d.risk} onChange={(e) => set({ risk: e.target.value as RiskTier })}>
                        {RISK_TIERS.map((t) => (
                          <option key={t} value={t}>
                            {riskLabel[t]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <RiskBadge risk={r.risk} />
                    )}
                  </td>
                  <td>
                    <ul className="cat-sugg-groups">
                      {r.groups.map((g) => (
                        <li key={`${g.connectionId}:${g.groupId}`}>
                          <span className="cat-group-name">{g.groupName}</span> <ProblemMark problems={g.problems} />{' '}
                          <span className="muted">
                            {g.connectionName} · {formatNumber(g.memberCount)} member{g.memberCount === 1 ? '' : 's'}
                          </span>
                          <ProblemList problems={g.problems} />
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
