// The dashboard: governance at a glance (each card opens its list, filtered), the snapshot's counts, recent syncs and connections.
import { useEffect, type ReactNode } from 'react';
import type { GovernanceCounts } from '../../../shared/contract-requests.js';
import type { DashboardSummary } from '../../../shared/domain.js';
import { SyncStatusBadge } from '../components/Badges.js';
import { EmptyState } from '../components/EmptyState.js';
import { IconPlug, IconPlus } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { Skeleton } from '../components/Skeleton.js';
import { SyncProgressPanel } from '../components/SyncProgressPanel.js';
import { SyncRunsGrid } from '../components/SyncRunsGrid.js';
import { WriteButton } from '../components/WriteButton.js';
import { formatDuration, formatNumber, humanize, isIdentityProvider } from '../lib/format.js';
import { formatRoute, navigate, routes, type Route } from '../lib/router.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { useDashboardStore } from '../stores/dashboard-store.js';
import { useDirectoryStore, type UsersFilter } from '../stores/directory-store.js';

type Stat = {
  label: string;
  value: (s: DashboardSummary) => number;
  hint?: (s: DashboardSummary) => string;
  tone?: 'warn' | 'danger';
  go?: (s: DashboardSummary) => void;
};

const showUsers = (patch: Partial<UsersFilter>) => (): void => {
  useDirectoryStore.getState().setUsers({ search: '', status: [], department: [], sort: 'displayName', dir: 'asc', ...patch });
  navigate(routes.directory('users'));
};
const pct = (part: number, whole: number): string => (whole > 0 ? `${Math.round((part / whole) * 100)}% of users` : '—');
const others = (s: DashboardSummary): number => s.otherStatuses.reduce((n, o) => n + o.count, 0);

/** A governance card: a count that is a link to the list it counts, already filtered. */
type GovernanceCard = {
  label: string;
  value: (g: GovernanceCounts) => number;
  hint: (g: GovernanceCounts) => string;
  /** Tone when the count is not zero. */
  tone?: 'warn' | 'danger';
  to: (g: GovernanceCounts) => Route;
};

const governanceCards: GovernanceCard[] = [
  {
    label: 'Pending approvals',
    value: (g) => g.pendingApprovals,
    hint: (g) => (g.waitingForOperator === null ? 'Requests waiting for a decision' : `${formatNumber(g.waitingForOperator)} waiting for you`),
    to: () => routes.requests('open'),
  },
  {
    label: 'Time-bound access',
    value: (g) => g.activeTimeBound,
    hint: () => 'Active grants with an end date',
    to: () => routes.access('time-bound'),
  },
  {
    label: 'Expiring in 24 h',
    value: (g) => g.expiringSoon,
    hint: () => 'Removed from the IdP when they end',
    tone: 'warn',
    to: (g) => routes.access('expiring', g.expiringWithinHours),
  },
  {
    label: 'Failed jobs',
    value: (g) => g.failedJobs,
    hint: () => 'Gave up after their retries',
    tone: 'danger',
    to: () => routes.attention('failed'),
  },
  {
    label: 'Manual tasks',
    value: (g) => g.manualTasks,
    hint: () => 'Changes to make by hand',
    tone: 'warn',
    to: () => routes.attention('tasks'),
  },
  {
    label: 'Open drift',
    value: (g) => g.openDrift,
    hint: () => 'IdP and ledger disagree',
    tone: 'danger',
    to: () => routes.attention('drift'),
  },
];

