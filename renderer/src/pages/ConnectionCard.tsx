// One connection on the Connections page: its facts, Test, Sync now / Full sync, live progress and
// last outcome, its sync scope, Remove, and for Jira the JSM import and write-back status.
import { useEffect, useId, useState, type ReactNode } from 'react';
import type { ConnectionSummary, SyncRunSummary } from '../../../shared/domain.js';
import { errorMessage } from '../api/client.js';
import { Badge, SyncStatusBadge } from '../components/Badges.js';
import { RunChangeCounts, RunModeBadge } from '../components/ChangeBadges.js';
import { ConfirmDialog } from '../components/ConfirmDialog.js';
import { IconAlert, IconCheck, IconExternal, IconRefresh, IconSettings, IconTrash } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { SkeletonLines } from '../components/Skeleton.js';
import { SyncProgressPanel } from '../components/SyncProgressPanel.js';
import { WriteButton } from '../components/WriteButton.js';
import { connectionKindLabel, formatDuration, formatNumber, formatPercent, withLocalTimes } from '../lib/format.js';
import { describeScope, isUnlimited } from '../lib/scope.js';
import { useConnectionsStore, type TestState } from '../stores/connections-store.js';
import { toast } from '../stores/toast-store.js';
import { JiraStatusNames } from './connections/JiraStatusNames.js';
import { ScopeEditor } from './ScopeEditor.js';

function RunCounts({ run }: { run: SyncRunSummary }): ReactNode {
  return (
    <span className="run-counts tabular">
      {formatNumber(run.users)} users · {formatNumber(run.groups)} groups · {formatNumber(run.memberships)} memberships ·{' '}
      {formatNumber(run.apps)} apps · {formatNumber(run.appAssignments)} app assignments ·{' '}
      <span title="Calls this run made to the IdP's API (pages, lookups and retries), not access requests">{formatNumber(run.requests)} API calls</span>
      {run.throttledWaits > 0 ? ` · ${formatNumber(run.throttledWaits)} throttled waits` : ''}
      {run.rateLimited > 0 ? ` · ${formatNumber(run.rateLimited)} × 429` : ''}
    </span>
  );
}

/** Jira: the JSM import's last poll and the write-back queue, with "Poll now"; the store re-reads it when governance data changes. */
function JiraPanel({ c }: { c: ConnectionSummary }): ReactNode {
  const status = useConnectionsStore((s) => s.jira);
  const loadError = useConnectionsStore((s) => s.jiraError);
  const loadJira = useConnectionsStore((s) => s.loadJira);
  const pollJira = useConnectionsStore((s) => s.pollJira);
  const [pollError, setPollError] = useState<string | null>(null);
  const [polling, setPolling] = useState(false);
  useEffect(() => {
    // Fresh on arrival; after that engine events keep it current (stores/wire-events.ts).
    void loadJira();
  }, [loadJira]);
  const pollNow = async (): Promise<void> => {
    setPolling(true);
    setPollError(null);
    try {
      const { imported, skipped, decided, errors } = await pollJira(c.id);
      if (errors[0]) setPollError(errors[0].error);
      else toast.success(`${imported.length} imported, ${skipped.length} refused (commented in Jira), ${decided.length} decisions read back.`, 'JSM polled');
    } catch (e) {
      setPollError(errorMessage(e));
    } finally {
      setPolling(false);
    }
  };
  const error = pollError ?? loadError;
  const mine = status?.connection?.id === c.id ? status : null;
  return (
    <div className="last-sync" data-testid="jira-status">
      <span className="last-sync-label">Jira</span>
      {mine ? (
        <>
          <span>
            {mine.pendingWriteBacks} write-back{mine.pendingWriteBacks === 1 ? '' : 's'} waiting
            {mine.failedWriteBacks > 0 ? `, ${mine.failedWriteBacks} failed` : ''}
          </span>
          {c.jira?.requestTypeId ? (
            <span className="muted">
              {' '}
              · last JSM poll {mine.lastPollAt ? <RelativeTime iso={mine.lastPollAt} /> : 'never'}
            </span>
          ) : null}
          {mine.lastPollError ? <p className="last-sync-error">JSM import: {mine.lastPollError}</p> : null}
          {mine.lastPollWarnings.map((w) => (
            <p key={w} className="field-hint text-warn" role="note">
              JSM import: {w}
            </p>
          ))}
          {mine.lastWriteBackError ? <p className="last-sync-error">Write-back: {mine.lastWriteBackError}</p> : null}
          {mine.connection ? <JiraStatusNames connectionId={c.id} names={mine.connection.statuses} idPrefix={`conn-${c.id}`} /> : null}
        </>
      ) : status ? (
        <span className="muted">Write-back goes to the first Jira connection; this one is not used.</span>
      ) : (
        <SkeletonLines lines={1} />
      )}
      {c.jira?.requestTypeId ? (
        <WriteButton className="btn btn-sm" onClick={() => void pollNow()} disabled={polling}>
          <IconRefresh size={13} /> {polling ? 'Polling…' : 'Poll JSM now'}
        </WriteButton>
      ) : null}
      {error ? <InlineError title="Jira" message={error} /> : null}
    </div>
  );
}

