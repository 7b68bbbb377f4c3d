// A failure shown where it happened (a panel that could not load, a form the engine refused), with
// the engine's message as is and an optional Retry.
import type { ReactNode } from 'react';
import { IconAlert } from './Icons.js';

/** An error shown where it happened, with the server's message as is. */
export function InlineError({ title, message, onRetry }: { title?: string; message: string; onRetry?: () => void }): ReactNode {
  return (
    <div className="inline-error" role="alert" tabIndex={-1}>
      <IconAlert className="inline-error-icon" />
      <div className="inline-error-text">
        {title ? <strong>{title}</strong> : null}
        <span>{message}</span>
      </div>
      {onRetry ? (
        <button type="button" className="btn btn-sm" onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
