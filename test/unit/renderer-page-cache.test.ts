import { describe, expect, it } from 'vitest';
import {
  evictPages,
  failedPages,
  missingPages,
  nextActiveIndex,
  pagesForRange,
  rowAt,
  scrollTopFor,
  withPage,
  type PageState,
} from '../../renderer/src/lib/page-cache.js';

const loaded = (from: number, n: number): PageState<number> => ({
  status: 'loaded',
  rows: Array.from({ length: n }, (_, i) => from + i),
});

describe('data grid page cache', () => {
  it('computes the pages that cover the visible rows plus overscan', () => {
    expect(pagesForRange(0, 20, 200, 100_000, 40)).toEqual([0]);
    expect(pagesForRange(190, 210, 200, 100_000, 0)).toEqual([0, 1]);
    expect(pagesForRange(50_000, 50_020, 200, 100_000, 40)).toEqual([249, 250]);
    expect(pagesForRange(99_990, 100_010, 200, 100_000, 40)).toEqual([499]);
    expect(pagesForRange(0, 10, 200, 0, 40)).toEqual([]);
  });

  it('reads rows by absolute index and reports missing pages', () => {
    let pages = withPage(new Map(), 0, loaded(0, 200));
    pages = withPage(pages, 2, { status: 'loading' });
    expect(rowAt(pages, 199, 200)).toBe(199);
    expect(rowAt(pages, 200, 200)).toBeUndefined();
    expect(rowAt(pages, 450, 200)).toBeUndefined();
    expect(missingPages(pages, [0, 1, 2, 3])).toEqual([1, 3]);
  });

  it('keeps failed pages until retried, and lists them', () => {
    const pages = withPage(new Map(), 5, { status: 'error', message: 'boom' });
    expect(failedPages(pages)).toEqual([{ page: 5, message: 'boom' }]);
    expect(missingPages(pages, [5])).toEqual([]);
    expect(missingPages(withPage(pages, 5, null), [5])).toEqual([5]);
  });

  it('evicts the pages farthest from where the user is, never the ones in flight', () => {
    const pages = new Map<number, PageState<number>>();
    for (let p = 0; p < 10; p++) pages.set(p, loaded(p * 10, 10));
    pages.set(0, { status: 'loading' });
    const kept = evictPages(pages, 8, 4);
    expect([...kept.keys()].sort((a, b) => a - b)).toEqual([0, 7, 8, 9]);
    expect(evictPages(kept, 8, 4)).toBe(kept);
  });

  it('moves the active row like a spreadsheet', () => {
    expect(nextActiveIndex('ArrowDown', -1, 100, 20)).toBe(0);
    expect(nextActiveIndex('ArrowDown', 99, 100, 20)).toBe(99);
    expect(nextActiveIndex('ArrowUp', 0, 100, 20)).toBe(0);
    expect(nextActiveIndex('PageDown', 10, 100, 20)).toBe(30);
    expect(nextActiveIndex('PageDown', 90, 100, 20)).toBe(99);
    expect(nextActiveIndex('PageUp', 10, 100, 20)).toBe(0);
    expect(nextActiveIndex('Home', 50, 100, 20)).toBe(0);
    expect(nextActiveIndex('End', 0, 100_000, 20)).toBe(99_999);
    expect(nextActiveIndex('a', 0, 100, 20)).toBeNull();
    expect(nextActiveIndex('ArrowDown', 0, 0, 20)).toBeNull();
  });

  it('scrolls just enough to show the active row under the sticky header', () => {
    const view = { scrollTop: 320, clientHeight: 34 + 320 }; // rows 10..19 visible
    expect(scrollTopFor(12, 32, view, 34)).toBeNull();
    expect(scrollTopFor(9, 32, view, 34)).toBe(288);
    expect(scrollTopFor(20, 32, view, 34)).toBe(352);
  });
});
