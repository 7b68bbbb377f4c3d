// Data a page fetches for itself (a detail, a role, a tab's view; which data that is: ARCHITECTURE.md,
// "The renderer"), keyed on what it shows: a new key cancels the stale call, a reload keeps the last data
// on screen.
import { useCallback, useEffect, useState } from 'react';
import { errorMessage, isAbort } from '../api/client.js';

export type AsyncState<T> =
  | { status: 'loading'; data: T | null; error: null }
  | { status: 'ready'; data: T; error: null }
  | { status: 'error'; data: T | null; error: string };

/**
 * Runs `load` whenever `key` or `revision` changes, cancelling the previous
 * call. A reload, or a new revision of the same key (a store's version after a
 * write or an engine event), keeps showing the last data until the answer
 * comes; a new key starts blank. Answers for an outdated key are ignored.
 */
export function useAsync<T>(key: string, load: (signal: AbortSignal) => Promise<T>, revision: number | string = 0): AsyncState<T> & { reload: () => void } {
  const [nonce, setNonce] = useState(0);
  const fullKey = `${key}#${revision}.${nonce}`;
  const [result, setResult] = useState<{ key: string; data: T | null; error: string | null }>({
    key: '',
    data: null,
    error: null,
  });

  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setResult({ key: fullKey, data, error: null });
      },
      (error: unknown) => {
        if (controller.signal.aborted || isAbort(error)) return;
        setResult((prev) => ({ key: fullKey, data: prev.key.startsWith(`${key}#`) ? prev.data : null, error: errorMessage(error) }));
      },
    );
    return () => controller.abort();
    // `load` is a fresh closure each render; `key` says when it means something new.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [fullKey]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);

  const sameBase = result.key.slice(0, result.key.lastIndexOf('#')) === key;
  const kept = sameBase ? result.data : null;
  if (result.key !== fullKey) return { status: 'loading', data: kept, error: null, reload };
  if (result.error !== null) return { status: 'error', data: kept, error: result.error, reload };
  return { status: 'ready', data: result.data as T, error: null, reload };
}
