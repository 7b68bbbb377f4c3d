// One campaign (#/reviews/ID): its definition at a glance, the population proof (count, SHA-256,
// per-connection counts checked against the snapshot's totals), progress per reviewer and per
// app with the rubber-stamp warning and Jira issue keys, the burndown, remediation states, and
// Close (confirmed), Copy and Cancel. A draft links to its editor and preview.
import { useId, useState, type ReactNode } from 'react';
import type { CampaignView } from '../../../../shared/contract-reviews.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { InlineError } from '../../components/InlineError.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useAsync } from '../../hooks/useAsync.js';
import { formatRoute, navigate, routes } from '../../lib/router.js';
import { reviews, useReviewsStore } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';
import { Burndown } from './Burndown.js';
import { CampaignItems } from './CampaignItems.js';
import { CampaignStatusBadge, ProgressBar, REMEDIATION_ORDER, RemediationBadge } from './parts.js';
import { WorkbookCell } from './WorkbookCell.js';

function PopulationProof({ c }: { c: CampaignView }): ReactNode {
  const p = c.population;
  if (!p) return null;
  return (
    <section className="card rv-section" aria-label="Population">
      <h2 className="section-title">Population (frozen at launch)</h2>
      <p>
        <strong className="tabular">{p.count.toLocaleString()}</strong> items · SHA-256 <code className="mono rv-hash">{p.hash}</code>
      </p>
      {c.staleOverride ? (
        <p className="text-warn">
          Launched on stale data by {c.staleOverride.by}: “{c.staleOverride.reason}”
        </p>
      ) : null}
      <table className="cat-table" aria-label="Items per connection against the snapshot">
        <thead>
          <tr>
            <th scope="col">Connection</th>
            <th scope="col" className="cat-col-num">
              Items
            </th>
            <th scope="col" className="cat-col-num">
              Snapshot total
            </th>
            <th scope="col">Matches</th>
            <th scope="col">Snapshot</th>
          </tr>
        </thead>
        <tbody>
          {p.byConnection.map((b) => {
            const ok = b.items === b.snapshotTotal;
            return (
              <tr key={b.connectionId}>
                <td>{b.name}</td>
                <td className="cat-col-num tabular">{b.items.toLocaleString()}</td>
                <td className="cat-col-num tabular">{b.snapshotTotal.toLocaleString()}</td>
                <td className={ok ? 'text-ok' : 'text-danger'}>{ok ? '✔ complete' : `✘ ${Math.abs(b.snapshotTotal - b.items).toLocaleString()} differ`}</td>
                <td>
                  {b.syncRunId !== null ? `run #${b.syncRunId}, ` : ''}
                  <RelativeTime iso={b.syncedAt} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}

function Progress({ campaignId, version, open }: { campaignId: number; version: number; open: { stage: number } | null }): ReactNode {
  const progress = useAsync(`pr:${campaignId}`, (signal) => reviews.progress(campaignId, signal), version);
  const p = progress.data;
  if (progress.error) return <InlineError title="Couldn’t read the progress" message={progress.error} onRetry={progress.reload} />;
  if (!p) return <p className="muted">Reading the progress…</p>;
  return (
    <>
      <section className="card rv-section" aria-label="Progress">
        <h2 className="section-title">Progress</h2>
        <div className="stat-grid">
          <div className="stat">
            <span className="stat-label">Decided</span>
            <span className="stat-value tabular">
              {p.decided.toLocaleString()} / {p.total.toLocaleString()}
            </span>
          </div>
          <div className="stat">
            <span className="stat-label">Submitted</span>
            <span className="stat-value tabular">{p.submitted.toLocaleString()}</span>
          </div>
          <div className={`stat${p.revokes > 0 ? ' stat-danger' : ''}`}>
            <span className="stat-label">Revokes</span>
            <span className="stat-value tabular">{p.revokes.toLocaleString()}</span>
          </div>
          <div className={`stat${p.byReviewer.some((r) => r.overdue) ? ' stat-warn' : ''}`}>
            <span className="stat-label">Overdue reviewers</span>
            <span className="stat-value tabular">{p.byReviewer.filter((r) => r.overdue).length}</span>
          </div>
        </div>
        {p.warnings.length > 0 ? (
          <ul className="rv-warnings">
            {p.warnings.map((w) => (
              <li key={w} className="text-warn">
                {w}
              </li>
            ))}
          </ul>
        ) : null}
        <Burndown points={p.burndown} total={p.total} />
      </section>
      <div className="rv-cols">
        <section className="card rv-section" aria-label="By reviewer">
          <h2 className="section-title">By reviewer</h2>
          <table className="cat-table">
            <thead>
              <tr>
                <th scope="col">Reviewer</th>
                <th scope="col">Decided</th>
                <th scope="col" className="cat-col-num">
                  Revoked
                </th>
                <th scope="col">Approval rate</th>
                <th scope="col">Answered through</th>
                <th scope="col">Jira</th>
                <th scope="col">Workbook</th>
              </tr>
            </thead>
            <tbody>
              {p.byReviewer.map((r) => (
                <tr key={`${r.reviewer}:${r.stage}`}>
                  <td>
                    {r.name ?? r.reviewer}
                    {r.stage === 2 ? <span className="muted"> (stage 2)</span> : null}
                    {r.overdue ? <span className="text-danger"> · overdue</span> : null}
                  </td>
                  <td>
                    <ProgressBar done={r.decided} total={r.total} label={`${r.name ?? r.reviewer}: decided`} />
                  </td>
                  <td className="cat-col-num tabular">{r.revoked.toLocaleString()}</td>
                  <td>
                    {r.approvalRate === null ? <span className="muted">—</span> : <span className="tabular">{Math.round(r.approvalRate * 100)}%</span>}
                    {r.rubberStamp ? (
                      <span className="text-warn" title="Kept more than 95% of their items: auditors look for rubber-stamping">
                        {' '}
                        ⚠ approval rate above 95%
                      </span>
                    ) : null}
                  </td>
                  <td>
                    {r.channels.length === 0 ? (
                      <span className="muted">—</span>
                    ) : (
                      r.channels.map((c) => (
                        <span key={c} className="rv-channel">
                          {c}
                        </span>
                      ))
                    )}
                  </td>
                  <td className="mono rv-nowrap">{r.jiraIssueKey ?? <span className="muted">—</span>}</td>
                  <td>
                    <WorkbookCell campaignId={campaignId} reviewer={r.reviewer} open={open !== null && r.stage === open.stage} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card rv-section" aria-label="By app">
          <h2 className="section-title">By app</h2>
          <table className="cat-table">
            <thead>
              <tr>
                <th scope="col">App / role</th>
                <th scope="col">Decided</th>
                <th scope="col" className="cat-col-num">
                  Revoked
                </th>
              </tr>
            </thead>
            <tbody>
              {p.byApp.map((a) => (
                <tr key={a.label}>
                  <td>{a.label}</td>
                  <td>
                    <ProgressBar done={a.decided} total={a.total} label={`${a.label}: decided`} />
                  </td>
                  <td className="cat-col-num tabular">{a.revoked.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}

type Confirm = 'close' | 'cancel' | null;

export function CampaignPage({ campaignId }: { campaignId: number }): ReactNode {
  const id = useId();
  const version = useReviewsStore((s) => s.version);
  const write = useReviewsStore((s) => s.write);
  const campaign = useAsync(`c:${campaignId}`, (signal) => reviews.get(campaignId, signal), version);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const c = campaign.data;

  const run = async (what: 'close' | 'cancel' | 'copy'): Promise<void> => {
    setBusy(true);
    try {
      if (what === 'close') {
        const out = await write('reviews:close', { campaignId });
        toast.success(`${out.revokes.toLocaleString()} revocations queued`, `${out.name} closed`);
      } else if (what === 'cancel') {
        await write('reviews:cancel', { campaignId, reason: reason.trim() });
        toast.success('Nothing was revoked', 'Campaign cancelled');
      } else {
        const copy = await write('reviews:copy', { campaignId });
        toast.success(copy.name, 'Copied as a new draft');
        navigate(routes.editCampaign(copy.id));
      }
      setConfirm(null);
    } catch (e) {
      toast.error(e, what === 'close' ? 'Couldn’t close the campaign' : what === 'cancel' ? 'Couldn’t cancel the campaign' : 'Couldn’t copy the campaign');
    } finally {
      setBusy(false);
    }
  };

  if (campaign.error && !c) return <div className="page"><InlineError title="Couldn’t open the campaign" message={campaign.error} onRetry={campaign.reload} /></div>;
  if (!c) return <div className="page"><p className="muted">Opening the campaign…</p></div>;
  const open = c.status === 'active';
  const remediationTotal = REMEDIATION_ORDER.reduce((n, s) => n + c.remediation[s], 0);
  return (
    <div className="page">
      <header className="page-header">
        <div>
          <p className="req-back">
            <a className="link-subtle" href={formatRoute(routes.reviews())}>
              ← Campaigns
            </a>
          </p>
          <h1>
            {c.name} <CampaignStatusBadge status={c.status} />
          </h1>
          <p className="page-sub">
            {c.description ? `${c.description} · ` : ''}
            {c.dueAt ? (
              <>
                due <RelativeTime iso={c.dueAt} kind="deadline" />
              </>
            ) : null}
            {c.launchedAt ? (
              <>
                {' '}
                · launched <RelativeTime iso={c.launchedAt} /> by {c.launchedBy}
              </>
            ) : null}
            {c.stage === 2 ? ' · stage 2' : ''}
          </p>
        </div>
        <div className="req-head-actions">
          {c.status === 'draft' ? (
            <>
              <a className="btn" href={formatRoute(routes.editCampaign(campaignId))}>
                Edit
              </a>
              <a className="btn btn-primary" href={formatRoute(routes.previewCampaign(campaignId))}>
                Preview and launch
              </a>
            </>
          ) : null}
          {open && c.mine > 0 ? (
            <a className="btn btn-primary" href={formatRoute(routes.myReviews(campaignId))}>
              Review my {c.mine.toLocaleString()} items
            </a>
          ) : null}
          {open ? (
            <WriteButton className="btn" disabled={busy} onClick={() => setConfirm('close')}>
              Close {c.stage === 2 || !c.definition.reviewers.stage2 ? 'campaign' : 'stage 1'}
            </WriteButton>
          ) : null}
          <WriteButton className="btn" disabled={busy} onClick={() => void run('copy')}>
            Copy
          </WriteButton>
          {c.status === 'draft' || open ? (
            <WriteButton className="btn btn-danger-text" disabled={busy} onClick={() => setConfirm('cancel')}>
              Cancel campaign
            </WriteButton>
          ) : null}
        </div>
      </header>
      {campaign.error ? <InlineError message={campaign.error} onRetry={campaign.reload} /> : null}
      {c.nextCampaignId !== null ? (
        <p>
          Next in the series: <a className="link" href={formatRoute(routes.campaign(c.nextCampaignId))}>campaign #{c.nextCampaignId}</a>
        </p>
      ) : null}
      <PopulationProof c={c} />
      {c.status !== 'draft' ? <Progress campaignId={campaignId} version={version} open={c.status === 'active' ? { stage: c.stage } : null} /> : null}
      {remediationTotal > 0 ? (
        <section className="card rv-section" aria-label="Remediation">
          <h2 className="section-title">Remediation</h2>
          <p className="rv-rem-counts">
            {REMEDIATION_ORDER.filter((s) => c.remediation[s] > 0).map((s) => (
              <span key={s}>
                <RemediationBadge status={s} /> <span className="tabular">{c.remediation[s].toLocaleString()}</span>
              </span>
            ))}
          </p>
          <p className="muted">
            {c.status === 'complete'
              ? `Complete${c.completedAt ? ` since ${new Date(c.completedAt).toLocaleString()}` : ''}: every revocation verified or its manual task resolved.`
              : 'The campaign completes when every revocation is verified by a sync or its manual task is resolved.'}
          </p>
        </section>
      ) : null}
      {c.status !== 'draft' ? <CampaignItems campaignId={campaignId} /> : null}
      <ConfirmDialog
        open={confirm === 'close'}
        title={`Close ${c.name}?`}
        confirmLabel="Close"
        busy={busy}
        onConfirm={() => void run('close')}
        onCancel={() => setConfirm(null)}
      >
        <p>
          Undecided items get the default outcome ({c.definition.defaultOutcome}), each marked “applied by default”. Every revoke becomes a revocation through
          the IdP (rule- or dynamic-managed access becomes a manual task), and Jira gets the campaign summary.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === 'cancel'}
        title={`Cancel ${c.name}?`}
        confirmLabel="Cancel campaign"
        busy={busy || reason.trim() === ''}
        onConfirm={() => void run('cancel')}
        onCancel={() => setConfirm(null)}
      >
        <p>Nothing is revoked; decisions given so far stay recorded.</p>
        <div className="field field-wide">
          <label htmlFor={`${id}-why`}>Why (recorded)</label>
          <input id={`${id}-why`} className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      </ConfirmDialog>
    </div>
  );
}
