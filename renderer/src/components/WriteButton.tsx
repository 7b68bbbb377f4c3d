// The button for anything that changes the workspace: disabled in a read-only workspace, with the
// reason as its tooltip and its accessible description.
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { READ_ONLY_REASON, useReadOnly } from '../stores/app-store.js';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & { children: ReactNode };

/** Id of the hidden element (in App) whose text is READ_ONLY_REASON. */
export const READ_ONLY_REASON_ID = 'read-only-reason';

/**
 * A button that changes something. In a read-only workspace it is disabled and
 * says why (a disabled button gets no hover events, so the wrapper carries the
 * tooltip; aria-describedby carries it for screen readers, ahead of any
 * description the button has of its own).
 */
export function WriteButton({ children, disabled, className, type, 'aria-describedby': describedBy, title, ...rest }: Props): ReactNode {
  const readOnly = useReadOnly();
  const button = (
    <button
      {...rest}
      type={type === 'submit' ? 'submit' : type === 'reset' ? 'reset' : 'button'}
      className={className ?? 'btn'}
      disabled={readOnly || disabled}
      title={readOnly ? undefined : title}
      aria-describedby={readOnly ? [READ_ONLY_REASON_ID, describedBy].filter(Boolean).join(' ') : describedBy}
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
