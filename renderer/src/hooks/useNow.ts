import { useSyncExternalStore } from 'react';

// One shared clock for relative times ("3 min ago"), ticking every 30 s, so
// render functions stay pure and every label updates together.
let now = Date.now();
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setInterval> | null = null;

const subscribe = (onChange: () => void): (() => void) => {
  listeners.add(onChange);
  timer ??= setInterval(() => {
    now = Date.now();
    for (const l of listeners) l();
  }, 30_000);
  return () => {
    listeners.delete(onChange);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
};
const getNow = (): number => now;

export function useNow(): number {
  return useSyncExternalStore(subscribe, getNow);
}
