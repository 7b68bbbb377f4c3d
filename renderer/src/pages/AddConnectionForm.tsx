import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, errorMessage } from '../api/client.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
import { splitFieldErrors } from '../lib/field-errors.js';
import { useConnectionsStore, type AddConnectionInput } from '../stores/connections-store.js';
import { toast } from '../stores/toast-store.js';

const SCOPES = [
  { scope: 'okta.users.read', why: 'users, profiles, status, last login', default: true },
  { scope: 'okta.groups.read', why: 'groups, rules and memberships', default: true },
  { scope: 'okta.apps.read', why: 'apps and their group assignments', default: true },
  { scope: 'okta.logs.read', why: 'System Log, for incremental sync', default: true },
  { scope: 'okta.groups.manage', why: 'optional: provisioning through group membership', default: false },
] as const;

const GRAPH_PERMISSIONS = [
  { permission: 'User.Read.All', why: 'users, profiles, status' },
  { permission: 'Group.Read.All', why: 'groups, their types and memberships' },
  { permission: 'AuditLog.Read.All', why: 'last sign-in' },
  { permission: 'Application.Read.All', why: 'enterprise apps and their group assignments' },
  { permission: 'GroupMember.ReadWrite.All', why: 'optional: provisioning through group membership' },
] as const;

const FIELDS = [
  'name',
  'orgUrl',
  'budgetShare',
  'auth.token',
  'auth.clientId',
  'auth.privateKeyPem',
  'auth.scopes',
  'auth.clientSecret',
  'auth.certificatePem',
  'auth',
  'tenantId',
  'clientId',
  'authorityHost',
  'graphUrl',
  'caPem',
] as const;
type Field = (typeof FIELDS)[number];
// Entra fields that sit in the collapsed "Advanced" part: opened when one of them is refused.
const ADVANCED: readonly Field[] = ['authorityHost', 'graphUrl', 'caPem'];

type Kind = 'okta' | 'entra';

/** Reads a PEM the admin picked; it leaves the page only inside the connections:add call. */
async function readText(file: File | undefined, done: (text: string, name: string) => void): Promise<void> {
  if (!file) return;
  done(await file.text(), file.name);
}

