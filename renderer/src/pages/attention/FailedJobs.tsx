// Needs attention › Failed jobs: group changes and Jira updates that ran out of attempts, with the
// error, Retry, and Cancel with a reason.
import { useState, type ReactNode } from 'react';
import type { JobRow } from '../../../../shared/governance.js';
import { Badge } from '../../components/Badges.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { jobAttemptsText } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useJobsStore } from '../../stores/jobs-store.js';

/** Failed jobs: what failed, the IdP's error, how many attempts; Retry or Cancel. */
export function FailedJobs({ jobs }: { jobs: JobRow[] }): ReactNode {
  const { act, busy } = useJobsStore();
  const [cancelling, setCancelling] = useState<number | null>(null);
  const [reason, setReason] = useState('');
  if (jobs.length === 0) return <p className="muted attention-none">No failed jobs.</p>;
  return (
    <ul className="attention-list">
      {jobs.map((j) => (
        <li key={j.id} className="attention-item" data-testid={`failed-job-${j.id}`}>
          <div className="attention-item-head">
            <Badge tone="red">{j.kind === 'provision' ? 'Add failed' : j.kind === 'revoke' ? 'Removal failed' : 'Jira update failed'}</Badge>
            <strong>{j.summary}</strong>
            <span className="muted">
              job #{j.id} · {jobAttemptsText(j)} · <RelativeTime iso={j.finishedAt ?? j.createdAt} />
            </span>
            {j.requestId !== null ? (
              <a className="link-subtle" href={formatRoute(routes.request(j.requestId))}>
                request #{j.requestId}
              </a>
            ) : null}
          </div>
          <p className="attention-error mono">{j.lastError ?? 'no error recorded'}</p>
          <div className="attention-actions">
            <WriteButton
              className="btn btn-sm btn-primary"
              disabled={busy.has(`job:${j.id}`)}
              onClick={() => void act(`job:${j.id}`, 'jobs:retry', { jobId: j.id }, `Job #${j.id} queued again`)}
            >
              Retry
            </WriteButton>
            {cancelling === j.id ? (
              <form
                className="attention-inline-form"
                onSubmit={(e) => {
                  e.preventDefault();
                  void act(`job:${j.id}`, 'jobs:cancel', { jobId: j.id, reason }, `Job #${j.id} cancelled`).then((ok) => {
                    if (ok) setCancelling(null);
                  });
                }}
              >
                <label className="sr-only" htmlFor={`cancel-reason-${j.id}`}>
                  Why cancel
                </label>
                <input id={`cancel-reason-${j.id}`} className="input input-sm" placeholder="Why cancel (required)" value={reason} onChange={(e) => setReason(e.target.value)} />
                <WriteButton type="submit" className="btn btn-sm" disabled={reason.trim() === '' || busy.has(`job:${j.id}`)}>
                  Cancel job
                </WriteButton>
                <button type="button" className="btn btn-sm btn-ghost" onClick={() => setCancelling(null)}>
                  Keep
                </button>
              </form>
            ) : (
              <WriteButton
                className="btn btn-sm"
                onClick={() => {
                  setReason('');
                  setCancelling(j.id);
                }}
              >
                Cancel…
              </WriteButton>
            )}
          </div>
        </li>
      ))}
    </ul>
  );
}
