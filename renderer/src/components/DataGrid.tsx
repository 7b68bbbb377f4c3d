// The one table component. Server-side windowed data: the grid asks for pages
// of `pageSize` rows through `fetchPage(offset, limit, signal)` as the user
// scrolls, caches them (bounded), shows placeholders for rows not loaded yet,
// and takes the total from the server. Rows are virtualised with TanStack
// Virtual at a fixed height, so 100,000 rows cost what 40 do.
//
// Keyboard: the grid is one tab stop; ArrowUp/ArrowDown/PageUp/PageDown/Home/End
// move the active row (aria-activedescendant), Enter opens it. Header buttons
// sort (aria-sort on the column header). A page may answer more keys (`onKey`:
// the review grid's j/k, a, r, x...) and follow the active row (`onActiveChange`).
//
// In-memory rows (`rows` instead of `fetchPage`): a page that holds the whole
// result (the review grid's 100,000 items, filtered and sorted where they are)
// hands the array over; nothing is fetched, and a new array with the same
// `queryKey` re-renders the rows in view without moving the scroll or the
// active row (a decision key updates its row at once).
//
// Column widths: every row is its own CSS grid (rows are virtualised), so the
// browser cannot size a column by its content. The grid does it: it measures
// each header, and each cell of a column that is not free text, at its
// natural (max-content) width, and keeps the widest seen as that column's
// minimum; free-text columns (`truncate`) take the space left by their `fr`
// share, give way first when the grid is narrow, and end in an ellipsis with
// the whole text on hover (the rules: lib/column-sizing.ts). So a date, a
// badge, a count or a header is never cut; only when even the free text is
// at its floor does the grid scroll sideways.
import { useVirtualizer } from '@tanstack/react-virtual';
import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import type { Page } from '../../../shared/domain.js';
import { errorMessage, isAbort } from '../api/client.js';
import { useNow } from '../hooks/useNow.js';
import { columnTracks, type Needs } from '../lib/column-sizing.js';
import { GridHeader } from './DataGridHeader.js';
import { GridRow } from './DataGridRow.js';
import { anyCut, measureNeeds, mergeNeeds } from './grid-measure.js';
import {
  evictPages,
  failedPages,
  missingPages,
  nextActiveIndex,
  pagesForRange,
  rowAt,
  scrollTopFor,
  withPage,
  type Pages,
} from '../lib/page-cache.js';

export type SortDir = 'asc' | 'desc';
export type SortState<K extends string> = { key: K; dir: SortDir };

export type GridColumn<T, K extends string = string> = {
  id: string;
  header: string;
  /**
   * CSS grid track, e.g. 'minmax(180px, 2fr)' (flexible: takes a share of the
   * space left) or '96px' (fixed). The px part is a starting size: the grid
   * raises it to what the header and (unless `truncate`) the content need.
   */
  width: string;
  /**
   * Smallest width in px before anything is measured (so narrow windows scroll
   * sideways instead of crushing columns); for free text, the width it keeps
   * while there is room (it may give way to half of it, see lib/column-sizing.ts).
   */
  minWidth: number;
  /**
   * Free text (names, e-mails, titles, notes, errors): may be cut with an
   * ellipsis; the cell's title (below, or else its text) then shows it whole.
   * Other columns (dates, badges, counts) are never cut: they grow to fit.
   */
  truncate?: boolean;
  /** Present when the column can sort; the value is what goes to the server. */
  sortKey?: K;
  align?: 'start' | 'end';
  render: (row: T) => ReactNode;
  /** Hover text of a cell: the full text of a truncated one, or what a count or badge stands for. */
  title?: (row: T) => string | undefined;
};

