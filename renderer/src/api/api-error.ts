// The one error a call throws (ApiError: the engine's message and code, or the transport's own), the
// message to show for anything thrown, and how to tell a cancelled call from a failure.
import type { ErrorCode } from '../../../shared/contract.js';

/** Codes the engine returns, plus the two the transport itself can raise. */
export type ApiErrorCode = ErrorCode | 'network' | 'transport' | 'aborted';

/** A failed call. `message` is the server's message, safe to show as is. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly code: ApiErrorCode,
    readonly channel?: string,
  ) {
    super(message);
  }
}

export function isAbort(error: unknown): boolean {
  return (
    (error instanceof ApiError && error.code === 'aborted') ||
    (error instanceof DOMException && error.name === 'AbortError') ||
    (error instanceof Error && error.name === 'AbortError')
  );
}

/** The message to show for anything thrown by a call or by our own code. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  return 'Unexpected error';
}
