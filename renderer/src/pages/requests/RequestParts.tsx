// Small pieces the request list, detail and forms share: status and risk
// badges, duration words, and the people search used by the "New request"
// form and the "Acting as" picker.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { BeneficiaryOption } from '../../../../shared/contract-requests.js';
import type { ApprovalStepKind, GrantStatus, RequestStatus, RiskTier } from '../../../../shared/governance.js';
import { api, errorMessage } from '../../api/client.js';
import { Badge, type Tone } from '../../components/Badges.js';
import { RiskBadge as SharedRiskBadge } from '../../components/RiskBadge.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';

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

import { durationLabel, durationText, minutesText } from '../../lib/format.js';

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

/**
 * A search box with the matching people under it (name, e-mail, IdP). Picking
 * one calls `onPick`; the list is plain buttons, so each is reachable by Tab
 * and named by its text.
 */
export function PersonSearch({
  label,
  onPick,
  autoFocus = false,
  disabled = false,
}: {
  label: string;
  onPick: (p: BeneficiaryOption) => void;
  autoFocus?: boolean;
  disabled?: boolean;
}): ReactNode {
  const id = useId();
  const [text, setText] = useState('');
  const search = useDebouncedValue(text, 200).trim();
  const [result, setResult] = useState<{ key: string; people: BeneficiaryOption[]; error: string | null } | null>(null);
  useEffect(() => {
    if (search === '') return;
    const controller = new AbortController();
    api.call('requests:searchBeneficiaries', { search, limit: 8 }, { signal: controller.signal }).then(
      (people) => setResult({ key: search, people, error: null }),
      (e: unknown) => {
        if (!controller.signal.aborted) setResult({ key: search, people: [], error: errorMessage(e) });
      },
    );
    return () => controller.abort();
  }, [search]);
  const shown = search !== '' && result?.key === search ? result : null;
  return (
    <div className="field person-search">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        className="input"
        type="search"
        value={text}
        placeholder="Name, e-mail or login…"
        autoComplete="off"
        spellCheck={false}
        autoFocus={autoFocus || undefined}
        disabled={disabled}
        onChange={(e) => setText(e.target.value)}
      />
      {shown ? (
        shown.error ? (
          <p className="field-error">{shown.error}</p>
        ) : shown.people.length === 0 ? (
          <p className="field-hint">Nobody active matches “{search}”.</p>
        ) : (
          <ul className="person-results" aria-label={`People matching ${search}`}>
            {shown.people.map((p) => (
              <li key={`${p.connectionId}:${p.identityId}`}>
                <button
                  type="button"
                  className="person-result"
                  onClick={() => {
                    onPick(p);
                    setText('');
                  }}
                >
                  <span className="cell-strong">{p.name}</span>
                  <span className="muted">{p.email ?? p.login}</span>
                  <span className="muted person-result-meta">
                    {[p.title, p.employeeType, p.connectionName].filter(Boolean).join(' · ')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
