// The dialog behind `c`, a decision that needs a reason, and the bulk actions: keep, keep but make
// it time-bound (an end date), or revoke, with a reason code and free text, over one item, a
// selection or the whole filter. A reason is required to keep what is recommended for revoke and
// to revoke critical access; the engine checks it too, and its message sits by the field.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import { REASON_CODES, type ReasonCode, type ReviewDecision } from '../../../../shared/contract-reviews.js';
import { ApiError, errorMessage } from '../../api/client.js';
import { splitFieldErrors } from '../../lib/field-errors.js';
import type { DecideOptions } from '../../stores/reviews-store.js';
import { REASON_TEXT } from './parts.js';

export type DecisionAsk = {
  /** What it applies to, in words ("Ada Lovelace · Payroll admin", "1,204 selected items"). */
  what: string;
  count: number;
  decision: ReviewDecision;
  timeBound: boolean;
  /** Why a reason code is required here, or null. */
  reasonRequired: string | null;
};

type Mode = 'keep' | 'keep-until' | 'revoke';
const FIELDS = ['reasonCode', 'comment', 'keepUntil', 'itemIds'];

export function DecisionDialog({
  ask,
  onDecide,
  onClose,
}: {
  ask: DecisionAsk;
  /** Sends the decision; resolves with the items refused one by one, rejects when the whole call was refused. */
  onDecide: (decision: ReviewDecision, opts: DecideOptions) => Promise<{ refused: { itemId: number; why: string }[] }>;
  onClose: () => void;
}): ReactNode {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const [mode, setMode] = useState<Mode>(ask.decision === 'revoke' ? 'revoke' : ask.timeBound ? 'keep-until' : 'keep');
  const [reason, setReason] = useState<ReasonCode | ''>(ask.timeBound ? 'temporary' : '');
  const [comment, setComment] = useState('');
  const [until, setUntil] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; form: string | null }>({ fields: {}, form: null });

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const decision: ReviewDecision = mode === 'revoke' ? 'revoke' : 'keep';
  const needsReason = decision === ask.decision ? ask.reasonRequired : null;

  const send = async (): Promise<void> => {
    const local: Record<string, string> = {};
    if (needsReason && reason === '') local['reasonCode'] = needsReason;
    if (mode === 'keep-until' && until === '') local['keepUntil'] = 'Pick the date the access ends.';
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, form: null });
      return;
    }
    setBusy(true);
    try {
      const out = await onDecide(decision, {
        ...(reason ? { reasonCode: reason } : {}),
        ...(comment.trim() ? { comment: comment.trim() } : {}),
        ...(mode === 'keep-until' ? { keepUntil: until } : {}),
      });
      if (out.refused.length > 0) {
        setErrors({ fields: {}, form: `${out.refused.length.toLocaleString()} of ${ask.count.toLocaleString()} refused: ${out.refused[0]?.why ?? ''}` });
        return;
      }
      onClose();
    } catch (e) {
      setErrors(e instanceof ApiError ? splitFieldErrors(e.message, FIELDS) : { fields: {}, form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const err = (f: string): ReactNode =>
    errors.fields[f] ? (
      <p className="field-error" id={`${id}-${f}-err`}>
        {errors.fields[f]}
      </p>
    ) : null;

  return (
    <dialog ref={ref} className="dialog rv-dialog" aria-labelledby={`${id}-t`} onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <h2 className="dialog-title" id={`${id}-t`}>
          Decide: {ask.what}
        </h2>
        <div className="dialog-body">
          <div className="segmented" role="radiogroup" aria-label="Decision">
            {(['keep', 'keep-until', 'revoke'] as const).map((m) => (
              <label key={m} className="segment">
                <input type="radio" name={`${id}-mode`} checked={mode === m} onChange={() => setMode(m)} />
                {m === 'keep' ? 'Keep' : m === 'keep-until' ? 'Keep, but make it time-bound' : 'Revoke'}
              </label>
            ))}
          </div>
          {mode === 'keep-until' ? (
            <div className="field">
              <label htmlFor={`${id}-until`}>Access ends on</label>
              <input
                id={`${id}-until`}
                type="date"
                className="input"
                value={until}
                onChange={(e) => setUntil(e.target.value)}
                aria-invalid={errors.fields['keepUntil'] ? true : undefined}
                aria-describedby={errors.fields['keepUntil'] ? `${id}-keepUntil-err` : undefined}
              />
              {err('keepUntil')}
            </div>
          ) : null}
          <div className="field">
            <label htmlFor={`${id}-reason`}>Reason{needsReason ? ' (required)' : ''}</label>
            <select
              id={`${id}-reason`}
              className="input select"
              value={reason}
              onChange={(e) => setReason(e.target.value as ReasonCode | '')}
              aria-invalid={errors.fields['reasonCode'] ? true : undefined}
              aria-describedby={errors.fields['reasonCode'] ? `${id}-reasonCode-err` : undefined}
            >
              <option value="">{needsReason ? 'Pick a reason…' : 'No reason code'}</option>
              {REASON_CODES.map((r) => (
                <option key={r} value={r}>
                  {REASON_TEXT[r]}
                </option>
              ))}
            </select>
            {needsReason && !errors.fields['reasonCode'] ? <p className="field-hint">{needsReason}</p> : null}
            {err('reasonCode')}
          </div>
          <div className="field field-wide">
            <label htmlFor={`${id}-comment`}>Comment</label>
            <textarea id={`${id}-comment`} className="input textarea" rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />
            {err('comment')}
          </div>
          {errors.form ? (
            <p className="field-error" role="alert">
              {errors.form}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className={`btn ${decision === 'revoke' ? 'btn-danger' : 'btn-primary'}`} disabled={busy}>
            {busy ? 'Saving…' : `${decision === 'revoke' ? 'Revoke' : 'Keep'} ${ask.count === 1 ? '' : `${ask.count.toLocaleString()} items`}`.trim()}
          </button>
        </div>
      </form>
    </dialog>
  );
}
