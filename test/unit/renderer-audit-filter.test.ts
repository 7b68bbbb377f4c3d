// The Audit log page's period as the engine receives it: local days, the
// last one included (to = the start of the day after it), blanks left out.
import { describe, expect, it } from 'vitest';
import { engineFilter, localDayStart, NO_FILTERS } from '../../renderer/src/stores/audit-store.js';

describe('the audit filter sent to the engine', () => {
  it('turns a period of local days into [first day start, day after the last)', () => {
    expect(engineFilter({ ...NO_FILTERS, fromDay: '2026-05-01', toDay: '2026-05-07' })).toEqual({
      from: new Date(2026, 4, 1).toISOString(),
      to: new Date(2026, 4, 8).toISOString(),
    });
    // One day: from its start to the next day's start; across a month's end.
    expect(engineFilter({ ...NO_FILTERS, fromDay: '2026-05-31', toDay: '2026-05-31' })).toEqual({ from: new Date(2026, 4, 31).toISOString(), to: new Date(2026, 5, 1).toISOString() });
  });

  it('sends only what is set, trimmed, and ignores a malformed day', () => {
    expect(engineFilter(NO_FILTERS)).toEqual({});
    expect(engineFilter({ ...NO_FILTERS, actor: '  hal ', action: 'grant.revoked', channel: 'console', targetType: ' grant', targetId: '7 ', fromDay: '2026-13-99x' })).toEqual({
      actor: 'hal',
      action: 'grant.revoked',
      channel: 'console',
      targetType: 'grant',
      targetId: '7',
    });
    expect(localDayStart('05/01/2026')).toBeNull();
  });
});
