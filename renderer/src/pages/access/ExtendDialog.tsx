// The Access page's "Extend" dialog: asks for more time on a grant's access. An extension is a new
// request for the same role and person (requests:extend, as on the request's page), for a length
// the role allows; it goes through the role's approvals and replaces the grant once approved.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react';
import type { LedgerGrant } from '../../../../shared/contract-jobs.js';
import type { DurationOption } from '../../../../shared/governance.js';
import { ApiError, errorMessage } from '../../api/client.js';
import { splitFieldErrors } from '../../lib/field-errors.js';
import { durationLabel } from '../../lib/format.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { toast } from '../../stores/toast-store.js';

const FIELDS = ['duration', 'justification'];

export function ExtendDialog({ grant: g, onClose }: { grant: LedgerGrant; onClose: () => void }): ReactNode {
  const id = useId();
  const ref = useRef<HTMLDialogElement>(null);
  const write = useRequestsStore((s) => s.write);
  const roles = useRequestsStore((s) => s.roles);
  const loadRoles = useRequestsStore((s) => s.loadRoles);
  const durations: DurationOption[] = (roles?.find((r) => r.id === g.roleId)?.durations ?? ['24h', '7d', '30d']).filter((x) => x !== 'custom');
  const [duration, setDuration] = useState<DurationOption | null>(null);
  const [why, setWhy] = useState('');
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Record<string, string>; form: string | null }>({ fields: {}, form: null });
  const who = g.beneficiaryEmail ?? g.beneficiaryName;
  const chosen = duration ?? durations[0] ?? '24h';

  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  // The role's allowed lengths come with the requestable roles (the requests store's).
  useEffect(() => {
    if (roles === null) void loadRoles();
  }, [roles, loadRoles]);

  const send = async (): Promise<void> => {
    if (g.requestId === null) return;
    if (why.trim() === '') {
      setErrors({ fields: { justification: 'Say why more time is needed.' }, form: null });
      return;
    }
    setBusy(true);
    try {
      const row = await write('requests:extend', { requestId: g.requestId, duration: chosen, justification: why.trim() });
      toast.success(row.status === 'approved' ? `Extended (auto-approved): request #${row.id}` : `Extension #${row.id} waits for ${row.waitingOn?.approvers.join(', ') ?? 'approval'}`, `${who} · ${g.roleLabel ?? g.groupName}`);
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
    <dialog ref={ref} className="dialog access-dialog" aria-labelledby={`${id}-t`} onClose={onClose} onCancel={onClose}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <h2 className="dialog-title" id={`${id}-t`}>
          Extend {g.beneficiaryName}’s access
        </h2>
        <div className="dialog-body">
          <p>
            A new request for {g.roleLabel ?? g.groupName}, linked to request #{g.requestId}: it goes through the role’s approvals, and once approved its period replaces this grant’s end.
          </p>
          <div className="field">
            <label htmlFor={`${id}-duration`}>New period, from approval</label>
            <select id={`${id}-duration`} className="input select" value={chosen} onChange={(e) => setDuration(e.target.value as DurationOption)}>
              {durations.map((x) => (
                <option key={x} value={x}>
                  {durationLabel(x)}
                </option>
              ))}
            </select>
            {err('duration')}
          </div>
          <div className="field field-wide">
            <label htmlFor={`${id}-why`}>Justification</label>
            <textarea
              id={`${id}-why`}
              className="input textarea"
              rows={2}
              value={why}
              onChange={(e) => setWhy(e.target.value)}
              placeholder="Why is more time needed?"
              aria-invalid={errors.fields['justification'] ? true : undefined}
              aria-describedby={errors.fields['justification'] ? `${id}-justification-err` : undefined}
            />
            {err('justification')}
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
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Sending…' : 'Request extension'}
          </button>
        </div>
      </form>
    </dialog>
  );
}
