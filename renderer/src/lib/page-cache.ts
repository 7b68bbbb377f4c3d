// The data grid's window onto a server-side result: pages of `pageSize` rows
// fetched as the user scrolls, kept in a bounded cache so scrolling through
// 100,000 rows does not keep all of them in memory. Pure functions over an
// immutable map, so React state can hold it.

export type PageState<T> =
  | { status: 'loading' }
  | { status: 'loaded'; rows: readonly T[] }
  | { status: 'error'; message: string };

export type Pages<T> = ReadonlyMap<number, PageState<T>>;

/** Page indices covering rows [start, end] plus `overscan` rows each side, clamped to the total. */
export function pagesForRange(start: number, end: number, pageSize: number, total: number, overscan = 0): number[] {
  if (total <= 0 || end < start) return [];
  const from = Math.max(0, start - overscan);
  const to = Math.min(total - 1, end + overscan);
  if (to < from) return [];
  const first = Math.floor(from / pageSize);
  const last = Math.floor(to / pageSize);
  const out: number[] = [];
  for (let p = first; p <= last; p++) out.push(p);
  return out;
}

/** The row at an absolute index, or undefined when its page is not loaded (yet). */
export function rowAt<T>(pages: Pages<T>, index: number, pageSize: number): T | undefined {
  const s = pages.get(Math.floor(index / pageSize));
  return s?.status === 'loaded' ? s.rows[index % pageSize] : undefined;
}

/** Pages from `wanted` that are neither loaded, loading, nor failed. */
export function missingPages<T>(pages: Pages<T>, wanted: readonly number[]): number[] {
  return wanted.filter((p) => !pages.has(p));
}

export function withPage<T>(pages: Pages<T>, page: number, state: PageState<T> | null): Map<number, PageState<T>> {
  const next = new Map(pages);
  if (state === null) next.delete(page);
  else next.set(page, state);
  return next;
}

/** Failed pages, so the grid can offer one "Retry" for all of them. */
export function failedPages<T>(pages: Pages<T>): { page: number; message: string }[] {
  const out: { page: number; message: string }[] = [];
  for (const [page, s] of pages) if (s.status === 'error') out.push({ page, message: s.message });
  return out;
}

/**
 * Drops settled pages farthest from `centerPage` until at most `maxPages`
 * remain. Pages still loading are kept (their answer is on its way).
 */
export function evictPages<T>(pages: Pages<T>, centerPage: number, maxPages: number): Pages<T> {
  if (pages.size <= maxPages) return pages;
  const next = new Map(pages);
  const candidates = [...next.entries()]
    .filter(([, s]) => s.status !== 'loading')
    .map(([p]) => p)
    .sort((a, b) => Math.abs(b - centerPage) - Math.abs(a - centerPage));
  for (const p of candidates) {
    if (next.size <= maxPages) break;
    next.delete(p);
  }
  return next;
}

/** Where the active row moves for a navigation key, or null if the key is not ours. */
export function nextActiveIndex(key: string, current: number, total: number, pageRows: number): number | null {
  if (total <= 0) return null;
  const last = total - 1;
  const from = current < 0 ? -1 : Math.min(current, last);
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, from + 1);
    case 'ArrowUp':
      return Math.max(0, from - 1);
    case 'PageDown':
      return Math.min(last, Math.max(0, from) + Math.max(1, pageRows));
    case 'PageUp':
      return Math.max(0, from - Math.max(1, pageRows));
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}

/** scrollTop that brings row `index` fully into view below a sticky header, or null if it already is. */
export function scrollTopFor(
  index: number,
  rowHeight: number,
  viewport: { scrollTop: number; clientHeight: number },
  headerHeight: number,
): number | null {
  const top = index * rowHeight; // relative to the body, which starts under the header
  const visibleTop = viewport.scrollTop;
  const visibleBottom = viewport.scrollTop + viewport.clientHeight - headerHeight;
  if (top < visibleTop) return top;
  if (top + rowHeight > visibleBottom) return top + rowHeight - (viewport.clientHeight - headerHeight);
  return null;
}
