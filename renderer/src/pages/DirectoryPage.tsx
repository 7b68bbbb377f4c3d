import { useEffect, type ReactNode } from 'react';
import { formatNumber } from '../lib/format.js';
import { formatRoute, navigate, routes, type DirectoryTab, type ObjectRef } from '../lib/router.js';
import { useDashboardStore } from '../stores/dashboard-store.js';
import { AppDetail } from './directory/AppDetail.js';
import { AppsTab } from './directory/AppsTab.js';
import { objectKey } from './directory/columns.js';
import { DetailDrawer } from './directory/DetailDrawer.js';
import { GroupDetail } from './directory/GroupDetail.js';
import { GroupsTab } from './directory/GroupsTab.js';
import { UserDetail } from './directory/UserDetail.js';
import { UsersTab } from './directory/UsersTab.js';

const tabs: { tab: DirectoryTab; label: string; detailLabel: string }[] = [
  { tab: 'users', label: 'Users', detailLabel: 'User details' },
  { tab: 'groups', label: 'Groups', detailLabel: 'Group details' },
  { tab: 'apps', label: 'Apps', detailLabel: 'App details' },
];

export function DirectoryPage({ tab, detail }: { tab: DirectoryTab; detail: ObjectRef | null }): ReactNode {
  const summary = useDashboardStore((s) => s.summary);
  const loadSummary = useDashboardStore((s) => s.load);
  useEffect(() => {
    if (!summary) void loadSummary();
  }, [summary, loadSummary]);
  const counts: Record<DirectoryTab, number | null> = {
    users: summary?.users ?? null,
    groups: summary?.groups ?? null,
    apps: summary?.apps ?? null,
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
          <p className="page-sub">People, groups and apps from the last successful sync.</p>
        </div>
      </header>
      <nav className="tabnav" aria-label="Directory">
        {tabs.map((t) => (
          <a key={t.tab} className="tabnav-item" href={formatRoute(routes.directory(t.tab))} aria-current={t.tab === tab ? 'page' : undefined}>
            {t.label}
            {counts[t.tab] !== null ? <span className="tab-count">{formatNumber(counts[t.tab])}</span> : null}
          </a>
        ))}
      </nav>
      <div className="dir-body">
        {tab === 'users' ? <UsersTab detail={detail} /> : tab === 'groups' ? <GroupsTab detail={detail} /> : <AppsTab detail={detail} />}
        {detail ? (
          <DetailDrawer label={current?.detailLabel ?? 'Details'} objectKey={`${tab}:${objectKey(detail)}`} onClose={close}>
            {tab === 'users' ? (
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
