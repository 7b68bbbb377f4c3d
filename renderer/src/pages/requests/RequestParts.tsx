// Small pieces the request list, detail and forms share: status and risk
// badges, the words for what became of the access, duration words, and the
// people search used by the "New request" form and the "Acting as" picker.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { BeneficiaryOption } from '../../../../shared/contract-requests.js';
import { REQUEST_STATES, type ApprovalStepKind, type GrantStatus, type RequestRow, type RequestState, type RiskTier } from '../../../../shared/governance.js';
import { api, errorMessage } from '../../api/client.js';
import { Badge, type Tone } from '../../components/Badges.js';
import { RiskBadge as SharedRiskBadge } from '../../components/RiskBadge.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
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
  invalid,
  describedBy,
  error,
}: {
  label: string;
  onPick: (p: BeneficiaryOption) => void;
  autoFocus?: boolean;
  disabled?: boolean;
  /** From the form's field errors (the message itself is shown by the form). */
  invalid?: true;
  describedBy?: string;
  /** The form's message for this field, shown under the input. */
  error?: ReactNode;
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
        aria-invalid={invalid}
        aria-describedby={describedBy}
        onChange={(e) => setText(e.target.value)}
      />
      {error}
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
