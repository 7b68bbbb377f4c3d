// "Add a connection": Okta, Entra ID or Jira, its credentials (to the keychain) and its rate-limit share.
import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { noPem, PemField, SegmentedRadios, TextField, useFormErrors, type PemValue } from '../components/FormFields.js';
import { InlineError } from '../components/InlineError.js';
import { WriteButton } from '../components/WriteButton.js';
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
  'siteUrl',
  'email',
  'apiToken',
  'projectKey',
  'serviceDeskId',
  'requestTypeId',
] as const;
type Field = (typeof FIELDS)[number];
// Entra fields that sit in the collapsed "Advanced" part: opened when one of them is refused.
const ADVANCED: readonly Field[] = ['authorityHost', 'graphUrl', 'caPem'];

type Kind = 'okta' | 'entra' | 'jira';

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
  const [pem, setPem] = useState<PemValue>(noPem);
  const [scopes, setScopes] = useState<string[]>(SCOPES.filter((s) => s.default).map((s) => s.scope));
  // Entra
  const [tenantId, setTenantId] = useState('');
  const [appId, setAppId] = useState('');
  const [entraAuth, setEntraAuth] = useState<'secret' | 'certificate'>('secret');
  const [secret, setSecret] = useState('');
  const [certPem, setCertPem] = useState<PemValue>(noPem);
  const [advanced, setAdvanced] = useState(false);
  const [authorityHost, setAuthorityHost] = useState('');
  const [graphUrl, setGraphUrl] = useState('');
  const [caPem, setCaPem] = useState<PemValue>(noPem);
  // Jira
  const [siteUrl, setSiteUrl] = useState('');
  const [email, setEmail] = useState('');
  const [apiToken, setApiToken] = useState('');
  const [projectKey, setProjectKey] = useState('');
  const [serviceDeskId, setServiceDeskId] = useState('');
  const [requestTypeId, setRequestTypeId] = useState('');

  const [budget, setBudget] = useState(50);
  const [busy, setBusy] = useState(false);
  const errors = useFormErrors<Field>(id, FIELDS);

  const formRef = useRef<HTMLFormElement>(null);
  // After a refused submit (once per refusal, not as messages clear), take the user to the first thing to fix.
  useEffect(() => {
    if (errors.refusals === 0) return;
    const first = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    (first ?? formRef.current?.querySelector<HTMLElement>('[role="alert"]'))?.focus();
  }, [errors.refusals]);

  const { fe } = errors;
  const { describedBy, errorText } = fe;

  const switchKind = (next: Kind): void => {
    setKind(next);
    errors.reset();
  };

  const input = (): AddConnectionInput => {
    const budgetShare = budget / 100;
    if (kind === 'jira') {
      // Blank JSM ids mean "record requests only, import none".
      return {
        kind: 'jira',
        name,
        siteUrl,
        email,
        apiToken,
        projectKey: projectKey.trim().toUpperCase(),
        serviceDeskId: serviceDeskId.trim() === '' ? null : serviceDeskId,
        requestTypeId: requestTypeId.trim() === '' ? null : requestTypeId,
      };
    }
    if (kind === 'okta') {
      return {
        kind: 'okta',
        name,
        orgUrl,
        budgetShare,
        auth: authType === 'token' ? { type: 'token', token } : { type: 'oauth', clientId, privateKeyPem: pem.text, scopes },
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
      ...(caPem.text.trim() !== '' ? { caPem: caPem.text } : {}),
      auth: entraAuth === 'secret' ? { type: 'secret', clientSecret: secret } : { type: 'certificate', certificatePem: certPem.text },
    };
  };

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    errors.begin();
    setBusy(true);
    try {
      const added = await add(input());
      toast.success(added.kind === 'jira' ? `${added.name} was added. Test it: requests are recorded there from now on.` : `${added.name} was added. Test it, then run a first sync.`, 'Connection added');
      onDone();
    } catch (error) {
      const refusal = errors.fail(error);
      if (Object.keys(refusal.fields).some((f) => ADVANCED.includes(f as Field))) setAdvanced(true);
    } finally {
      setBusy(false);
    }
  };

  const nameField = (
    <TextField
      id={`${id}-name`}
      label="Name"
      field="name"
      errors={fe}
      value={name}
      onChange={setName}
      placeholder={kind === 'okta' ? 'Acme production' : kind === 'entra' ? 'Acme Entra' : 'Acme Jira'}
      freeText
      autoFocus
    />
  );

  return (
    <section className="card form-card" aria-labelledby={`${id}-title`}>
      <div className="card-head card-head-plain">
        <div>
          <h2 id={`${id}-title`}>Add a connection</h2>
          <p className="muted">Credentials go to the OS keychain; the workspace file never holds them.</p>
        </div>
      </div>
      <form
        ref={formRef}
        className="form"
        onSubmit={(e) => void submit(e)}
        onChange={errors.onFormChange}
        noValidate
        aria-describedby={errors.form ? `${id}-form-err` : undefined}
      >
        {errors.form ? (
          <div id={`${id}-form-err`}>
            <InlineError title="The connection was not added" message={errors.form} />
          </div>
        ) : null}

        <SegmentedRadios
          large
          name={`${id}-kind`}
          label="Connect to"
          value={kind}
          onChange={switchKind}
          options={[
            {
              value: 'okta',
              label: (
                <>
                  <span className="kind-dot kind-okta" aria-hidden="true" />
                  Okta
                </>
              ),
            },
            {
              value: 'entra',
              label: (
                <>
                  <span className="kind-dot kind-entra" aria-hidden="true" />
                  Microsoft Entra ID
                </>
              ),
            },
            {
              value: 'jira',
              label: (
                <>
                  <span className="kind-dot kind-jira" aria-hidden="true" />
                  Jira Service Management
                </>
              ),
            },
          ]}
        />

        {kind === 'jira' ? (
          <>
            <div className="form-row">
              {nameField}
              <TextField
                id={`${id}-site`}
                label="Site URL"
                field="siteUrl"
                errors={fe}
                type="url"
                wide
                value={siteUrl}
                onChange={setSiteUrl}
                placeholder="https://acme.atlassian.net"
              />
            </div>
            <fieldset className="fieldset">
              <legend>Authentication</legend>
              <div className="form-row form-row-even">
                <TextField id={`${id}-email`} label="Account e-mail" field="email" errors={fe} value={email} onChange={setEmail} placeholder="latchkey-bot@acme.com" />
                <TextField
                  id={`${id}-api-token`}
                  label="API token"
                  field="apiToken"
                  errors={fe}
                  type="password"
                  mono
                  value={apiToken}
                  onChange={setApiToken}
                  hint={<>Created at id.atlassian.com → Security → API tokens, for the account above. Kept in the OS keychain with the e-mail.</>}
                />
              </div>
            </fieldset>
            <fieldset className="fieldset">
              <legend>Where requests go</legend>
              <div className="form-row form-row-even">
                <TextField
                  id={`${id}-project`}
                  label="Project key"
                  field="projectKey"
                  errors={fe}
                  mono
                  value={projectKey}
                  onChange={setProjectKey}
                  placeholder="ACC"
                  hint={<>Every request gets an issue here; each step is commented and the issue is transitioned.</>}
                />
                <TextField id={`${id}-sd`} label="Service desk ID (optional)" field="serviceDeskId" errors={fe} mono value={serviceDeskId} onChange={setServiceDeskId} placeholder="1" />
                <TextField
                  id={`${id}-rt`}
                  label="Request type ID (optional)"
                  field="requestTypeId"
                  errors={fe}
                  mono
                  value={requestTypeId}
                  onChange={setRequestTypeId}
                  placeholder="10"
                  hint={<>With both IDs, new portal requests of this type are imported as Latchkey requests.</>}
                />
              </div>
            </fieldset>
          </>
        ) : (
          <>
          {kind === 'okta' ? (
            <div className="form-row">
              {nameField}
              <TextField
                id={`${id}-url`}
                label="Org URL"
                field="orgUrl"
                errors={fe}
                type="url"
                wide
                value={orgUrl}
                onChange={setOrgUrl}
                placeholder="https://acme.okta.com"
              />
            </div>
          ) : (
            <>
              {nameField}
              <div className="form-row form-row-even">
                <TextField
                  id={`${id}-tenant`}
                  label="Directory (tenant) ID"
                  field="tenantId"
                  errors={fe}
                  mono
                  value={tenantId}
                  onChange={setTenantId}
                  placeholder="00000000-0000-0000-0000-000000000000 or acme.onmicrosoft.com"
                />
                <TextField
                  id={`${id}-app`}
                  label="Application (client) ID"
                  field="clientId"
                  errors={fe}
                  mono
                  value={appId}
                  onChange={setAppId}
                  placeholder="00000000-0000-0000-0000-000000000000"
                />
              </div>
            </>
          )}

          <fieldset className="fieldset">
            <legend>Authentication</legend>
            {kind === 'okta' ? (
              <>
                <SegmentedRadios
                  name={`${id}-auth`}
                  label="Authentication method"
                  value={authType}
                  onChange={setAuthType}
                  options={[
                    { value: 'token', label: 'API token' },
                    { value: 'oauth', label: 'OAuth service app' },
                  ]}
                />
                {authType === 'token' ? (
                  <TextField
                    id={`${id}-token`}
                    label="API token"
                    field="auth.token"
                    errors={fe}
                    type="password"
                    mono
                    value={token}
                    onChange={setToken}
                    hint={
                      <>
                        Security → API → Tokens in the Okta admin console. A token acts with its creator’s admin role; a
                        read-only admin is enough for sync.
                      </>
                    }
                  />
                ) : (
                  <>
                    <TextField
                      id={`${id}-client`}
                      label="Client ID"
                      field="auth.clientId"
                      errors={fe}
                      mono
                      value={clientId}
                      onChange={setClientId}
                      placeholder="0oa1b2c3d4e5f6g7h8i9"
                    />
                    <PemField
                      id={`${id}-pem`}
                      label="Private key (PEM)"
                      field="auth.privateKeyPem"
                      errors={fe}
                      rows={5}
                      value={pem}
                      onChange={setPem}
                      placeholder={'-----BEGIN PRIVATE KEY-----\n…\n-----END PRIVATE KEY-----'}
                      fileLabel="Private key file"
                    />
                    <fieldset className="fieldset fieldset-inner" aria-describedby={describedBy('auth.scopes')}>
                      <legend>Scopes</legend>
                      <p className="field-hint">Grant these to the service app in Okta (Okta API Scopes tab).</p>
                      <div className="scope-list" data-field="auth.scopes">
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
                <SegmentedRadios
                  name={`${id}-entra-auth`}
                  label="Client credential"
                  value={entraAuth}
                  onChange={setEntraAuth}
                  options={[
                    { value: 'secret', label: 'Client secret' },
                    { value: 'certificate', label: 'Certificate' },
                  ]}
                />
                {entraAuth === 'secret' ? (
                  <TextField
                    id={`${id}-secret`}
                    label="Client secret"
                    field="auth.clientSecret"
                    errors={fe}
                    type="password"
                    mono
                    value={secret}
                    onChange={setSecret}
                    hint={<>App registrations → your app → Certificates &amp; secrets. Copy the secret’s value, not its ID.</>}
                  />
                ) : (
                  <PemField
                    id={`${id}-cert`}
                    label="Certificate and private key (PEM)"
                    field="auth.certificatePem"
                    errors={fe}
                    rows={5}
                    value={certPem}
                    onChange={setCertPem}
                    placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\n…'}
                    fileLabel="Certificate file"
                  />
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
          </>
        )}

        {kind === 'entra' ? (
          <details className="advanced" open={advanced} onToggle={(e) => setAdvanced(e.currentTarget.open)}>
            <summary>Advanced: sovereign clouds, TLS inspection</summary>
            <div className="advanced-body">
              <div className="form-row form-row-even">
                <TextField
                  id={`${id}-authority`}
                  label="Authority host"
                  field="authorityHost"
                  errors={fe}
                  type="url"
                  value={authorityHost}
                  onChange={setAuthorityHost}
                  placeholder="https://login.microsoftonline.com"
                />
                <TextField
                  id={`${id}-graph`}
                  label="Graph URL"
                  field="graphUrl"
                  errors={fe}
                  type="url"
                  value={graphUrl}
                  onChange={setGraphUrl}
                  placeholder="https://graph.microsoft.com"
                />
              </div>
              <PemField
                id={`${id}-ca`}
                label="CA certificate (PEM)"
                field="caPem"
                errors={fe}
                rows={4}
                value={caPem}
                onChange={setCaPem}
                placeholder={'-----BEGIN CERTIFICATE-----\n…\n-----END CERTIFICATE-----'}
                fileLabel="CA certificate file"
                note={
                  <>
                    Trusted for both hosts, in addition to the system’s CAs: for a TLS-inspecting proxy, or the sandbox
                    tenant. Not a secret.
                  </>
                }
              />
            </div>
          </details>
        ) : null}

        {kind === 'jira' ? null : (
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
                data-field="budgetShare"
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
        )}

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
