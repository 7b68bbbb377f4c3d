// The Directory (#/directory/...): the snapshot's people (merged across IdPs), groups, apps and
// unmatched accounts, the connection picker, and the detail drawer a row opens.
import { useEffect, type ReactNode } from 'react';
import { useAsync } from '../hooks/useAsync.js';
import { ConnectionPicker } from '../components/Picker.js';
import { formatNumber } from '../lib/format.js';
import { formatRoute, navigate, routes, type DirectoryTab, type ObjectRef } from '../lib/router.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { useDashboardStore } from '../stores/dashboard-store.js';
import { directory, useDirectoryStore } from '../stores/directory-store.js';
import { AppDetail } from './directory/AppDetail.js';
import { AppsTab } from './directory/AppsTab.js';
import { objectKey } from './directory/columns.js';
import { DetailDrawer } from './directory/DetailDrawer.js';
import { GroupDetail } from './directory/GroupDetail.js';
import { GroupsTab } from './directory/GroupsTab.js';
import { UnmatchedTab } from './directory/UnmatchedTab.js';
import { UserDetail } from './directory/UserDetail.js';
import { UsersTab } from './directory/UsersTab.js';

const tabs: { tab: DirectoryTab; label: string; detailLabel: string }[] = [
  { tab: 'users', label: 'Users', detailLabel: 'User details' },
  { tab: 'groups', label: 'Groups', detailLabel: 'Group details' },
  { tab: 'apps', label: 'Apps', detailLabel: 'App details' },
  { tab: 'unmatched', label: 'Unmatched accounts', detailLabel: 'User details' },
];

export function DirectoryPage({ tab, detail }: { tab: DirectoryTab; detail: ObjectRef | null }): ReactNode {
  const summary = useDashboardStore((s) => s.summary);
  const loadSummary = useDashboardStore((s) => s.load);
  const connections = useConnectionsStore((s) => s.connections);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const connectionId = useDirectoryStore((s) => s.connectionId);
  const setConnection = useDirectoryStore((s) => s.setConnection);
  useEffect(() => {
    if (!summary) void loadSummary();
  }, [summary, loadSummary]);
  // A connection removed elsewhere must not stay picked.
  const connectionsReady = useConnectionsStore((s) => s.status === 'ready');
  useEffect(() => {
    if (connectionsReady && connectionId !== null && !connections.some((c) => c.id === connectionId)) setConnection(null);
  }, [connectionsReady, connections, connectionId, setConnection]);

  const idps = connections.filter((c) => c.kind === 'okta' || c.kind === 'entra');
  const issues = useAsync('issues', (signal) => directory.correlationIssues(signal), version);
  const issueCount = issues.data?.length ?? null;
  // People are matched across IdPs only when there are several; a lone IdP has nothing to match.
  const showUnmatched = idps.length > 1 || (issueCount ?? 0) > 0 || tab === 'unmatched';
  const all = connectionId === null;
  const counts: Record<DirectoryTab, number | null> = {
    // The summary counts the whole workspace; with one connection picked, the toolbar says how many.
    users: all ? (summary?.users ?? null) : null,
    groups: all ? (summary?.groups ?? null) : null,
    apps: all ? (summary?.apps ?? null) : null,
    unmatched: issueCount,
  };
  const close = (): void => {
    navigate(routes.directory(tab));
    // Back to the table the detail was opened from.
    requestAnimationFrame(() => document.querySelector<HTMLElement>('.dir-body [role="grid"]')?.focus({ preventScroll: true }));
  };
  const current = tabs.find((t) => t.tab === tab);

  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Directory</h1>
          <p className="page-sub">
            {all && idps.length > 1
              ? 'People across your identity providers, each once with all their accounts, from the last successful syncs.'
              : 'People, groups and apps from the last successful sync.'}
          </p>
        </div>
        {idps.length > 1 && tab !== 'unmatched' ? (
          <ConnectionPicker
            connections={idps}
            value={connectionId}
            onChange={setConnection}
            allLabel={tab === 'users' ? 'All people' : 'All connections'}
          />
        ) : null}
      </header>
      <nav className="tabnav" aria-label="Directory">
        {tabs
          .filter((t) => t.tab !== 'unmatched' || showUnmatched)
          .map((t) => (
            <a key={t.tab} className="tabnav-item" href={formatRoute(routes.directory(t.tab))} aria-current={t.tab === tab ? 'page' : undefined}>
              {t.label}
              {counts[t.tab] !== null ? (
                <span className={`tab-count${t.tab === 'unmatched' && (counts[t.tab] ?? 0) > 0 ? ' is-warn' : ''}`}>{formatNumber(counts[t.tab])}</span>
              ) : null}
            </a>
          ))}
      </nav>
      <div className="dir-body">
        {tab === 'users' ? (
          <UsersTab detail={detail} />
        ) : tab === 'groups' ? (
          <GroupsTab detail={detail} />
        ) : tab === 'apps' ? (
          <AppsTab detail={detail} />
        ) : (
          <UnmatchedTab state={issues} detail={detail} />
        )}
        {detail ? (
          <DetailDrawer label={current?.detailLabel ?? 'Details'} objectKey={`${tab}:${objectKey(detail)}`} onClose={close}>
            {tab === 'users' || tab === 'unmatched' ? (
              <UserDetail key={objectKey(detail)} target={detail} />
            ) : tab === 'groups' ? (
              <GroupDetail key={objectKey(detail)} target={detail} />
            ) : (
              <AppDetail key={objectKey(detail)} target={detail} />
            )}
          </DetailDrawer>
        ) : null}
      </div>
    </div>
  );
}
