// The Directory drawer for one person: their profile, their accounts in every IdP, and their groups
// and apps (each saying which account it belongs to).
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { AccountRef, UserDetail as User } from '../../../../shared/domain.js';
import { AbsoluteTime } from '../../components/AbsoluteTime.js';
import { StatusBadge } from '../../components/Badges.js';
import { AccountBadges } from '../../components/ChangeBadges.js';
import { DataGrid, type GridColumn, type SortState } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { InlineError } from '../../components/InlineError.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { SkeletonLines } from '../../components/Skeleton.js';
import { tabPanelProps, Tabs } from '../../components/Tabs.js';
import { useAsync } from '../../hooks/useAsync.js';
import { connectionKindLabel, humanize, initials } from '../../lib/format.js';
import { localPage } from '../../lib/local-pages.js';
import { formatRoute, navigate, routes, type ObjectRef } from '../../lib/router.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { directory } from '../../stores/directory-store.js';
import { groupColumns, objectKey, signOnMode, type ConnectionOf } from './columns.js';
import { AdminLink, DetailPending, RelatedGrid } from './DetailParts.js';

type Tab = 'profile' | 'groups' | 'apps';
type UserApp = User['apps'][number];
type AppSortKey = 'label' | 'status' | 'via';

const groupGridColumns = groupColumns({ sortable: true, compact: true });

/**
 * "19 groups across 2 accounts: 10 in Acme Okta, 9 in Acme Entra", counted
 * from the listed objects themselves (so it always agrees with the grid
 * under it and with the people list's count); plain "3 groups" for one account.
 */
function acrossAccounts(noun: string, rows: readonly { connectionId: number }[], accounts: readonly AccountRef[]): string {
  const total = `${rows.length} ${noun}${rows.length === 1 ? '' : 's'}`;
  if (accounts.length < 2) return total;
  const per = accounts.map((a) => `${rows.filter((r) => r.connectionId === a.connectionId).length} in ${a.connectionName}`);
  return `${total} across ${accounts.length} accounts: ${per.join(', ')}`;
}

