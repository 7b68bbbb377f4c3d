// One birthright policy (#/policies/ID): its mode and version in effect, monitor / enforce, the change
// waiting for a second operator (with the what-if figures it was judged on, and Approve for someone other
// than who asked), every version (each readable as YAML), the editor for a new version with its live
// what-if, and per-person exceptions with an owner, a reason and an end.
import { useId, useState, type FormEvent, type ReactNode } from 'react';
import type { PolicyDetail as Detail } from '../../../../shared/contract-policies.js';
import { api } from '../../api/client.js';
import { Badge } from '../../components/Badges.js';
import { InlineError } from '../../components/InlineError.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatNumber } from '../../lib/format.js';
import { useOperatorStore } from '../../stores/operator-store.js';
import { usePoliciesStore } from '../../stores/policies-store.js';
import { toast } from '../../stores/toast-store.js';
import { PolicyEditor } from './PolicyEditor.js';

function Approval({ d }: { d: Detail }): ReactNode {
  const write = usePoliciesStore((s) => s.write);
  const person = useOperatorStore((s) => s.person);
  const a = d.approval;
  if (!a) return null;
  const mine = person !== null && person.toLowerCase() === a.requestedBy.toLowerCase();
  const approve = async (): Promise<void> => {
    try {
      await write('policies:approve', { id: d.id });
      toast.success(`${d.name} is enforced (v${a.version})`, 'Approved');
    } catch (e) {
      toast.error(e, 'Couldn’t approve');
    }
  };
  return (
    <section className="card" aria-label="Waiting for a second operator">
      <div className="card-body">
        <p>
          <Badge tone="amber">awaiting approval</Badge> {a.kind === 'enforce' ? 'Enforcing' : 'The edit of the enforced policy,'} v{a.version}, asked by <strong>{a.requestedBy}</strong>{' '}
          via {a.requestedChannel} at {a.requestedAt}: {a.reasons.join('; ')}.
        </p>
        <p className="muted">
          What-if when asked: {formatNumber(a.counts.affectedPeople)} people affected ({formatNumber(a.counts.gains)} gains, {formatNumber(a.counts.losses)} losses)
          {a.counts.criticalRoles.length > 0 ? `; critical: ${a.counts.criticalRoles.join(', ')}` : ''}.
        </p>
        <WriteButton className="btn btn-primary" onClick={() => void approve()} disabled={mine} title={mine ? 'You asked for this change: a second operator must approve it' : undefined}>
          Approve
        </WriteButton>
        {mine ? <span className="muted"> You asked for this change: a second operator must approve it.</span> : null}
      </div>
    </section>
  );
}

