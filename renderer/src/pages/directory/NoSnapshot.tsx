// What a Directory table shows while the snapshot is empty: add a connection, or go and sync the one
// there is.
import type { ReactNode } from 'react';
import { EmptyState } from '../../components/EmptyState.js';
import { WriteButton } from '../../components/WriteButton.js';
import { navigate, routes } from '../../lib/router.js';

/** The empty state of a directory table when the snapshot itself is empty. */
export function NoSnapshot({ what, hasConnections }: { what: string; hasConnections: boolean }): ReactNode {
  return hasConnections ? (
    <EmptyState
      title={`No ${what} in the snapshot yet`}
      action={
        <button type="button" className="btn btn-primary" onClick={() => navigate(routes.connections())}>
          Go to Connections
        </button>
      }
    >
      Run a sync from Connections to take a snapshot of your org.
    </EmptyState>
  ) : (
    <EmptyState
      title="No connection yet — add your Okta org or Entra tenant in Connections"
      action={
        <WriteButton className="btn btn-primary" onClick={() => navigate(routes.connections(true))}>
          Add connection
        </WriteButton>
      }
    >
      {`Once it has synced, its ${what} show up here.`}
    </EmptyState>
  );
}
