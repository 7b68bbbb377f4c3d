// The what-if of a policy being edited, before it is saved: per role, how many people would gain and
// lose it against the version in effect, then each change with the condition that decides it (the
// person's value and whether it came from their HR record or IdP profile), and whether enforcing it
// would need a second operator.
import type { ReactNode } from 'react';
import type { PolicyWhatIf } from '../../../../shared/contract-policies.js';
import type { RiskTier } from '../../../../shared/governance.js';
import { Badge } from '../../components/Badges.js';
import { RiskBadge } from '../../components/RiskBadge.js';
import { formatNumber } from '../../lib/format.js';

export function WhatIfPanel({ whatif, stale }: { whatif: PolicyWhatIf; stale: boolean }): ReactNode {
  const c = whatif.counts;
  const label = (roleId: number): string => whatif.roles.find((r) => r.roleId === roleId)?.label ?? `#${roleId}`;
  return (
    <section className="card" aria-label="What-if" aria-busy={stale}>
      <div className="card-head">
        <h2 className="section-title">What-if {whatif.baseVersion === null ? '(a new policy)' : `against v${whatif.baseVersion}`}</h2>
        <span className="muted">
          {formatNumber(c.population)} people · {formatNumber(whatif.ms)} ms{stale ? ' · updating…' : ''}
        </span>
      </div>
      <div className="card-body">
        <p aria-label={`Affected: ${c.affectedPeople}`}>
          Matches {formatNumber(c.matchedBefore)} → <strong>{formatNumber(c.matchedAfter)}</strong> people ·{' '}
          <strong>{formatNumber(c.affectedPeople)}</strong> affected ({formatNumber(c.gains)} gains, {formatNumber(c.losses)} losses)
          {whatif.excepted > 0 ? ` · ${formatNumber(whatif.excepted)} excepted` : ''}
        </p>
        {whatif.needsApproval ? (
          <p className="text-warn" role="note">
            Enforcing this needs a second operator: {whatif.approvalReasons.join('; ')}.
          </p>
        ) : null}
        <table className="cat-table" aria-label="Gains and losses per role">
          <thead>
            <tr>
              <th scope="col">Role</th>
              <th scope="col">Gain</th>
              <th scope="col">Lose</th>
            </tr>
          </thead>
          <tbody>
            {whatif.roles.map((r) => (
              <tr key={r.roleId}>
                <td>
                  {r.label} <RiskBadge risk={r.risk as RiskTier} />
                </td>
                <td className="tabular">+{formatNumber(r.gains)}</td>
                <td className="tabular">−{formatNumber(r.losses)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {whatif.changes.length > 0 ? (
          <table className="cat-table" aria-label="Changes">
            <thead>
              <tr>
                <th scope="col">Person</th>
                <th scope="col">Role</th>
                <th scope="col">Change</th>
                <th scope="col">Because</th>
              </tr>
            </thead>
            <tbody>
              {whatif.changes.map((ch) => (
                <tr key={`${ch.personId}|${ch.roleId}|${ch.change}`}>
                  <td>
                    {ch.name} <span className="muted">{ch.email ?? ''}</span>
                  </td>
                  <td>{label(ch.roleId)}</td>
                  <td>{ch.change === 'gain' ? <Badge tone="green">gains</Badge> : <Badge tone="red">loses</Badge>}</td>
                  <td className="muted">{ch.because}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p className="muted">Nobody would gain or lose a role.</p>
        )}
        {whatif.truncated ? <p className="muted">The first {formatNumber(whatif.changes.length)} changes are shown.</p> : null}
      </div>
    </section>
  );
}
