// Shows the toast store's notices of what just happened, in a polite live region: errors stay 15 s
// so they can be read, the rest fade after 5 s.
import { useEffect, type ReactNode } from 'react';
import { useToastStore, type Toast } from '../stores/toast-store.js';
import { IconAlert, IconCheck, IconClose } from './Icons.js';

function ToastItem({ toast }: { toast: Toast }): ReactNode {
  const dismiss = useToastStore((s) => s.dismiss);
  useEffect(() => {
    // Errors stay until dismissed long enough to read; successes fade.
    const t = setTimeout(() => dismiss(toast.id), toast.kind === 'error' ? 15_000 : 5_000);
    return () => clearTimeout(t);
  }, [toast.id, toast.kind, dismiss]);
  return (
    <div className={`toast toast-${toast.kind}`} role={toast.kind === 'error' ? 'alert' : 'status'}>
      <span className="toast-icon">{toast.kind === 'error' ? <IconAlert /> : <IconCheck />}</span>
      <div className="toast-text">
        {toast.title ? <strong>{toast.title}</strong> : null}
        <span>{toast.message}</span>
      </div>
      <button type="button" className="icon-btn" aria-label="Dismiss notification" onClick={() => dismiss(toast.id)}>
        <IconClose />
      </button>
    </div>
  );
}

export function Toasts(): ReactNode {
  const toasts = useToastStore((s) => s.toasts);
  return (
    <div className="toasts" aria-live="polite" aria-label="Notifications" role="region">
      {toasts.map((t) => (
        <ToastItem key={t.id} toast={t} />
      ))}
    </div>
  );
}
