// The left navigation: one entry per page, the Needs attention count as a badge (the jobs store
// keeps it fresh whatever page is open), the signed-in reviewer's open review items as another
// (the reviews store), and the app's version.
import { useEffect, type ReactNode } from 'react';
import { formatRoute, routes, type Route } from '../lib/router.js';
import { useAppStore } from '../stores/app-store.js';
import { useJobsStore } from '../stores/jobs-store.js';
import { useOperatorStore } from '../stores/operator-store.js';
import { myOpenItems, useReviewsStore } from '../stores/reviews-store.js';
import { IconAttention, IconAudit, IconCatalog, IconConnections, IconDashboard, IconDirectory, IconEvidence, IconHistory, IconHr, IconKey, IconPlans, IconRequests, IconReviews, Logo } from './Icons.js';

const items = [
  { page: 'dashboard', label: 'Dashboard', icon: IconDashboard, to: routes.dashboard() },
  { page: 'directory', label: 'Directory', icon: IconDirectory, to: routes.directory('users') },
  { page: 'catalog', label: 'Catalog', icon: IconCatalog, to: routes.catalog() },
  { page: 'requests', label: 'Requests', icon: IconRequests, to: routes.requests() },
  { page: 'access', label: 'Access', icon: IconKey, to: routes.access() },
  { page: 'reviews', label: 'Reviews', icon: IconReviews, to: routes.reviews() },
  { page: 'attention', label: 'Needs attention', icon: IconAttention, to: routes.attention() },
  { page: 'evidence', label: 'Evidence', icon: IconEvidence, to: routes.evidence() },
  { page: 'hr', label: 'HR feed', icon: IconHr, to: routes.hr() },
  { page: 'notifications', label: 'Notifications', icon: IconAttention, to: routes.notifications() },
  { page: 'policies', label: 'Policies', icon: IconKey, to: routes.policies() },
  { page: 'plans', label: 'Plans', icon: IconPlans, to: routes.plans() },
  { page: 'changes', label: 'Changes', icon: IconHistory, to: routes.changes() },
  { page: 'audit', label: 'Audit log', icon: IconAudit, to: routes.audit() },
  { page: 'connections', label: 'Connections', icon: IconConnections, to: routes.connections() },
] as const;

export function Sidebar({ route }: { route: Route }): ReactNode {
  const info = useAppStore((s) => s.info);
  const attention = useJobsStore((s) => s.view?.counts.total ?? 0);
  const reviewItems = useReviewsStore((s) => myOpenItems(s.campaigns));
  const person = useOperatorStore((s) => s.person);
  const loadReviews = useReviewsStore((s) => s.loadList);
  // The count is the signed-in reviewer's: read again when who is at the console changes.
  useEffect(() => {
    void loadReviews();
  }, [loadReviews, person]);
  return (
    <aside className="sidebar">
      <div className="brand">
        <Logo />
        <span className="brand-name">Latchkey</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav">
          {items.map((item) => {
            const Icon = item.icon;
            const current = route.page === item.page;
            return (
              <li key={item.page}>
                <a className="nav-item" href={formatRoute(item.to)} aria-current={current ? 'page' : undefined}>
                  <Icon />
                  <span>{item.label}</span>
                  {item.page === 'attention' && attention > 0 ? (
                    <span className="nav-count" aria-label={`${attention} item${attention === 1 ? '' : 's'} need attention`}>
                      {attention > 999 ? '999+' : attention}
                    </span>
                  ) : null}
                  {item.page === 'reviews' && reviewItems > 0 ? (
                    <span className="nav-count" aria-label={`${reviewItems} review item${reviewItems === 1 ? '' : 's'} to decide`}>
                      {reviewItems > 999 ? '999+' : reviewItems}
                    </span>
                  ) : null}
                </a>
              </li>
            );
          })}
        </ul>
      </nav>
      <div className="sidebar-foot">
        {info ? (
          <span title={`Schema version ${info.schemaVersion}`}>
            Latchkey {info.version}
          </span>
        ) : null}
      </div>
    </aside>
  );
}