function Exceptions({ d }: { d: Detail }): ReactNode {
  const id = useId();
  const write = usePoliciesStore((s) => s.write);
  const [form, setForm] = useState({ person: '', owner: '', reason: '', endsAt: '' });
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await write('policies:addException', { policyId: d.id, ...form });
      setForm({ person: '', owner: '', reason: '', endsAt: '' });
      setError(null);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const field = (k: keyof typeof form, label: string, type = 'text'): ReactNode => (
    <div className="field">
      <label htmlFor={`${id}-${k}`}>{label}</label>
      <input id={`${id}-${k}`} className="input" type={type} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} required />
    </div>
  );
  return (
    <section className="card" aria-label="Exceptions">
      <div className="card-body">
        <h2 className="section-title">Exceptions</h2>
        {d.exceptions.length === 0 ? <p className="muted">None: the policy applies to everyone it matches.</p> : null}
        {d.exceptions.length > 0 ? (
          <table className="cat-table" aria-label="Exceptions">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Until</th>
                <th scope="col">Owner</th>
                <th scope="col">Reason</th>
                <th scope="col" />
              </tr>
            </thead>
            <tbody>
              {d.exceptions.map((e) => (
                <tr key={e.id}>
                  <td>{e.person}</td>
                  <td className="tabular">
                    {e.endsAt} {e.active ? null : <Badge>ended</Badge>}
                  </td>
                  <td>{e.owner}</td>
                  <td>{e.reason}</td>
                  <td>
                    {e.active ? (
                      <WriteButton className="btn btn-sm" onClick={() => void write('policies:endException', { id: e.id }).catch((err: unknown) => toast.error(err, 'Couldn’t end it'))}>
                        End now
                      </WriteButton>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <form className="form-row" onSubmit={(e) => void submit(e)}>
          {field('person', 'Person (e-mail)')}
          {field('owner', 'Owner')}
          {field('reason', 'Reason')}
          {field('endsAt', 'Ends', 'date')}
          <WriteButton type="submit" className="btn">
            Add exception
          </WriteButton>
        </form>
        {error ? <InlineError message={error} /> : null}
      </div>
    </section>
  );
}

export function PolicyDetail({ policyId }: { policyId: number }): ReactNode {
  const version = usePoliciesStore((s) => s.version);
  const write = usePoliciesStore((s) => s.write);
  const [shownVersion, setShownVersion] = useState<number | null>(null);
  const state = useAsync(`policy|${policyId}|${shownVersion ?? 'current'}`, (signal) => api.call('policies:get', { id: policyId, version: shownVersion ?? undefined }, { signal }), version);
  const current = useAsync(`policy|${policyId}|current`, (signal) => api.call('policies:get', { id: policyId }, { signal }), version);
  const d = state.data;
  if (state.status === 'error' && !d) return <InlineError title="Couldn’t read the policy" message={state.error} onRetry={state.reload} />;
  if (!d || !current.data) return <SkeletonLines label="Loading the policy" />;
  const setMode = async (mode: 'monitor' | 'enforce'): Promise<void> => {
    try {
      const r = await write('policies:setMode', { id: d.id, mode });
      if (r.ok && r.outcome === 'awaiting-approval') toast.info(`Waiting for a second operator: ${r.approval?.reasons.join('; ') ?? ''}`, `Enforce ${d.name}`);
      else if (r.ok) toast.success(`${d.name} is in ${r.policy.mode} mode`, 'Mode changed');
    } catch (e) {
      toast.error(e, 'Couldn’t change the mode');
    }
  };
  return (
    <div className="stack">
      <header className="page-header">
        <div>
          <h1>{d.name}</h1>
          <p className="page-sub">
            <Badge tone={d.mode === 'enforce' ? 'green' : 'blue'}>{d.mode}</Badge> v{d.version} in effect
            {d.state === 'awaiting-approval' ? <> · <Badge tone="amber">awaiting approval</Badge></> : null} · {d.roles.map((r) => r.label).join(', ')} · grace{' '}
            {d.graceDays} days{d.description ? ` · ${d.description}` : ''}
          </p>
        </div>
        <div className="req-head-actions">
          {d.mode === 'monitor' && d.approval?.kind !== 'enforce' ? (
            <WriteButton className="btn btn-primary" onClick={() => void setMode('enforce')}>
              Enforce
            </WriteButton>
          ) : null}
          {d.mode === 'enforce' || d.approval ? (
            <WriteButton className="btn" onClick={() => void setMode('monitor')}>
              Monitor only
            </WriteButton>
          ) : null}
        </div>
      </header>
      <Approval d={current.data} />
      <section className="card" aria-label="Versions">
        <div className="card-body">
          <label htmlFor="policy-version">Version</label>{' '}
          <select id="policy-version" className="select" value={d.shown.version} onChange={(e) => setShownVersion(Number(e.target.value))}>
            {d.versions.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version} — {v.state}, {v.createdAt.slice(0, 16).replace('T', ' ')} by {v.createdBy} via {v.channel}
              </option>
            ))}
          </select>
          {d.shown.version !== d.version ? <pre className="mono" aria-label={`Version ${d.shown.version}`}>{d.shown.yaml}</pre> : null}
        </div>
      </section>
      <PolicyEditor key={`${d.id}|${current.data.version}|${current.data.approval?.version ?? ''}`} policyId={d.id} initial={current.data.shown.yaml} />
      <Exceptions d={current.data} />
    </div>
  );
}