export type DataGridProps<T, K extends string = string> = {
  /** Accessible name of the grid, e.g. "Users". */
  label: string;
  columns: readonly GridColumn<T, K>[];
  /** Loads one page. Called with offsets that are multiples of pageSize. Not used when `rows` is given. */
  fetchPage?: (offset: number, limit: number, signal: AbortSignal) => Promise<Page<T>>;
  /** The whole result, held by the page: shown as is (no fetching). */
  rows?: readonly T[];
  /** A key the grid does not handle itself; return true when it was handled (the default is then prevented). */
  onKey?: (e: KeyboardEvent<HTMLDivElement>, at: { active: number; moveTo: (index: number) => void }) => boolean;
  /** The active row moved (-1: none). */
  onActiveChange?: (index: number) => void;
  /** Anything that changes the result (search, filters, sort, data version). A new key reloads from the top. */
  queryKey: string;
  rowKey: (row: T) => string;
  sort?: SortState<K> | null;
  onSortChange?: (sort: SortState<K>) => void;
  /** Row click or Enter. */
  onOpen?: (row: T) => void;
  /** Key of the row whose detail is open, kept highlighted. */
  openKey?: string | null;
  /** What to show when there are no rows: say what to do next. */
  empty: ReactNode;
  pageSize?: number;
  rowHeight?: number;
  /** Size to content up to this many rows instead of filling the parent. */
  maxVisibleRows?: number;
  onTotal?: (total: number | null) => void;
  rowClassName?: (row: T) => string | undefined;
  /** Page-cache bound (pages of pageSize rows). */
  maxPages?: number;
  /**
   * What the cells read besides their row (e.g. a store's decisions), as a value that changes when
   * it does. Given: a row re-renders only when it or its state changes, or this does (j/k then
   * re-render two rows). Not given: every row in view re-renders with the grid, as cells may read anything.
   */
  cellsVersion?: unknown;
  /**
   * Rows rendered beyond those in view, each way (default 12). Every one of them is rendered, laid
   * out and reconciled again when the whole result changes (a sort, a filter): a grid with heavy
   * rows that re-sorts often may keep fewer.
   */
  overscan?: number;
};

const HEADER_HEIGHT = 34;
// While the visible rows change, their pages are fetched at most this often.
const FETCH_EVERY_MS = 50;
const OVERSCAN_ROWS = 40;

type View<T> = { key: string; total: number; pages: Pages<T> };

const NO_NEEDS: Needs = { header: new Map(), content: new Map() };
const NO_PAGES: Pages<never> = new Map();
// After scrolling stops, the rows now in view are measured once.
const MEASURE_AFTER_SCROLL_MS = 120;

