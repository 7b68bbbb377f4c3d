// The current hash route as React state: whatever reads it re-renders when the address changes (a
// link, back and forward, navigate()).
import { useSyncExternalStore } from 'react';
import { parseRoute, type Route } from '../lib/router.js';

const subscribe = (onChange: () => void): (() => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};
const getHash = (): string => window.location.hash;

/** The current hash route; re-renders on navigation. */
export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash);
  return parseRoute(hash);
}
