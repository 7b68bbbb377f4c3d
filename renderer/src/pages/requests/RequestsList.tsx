// The request queue: one virtualised grid (server paging, so 50,000 rows cost
// what 40 do), search, a status filter on "All", row checkboxes on pending
// rows and bulk Approve / Deny with one comment. Bulk decisions are made one
// request at a time by the engine: the result says which were refused and why.
import { useOperatorStore } from '../../stores/operator-store.js';
import { useCallback, useMemo, useState, type ReactNode } from 'react';
import type { RequestRow, RequestState } from '../../../../shared/governance.js';
import { api } from '../../api/client.js';
import { ConfirmDialog } from '../../components/ConfirmDialog.js';
import { DataGrid, type GridColumn } from '../../components/DataGrid.js';
import { EmptyState } from '../../components/EmptyState.js';
import { IconRequests } from '../../components/Icons.js';
import { RelativeTime } from '../../components/RelativeTime.js';
import { SearchInput } from '../../components/SearchInput.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import { formatNumber } from '../../lib/format.js';
import { navigate, routes, type RequestFilter } from '../../lib/router.js';
import { useReadOnly } from '../../stores/app-store.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { toast } from '../../stores/toast-store.js';
import { accessWords, durationText, REQUEST_STATES, RequestStatusBadge, RiskBadge, STATE_LABEL, STEP_LABEL } from './RequestParts.js';

type Bulk = { decision: 'approve' | 'deny'; comment: string; error: string | null; busy: boolean };