export function DataGrid<T, K extends string = string>(props: DataGridProps<T, K>): ReactNode {
  const {
    label,
    columns,
    queryKey,
    rowKey,
    sort,
    onSortChange,
    onOpen,
    openKey,
    empty,
    pageSize = 200,
    rowHeight = 32,
    maxVisibleRows,
    onTotal,
    rowClassName,
    maxPages = 60,
    rows: localRows,
    onKey,
    onActiveChange,
    cellsVersion,
    overscan = 12,
  } = props;
  const isLocal = localRows !== undefined;
  const gridId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const fetchRef = useRef(props.fetchPage);
  const viewRef = useRef<View<T> | null>(null);
  const inflight = useRef(new Map<number, AbortController>());
  const rangeRef = useRef({ first: 0, last: 0, key: '' });

  const [fetchedView, setView] = useState<View<T> | null>(null);
  const [firstError, setFirstError] = useState<{ key: string; message: string } | null>(null);
  const [active, setActive] = useState(-1);
  const [reloadNonce, setReloadNonce] = useState(0);

  const loadKey = `${queryKey}\u0000${reloadNonce}`;
  // One object per rows array and query (not per render): effects keyed on the view stay quiet while j/k move the active row.
  const localView = useMemo<View<T> | null>(() => (localRows !== undefined ? { key: loadKey, total: localRows.length, pages: NO_PAGES } : null), [localRows, loadKey]);
  const view: View<T> | null = localView ?? fetchedView;
  const current = view?.key === loadKey ? view : null;
  const refreshing = view !== null && current === null;
  const errorNow = firstError?.key === loadKey ? firstError.message : null;
  const shown = errorNow !== null ? null : view;
  const total = shown?.total ?? null;
  const firstLoad = shown === null && errorNow === null;
  const skeletonRows = maxVisibleRows ?? 18;
  const count = total ?? (firstLoad ? skeletonRows : 0);

  useEffect(() => {
    fetchRef.current = props.fetchPage;
    viewRef.current = view;
    rangeRef.current = { first: firstIndex, last: lastIndex, key: loadKey };
  });

  // A new query: fetch its first page; keep the old rows (dimmed) until it arrives.
  useEffect(() => {
    if (isLocal) {
      // In memory: a new query (filter, sort) starts at the top; the same query with new rows stays put.
      setActive((a) => (a < 0 ? -1 : 0));
      if (scrollRef.current) scrollRef.current.scrollTop = 0;
      return;
    }
    const fetchPage = fetchRef.current;
    if (!fetchPage) return;
    const controller = new AbortController();
    const pending = inflight.current;
    fetchPage(0, pageSize, controller.signal).then(
      (page) => {
        if (controller.signal.aborted) return;
        setView({ key: loadKey, total: page.total, pages: new Map([[0, { status: 'loaded', rows: page.rows }]]) });
        setFirstError(null);
        setActive((a) => (a < 0 ? -1 : 0));
        if (scrollRef.current) scrollRef.current.scrollTop = 0;
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setFirstError({ key: loadKey, message: errorMessage(error) });
      },
    );
    return () => {
      controller.abort();
      for (const c of pending.values()) c.abort();
      pending.clear();
    };
  }, [loadKey, pageSize, isLocal]);

  // The count shown next to the table: null while it is unknown or failed.
  const reportedTotal = errorNow !== null ? null : current ? current.total : undefined;
  useEffect(() => {
    if (reportedTotal !== undefined) onTotal?.(reportedTotal);
  }, [reportedTotal, onTotal]);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is a mutable instance; this component is not compiler-memoised
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan,
    scrollMargin: HEADER_HEIGHT,
  });
  // Item starts include the header (scrollMargin); getTotalSize() does not.
  const items = virtualizer.getVirtualItems();
  const firstIndex = items[0]?.index ?? 0;
  const lastIndex = items[items.length - 1]?.index ?? 0;

  const fetchOne = useCallback(
    (key: string, page: number) => {
      const fetchPage = fetchRef.current;
      if (!fetchPage) return;
      const controller = new AbortController();
      inflight.current.set(page, controller);
      setView((v) => (v && v.key === key ? { ...v, pages: withPage(v.pages, page, { status: 'loading' }) } : v));
      fetchPage(page * pageSize, pageSize, controller.signal).then(
        (result) => {
          if (inflight.current.get(page) === controller) inflight.current.delete(page);
          if (controller.signal.aborted) return;
          setView((v) =>
            v && v.key === key
              ? {
                  ...v,
                  total: result.total,
                  pages: evictPages(withPage(v.pages, page, { status: 'loaded', rows: result.rows }), page, maxPages),
                }
              : v,
          );
        },
        (error: unknown) => {
          if (inflight.current.get(page) === controller) inflight.current.delete(page);
          const aborted = controller.signal.aborted || isAbort(error);
          setView((v) =>
            v && v.key === key
              ? {
                  ...v,
                  pages: withPage(v.pages, page, aborted ? null : { status: 'error', message: errorMessage(error) }),
                }
              : v,
          );
        },
      );
    },
    [pageSize, maxPages],
  );

  // Scrolling: fetch the pages around the visible rows; drop requests the user scrolled away from.
  // Throttled, not debounced: a timer reset on every visible-range change never fires while the
  // user keeps scrolling, and the rows stay placeholders until they stop.
  const fetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => () => {
    if (fetchTimer.current) clearTimeout(fetchTimer.current);
  }, []);
  useEffect(() => {
    if (!current || fetchTimer.current || isLocal) return;
    fetchTimer.current = setTimeout(() => {
      fetchTimer.current = null;
      const v = viewRef.current;
      const { first, last, key } = rangeRef.current;
      if (!v || v.key !== key) return;
      const wanted = pagesForRange(first, last, pageSize, v.total, OVERSCAN_ROWS);
      for (const [page, controller] of inflight.current) {
        if (!wanted.includes(page)) {
          controller.abort();
          inflight.current.delete(page);
        }
      }
      for (const page of missingPages(v.pages, wanted)) fetchOne(key, page);
    }, FETCH_EVERY_MS);
  }, [current, firstIndex, lastIndex, pageSize, fetchOne, isLocal]);

  // Column widths from the header and content (see the file comment). Measured
  // in full (a style and layout pass of the rows in view) once the columns have
  // rows to measure; after that only when something is found cut. Checked
  // before paint when a query's first rows arrive and when relative times tick
  // ("just now" becomes "12 min ago"); after pages that load while scrolling,
  // once the scrolling settles: a scroll pays nothing, a stop a few reads.
  const [needs, setNeeds] = useState<Needs>(NO_NEEDS);
  // The width the columns share (without the vertical scrollbar): free-text columns give way when it is short.
  const [gridWidth, setGridWidth] = useState(0);
  const measuredFor = useRef('');
  const columnsKey = columns.map((c) => `${c.id}${c.truncate ? '~' : ''}`).join('\u0000');
  const remeasure = useCallback(
    (root: HTMLElement) => {
      const withRows = root.querySelector('.dg-body > .dg-row:not(.is-placeholder)') !== null;
      const key = `${columnsKey}\u0000${withRows ? 'rows' : 'header'}`;
      if (measuredFor.current === key && !anyCut(root, columns)) return;
      measuredFor.current = key;
      setNeeds((prev) => mergeNeeds(prev, measureNeeds(root, columns)));
    },
    [columns, columnsKey],
  );
  const now = useNow();
  const loadedKey = current?.key ?? null;
  useLayoutEffect(() => {
    const root = scrollRef.current;
    if (!root) return;
    setGridWidth(root.clientWidth);
    remeasure(root);
  }, [loadedKey, remeasure, now]);
  useEffect(() => {
    const root = scrollRef.current;
    if (!root || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => setGridWidth(root.clientWidth));
    observer.observe(root);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const timer = setTimeout(() => {
      if (scrollRef.current) remeasure(scrollRef.current);
    }, MEASURE_AFTER_SCROLL_MS);
    return () => clearTimeout(timer);
  }, [firstIndex, lastIndex, shown, remeasure]);

  const failed = shown ? failedPages(shown.pages) : [];
  const retryFailed = (): void => {
    setView((v) => {
      if (!v) return v;
      let pages: Pages<T> = v.pages;
      for (const f of failedPages(v.pages)) pages = withPage(pages, f.page, null);
      return { ...v, pages };
    });
  };

  const activeIndex = total === null ? -1 : Math.min(active, total - 1);
  const rowOf = (index: number): T | undefined => (localRows !== undefined ? localRows[index] : shown ? rowAt(shown.pages, index, pageSize) : undefined);
  useEffect(() => {
    onActiveChange?.(activeIndex);
  }, [activeIndex, onActiveChange]);
  const rowDomId = (index: number): string => `${gridId}-r${index}`;

  const moveTo = (index: number): void => {
    setActive(index);
    const el = scrollRef.current;
    if (!el) return;
    const top = scrollTopFor(index, rowHeight, el, HEADER_HEIGHT);
    if (top !== null) el.scrollTop = top;
  };

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (total === null || total === 0) return;
    const target = e.target as HTMLElement;
    if (e.key === 'Enter') {
      if (target !== e.currentTarget) return; // Enter on a header button sorts
      const row = shown && activeIndex >= 0 ? rowOf(activeIndex) : undefined;
      if (row !== undefined) {
        e.preventDefault();
        onOpen?.(row);
      }
      return;
    }
    const el = scrollRef.current;
    const visibleRows = el ? Math.floor((el.clientHeight - HEADER_HEIGHT) / rowHeight) - 1 : 10;
    const next = nextActiveIndex(e.key, activeIndex, total, visibleRows);
    if (next === null) {
      if (onKey?.(e, { active: activeIndex, moveTo })) e.preventDefault();
      return;
    }
    e.preventDefault();
    moveTo(next);
  };

  // Stable row handlers (rows are memoised): they read what changes through a ref.
  const rowClick = useRef<(index: number) => void>(() => undefined);
  rowClick.current = (index: number): void => {
    if (shown) setActive(index);
    const row = rowOf(index);
    if (row !== undefined) onOpen?.(row);
  };
  const onRowClick = useCallback((index: number) => rowClick.current(index), []);
  const onRowMouseDown = useCallback((e: { button: number }) => {
    // Keep keyboard focus on the grid, not the clicked cell.
    if (e.button === 0) scrollRef.current?.focus({ preventScroll: true });
  }, []);
  // Without a cellsVersion every render is a new version: rows render as they always did.
  const rowsVersion = cellsVersion === undefined ? {} : cellsVersion;

  const onFocus = (): void => {
    if (active < 0 && total !== null && total > 0) setActive(Math.max(0, Math.floor((scrollRef.current?.scrollTop ?? 0) / rowHeight)));
  };

  const { template, minWidth } = columnTracks(columns, needs, gridWidth);
  const autoHeight =
    maxVisibleRows === undefined
      ? undefined
      : HEADER_HEIGHT + rowHeight * Math.max(total === 0 || errorNow !== null ? 4 : 1, Math.min(maxVisibleRows, count)) + 2;
  const style = {
    '--dg-cols': template,
    '--dg-min': `${minWidth}px`,
    '--dg-row-h': `${rowHeight}px`,
    '--dg-head-h': `${HEADER_HEIGHT}px`,
    ...(autoHeight !== undefined ? { height: `${autoHeight}px`, flex: 'none' } : {}),
  } as CSSProperties;

  return (
    <div className={`dg${refreshing ? ' is-refreshing' : ''}${autoHeight !== undefined ? ' is-auto' : ''}`} style={style}>
      {refreshing && !errorNow ? <div className="dg-progress" aria-hidden="true" /> : null}
      <div
        ref={scrollRef}
        className="dg-scroll"
        role="grid"
        aria-label={label}
        aria-rowcount={total === null ? -1 : total + 1}
        aria-colcount={columns.length}
        aria-busy={firstLoad || refreshing}
        aria-activedescendant={activeIndex >= 0 && shown ? rowDomId(activeIndex) : undefined}
        tabIndex={0}
        onKeyDown={onKeyDown}
        onFocus={onFocus}
      >
        <GridHeader<K> columns={columns} sort={sort} onSortChange={onSortChange} />
        <div role="rowgroup" className="dg-body" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {shown || firstLoad
            ? items.map((item) => {
                const row = shown ? rowOf(item.index) : undefined;
                const key = row === undefined ? null : rowKey(row);
                const isActive = item.index === activeIndex;
                const cls = [
                  'dg-row',
                  isActive ? 'is-active' : '',
                  key !== null && key === openKey ? 'is-open' : '',
                  row === undefined ? 'is-placeholder' : '',
                  row !== undefined ? (rowClassName?.(row) ?? '') : '',
                ]
                  .filter(Boolean)
                  .join(' ');
                return (
                  <GridRow<T>
                    key={item.index}
                    index={item.index}
                    domId={rowDomId(item.index)}
                    top={item.start - HEADER_HEIGHT}
                    row={row}
                    className={cls}
                    isActive={isActive}
                    columns={columns}
                    cellsVersion={rowsVersion}
                    onMouseDown={onRowMouseDown}
                    onClick={onRowClick}
                    placeholderWidth={skeletonWidth}
                  />
                );
              })
            : null}
        </div>
      </div>
      {errorNow !== null ? (
        <div className="dg-overlay dg-error" role="alert">
          <strong>Couldn’t load {label.toLowerCase()}</strong>
          <p>{errorNow}</p>
          <button type="button" className="btn" onClick={() => setReloadNonce((n) => n + 1)}>
            Retry
          </button>
        </div>
      ) : current && current.total === 0 ? (
        <div className="dg-overlay dg-empty" role="status">
          {empty}
        </div>
      ) : null}
      {failed.length > 0 ? (
        <div className="dg-failbar" role="alert">
          <span>Some rows didn’t load: {failed[0]?.message}</span>
          <button type="button" className="btn btn-sm" onClick={retryFailed}>
            Retry
          </button>
        </div>
      ) : null}
    </div>
  );
}

/** Deterministic widths so placeholder rows look like text, not a barcode. */
function skeletonWidth(index: number, columnId: string): number {
  let h = index * 31;
  for (let i = 0; i < columnId.length; i++) h = (h * 33 + columnId.charCodeAt(i)) % 997;
  return 35 + (h % 50);
}
