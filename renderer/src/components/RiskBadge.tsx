// A role's risk tier, the same colour everywhere (catalog, requests, forms).
import type { ReactNode } from 'react';
import type { RiskTier } from '../../../shared/governance.js';
import { Badge, type Tone } from './Badges.js';

const riskTone: Record<RiskTier, Tone> = { low: 'green', medium: 'blue', high: 'amber', critical: 'red' };
export const riskLabel: Record<RiskTier, string> = { low: 'Low', medium: 'Medium', high: 'High', critical: 'Critical' };

/** `withWord`: "High risk" where the badge stands without a Risk column or heading. */
export function RiskBadge({ risk, withWord = false }: { risk: RiskTier; withWord?: boolean }): ReactNode {
  return (
    <Badge tone={riskTone[risk]} title={`${riskLabel[risk]} risk`}>
      {withWord ? `${riskLabel[risk]} risk` : riskLabel[risk]}
    </Badge>
  );
}
