// Column definitions shared by every table that shows the same kind of row
// (the users table and a group's members; the groups table and a user's groups).
import { useMemo } from 'react';
import type { AccountRef, AppRow, GroupRow, UserRow } from '../../../../shared/domain.js';
import { Badge, ManagedByBadge, StatusBadge } from '../../components/Badges.js';
import { AccountBadges } from '../../components/ChangeBadges.js';
import type { GridColumn } from '../../components/DataGrid.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { connectionKindLabel, formatAbsolute, formatNumber, humanize, initials } from '../../lib/format.js';
import { useConnectionsStore } from '../../stores/connections-store.js';
import { useDirectoryStore, type AppSort, type GroupSort, type UserSort } from '../../stores/directory-store.js';

export const objectKey = (r: { connectionId: number; id: string }): string => `${r.connectionId}/${r.id}`;

/**
 * The users table's columns. With `accounts`, a column says which IdPs the
 * person has an account in ("Okta · Entra"), for the merged people list.
 */
export function userColumns(options: { accounts?: (r: UserRow) => readonly AccountRef[] } = {}): GridColumn<UserRow, UserSort>[] {
  const accounts = options.accounts;
  // The people list counts a person's groups in every IdP (what their detail lists); an accounts list, the account's.
  const groups = (r: UserRow): number => (accounts ? r.personGroupCount : r.groupCount);
  const cols: GridColumn<UserRow, UserSort>[] = [
    {
      id: 'name',
      header: 'Name', truncate: true,
      width: 'minmax(160px, 1.5fr)',
      minWidth: 160,
      sortKey: 'displayName',
      render: (r) => (
        <span className="cell-person">
          <span className="avatar" aria-hidden="true">
            {initials(r.displayName)}
          </span>
          <span className="cell-strong">{r.displayName}</span>
        </span>
      ),
      title: (r) => r.displayName,
    },
    { id: 'login', header: 'Login', truncate: true, width: 'minmax(130px, 1.3fr)', minWidth: 130, sortKey: 'login', render: (r) => r.login, title: (r) => r.login },
    {
      id: 'email',
      header: 'Email', truncate: true,
      width: 'minmax(130px, 1.3fr)',
      minWidth: 130,
      sortKey: 'email',
      render: (r) => r.email ?? <span className="muted">—</span>,
      title: (r) => r.email ?? undefined,
    },
    { id: 'status', header: 'Status', width: '118px', minWidth: 118, sortKey: 'status', render: (r) => <StatusBadge status={r.status} /> },
    {
      id: 'department',
      header: 'Department', truncate: true,
      width: 'minmax(100px, 1fr)',
      minWidth: 100,
      sortKey: 'department',
      render: (r) => r.department ?? <span className="muted">—</span>,
      title: (r) => r.department ?? undefined,
    },
    {
      id: 'title',
      header: 'Title', truncate: true,
      width: 'minmax(120px, 1.1fr)',
      minWidth: 120,
      sortKey: 'title',
      render: (r) => r.title ?? <span className="muted">—</span>,
      title: (r) => r.title ?? undefined,
    },
    {
      id: 'manager',
      header: 'Manager', truncate: true,
      width: 'minmax(110px, 1fr)',
      minWidth: 110,
      sortKey: 'manager',
      render: (r) => r.managerName ?? <span className="muted">—</span>,
      title: (r) => r.managerName ?? undefined,
    },
    {
      id: 'lastLogin',
      header: 'Last login',
      width: '106px',
      minWidth: 106,
      sortKey: 'lastLogin',
      render: (r) => <RelativeTime iso={r.lastLogin} flagStale />,
      title: (r) => (r.lastLogin ? formatAbsolute(r.lastLogin) : 'Never logged in'),
    },
    {
      id: 'groups',
      header: 'Groups',
      width: '90px',
      minWidth: 90,
      sortKey: 'groupCount',
      align: 'end',
      render: (r) => <span className="tabular">{formatNumber(groups(r))}</span>,
      title: (r) => groupsTitle(groups(r), accounts ? accounts(r) : []),
    },
  ];
  if (accounts) {
    cols.splice(1, 0, {
      id: 'accounts',
      header: 'Accounts',
      width: '124px',
      minWidth: 124,
      render: (r) => <AccountBadges accounts={accounts(r)} />,
      title: (r) =>
        accounts(r)
          .map((a) => `${a.connectionName}: ${a.login}`)
          .join('\n'),
    });
  }
  return cols;
}

