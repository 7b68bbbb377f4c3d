import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { READ_ONLY_REASON, useReadOnly } from '../stores/app-store.js';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { children: ReactNode };

/**
 * A button that changes something. In a read-only workspace it is disabled and
 * says why (a disabled button gets no hover events, so the wrapper carries the
 * tooltip; aria-describedby carries it for screen readers).
 */
export function WriteButton({ children, disabled, className, type, ...rest }: Props): ReactNode {
  const readOnly = useReadOnly();
  const button = (
    <button
      type={type === 'submit' ? 'submit' : type === 'reset' ? 'reset' : 'button'}
      className={className ?? 'btn'}
      disabled={readOnly || disabled}
      aria-describedby={readOnly ? 'read-only-reason' : undefined}
      {...rest}
    >
      {children}
    </button>
  );
  if (!readOnly) return button;
  return (
    <span className="tooltip-wrap" title={READ_ONLY_REASON}>
      {button}
    </span>
  );
}
