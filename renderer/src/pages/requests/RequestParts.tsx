// Small pieces the request list, detail and forms share: status and risk
// badges, the words for what became of the access, and duration words. (The
// people picker of the "New request" form and "Acting as" is
// components/PersonPicker.tsx.)
import type { ReactNode } from 'react';
import { REQUEST_STATES, type ApprovalStepKind, type GrantStatus, type RequestRow, type RequestState, type RiskTier } from '../../../../shared/governance.js';
import { Badge, type Tone } from '../../components/Badges.js';
import { RiskBadge as SharedRiskBadge } from '../../components/RiskBadge.js';
import { durationLabel, durationText, minutesText } from '../../lib/format.js';

const stateTone: Record<RequestState, Tone> = {
  pending: 'blue',
  approved: 'green',
  denied: 'red',
  expired: 'neutral',
  revoked: 'neutral',
  cancelled: 'neutral',
  failed: 'red',
  extended: 'neutral',
};
export const STATE_LABEL: Record<RequestState, string> = {
  pending: 'Pending',
  approved: 'Approved',
  denied: 'Denied',
  expired: 'Expired',
  revoked: 'Revoked',
  cancelled: 'Cancelled',
  failed: 'Failed',
  extended: 'Extended',
};
export { REQUEST_STATES };

/** The request's one status word (the engine derives it from the decision and the grants). */
export function RequestStatusBadge({ status, escalated = false }: { status: RequestState; escalated?: boolean }): ReactNode {
  return (
    <span className="req-badges">
      <Badge tone={stateTone[status]}>
        <span className="badge-dot" aria-hidden="true" />
        {STATE_LABEL[status]}
      </Badge>
      {escalated && status === 'pending' ? (
        <Badge tone="amber" title="Pending too long: escalated">
          Escalated
        </Badge>
      ) : null}
    </span>
  );
}

/** "Apr 24, 05:11": an access end in a list cell, in local time (the year is in the detail). */
export function shortDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/**
 * What became of the access, in words that fit the status: "Active until Apr 24,
 * 05:11", "Ended Apr 24, 05:11 · expired" ("Ended Apr 24, 05:11" beside the
 * status badge). Absolute times only: an end that has passed is never "until
 * in 57 min". Null while the request waits for a decision.
 */
export function accessWords(r: RequestRow, beside: 'status' | 'alone' = 'alone'): string | null {
  // Next to the status badge (the list), "how" it ended is the badge itself.
  const ended = (how: string): string =>
    r.accessEndedAt ? `Ended ${shortDateTime(r.accessEndedAt)}${beside === 'alone' ? ` · ${how}` : ''}` : `Ended · ${how}`;
  const decided = (verb: string): string => (r.decidedAt ? `${verb} ${shortDateTime(r.decidedAt)}` : verb);
  switch (r.status) {
    case 'pending':
      return null;
    case 'denied':
      return decided('Denied');
    case 'failed':
      return 'A job failed: see Needs attention';
    case 'revoked':
      return ended('revoked');
    case 'extended':
      return ended('replaced by an extension');
    case 'expired':
      return r.decision === 'expired' ? decided('No decision in time, closed') : ended('expired');
    case 'cancelled':
      return r.decision === 'cancelled' ? decided('Withdrawn') : ended('cancelled before it was given');
    case 'approved':
      switch (r.access) {
        case null:
          return 'Nothing to grant (no group mapped)';
        case 'pending':
          return 'Provisioning…';
        case 'manual':
          return 'Waiting for a manual task';
        case 'revoking':
          return 'Being removed';
        default:
          return r.expiresAt ? `Active until ${shortDateTime(r.expiresAt)}` : 'Active · permanent';
      }
  }
}

export { durationLabel, durationText, minutesText };

/** In the queue and the forms the badge stands alone: "High risk". */
export function RiskBadge({ risk }: { risk: RiskTier }): ReactNode {
  return <SharedRiskBadge risk={risk} withWord />;
}

const accessTone: Record<GrantStatus, Tone> = {
  pending: 'blue',
  active: 'green',
  manual: 'amber',
  failed: 'red',
  revoking: 'amber',
  revoked: 'neutral',
  expired: 'neutral',
  cancelled: 'neutral',
};
const accessLabel: Record<GrantStatus, string> = {
  pending: 'Provisioning',
  active: 'Active',
  manual: 'Manual task',
  failed: 'Failed',
  revoking: 'Revoking',
  revoked: 'Revoked',
  expired: 'Expired',
  cancelled: 'Ended',
};

export function AccessBadge({ access }: { access: GrantStatus }): ReactNode {
  return <Badge tone={accessTone[access]}>{accessLabel[access]}</Badge>;
}

export const STEP_LABEL: Record<ApprovalStepKind | 'auto', string> = { manager: 'Manager', 'app-owner': 'App owner', named: 'Named approvers', auto: 'Auto-approved' };
