// Relative times ("3 days ago", "expires in 2 h") counted from the engine's clock, with the absolute local time on hover.
import type { ReactNode } from 'react';
import { useNow } from '../hooks/useNow.js';
import { formatAbsolute, formatRelative, isStale, type InstantKind } from '../lib/format.js';

/**
 * "3 days ago" with the absolute local time and zone on hover; optionally flags
 * stale logins (>90 days). `kind`: an 'event' (the default) happened and never
 * reads "in …"; a 'deadline' (an expiry, a retry) may lie ahead.
 */
export function RelativeTime({
  iso,
  never = 'Never',
  flagStale = false,
  kind = 'event',
}: {
  iso: string | null;
  never?: string;
  flagStale?: boolean;
  kind?: InstantKind;
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
      {formatRelative(iso, now, kind)}
    </time>
  );
}
