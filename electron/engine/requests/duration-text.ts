// Durations as people write them (CLI flags, CSV cells, JSM portal fields).
import { DURATION_MINUTES, type DurationOption } from '../../../shared/governance.js';
import { UserError } from '../context.js';

const FIXED: readonly Exclude<DurationOption, 'permanent' | 'custom'>[] = ['1h', '6h', '24h', '7d', '30d'];

/**
 * A duration as people write it: an option name ("24h", "permanent"), or a
 * length ("90m", "2 h", "10d", "45 min"); a length equal to an option is that
 * option, anything else is 'custom' with its minutes.
 */
export function parseDuration(text: string): { duration: DurationOption; minutes: number | null } {
  const t = text.trim().toLowerCase();
  if (t === 'permanent') return { duration: 'permanent', minutes: null };
  const m = /^(\d{1,7})\s*(m|min|mins|minutes?|h|hours?|d|days?)$/.exec(t);
  if (!m) throw new UserError(`duration "${text.trim()}" is not one of permanent, 1h, 6h, 24h, 7d, 30d, or a length like 90m, 2h, 10d`, 'bad-input');
  const n = Number(m[1]);
  const unit = (m[2] as string)[0];
  const minutes = unit === 'm' ? n : unit === 'h' ? n * 60 : n * 1440;
  if (minutes <= 0) throw new UserError(`duration "${text.trim()}" is not a positive length`, 'bad-input');
  const fixed = FIXED.find((f) => DURATION_MINUTES[f] === minutes);
  return fixed ? { duration: fixed, minutes: null } : { duration: 'custom', minutes };
}
