// The Catalog page: its tabs (apps, suggestions, coverage), export and import, and one role's page.
import { useEffect, useState, type ReactNode } from 'react';
import { IconAlert } from '../components/Icons.js';
import { formatNumber } from '../lib/format.js';
import { formatRoute, routes, type CatalogTab } from '../lib/router.js';
import { useCatalogStore } from '../stores/catalog-store.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { AppsTab } from './catalog/AppsTab.js';
import { CoverageTab } from './catalog/CoverageTab.js';
import { CatalogImportPanel, ImportExport } from './catalog/ImportExport.js';
import { RoleDetail } from './catalog/RoleDetail.js';
import { SuggestionsTab } from './catalog/SuggestionsTab.js';

const tabs: { tab: CatalogTab; label: string }[] = [
  { tab: 'apps', label: 'Apps' },
  { tab: 'suggestions', label: 'Suggestions' },
  { tab: 'coverage', label: 'Coverage' },
];

/** The catalog: apps and roles mapped to IdP groups, suggestions from the snapshot, and coverage. */
export function CatalogPage({ tab, roleId }: { tab: CatalogTab; roleId: number | null }): ReactNode {
  const load = useCatalogStore((s) => s.load);
  const listing = useCatalogStore((s) => s.listing);
  const connectionsStatus = useConnectionsStore((s) => s.status);
  const loadConnections = useConnectionsStore((s) => s.load);
  const [importing, setImporting] = useState(false);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (connectionsStatus === 'idle') void loadConnections();
  }, [connectionsStatus, loadConnections]);

  if (roleId !== null) return <RoleDetail key={roleId} roleId={roleId} />;

  const appCount = listing?.apps.length ?? null;
  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Catalog</h1>
          <p className="page-sub">What people can request: apps, their roles, and the IdP groups each role grants.</p>
        </div>
        <ImportExport importing={importing} onImport={() => setImporting(true)} />
      </header>
      {importing ? (
        // Like the request import, the panel takes the tabs' place: the split panes below fill the page.
        <CatalogImportPanel onClose={() => setImporting(false)} />
      ) : (
        <>
          <nav className="tabnav" aria-label="Catalog">
            {tabs.map((t) => (
              <a key={t.tab} className="tabnav-item" href={formatRoute(routes.catalog(t.tab))} aria-current={t.tab === tab ? 'page' : undefined}>
                {t.label}
                {t.tab === 'apps' && appCount !== null ? <span className="tab-count">{formatNumber(appCount)}</span> : null}
                {t.tab === 'apps' && (listing?.problemCount ?? 0) > 0 ? (
                  <span className="tab-count is-warn" title="Mappings with problems" aria-label={`${formatNumber(listing?.problemCount)} mappings with problems`}>
                    <IconAlert size={11} /> {formatNumber(listing?.problemCount)}
                  </span>
                ) : null}
              </a>
            ))}
          </nav>
          <div className="catalog-body">{tab === 'apps' ? <AppsTab /> : tab === 'suggestions' ? <SuggestionsTab /> : <CoverageTab />}</div>
        </>
      )}
    </div>
  );
}