const stats: Stat[] = [
  {
    label: 'Users',
    value: (s) => s.users,
    // People: someone in Okta and Entra counts once; the status stats below add up to this.
    hint: (s) => `Each counted once across ${formatNumber(s.connections)} identity provider${s.connections === 1 ? '' : 's'}`,
    go: showUsers({}),
  },
  { label: 'Active', value: (s) => s.activeUsers, hint: (s) => pct(s.activeUsers, s.users), go: showUsers({ status: ['ACTIVE'] }) },
  { label: 'Suspended', value: (s) => s.suspendedUsers, hint: (s) => pct(s.suspendedUsers, s.users), tone: 'warn', go: showUsers({ status: ['SUSPENDED'] }) },
  {
    label: 'Deprovisioned',
    value: (s) => s.deprovisionedUsers,
    hint: (s) => pct(s.deprovisionedUsers, s.users),
    go: showUsers({ status: ['DEPROVISIONED'] }),
  },
  // So the status counts add up to Users: whatever else the IdPs say (staged, locked out, disabled...).
  {
    label: 'Other statuses',
    value: others,
    hint: (s) =>
      s.otherStatuses.length === 0
        ? 'None'
        : s.otherStatuses
            .slice(0, 3)
            .map((o) => `${humanize(o.status)} ${formatNumber(o.count)}`)
            .join(' · ') + (s.otherStatuses.length > 3 ? ' …' : ''),
    go: (s) => showUsers({ status: s.otherStatuses.map((o) => o.status) })(),
  },
  {
    label: 'Stale logins',
    value: (s) => s.staleUsers,
    hint: () => 'No login in over 90 days',
    tone: 'warn',
    go: showUsers({ sort: 'lastLogin', dir: 'asc' }),
  },
  {
    label: 'Groups',
    value: (s) => s.groups,
    hint: (s) => (s.groups > 0 ? `${formatNumber(Math.round(s.memberships / s.groups))} members on average` : '—'),
    go: () => navigate(routes.directory('groups')),
  },
  {
    label: 'Apps',
    value: (s) => s.apps,
    // Coverage (Catalog) counts only the apps with groups: say which these are.
    hint: (s) => (s.apps === s.appsWithGroups ? 'All with groups assigned' : `${formatNumber(s.appsWithGroups)} with groups · ${formatNumber(s.apps - s.appsWithGroups)} without`),
    go: () => navigate(routes.directory('apps')),
  },
  {
    label: 'Memberships',
    value: (s) => s.memberships,
    hint: (s) => (s.users > 0 ? `${(s.memberships / s.users).toFixed(1)} groups per user` : '—'),
    go: () => {
      useDirectoryStore.getState().setGroups({ sort: 'memberCount', dir: 'desc' });
      navigate(routes.directory('groups'));
    },
  },
];

