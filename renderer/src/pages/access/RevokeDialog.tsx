// The Access page's "Revoke now" dialog: ends one grant before its time with a required reason.
// The engine queues a revocation job (like expiry) in the signed-in operator's name, through the
// console; the grant shows "revoking" until the IdP confirms, then "revoked".
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { LedgerGrant } from '../../../../shared/contract-jobs.js';
import { ApiError, errorMessage } from '../../api/client.js';
import { splitFieldErrors } from '../../lib/field-errors.js';
import { useJobsStore } from '../../stores/jobs-store.js';
import { useOperatorStore } from '../../stores/operator-store.js';
import { toast } from '../../stores/toast-store.js';

export function RevokeDialog({ grant: g, onClose }: { grant: LedgerGrant; onClose: () => void }): ReactNode {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const revoke = useJobsStore((s) => s.revokeGrant);
  const person = useOperatorStore((s) => s.person);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; form: string | null }>({ fields: {}, form: null });
  const who = g.beneficiaryEmail ?? g.beneficiaryName;

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);

  const send = async (): Promise<void> => {
    if (reason.trim() === '') {
      setErrors({ fields: { reason: 'Say why the access ends now: the reason is recorded with the revocation.' }, form: null });
      return;
    }
    setBusy(true);
    try {
      await revoke(g.id, reason.trim());
      toast.success(`${who} is being removed from ${g.groupName}`, 'Revocation queued');
      onClose();
    } catch (e) {
      setErrors(e instanceof ApiError ? splitFieldErrors(e.message, ['reason']) : { fields: {}, form: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <dialog ref={ref} className="dialog access-dialog" aria-labelledby={`${id}-t`} onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <h2 className="dialog-title" id={`${id}-t`}>
          Revoke {g.beneficiaryName}’s access now
        </h2>
        <div className="dialog-body">
          <p>
            Removes {who} from <strong>{g.groupName}</strong>
            {g.connectionName ? ` in ${g.connectionName}` : ''}
            {g.roleLabel ? ` (${g.roleLabel})` : ''}
            {g.expiresAt ? ', before it expires' : ''}. The removal runs as a job through the IdP; the grant shows “revoking” until the IdP confirms.
          </p>
          <div className="field field-wide">
            <label htmlFor={`${id}-reason`}>Reason (required)</label>
            <textarea
              id={`${id}-reason`}
              className="input textarea"
              rows={3}
              value={reason}
              onChange={(e) => {
                setReason(e.target.value);
                if (errors.fields['reason']) setErrors({ fields: {}, form: null });
              }}
              maxLength={500}
              aria-invalid={errors.fields['reason'] ? true : undefined}
              aria-describedby={errors.fields['reason'] ? `${id}-reason-err` : `${id}-reason-hint`}
            />
            {errors.fields['reason'] ? (
              <p className="field-error" id={`${id}-reason-err`}>
                {errors.fields['reason']}
              </p>
            ) : (
              <p className="field-hint" id={`${id}-reason-hint`}>
                Recorded in the audit log{person ? ` as revoked by ${person}` : ''} through the console{g.request?.jira ? `, and on ${g.request.jira.key}` : ''}.
              </p>
            )}
          </div>
          {errors.form ? (
            <p className="field-error" role="alert">
              {errors.form}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn btn-ghost" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="btn btn-danger" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke now'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
