// One running sync as it happens (sync:progress events): its phases, items read, API calls made and
// the rate-limit budget left; on a connection's card and on the dashboard.
import type { ReactNode } from 'react';
import type { SyncPhase, SyncProgress } from '../../../shared/domain.js';
import { formatDuration, formatNumber } from '../lib/format.js';
import { AbsoluteTime } from './AbsoluteTime.js';
import { IconCheck } from './Icons.js';

const fullSteps: { phase: SyncPhase; label: string }[] = [
  { phase: 'users', label: 'Users' },
  { phase: 'groups', label: 'Groups' },
  { phase: 'memberships', label: 'Memberships' },
  { phase: 'apps', label: 'Apps' },
  { phase: 'app-assignments', label: 'App assignments' },
  { phase: 'committing', label: 'Commit' },
];
// An incremental run reads the System Log / delta links, then patches the snapshot.
const incrementalSteps: { phase: SyncPhase; label: string }[] = [
  { phase: 'changes', label: 'Changes since the last sync' },
  { phase: 'committing', label: 'Commit' },
];

export const phaseLabel: Record<SyncPhase, string> = {
  starting: 'Starting',
  changes: 'Reading changes',
  users: 'Users',
  groups: 'Groups',
  memberships: 'Memberships',
  apps: 'Apps',
  'app-assignments': 'App assignments',
  committing: 'Committing snapshot',
  done: 'Done',
  failed: 'Failed',
};

/** Live progress of one sync run, driven by `sync:progress` events. */
export function SyncProgressPanel({
  progress,
  title,
}: {
  progress: SyncProgress & { receivedAt: number; incremental?: boolean };
  title?: string;
}): ReactNode {
  const steps = progress.incremental ? incrementalSteps : fullSteps;
  const currentStep = steps.findIndex((s) => s.phase === progress.phase);
  const determinate = progress.expected !== null && progress.expected > 0;
  const pct = determinate ? Math.min(100, Math.round((progress.items / (progress.expected ?? 1)) * 100)) : null;
  const budget = progress.budget;
  const budgetPct = budget && budget.limit > 0 ? Math.round((budget.remaining / budget.limit) * 100) : null;
  const resetIn = budget ? Date.parse(budget.resetAt) - progress.receivedAt : NaN;

  return (
    <div className="sync-progress" aria-label={title ?? 'Sync in progress'} role="group">
      <div className="sync-progress-head">
        <span className="sync-progress-title">
          <span className="pulse-dot" aria-hidden="true" />
          {title ?? 'Syncing'}
          {progress.incremental ? ' (incremental)' : ''} — <strong>{phaseLabel[progress.phase]}</strong>
        </span>
        <span className="muted tabular">
          {determinate
            ? `${formatNumber(progress.items)} / ${formatNumber(progress.expected)} items`
            : `${formatNumber(progress.items)} items`}
        </span>
      </div>
      <ol className="stepper" aria-label="Sync phases">
        {steps.map((s, i) => {
          const state = currentStep === -1 ? (progress.phase === 'done' ? 'done' : 'todo') : i < currentStep ? 'done' : i === currentStep ? 'current' : 'todo';
          return (
            <li key={s.phase} className={`step is-${state}`} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="step-mark" aria-hidden="true">
                {state === 'done' ? <IconCheck size={10} /> : null}
              </span>
              {s.label}
            </li>
          );
        })}
      </ol>
      <div
        className={`progress${determinate ? '' : ' is-indeterminate'}`}
        role="progressbar"
        aria-label="Sync progress"
        aria-valuemin={determinate ? 0 : undefined}
        aria-valuemax={determinate ? 100 : undefined}
        aria-valuenow={pct ?? undefined}
        aria-valuetext={`${phaseLabel[progress.phase]}: ${formatNumber(progress.items)}${determinate ? ` of ${formatNumber(progress.expected)}` : ''} items`}
      >
        <div className="progress-bar" style={determinate ? { width: `${pct ?? 0}%` } : undefined} />
      </div>
      <dl className="sync-stats">
        <div>
          <dt>Pages</dt>
          <dd className="tabular">{formatNumber(progress.pages)}</dd>
        </div>
        <div title="HTTP calls this run has made to the IdP's API so far (pages, lookups and retries)">
          <dt>API calls</dt>
          <dd className="tabular">{formatNumber(progress.requests)}</dd>
        </div>
        <div className="sync-budget">
          <dt>Rate-limit budget left</dt>
          <dd className="tabular">
            {budget ? (
              <>
                <span className={budgetPct !== null && budgetPct < 20 ? 'text-warn' : undefined}>
                  {formatNumber(budget.remaining)} / {formatNumber(budget.limit)}
                </span>{' '}
                <span className="muted">
                  {budget.bucket} · resets <AbsoluteTime iso={budget.resetAt} format="time" />
                  {Number.isFinite(resetIn) && resetIn > 0 ? ` (in ${formatDuration(resetIn)})` : ''}
                </span>
              </>
            ) : (
              <span className="muted">not reported yet</span>
            )}
          </dd>
        </div>
      </dl>
      {progress.message ? <p className="sync-message muted">{progress.message}</p> : null}
    </div>
  );
}
