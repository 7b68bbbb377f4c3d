// The campaign page's item list: every item with its reviewer, decision and what a revoke became
// (queued → done → verified by a named sync run, failed, or a manual task), filtered by
// remediation state, on the shared data grid.
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import { REMEDIATION_STATUSES, type RemediationStatus, type ReviewItemRow } from '../../../../shared/contract-reviews.js';
import { DataGrid, type GridColumn } from '../../components/DataGrid.js';
import { formatNumber } from '../../lib/format.js';
import { accessLabel, decisionOf } from '../../lib/review-grid.js';
import { reviews, useReviewsStore } from '../../stores/reviews-store.js';
import { DecisionBadge, RecommendationBadge, REMEDIATION_TEXT, RemediationBadge } from './parts.js';

const NO_OVERLAY = new Map();

function remediationTitle(r: NonNullable<ReviewItemRow['remediation']>): string {
  return [
    r.kind === 'time-bound' ? 'Made time-bound' : 'Revocation',
    r.jobId !== null ? `job #${r.jobId}` : null,
    r.taskId !== null ? `manual task #${r.taskId}` : null,
    r.verifiedRunId !== null ? `verified by sync run #${r.verifiedRunId}` : null,
    r.note,
  ]
    .filter(Boolean)
    .join(' · ');
}

export function CampaignItems({ campaignId }: { campaignId: number }): ReactNode {
  const version = useReviewsStore((s) => s.version);
  const [remediation, setRemediation] = useState<RemediationStatus | ''>('');
  const [total, setTotal] = useState<number | null>(null);
  const columns = useMemo<GridColumn<ReviewItemRow>[]>(
    () => [
      { id: 'person', header: 'Person', width: 'minmax(160px, 1.2fr)', minWidth: 160, truncate: true, render: (r) => r.person.name, title: (r) => `${r.person.name} · ${r.person.email ?? ''}` },
      { id: 'access', header: 'Access', width: 'minmax(180px, 1.4fr)', minWidth: 180, truncate: true, render: (r) => accessLabel(r), title: (r) => `${accessLabel(r)} (${r.access.groupName})` },
      { id: 'reviewer', header: 'Reviewer', width: 'minmax(150px, 1fr)', minWidth: 150, truncate: true, render: (r) => r.reviewer },
      { id: 'rec', header: 'Recommended', width: '120px', minWidth: 120, render: (r) => <RecommendationBadge rec={r.recommendation} reasons={r.reasons} /> },
      { id: 'decision', header: 'Decision', width: '150px', minWidth: 150, render: (r) => <DecisionBadge d={decisionOf(r, NO_OVERLAY)} /> },
      {
        id: 'remediation',
        header: 'Remediation',
        width: '190px',
        minWidth: 190,
        render: (r) =>
          r.remediation ? (
            <span>
              <RemediationBadge status={r.remediation.status} title={remediationTitle(r.remediation)} />
              {r.remediation.verifiedRunId !== null ? <span className="muted"> run #{r.remediation.verifiedRunId}</span> : null}
            </span>
          ) : (
            <span className="muted">—</span>
          ),
      },
    ],
    [],
  );
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) =>
      reviews.items({ campaignId, search: '', sort: 'reviewer', dir: 'asc', offset, limit, ...(remediation ? { remediation } : {}) }, signal),
    [campaignId, remediation],
  );
  return (
    <section className="rv-items" aria-label="Items">
      <div className="toolbar">
        <label className="picker">
          <span className="picker-label">Remediation</span>
          <select className="input select" value={remediation} onChange={(e) => setRemediation(e.target.value as RemediationStatus | '')}>
            <option value="">Any</option>
            {REMEDIATION_STATUSES.map((s) => (
              <option key={s} value={s}>
                {REMEDIATION_TEXT[s]}
              </option>
            ))}
          </select>
        </label>
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular">{total === null ? '' : `${formatNumber(total)} items`}</span>
      </div>
      <DataGrid<ReviewItemRow>
        label="Campaign items"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={`${campaignId}:${remediation}:${version}`}
        rowKey={(r) => String(r.id)}
        empty={<p className="muted">No items {remediation ? 'in this state' : 'yet'}.</p>}
        maxVisibleRows={12}
        onTotal={setTotal}
      />
    </section>
  );
}