function TestResult({ test, kind }: { test: TestState; kind: ConnectionSummary['kind'] }): ReactNode {
  if (test.status === 'running') return <SkeletonLines lines={2} label="Testing connection" />;
  if (test.status === 'error') {
    return (
      <div className="test-result is-bad" role="alert">
        <IconAlert />
        <div>
          <strong>Test failed</strong>
          <p>{test.message}</p>
        </div>
      </div>
    );
  }
  const r = test.result;
  return (
    <div className={`test-result ${r.ok ? 'is-good' : 'is-bad'}`} role={r.ok ? 'status' : 'alert'} aria-label="Test result">
      {r.ok ? <IconCheck /> : <IconAlert />}
      <div>
        <strong>{r.ok ? `Connected to ${r.orgName ?? r.orgUrl}` : 'Test failed'}</strong>
        {r.ok && kind === 'entra' && r.orgName ? <span className="muted"> (tenant)</span> : null}
        {r.error ? <p className="test-error">{r.error}</p> : null}
        <ul className="ability">
          <li>
            Read: <b className={r.canRead ? 'text-ok' : 'text-danger'}>{r.canRead ? 'yes' : 'no'}</b>
          </li>
          <li>
            Write (group membership):{' '}
            <b className={r.canWrite === true ? 'text-ok' : r.canWrite === false ? 'text-warn' : 'muted'}>
              {r.canWrite === true ? 'yes' : r.canWrite === false ? 'no' : 'unknown'}
            </b>
          </li>
          <li className="muted">
            tested <RelativeTime iso={test.at} />
          </li>
        </ul>
        {r.details.length > 0 ? (
          <ul className="test-details" aria-label={kind === 'entra' ? 'Permissions' : 'Findings'}>
            {r.details.map((d, i) => (
              <li key={i}>{d}</li>
            ))}
          </ul>
        ) : null}
      </div>
    </div>
  );
}

