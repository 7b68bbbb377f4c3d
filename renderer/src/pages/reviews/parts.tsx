// Small parts the review pages share: campaign status, recommendation, decision and
// remediation badges, a progress bar, and the words for reason codes.
import type { ReactNode } from 'react';
import type {
  CampaignStatus,
  ReasonCode,
  Recommendation,
  RecommendationReason,
  RemediationStatus,
} from '../../../../shared/contract-reviews.js';
import { Badge } from '../../components/Badges.js';
import type { GridDecision } from '../../lib/review-grid.js';
import type { Tone } from '../../lib/tone.js';

const STATUS_TONE: Record<CampaignStatus, Tone> = { draft: 'neutral', active: 'blue', remediating: 'amber', complete: 'green', cancelled: 'neutral' };
const STATUS_TEXT: Record<CampaignStatus, string> = { draft: 'Draft', active: 'Active', remediating: 'Remediating', complete: 'Complete', cancelled: 'Cancelled' };

export function CampaignStatusBadge({ status }: { status: CampaignStatus }): ReactNode {
  return <Badge tone={STATUS_TONE[status]}>{STATUS_TEXT[status]}</Badge>;
}

const REC_TONE: Record<Recommendation, Tone> = { revoke: 'red', look: 'amber', keep: 'green' };
export const REC_TEXT: Record<Recommendation, string> = { revoke: 'Revoke', look: 'Look closely', keep: 'Keep' };

/** The recommendation with its reasons on hover (and in the accessible name). */
export function RecommendationBadge({ rec, reasons = [] }: { rec: Recommendation; reasons?: readonly RecommendationReason[] }): ReactNode {
  const why = reasons.map((r) => r.text).join('; ');
  return (
    <Badge tone={REC_TONE[rec]} {...(why ? { title: why } : {})}>
      {REC_TEXT[rec]}
    </Badge>
  );
}

export const REASON_TEXT: Record<ReasonCode, string> = {
  'still-needed': 'Still needed',
  temporary: 'Temporary (make it time-bound)',
  'covered-elsewhere': 'Covered elsewhere',
  'left-team': 'Left the team',
  unrecognised: 'Unrecognised',
};

export function DecisionBadge({ d }: { d: GridDecision | null }): ReactNode {
  if (d === null) return <span className="muted">Undecided</span>;
  const word = d.decision === 'keep' ? (d.keepUntil ? 'Keep, time-bound' : 'Keep') : 'Revoke';
  const state = d.pending ? 'saving…' : d.state === 'draft' ? 'draft' : 'submitted';
  const title = [d.keepUntil ? `kept until ${d.keepUntil.slice(0, 10)}` : null, d.reasonCode ? REASON_TEXT[d.reasonCode] : null, d.comment].filter(Boolean).join(' — ') || undefined;
  return (
    <span className="rv-decision" title={title}>
      <Badge tone={d.decision === 'keep' ? 'green' : 'red'}>{word}</Badge>
      <span className={`rv-state rv-state-${d.pending ? 'pending' : d.state}`}>{state}</span>
    </span>
  );
}

const REM_TONE: Record<RemediationStatus, Tone> = { queued: 'neutral', done: 'blue', verified: 'green', failed: 'red', manual: 'amber', 'manual-done': 'green' };
const REM_TEXT: Record<RemediationStatus, string> = {
  queued: 'Queued',
  done: 'Done, not verified yet',
  verified: 'Verified',
  failed: 'Failed',
  manual: 'Manual task',
  'manual-done': 'Manual task resolved',
};
export function RemediationBadge({ status, title }: { status: RemediationStatus; title?: string }): ReactNode {
  return (
    <Badge tone={REM_TONE[status]} {...(title ? { title } : {})}>
      {REM_TEXT[status]}
    </Badge>
  );
}
export const REMEDIATION_ORDER: readonly RemediationStatus[] = ['queued', 'done', 'verified', 'failed', 'manual', 'manual-done'];
export { REM_TEXT as REMEDIATION_TEXT };

/** decided / total as a bar with the numbers beside it. */
export function ProgressBar({ done, total, label }: { done: number; total: number; label: string }): ReactNode {
  const pct = total === 0 ? 0 : Math.round((done / total) * 100);
  return (
    <span className="rv-progress">
      <span className="progress" role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
        <span className="progress-bar" style={{ width: `${pct}%` }} />
      </span>
      <span className="tabular muted">
        {done.toLocaleString()} / {total.toLocaleString()}
      </span>
    </span>
  );
}
