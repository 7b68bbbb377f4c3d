// Small pieces the catalog views share: the risk badge, a mapping's problems,
// and the words for risks, durations and approval steps.
import type { ReactNode } from 'react';
import type { MappingIssue } from '../../../../shared/contract-catalog.js';
import type { ApprovalPolicy } from '../../../../shared/governance.js';
import { IconAlert } from '../../components/Icons.js';

export { durationLabel } from '../../lib/format.js';
export { RiskBadge, riskLabel } from '../../components/RiskBadge.js';

export const problemTitle: Record<MappingIssue['kind'], string> = {
  'group-deleted': 'Group deleted',
  'group-renamed': 'Group renamed',
  'rule-managed': 'Managed by a group rule',
  dynamic: 'Dynamic membership',
  'externally-managed': 'Managed outside the IdP',
  'connection-read-only': 'Connection is read-only',
  'connection-removed': 'Connection removed',
};

/** A mapping's problems, each with its title and the sentence that says what to do. */
export function ProblemList({ problems, id }: { problems: readonly MappingIssue[]; id?: string }): ReactNode {
  if (problems.length === 0) return null;
  return (
    <ul className="cat-problems" id={id}>
      {problems.map((p) => (
        <li key={p.kind} className={p.kind === 'group-renamed' ? 'cat-problem is-info' : 'cat-problem'}>
          <IconAlert size={14} className="cat-problem-icon" />
          <span>
            <strong>{problemTitle[p.kind]}.</strong> {p.message}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The warning mark beside a role or group with problems; its title says how many and which. */
export function ProblemMark({ problems }: { problems: readonly MappingIssue[] }): ReactNode {
  if (problems.length === 0) return null;
  const label = problems.map((p) => problemTitle[p.kind]).join('; ');
  return (
    <span className="cat-warn" role="img" aria-label={`Problem: ${label}`} title={label}>
      <IconAlert size={14} />
    </span>
  );
}

/** "Auto-approved", or "Manager → App owner → 2 named approvers". */
export function describePolicy(policy: ApprovalPolicy): string {
  if (policy.autoApprove) return 'Auto-approved';
  return policy.steps
    .map((s) => (s.kind === 'manager' ? 'Manager' : s.kind === 'app-owner' ? 'App owner' : `${s.approvers?.length ?? 0} named approver${s.approvers?.length === 1 ? '' : 's'}`))
    .join(' → ');
}