export function RequestsList({ filter }: { filter: RequestFilter }): ReactNode {
  const version = useRequestsStore((s) => s.version);
  const write = useRequestsStore((s) => s.write);
  const rawSearch = useRequestsStore((s) => s.search);
  const setSearch = useRequestsStore((s) => s.setSearch);
  const statuses = useRequestsStore((s) => s.statuses);
  const setStatuses = useRequestsStore((s) => s.setStatuses);
  const selected = useRequestsStore((s) => s.selected);
  const toggle = useRequestsStore((s) => s.toggle);
  const clearSelection = useRequestsStore((s) => s.clearSelection);
  const operator = useOperatorStore((s) => s.person);
  const readOnly = useReadOnly();
  const search = useDebouncedValue(rawSearch, 250).trim();
  const [total, setTotal] = useState<number | null>(null);
  const [bulk, setBulk] = useState<Bulk | null>(null);
  const status = useMemo(() => (filter === 'all' ? statuses : []), [filter, statuses]);

  const columns = useMemo<GridColumn<RequestRow>[]>(
    () => [
      {
        id: 'select',
        header: '',
        width: '40px',
        minWidth: 40,
        render: (r) =>
          r.status === 'pending' ? (
            <input
              type="checkbox"
              className="check"
              aria-label={`Select request #${r.id}`}
              checked={selected.has(r.id)}
              disabled={readOnly}
              onClick={(e) => e.stopPropagation()}
              onChange={() => toggle(r.id)}
            />
          ) : null,
      },
      { id: 'id', header: '#', width: '88px', minWidth: 88, align: 'end', render: (r) => <span className="tabular muted">#{r.id}</span> },
      { id: 'status', header: 'Status', width: '150px', minWidth: 150, render: (r) => <RequestStatusBadge status={r.status} escalated={r.escalated} /> },
      {
        id: 'role',
        header: 'Role', truncate: true,
        width: 'minmax(240px, 1.8fr)',
        minWidth: 240,
        render: (r) => (
          <span className="req-role">
            <span className="cell-strong">{r.roleLabel}</span>
            <RiskBadge risk={r.risk} />
          </span>
        ),
        title: (r) => `${r.roleLabel} (${r.risk} risk)`,
      },
      {
        id: 'beneficiary',
        header: 'For', truncate: true,
        width: 'minmax(170px, 1.3fr)',
        minWidth: 170,
        render: (r) => <span>{r.beneficiary.name}</span>,
        title: (r) => r.beneficiary.email ?? r.beneficiary.name,
      },
      { id: 'duration', header: 'Duration', width: '100px', minWidth: 100, render: (r) => durationText(r.duration, r.durationMinutes) },
      {
        id: 'state',
        header: 'Waiting on / access',
        width: 'minmax(200px, 1.6fr)',
        minWidth: 200,
        render: (r) =>
          r.waitingOn ? (
            <span className="muted req-waiting">
              {STEP_LABEL[r.waitingOn.kind]}: {r.waitingOn.approvers.join(', ')}
            </span>
          ) : (
            <span className={r.status === 'approved' || r.status === 'failed' ? undefined : 'muted'}>{accessWords(r, 'status') ?? '—'}</span>
          ),
        title: (r) => (r.waitingOn ? `Step ${r.waitingOn.step}: ${r.waitingOn.approvers.join(', ')}` : (accessWords(r) ?? undefined)),
      },
      { id: 'requester', header: 'Requested by', truncate: true, width: 'minmax(160px, 1fr)', minWidth: 160, render: (r) => <span className="muted">{r.requester}</span> },
      { id: 'created', header: 'Created', width: '120px', minWidth: 120, render: (r) => <RelativeTime iso={r.createdAt} /> },
    ],
    [selected, toggle, readOnly],
  );

  const view = filter;
  const fetchPage = useCallback(
    (offset: number, limit: number, signal: AbortSignal) => api.call('requests:list', { view, status, search, offset, limit }, { signal }),
    [view, status, search],
  );
  const queryKey = `${view}|${status.join(',')}|${search}|${operator ?? ''}|${version}`;

  const runBulk = async (b: Bulk): Promise<void> => {
    if (b.decision === 'deny' && b.comment.trim() === '') {
      setBulk({ ...b, error: 'A comment is required to deny: say why.' });
      return;
    }
    setBulk({ ...b, busy: true, error: null });
    try {
      const { results } = await write('requests:bulkDecide', { ids: [...selected], decision: b.decision, comment: b.comment });
      const ok = results.filter((r) => r.ok).length;
      const failed = results.filter((r) => !r.ok);
      if (ok > 0) toast.success(`${ok} request${ok === 1 ? '' : 's'} ${b.decision === 'approve' ? 'approved' : 'denied'}`);
      for (const f of failed.slice(0, 3)) if (!f.ok) toast.error(f.error, `Request #${f.id} not decided`);
      if (failed.length > 3) toast.info(`${failed.length - 3} more requests were not decided`);
      clearSelection();
      setBulk(null);
    } catch (e) {
      setBulk({ ...b, busy: false, error: e instanceof Error ? e.message : String(e) });
    }
  };

  const empty =
    search !== '' || status.length > 0 ? (
      <EmptyState title="No requests match" action={<button type="button" className="btn" onClick={() => { setSearch(''); setStatuses([]); }}>Clear filters</button>}>
        Try a shorter search or another status.
      </EmptyState>
    ) : filter === 'mine' ? (
      <EmptyState icon={<IconRequests size={28} />} title={operator ? 'Nothing waits for your decision' : 'Who are you?'}>
        {operator ? 'Requests whose current step you may approve appear here.' : 'Sign in (top right) to see your approvals.'}
      </EmptyState>
    ) : (
      <EmptyState icon={<IconRequests size={28} />} title={filter === 'open' ? 'No open requests' : 'No requests yet'}>
        File one with “New request”, import a CSV, or let JSM requests arrive.
      </EmptyState>
    );

  return (
    <div className="tab-body">
      <div className="toolbar" role="search" aria-label="Filter requests">
        <SearchInput label="Search requests" value={rawSearch} onChange={setSearch} placeholder="Search people, roles, #id, Jira key…" width={280} />
        {filter === 'all' ? (
          <div className="chips" role="group" aria-label="Status">
            {REQUEST_STATES.map((s: RequestState) => (
              <button
                key={s}
                type="button"
                className="kind-chip req-status-chip"
                aria-pressed={statuses.includes(s)}
                onClick={() => setStatuses(statuses.includes(s) ? statuses.filter((x) => x !== s) : [...statuses, s])}
              >
                {STATE_LABEL[s]}
              </button>
            ))}
          </div>
        ) : null}
        <span className="toolbar-spacer" />
        <span className="toolbar-count tabular" aria-live="polite">
          {total === null ? '' : `${formatNumber(total)} ${total === 1 ? 'request' : 'requests'}`}
        </span>
      </div>
      {selected.size > 0 ? (
        <div className="bulk-bar" role="region" aria-label="Bulk decision">
          <span>
            <strong>{selected.size}</strong> selected
          </span>
          <WriteButton className="btn btn-sm btn-primary" onClick={() => setBulk({ decision: 'approve', comment: '', error: null, busy: false })}>
            Approve selected
          </WriteButton>
          <WriteButton className="btn btn-sm" onClick={() => setBulk({ decision: 'deny', comment: '', error: null, busy: false })}>
            Deny selected
          </WriteButton>
          <button type="button" className="btn btn-sm btn-ghost" onClick={clearSelection}>
            Clear selection
          </button>
        </div>
      ) : null}
      <DataGrid<RequestRow>
        label="Requests"
        columns={columns}
        fetchPage={fetchPage}
        queryKey={queryKey}
        rowKey={(r) => String(r.id)}
        onOpen={(r) => navigate(routes.request(r.id))}
        onTotal={setTotal}
        empty={empty}
        rowHeight={36}
      />
      <ConfirmDialog
        open={bulk !== null}
        title={bulk ? `${bulk.decision === 'approve' ? 'Approve' : 'Deny'} ${selected.size} request${selected.size === 1 ? '' : 's'}?` : ''}
        confirmLabel={bulk?.decision === 'deny' ? `Deny ${selected.size}` : `Approve ${selected.size}`}
        busy={bulk?.busy ?? false}
        tone={bulk?.decision === 'deny' ? 'danger' : 'primary'}
        onCancel={() => setBulk(null)}
        onConfirm={() => {
          if (bulk) void runBulk(bulk);
        }}
      >
        <p>
          Each request is decided on its own, as {operator ?? 'the operator'}: one you may not decide (not your step, your own request,
          decided meanwhile) is left as it is and reported.
        </p>
        <div className="field">
          <label htmlFor="bulk-comment">Comment{bulk?.decision === 'deny' ? ' (required)' : ' (optional)'}</label>
          <textarea
            id="bulk-comment"
            className="input textarea"
            rows={3}
            value={bulk?.comment ?? ''}
            onChange={(e) => bulk && setBulk({ ...bulk, comment: e.target.value, error: null })}
          />
          {bulk?.error ? (
            <p className="field-error" role="alert">
              {bulk.error}
            </p>
          ) : null}
        </div>
      </ConfirmDialog>
    </div>
  );
}