export function ConnectionCard({ connection: c }: { connection: ConnectionSummary }): ReactNode {
  const headingId = useId();
  const progress = useConnectionsStore((s) => s.progress[c.id]);
  const outcome = useConnectionsStore((s) => s.outcomes[c.id]);
  const test = useConnectionsStore((s) => s.tests[c.id]);
  const runTest = useConnectionsStore((s) => s.test);
  const startSync = useConnectionsStore((s) => s.startSync);
  const remove = useConnectionsStore((s) => s.remove);
  const [confirming, setConfirming] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [starting, setStarting] = useState(false);
  const [syncError, setSyncError] = useState<string | null>(null);
  const [editingScope, setEditingScope] = useState(false);
  // Set when the scope was saved in this window: the next sync will be full. Cleared when a sync starts.
  const [scopeSaved, setScopeSaved] = useState(false);

  const last = outcome ?? c.lastSync;
  const syncing = progress !== undefined || starting;
  const kindName = connectionKindLabel(c.kind, true);
  // A Jira connection records requests; it has no directory to sync or scope.
  const isJira = c.kind === 'jira';

  const onSync = async (full: boolean): Promise<void> => {
    setStarting(true);
    setSyncError(null);
    try {
      await startSync(c.id, { full });
      setScopeSaved(false);
    } catch (error) {
      setSyncError(errorMessage(error));
      toast.error(error, `Sync of ${c.name} did not start`);
    } finally {
      setStarting(false);
    }
  };

  const onRemove = async (): Promise<void> => {
    setRemoving(true);
    try {
      await remove(c.id);
      toast.success(`${c.name} and its snapshot were removed.`, 'Connection removed');
      setConfirming(false);
    } catch (error) {
      toast.error(errorMessage(error), `${c.name} was not removed`);
    } finally {
      setRemoving(false);
    }
  };

  return (
    <section className="card conn-card" aria-labelledby={headingId}>
      <div className="conn-head">
        <div className="conn-title">
          <span className={`conn-kind kind-${c.kind}`} aria-hidden="true">
            {c.kind === 'okta' ? 'O' : c.kind.charAt(0).toUpperCase()}
          </span>
          <div>
            <h2 id={headingId}>{c.name}</h2>
            <div className="conn-meta">
              {c.kind === 'entra' ? (
                <span>
                  Tenant <span className="mono">{c.tenantId ?? '—'}</span>
                </span>
              ) : (
                <a href={c.baseUrl} target="_blank" rel="noopener noreferrer" className="link-subtle">
                  {c.baseUrl} <IconExternal size={12} />
                </a>
              )}
              <span aria-hidden="true">·</span>
              <span>{c.orgName ?? <span className="muted">{c.kind === 'entra' ? 'tenant' : 'org'} name unknown until tested</span>}</span>
            </div>
          </div>
        </div>
        <div className="conn-actions">
          <WriteButton className="btn" onClick={() => void runTest(c.id)} disabled={test?.status === 'running'}>
            <IconCheck /> Test connection
          </WriteButton>
          {isJira ? null : (
          <>
          <WriteButton
            className="btn btn-primary"
            onClick={() => void onSync(false)}
            disabled={syncing}
            title="Incremental when it can: reads only what changed since the last sync"
          >
            <IconRefresh /> {syncing ? 'Syncing…' : 'Sync now'}
          </WriteButton>
          <WriteButton
            className="btn"
            onClick={() => void onSync(true)}
            disabled={syncing}
            title="Re-reads every user, group, membership and app from the IdP"
          >
            Full sync
          </WriteButton>
          </>
          )}
          <WriteButton className="btn btn-ghost btn-danger-text" onClick={() => setConfirming(true)} aria-label={`Remove ${c.name}`}>
            <IconTrash /> Remove
          </WriteButton>
        </div>
      </div>

      <dl className="conn-facts">
        <div>
          <dt>Type</dt>
          <dd>{kindName}</dd>
        </div>
        <div>
          <dt>Authentication</dt>
          <dd>
            {c.kind === 'entra' ? 'Client credentials' : c.authType === 'token' ? 'API token' : 'OAuth service app'}
            {c.clientId ? <span className="muted mono"> {c.clientId}</span> : null}
          </dd>
        </div>
        {c.kind === 'entra' && c.baseUrl.replace(/\/+$/, '') !== 'https://graph.microsoft.com' ? (
          <div>
            <dt>Graph URL</dt>
            <dd className="mono">{c.baseUrl}</dd>
          </div>
        ) : null}
        {c.customCa ? (
          <div>
            <dt>TLS</dt>
            <dd title="This connection trusts its own CA certificate (TLS inspection, the sandbox)">Pinned CA certificate</dd>
          </div>
        ) : null}
        {c.kind === 'okta' && c.authType === 'oauth' ? (
          <div className="conn-scopes">
            <dt>Scopes</dt>
            <dd>
              {c.scopes.map((s) => (
                <Badge key={s}>{s}</Badge>
              ))}
            </dd>
          </div>
        ) : null}
        {c.jira ? (
          <>
            <div>
              <dt>Project</dt>
              <dd className="mono">{c.jira.projectKey}</dd>
            </div>
            <div>
              <dt>JSM request type</dt>
              <dd>
                {c.jira.requestTypeId ? (
                  <span className="mono">
                    {c.jira.requestTypeId} (service desk {c.jira.serviceDeskId})
                  </span>
                ) : (
                  <span className="muted">none: portal requests are not imported</span>
                )}
              </dd>
            </div>
          </>
        ) : null}
        {isJira ? null : (
        <>
        <div>
          <dt>Budget share</dt>
          <dd title={`Share of each ${connectionKindLabel(c.kind)} rate-limit budget this sync may use`}>{formatPercent(c.budgetShare)}</dd>
        </div>
        <div>
          <dt>Added</dt>
          <dd>
            <RelativeTime iso={c.createdAt} />
          </dd>
        </div>
        <div className="conn-scope">
          <dt>Scope</dt>
          <dd>
            <span className={isUnlimited(c.scope) ? 'muted' : undefined} data-testid="scope-line">
              {describeScope(c.scope)}
            </span>
            {!editingScope ? (
              <WriteButton className="btn btn-sm" onClick={() => setEditingScope(true)} aria-label={`Edit scope of ${c.name}`}>
                <IconSettings size={13} /> Scope…
              </WriteButton>
            ) : null}
          </dd>
        </div>
        </>
        )}
      </dl>

      {editingScope ? (
        <ScopeEditor
          connection={c}
          onCancel={() => setEditingScope(false)}
          onSaved={(updated) => {
            setEditingScope(false);
            setScopeSaved(true);
            toast.success(`The next sync of ${updated.name} will be a full sync, to apply it.`, 'Scope saved');
          }}
        />
      ) : null}
      {scopeSaved && !editingScope && !progress ? (
        <p className="conn-notice" role="status">
          Scope saved: the next sync will be a full sync, so the snapshot matches the new scope.
        </p>
      ) : null}

      {isJira ? (
        <JiraPanel c={c} />
      ) : progress ? (
        <SyncProgressPanel progress={progress} />
      ) : (
        <div className={`last-sync${last?.status === 'failed' ? ' is-failed' : ''}`} role={outcome ? 'status' : undefined}>
          <span className="last-sync-label">Last sync</span>
          {last ? (
            <>
              <SyncStatusBadge status={last.status} />
              <RunModeBadge mode={last.mode} />
              <RelativeTime iso={last.finishedAt ?? last.startedAt} />
              <span className="muted">took {formatDuration(last.durationMs)}</span>
              {last.status === 'succeeded' ? <RunChangeCounts run={last} /> : null}
              {last.status === 'succeeded' ? <RunCounts run={last} /> : null}
              {last.note ? <p className="last-sync-note">{withLocalTimes(last.note)}</p> : null}
              {last.error ? <p className="last-sync-error">{last.error}</p> : null}
            </>
          ) : (
            <span className="muted">Never synced — press “Sync now” to take the first snapshot.</span>
          )}
        </div>
      )}

      {syncError && !progress ? <InlineError title="Sync did not start" message={syncError} /> : null}
      {test ? <TestResult test={test} kind={c.kind} /> : null}

      <ConfirmDialog
        open={confirming}
        title={`Remove ${c.name}?`}
        confirmLabel="Remove connection"
        busy={removing}
        onConfirm={() => void onRemove()}
        onCancel={() => setConfirming(false)}
      >
        <p>
          {isJira
            ? 'This removes the connection and its credential from the OS keychain; requests keep their issue keys, and write-backs still queued fail. Nothing changes in Jira.'
            : null}
          {isJira ? null : (
            <>
              This deletes the connection’s snapshot (users, groups, apps, memberships and sync history) from this workspace
              and its credential from the OS keychain. Nothing changes in {kindName}.
            </>
          )}
        </p>
      </ConfirmDialog>
    </section>
  );
}
