// Who is at the console, in the top bar: the operator signed in through the
// IdP (until when, and Sign out), or Sign in. In a sandbox workspace only,
// and only while nobody is signed in, "Acting as (sandbox)" names who this
// browser session acts as — unverified, per browser tab session, never a
// workspace setting — for the demo and the tests.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useOperatorStore } from '../stores/operator-store.js';
import { Badge } from './Badges.js';
import { PersonPicker } from './PersonPicker.js';

const hhmm = (iso: string): string => new Date(iso).toLocaleString(undefined, { hour: '2-digit', minute: '2-digit', month: 'short', day: 'numeric' });

export function OperatorPicker(): ReactNode {
  const status = useOperatorStore((s) => s.status);
  const load = useOperatorStore((s) => s.load);
  const signIn = useOperatorStore((s) => s.signIn);
  const signOut = useOperatorStore((s) => s.signOut);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    void load();
  }, [load]);

  if (!status) return null;
  const session = status.session;
  if (session) {
    return (
      <span className="operator" data-testid="operator-session">
        <span className="topbar-label">Signed in</span>
        <strong title={`${session.email ?? session.subject} via ${session.connectionName}`}>{session.name}</strong>
        <span className="muted" title={session.expiresAt}>
          until {hhmm(session.expiresAt)}
        </span>
        <button type="button" className="btn btn-sm btn-ghost" onClick={() => void signOut()}>
          Sign out
        </button>
      </span>
    );
  }
  const configured = status.settings.connectionId !== null && status.settings.clientId !== null;
  const start = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    setError(await signIn());
    setBusy(false);
  };
  return (
    <>
      {status.actingAsAllowed ? <ActingAs /> : null}
      {configured ? (
        <span className="operator">
          <button type="button" className="btn btn-sm btn-primary" disabled={busy} onClick={() => void start()}>
            {busy ? 'Signing in… (finish in the new tab)' : 'Sign in'}
          </button>
          {status.settings.required ? <Badge tone="amber" title="Changes are refused until an operator signs in; browsing stays open">Sign-in required</Badge> : null}
          {error ? (
            <span className="field-error" role="alert">
              {error}
            </span>
          ) : null}
        </span>
      ) : null}
    </>
  );
}

/** "Acting as (sandbox)": a people picker whose choice lives in this browser session only. */
function ActingAs(): ReactNode {
  const status = useOperatorStore((s) => s.status);
  const actingAs = useOperatorStore((s) => s.actingAs);
  const setActingAs = useOperatorStore((s) => s.setActingAs);
  const load = useOperatorStore((s) => s.load);
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);

  const current = status?.actingAs;
  const who = actingAs ? (current?.email === actingAs ? (current.name ?? actingAs) : actingAs) : null;
  const pick = (email: string | null): void => {
    setActingAs(email);
    setOpen(false);
    void load();
  };
  return (
    <>
      <span className="operator" title="Sandbox workspace only: not a sign-in. Per browser session, not stored for the workspace; recorded as “acting as, sandbox”.">
        <span className="topbar-label">Acting as</span>
        <Badge tone="violet">sandbox</Badge>
        <button
          type="button"
          className={`btn btn-sm${who ? '' : ' operator-unset'}`}
          aria-label={who ? `Acting as ${who}: change` : 'Acting as nobody: choose who you are'}
          onClick={() => setOpen(true)}
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
            <strong>Sandbox only.</strong> In a sandbox workspace this browser session may act as any person of the generated organisation, to try approvals. It is
            not a sign-in: the choice stays in this tab session, and every decision is recorded as “acting as, sandbox”. Against a
            real tenant, operators sign in through the IdP.
          </p>
          {current ? (
            <p>
              Now: <strong>{current.name ?? '(not in the snapshot)'}</strong> <span className="mono">{current.email}</span>
            </p>
          ) : null}
          {open ? <PersonPicker label="Find yourself" autoFocus onPick={(p) => pick(p.email ?? p.login)} /> : null}
        </div>
        <div className="dialog-actions">
          {actingAs ? (
            <button type="button" className="btn btn-ghost" onClick={() => pick(null)}>
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
