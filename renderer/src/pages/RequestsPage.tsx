import type { ReactNode } from 'react';
import type { RequestFilter } from '../lib/router.js';

export function RequestsPage({ filter: _filter, requestId: _requestId }: { filter: RequestFilter; requestId: number | null }): ReactNode {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Requests</h1>
      </header>
    </div>
  );
}
