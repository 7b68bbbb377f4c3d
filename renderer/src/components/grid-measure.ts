// DataGrid's column measuring in the page: how wide each header and each
// cell that must not be cut really is (at max-content), whether anything is
// cut right now, and the hover title of a cut free-text cell. The sizing
// rules those widths feed are lib/column-sizing.ts (pure, tested alone).
import type { MouseEvent } from 'react';
import type { Needs } from '../lib/column-sizing.js';

/**
 * Measures the header cells, and the loaded cells of columns that must not be
 * cut, at their max-content width (one class toggled around synchronous reads:
 * nothing is painted in between).
 */
export function measureNeeds(root: HTMLElement, columns: readonly { id: string; truncate?: boolean }[]): Needs {
  const header = new Map<string, number>();
  const content = new Map<string, number>();
  const take = (into: Map<string, number>, id: string, el: Element | undefined): void => {
    if (!el) return;
    // Rounded up, plus one: a fractional width rounded down would show an ellipsis.
    const w = Math.ceil(el.getBoundingClientRect().width) + 1;
    if (w > (into.get(id) ?? 0)) into.set(id, w);
  };
  root.classList.add('is-measuring');
  try {
    const head = root.querySelector('.dg-head-row');
    columns.forEach((c, i) => take(header, c.id, head?.children[i]));
    for (const row of root.querySelectorAll('.dg-body > .dg-row:not(.is-placeholder)')) {
      columns.forEach((c, i) => {
        if (!c.truncate) take(content, c.id, row.children[i]);
      });
    }
  } finally {
    root.classList.remove('is-measuring');
  }
  return { header, content };
}

/**
 * Whether a header or a cell that must not be cut is cut now: a cheap check
 * (the layout is there already) that decides whether to measure again.
 */
export function anyCut(root: HTMLElement, columns: readonly { truncate?: boolean }[]): boolean {
  const cut = (el: Element | undefined): boolean => el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1;
  const head = root.querySelector('.dg-head-row');
  if (head && Array.from(head.querySelectorAll('.dg-sort > span, .dg-th-label')).some(cut)) return true;
  for (const row of root.querySelectorAll('.dg-body > .dg-row:not(.is-placeholder)')) {
    if (columns.some((c, i) => !c.truncate && cut(row.children[i]))) return true;
  }
  return false;
}

/** Keeps the wider of each width (columns only grow while the grid lives: no jumping back and forth). */
export function mergeNeeds(prev: Needs, found: Needs): Needs {
  const merge = (a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): ReadonlyMap<string, number> => {
    let out: Map<string, number> | null = null;
    for (const [id, w] of b) {
      if (w > (a.get(id) ?? 0)) {
        out ??= new Map(a);
        out.set(id, w);
      }
    }
    return out ?? a;
  };
  const header = merge(prev.header, found.header);
  const content = merge(prev.content, found.content);
  return header === prev.header && content === prev.content ? prev : { header, content };
}

/** The whole text of a cut free-text cell on hover, when the column gives no title of its own. */
export function titleIfCut(e: MouseEvent<HTMLDivElement>): void {
  const el = e.currentTarget;
  const cut = el.scrollWidth > el.clientWidth + 1;
  if (cut) el.title = el.textContent ?? '';
  else el.removeAttribute('title');
}
