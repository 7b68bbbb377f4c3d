// The catalog import's numeric limits at their exact ends: the maximum custom
// duration (1 minute to 5 years) and the pending-request timeout (1 hour to
// 90 days) are accepted at both ends and refused one past them, naming the
// row and column. The catalog tests only try values far outside (issue 9).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRows } from '../../electron/engine/catalog/catalog-io.js';
import { MAX_CUSTOM_MINUTES } from '../../shared/contract-catalog.js';
import { createTempWorkspace, type TempWorkspace } from '../fixtures/seed-snapshot.js';

let ws: TempWorkspace;
beforeEach(() => {
  ws = createTempWorkspace('latchkey-catalog-limits-');
});
afterEach(() => ws.cleanup());

const HEADER = ['app', 'role', 'risk', 'durations', 'default_duration', 'max_duration_minutes', 'pending_timeout_hours'];
/** Errors for one role row with these two limits. */
const errorsFor = (maxMinutes: string, timeoutHours: string): string[] =>
  checkRows(ws.db, [HEADER, ['Figma', 'Editor', 'medium', '24h, custom', '24h', maxMinutes, timeoutHours]]).errors.map((e) => e.message);

describe('catalog import limits, at the edge', () => {
  it('max_duration_minutes: 1 and 5 years are accepted; 0 and 5 years + 1 minute are refused', () => {
    expect(MAX_CUSTOM_MINUTES).toBe(5 * 366 * 24 * 60);
    expect(errorsFor('1', '')).toEqual([]);
    expect(errorsFor(String(MAX_CUSTOM_MINUTES), '')).toEqual([]);
    expect(errorsFor('0', '')).toEqual([`row 2: max_duration_minutes '0' is not a whole number from 1 to ${MAX_CUSTOM_MINUTES}`]);
    expect(errorsFor(String(MAX_CUSTOM_MINUTES + 1), '')).toEqual([`row 2: max_duration_minutes '${MAX_CUSTOM_MINUTES + 1}' is not a whole number from 1 to ${MAX_CUSTOM_MINUTES}`]);
  });

  it('pending_timeout_hours: 1 hour and 90 days are accepted; 0 and 90 days + 1 hour are refused', () => {
    expect(errorsFor('60', '1')).toEqual([]);
    expect(errorsFor('60', '2160')).toEqual([]);
    expect(errorsFor('60', '0')).toEqual(["row 2: pending_timeout_hours '0' is not a whole number from 1 to 2160"]);
    expect(errorsFor('60', '2161')).toEqual(["row 2: pending_timeout_hours '2161' is not a whole number from 1 to 2160"]);
  });
});
