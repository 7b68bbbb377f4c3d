import type { ReactNode } from 'react';
import { useNow } from '../hooks/useNow.js';
import { formatAbsolute, formatRelative, isStale } from '../lib/format.js';

/** "3 days ago" with the absolute time on hover; optionally flags stale logins (>90 days). */
export function RelativeTime({
  iso,
  never = 'Never',
  flagStale = false,
}: {
  iso: string | null;
  never?: string;
  flagStale?: boolean;
}): ReactNode {
  const now = useNow();
  if (!iso) return <span className={`muted${flagStale ? ' is-stale' : ''}`}>{never}</span>;
  const stale = flagStale && isStale(iso, now);
  return (
    <time
      dateTime={iso}
      title={`${formatAbsolute(iso)}${stale ? ' — no login for more than 90 days' : ''}`}
      className={stale ? 'is-stale' : undefined}
    >
      {formatRelative(iso, now)}
    </time>
  );
}
