// Preview before launch (#/reviews/ID/preview): what launch would freeze — counts by
// connection, app, reviewer and recommendation, the busiest reviewers, connections whose data
// is stale (launch refuses them unless overridden with a reason, which is recorded) — then Launch.
import { useId, useState, type ReactNode } from 'react';
import type { CampaignPreview as Preview } from '../../../../shared/contract-reviews.js';
import { ApiError, errorMessage } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { splitFieldErrors } from '../../lib/field-errors.js';
import { formatRoute, navigate, routes } from '../../lib/router.js';
import { reviews, useReviewsStore } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';
import { REC_TEXT } from './parts.js';

function CountTable({ caption, head, rows }: { caption: string; head: readonly string[]; rows: readonly (readonly ReactNode[])[] }): ReactNode {
  return (
    <div className="card rv-count-card">
      <table className="cat-table" aria-label={caption}>
        <caption className="section-title rv-caption">{caption}</caption>
        <thead>
          <tr>
            {head.map((h, i) => (
              <th key={h} scope="col" className={i > 0 ? 'cat-col-num' : undefined}>
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={head.length} className="muted">
                None
              </td>
            </tr>
          ) : (
            rows.map((r, i) => (
              <tr key={i}>
                {r.map((c, j) => (
                  <td key={j} className={j > 0 ? 'cat-col-num tabular' : undefined}>
                    {c}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

export function PreviewTables({ p }: { p: Preview }): ReactNode {
  return (
    <div className="rv-counts">
      <CountTable caption="By connection" head={['Connection', 'Items']} rows={p.byConnection.map((c) => [c.name, c.items.toLocaleString()])} />
      <CountTable caption="By app" head={['App / role', 'Items']} rows={p.byApp.map((a) => [a.label, a.items.toLocaleString()])} />
      <CountTable
        caption="By recommendation"
        head={['Recommendation', 'Items']}
        rows={(['revoke', 'look', 'keep'] as const).map((r) => [REC_TEXT[r], p.byRecommendation[r].toLocaleString()])}
      />
      <CountTable
        caption="By reviewer"
        head={['Reviewer', 'Items', 'Via fallback']}
        rows={p.byReviewer.map((r) => [r.name ? `${r.name} (${r.reviewer})` : r.reviewer, r.items.toLocaleString(), r.viaFallback.toLocaleString()])}
      />
      <CountTable caption="Busiest reviewers" head={['Reviewer', 'Items']} rows={p.topReviewers.map((r) => [r.name ?? r.reviewer, r.items.toLocaleString()])} />
    </div>
  );
}

export function CampaignPreview({ campaignId }: { campaignId: number }): ReactNode {
  const id = useId();
  const version = useReviewsStore((s) => s.version);
  const write = useReviewsStore((s) => s.write);
  const campaign = useAsync(`c:${campaignId}`, (signal) => reviews.get(campaignId, signal), version);
  const preview = useAsync(`p:${campaignId}`, (signal) => reviews.preview(campaignId, signal), version);
  const [override, setOverride] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const p = preview.data;
  const stale = p?.stale ?? [];

  const launch = async (): Promise<void> => {
    if (stale.length > 0 && override.trim() === '') {
      setError({ field: 'overrideStale', message: 'Some connections in scope have stale data: give a reason to launch anyway, or sync them first.' });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const c = await write('reviews:launch', { campaignId, ...(stale.length > 0 ? { overrideStale: override.trim() } : {}) });
      toast.success(`${(c.population?.count ?? c.items).toLocaleString()} items frozen`, `${c.name} launched`);
      navigate(routes.campaign(campaignId));
    } catch (e) {
      const split = e instanceof ApiError ? splitFieldErrors(e.message, ['overrideStale']) : { fields: {}, form: errorMessage(e) };
      const field = split.fields['overrideStale'];
      setError(field ? { field: 'overrideStale', message: field } : { field: null, message: split.form ?? errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  const c = campaign.data;
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="req-back">
            <a className="link-subtle" href={formatRoute(routes.campaign(campaignId))}>
              ← {c?.name ?? `Campaign #${campaignId}`}
            </a>
          </p>
          <h1>Preview before launch</h1>
          <p className="page-sub">What launch would freeze. Check the counts: a mis-scoped campaign is seen here, before anyone is asked anything.</p>
        </div>
        {c?.status === 'draft' ? (
          <div className="req-head-actions">
            <a className="btn" href={formatRoute(routes.editCampaign(campaignId))}>
              Edit
            </a>
          </div>
        ) : null}
      </header>
      {preview.error ? <InlineError title="Couldn’t preview the campaign" message={preview.error} onRetry={preview.reload} /> : null}
      {p === null && !preview.error ? <p className="muted">Counting what is in scope…</p> : null}
      {p ? (
        <>
          <div className="stat-grid">
            <div className="stat">
              <span className="stat-label">Items</span>
              <span className="stat-value tabular">{p.total.toLocaleString()}</span>
            </div>
            <div className="stat">
              <span className="stat-label">Reviewers</span>
              <span className="stat-value tabular">{p.byReviewer.length.toLocaleString()}</span>
            </div>
            <div className={`stat${p.byRecommendation.revoke > 0 ? ' stat-warn' : ''}`}>
              <span className="stat-label">Recommended revoke</span>
              <span className="stat-value tabular">{p.byRecommendation.revoke.toLocaleString()}</span>
            </div>
          </div>
          {p.warnings.length > 0 ? (
            <ul className="rv-warnings" aria-label="Warnings">
              {p.warnings.map((w) => (
                <li key={w} className="text-warn">
                  {w}
                </li>
              ))}
            </ul>
          ) : null}
          <PreviewTables p={p} />
          {stale.length > 0 ? (
            <section className="card rv-stale" aria-labelledby={`${id}-stale`}>
              <h2 id={`${id}-stale`} className="section-title text-danger">
                Stale data: launch refuses these connections
              </h2>
              <ul>
                {stale.map((s) => (
                  <li key={s.connectionId}>
                    <strong>{s.name}</strong>: {s.why} (last successful sync: <RelativeTime iso={s.lastSuccessAt} never="never" />)
                  </li>
                ))}
              </ul>
              <div className="field field-wide">
                <label htmlFor={`${id}-ovr`}>Launch anyway, because… (recorded with the campaign)</label>
                <textarea
                  id={`${id}-ovr`}
                  className="input textarea"
                  rows={2}
                  value={override}
                  onChange={(e) => {
                    setOverride(e.target.value);
                    if (error?.field === 'overrideStale') setError(null);
                  }}
                  aria-invalid={error?.field === 'overrideStale' ? true : undefined}
                  aria-describedby={error?.field === 'overrideStale' ? `${id}-ovr-err` : undefined}
                />
                {error?.field === 'overrideStale' ? (
                  <p className="field-error" id={`${id}-ovr-err`}>
                    {error.message}
                  </p>
                ) : null}
              </div>
            </section>
          ) : null}
          {error && error.field === null ? <InlineError title="Launch refused" message={error.message} /> : null}
          {c?.status === 'draft' ? (
            <div className="form-actions">
              <WriteButton className="btn btn-primary" disabled={busy || p.total === 0} onClick={() => void launch()}>
                {busy ? 'Launching…' : `Launch: ask ${p.byReviewer.length.toLocaleString()} reviewer${p.byReviewer.length === 1 ? '' : 's'} about ${p.total.toLocaleString()} items`}
              </WriteButton>
            </div>
          ) : (
            <p className="muted">This campaign was launched.</p>
          )}
        </>
      ) : null}
    </div>
  );
}
