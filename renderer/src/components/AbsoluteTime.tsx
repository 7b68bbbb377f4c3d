// Absolute times ("Apr 24, 14:03:05") in local time, with the full date, time and zone on hover: the one way the console prints an instant.
import type { ReactNode } from 'react';
import { formatAbsolute, formatDate, formatDateTime, formatTime } from '../lib/format.js';

const FORMATS = { datetime: formatDateTime, date: formatDate, time: formatTime, full: formatAbsolute } as const;

/** An instant as text; `format` picks the precision shown, the title always carries the full local time with zone. */
export function AbsoluteTime({ iso, format = 'datetime', className }: { iso: string | null | undefined; format?: keyof typeof FORMATS; className?: string }): ReactNode {
  if (!iso) return <span className={`muted${className ? ` ${className}` : ''}`}>—</span>;
  return (
    <time dateTime={iso} title={formatAbsolute(iso)} className={className}>
      {FORMATS[format](iso)}
    </time>
  );
}
