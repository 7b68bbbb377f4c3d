import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import type { AddOktaConnectionInput } from '../../../shared/contract.js';
import { ApiError, errorMessage } from '../api/client.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { splitFieldErrors } from '../lib/field-errors.js';
import { useConnectionsStore } from '../stores/connections-store.js';
import { toast } from '../stores/toast-store.js';

const SCOPES = [
  { scope: 'okta.users.read', why: 'users, profiles, status, last login', default: true },
  { scope: 'okta.groups.read', why: 'groups, rules and memberships', default: true },
  { scope: 'okta.apps.read', why: 'apps and their group assignments', default: true },
  { scope: 'okta.logs.read', why: 'System Log, for incremental sync', default: true },
  { scope: 'okta.groups.manage', why: 'optional: provisioning through group membership', default: false },
] as const;

const FIELDS = ['name', 'orgUrl', 'budgetShare', 'auth.token', 'auth.clientId', 'auth.privateKeyPem', 'auth.scopes', 'auth'] as const;
type Field = (typeof FIELDS)[number];

export function AddConnectionForm({ onDone }: { onDone: () => void }): ReactNode {
  const add = useConnectionsStore((s) => s.add);
  const id = useId();
  const [name, setName] = useState('');
  const [orgUrl, setOrgUrl] = useState('');
  const [authType, setAuthType] = useState<'token' | 'oauth'>('token');
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [pem, setPem] = useState('');
  const [pemFile, setPemFile] = useState<string | null>(null);
  const [scopes, setScopes] = useState<string[]>(SCOPES.filter((s) => s.default).map((s) => s.scope));
  const [budget, setBudget] = useState(50);
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<{ fields: Partial<Record<Field, string>>; form: string | null }>({ fields: {}, form: null });

  const formRef = useRef<HTMLFormElement>(null);
  // After a refused submit, take the user to the first thing to fix.
  useEffect(() => {
    if (Object.keys(errors.fields).length === 0 && errors.form === null) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first ?? formRef.current?.querySelector<HTMLElement>('[role="alert"]'))?.focus();
  }, [errors]);

  const fieldError = (f: Field): string | undefined => errors.fields[f];
  const describedBy = (f: Field, hint?: string): string | undefined =>
    [fieldError(f) ? `${id}-${f}-err` : null, hint ?? null].filter(Boolean).join(' ') || undefined;
  const errorText = (f: Field): ReactNode =>
    fieldError(f) ? (
      <p className="field-error" id={`${id}-${f}-err`}>
        {fieldError(f)}
      </p>
    ) : null;

  const readPemFile = async (file: File | undefined): Promise<void> => {
    if (!file) return;
    // Read in the page; the key only leaves it inside the connections:add call.
    const text = await file.text();
    setPem(text);
    setPemFile(file.name);
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {}, form: null });
    const input: AddOktaConnectionInput = {
      kind: 'okta',
      name,
      orgUrl,
      budgetShare: budget / 100,
      auth:
        authType === 'token'
          ? { type: 'token', token }
          : { type: 'oauth', clientId, privateKeyPem: pem, scopes },
    };
    try {
      const added = await add(input);
      toast.success(`${added.name} was added. Test it, then run a first sync.`, 'Connection added');
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'bad-input') {
        const split = splitFieldErrors(error.message, FIELDS);
        setErrors({ fields: split.fields, form: split.form });
      } else {
        setErrors({ fields: {}, form: errorMessage(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card form-card" aria-labelledby={`${id}-title`}>
      <div className="card-head card-head-plain">
        <div>
          <h2 id={`${id}-title`}>Add an Okta connection</h2>
          <p className="muted">Credentials go to the OS keychain; the workspace file never holds them.</p>
        </div>
      </div>
      <form ref={formRef} className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={errors.form ? `${id}-form-err` : undefined}>
        {errors.form ? (
          <div id={`${id}-form-err`}>
            <InlineError title="The connection was not added" message={errors.form} />
          </div>
        ) : null}
        <div className="form-row">
          <div className="field">
            <label htmlFor={`${id}-name`}>Name</label>
            <input
              id={`${id}-name`}
              className="input"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder="Acme production"
              aria-invalid={fieldError('name') ? true : undefined}
              aria-describedby={describedBy('name')}
              autoComplete="off"
              autoFocus
            />
            {errorText('name')}
          </div>
          <div className="field field-wide">
            <label htmlFor={`${id}-url`}>Org URL</label>
            <input
              id={`${id}-url`}
              className="input"
              type="url"
              value={orgUrl}
              onChange={(e) => setOrgUrl(e.target.value)}
              placeholder="https://acme.okta.com"
              aria-invalid={fieldError('orgUrl') ? true : undefined}
              aria-describedby={describedBy('orgUrl')}
              autoComplete="off"
              spellCheck={false}
            />
            {errorText('orgUrl')}
          </div>
        </div>

        <fieldset className="fieldset">
          <legend>Authentication</legend>
          <div className="segmented" role="radiogroup" aria-label="Authentication method">
            <label className={`segment${authType === 'token' ? ' is-on' : ''}`}>
              <input type="radio" name={`${id}-auth`} value="token" checked={authType === 'token'} onChange={() => setAuthType('token')} />
              API token
            </label>
            <label className={`segment${authType === 'oauth' ? ' is-on' : ''}`}>
              <input type="radio" name={`${id}-auth`} value="oauth" checked={authType === 'oauth'} onChange={() => setAuthType('oauth')} />
              OAuth service app
            </label>
          </div>
          {authType === 'token' ? (
            <div className="field">
              <label htmlFor={`${id}-token`}>API token</label>
              <input
                id={`${id}-token`}
                className="input mono"
                type="password"
                value={token}
                onChange={(e) => setToken(e.target.value)}
                aria-invalid={fieldError('auth.token') ? true : undefined}
                aria-describedby={describedBy('auth.token', `${id}-token-hint`)}
                autoComplete="off"
                spellCheck={false}
              />
              <p className="field-hint" id={`${id}-token-hint`}>
                Security → API → Tokens in the Okta admin console. A token acts with its creator’s admin role; a
                read-only admin is enough for sync.
              </p>
              {errorText('auth.token')}
            </div>
          ) : (
            <>
              <div className="field">
                <label htmlFor={`${id}-client`}>Client ID</label>
                <input
                  id={`${id}-client`}
                  className="input mono"
                  value={clientId}
                  onChange={(e) => setClientId(e.target.value)}
                  placeholder="0oa1b2c3d4e5f6g7h8i9"
                  aria-invalid={fieldError('auth.clientId') ? true : undefined}
                  aria-describedby={describedBy('auth.clientId')}
                  autoComplete="off"
                  spellCheck={false}
                />
                {errorText('auth.clientId')}
              </div>
              <div className="field">
                <label htmlFor={`${id}-pem`}>Private key (PEM)</label>
                <textarea
                  id={`${id}-pem`}
                  className="input mono textarea"
                  rows={5}
                  value={pem}
                  onChange={(e) => {
                    setPem(e.target.value);
                    setPemFile(null);
                  }}
                  placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
                  aria-invalid={fieldError('auth.privateKeyPem') ? true : undefined}
                  aria-describedby={describedBy('auth.privateKeyPem', `${id}-pem-hint`)}
                  spellCheck={false}
                />
                <div className="field-inline" id={`${id}-pem-hint`}>
                  <label className="btn btn-sm file-btn">
                    Load from file…
                    <input
                      type="file"
                      accept=".pem,.key,.txt,application/x-pem-file"
                      aria-label="Private key file"
                      onChange={(e) => void readPemFile(e.target.files?.[0])}
                    />
                  </label>
                  <span className="field-hint">{pemFile ? `Read ${pemFile}` : 'The file is read here and sent only to the keychain.'}</span>
                </div>
                {errorText('auth.privateKeyPem')}
              </div>
              <fieldset className="fieldset fieldset-inner" aria-describedby={describedBy('auth.scopes')}>
                <legend>Scopes</legend>
                <p className="field-hint">Grant these to the service app in Okta (Okta API Scopes tab).</p>
                <div className="scope-list">
                  {SCOPES.map((s) => (
                    <label key={s.scope} className="check">
                      <input
                        type="checkbox"
                        checked={scopes.includes(s.scope)}
                        onChange={(e) =>
                          setScopes((prev) => (e.target.checked ? [...prev, s.scope] : prev.filter((x) => x !== s.scope)))
                        }
                      />
                      <code>{s.scope}</code>
                      <span className="muted" aria-hidden="true">
                        {s.why}
                      </span>
                    </label>
                  ))}
                </div>
                {errorText('auth.scopes')}
              </fieldset>
            </>
          )}
          {errorText('auth')}
        </fieldset>

        <div className="field">
          <label htmlFor={`${id}-budget`}>Rate-limit budget share</label>
          <div className="range-row">
            <input
              id={`${id}-budget`}
              type="range"
              min={10}
              max={100}
              step={5}
              value={budget}
              onChange={(e) => setBudget(Number(e.target.value))}
              aria-valuetext={`${budget}%`}
              aria-describedby={describedBy('budgetShare', `${id}-budget-hint`)}
            />
            <output htmlFor={`${id}-budget`} className="range-value tabular">
              {budget}%
            </output>
          </div>
          <p className="field-hint" id={`${id}-budget-hint`}>
            Okta rate limits are per org and shared with every other integration (SCIM, HR sync, scripts). Sync reads
            the <code>X-Rate-Limit-*</code> headers and slows down before it uses more than this share of any bucket.
          </p>
          {errorText('budgetShare')}
        </div>

        <div className="form-actions">
          <WriteButton type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add connection'}
          </WriteButton>
          <button type="button" className="btn" onClick={onDone} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
