// The bar over every page: which workspace file is open (read-only, sandbox), who is acting ("Acting
// as"), which transport reaches the engine and whether live updates arrive.
import type { ReactNode } from 'react';
import type { AuditStatus } from '../../../shared/domain.js';
import { api } from '../api/client.js';
import { READ_ONLY_REASON, useAppStore } from '../stores/app-store.js';
import { Badge } from './Badges.js';
import { IconDatabase, IconGlobe, IconLock, IconMonitor } from './Icons.js';
import { Skeleton } from './Skeleton.js';
import { truncateMiddle } from '../lib/format.js';
import { OperatorPicker } from './OperatorPicker.js';

const eventsLabel = {
  idle: 'Live updates: idle',
  connecting: 'Live updates: connecting',
  open: 'Live updates: connected',
  reconnecting: 'Live updates: reconnecting…',
  unauthorized: 'Live updates refused: this browser has no session with the bridge',
  closed: 'Live updates: closed',
} as const;

/** What verifying a read-only workspace's audit chain on opening found, for the badge's tooltip. */
function auditTitle(a: AuditStatus): string {
  const lines = [
    `${a.events} events; ${a.checkpoints.valid} of ${a.checkpoints.total} signed checkpoints verify; the chain holds ${a.anchors.held} of ${a.anchors.checked} anchors known to this file`,
  ];
  if (a.copyOf) lines.push(`Copy of workspace ${a.copyOf.workspaceId ?? '?'} saved ${a.copyOf.savedAt ?? '?'}: ${a.copyOf.matchesOrigin ? 'holds the head it was saved with' : 'does NOT hold the head it was saved with'}`);
  return [...lines, ...a.problems].join('\n');
}

export function TopBar(): ReactNode {
  const info = useAppStore((s) => s.info);
  const events = useAppStore((s) => s.events);
  const transport = api.transport;
  return (
    <header className="topbar">
      <div className="topbar-workspace">
        <IconDatabase className="muted" />
        <span className="topbar-label">Workspace</span>
        {info ? (
          <span className="workspace-path" title={info.dbPath} data-testid="workspace-path">
            {truncateMiddle(info.dbPath, 72)}
          </span>
        ) : (
          <Skeleton width={260} />
        )}
        {info?.readOnly ? (
          <Badge tone="amber" title={READ_ONLY_REASON}>
            <IconLock size={12} /> Read-only
          </Badge>
        ) : null}
        {info?.audit ? (
          <Badge tone={info.audit.verified ? 'green' : 'red'} title={auditTitle(info.audit)}>
            {info.audit.verified ? 'Audit chain verified' : 'Audit chain does not verify'}
          </Badge>
        ) : null}
        {info?.sandbox ? (
          <Badge tone="violet" title="Connected to the embedded sandbox tenant with a generated organisation">
            Sandbox tenant
          </Badge>
        ) : null}
      </div>
      <div className="topbar-right">
        <OperatorPicker />
        <span className="transport" title={eventsLabel[events]}>
          <span className={`live-dot is-${events}`} aria-hidden="true" />
          {transport === 'electron' ? <IconMonitor /> : <IconGlobe />}
          <span>{transport === 'electron' ? 'Desktop app' : 'Browser via local bridge'}</span>
        </span>
      </div>
    </header>
  );
}