export function AddConnectionForm({ onDone }: { onDone: () => void }): ReactNode {
  const add = useConnectionsStore((s) => s.add);
  const id = useId();
  const [kind, setKind] = useState<Kind>('okta');
  const [name, setName] = useState('');
  // Okta
  const [orgUrl, setOrgUrl] = useState('');
  const [authType, setAuthType] = useState<'token' | 'oauth'>('token');
  const [token, setToken] = useState('');
  const [clientId, setClientId] = useState('');
  const [pem, setPem] = useState('');
  const [pemFile, setPemFile] = useState<string | null>(null);
  const [scopes, setScopes] = useState<string[]>(SCOPES.filter((s) => s.default).map((s) => s.scope));
  // Entra
  const [tenantId, setTenantId] = useState('');
  const [appId, setAppId] = useState('');
  const [entraAuth, setEntraAuth] = useState<'secret' | 'certificate'>('secret');
  const [secret, setSecret] = useState('');
  const [certPem, setCertPem] = useState('');
  const [certFile, setCertFile] = useState<string | null>(null);
  const [advanced, setAdvanced] = useState(false);
  const [authorityHost, setAuthorityHost] = useState('');
  const [graphUrl, setGraphUrl] = useState('');
  const [caPem, setCaPem] = useState('');
  const [caFile, setCaFile] = useState<string | null>(null);

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
  const invalid = (f: Field): true | undefined => (fieldError(f) ? true : undefined);

  const switchKind = (next: Kind): void => {
    setKind(next);
    setErrors({ fields: {}, form: null });
  };

  const input = (): AddConnectionInput => {
    const budgetShare = budget / 100;
    if (kind === 'okta') {
      return {
        kind: 'okta',
        name,
        orgUrl,
        budgetShare,
        auth: authType === 'token' ? { type: 'token', token } : { type: 'oauth', clientId, privateKeyPem: pem, scopes },
      };
    }
    // Blank advanced fields are left out so the engine's defaults (public cloud) apply.
    return {
      kind: 'entra',
      name,
      tenantId,
      clientId: appId,
      budgetShare,
      ...(authorityHost.trim() !== '' ? { authorityHost } : {}),
      ...(graphUrl.trim() !== '' ? { graphUrl } : {}),
      ...(caPem.trim() !== '' ? { caPem } : {}),
      auth: entraAuth === 'secret' ? { type: 'secret', clientSecret: secret } : { type: 'certificate', certificatePem: certPem },
    };
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setErrors({ fields: {}, form: null });
    try {
      const added = await add(input());
      toast.success(`${added.name} was added. Test it, then run a first sync.`, 'Connection added');
      onDone();
    } catch (error) {
      if (error instanceof ApiError && error.code === 'bad-input') {
        const split = splitFieldErrors(error.message, FIELDS);
        if (Object.keys(split.fields).some((f) => ADVANCED.includes(f as Field))) setAdvanced(true);
        setErrors({ fields: split.fields, form: split.form });
      } else {
        setErrors({ fields: {}, form: errorMessage(error) });
      }
    } finally {
      setBusy(false);
    }
  };

  const pemPicker = (label: string, onRead: (text: string, file: string) => void, file: string | null, hintId: string): ReactNode => (
    <div className="field-inline" id={hintId}>
      <label className="btn btn-sm file-btn">
        Load from file…
        <input
          type="file"
          accept=".pem,.crt,.cer,.key,.txt,application/x-pem-file"
          aria-label={label}
          onChange={(e) => void readText(e.target.files?.[0], onRead)}
        />
      </label>
      <span className="field-hint">{file ? `Read ${file}` : 'The file is read here and sent only to the keychain.'}</span>
    </div>
  );

  return (
    <section className="card form-card" aria-labelledby={`${id}-title`}>
      <div className="card-head card-head-plain">
        <div>
          <h2 id={`${id}-title`}>Add a connection</h2>
          <p className="muted">Credentials go to the OS keychain; the workspace file never holds them.</p>
        </div>
      </div>
      <form ref={formRef} className="form" onSubmit={(e) => void submit(e)} noValidate aria-describedby={errors.form ? `${id}-form-err` : undefined}>
        {errors.form ? (
          <div id={`${id}-form-err`}>
            <InlineError title="The connection was not added" message={errors.form} />
          </div>
        ) : null}

        <div className="segmented segmented-lg" role="radiogroup" aria-label="Identity provider">
          <label className={`segment${kind === 'okta' ? ' is-on' : ''}`}>
            <input type="radio" name={`${id}-kind`} value="okta" checked={kind === 'okta'} onChange={() => switchKind('okta')} />
            <span className="kind-dot kind-okta" aria-hidden="true" />
            Okta
          </label>
          <label className={`segment${kind === 'entra' ? ' is-on' : ''}`}>
            <input type="radio" name={`${id}-kind`} value="entra" checked={kind === 'entra'} onChange={() => switchKind('entra')} />
            <span className="kind-dot kind-entra" aria-hidden="true" />
            Microsoft Entra ID
          </label>
        </div>

        {kind === 'okta' ? (
          <div className="form-row">
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                id={`${id}-name`}
                className="input"
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="Acme production"
                aria-invalid={invalid('name')}
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
                aria-invalid={invalid('orgUrl')}
                aria-describedby={describedBy('orgUrl')}
                autoComplete="off"
                spellCheck={false}
              />
              {errorText('orgUrl')}
            </div>
          </div>
        ) : (
          <>
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input
                id={`${id}-name`}
                className="input"
                value={name}
                onChange={(e) => setName(e.target.value)}
                placeholder="Acme Entra"
                aria-invalid={invalid('name')}
                aria-describedby={describedBy('name')}
                autoComplete="off"
                autoFocus
              />
              {errorText('name')}
            </div>
            <div className="form-row form-row-even">
              <div className="field">
                <label htmlFor={`${id}-tenant`}>Directory (tenant) ID</label>
                <input
                  id={`${id}-tenant`}
                  className="input mono"
                  value={tenantId}
                  onChange={(e) => setTenantId(e.target.value)}
                  placeholder="00000000-0000-0000-0000-000000000000 or acme.onmicrosoft.com"
                  aria-invalid={invalid('tenantId')}
                  aria-describedby={describedBy('tenantId')}
                  autoComplete="off"
                  spellCheck={false}
                />
                {errorText('tenantId')}
              </div>
              <div className="field">
                <label htmlFor={`${id}-app`}>Application (client) ID</label>
                <input
                  id={`${id}-app`}
                  className="input mono"
                  value={appId}
                  onChange={(e) => setAppId(e.target.value)}
                  placeholder="00000000-0000-0000-0000-000000000000"
                  aria-invalid={invalid('clientId')}
                  aria-describedby={describedBy('clientId')}
                  autoComplete="off"
                  spellCheck={false}
                />
                {errorText('clientId')}
              </div>
            </div>
          </>
        )}

        <fieldset className="fieldset">
          <legend>Authentication</legend>
          {kind === 'okta' ? (
            <>
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
                    aria-invalid={invalid('auth.token')}
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
                      aria-invalid={invalid('auth.clientId')}
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
                      aria-invalid={invalid('auth.privateKeyPem')}
                      aria-describedby={describedBy('auth.privateKeyPem', `${id}-pem-hint`)}
                      spellCheck={false}
                    />
                    {pemPicker(
                      'Private key file',
                      (text, file) => {
                        setPem(text);
                        setPemFile(file);
                      },
                      pemFile,
                      `${id}-pem-hint`,
                    )}
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
            </>
          ) : (
            <>
              <div className="segmented" role="radiogroup" aria-label="Client credential">
                <label className={`segment${entraAuth === 'secret' ? ' is-on' : ''}`}>
                  <input
                    type="radio"
                    name={`${id}-entra-auth`}
                    value="secret"
                    checked={entraAuth === 'secret'}
                    onChange={() => setEntraAuth('secret')}
                  />
                  Client secret
                </label>
                <label className={`segment${entraAuth === 'certificate' ? ' is-on' : ''}`}>
                  <input
                    type="radio"
                    name={`${id}-entra-auth`}
                    value="certificate"
                    checked={entraAuth === 'certificate'}
                    onChange={() => setEntraAuth('certificate')}
                  />
                  Certificate
                </label>
              </div>
              {entraAuth === 'secret' ? (
                <div className="field">
                  <label htmlFor={`${id}-secret`}>Client secret</label>
                  <input
                    id={`${id}-secret`}
                    className="input mono"
                    type="password"
                    value={secret}
                    onChange={(e) => setSecret(e.target.value)}
                    aria-invalid={invalid('auth.clientSecret')}
                    aria-describedby={describedBy('auth.clientSecret', `${id}-secret-hint`)}
                    autoComplete="off"
                    spellCheck={false}
                  />
                  <p className="field-hint" id={`${id}-secret-hint`}>
                    App registrations → your app → Certificates &amp; secrets. Copy the secret’s value, not its ID.
                  </p>
                  {errorText('auth.clientSecret')}
                </div>
              ) : (
                <div className="field">
                  <label htmlFor={`${id}-cert`}>Certificate and private key (PEM)</label>
                  <textarea
                    id={`${id}-cert`}
                    className="input mono textarea"
                    rows={5}
                    value={certPem}
                    onChange={(e) => {
                      setCertPem(e.target.value);
                      setCertFile(null);
                    }}
                    placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n…'}
                    aria-invalid={invalid('auth.certificatePem')}
                    aria-describedby={describedBy('auth.certificatePem', `${id}-cert-hint`)}
                    spellCheck={false}
                  />
                  {pemPicker(
                    'Certificate file',
                    (text, file) => {
                      setCertPem(text);
                      setCertFile(file);
                    },
                    certFile,
                    `${id}-cert-hint`,
                  )}
                  {errorText('auth.certificatePem')}
                </div>
              )}
              <div className="fieldset fieldset-inner">
                <p className="field-hint">
                  Grant these <strong>application</strong> permissions to the app registration in Microsoft Graph, then
                  grant admin consent.
                </p>
                <div className="scope-list">
                  {GRAPH_PERMISSIONS.map((p) => (
                    <div key={p.permission} className="check">
                      <code>{p.permission}</code>
                      <span className="muted">{p.why}</span>
                    </div>
                  ))}
                </div>
              </div>
            </>
          )}
          {errorText('auth')}
        </fieldset>

        {kind === 'entra' ? (
          <details className="advanced" open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
            <summary>Advanced: sovereign clouds, TLS inspection</summary>
            <div className="advanced-body">
              <div className="form-row form-row-even">
                <div className="field">
                  <label htmlFor={`${id}-authority`}>Authority host</label>
                  <input
                    id={`${id}-authority`}
                    className="input"
                    type="url"
                    value={authorityHost}
                    onChange={(e) => setAuthorityHost(e.target.value)}
                    placeholder="https://login.microsoftonline.com"
                    aria-invalid={invalid('authorityHost')}
                    aria-describedby={describedBy('authorityHost')}
                    autoComplete="off"
                    spellCheck={false}
                  />
                  {errorText('authorityHost')}
                </div>
                <div className="field">
                  <label htmlFor={`${id}-graph`}>Graph URL</label>
                  <input
                    id={`${id}-graph`}
                    className="input"
                    type="url"
                    value={graphUrl}
                    onChange={(e) => setGraphUrl(e.target.value)}
                    placeholder="https://graph.microsoft.com"
                    aria-invalid={invalid('graphUrl')}
                    aria-describedby={describedBy('graphUrl')}
                    autoComplete="off"
                    spellCheck={false}
                  />
                  {errorText('graphUrl')}
                </div>
              </div>
              <div className="field">
                <label htmlFor={`${id}-ca`}>CA certificate (PEM)</label>
                <textarea
                  id={`${id}-ca`}
                  className="input mono textarea"
                  rows={4}
                  value={caPem}
                  onChange={(e) => {
                    setCaPem(e.target.value);
                    setCaFile(null);
                  }}
                  placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
                  aria-invalid={invalid('caPem')}
                  aria-describedby={describedBy('caPem', `${id}-ca-hint`)}
                  spellCheck={false}
                />
                {pemPicker(
                  'CA certificate file',
                  (text, file) => {
                    setCaPem(text);
                    setCaFile(file);
                  },
                  caFile,
                  `${id}-ca-hint`,
                )}
                <p className="field-hint">
                  Trusted for both hosts, in addition to the system’s CAs: for a TLS-inspecting proxy, or the sandbox
                  tenant. Not a secret.
                </p>
                {errorText('caPem')}
              </div>
            </div>
          </details>
        ) : null}

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
            {kind === 'okta' ? (
              <>
                Okta rate limits are per org and shared with every other integration (SCIM, HR sync, scripts). Sync
                reads the <code>X-Rate-Limit-*</code> headers and slows down before it uses more than this share of any
                bucket.
              </>
            ) : (
              <>
                Microsoft Graph throttles each app per tenant (resource units per 10 seconds). Sync keeps to this share
                of the budget and waits as long as <code>Retry-After</code> asks when it is throttled.
              </>
            )}
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
