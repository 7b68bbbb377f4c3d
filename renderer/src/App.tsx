// The console's shell: loads the workspace info and the connections, wires engine events to the
// stores once (stores/wire-events.ts), and lays out the sidebar, the top bar and the page the hash
// route names.
import { useEffect, type ReactNode } from 'react';
import { InlineError } from './components/InlineError.js';
import { Logo } from './components/Icons.js';
import { ReadOnlyBanner } from './components/ReadOnlyBanner.js';
import { Sidebar } from './components/Sidebar.js';
import { Toasts } from './components/Toasts.js';
import { TopBar } from './components/TopBar.js';
import { useRoute } from './hooks/useRoute.js';
import { type Route } from './lib/router.js';
import { AccessPage } from './pages/AccessPage.js';
import { AuditPage } from './pages/AuditPage.js';
import { AttentionPage } from './pages/AttentionPage.js';
import { CatalogPage } from './pages/CatalogPage.js';
import { ChangesPage } from './pages/ChangesPage.js';
import { RequestsPage } from './pages/RequestsPage.js';
import { ReviewsPage } from './pages/ReviewsPage.js';
import { ConnectionsPage } from './pages/ConnectionsPage.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { DirectoryPage } from './pages/DirectoryPage.js';
import { EvidencePage } from './pages/EvidencePage.js';
import { HrPage } from './pages/HrPage.js';
import { NotificationsPage } from './pages/NotificationsPage.js';
import { PoliciesPage } from './pages/PoliciesPage.js';
import { PlansPage } from './pages/PlansPage.js';
import { READ_ONLY_REASON, useAppStore } from './stores/app-store.js';
import { useConnectionsStore } from './stores/connections-store.js';
import { wireEvents } from './stores/wire-events.js';

function Page({ route }: { route: Route }): ReactNode {
  switch (route.page) {
    case 'dashboard':
      return <DashboardPage />;
    case 'catalog':
      return <CatalogPage tab={route.tab} roleId={route.roleId} />;
    case 'requests':
      return <RequestsPage filter={route.filter} requestId={route.requestId} />;
    case 'attention':
      return <AttentionPage section={route.section} />;
    case 'access':
      return <AccessPage filter={route.filter} withinHours={route.withinHours} />;
    case 'reviews':
      return <ReviewsPage route={route} />;
    case 'evidence':
      return <EvidencePage />;
    case 'hr':
      return <HrPage />;
    case 'notifications':
      return <NotificationsPage />;
    case 'policies':
      return <PoliciesPage policyId={route.policyId} />;
    case 'plans':
      return <PlansPage planId={route.planId} />;
    case 'connections':
      return <ConnectionsPage adding={route.adding} />;
    case 'directory':
      return <DirectoryPage tab={route.tab} detail={route.detail} />;
    case 'changes':
      return <ChangesPage view={route.view} />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <div className="page">
          <header className="page-header">
            <h1>Page not found</h1>
          </header>
          <p className="muted">
            Nothing lives at <code>#/{route.path}</code>. <a href="#/dashboard">Go to the dashboard</a>.
          </p>
        </div>
      );
  }
}

export function App(): ReactNode {
  const route = useRoute();
  const status = useAppStore((s) => s.status);
  const error = useAppStore((s) => s.error);
  const load = useAppStore((s) => s.load);

  useEffect(() => {
    void load();
    const c = useConnectionsStore.getState();
    void c.load();
    void c.loadActive();
    return wireEvents();
  }, [load]);

  useEffect(() => {
    const title =
      route.page === 'directory'
        ? `Directory · ${route.tab}`
        : route.page === 'changes'
          ? route.view.mode === 'compare'
            ? 'Changes · compare runs'
            : 'Changes'
          : route.page === 'catalog'
            ? 'Catalog'
            : route.page === 'requests'
              ? 'Requests'
              : route.page === 'attention'
                ? 'Needs attention'
                : route.page === 'access'
                  ? 'Access'
                : route.page === 'reviews'
                  ? 'Reviews'
                : route.page === 'audit'
                  ? 'Audit log'
                : route.page === 'evidence'
                  ? 'Evidence'
                : route.page === 'hr'
                  ? 'HR feed'
                : route.page === 'notifications'
                  ? 'Notifications'
                : route.page === 'policies'
                  ? 'Policies'
                : route.page === 'plans'
                  ? 'Plans'
                : route.page === 'connections'
            ? 'Connections'
            : route.page === 'dashboard'
              ? 'Dashboard'
              : 'Not found';
    document.title = `${title} — Latchkey`;
  }, [route]);

  if (status === 'error') {
    return (
      <div className="fatal">
        <div className="fatal-card">
          <Logo size={32} />
          <h1>Latchkey can’t reach its engine</h1>
          <InlineError message={error ?? 'Unknown error'} onRetry={() => void load()} />
          <p className="muted">
            If the engine was restarted, open the new link it printed: each launch of <code>latchkey serve</code> has
            its own link, and each link opens the console once, in one browser.
          </p>
        </div>
      </div>
    );
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main" onClick={(e) => {
        e.preventDefault();
        document.getElementById('main')?.focus();
      }}>
        Skip to content
      </a>
      <Sidebar route={route} />
      <div className="shell-main">
        <TopBar />
        <ReadOnlyBanner />
        <main id="main" className="content" tabIndex={-1}>
          <Page route={route} />
        </main>
      </div>
      <Toasts />
      <span id="read-only-reason" hidden>
        {READ_ONLY_REASON}
      </span>
    </div>
  );
}

