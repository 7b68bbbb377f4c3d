// "Acting as": who uses this console. Their pending steps are "My approvals",
// their decisions are recorded in their name, and they can never approve
// their own requests. Shown in the top bar; changed in a small dialog with a
// people search (the engine refuses anyone not in the snapshot).
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { READ_ONLY_REASON_ID } from './WriteButton.js';
import { READ_ONLY_REASON, useReadOnly } from '../stores/app-store.js';
import { useRequestsStore } from '../stores/requests-store.js';
import { PersonPicker } from './PersonPicker.js';

export function OperatorPicker(): ReactNode {
  const settings = useRequestsStore((s) => s.settings);
  const loadSettings = useRequestsStore((s) => s.loadSettings);
  const setOperator = useRequestsStore((s) => s.setOperator);
  const readOnly = useReadOnly();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ref = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    void loadSettings();
  }, [loadSettings]);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const who = settings?.operatorEmail ? (settings.operatorName ?? settings.operatorEmail) : null;
  const pick = async (email: string | null): Promise<void> => {
    const e = await setOperator(email);
    setError(e);
    if (e === null) setOpen(false);
  };

  return (
    <>
      <span className="operator" title={readOnly ? READ_ONLY_REASON : (settings?.operatorEmail ?? 'Nobody set: pick who you are to decide approvals')}>
        <span className="topbar-label">Acting as</span>
        <button
          type="button"
          className={`btn btn-sm${who ? '' : ' operator-unset'}`}
          aria-label={who ? `Acting as ${who}: change` : 'Acting as nobody: choose who you are'}
          disabled={readOnly}
          aria-describedby={readOnly ? READ_ONLY_REASON_ID : undefined}
          onClick={() => {
            setError(null);
            setOpen(true);
          }}
        >
          {who ?? 'Choose…'}
        </button>
      </span>
      <dialog ref={ref} className="dialog operator-dialog" aria-labelledby="operator-title" onCancel={(e) => {
        e.preventDefault();
        setOpen(false);
      }}>
        <h2 id="operator-title" className="dialog-title">
          Who is using this console?
        </h2>
        <div className="dialog-body">
          <p className="muted">
            Your pending approval steps are listed under “My approvals”, your decisions are recorded in your name, and you can never
            approve a request you filed or that is for you.
          </p>
          {settings?.operatorEmail ? (
            <p>
              Now: <strong>{settings.operatorName ?? '(not in the snapshot)'}</strong> <span className="mono">{settings.operatorEmail}</span>
            </p>
          ) : null}
          {open ? <PersonPicker label="Find yourself" autoFocus onPick={(p) => void pick(p.email ?? p.login)} /> : null}
          {error ? (
            <p className="field-error" role="alert">
              {error}
            </p>
          ) : null}
        </div>
        <div className="dialog-actions">
          {settings?.operatorEmail ? (
            <button type="button" className="btn btn-ghost" onClick={() => void pick(null)}>
              Clear
            </button>
          ) : null}
          <button type="button" className="btn" onClick={() => setOpen(false)}>
            Close
          </button>
        </div>
      </dialog>
    </>
  );
}
