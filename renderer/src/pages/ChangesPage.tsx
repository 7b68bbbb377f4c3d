// The Changes page (#/changes, #/changes/compare): what syncs recorded, per run or as the net
// difference of two runs of one connection, with the run pickers.
import { useCallback, useEffect, useMemo, useState, type ReactNode } from 'react';
import type { ChangeCounts, ConnectionSummary, RunDiff, SyncRunSummary } from '../../../shared/domain.js';
import { AbsoluteTime } from '../components/AbsoluteTime.js';
import { SyncStatusBadge } from '../components/Badges.js';
import { RunModeBadge } from '../components/ChangeBadges.js';
import { EmptyState } from '../components/EmptyState.js';
import { IconCompare, IconHistory } from '../components/Icons.js';
import { InlineError } from '../components/InlineError.js';
import { ConnectionPicker, Picker } from '../components/Picker.js';
import { RelativeTime } from '../components/RelativeTime.js';
import { SearchInput } from '../components/SearchInput.js';
import { useDebouncedValue } from '../hooks/useDebouncedValue.js';
import { describeRunChanges } from '../lib/change-kinds.js';
import { formatDateTime, formatNumber, isIdentityProvider, withLocalTimes } from '../lib/format.js';
import { formatRoute, navigate, routes, type ChangesView } from '../lib/router.js';
import { useChangesStore, type ChangesPage, type ChangesSource } from '../stores/changes-store.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { ChangesGrid } from './changes/ChangesGrid.js';
import { KindChips } from './changes/KindChips.js';
import { SEARCH_DEBOUNCE_MS } from './directory/DirectoryList.js';

const newestFirst = (a: SyncRunSummary, b: SyncRunSummary): number => b.startedAt.localeCompare(a.startedAt) || b.id - a.id;

function runOptionLabel(r: SyncRunSummary, withConnection: boolean): string {
  const what =
    r.status === 'running'
      ? 'running'
      : r.status === 'failed'
        ? 'failed'
        : r.baseline
          ? 'first snapshot'
          : `${formatNumber(r.changes)} change${r.changes === 1 ? '' : 's'}`;
  return `${withConnection ? `${r.connectionName} · ` : ''}#${r.id} · ${formatDateTime(r.startedAt)} · ${r.mode} · ${what}`;
}

/** Recorded changes: per run (or the newest across runs), or the net difference between two runs of one connection. */
export function ChangesPage({ view }: { view: ChangesView }): ReactNode {
  const allConnections = useConnectionsStore((s) => s.connections);
  // Changes are recorded by syncs of identity providers; Jira (the request record) has none.
  const connections = useMemo(() => allConnections.filter(isIdentityProvider), [allConnections]);
  const runs = useConnectionsStore((s) => s.runs);
  const runsStatus = useConnectionsStore((s) => s.runsStatus);
  const runsError = useConnectionsStore((s) => s.runsError);
  const loadRuns = useConnectionsStore((s) => s.loadRuns);

  useEffect(() => {
    void loadRuns();
  }, [loadRuns]);

  const sorted = useMemo(() => [...runs].sort(newestFirst), [runs]);
  const runsById = useMemo(() => new Map(runs.map((r) => [r.id, r])), [runs]);

  return (
    <div className="page page-fill">
      <header className="page-header page-header-tabs">
        <div>
          <h1>Changes</h1>
          <p className="page-sub">What each sync found changed in your identity providers: joiners, leavers, status, attributes and access.</p>
        </div>
      </header>
      <nav className="tabnav" aria-label="Changes view">
        <a className="tabnav-item" href={formatRoute(routes.changes())} aria-current={view.mode === 'run' ? 'page' : undefined}>
          <IconHistory /> Changes per run
        </a>
        <a className="tabnav-item" href={formatRoute(routes.compare())} aria-current={view.mode === 'compare' ? 'page' : undefined}>
          <IconCompare /> Compare runs
        </a>
      </nav>
      {runsStatus === 'error' && runsError ? <InlineError title="Couldn’t load the sync runs" message={runsError} onRetry={() => void loadRuns()} /> : null}
      <div className="changes-body">
        {view.mode === 'run' ? (
          <RunChanges runId={view.runId} runs={sorted} runsById={runsById} runsReady={runsStatus === 'ready'} connections={connections} />
        ) : (
          <CompareRuns
            fromRunId={view.fromRunId}
            toRunId={view.toRunId}
            runs={sorted}
            runsById={runsById}
            runsReady={runsStatus === 'ready'}
            connections={connections}
          />
        )}
      </div>
    </div>
  );
}

