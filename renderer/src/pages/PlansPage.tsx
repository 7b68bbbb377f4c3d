// Joiner, mover and leaver plans (#/plans): the list, newest first, and one plan's timeline
// (#/plans/ID): its steps by tier ("Tier 2 — base access: okta:base-employee ✔ 15:05:20"), each
// step's error, rolled-back steps marked, and a retry for a failed or partial plan.
import { useState, type ReactNode } from 'react';
import type { PlanStatus, PlanStepView, PlanSummary, PlanView } from '../../../shared/contract-plans.js';
import { api } from '../api/client.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { Badge } from '../components/Badges.js';
import { EmptyState } from '../components/EmptyState.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { useAsync } from '../hooks/useAsync.js';
import { formatRoute, routes } from '../lib/router.js';
import type { Tone } from '../lib/tone.js';
import { usePlansStore } from '../stores/plans-store.js';
import { toast } from '../stores/toast-store.js';

const STATUS_TONE: Readonly<Record<PlanStatus, Tone>> = {
  waiting: 'neutral',
  running: 'blue',
  'rolling-back': 'amber',
  done: 'green',
  partial: 'amber',
  failed: 'red',
  cancelled: 'neutral',
};

const STEP_MARK: Readonly<Record<PlanStepView['status'], { mark: string; tone: Tone; words: string }>> = {
  waiting: { mark: '·', tone: 'neutral', words: 'waiting' },
  running: { mark: '…', tone: 'blue', words: 'running' },
  done: { mark: '✔', tone: 'green', words: 'done' },
  skipped: { mark: '–', tone: 'neutral', words: 'nothing to do' },
  manual: { mark: '✋', tone: 'amber', words: 'manual task open' },
  failed: { mark: '✘', tone: 'red', words: 'failed' },
  cancelled: { mark: '✘', tone: 'neutral', words: 'not run' },
  'rolled-back': { mark: '↶', tone: 'amber', words: 'rolled back' },
};

const KIND_LABEL: Readonly<Record<PlanSummary['kind'], string>> = { joiner: 'Joiner', mover: 'Mover', leaver: 'Leaver' };
const time = (iso: string | null): string => (iso ? iso.slice(11, 19) : '');

