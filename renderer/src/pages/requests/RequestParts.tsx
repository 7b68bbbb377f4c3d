// Small pieces the request list, detail and forms share: status and risk
// badges and duration words. (The people picker of the "New request" form
// and "Acting as" is components/PersonPicker.tsx.)
import type { ReactNode } from 'react';
import type { ApprovalStepKind, DurationOption, GrantStatus, RequestStatus, RiskTier } from '../../../../shared/governance.js';
import { Badge, type Tone } from '../../components/Badges.js';
import { RiskBadge as SharedRiskBadge } from '../../components/RiskBadge.js';

const statusTone: Record<RequestStatus, Tone> = { pending: 'blue', approved: 'green', denied: 'red', expired: 'neutral', cancelled: 'neutral' };
const statusLabel: Record<RequestStatus, string> = { pending: 'Pending', approved: 'Approved', denied: 'Denied', expired: 'Expired', cancelled: 'Cancelled' };
export const REQUEST_STATUSES: readonly RequestStatus[] = ['pending', 'approved', 'denied', 'expired', 'cancelled'];

export function RequestStatusBadge({ status, escalated = false }: { status: RequestStatus; escalated?: boolean }): ReactNode {
  return (
    <span className="req-badges">
      <Badge tone={statusTone[status]}>
        <span className="badge-dot" aria-hidden="true" />
        {statusLabel[status]}
      </Badge>
      {escalated && status === 'pending' ? (
        <Badge tone="amber" title="Pending too long: escalated">
          Escalated
        </Badge>
      ) : null}
    </span>
  );
}

import { durationLabel } from '../../lib/format.js';

export { durationLabel };

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

/** "24 hours", "90 minutes", "Permanent". */
export function durationText(d: DurationOption, minutes: number | null): string {
  if (d !== 'custom') return durationLabel(d);
  return minutesText(minutes ?? 0);
}

export function minutesText(m: number): string {
  if (m % 1440 === 0) return `${m / 1440} day${m === 1440 ? '' : 's'}`;
  if (m % 60 === 0) return `${m / 60} hour${m === 60 ? '' : 's'}`;
  return `${m} minutes`;
}