type Common = {
  runs: readonly SyncRunSummary[];
  runsById: ReadonlyMap<number, SyncRunSummary>;
  runsReady: boolean;
  connections: readonly ConnectionSummary[];
};

/** Search, kind chips (with counts) and the grid, the same for a run and for a diff. */
function ChangesTable({
  source,
  runsById,
  connections,
  showConnection,
  empty,
  pickers,
  head,
}: {
  source: ChangesSource | null;
  runsById: ReadonlyMap<number, SyncRunSummary>;
  connections: readonly ConnectionSummary[];
  showConnection: boolean;
  /** What to say when the source has no changes at all (the filters have their own empty state). */
  empty: ReactNode;
  /** Which run(s): the connection and run pickers. */
  pickers: ReactNode;
  /** Between the pickers and the filters, from the first page of the current source (null until it answers). */
  head?: (first: ChangesPage | RunDiff | null) => ReactNode;
}): ReactNode {
  const kinds = useChangesStore((s) => s.kinds);
  const rawSearch = useChangesStore((s) => s.search);
  const setSearch = useChangesStore((s) => s.setSearch);
  const toggleKind = useChangesStore((s) => s.toggleKind);
  const setKinds = useChangesStore((s) => s.setKinds);
  const clearFilters = useChangesStore((s) => s.clearFilters);
  const version = useConnectionsStore((s) => s.snapshotVersion);
  const search = useDebouncedValue(rawSearch, SEARCH_DEBOUNCE_MS).trim();
  const [total, setTotal] = useState<number | null>(null);

  // Counts per kind arrive with every first page (the engine counts without the kind filter), so the
  // chips cost no query of their own; they belong to the source and search they were counted for.
  const sourceKey = JSON.stringify(source);
  const [first, setFirst] = useState<{ key: string; page: ChangesPage | RunDiff } | null>(null);
  const firstKey = `${sourceKey}|${search}`;
  const onFirstPage = useCallback((page: ChangesPage | RunDiff) => setFirst({ key: firstKey, page }), [firstKey]);
  const current = first?.key === firstKey ? first.page : null;
  // While a new search loads, the same run's counts stay up (dimmed); another run's never show.
  const sameSource = first?.key.startsWith(`${sourceKey}|`) ?? false;
  const counts: ChangeCounts | null = current?.counts ?? null;
  const names = useMemo(() => new Map(connections.map((c) => [c.id, c.name])), [connections]);
  const connectionName = useCallback((id: number) => names.get(id) ?? `connection ${id}`, [names]);
  const filtered = kinds.length > 0 || search !== '';

  return (
    <div className="tab-body">
      <div className="picker-bar">{pickers}</div>
      {head?.(sameSource && first ? first.page : null)}
      <div className="toolbar" role="search" aria-label="Filter changes">
        <SearchInput label="Search changes" value={rawSearch} onChange={setSearch} placeholder="Search names, ids, values…" width={256} />
        {source ? (
          <KindChips
            counts={counts ?? (sameSource ? (first?.page.counts ?? null) : null)}
            selected={kinds}
            onToggle={toggleKind}
            onClear={() => setKinds([])}
            loading={counts === null}
          />
        ) : null}
        {filtered ? (
          <button type="button" className="btn btn-ghost btn-sm" onClick={clearFilters}>
            Clear filters
          </button>
        ) : null}
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null || source === null ? '' : `${formatNumber(total)} ${total === 1 ? 'change' : 'changes'}`}
        </span>
      </div>
      {source ? (
        <>
          <ChangesGrid
            source={source}
            kinds={kinds}
            search={search}
            version={version}
            runsById={runsById}
            showConnection={showConnection}
            connectionName={connectionName}
            onTotal={setTotal}
            onFirstPage={onFirstPage}
            empty={
              filtered ? (
                <EmptyState
                  title="No changes match these filters"
                  action={
                    <button type="button" className="btn" onClick={clearFilters}>
                      Clear filters
                    </button>
                  }
                >
                  {kinds.length > 0 ? 'Try another kind, or a shorter search.' : 'Try a shorter search.'}
                </EmptyState>
              ) : (
                empty
              )
            }
          />
        </>
      ) : (
        <section className="card changes-placeholder">{empty}</section>
      )}
    </div>
  );
}