function PlanList({ rows, total }: { rows: readonly PlanSummary[]; total: number }): ReactNode {
  if (total === 0) {
    return <EmptyState title="No plans yet">Import the HR feed: each hire, move and termination that is due becomes a plan.</EmptyState>;
  }
  return (
    <table className="cat-table" aria-label="Plans">
      <thead>
        <tr>
          <th scope="col">Plan</th>
          <th scope="col">Kind</th>
          <th scope="col">Person</th>
          <th scope="col">Effective</th>
          <th scope="col">Status</th>
          <th scope="col">Steps</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((p) => (
          <tr key={p.id}>
            <td>
              <a href={formatRoute(routes.plan(p.id))}>#{p.id}</a>
            </td>
            <td>{KIND_LABEL[p.kind]}</td>
            <td>
              {p.personName} <span className="muted">{p.personEmail ?? ''}</span>
            </td>
            <td className="tabular">{p.effectiveDate}</td>
            <td>
              <Badge tone={STATUS_TONE[p.status]}>{p.status}</Badge>
            </td>
            <td className="tabular">
              {p.stepsDone}/{p.stepCount}
              {p.stepsFailed > 0 ? <span className="text-danger"> · {p.stepsFailed} failed</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StepLine({ s }: { s: PlanStepView }): ReactNode {
  const m = STEP_MARK[s.status];
  return (
    <li className={`plan-step plan-step-${s.status}`}>
      <span className="plan-step-label">{s.label}</span>{' '}
      <span aria-label={m.words} title={m.words} className={`plan-mark tone-${m.tone}`}>
        {m.mark}
      </span>{' '}
      <span className="tabular muted">{time(s.finishedAt ?? s.startedAt)}</span>
      {s.critical ? <Badge tone="violet">critical</Badge> : null}
      {s.status === 'rolled-back' ? <Badge tone="amber">rolled back</Badge> : null}
      {s.notBefore && s.status === 'waiting' ? <span className="muted"> · not before {s.notBefore.slice(0, 16).replace('T', ' ')}</span> : null}
      {s.assignee ? <span className="muted"> · for {s.assignee}</span> : null}
      {s.policy ? <span className="muted"> · policy #{s.policy.policyId} v{s.policy.version}</span> : null}
      {s.error ? <div className="plan-step-error text-danger">{s.error}</div> : s.note && s.status !== 'done' && s.status !== 'running' ? <div className="muted">{s.note}</div> : null}
    </li>
  );
}

function Timeline({ plan }: { plan: PlanView }): ReactNode {
  const tiers = [...new Set(plan.steps.map((s) => s.tier))].sort((a, b) => a - b);
  return (
    <ol className="plan-timeline" aria-label={`Plan #${plan.id} timeline`}>
      {tiers.map((t) => {
        const steps = plan.steps.filter((s) => s.tier === t);
        return (
          <li key={t} className="plan-tier">
            <h3 className="plan-tier-title">
              Tier {t} — {steps[0]?.tierName}
            </h3>
            <ul className="plan-steps">
              {steps.map((s) => (
                <StepLine key={s.id} s={s} />
              ))}
            </ul>
          </li>
        );
      })}
    </ol>
  );
}

function PlanDetail({ planId }: { planId: number }): ReactNode {
  const version = usePlansStore((s) => s.version);
  const retry = usePlansStore((s) => s.retry);
  const [busy, setBusy] = useState(false);
  const plan = useAsync(`plan:${planId}`, () => api.call('plans:get', { planId }), version);
  if (plan.status === 'error') return <InlineError title={`Couldn’t read plan #${planId}`} message={plan.error} onRetry={plan.reload} />;
  const p = plan.data;
  if (!p) return <p className="muted">Loading…</p>;
  const onRetry = async (): Promise<void> => {
    setBusy(true);
    try {
      await retry(p.id);
      toast.success('Its failed steps run again', `Plan #${p.id} retried`);
    } catch (e) {
      toast.error(e, `Couldn’t retry plan #${p.id}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title" className="section-title">
        {KIND_LABEL[p.kind]} plan #{p.id}: {p.personName} <Badge tone={STATUS_TONE[p.status]}>{p.status}</Badge>
      </h2>
      <dl className="ev-facts">
        <dt>Effective</dt>
        <dd>
          {p.effectiveDate}
          {p.hrEventId ? <span className="muted"> (HR event {p.hrEventId})</span> : null}
        </dd>
        <dt>Started</dt>
        <dd>{p.startedAt ? <AbsoluteTime iso={p.startedAt} /> : '—'}</dd>
        <dt>Finished</dt>
        <dd>{p.finishedAt ? <AbsoluteTime iso={p.finishedAt} /> : '—'}</dd>
        {p.policyVersions.length > 0 ? (
          <>
            <dt>Justified by</dt>
            <dd>{p.policyVersions.map((v) => `policy #${v.policyId} v${v.version}`).join(', ')}</dd>
          </>
        ) : null}
        {p.kind === 'leaver' && p.lastRemovalAt ? (
          <>
            <dt>Last removal</dt>
            <dd>
              <AbsoluteTime iso={p.lastRemovalAt} /> — {p.hoursToRemoval} h after the effective date
            </dd>
          </>
        ) : null}
        {p.jiraIssueKey ? (
          <>
            <dt>Jira</dt>
            <dd>{p.jiraIssueKey}</dd>
          </>
        ) : null}
        {p.reason ? (
          <>
            <dt>Why</dt>
            <dd className={p.status === 'failed' ? 'text-danger' : undefined}>{p.reason}</dd>
          </>
        ) : null}
      </dl>
      {p.status === 'failed' || p.status === 'partial' ? (
        <div className="form-actions">
          <WriteButton className="btn btn-sm" disabled={busy} onClick={() => void onRetry()}>
            {busy ? 'Retrying…' : 'Retry failed steps'}
          </WriteButton>
        </div>
      ) : null}
      <Timeline plan={p} />
    </section>
  );
}

export function PlansPage({ planId }: { planId: number | null }): ReactNode {
  const version = usePlansStore((s) => s.version);
  const list = useAsync('plans', () => api.call('plans:list', { status: 'all', kind: 'all', limit: 200 }), version);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Plans</h1>
          <p className="page-sub">
            Each hire, move and termination from the HR feed becomes a plan on or after its effective date: account checks, base access, department,
            role, manual steps and notices, tier by tier, each step a durable job. A critical step that fails undoes what the plan added.
          </p>
        </div>
      </header>
      {planId !== null ? <PlanDetail planId={planId} /> : null}
      {list.status === 'error' ? <InlineError title="Couldn’t read the plans" message={list.error} onRetry={list.reload} /> : null}
      {list.data ? <PlanList rows={list.data.rows} total={list.data.total} /> : list.status === 'loading' ? <p className="muted">Loading…</p> : null}
    </div>
  );
}