/** "19 groups across 2 accounts: 10 in Acme Okta, 9 in Acme Entra" (one account: "3 groups"). */
export function groupsTitle(total: number, accounts: readonly Pick<AccountRef, 'connectionName' | 'groupCount'>[]): string {
  const head = `${formatNumber(total)} group${total === 1 ? '' : 's'}`;
  if (accounts.length < 2) return head;
  return `${head} across ${accounts.length} accounts: ${accounts.map((a) => `${formatNumber(a.groupCount)} in ${a.connectionName}`).join(', ')}`;
}

const groupTypeLabel: Record<string, string> = {
  OKTA_GROUP: 'Okta group',
  APP_GROUP: 'App group',
  BUILT_IN: 'Built-in',
  Security: 'Security',
  MailEnabledSecurity: 'Mail-enabled security',
  Microsoft365: 'Microsoft 365',
  Dynamic: 'Dynamic',
  Distribution: 'Distribution',
};
export const groupType = (t: string): string => groupTypeLabel[t] ?? humanize(t);

/** Where a row comes from, for lists that mix IdPs ("All connections"). */
export type ConnectionOf = (connectionId: number) => { kind: string; name: string } | undefined;

/**
 * With several IdPs and no connection picked, same-named groups/apps of each
 * IdP sit side by side: the lookup that says whose each is; undefined when
 * the list holds one IdP's objects only.
 */
export function useConnectionOf(): ConnectionOf | undefined {
  const connections = useConnectionsStore((s) => s.connections);
  const connectionId = useDirectoryStore((s) => s.connectionId);
  const mixed = connectionId === null && connections.filter((c) => c.kind === 'okta' || c.kind === 'entra').length > 1;
  return useMemo(() => (mixed ? (id: number) => connections.find((c) => c.id === id) : undefined), [mixed, connections]);
}

/** An "IdP" column: the row's connection as a kind badge (its name in the tooltip). */
function idpColumn<T extends { connectionId: number }, S extends string>(connectionOf: ConnectionOf): GridColumn<T, S> {
  return {
    id: 'idp',
    header: 'IdP',
    width: '84px',
    minWidth: 84,
    render: (r) => {
      const c = connectionOf(r.connectionId);
      return c ? <span className={`account-badge kind-${c.kind}`}>{connectionKindLabel(c.kind)}</span> : <span className="muted">—</span>;
    },
    title: (r) => connectionOf(r.connectionId)?.name,
  };
}

