// Checks, in the browser, that the console's grids fit: no header label and no
// cell of a column that is not free text is cut (scrollWidth > clientWidth),
// and no grid scrolls sideways; at the desktop widths the console is made for.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export const DESKTOP_WIDTHS = [1280, 1440] as const;

/** What is cut on the page as it is now: "<grid>: header “Created”", "<grid>: cell “12 min ago”", "<grid>: scrolls sideways". */
export function gridCuts(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const cuts: string[] = [];
    const cut = (el: Element): boolean => el instanceof HTMLElement && el.scrollWidth > el.clientWidth + 1;
    for (const grid of Array.from(document.querySelectorAll('[role="grid"]'))) {
      const name = grid.getAttribute('aria-label') ?? '?';
      for (const th of Array.from(grid.querySelectorAll('[role="columnheader"]'))) {
        const label = th.querySelector('.dg-sort > span, .dg-th-label');
        if (cut(th) || (label && cut(label))) cuts.push(`${name}: header “${th.textContent ?? ''}”`);
      }
      // Free-text cells (names, e-mails, notes) may end in an ellipsis; dates, badges and counts may not.
      for (const td of Array.from(grid.querySelectorAll('[role="gridcell"]:not(.is-free)'))) {
        if (cut(td)) cuts.push(`${name}: cell “${td.textContent ?? ''}”`);
      }
      if (cut(grid)) cuts.push(`${name}: scrolls sideways (${(grid as HTMLElement).scrollWidth} > ${(grid as HTMLElement).clientWidth})`);
    }
    return cuts;
  });
}

/**
 * At 1280 and 1440 px wide: waits for `ready` (the grids' rows), expects nothing
 * cut, and takes `shot-<width>.png` into `dir` when asked; the viewport is put back.
 */
export async function expectGridsFit(page: Page, opts: { ready?: () => Promise<unknown>; shot?: { dir: string; name: string } } = {}): Promise<void> {
  const before = page.viewportSize();
  try {
    for (const width of DESKTOP_WIDTHS) {
      await page.setViewportSize({ width, height: before?.height ?? 900 });
      await opts.ready?.();
      // Columns are measured once rows are in and again when the grid resizes: poll until settled.
      await expect.poll(() => gridCuts(page), { timeout: 5_000 }).toEqual([]);
      if (opts.shot) {
        // The page, not the notifications stacked over it.
        await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
        await page.screenshot({ path: path.join(opts.shot.dir, `${opts.shot.name}-${width}.png`) });
      }
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
