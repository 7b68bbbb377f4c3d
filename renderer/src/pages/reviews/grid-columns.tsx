// The review grid's columns: person (name, title, department, status), access (app/role or
// group, risk), how it is held, last sign-in (engine-clock relative, absolute on hover) with peer %,
// what is behind it (the request and its Jira issue or its end, or "outside the process"), the
// recommendation with its reasons (and "changed since launch"), and the decision. Two lines per
// row so the whole row reads at 1280 px. Group header rows span the person and access columns.
import type { ReactNode } from 'react';
import type { HeldVia, ReviewItemRow } from '../../../../shared/contract-reviews.js';
import { StatusBadge } from '../../components/Badges.js';
import type { GridColumn } from '../../components/DataGrid.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { formatDate } from '../../lib/format.js';
import { accessLabel, decisionOf, type DisplayRow, type GridDecision, type GridSortKey } from '../../lib/review-grid.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useReviewsStore } from '../../stores/reviews-store.js';
import { DecisionBadge, RecommendationBadge } from './parts.js';

const HELD_TEXT: Record<HeldVia, string> = { direct: 'Direct', 'group-rule': 'Group rule', 'dynamic-group': 'Dynamic group', external: 'Source directory' };
const RISKS: readonly string[] = ['low', 'medium', 'high', 'critical'];

function item(row: DisplayRow): ReviewItemRow | null {
  return row.kind === 'item' ? row.item : null;
}

const NO_DECISIONS: ReadonlyMap<number, GridDecision> = new Map<number, GridDecision>();
/** The selection and the decisions, read from the store as a cell renders (both change on every key; the columns stay the same). */
const at = {
  selected: (): ReadonlySet<number> => useReviewsStore.getState().selected,
  overlay: (): ReadonlyMap<number, GridDecision> => useReviewsStore.getState().queue?.overlay ?? NO_DECISIONS,
};

