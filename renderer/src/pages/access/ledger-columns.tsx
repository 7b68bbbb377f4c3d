// The Access page's grid columns: who, role, IdP group, status, since, until/ended, why, the request
// and its Jira issue; for ended grants how they ended and whether a sync confirmed the removal; for
// live ones the Revoke now and Extend buttons.
import type { ReactNode } from 'react';
import type { GrantEndHow, LedgerGrant, RemovalCheck } from '../../../../shared/contract-jobs.js';
import { Badge } from '../../components/Badges.js';
import type { GridColumn } from '../../components/DataGrid.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { WriteButton } from '../../components/WriteButton.js';
import { formatAbsolute } from '../../lib/format.js';
import { formatRoute, routes } from '../../lib/router.js';
import { AccessBadge } from '../requests/RequestParts.js';

export const END_HOW_LABEL: Record<GrantEndHow, string> = {
  expired: 'Expired',
  revoked: 'Revoked',
  review: 'Access review',
  cancelled: 'Cancelled',
  extended: 'Replaced by an extension',
};

/** Statuses whose access can still be ended now (jobs:revokeGrant accepts them). */
const REVOCABLE = new Set(['active', 'pending', 'failed', 'manual']);

/** When a grant ends or ended, in words that fit its state. */
function GrantEnd({ g }: { g: LedgerGrant }): ReactNode {
  if (g.endedAt) return <RelativeTime iso={g.endedAt} />;
  if (g.expiresAt) return <RelativeTime iso={g.expiresAt} kind="deadline" />;
  return <span className="muted">permanent</span>;
}

/** "Revoked by hal@… · console", "Expired", "Access review": how an ended grant ended. */
function endWords(g: LedgerGrant): string | null {
  const e = g.ended;
  if (!e) return null;
  if (e.how === 'revoked' || e.how === 'cancelled') return `${END_HOW_LABEL[e.how]}${e.by ? ` by ${e.by}` : ''}${e.channel ? ` · ${e.channel}` : ''}`;
  return END_HOW_LABEL[e.how];
}

function RemovalBadge({ removal }: { removal: RemovalCheck }): ReactNode {
  if (removal.state === 'awaiting') return <Badge tone="amber" title="No successful sync of this connection has started since the access ended">Awaiting a sync</Badge>;
  if (removal.state === 'verified') {
    return (
      <Badge tone="green" title={`Sync run #${removal.runId}, started ${formatAbsolute(removal.at)}, no longer saw the membership`}>
        Verified · sync #{removal.runId}
      </Badge>
    );
  }
  return (
    <Badge tone="red" title={`Sync run #${removal.runId} saw the membership back (drift found ${formatAbsolute(removal.at)}): see Needs attention`}>
      Back in the IdP · sync #{removal.runId}
    </Badge>
  );
}

export type LedgerActions = { onRevoke: (g: LedgerGrant) => void; onExtend: (g: LedgerGrant) => void };

/**
 * `ended`: how it ended and the removal's check; `actions`: Revoke now and Extend on live rows;
 * `why`: the request's justification and since when (left out of the Ended tab, where how it
 * ended needs the room at 1280 px).
 */