/** One run's changes, or (no run picked) the newest changes across runs. */
function RunChanges({ runId, runs, runsById, runsReady, connections }: Common & { runId: number | null }): ReactNode {
  const storeConnection = useChangesStore((s) => s.connectionId);
  const setConnection = useChangesStore((s) => s.setConnection);
  const run = runId === null ? undefined : runsById.get(runId);
  // A linked run decides the connection; otherwise the picker does.
  const connectionId = run ? run.connectionId : storeConnection;
  useEffect(() => {
    if (run && storeConnection !== run.connectionId) setConnection(run.connectionId);
  }, [run, storeConnection, setConnection]);
  const connection = connections.find((c) => c.id === connectionId) ?? null;
  const listed = runs.filter((r) => connectionId === null || r.connectionId === connectionId);
  const multi = connections.length > 1;

  const source: ChangesSource | null = runsReady && runs.length === 0 ? null : { mode: 'run', runId, connectionId };
  const allBaselines = listed.length > 0 && listed.every((r) => r.baseline || r.status !== 'succeeded');

  const pickers = (
    <>
      {multi ? (
        <ConnectionPicker
          connections={connections}
          value={connectionId}
          onChange={(picked) => {
            setConnection(picked);
            navigate(routes.changes(null));
          }}
          allLabel="All connections"
        />
      ) : null}
      <Picker label="Run" wide value={runId} onChange={(picked) => navigate(routes.changes(picked))}>
        <option value="">All runs, newest changes first</option>
        {runId !== null && !run ? <option value={runId}>#{runId}</option> : null}
        {listed.map((r) => (
          <option key={r.id} value={r.id}>
            {runOptionLabel(r, multi && connectionId === null)}
          </option>
        ))}
      </Picker>
    </>
  );

  const empty = !runsReady ? null : runs.length === 0 ? (
    <EmptyState
      icon={<IconHistory size={28} />}
      title="No sync has run yet"
      action={
        <a className="btn btn-primary" href={formatRoute(routes.connections())}>
          Go to Connections
        </a>
      }
    >
      Every sync records what changed since the one before: joiners, leavers, status and attribute changes, membership and
      app assignment changes.
    </EmptyState>
  ) : run?.baseline ? (
    <EmptyState icon={<IconHistory size={28} />} title="First snapshot: nothing to compare with">
      Run #{run.id} took the first snapshot of {run.connectionName} ({formatNumber(run.users)} users, {formatNumber(run.groups)}{' '}
      groups, {formatNumber(run.memberships)} memberships). The next sync records what changed since then.
    </EmptyState>
  ) : run?.status === 'failed' ? (
    <EmptyState title="This run failed: nothing was recorded">
      {run.error ?? 'The run stopped before it could record changes.'} The snapshot stayed as the previous run left it.
    </EmptyState>
  ) : run?.status === 'running' ? (
    <EmptyState title="This run is still going">Its changes are recorded when it commits.</EmptyState>
  ) : run ? (
    <EmptyState title="No changes in this run">
      Nothing the IdP reported differed from the snapshot before it{run.note ? ` (${withLocalTimes(run.note)})` : ''}.
    </EmptyState>
  ) : allBaselines ? (
    <EmptyState icon={<IconHistory size={28} />} title="First snapshot: nothing to compare with">
      {connection ? `${connection.name} has` : 'The connections have'} only been synced once so far. The next sync records what
      changed since the first snapshot.
    </EmptyState>
  ) : (
    <EmptyState title="No changes recorded yet">The syncs so far found nothing that changed.</EmptyState>
  );

  return (
    <ChangesTable
      source={source}
      runsById={runsById}
      connections={connections}
      showConnection={multi && connectionId === null && runId === null}
      empty={empty}
      pickers={pickers}
      head={() => (run ? <RunLine run={run} /> : null)}
    />
  );
}

/** The picked run in one line: mode, outcome, when, how many changes, its note. */
function RunLine({ run }: { run: SyncRunSummary }): ReactNode {
  return (
    <div className="run-line" role="group" aria-label={`Run ${run.id}`}>
      <strong>Run #{run.id}</strong>
      <span>{run.connectionName}</span>
      <RunModeBadge mode={run.mode} />
      <SyncStatusBadge status={run.status} />
      <span>
        started <RelativeTime iso={run.startedAt} />
      </span>
      <span className="muted">{describeRunChanges(run)}</span>
      {run.note ? <span className="run-note">Note: {withLocalTimes(run.note)}</span> : null}
    </div>
  );
}