/** Columns over the display rows. */
export function reviewColumns(): GridColumn<DisplayRow, GridSortKey>[] {
  const only = (render: (i: ReviewItemRow) => ReactNode) => (row: DisplayRow) => {
    const i = item(row);
    return i ? render(i) : null;
  };
  return [
    {
      id: 'sel',
      header: '✓',
      width: '28px',
      minWidth: 28,
      render: (row) => {
        const ids = row.kind === 'item' ? [row.item.id] : row.itemIds;
        const on = ids.every((id) => at.selected().has(id));
        return <span className={`rv-check${on ? ' is-on' : ''}`} aria-label={on ? 'selected' : 'not selected'} role="img" />;
      },
    },
    {
      id: 'person',
      header: 'Person',
      width: 'minmax(140px, 1.2fr)',
      minWidth: 140,
      truncate: true,
      sortKey: 'person',
      render: (row) =>
        row.kind === 'group' ? (
          <span className="rv-group-label">
            <strong>{row.label}</strong> <span className="muted">{row.sub}</span>{' '}
            <span className="muted tabular">
              · {row.decided}/{row.itemIds.length} decided
            </span>
          </span>
        ) : (
          <span className="rv-two">
            <span className="cell-strong">
              {row.item.person.name}
              {row.item.person.status !== 'ACTIVE' ? (
                <>
                  {' '}
                  <StatusBadge status={row.item.person.status} />
                </>
              ) : null}
            </span>
            <span className="muted rv-small">{[row.item.person.title, row.item.person.department].filter(Boolean).join(' · ') || row.item.person.email}</span>
          </span>
        ),
      title: (row) => {
        const i = item(row);
        return i ? [i.person.name, i.person.email, i.person.title, i.person.department, i.person.employmentType, i.person.managerName && `manager ${i.person.managerName}`].filter(Boolean).join(' · ') : undefined;
      },
    },
    {
      id: 'access',
      header: 'Access',
      width: 'minmax(150px, 1.3fr)',
      minWidth: 150,
      truncate: true,
      sortKey: 'access',
      render: only((i) => (
        <span className="rv-two">
          <span className="cell-strong">{accessLabel(i)}</span>
          <span className="muted rv-small">
            {i.access.risk && RISKS.includes(i.access.risk) ? <span className={`rv-risk rv-risk-${i.access.risk}`}>{i.access.risk} risk</span> : null}
            {i.access.risk ? ' · ' : ''}
            {i.access.groupName}
          </span>
        </span>
      )),
      title: (row) => {
        const i = item(row);
        return i ? `${accessLabel(i)} — group ${i.access.groupName} in ${i.connectionName}${i.access.risk ? ` (${i.access.risk} risk)` : ''}` : undefined;
      },
    },
    {
      id: 'held',
      header: 'How held',
      width: '84px',
      minWidth: 84,
      render: only((i) => (
        <span className="rv-two">
          <span>{HELD_TEXT[i.access.heldVia]}</span>
          {i.access.viaApps.length > 0 ? <span className="muted rv-small">via {i.access.viaApps.join(', ')}</span> : null}
        </span>
      )),
      title: (row) => {
        const i = item(row);
        return i ? `${HELD_TEXT[i.access.heldVia]}${i.access.viaApps.length > 0 ? `; the group is assigned to ${i.access.viaApps.join(', ')}` : ''}` : undefined;
      },
    },
    {
      id: 'login',
      header: 'Last sign-in',
      width: '96px',
      minWidth: 96,
      sortKey: 'lastLogin',
      render: only((i) => (
        <span className="rv-two">
          <RelativeTime iso={i.person.lastLogin} flagStale />
          <span className="muted rv-small tabular">{i.peerPercent === null ? 'peers —' : `peers ${Math.round(i.peerPercent)}%`}</span>
        </span>
      )),
      title: (row) => {
        const i = item(row);
        return i && i.peerPercent !== null ? `${Math.round(i.peerPercent)}% of people with the same department and title hold it` : undefined;
      },
    },
    {
      id: 'source',
      header: 'Granted by',
      width: '124px',
      minWidth: 124,
      sortKey: 'expiry',
      render: only((i) =>
        i.grant === null ? (
          <span className="rv-two">
            <span className="text-warn">outside the process</span>
            <span className="muted rv-small">no grant, no end</span>
          </span>
        ) : (
          <span className="rv-two">
            <span>
              {i.grant.requestId !== null ? (
                <a className="link-subtle" href={formatRoute(routes.request(i.grant.requestId))} onClick={(e) => e.stopPropagation()}>
                  request #{i.grant.requestId}
                </a>
              ) : (
                `grant #${i.grant.grantId}`
              )}
            </span>
            {i.grant.jiraKey ? (
              i.grant.jiraUrl ? (
                <a className="link-subtle rv-small mono" href={i.grant.jiraUrl} target="_blank" rel="noreferrer" onClick={(e) => e.stopPropagation()}>
                  {i.grant.jiraKey}
                </a>
              ) : (
                <span className="rv-small mono">{i.grant.jiraKey}</span>
              )
            ) : (
              <span className="muted rv-small">{i.grant.expiresAt ? <RelativeTime iso={i.grant.expiresAt} kind="deadline" /> : 'permanent'}</span>
            )}
          </span>
        ),
      ),
      title: (row) => {
        const i = item(row);
        if (!i) return undefined;
        if (!i.grant) return 'No grant behind this membership: held outside the process';
        return [i.grant.expiresAt ? `ends ${formatDate(i.grant.expiresAt)}` : 'permanent',i.grant.approvers.length > 0 ? `approved by ${i.grant.approvers.join(', ')}` : null, i.grant.grantedAt ? `granted ${formatDate(i.grant.grantedAt)}` : null].filter(Boolean).join(' · ') || undefined;
      },
    },
    {
      id: 'rec',
      header: 'Recommended',
      width: 'minmax(130px, 1fr)',
      minWidth: 130,
      truncate: true,
      sortKey: 'recommendation',
      render: only((i) => (
        <span className="rv-two">
          <span>
            <RecommendationBadge rec={i.recommendation} reasons={i.reasons} />
            {i.changedSinceLaunch ? (
              <span className="rv-changed" title={`At launch: ${i.launchRecommendation}`}>
                {' '}
                changed since launch
              </span>
            ) : null}
          </span>
          <span className="muted rv-small">{i.reasons.map((r) => r.text).join('; ')}</span>
        </span>
      )),
      title: (row) => {
        const i = item(row);
        return i ? i.reasons.map((r) => r.text).join('\n') || undefined : undefined;
      },
    },
    {
      id: 'decision',
      header: 'Decision',
      width: '124px',
      minWidth: 124,
      sortKey: 'decision',
      render: only((i) => <DecisionBadge d={decisionOf(i, at.overlay())} />),
    },
  ];
}
