// One-line terminal progress for sync runs (redrawn with \r on stderr).
import type { SyncProgress } from '../../shared/domain.js';

export function renderProgressLine(p: SyncProgress, width = 24): string {
  const fraction = p.expected && p.expected > 0 ? Math.min(1, p.items / p.expected) : null;
  const bar =
    fraction === null
      ? '·'.repeat(width)
      : '█'.repeat(Math.round(fraction * width)).padEnd(width, '░');
  const of = p.expected ? `/${p.expected}` : '';
  const budget = p.budget ? ` · ${p.budget.bucket} budget ${p.budget.remaining}/${p.budget.limit}` : '';
  return `sync ${p.phase.padEnd(15)} ${bar} ${p.items}${of} · ${p.pages} pages · ${p.requests} requests${budget}`.padEnd(110);
}
