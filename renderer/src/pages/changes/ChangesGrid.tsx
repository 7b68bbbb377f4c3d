// The one table of recorded changes, for a run's changes and for the net
// diff of two runs alike: server-paged through changes:list / changes:diff.
import { useCallback, useMemo, type ReactNode } from 'react';
import type { ChangeKind, SnapshotChange, SyncRunSummary } from '../../../../shared/domain.js';
import { KindBadge } from '../../components/ChangeBadges.js';
import { DataGrid, type GridColumn } from '../../components/DataGrid.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { changeSubjectRoute, kindInfo } from '../../lib/change-kinds.js';
import { formatAbsolute, initials } from '../../lib/format.js';
import { navigate, routes } from '../../lib/router.js';
import { changes, type ChangesPage, type ChangesSource } from '../../stores/changes-store.js';
import type { RunDiff } from '../../../../shared/domain.js';

function Subject({ c }: { c: SnapshotChange }): ReactNode {
  const name = c.subjectName ?? c.subjectId;
  const mark =
    c.subjectType === 'user' ? (
      <span className="avatar" aria-hidden="true">
        {initials(name)}
      </span>
    ) : c.subjectType === 'group' ? (
      <span className="avatar avatar-group" aria-hidden="true">
        {initials(name).charAt(0)}
      </span>
    ) : (
      <span className="app-icon" aria-hidden="true">
        {initials(name).charAt(0)}
      </span>
    );
  return (
    <span className="cell-person">
      {mark}
      <span className="cell-two">
        <span className="cell-strong">{name}</span>
        {c.subjectType !== 'user' ? <span className="muted">{c.subjectType}</span> : null}
      </span>
    </span>
  );
}

/** "Engineering → Sales"; a value that appears or disappears shows alone. */
function BeforeAfter({ c }: { c: SnapshotChange }): ReactNode {
  if (c.before === null && c.after === null) return <span className="muted">—</span>;
  return (
    <span className="diff">
      {c.before !== null ? <span className="diff-before">{c.before === '' ? '(empty)' : c.before}</span> : null}
      {c.before !== null && c.after !== null ? (
        <span className="diff-arrow" aria-label="changed to">
          →
        </span>
      ) : null}
      {c.after !== null ? <span className="diff-after">{c.after === '' ? '(empty)' : c.after}</span> : null}
    </span>
  );
}

export function changeTitle(c: SnapshotChange): string {
  const what = c.field ? `${c.field}: ` : '';
  return `${kindInfo[c.kind].label} — ${c.subjectName ?? c.subjectId}${c.objectName || c.objectId ? ` / ${c.objectName ?? c.objectId}` : ''} — ${what}${c.before ?? '(none)'} → ${c.after ?? '(none)'}`;
}

export function ChangesGrid({
  source,
  kinds,
  search,
  version,
  runsById,
  showConnection,
  connectionName,
  onTotal,
  onFirstPage,
  empty,
}: {
  source: ChangesSource;
  kinds: readonly ChangeKind[];
  /** Debounced. */
  search: string;
  /** Bumped when a sync finished: the newest changes may be new. */
  version: number;
  runsById: ReadonlyMap<number, SyncRunSummary>;
  showConnection: boolean;
  connectionName: (id: number) => string;
  onTotal: (total: number | null) => void;
  /** Each first page, with its counts per kind (they ignore the kind filter) and, for a diff, the two runs' times. */
  onFirstPage: (page: ChangesPage | RunDiff) => void;
  empty: ReactNode;
}): ReactNode {
  const columns = useMemo<GridColumn<SnapshotChange>[]>(() => {
    const cols: GridColumn<SnapshotChange>[] = [
      { id: 'kind', header: 'Kind', width: '150px', minWidth: 150, render: (c) => <KindBadge kind={c.kind} /> },
      {
        id: 'subject',
        header: 'Subject', truncate: true,
        width: 'minmax(190px, 1.5fr)',
        minWidth: 190,
        render: (c) => <Subject c={c} />,
        title: (c) => `${c.subjectName ?? ''} (${c.subjectType} ${c.subjectId})`,
      },
      {
        id: 'object',
        header: 'Object', truncate: true,
        width: 'minmax(150px, 1.2fr)',
        minWidth: 150,
        render: (c) => c.objectName ?? c.objectId ?? <span className="muted">—</span>,
        title: (c) => (c.objectId ? `${c.objectName ?? ''} (${c.objectId})` : undefined),
      },
      { id: 'field', header: 'Field', truncate: true, width: '120px', minWidth: 120, render: (c) => (c.field ? <span className="mono">{c.field}</span> : <span className="muted">—</span>) },
      { id: 'change', header: 'Before → after', truncate: true, width: 'minmax(200px, 1.8fr)', minWidth: 200, render: (c) => <BeforeAfter c={c} />, title: changeTitle },
      {
        id: 'run',
        header: 'Run',
        width: '140px',
        minWidth: 140,
        render: (c) => {
          const run = runsById.get(c.runId);
          return (
            <span className="run-ref">
              <span className="tabular">#{c.runId}</span>
              {run ? (
                <span className="muted">
                  <RelativeTime iso={run.startedAt} />
                </span>
              ) : null}
            </span>
          );
        },
        title: (c) => {
          const run = runsById.get(c.runId);
          return run ? `Run #${run.id} of ${run.connectionName}, ${run.mode}, started ${formatAbsolute(run.startedAt)}` : `Run #${c.runId}`;
        },
      },
    ];
    if (showConnection) {
      cols.splice(5, 0, {
        id: 'connection',
        header: 'Connection', truncate: true,
        width: 'minmax(120px, 0.8fr)',
        minWidth: 120,
        render: (c) => connectionName(c.connectionId),
        title: (c) => connectionName(c.connectionId),
      });
    }
    return cols;
  }, [runsById, showConnection, connectionName]);

  const fetchPage = useCallback(
    async (offset: number, limit: number, signal: AbortSignal) => {
      const page = await changes.page(source, { kinds: [...kinds], search }, offset, limit, signal);
      if (offset === 0 && !signal.aborted) onFirstPage(page);
      return { total: page.total, offset: page.offset, rows: page.rows };
    },
    [source, kinds, search, onFirstPage],
  );

  return (
    <DataGrid
      label="Changes"
      columns={columns}
      fetchPage={fetchPage}
      queryKey={JSON.stringify({ source, kinds, search, version })}
      rowKey={(c) => `${c.runId}:${c.seq}:${c.kind}:${c.subjectId}:${c.objectId ?? ''}:${c.field ?? ''}`}
      onOpen={(c) => {
        const r = changeSubjectRoute(c);
        navigate(routes.directory(r.tab, { connectionId: r.connectionId, id: r.id }));
      }}
      onTotal={onTotal}
      empty={empty}
    />
  );
}
