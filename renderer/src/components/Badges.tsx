// Coloured badges for states shown on many pages: a plain Badge in a tone, an IdP user's or app's
// status, who manages a group, and a sync run's outcome.
import type { ReactNode } from 'react';
import type { GroupManagedBy, SyncStatus } from '../../../shared/domain.js';
import { humanize } from '../lib/format.js';
import type { Tone } from '../lib/tone.js';

export type { Tone };

export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }): ReactNode {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

const statusTones: Record<string, Tone> = {
  ACTIVE: 'green',
  STAGED: 'blue',
  PROVISIONED: 'blue',
  RECOVERY: 'amber',
  PASSWORD_EXPIRED: 'amber',
  LOCKED_OUT: 'red',
  SUSPENDED: 'amber',
  DEPROVISIONED: 'neutral',
  INACTIVE: 'neutral',
};

/** An Okta user or app status: ACTIVE green, SUSPENDED amber, DEPROVISIONED grey... */
export function StatusBadge({ status }: { status: string }): ReactNode {
  return (
    <Badge tone={statusTones[status] ?? 'neutral'} title={status}>
      <span className="badge-dot" aria-hidden="true" />
      {humanize(status)}
    </Badge>
  );
}

const managedByLabel: Record<GroupManagedBy, string> = {
  rule: 'Group rule',
  external: 'App-imported',
  direct: 'Directly managed',
  latchkey: 'Latchkey',
};
const managedByTone: Record<GroupManagedBy, Tone> = {
  rule: 'violet',
  external: 'blue',
  direct: 'neutral',
  latchkey: 'accent',
};

export function managedByText(managedBy: GroupManagedBy): string {
  return managedByLabel[managedBy];
}

export function ManagedByBadge({ managedBy, name }: { managedBy: GroupManagedBy; name: string | null }): ReactNode {
  const label = managedByLabel[managedBy];
  return (
    <span className="managed-by">
      <Badge tone={managedByTone[managedBy]} title={name ? `${label}: ${name}` : label}>
        {label}
      </Badge>
      {name ? <span className="managed-by-name">{name}</span> : null}
    </span>
  );
}

export function SyncStatusBadge({ status }: { status: SyncStatus }): ReactNode {
  const tone: Tone = status === 'succeeded' ? 'green' : status === 'failed' ? 'red' : 'blue';
  return (
    <Badge tone={tone}>
      <span className={`badge-dot${status === 'running' ? ' is-pulsing' : ''}`} aria-hidden="true" />
      {status === 'succeeded' ? 'Succeeded' : status === 'failed' ? 'Failed' : 'Running'}
    </Badge>
  );
}
