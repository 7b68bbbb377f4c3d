// Badges for history and people: a change's kind, a run's mode, a run's
// change counts (a link to that run in the Changes view), and the IdP
// accounts of one person.
import { Fragment, type ReactNode } from 'react';
import type { AccountRef, ChangeKind, SyncRunSummary } from '../../../shared/domain.js';
import { countedKinds, describeRunChanges, kindBadgeLabel, kindInfo } from '../lib/change-kinds.js';
import { connectionKindLabel } from '../lib/format.js';
import { formatRoute, routes } from '../lib/router.js';
import { Badge } from './Badges.js';

export function KindBadge({ kind }: { kind: ChangeKind }): ReactNode {
  return (
    <Badge tone={kindInfo[kind].tone} title={kindInfo[kind].label}>
      {kindBadgeLabel[kind]}
    </Badge>
  );
}

export function RunModeBadge({ mode }: { mode: SyncRunSummary['mode'] }): ReactNode {
  return mode === 'full' ? (
    <Badge tone="neutral" title="Read every user, group, membership and app">
      Full
    </Badge>
  ) : (
    <Badge tone="accent" title="Read only what changed since the last sync (System Log / delta links)">
      Incremental
    </Badge>
  );
}

/**
 * A run's changes per kind, as small chips inside one link to that run's
 * changes; a baseline, a failed run or a quiet run says so in words.
 */
export function RunChangeCounts({ run, max = 4 }: { run: SyncRunSummary; max?: number }): ReactNode {
  const counted = run.status === 'succeeded' && !run.baseline ? countedKinds(run.changeCounts) : [];
  const summary = describeRunChanges(run);
  if (counted.length === 0) {
    if (run.status === 'succeeded' && (run.baseline || run.changes === 0)) {
      return (
        <a className="run-changes is-quiet" href={formatRoute(routes.changes(run.id))} title={summary} aria-label={`Changes of run ${run.id}: ${summary}`}>
          {run.baseline ? 'Baseline' : 'No changes'}
        </a>
      );
    }
    return <span className="muted">{run.status === 'running' ? 'In progress' : '—'}</span>;
  }
  const shown = counted.slice(0, max);
  const more = counted.length - shown.length;
  return (
    <a className="run-changes" href={formatRoute(routes.changes(run.id))} title={summary} aria-label={`Changes of run ${run.id}: ${summary}`}>
      {shown.map(({ kind, count }) => (
        <span key={kind} className={`change-chip tone-${kindInfo[kind].tone}`}>
          {kindInfo[kind].short(count)}
        </span>
      ))}
      {more > 0 ? <span className="change-chip tone-neutral">+{more} more</span> : null}
    </a>
  );
}

/** "Okta · Entra": the IdPs a person has an account in (connection name and login on hover). */
export function AccountBadges({ accounts }: { accounts: readonly Pick<AccountRef, 'kind' | 'connectionName' | 'login'>[] }): ReactNode {
  return (
    <span className="account-badges">
      {accounts.map((a, i) => (
        <Fragment key={`${a.connectionName}:${a.login}:${i}`}>
          {i > 0 ? <span className="account-sep"> · </span> : null}
          <span className={`account-badge kind-${a.kind}`} title={`${a.connectionName}: ${a.login}`}>
            {connectionKindLabel(a.kind)}
          </span>
        </Fragment>
      ))}
    </span>
  );
}
