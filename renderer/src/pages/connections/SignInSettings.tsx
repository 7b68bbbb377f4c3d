// The Connections page's "Operator sign-in" card: which Okta or Entra
// connection signs operators in (its org URL or tenant is the issuer), the
// OIDC app's client id (a public client: no secret), how long a session
// lasts, and whether changes require a signed-in operator.
import { useEffect, useState, type ReactNode } from 'react';
import type { SignInSettings as SignInSettingsView } from '../../../../shared/contract-operator.js';
import type { ConnectionSummary } from '../../../../shared/domain.js';
import { errorMessage } from '../../api/client.js';
import { InlineError } from '../../components/InlineError.js';
import { WriteButton } from '../../components/WriteButton.js';
import { useOperatorStore } from '../../stores/operator-store.js';
import { toast } from '../../stores/toast-store.js';

export function SignInSettings({ connections }: { connections: readonly ConnectionSummary[] }): ReactNode {
  const status = useOperatorStore((s) => s.status);
  const load = useOperatorStore((s) => s.load);
  useEffect(() => {
    void load();
  }, [load]);
  if (!status) return null;
  // Remounted when the saved settings change, so the form starts from them.
  return <SignInForm key={JSON.stringify(status.settings)} settings={status.settings} connections={connections} />;
}

function SignInForm({ settings, connections }: { settings: SignInSettingsView; connections: readonly ConnectionSummary[] }): ReactNode {
  const save = useOperatorStore((s) => s.saveSettings);
  const [connectionId, setConnectionId] = useState<string>(settings.connectionId === null ? '' : String(settings.connectionId));
  const [clientId, setClientId] = useState(settings.clientId ?? '');
  const [hours, setHours] = useState(String(settings.sessionHours));
  const [required, setRequired] = useState(settings.required);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const idps = connections.filter((c) => c.kind === 'okta' || c.kind === 'entra');
  const submit = async (): Promise<void> => {
    setBusy(true);
    setError(null);
    try {
      await save({ connectionId: connectionId === '' ? null : Number(connectionId), clientId: clientId.trim() === '' ? null : clientId.trim(), sessionHours: Number(hours), required });
      toast.success('Sign-in settings saved');
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="card" aria-labelledby="signin-title">
      <div className="card-head">
        <h2 id="signin-title">Operator sign-in</h2>
      </div>
      <form className="card-body" aria-label="Sign-in settings" onSubmit={(e) => e.preventDefault()}>
        <p className="muted">
          Operators sign in with the organisation’s IdP (authorization code + PKCE, in the browser). Decisions and changes made from the console
          are recorded in the signed-in operator’s name. Register the OIDC app as the README says.
        </p>
        <div className="field">
          <label htmlFor="signin-connection">Sign in through</label>
          <select id="signin-connection" className="input" value={connectionId} onChange={(e) => setConnectionId(e.target.value)}>
            <option value="">Not set up</option>
            {idps.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name} ({c.kind === 'okta' ? 'Okta' : 'Entra'})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="signin-client">Client id of the OIDC app (public client, no secret)</label>
          <input id="signin-client" className="input mono" value={clientId} onChange={(e) => setClientId(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="signin-hours">Session length (hours)</label>
          <input id="signin-hours" className="input" type="number" min={0.25} max={168} step={0.25} value={hours} onChange={(e) => setHours(e.target.value)} />
        </div>
        <label className="check">
          <input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Require sign-in for every change (browsing stays open)
        </label>
        {error ? <InlineError title="Not saved" message={error} /> : null}
        <div className="form-actions">
          <WriteButton className="btn btn-primary" disabled={busy} onClick={() => void submit()}>
            Save sign-in settings
          </WriteButton>
        </div>
      </form>
    </section>
  );
}
