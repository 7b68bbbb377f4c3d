// The bridge's one-time token arrives in the URL fragment (`#token=...`), which
// browsers never send to the server or put in Referer headers. We read it once,
// keep it in sessionStorage so a reload of this tab keeps working, and strip it
// from the address bar so it is not bookmarked, shared or left in history.

export const TOKEN_STORAGE_KEY = 'latchkey.bridgeToken';

type LocationLike = { hash: string; pathname: string; search: string };
type HistoryLike = { replaceState: (data: unknown, unused: string, url?: string | null) => void };
type StorageLike = { getItem: (k: string) => string | null; setItem: (k: string, v: string) => void };

export type TokenEnv = { location: LocationLike; history: HistoryLike; storage: StorageLike | null };

/** Splits `#token=abc&/directory/users` into the token and what route follows it. */
export function parseTokenFragment(hash: string): { token: string; rest: string } | null {
  const body = hash.startsWith('#') ? hash.slice(1) : hash;
  const params = body.split('&');
  let token: string | null = null;
  const rest: string[] = [];
  for (const p of params) {
    if (p.startsWith('token=')) {
      let value = p.slice('token='.length);
      try {
        value = decodeURIComponent(value);
      } catch {
        return null;
      }
      token = value;
    } else if (p !== '') {
      rest.push(p);
    }
  }
  if (token === null || !/^[A-Za-z0-9._~+/=-]{8,512}$/.test(token)) return null;
  return { token, rest: rest.join('&') };
}

/**
 * Takes the token out of the fragment if there is one (storing it), otherwise
 * returns the stored one. Returns null when neither exists.
 */
export function consumeBridgeToken(env: TokenEnv): string | null {
  const parsed = parseTokenFragment(env.location.hash);
  if (parsed) {
    try {
      env.storage?.setItem(TOKEN_STORAGE_KEY, parsed.token);
    } catch {
      // Storage can be disabled; the token still works until the tab reloads.
    }
    const route = parsed.rest.startsWith('/') ? `#${parsed.rest}` : '#/dashboard';
    env.history.replaceState(null, '', `${env.location.pathname}${env.location.search}${route}`);
    return parsed.token;
  }
  try {
    return env.storage?.getItem(TOKEN_STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}
