// The one shared "now" for relative times: the ENGINE's clock, not the
// browser's. The engine's clock is what stamps createdAt and decides expiry;
// in the sandbox "Skip ahead" moves it, and the bridge may be served by
// another machine whose clock differs from this browser's. So the renderer
// keeps the difference (engine now − Date.now(), read from jobs:clock; see
// loadClock in stores/jobs-store.ts) and ticks locally from there,
// every 15 s, so render functions stay pure and every label updates together.
import { useSyncExternalStore } from 'react';

const TICK_MS = 15_000;

let offsetMs = 0;
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

const notify = (): void => {
  now = Date.now() + offsetMs;
  for (const l of listeners) l();
};

const subscribe = (onChange: () => void): (() => void) => {
  listeners.add(onChange);
  timer ??= setInterval(notify, TICK_MS);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
};
const getNow = (): number => now;

/** The engine's now in ms, as of the last tick (re-renders on each tick and when the clock moves). */
export function useNow(): number {
  return useSyncExternalStore(subscribe, getNow);
}

/** The engine's now in ms, outside React (event handlers, stores). */
export function engineNow(): number {
  return Date.now() + offsetMs;
}

/** Sets how far the engine's clock is from this browser's; every label follows at once. */
export function setEngineClockOffset(ms: number): void {
  if (!Number.isFinite(ms)) return;
  offsetMs = ms;
  notify();
}

/** The offset in use (for the sandbox clock control and tests). */
export function engineClockOffset(): number {
  return offsetMs;
}