export function groupColumns(options: { sortable: boolean; compact?: boolean; connectionOf?: ConnectionOf }): GridColumn<GroupRow, GroupSort>[] {
  const s = <K extends GroupSort>(k: K): K | undefined => (options.sortable ? k : undefined);
  const cols: GridColumn<GroupRow, GroupSort>[] = [
    {
      id: 'name',
      header: 'Name', truncate: true,
      width: 'minmax(220px, 2fr)',
      minWidth: options.compact ? 180 : 220,
      ...(s('name') ? { sortKey: 'name' as const } : {}),
      render: (r) => (
        <span className="cell-two">
          <span className="cell-strong">{r.name}</span>
          {r.description && !options.compact ? <span className="muted">{r.description}</span> : null}
        </span>
      ),
      title: (r) => (r.description ? `${r.name} — ${r.description}` : r.name),
    },
    {
      id: 'type',
      header: 'Type',
      width: '110px',
      minWidth: 110,
      ...(s('type') ? { sortKey: 'type' as const } : {}),
      render: (r) => <Badge title={r.type}>{groupType(r.type)}</Badge>,
    },
    {
      id: 'managedBy',
      header: 'Managed by', truncate: true,
      width: options.compact ? 'minmax(150px, 1fr)' : 'minmax(200px, 1.4fr)',
      minWidth: options.compact ? 150 : 200,
      ...(s('managedBy') ? { sortKey: 'managedBy' as const } : {}),
      render: (r) => <ManagedByBadge managedBy={r.managedBy} name={options.compact ? null : r.managedByName} />,
      title: (r) => r.managedByName ?? undefined,
    },
    {
      id: 'members',
      header: 'Members',
      width: '104px',
      minWidth: 104,
      align: 'end',
      ...(s('memberCount') ? { sortKey: 'memberCount' as const } : {}),
      render: (r) => <span className="tabular">{formatNumber(r.memberCount)}</span>,
    },
  ];
  if (!options.compact) {
    cols.push({
      id: 'changed',
      header: 'Membership changed',
      width: '170px',
      minWidth: 170,
      render: (r) => <RelativeTime iso={r.lastMembershipUpdated} never="—" />,
    });
  }
  if (options.connectionOf) cols.splice(1, 0, idpColumn<GroupRow, GroupSort>(options.connectionOf));
  return cols;
}

const signOnLabel: Record<string, string> = {
  SAML_2_0: 'SAML 2.0',
  SAML_1_1: 'SAML 1.1',
  OPENID_CONNECT: 'OpenID Connect',
  WS_FEDERATION: 'WS-Federation',
  BOOKMARK: 'Bookmark',
  AUTO_LOGIN: 'Auto login',
  BASIC_AUTH: 'Basic auth',
  BROWSER_PLUGIN: 'Browser plugin (SWA)',
  SECURE_PASSWORD_STORE: 'Secure password store',
};
export const signOnMode = (m: string | null): string => (m ? (signOnLabel[m] ?? humanize(m)) : '—');

export function appColumns(options: { sortable: boolean; connectionOf?: ConnectionOf }): GridColumn<AppRow, AppSort>[] {
  const s = <K extends AppSort>(k: K): K | undefined => (options.sortable ? k : undefined);
  const cols: GridColumn<AppRow, AppSort>[] = [
    {
      id: 'label',
      header: 'App', truncate: true,
      width: 'minmax(220px, 2fr)',
      minWidth: 220,
      ...(s('label') ? { sortKey: 'label' as const } : {}),
      render: (r) => (
        <span className="cell-person">
          <span className="app-icon" aria-hidden="true">
            {initials(r.label).charAt(0)}
          </span>
          <span className="cell-two">
            <span className="cell-strong">{r.label}</span>
            <span className="muted mono">{r.name}</span>
          </span>
        </span>
      ),
      title: (r) => `${r.label} (${r.name})`,
    },
    {
      id: 'status',
      header: 'Status',
      width: '120px',
      minWidth: 120,
      ...(s('status') ? { sortKey: 'status' as const } : {}),
      render: (r) => <StatusBadge status={r.status} />,
    },
    {
      id: 'signOn',
      header: 'Sign-on mode',
      width: 'minmax(150px, 1fr)',
      minWidth: 150,
      render: (r) => signOnMode(r.signOnMode),
      title: (r) => r.signOnMode ?? undefined,
    },
    {
      id: 'groups',
      header: 'Assigned groups',
      width: '130px',
      minWidth: 130,
      align: 'end',
      ...(s('groupCount') ? { sortKey: 'groupCount' as const } : {}),
      render: (r) => <span className="tabular">{formatNumber(r.groupCount)}</span>,
    },
  ];
  if (options.connectionOf) cols.splice(1, 0, idpColumn<AppRow, AppSort>(options.connectionOf));
  return cols;
}