export function UserDetail({ target }: { target: ObjectRef }): ReactNode {
  const key = objectKey(target);
  const state = useAsync(key, (signal) => directory.user(target, signal));
  // The person's accounts in every IdP (correlation); the row's own list until this answers.
  const accounts = useAsync(`accounts|${key}`, (signal) => directory.accounts(target, signal));
  const idps = useConnectionsStore((s) => s.connections.filter((c) => c.kind === 'okta' || c.kind === 'entra').length);
  const connections = useConnectionsStore((s) => s.connections);
  const [tab, setTab] = useState<Tab>('profile');
  const user = state.data;
  // Groups and apps of accounts in several IdPs sit side by side (often with the same names): each says whose it is.
  const mixed = (user?.accounts.length ?? 0) > 1;
  const connectionOf = useMemo<ConnectionOf | undefined>(
    () => (mixed ? (cid: number) => connections.find((c) => c.id === cid) : undefined),
    [mixed, connections],
  );
  const groupGrid = useMemo(() => (connectionOf ? groupColumns({ sortable: true, compact: true, connectionOf }) : groupGridColumns), [connectionOf]);

  if (!user) {
    return (
      <DetailPending what="user" state={state}>
        <div className="detail-head">
          <SkeletonLines lines={3} label="Loading user" />
        </div>
        <SkeletonLines lines={8} label="Loading profile" />
      </DetailPending>
    );
  }

  const facts: [string, ReactNode][] = [
    ['Title', user.title ?? '—'],
    ['Department', user.department ?? '—'],
    [
      'Manager',
      user.managerId && user.managerName ? (
        <a
          href={`#/directory/users/${user.connectionId}/${encodeURIComponent(user.managerId)}`}
          className="link"
          aria-label={`Manager: ${user.managerName}`}
        >
          {user.managerName}
        </a>
      ) : (
        (user.managerName ?? '—')
      ),
    ],
    ['Employee type', user.employeeType ? humanize(user.employeeType) : '—'],
    ['Location', user.location ?? '—'],
    ['Employee number', user.employeeNumber ?? '—'],
    ['Last login', <RelativeTime key="ll" iso={user.lastLogin} flagStale />],
    ['Created', <AbsoluteTime key="created" iso={user.created} format="date" />],
    ['Last updated', <RelativeTime key="lu" iso={user.lastUpdated} never="—" />],
    ['Connection', user.connectionName],
  ];
  const profile = Object.entries(user.profile).sort(([a], [b]) => a.localeCompare(b));

  return (
    <div className="detail">
      <header className="detail-head">
        <span className="avatar avatar-lg" aria-hidden="true">
          {initials(user.displayName)}
        </span>
        <div className="detail-title">
          <h2>{user.displayName}</h2>
          <div className="detail-sub">
            <StatusBadge status={user.status} />
            <span className="mono">{user.login}</span>
            {user.email && user.email !== user.login ? <span>{user.email}</span> : null}
          </div>
        </div>
      </header>
      <AdminLink href={user.adminUrl} connectionId={user.connectionId} />
      {state.status === 'error' ? <InlineError message={state.error} onRetry={state.reload} /> : null}
      <dl className="facts">
        {facts.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      {idps > 1 || (accounts.data ?? user.accounts).length > 1 ? (
        <PersonAccounts
          accounts={accounts.data && accounts.data.length > 0 ? accounts.data : user.accounts}
          current={target}
          error={accounts.status === 'error' ? accounts.error : null}
          idps={idps}
        />
      ) : null}
      <Tabs
        id="user-detail"
        label="User detail sections"
        value={tab}
        onChange={setTab}
        items={[
          { key: 'profile', label: 'Profile attributes', count: profile.length },
          { key: 'groups', label: mixed ? 'Groups (all accounts)' : 'Groups', count: user.groups.length },
          { key: 'apps', label: mixed ? 'Apps (all accounts)' : 'Apps', count: user.apps.length },
        ]}
      />
      <div {...tabPanelProps('user-detail', tab)} className="tab-panel">
        {tab === 'profile' ? (
          profile.length === 0 ? (
            <p className="muted">The IdP returned no profile attributes.</p>
          ) : (
            <dl className="attr-list">
              {profile.map(([k, v]) => (
                <div key={k}>
                  <dt className="mono">{k}</dt>
                  <dd>{v === '' ? <span className="muted">(empty)</span> : v}</dd>
                </div>
              ))}
            </dl>
          )
        ) : tab === 'groups' ? (
          <>
            <p className="panel-summary" data-testid="groups-summary">
              {acrossAccounts('group', user.groups, user.accounts)}
            </p>
            <RelatedGrid
              label={mixed ? 'Groups of this person' : 'Groups of this user'}
              rows={user.groups}
              ownerKey={key}
              columns={groupGrid}
              initialSort="name"
              opens="groups"
              maxVisibleRows={12}
              empty={<EmptyState title="Not a member of any group" />}
            />
          </>
        ) : (
          <>
            <p className="panel-summary" data-testid="apps-summary">
              {acrossAccounts('app', user.apps.map((a) => a.app), user.accounts)}
            </p>
            <UserApps apps={user.apps} userKey={key} connectionOf={connectionOf} label={mixed ? 'Apps of this person' : 'Apps of this user'} />
          </>
        )}
      </div>
    </div>
  );
}

function UserApps({
  apps,
  userKey,
  connectionOf,
  label,
}: {
  apps: readonly UserApp[];
  userKey: string;
  /** Set when the apps come from accounts in several IdPs: an IdP column says whose each is. */
  connectionOf: ConnectionOf | undefined;
  label: string;
}): ReactNode {
  const [sort, setSort] = useState<SortState<AppSortKey>>({ key: 'label', dir: 'asc' });
  const columns = useMemo<GridColumn<UserApp, AppSortKey>[]>(
    () => [
      {
        id: 'label',
        header: 'App', truncate: true,
        width: 'minmax(150px, 1.2fr)',
        minWidth: 150,
        sortKey: 'label',
        render: (a) => <span className="cell-strong">{a.app.label}</span>,
        title: (a) => `${a.app.label} · ${signOnMode(a.app.signOnMode)}`,
      },
      ...(connectionOf
        ? [
            {
              id: 'idp',
              header: 'IdP',
              width: '84px',
              minWidth: 84,
              render: (a: UserApp) => {
                const c = connectionOf(a.app.connectionId);
                return c ? <span className={`account-badge kind-${c.kind}`}>{connectionKindLabel(c.kind)}</span> : <span className="muted">—</span>;
              },
              title: (a: UserApp) => connectionOf(a.app.connectionId)?.name,
            },
          ]
        : []),
      { id: 'status', header: 'Status', width: '110px', minWidth: 110, sortKey: 'status', render: (a) => <StatusBadge status={a.app.status} /> },
      {
        id: 'via',
        header: 'Granted through', truncate: true,
        width: 'minmax(180px, 2fr)',
        minWidth: 180,
        sortKey: 'via',
        render: (a) => (
          <span className="chips">
            {a.viaGroups.map((g) => (
              <span key={g.id} className="chip">
                {g.name}
              </span>
            ))}
          </span>
        ),
        title: (a) => a.viaGroups.map((g) => g.name).join(', '),
      },
    ],
    [connectionOf],
  );
  const fetchPage = useCallback(
    (offset: number, limit: number) =>
      Promise.resolve(
        localPage(apps, offset, limit, {
          sortValue: (a) => (sort.key === 'via' ? a.viaGroups.length : sort.key === 'status' ? a.app.status : a.app.label),
          dir: sort.dir,
        }),
      ),
    [apps, sort],
  );
  return (
    <DataGrid
      label={label}
      columns={columns}
      fetchPage={fetchPage}
      queryKey={`${userKey}|${sort.key}|${sort.dir}`}
      rowKey={(a: UserApp) => objectKey(a.app)}
      sort={sort}
      onSortChange={setSort}
      onOpen={(a) => navigate(routes.directory('apps', { connectionId: a.app.connectionId, id: a.app.id }))}
      maxVisibleRows={12}
      empty={<EmptyState title="No apps through groups" >None of this user’s groups is assigned to an app.</EmptyState>}
    />
  );
}

const matchedByText = (a: AccountRef): string =>
  a.matchedBy === 'email' ? 'matched by e-mail' : a.matchedBy === 'employee-id' ? 'matched by employee id' : 'first account';

/** The person's accounts across IdPs; each other account opens in the same drawer. */
function PersonAccounts({
  accounts,
  current,
  error,
  idps,
}: {
  accounts: readonly AccountRef[];
  current: ObjectRef;
  error: string | null;
  idps: number;
}): ReactNode {
  return (
    <section className="person-accounts" aria-label="Accounts of this person">
      <h3 className="section-title">
        Accounts <span className="tab-count">{accounts.length}</span>
      </h3>
      {error ? <InlineError message={error} /> : null}
      {accounts.length === 0 ? (
        <p className="muted">No account information yet.</p>
      ) : (
        <ul className="account-list">
          {accounts.map((a) => {
            const isCurrent = a.connectionId === current.connectionId && a.id === current.id;
            return (
              <li key={`${a.connectionId}/${a.id}`} className={isCurrent ? 'is-current' : undefined}>
                <AccountBadges accounts={[a]} />
                <span className="account-who">
                  <span className="account-conn">{a.connectionName}</span>
                  <span className="mono account-login" title={a.login}>
                    {a.login}
                  </span>
                </span>
                <StatusBadge status={a.status} />
                <span className="muted account-groups tabular">
                  {a.groupCount} group{a.groupCount === 1 ? '' : 's'}
                </span>
                <span className="muted account-match">{matchedByText(a)}</span>
                {isCurrent ? (
                  <span className="muted account-open">shown</span>
                ) : (
                  <a
                    className="link account-open"
                    href={formatRoute(routes.directory('users', { connectionId: a.connectionId, id: a.id }))}
                    aria-label={`Open the ${connectionKindLabel(a.kind)} account ${a.login}`}
                  >
                    Open
                  </a>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {idps > 1 && accounts.length === 1 ? (
        <p className="field-hint">No account in another identity provider was matched to this person (by e-mail, then employee id).</p>
      ) : null}
    </section>
  );
}
