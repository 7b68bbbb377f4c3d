// The campaign list (#/reviews): every campaign with its status, due date, progress, the
// signed-in reviewer's open items and overdue reviewers, "My reviews" and "New campaign".
import { useEffect, type ReactNode } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import { InlineError } from '../../components/InlineError.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatRoute, navigate, routes } from '../../lib/router.js';
import { myOpenItems, useReviewsStore } from '../../stores/reviews-store.js';
import { CampaignStatusBadge, ProgressBar } from './parts.js';

export function CampaignList(): ReactNode {
  const campaigns = useReviewsStore((s) => s.campaigns);
  const error = useReviewsStore((s) => s.listError);
  const load = useReviewsStore((s) => s.loadList);
  useEffect(() => {
    void load();
  }, [load]);
  const mine = myOpenItems(campaigns);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Access reviews</h1>
          <p className="page-sub">Campaigns on a frozen population: reviewers keep or revoke each access, and every revoke is verified by the next sync.</p>
        </div>
        <div className="req-head-actions">
          <a className="btn" href={formatRoute(routes.myReviews())}>
            My reviews{mine > 0 ? ` (${mine.toLocaleString()})` : ''}
          </a>
          <WriteButton className="btn btn-primary" onClick={() => navigate(routes.newCampaign())}>
            New campaign
          </WriteButton>
        </div>
      </header>
      {error ? <InlineError message={error} onRetry={() => void load()} /> : null}
      {campaigns === null && !error ? <p className="muted">Loading campaigns…</p> : null}
      {campaigns !== null && campaigns.length === 0 ? (
        <EmptyState title="No campaigns yet">Create a campaign: pick what to review, who reviews it and by when; preview it before anyone is asked.</EmptyState>
      ) : null}
      {campaigns !== null && campaigns.length > 0 ? (
        <div className="card card-flush">
          <table className="cat-table rv-table" aria-label="Campaigns">
            <thead>
              <tr>
                <th scope="col">Campaign</th>
                <th scope="col">Status</th>
                <th scope="col">Due</th>
                <th scope="col">Progress</th>
                <th scope="col" className="cat-col-num">
                  Revokes
                </th>
                <th scope="col" className="cat-col-num">
                  My items
                </th>
                <th scope="col" className="cat-col-num">
                  Overdue reviewers
                </th>
              </tr>
            </thead>
            <tbody>
              {campaigns.map((c) => (
                <tr key={c.id}>
                  <td>
                    <a className="link cell-strong" href={formatRoute(routes.campaign(c.id))}>
                      {c.name}
                    </a>
                    <div className="muted rv-sub">
                      #{c.id} · by {c.createdBy}
                      {c.stage === 2 ? ' · stage 2' : ''}
                    </div>
                  </td>
                  <td>
                    <CampaignStatusBadge status={c.status} />
                  </td>
                  <td>{c.dueAt ? <RelativeTime iso={c.dueAt} kind="deadline" /> : <span className="muted">—</span>}</td>
                  <td>{c.status === 'draft' ? <span className="muted">not launched</span> : <ProgressBar done={c.decided} total={c.items} label={`${c.name}: decided`} />}</td>
                  <td className="cat-col-num tabular">{c.status === 'draft' ? '—' : c.revokes.toLocaleString()}</td>
                  <td className="cat-col-num tabular">
                    {c.mine > 0 && c.status === 'active' ? (
                      <a className="link" href={formatRoute(routes.myReviews(c.id))}>
                        {c.mine.toLocaleString()}
                      </a>
                    ) : (
                      <span className="muted">0</span>
                    )}
                  </td>
                  <td className={`cat-col-num tabular${c.overdueReviewers > 0 ? ' text-danger' : ''}`}>{c.overdueReviewers}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
