// The renderer counts relative times from the engine's clock: jobs:clock sets
// the offset (through the real jobs store and useNow's shared clock), a moved
// sandbox clock moves every label, and a row the engine just stamped reads
// "just now" whatever this machine's own clock says.
import { afterEach, describe, expect, it } from 'vitest';
import type { Channel } from '../../shared/contract.js';
import type { ClockView } from '../../shared/contract-jobs.js';
import { api, type Transport } from '../../renderer/src/api/client.js';
import { engineNow, setEngineClockOffset } from '../../renderer/src/hooks/useNow.js';
import { formatRelative } from '../../renderer/src/lib/format.js';
import { useJobsStore } from '../../renderer/src/stores/jobs-store.js';

/** A transport whose engine clock runs `aheadMs` ahead of this process's. */
function engineAhead(aheadMs: () => number): Transport {
  return {
    kind: 'bridge',
    call: (channel: Channel) => {
      if (channel !== 'jobs:clock') return Promise.reject(new Error(`unexpected ${channel}`));
      const view: ClockView = { now: new Date(Date.now() + aheadMs()).toISOString(), offsetMs: 0, adjustable: true };
      return Promise.resolve(view);
    },
    on: () => () => undefined,
    onStatus: () => () => undefined,
    close: () => undefined,
  };
}

describe("the renderer's clock is the engine's", () => {
  afterEach(() => setEngineClockOffset(0));

  it('takes the offset from jobs:clock and follows the clock when it moves', async () => {
    let ahead = 4 * 60_000; // the serving machine's clock is 4 min ahead of this browser's
    api.install(engineAhead(() => ahead));
    await useJobsStore.getState().loadClock();
    expect(Math.abs(engineNow() - (Date.now() + ahead))).toBeLessThan(1_000);
    // A request the engine created a second ago: "just now", not "in 4 min".
    const created = new Date(Date.now() + ahead - 1_000).toISOString();
    expect(formatRelative(created, engineNow())).toBe('just now');
    expect(formatRelative(created, Date.now())).toBe('just now'); // even counted from the browser's clock: clamped

    // Skip ahead one hour: an expiry 57½ min ahead of the old engine time is now in the past.
    // (Half minutes keep the reading clear of a boundary the round trip's few ms could cross.)
    const expiry = new Date(engineNow() + 57.5 * 60_000).toISOString();
    expect(formatRelative(expiry, engineNow(), 'deadline')).toBe('in 57 min');
    ahead += 60 * 60_000;
    await useJobsStore.getState().loadClock();
    expect(formatRelative(expiry, engineNow(), 'deadline')).toBe('2 min ago');
    expect(useJobsStore.getState().clock?.adjustable).toBe(true);
  });
});