export function ledgerColumns(show: { ended: boolean; actions: boolean; why: boolean }, act: LedgerActions): GridColumn<LedgerGrant>[] {
  const cols: (GridColumn<LedgerGrant> | null | false)[] = [
    {
      id: 'who',
      header: 'Who',
      width: 'minmax(140px, 1fr)',
      minWidth: 140,
      truncate: true,
      render: (g) => <span className="cell-strong">{g.beneficiaryName}</span>,
      title: (g) => (g.beneficiaryEmail ? `${g.beneficiaryName} · ${g.beneficiaryEmail}` : g.beneficiaryName),
    },
    {
      id: 'role',
      header: 'Role',
      width: 'minmax(160px, 1.4fr)',
      minWidth: 160,
      truncate: true,
      render: (g) => g.roleLabel ?? <span className="muted">no role (outside the catalog)</span>,
      title: (g) => g.roleLabel ?? undefined,
    },
    {
      id: 'group',
      header: 'IdP group',
      width: 'minmax(160px, 1.4fr)',
      minWidth: 160,
      truncate: true,
      render: (g) => (
        <span>
          {g.groupName} <span className="muted">· {g.connectionName ?? `connection #${g.connectionId}`}</span>
        </span>
      ),
      title: (g) => `${g.groupName} in ${g.connectionName ?? `connection #${g.connectionId}`}`,
    },
    { id: 'status', header: 'Status', width: '100px', minWidth: 100, render: (g) => <AccessBadge access={g.status} /> },
    show.why ? { id: 'since', header: 'Since', width: '84px', minWidth: 84, render: (g) => <RelativeTime iso={g.provisionedAt ?? g.startsAt} /> } : null,
    { id: 'ends', header: show.ended ? 'Ended' : 'Until', width: '90px', minWidth: 90, render: (g) => <GrantEnd g={g} /> },
    show.ended
      ? {
          id: 'how',
          header: 'How it ended',
          width: 'minmax(170px, 1.6fr)',
          minWidth: 170,
          truncate: true,
          render: (g) => endWords(g) ?? <span className="muted">—</span>,
          title: (g) => (g.ended ? `${endWords(g) ?? ''}${g.ended.note ? `: ${g.ended.note}` : ''}` : undefined),
        }
      : null,
    show.ended
      ? {
          id: 'removal',
          header: 'Removal',
          width: '150px',
          minWidth: 150,
          render: (g) => (g.removal ? <RemovalBadge removal={g.removal} /> : <span className="muted">—</span>),
        }
      : null,
    show.why && {
      id: 'why',
      header: show.ended ? 'Why granted' : 'Why',
      width: 'minmax(120px, 1fr)',
      minWidth: 120,
      truncate: true,
      render: (g) => g.request?.justification || <span className="muted">{g.requestId === null ? 'no request' : '—'}</span>,
      title: (g) => (g.request ? `${g.request.justification} — requested by ${g.request.requester}` : undefined),
    },
    {
      id: 'request',
      header: 'Request',
      width: '72px',
      minWidth: 72,
      render: (g) =>
        g.requestId === null ? (
          <span className="muted">—</span>
        ) : (
          <span className="access-request">
            <a className="link-subtle tabular" href={formatRoute(routes.request(g.requestId))} onClick={(e) => e.stopPropagation()}>
              #{g.requestId}
            </a>
            {g.request?.jira ? (
              g.request.jira.url ? (
                <a className="link-subtle" href={g.request.jira.url} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()} title={`Jira issue ${g.request.jira.key}`}>
                  {g.request.jira.key}
                </a>
              ) : (
                <span className="muted">{g.request.jira.key}</span>
              )
            ) : null}
          </span>
        ),
    },
    show.actions
      ? {
          id: 'actions',
          header: '',
          width: '150px',
          minWidth: 150,
          render: (g) =>
            REVOCABLE.has(g.status) ? (
              <span className="access-actions">
                {g.requestId !== null && g.status === 'active' && g.expiresAt !== null ? (
                  <WriteButton
                    className="btn btn-ghost btn-sm"
                    onClick={(e) => {
                      e.stopPropagation();
                      act.onExtend(g);
                    }}
                    aria-label={`Extend ${g.beneficiaryName}'s access to ${g.groupName}`}
                  >
                    Extend
                  </WriteButton>
                ) : null}
                <WriteButton
                  className="btn btn-ghost btn-sm btn-danger-text"
                  onClick={(e) => {
                    e.stopPropagation();
                    act.onRevoke(g);
                  }}
                  aria-label={`Revoke ${g.beneficiaryName}'s access to ${g.groupName} now`}
                >
                  Revoke now
                </WriteButton>
              </span>
            ) : null,
        }
      : null,
  ];
  return cols.filter((c): c is GridColumn<LedgerGrant> => c !== null && c !== false);
}
