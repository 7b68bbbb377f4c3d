// The Connections page (#/connections): each IdP and Jira connection as a card, "Add connection",
// operator sign-in settings, and the sync history.
import { useEffect, type ReactNode } from 'react';
import { EmptyState } from '../components/EmptyState.js';
import { IconPlug, IconPlus } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { SkeletonLines } from '../components/Skeleton.js';
import { SyncRunsGrid } from '../components/SyncRunsGrid.js';
import { WriteButton } from '../components/WriteButton.js';
import { navigate, routes } from '../lib/router.js';
import { useReadOnly } from '../stores/app-store.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { AddConnectionForm } from './AddConnectionForm.js';
import { ConnectionCard } from './ConnectionCard.js';
import { SignInSettings } from './connections/SignInSettings.js';

export function ConnectionsPage({ adding }: { adding: boolean }): ReactNode {
  const connections = useConnectionsStore((s) => s.connections);
  const status = useConnectionsStore((s) => s.status);
  const error = useConnectionsStore((s) => s.error);
  const load = useConnectionsStore((s) => s.load);
  const runs = useConnectionsStore((s) => s.runs);
  const runsStatus = useConnectionsStore((s) => s.runsStatus);
  const runsError = useConnectionsStore((s) => s.runsError);
  const loadRuns = useConnectionsStore((s) => s.loadRuns);
  const readOnly = useReadOnly();
  const showForm = adding && !readOnly;

  useEffect(() => {
    void load();
    void loadRuns();
  }, [load, loadRuns]);

  return (
    <div className="page">
      <header className="page-header">
        <div>
          <h1>Connections</h1>
          <p className="page-sub">Identity providers this workspace syncs from. Credentials live in the OS keychain.</p>
        </div>
        {!showForm ? (
          <WriteButton className="btn btn-primary" onClick={() => navigate(routes.connections(true))}>
            <IconPlus /> Add connection
          </WriteButton>
        ) : null}
      </header>

      {showForm ? <AddConnectionForm onDone={() => navigate(routes.connections(false))} /> : null}

      {status === 'error' && error ? <InlineError title="Couldn’t load connections" message={error} onRetry={() => void load()} /> : null}
      {status === 'loading' ? (
        <section className="card">
          <SkeletonLines lines={4} label="Loading connections" />
        </section>
      ) : null}
      {status === 'ready' && connections.length === 0 && !showForm ? (
        <section className="card">
          <EmptyState icon={<IconPlug size={28} />} title="No connection yet">
            Use “Add connection” to connect an Okta org (API token or OAuth service app) or a Microsoft Entra ID
            tenant (app registration with a client secret or certificate). Latchkey only reads unless you grant{' '}
            <code>okta.groups.manage</code> or <code>GroupMember.ReadWrite.All</code>.
          </EmptyState>
        </section>
      ) : null}
      {connections.map((c) => (
        <ConnectionCard key={c.id} connection={c} />
      ))}
      {status === 'ready' && connections.length > 0 ? <SignInSettings connections={connections} /> : null}

      <section className="card card-flush" aria-labelledby="history-title">
        <div className="card-head">
          <h2 id="history-title">Sync history</h2>
        </div>
        {runsStatus === 'error' && runsError ? (
          <div className="card-body">
            <InlineError message={runsError} onRetry={() => void loadRuns()} />
          </div>
        ) : (
          <SyncRunsGrid
            runs={runs}
            loading={runsStatus === 'loading' || runsStatus === 'idle'}
            maxVisibleRows={10}
            empty={<EmptyState title="No sync has run yet">Press “Sync now” on a connection to take the first snapshot.</EmptyState>}
          />
        )}
      </section>
    </div>
  );
}
