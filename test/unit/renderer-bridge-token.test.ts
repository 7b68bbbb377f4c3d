import { describe, expect, it } from 'vitest';
import { consumeBridgeToken, parseTokenFragment, TOKEN_STORAGE_KEY } from '../../renderer/src/api/bridge-token.js';

function env(hash: string, stored: string | null = null) {
  const store = new Map<string, string>();
  if (stored !== null) store.set(TOKEN_STORAGE_KEY, stored);
  const replaced: string[] = [];
  return {
    replaced,
    store,
    env: {
      location: { hash, pathname: '/', search: '' },
      history: { replaceState: (_d: unknown, _u: string, url?: string | null) => void replaced.push(url ?? '') },
      storage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
    },
  };
}

describe('bridge token fragment', () => {
  it('parses the token and an optional route after it', () => {
    expect(parseTokenFragment('#token=Abc_def-0123456789')).toEqual({ token: 'Abc_def-0123456789', rest: '' });
    expect(parseTokenFragment('#token=abcdefgh12&/directory/users')).toEqual({ token: 'abcdefgh12', rest: '/directory/users' });
    expect(parseTokenFragment('#/dashboard')).toBeNull();
    expect(parseTokenFragment('#token=')).toBeNull();
    expect(parseTokenFragment('#token=<script>')).toBeNull();
  });

  it('stores the token, strips it from the address bar and keeps the route', () => {
    const t = env('#token=abcdefgh12&/connections');
    expect(consumeBridgeToken(t.env)).toBe('abcdefgh12');
    expect(t.store.get(TOKEN_STORAGE_KEY)).toBe('abcdefgh12');
    expect(t.replaced).toEqual(['/#/connections']);
  });

  it('lands on the dashboard when the link has no route', () => {
    const t = env('#token=abcdefgh12');
    consumeBridgeToken(t.env);
    expect(t.replaced).toEqual(['/#/dashboard']);
  });

  it('uses the stored token after a reload and leaves the address bar alone', () => {
    const t = env('#/directory/users', 'storedtoken1');
    expect(consumeBridgeToken(t.env)).toBe('storedtoken1');
    expect(t.replaced).toEqual([]);
  });

  it('returns null when there is no token anywhere', () => {
    expect(consumeBridgeToken(env('#/dashboard').env)).toBeNull();
  });

  it('prefers a new token in the link over an old stored one', () => {
    const t = env('#token=newtoken123', 'oldtoken123');
    expect(consumeBridgeToken(t.env)).toBe('newtoken123');
    expect(t.store.get(TOKEN_STORAGE_KEY)).toBe('newtoken123');
  });
});
