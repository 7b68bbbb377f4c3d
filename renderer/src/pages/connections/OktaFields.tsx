// The Okta part of "Add a connection": org URL and the credential (API token, or OAuth service app with its key and scopes).
import type { ReactNode } from 'react';
import { noPem, PemField, SegmentedRadios, TextField, type FieldErrorProps, type PemValue } from '../../components/FormFields.js';
import type { AddConnectionInput } from '../../stores/connections-store.js';

const SCOPES = [
  { scope: 'okta.users.read', why: 'users, profiles, status, last login', default: true },
  { scope: 'okta.groups.read', why: 'groups, rules and memberships', default: true },
  { scope: 'okta.apps.read', why: 'apps and their group assignments', default: true },
  { scope: 'okta.logs.read', why: 'System Log, for incremental sync', default: true },
  { scope: 'okta.groups.manage', why: 'optional: provisioning through group membership', default: false },
] as const;

/** The Okta fields as the engine names them (for placing its messages next to them). */
export const OKTA_FIELDS = ['orgUrl', 'auth.token', 'auth.clientId', 'auth.privateKeyPem', 'auth.scopes'] as const;
type OktaField = (typeof OKTA_FIELDS)[number] | 'auth';

export type OktaValues = {
  orgUrl: string;
  authType: 'token' | 'oauth';
  token: string;
  clientId: string;
  pem: PemValue;
  scopes: string[];
};

export const NEW_OKTA: OktaValues = {
  orgUrl: '',
  authType: 'token',
  token: '',
  clientId: '',
  pem: noPem,
  scopes: SCOPES.filter((s) => s.default).map((s) => s.scope),
};

/** What connections:add gets for an Okta org. */
export function oktaInput(name: string, budgetShare: number, v: OktaValues): AddConnectionInput {
  return {
    kind: 'okta',
    name,
    orgUrl: v.orgUrl,
    budgetShare,
    auth: v.authType === 'token' ? { type: 'token', token: v.token } : { type: 'oauth', clientId: v.clientId, privateKeyPem: v.pem.text, scopes: v.scopes },
  };
}

/** `id` is the form's useId(); `nameField` is the form's Name field, placed beside the org URL. */
export function OktaFields({
  id,
  fe,
  values,
  onChange,
  nameField,
}: {
  id: string;
  fe: FieldErrorProps<OktaField>;
  values: OktaValues;
  onChange: (patch: Partial<OktaValues>) => void;
  nameField: ReactNode;
}): ReactNode {
  const { describedBy, errorText } = fe;
  const { authType, scopes } = values;
  return (
    <>
      <div className="form-row">
        {nameField}
        <TextField
          id={`${id}-url`}
          label="Org URL"
          field="orgUrl"
          errors={fe}
          type="url"
          wide
          value={values.orgUrl}
          onChange={(orgUrl) => onChange({ orgUrl })}
          placeholder="https://acme.okta.com"
        />
      </div>

      <fieldset className="fieldset">
        <legend>Authentication</legend>
        <SegmentedRadios
          name={`${id}-auth`}
          label="Authentication method"
          value={authType}
          onChange={(next) => onChange({ authType: next })}
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
            value={values.token}
            onChange={(token) => onChange({ token })}
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
              value={values.clientId}
              onChange={(clientId) => onChange({ clientId })}
              placeholder="0oa1b2c3d4e5f6g7h8i9"
            />
            <PemField
              id={`${id}-pem`}
              label="Private key (PEM)"
              field="auth.privateKeyPem"
              errors={fe}
              rows={5}
              value={values.pem}
              onChange={(pem) => onChange({ pem })}
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
                      onChange={(e) => onChange({ scopes: e.target.checked ? [...scopes, s.scope] : scopes.filter((x) => x !== s.scope) })}
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
    </>
  );
}
