// "My reviews" (#/reviews/mine/ID): the signed-in reviewer's items (in a sandbox, who the session
// acts as) on the shared data grid, held whole in the reviews store so filtering, sorting and
// grouping run here and a decision key updates its row at once (the engine's answer reconciles).
// Keys: j/k or arrows move, a keep, r revoke, c comment, x select, shift+x range, ? the keys.
// A queue not loaded yet shows its first screen at once; filters, sorting and decisions wait for the rest.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { RECOMMENDATION_REASONS, type ReviewDecision } from '../../../../shared/contract-reviews.js';
import { DataGrid, type SortState } from '../../components/DataGrid.js';
import { InlineError } from '../../components/InlineError.js';
import { SearchInput } from '../../components/SearchInput.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useDebouncedValue } from '../../hooks/useDebouncedValue.js';
import {
  appOf,
  countDecisions,
  displayRows,
  filterOrder,
  idsOf,
  itemRowsAt,
  itemsAt,
  keyAction,
  KEY_HELP,
  NO_FILTER,
  reasonNeeded,
  selectRange,
  toggleSelection,
  warmGridOrders,
  type DecisionFilter,
  type DisplayRow,
  type GridFilter,
  type GridSortKey,
  type GroupBy,
} from '../../lib/review-grid.js';
import { formatRoute, routes } from '../../lib/router.js';
import { useReadOnly } from '../../stores/app-store.js';
import { useOperatorStore } from '../../stores/operator-store.js';
import { useReviewsStore, type DecideOptions } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';
import { DecisionDialog, type DecisionAsk } from './DecisionDialog.js';
import { reviewColumns } from './grid-columns.js';
import { REC_TEXT } from './parts.js';
import { ReassignDialog } from './ReassignDialog.js';

const EMPTY: ReadonlySet<number> = new Set();
const NO_ORDER = new Int32Array(0);

function Select<V extends string>({ label, value, options, onChange, disabled }: { label: string; value: V; options: readonly (readonly [V, string])[]; onChange: (v: V) => void; disabled?: boolean }): ReactNode {
  return (
    <label className="picker">
      <span className="picker-label">{label}</span>
      <select className="input select" value={value} disabled={disabled} onChange={(e) => onChange(e.target.value as V)}>
        {options.map(([v, t]) => (
          <option key={v} value={v}>
            {t}
          </option>
        ))}
      </select>
    </label>
  );
}

