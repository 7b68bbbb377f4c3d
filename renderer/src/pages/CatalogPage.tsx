import type { ReactNode } from 'react';
import type { CatalogTab } from '../lib/router.js';

export function CatalogPage({ tab: _tab, roleId: _roleId }: { tab: CatalogTab; roleId: number | null }): ReactNode {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Catalog</h1>
      </header>
    </div>
  );
}
