// The request detail's "record a decision given elsewhere" form: an operator
// records another approver's decision with a reason and an evidence reference.
import { useState, type ReactNode } from 'react';
import type { RequestDetail as Detail } from '../../../../shared/governance.js';
import { errorMessage } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useRequestsStore } from '../../stores/requests-store.js';
import { toast } from '../../stores/toast-store.js';

/**
 * Recording an approver's decision given elsewhere (by e-mail, in a
 * meeting): not deciding. The engine requires a reason and an evidence
 * reference, and records both people.
 */
export function RecordForOther({ d, operator, approvers }: { d: Detail; operator: string; approvers: string[] }): ReactNode {
  const write = useRequestsStore((s) => s.write);
  const [open, setOpen] = useState(false);
  const [approver, setApprover] = useState(approvers[0] ?? '');
  const [reason, setReason] = useState('');
  const [evidence, setEvidence] = useState('');
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (approvers.length === 0) return null;
  const record = async (decision: 'approve' | 'deny'): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      const row = await write('requests:decide', { id: d.id, decision, comment, onBehalfOf: { approver, reason, evidence } });
      toast.success(`Recorded ${approver}'s decision: request #${d.id} is ${row.status}`);
      setOpen(false);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  if (!open) {
    return (
      <p className="field-hint">
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => setOpen(true)}>
          Record a decision given elsewhere…
        </button>
      </p>
    );
  }
  return (
    <form className="req-record" aria-label="Record another approver's decision" onSubmit={(e) => e.preventDefault()}>
      <p className="muted">
        Recording, not deciding: the decision is the approver’s, recorded by you ({operator}) with why and where the evidence is. Both names
        appear on the request, in the audit log and in Jira.
      </p>
      <div className="field">
        <label htmlFor="rec-approver">Approver</label>
        <select id="rec-approver" className="input" value={approver} onChange={(e) => setApprover(e.target.value)}>
          {approvers.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="rec-reason">Why you record it</label>
        <input id="rec-reason" className="input" value={reason} placeholder="Approved by e-mail" onChange={(e) => setReason(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="rec-evidence">Evidence reference</label>
        <input id="rec-evidence" className="input" value={evidence} placeholder="Message id <…@…>" onChange={(e) => setEvidence(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor="rec-comment">Their comment</label>
        <input id="rec-comment" className="input" value={comment} onChange={(e) => setComment(e.target.value)} />
      </div>
      {error ? <InlineError title="Not recorded" message={error} /> : null}
      <div className="form-actions">
        <button type="button" className="btn" onClick={() => setOpen(false)}>
          Close
        </button>
        <span className="toolbar-spacer" />
        <WriteButton className="btn" disabled={busy || reason.trim() === '' || evidence.trim() === ''} onClick={() => void record('deny')}>
          Record denial
        </WriteButton>
        <WriteButton className="btn btn-primary" disabled={busy || reason.trim() === '' || evidence.trim() === ''} onClick={() => void record('approve')}>
          Record approval
        </WriteButton>
      </div>
    </form>
  );
}