export function ReviewGrid({ campaignId }: { campaignId: number }): ReactNode {
  const queue = useReviewsStore((s) => (s.queue?.campaignId === campaignId ? s.queue : null));
  const loadQueue = useReviewsStore((s) => s.loadQueue);
  const decide = useReviewsStore((s) => s.decide);
  const submit = useReviewsStore((s) => s.submit);
  const campaigns = useReviewsStore((s) => s.campaigns);
  const person = useOperatorStore((s) => s.person);
  // Who the items are for is known once the operator's status has been read (or failed): not loaded before (a
  // 100,000-item read for nobody, then again for the person, would hold the first screen behind it).
  const known = useOperatorStore((s) => s.status !== null || s.error !== null);
  const readOnly = useReadOnly();
  useEffect(() => {
    if (known) void loadQueue(campaignId);
  }, [campaignId, loadQueue, person, known]);

  const [filter, setFilter] = useState<GridFilter>(NO_FILTER);
  const [rawSearch, setRawSearch] = useState('');
  const search = useDebouncedValue(rawSearch, 150);
  const [sort, setSort] = useState<SortState<GridSortKey>>({ key: 'person', dir: 'asc' });
  const [groupBy, setGroupBy] = useState<GroupBy>('none');
  const selected = useReviewsStore((s) => s.selected);
  const setSelected = useReviewsStore((s) => s.setSelected);
  const anchor = useRef(-1);
  const [ask, setAsk] = useState<(DecisionAsk & { ids: number[] }) | null>(null);
  const [help, setHelp] = useState(false);
  const [reassign, setReassign] = useState<number[] | 'all' | null>(null);
  const [busy, setBusy] = useState(false);

  const items = queue?.items;
  const overlay = queue?.overlay;
  // Only the first screen is here: what reads or decides the whole queue waits for it.
  const partial = queue?.status === 'partial';
  const decisions = queue?.decisions ?? 0;
  // Recomputed on filter or sort; on decisions only when a decision filter or sort depends on them.
  const decisionDependent = filter.decision !== 'any' || sort.key === 'decision' || groupBy !== 'none';
  const effectiveFilter = useMemo(() => ({ ...filter, search }), [filter, search]);
  // Positions in the queue, in sort order (with no filter on, the sort's cached order itself), and their rows.
  const order = useMemo(
    () => (items && overlay ? filterOrder(items, overlay, effectiveFilter, sort) : NO_ORDER),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- overlay changes on every key: only a decision-dependent view follows it
    [items, effectiveFilter, sort, decisionDependent ? decisions : 0],
  );
  const shown = order.length;
  const rows = useMemo<DisplayRow[]>(
    () => (!items || !overlay ? [] : groupBy === 'none' ? itemRowsAt(items, order) : displayRows(itemsAt(items, order), groupBy, overlay)),
    // eslint-disable-next-line react-hooks/exhaustive-deps -- group counts follow decisions; the rows are the same objects otherwise
    [items, order, groupBy, groupBy !== 'none' ? decisions : 0],
  );
  // Every column's order is built in idle time once the whole queue is here: the first click on a column finds it ready.
  useEffect(() => (items && !partial && items.length > 0 ? warmGridOrders(items) : undefined), [items, partial]);
  const counts = useMemo(() => (items && overlay ? countDecisions(items, overlay) : { drafts: 0, decided: 0, total: 0 }), [items, overlay]);
  const apps = useMemo(() => [...new Set((items ?? []).map(appOf))].sort(), [items]);

  // The cells read the selection and the decisions from the store as they render (this page re-renders on both);
  // the grid's rows render again when either changes, and otherwise only the rows j/k move between.
  const columns = useMemo(() => reviewColumns(), []);
  const cellsVersion = useMemo(() => ({ overlay, selected }), [overlay, selected]);

  const active = useRef(-1);
  const onActiveChange = useCallback((i: number) => {
    active.current = i;
  }, []);

  const send = useCallback(
    async (ids: number[], decision: ReviewDecision, opts: DecideOptions = {}) => {
      const out = await decide(ids, decision, opts);
      if (out.refused.length > 0) toast.error(out.refused[0]?.why ?? 'refused', `${out.refused.length.toLocaleString()} decision${out.refused.length === 1 ? '' : 's'} refused`);
      return out;
    },
    [decide],
  );

  const itemsOf = (ids: readonly number[]) => {
    const set = new Set(ids);
    return (items ?? []).filter((i) => set.has(i.id));
  };

  /** a / r on a row, or a bulk action: decides at once unless a reason is required (then asks). */
  const quick = (ids: number[], decision: ReviewDecision, what: string, moveOn?: () => void): void => {
    if (ids.length === 0 || readOnly) return;
    const needing = itemsOf(ids).map((i) => reasonNeeded(i, decision)).find((r) => r !== null) ?? null;
    if (needing) {
      setAsk({ what, count: ids.length, decision, timeBound: false, reasonRequired: needing, ids });
      return;
    }
    send(ids, decision).catch((e: unknown) => {
      toast.error(e, 'Decision refused');
      setAsk({ what, count: ids.length, decision, timeBound: false, reasonRequired: null, ids });
    });
    moveOn?.();
  };

  const describe = (row: DisplayRow | undefined): string => (row ? (row.kind === 'item' ? `${row.item.person.name} · ${row.item.access.roleLabel ?? row.item.access.groupName}` : `${row.label} (${row.itemIds.length} items)`) : '');

  const onKey = (e: KeyboardEvent<HTMLDivElement>, at: { active: number; moveTo: (i: number) => void }): boolean => {
    const action = keyAction(e.key, { shift: e.shiftKey, ctrl: e.ctrlKey, alt: e.altKey, meta: e.metaKey });
    if (action === null) return false;
    if (partial && action !== 'down' && action !== 'up' && action !== 'help') return true;
    const row = rows[at.active];
    const next = (): void => at.moveTo(Math.min(rows.length - 1, at.active + 1));
    switch (action) {
      case 'down':
        next();
        return true;
      case 'up':
        at.moveTo(Math.max(0, at.active - 1));
        return true;
      case 'keep':
      case 'revoke': {
        const ids = selected.size > 0 ? [...selected] : idsOf(row);
        quick(ids, action, selected.size > 0 ? `${selected.size.toLocaleString()} selected items` : describe(row), selected.size > 0 ? undefined : next);
        return true;
      }
      case 'comment': {
        const ids = selected.size > 0 ? [...selected] : idsOf(row);
        if (ids.length > 0 && !readOnly) setAsk({ what: selected.size > 0 ? `${selected.size.toLocaleString()} selected items` : describe(row), count: ids.length, decision: 'keep', timeBound: false, reasonRequired: itemsOf(ids).map((i) => reasonNeeded(i, 'keep')).find(Boolean) ?? null, ids });
        return true;
      }
      case 'select':
        setSelected((s) => toggleSelection(s, row));
        anchor.current = at.active;
        return true;
      case 'range':
        setSelected((s) => selectRange(s, rows, anchor.current, at.active));
        anchor.current = at.active;
        return true;
      case 'help':
        setHelp(true);
        return true;
      case 'submit':
        return false;
    }
  };

  const doSubmit = async (): Promise<void> => {
    setBusy(true);
    try {
      const s = await submit(campaignId);
      toast.success(`${s.items.toLocaleString()} decisions recorded`, 'Submitted');
    } catch (e) {
      toast.error(e, 'Couldn’t submit');
    } finally {
      setBusy(false);
    }
  };

  const campaign = campaigns?.find((c) => c.id === campaignId);
  const filteredIds = (): number[] => (items ? itemsAt(items, order).map((i) => i.id) : []);
  const bulkAsk = (decision: ReviewDecision, ids: number[], what: string): void =>
    setAsk({ what, count: ids.length, decision, timeBound: false, reasonRequired: itemsOf(ids).map((i) => reasonNeeded(i, decision)).find(Boolean) ?? null, ids });

  return (
    <div className="page page-fill">
      <header className="page-header">
        <div>
          <p className="req-back">
            <a className="link-subtle" href={formatRoute(routes.campaign(campaignId))}>
              ← {campaign?.name ?? `Campaign #${campaignId}`}
            </a>
          </p>
          <h1>My reviews</h1>
          <p className="page-sub">
            {person ? `Items for ${person} to decide.` : 'Nobody is signed in: sign in (or, in a sandbox, act as someone) to review.'} Decisions are drafts until you submit them. Press{' '}
            <kbd>?</kbd> for the keys.
          </p>
        </div>
        <div className="req-head-actions">
          <WriteButton className="btn" disabled={!queue || partial || queue.items.length === 0} onClick={() => setReassign(selected.size > 0 ? [...selected] : 'all')}>
            {selected.size > 0 ? `Reassign ${selected.size.toLocaleString()}…` : 'Reassign all…'}
          </WriteButton>
          <WriteButton className="btn btn-primary" disabled={busy || partial || counts.drafts === 0} onClick={() => void doSubmit()}>
            Submit {counts.drafts.toLocaleString()} decision{counts.drafts === 1 ? '' : 's'}
          </WriteButton>
        </div>
      </header>
      {queue?.error ? <InlineError title="Couldn’t load your items" message={queue.error} onRetry={() => void loadQueue(campaignId)} /> : null}
      <div className="toolbar rv-toolbar" role="search" aria-label="Filter items">
        <SearchInput label="Search items" value={rawSearch} onChange={setRawSearch} placeholder="Search people, access…" width={200} disabled={partial} />
        <Select<GridFilter['recommendation']>
          label="Recommended"
          value={filter.recommendation}
          options={[['any', 'Any'], ...(['revoke', 'look', 'keep'] as const).map((r) => [r, REC_TEXT[r]] as const)]}
          onChange={(recommendation) => setFilter((f) => ({ ...f, recommendation }))}
          disabled={partial}
        />
        <Select<DecisionFilter>
          label="Decision"
          value={filter.decision}
          options={[
            ['any', 'Any'],
            ['undecided', 'Undecided'],
            ['keep', 'Keep'],
            ['revoke', 'Revoke'],
            ['draft', 'Draft'],
            ['submitted', 'Submitted'],
          ]}
          onChange={(decision) => setFilter((f) => ({ ...f, decision }))}
          disabled={partial}
        />
        <Select<string> label="App" value={filter.app} options={[['', 'Any'], ...apps.map((a) => [a, a] as const)]} onChange={(app) => setFilter((f) => ({ ...f, app }))} disabled={partial} />
        <Select<GridFilter['reason']>
          label="Reason"
          value={filter.reason}
          options={[['any', 'Any'], ...RECOMMENDATION_REASONS.map((r) => [r, r.replace(/-/g, ' ')] as const)]}
          onChange={(reason) => setFilter((f) => ({ ...f, reason }))}
          disabled={partial}
        />
        <Select<GroupBy>
          label="Group by"
          value={groupBy}
          options={[
            ['none', 'Nothing'],
            ['person', 'Person'],
            ['access', 'App / role'],
          ]}
          onChange={setGroupBy}
          disabled={partial}
        />
      </div>
      <div className="toolbar rv-bulk" aria-label="Bulk decisions">
        {partial && queue ? (
          <span className="tabular" aria-live="polite">
            Loading all {queue.total.toLocaleString()} items… · showing the first {shown.toLocaleString()}
          </span>
        ) : (
          <span className="tabular" aria-live="polite">
            {counts.decided.toLocaleString()} of {counts.total.toLocaleString()} decided · {counts.drafts.toLocaleString()} not submitted · showing {shown.toLocaleString()}
            {selected.size > 0 ? ` · ${selected.size.toLocaleString()} selected` : ''}
          </span>
        )}
        <span className="toolbar-spacer" />
        {selected.size > 0 ? (
          <>
            <WriteButton className="btn btn-sm" onClick={() => bulkAsk('keep', [...selected], `${selected.size.toLocaleString()} selected items`)}>
              Keep selected…
            </WriteButton>
            <WriteButton className="btn btn-sm" onClick={() => bulkAsk('revoke', [...selected], `${selected.size.toLocaleString()} selected items`)}>
              Revoke selected…
            </WriteButton>
            <button type="button" className="btn btn-sm btn-ghost" onClick={() => setSelected(EMPTY)}>
              Clear selection
            </button>
          </>
        ) : (
          <>
            <WriteButton className="btn btn-sm" disabled={partial || shown === 0} onClick={() => bulkAsk('keep', filteredIds(), `all ${shown.toLocaleString()} items shown`)}>
              Keep all shown…
            </WriteButton>
            <WriteButton className="btn btn-sm" disabled={partial || shown === 0} onClick={() => bulkAsk('revoke', filteredIds(), `all ${shown.toLocaleString()} items shown`)}>
              Revoke all shown…
            </WriteButton>
          </>
        )}
      </div>
      {queue ? (
        <DataGrid<DisplayRow, GridSortKey>
          label="My review items"
          columns={columns}
          rows={rows}
          // The first screen and the whole queue are one query: the active row and the scroll stay when the rest arrives.
          queryKey={`${campaignId}:${JSON.stringify(effectiveFilter)}:${sort.key}:${sort.dir}:${groupBy}:${queue.status === 'loading' ? 'loading' : 'ready'}`}
          rowKey={(r) => (r.kind === 'item' ? String(r.item.id) : `g:${r.key}`)}
          sort={sort}
          onSortChange={(next) => {
            if (!partial) setSort(next);
          }}
          rowHeight={44}
          // Two-line rows: a sort or a filter re-renders and lays out every row rendered, so few beyond the view (j/k move one row at a time).
          overscan={4}
          cellsVersion={cellsVersion}
          rowClassName={(r) => (r.kind === 'group' ? 'rv-group-row' : selected.has(r.item.id) ? 'is-selected' : undefined)}
          onKey={onKey}
          onActiveChange={onActiveChange}
          empty={queue.status === 'loading' ? <p className="muted">Loading your items…</p> : <p className="muted">{items?.length ? 'No item matches these filters.' : 'Nothing for you to review in this campaign.'}</p>}
        />
      ) : null}
      {ask ? (
        <DecisionDialog
          ask={ask}
          onClose={() => setAsk(null)}
          onDecide={async (decision, opts) => {
            const out = await decide(ask.ids, decision, opts);
            if (out.refused.length === 0) setSelected(EMPTY);
            return out;
          }}
        />
      ) : null}
      {help ? <KeysDialog onClose={() => setHelp(false)} /> : null}
      {reassign !== null ? (
        <ReassignDialog campaignId={campaignId} ids={reassign === 'all' ? [] : reassign} from={reassign === 'all' ? person : null} onClose={() => {
          setReassign(null);
          setSelected(EMPTY);
        }} />
      ) : null}
    </div>
  );
}

function KeysDialog({ onClose }: { onClose: () => void }): ReactNode {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-label="Keyboard keys" onClose={onClose} onCancel={onClose}>
      <h2 className="dialog-title">Keys</h2>
      <table className="cat-table rv-keys">
        <tbody>
          {KEY_HELP.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="dialog-actions">
        <button type="button" className="btn btn-primary" onClick={onClose} autoFocus>
          Close
        </button>
      </div>
    </dialog>
  );
}
