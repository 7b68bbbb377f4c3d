// Reassign or delegate review items to another person with a reason: the selected items, or all
// of the reviewer's. The engine refuses a move to the person under review and says which.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { errorMessage } from '../../api/client.js';
import { PersonPicker } from '../../components/PersonPicker.js';
import { useReviewsStore } from '../../stores/reviews-store.js';
import { toast } from '../../stores/toast-store.js';

export function ReassignDialog({ campaignId, ids, from, onClose }: { campaignId: number; ids: number[]; from: string | null; onClose: () => void }): ReactNode {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const write = useReviewsStore((s) => s.write);
  const [to, setTo] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (ref.current && !ref.current.open) ref.current.showModal();
  }, []);
  const send = async (): Promise<void> => {
    if (to === '' || reason.trim() === '') {
      setError(to === '' ? 'Pick who takes the items.' : 'Say why (recorded).');
      return;
    }
    setBusy(true);
    try {
      const out = await write('reviews:reassign', { campaignId, itemIds: ids, ...(from ? { fromReviewer: from } : {}), to, reason: reason.trim() });
      toast.success(`${out.moved.toLocaleString()} items now with ${to}${out.refused.length ? `; ${out.refused.length} refused: ${out.refused[0]?.why}` : ''}`, 'Reassigned');
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={ref} className="dialog rv-dialog" aria-labelledby={`${id}-t`} onClose={onClose} onCancel={onClose}>
      <h2 className="dialog-title" id={`${id}-t`}>
        Reassign {ids.length > 0 ? `${ids.length.toLocaleString()} items` : 'all my items'}
      </h2>
      <div className="dialog-body">
        <PersonPicker label="To" onPick={(p) => setTo(p.email ?? p.login)} />
        {to ? <p className="field-hint">To: {to}</p> : null}
        <div className="field field-wide">
          <label htmlFor={`${id}-why`}>Reason (recorded)</label>
          <input id={`${id}-why`} className="input" value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
        {error ? (
          <p className="field-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
      <div className="dialog-actions">
        <button type="button" className="btn btn-ghost" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void send()}>
          Reassign
        </button>
      </div>
    </dialog>
  );
}