export function DashboardPage(): ReactNode {
  const summary = useDashboardStore((s) => s.summary);
  const status = useDashboardStore((s) => s.status);
  const error = useDashboardStore((s) => s.error);
  const load = useDashboardStore((s) => s.load);
  const governance = useDashboardStore((s) => s.governance);
  const governanceError = useDashboardStore((s) => s.governanceError);
  const progress = useConnectionsStore((s) => s.progress);
  const connections = useConnectionsStore((s) => s.connections);
  const idps = connections.filter(isIdentityProvider);

  useEffect(() => {
    void load();
  }, [load]);

  const running = Object.values(progress);
  const nameOf = (id: number): string => connections.find((c) => c.id === id)?.name ?? `connection ${id}`;

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Dashboard</h1>
          <p className="page-sub">Access governance and the synced snapshot of your identity providers at a glance.</p>
        </div>
      </header>

      {status === 'error' && error ? <InlineError title="Couldn’t load the dashboard" message={error} onRetry={() => void load()} /> : null}

      {running.map((p) => (
        <section key={p.runId} className="dash-sync" aria-label={`Sync of ${nameOf(p.connectionId)}`}>
          <SyncProgressPanel progress={p} title={`Syncing ${nameOf(p.connectionId)}`} />
        </section>
      ))}

      {summary && summary.connections === 0 && running.length === 0 ? (
        <section className="card">
          <EmptyState
            icon={<IconPlug size={28} />}
            title="No connection yet — add your Okta org or Entra tenant in Connections"
            action={
              <WriteButton className="btn btn-primary" onClick={() => navigate(routes.connections(true))}>
                <IconPlus /> Add connection
              </WriteButton>
            }
          >
            Latchkey keeps a local snapshot of users, groups, apps and memberships, and records what changed at every
            sync. Connect an Okta org (API token or OAuth service app) or a Microsoft Entra ID tenant (app
            registration), then run a first sync.
          </EmptyState>
        </section>
      ) : (
        <>
          <h2 className="dash-heading" id="dash-governance">
            Governance
          </h2>
          {governanceError && !governance ? <InlineError title="Couldn’t load the governance counts" message={governanceError} /> : null}
          <section aria-labelledby="dash-governance" className="stat-grid stat-grid-6">
            {governanceCards.map((c) => {
              const n = governance ? c.value(governance) : null;
              const tone = n !== null && n > 0 ? c.tone : undefined;
              return governance && n !== null ? (
                <a key={c.label} className={`stat${tone ? ` stat-${tone}` : ''}`} href={formatRoute(c.to(governance))} aria-label={`${c.label}: ${formatNumber(n)}`}>
                  <span className="stat-label">{c.label}</span>
                  <span className="stat-value tabular">{formatNumber(n)}</span>
                  <span className="stat-hint">{c.hint(governance)}</span>
                </a>
              ) : (
                <div key={c.label} className="stat" aria-label={`${c.label}: loading`}>
                  <span className="stat-label">{c.label}</span>
                  <span className="stat-value tabular">
                    <Skeleton width={48} height={22} />
                  </span>
                  <span className="stat-hint">
                    <Skeleton width={110} height={10} />
                  </span>
                </div>
              );
            })}
          </section>

          <h2 className="dash-heading" id="dash-snapshot">
            Snapshot
          </h2>
          <section aria-labelledby="dash-snapshot" className="stat-grid">
            {stats.map((s) => (
              <button
                key={s.label}
                type="button"
                className={`stat${s.tone ? ` stat-${s.tone}` : ''}`}
                onClick={() => summary && s.go?.(summary)}
                disabled={!summary}
                aria-label={summary ? `${s.label}: ${formatNumber(s.value(summary))}` : `${s.label}: loading`}
                title={summary ? s.hint?.(summary) : undefined}
              >
                <span className="stat-label">{s.label}</span>
                <span className="stat-value tabular">{summary ? formatNumber(s.value(summary)) : <Skeleton width={72} height={22} />}</span>
                <span className="stat-hint">{summary ? (s.hint?.(summary) ?? '') : <Skeleton width={110} height={10} />}</span>
              </button>
            ))}
          </section>

          <div className="dash-columns">
            <section className="card card-flush" aria-labelledby="recent-runs-title">
              <div className="card-head">
                <h2 id="recent-runs-title">Recent sync runs</h2>
                <span className="card-head-links">
                  <a href={formatRoute(routes.changes())} className="link-subtle">
                    All changes
                  </a>
                  <a href={formatRoute(routes.connections())} className="link-subtle">
                    Sync history
                  </a>
                </span>
              </div>
              <SyncRunsGrid
                label="Recent sync runs"
                runs={summary?.recentRuns ?? []}
                loading={!summary && status !== 'error'}
                compact
                showConnection={idps.length > 1}
                maxVisibleRows={8}
                empty={<EmptyState title="No sync has run yet">Open Connections and press “Sync now”.</EmptyState>}
              />
            </section>
            <section className="card" aria-labelledby="conn-overview-title">
              <div className="card-head card-head-plain">
                <h2 id="conn-overview-title">Connections</h2>
              </div>
              {connections.length === 0 ? (
                <p className="muted">None yet.</p>
              ) : (
                <ul className="conn-mini">
                  {connections.map((c) => {
                    const last = c.lastSync;
                    return (
                      <li key={c.id}>
                        <div className="conn-mini-name">
                          <strong>{c.name}</strong>
                          <span className="muted">{c.orgName ?? c.baseUrl}</span>
                        </div>
                        <div className="conn-mini-status">
                          {progress[c.id] ? (
                            <SyncStatusBadge status="running" />
                          ) : !isIdentityProvider(c) ? (
                            // Jira is not synced: it is where every request is recorded.
                            <span className="muted">System of record for requests</span>
                          ) : last ? (
                            <>
                              <SyncStatusBadge status={last.status} />
                              <span className="muted">
                                <RelativeTime iso={last.finishedAt ?? last.startedAt} /> · {formatDuration(last.durationMs)}
                              </span>
                            </>
                          ) : (
                            <span className="muted">Never synced</span>
                          )}
                        </div>
                      </li>
                    );
                  })}
                </ul>
              )}
            </section>
          </div>
        </>
      )}
    </div>
  );
}
