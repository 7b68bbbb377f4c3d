import type { ReactNode } from 'react';


export function AttentionPage(): ReactNode {
  return (
    <div className="page">
      <header className="page-header">
        <h1>Attention</h1>
      </header>
    </div>
  );
}