/** Two runs of one connection: the net difference (changes:diff), in the same grid. */
function CompareRuns({ fromRunId, toRunId, runs, runsById, runsReady, connections }: Common & { fromRunId: number | null; toRunId: number | null }): ReactNode {
  const storeConnection = useChangesStore((s) => s.connectionId);
  const setConnection = useChangesStore((s) => s.setConnection);
  const linked = fromRunId !== null ? runsById.get(fromRunId) : undefined;
  const comparable = (r: SyncRunSummary): boolean => r.status === 'succeeded';
  // The connection: the linked runs', else the picker's, else the first with two runs to compare.
  const connectionId =
    linked?.connectionId ??
    (storeConnection !== null && connections.some((c) => c.id === storeConnection) ? storeConnection : null) ??
    connections.find((c) => runs.filter((r) => r.connectionId === c.id && comparable(r)).length >= 2)?.id ??
    connections[0]?.id ??
    null;
  const listed = runs.filter((r) => r.connectionId === connectionId && comparable(r));
  // Defaults: the two newest runs.
  const to = toRunId ?? listed[0]?.id ?? null;
  const from = fromRunId ?? listed[1]?.id ?? null;
  const fromRun = from === null ? undefined : runsById.get(from);
  const toRun = to === null ? undefined : runsById.get(to);
  // Older first, whichever way round they were picked (run ids grow with time).
  const swapped = from !== null && to !== null && from > to;
  const older = swapped ? to : from;
  const newer = swapped ? from : to;
  const differentConnections = fromRun !== undefined && toRun !== undefined && fromRun.connectionId !== toRun.connectionId;
  const valid = older !== null && newer !== null && older !== newer && !differentConnections;
  const source: ChangesSource | null = valid ? { mode: 'compare', fromRunId: older, toRunId: newer } : null;
  const at = (id: number | null): string | null => {
    const r = id === null ? undefined : runsById.get(id);
    // The time the pickers show for the run (its start), so the two read alike.
    return r ? r.startedAt : null;
  };
  const fromRunAt = at(older);
  const toRunAt = at(newer);

  const pick = (f: number | null, t: number | null): void => navigate(routes.compare(f, t));
  // "Pick a run" is there only while nothing is picked, so choosing it never fires a change.
  const runSelectFor = (label: string, value: number | null, onPick: (v: number) => void): ReactNode => (
    <Picker label={label} wide value={value} onChange={(v) => {
        if (v !== null) onPick(v);
      }} disabled={listed.length === 0}>
      {value === null ? <option value="">Pick a run</option> : null}
      {value !== null && !listed.some((r) => r.id === value) ? <option value={value}>#{value}</option> : null}
      {listed.map((r) => (
        <option key={r.id} value={r.id}>
          {runOptionLabel(r, false)}
        </option>
      ))}
    </Picker>
  );

  const pickers = (
    <>
      {connections.length > 1 ? (
        <ConnectionPicker
          connections={connections}
          value={connectionId}
          onChange={(picked) => {
            setConnection(picked);
            pick(null, null);
          }}
        />
      ) : null}
      {runSelectFor('From run', from, (v) => pick(v, to))}
      {runSelectFor('To run', to, (v) => pick(from, v))}
    </>
  );

  const empty = !runsReady ? null : listed.length < 2 ? (
    <EmptyState icon={<IconCompare size={28} />} title="Comparing needs two successful syncs of one connection">
      {listed.length === 1
        ? 'This connection has one snapshot so far: nothing to compare it with. Run another sync, then compare.'
        : 'Run a sync, then another: the comparison shows what changed between them.'}
    </EmptyState>
  ) : differentConnections ? (
    <EmptyState title="These runs belong to different connections">Pick two runs of the same connection.</EmptyState>
  ) : older === newer ? (
    <EmptyState title="Pick two different runs">The same run on both sides has nothing to compare.</EmptyState>
  ) : (
    <EmptyState title="No net change between these runs">
      Nothing differs between the two snapshots: either nothing changed, or what changed in between was undone again.
    </EmptyState>
  );

  return (
    <ChangesTable
      source={source}
      runsById={runsById}
      connections={connections}
      showConnection={false}
      empty={empty}
      pickers={pickers}
      head={(page) => {
        if (!source) return null;
        const diff = page && 'fromAt' in page ? page : null;
        return (
          <div className="run-line" role="group" aria-label="Compared runs">
            <strong>Net change</strong>
            <span>
              from run #{older} <span className="muted">(<AbsoluteTime iso={fromRunAt ?? diff?.fromAt} />)</span>
            </span>
            <span aria-hidden="true">→</span>
            <span>
              to run #{newer} <span className="muted">(<AbsoluteTime iso={toRunAt ?? diff?.toAt} />)</span>
            </span>
            {diff ? <span className="muted">{`${formatNumber(diff.total)} ${diff.total === 1 ? 'change' : 'changes'} in all`}</span> : null}
            {swapped ? <span className="muted">(put in time order)</span> : null}
          </div>
        );
      }}
    />
  );
}
