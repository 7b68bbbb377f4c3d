// Birthright policies (#/policies): what people get because of who they are. The list (mode, version in
// effect, roles, whether a change waits for a second operator), a new policy (#/policies/new: YAML with
// its what-if before saving) and one policy (#/policies/ID). Policies as code: `latchkey policy
// export|import` reads and writes the same YAML.
import { useEffect, type ReactNode } from 'react';
import { Badge } from '../components/Badges.js';
import { EmptyState } from '../components/EmptyState.js';
import { InlineError } from '../components/InlineError.js';
import { SkeletonLines } from '../components/Skeleton.js';
import { formatRoute, routes } from '../lib/router.js';
import { usePoliciesStore } from '../stores/policies-store.js';
import { NEW_POLICY_TEMPLATE, PolicyEditor } from './policies/PolicyEditor.js';
import { PolicyDetail } from './policies/PolicyDetail.js';

function PolicyList(): ReactNode {
  const { rows, status, error, load } = usePoliciesStore();
  if (status === 'error') return <InlineError title="Couldn’t read the policies" message={error ?? ''} onRetry={() => void load()} />;
  if (!rows) return <SkeletonLines label="Loading policies" />;
  if (rows.length === 0) {
    return (
      <EmptyState title="No birthright policies yet" action={<a className="btn btn-primary" href={formatRoute(routes.newPolicy())}>New policy</a>}>
        A policy grants catalog roles to everyone whose HR record (or IdP profile) matches its conditions. Start in monitor mode: it is evaluated and
        reported, nothing changes until it is enforced.
      </EmptyState>
    );
  }
  return (
    <table className="cat-table" aria-label="Policies">
      <thead>
        <tr>
          <th scope="col">Policy</th>
          <th scope="col">Mode</th>
          <th scope="col">Version</th>
          <th scope="col">Roles</th>
          <th scope="col">Exceptions</th>
          <th scope="col">Updated</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id}>
            <td>
              <a href={formatRoute(routes.policy(p.id))}>{p.name}</a>
              {p.description ? <div className="muted">{p.description}</div> : null}
            </td>
            <td>
              <Badge tone={p.mode === 'enforce' ? 'green' : 'blue'}>{p.mode}</Badge> {p.state === 'awaiting-approval' ? <Badge tone="amber">awaiting approval</Badge> : null}
            </td>
            <td className="tabular">v{p.version}</td>
            <td>{p.roles.map((r) => `${r.label}${r.days === null ? '' : ` (${r.days} days)`}`).join(', ')}</td>
            <td className="tabular">{p.activeExceptions}</td>
            <td className="tabular">{p.updatedAt.slice(0, 16).replace('T', ' ')}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function PoliciesPage({ policyId }: { policyId: number | 'new' | null }): ReactNode {
  const load = usePoliciesStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  if (typeof policyId === 'number') {
    return (
      <div className="page">
        <p className="req-back">
          <a href={formatRoute(routes.policies())}>← Policies</a>
        </p>
        <PolicyDetail policyId={policyId} />
      </div>
    );
  }
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>{policyId === 'new' ? 'New policy' : 'Policies'}</h1>
          <p className="page-sub">
            Birthright access: catalog roles people get because of who they are — department, title, location, employment type — from their HR record,
            else their IdP profile. Monitor mode reports; enforce acts, and a large change or a critical role needs a second operator.
          </p>
        </div>
        {policyId === null ? (
          <a className="btn btn-primary" href={formatRoute(routes.newPolicy())}>
            New policy
          </a>
        ) : null}
      </header>
      {policyId === 'new' ? <PolicyEditor policyId={null} initial={NEW_POLICY_TEMPLATE} /> : <PolicyList />}
    </div>
  );
}
