// The Microsoft Entra ID part of "Add a connection": tenant and app, the client credential, the Graph permissions to grant, and the advanced endpoints.
import type { ReactNode } from 'react';
import { noPem, PemField, SegmentedRadios, TextField, type FieldErrorProps, type PemValue } from '../../components/FormFields.js';
import type { AddConnectionInput } from '../../stores/connections-store.js';

const GRAPH_PERMISSIONS = [
  { permission: 'User.Read.All', why: 'users, profiles, status' },
  { permission: 'Group.Read.All', why: 'groups, their types and memberships' },
  { permission: 'AuditLog.Read.All', why: 'last sign-in' },
  { permission: 'Application.Read.All', why: 'enterprise apps and their group assignments' },
  { permission: 'GroupMember.ReadWrite.All', why: 'optional: provisioning through group membership' },
] as const;

/** The Entra fields as the engine names them (for placing its messages next to them). */
export const ENTRA_FIELDS = ['auth.clientSecret', 'auth.certificatePem', 'tenantId', 'clientId', 'authorityHost', 'graphUrl', 'caPem'] as const;
type EntraField = (typeof ENTRA_FIELDS)[number] | 'auth';
// Entra fields that sit in the collapsed "Advanced" part: opened when one of them is refused.
export const ENTRA_ADVANCED_FIELDS: readonly string[] = ['authorityHost', 'graphUrl', 'caPem'] satisfies readonly EntraField[];

export type EntraValues = {
  tenantId: string;
  appId: string;
  authType: 'secret' | 'certificate';
  secret: string;
  certPem: PemValue;
  authorityHost: string;
  graphUrl: string;
  caPem: PemValue;
};

export const NEW_ENTRA: EntraValues = {
  tenantId: '',
  appId: '',
  authType: 'secret',
  secret: '',
  certPem: noPem,
  authorityHost: '',
  graphUrl: '',
  caPem: noPem,
};

/** What connections:add gets for an Entra tenant. */
export function entraInput(name: string, budgetShare: number, v: EntraValues): AddConnectionInput {
  // Blank advanced fields are left out so the engine's defaults (public cloud) apply.
  return {
    kind: 'entra',
    name,
    tenantId: v.tenantId,
    clientId: v.appId,
    budgetShare,
    ...(v.authorityHost.trim() !== '' ? { authorityHost: v.authorityHost } : {}),
    ...(v.graphUrl.trim() !== '' ? { graphUrl: v.graphUrl } : {}),
    ...(v.caPem.text.trim() !== '' ? { caPem: v.caPem.text } : {}),
    auth: v.authType === 'secret' ? { type: 'secret', clientSecret: v.secret } : { type: 'certificate', certificatePem: v.certPem.text },
  };
}

/**
 * `id` is the form's useId(); `nameField` is the form's Name field, placed
 * above the ids; `advanced` says whether the "Advanced" part is open (the
 * form opens it when the engine refuses one of its fields).
 */
export function EntraFields({
  id,
  fe,
  values,
  onChange,
  nameField,
  advanced,
  onAdvancedChange,
}: {
  id: string;
  fe: FieldErrorProps<EntraField>;
  values: EntraValues;
  onChange: (patch: Partial<EntraValues>) => void;
  nameField: ReactNode;
  advanced: boolean;
  onAdvancedChange: (open: boolean) => void;
}): ReactNode {
  const { errorText } = fe;
  return (
    <>
      {nameField}
      <div className="form-row form-row-even">
        <TextField
          id={`${id}-tenant`}
          label="Directory (tenant) ID"
          field="tenantId"
          errors={fe}
          mono
          value={values.tenantId}
          onChange={(tenantId) => onChange({ tenantId })}
          placeholder="00000000-0000-0000-0000-000000000000 or acme.onmicrosoft.com"
        />
        <TextField
          id={`${id}-app`}
          label="Application (client) ID"
          field="clientId"
          errors={fe}
          mono
          value={values.appId}
          onChange={(appId) => onChange({ appId })}
          placeholder="00000000-0000-0000-0000-000000000000"
        />
      </div>

      <fieldset className="fieldset">
        <legend>Authentication</legend>
        <SegmentedRadios
          name={`${id}-entra-auth`}
          label="Client credential"
          value={values.authType}
          onChange={(authType) => onChange({ authType })}
          options={[
            { value: 'secret', label: 'Client secret' },
            { value: 'certificate', label: 'Certificate' },
          ]}
        />
        {values.authType === 'secret' ? (
          <TextField
            id={`${id}-secret`}
            label="Client secret"
            field="auth.clientSecret"
            errors={fe}
            type="password"
            mono
            value={values.secret}
            onChange={(secret) => onChange({ secret })}
            hint={<>App registrations → your app → Certificates &amp; secrets. Copy the secret’s value, not its ID.</>}
          />
        ) : (
          <PemField
            id={`${id}-cert`}
            label="Certificate and private key (PEM)"
            field="auth.certificatePem"
            errors={fe}
            rows={5}
            value={values.certPem}
            onChange={(certPem) => onChange({ certPem })}
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
        {errorText('auth')}
      </fieldset>

      <details className="advanced" open={advanced} onToggle={(e) => onAdvancedChange(e.currentTarget.open)}>
        <summary>Advanced: sovereign clouds, TLS inspection</summary>
        <div className="advanced-body">
          <div className="form-row form-row-even">
            <TextField
              id={`${id}-authority`}
              label="Authority host"
              field="authorityHost"
              errors={fe}
              type="url"
              value={values.authorityHost}
              onChange={(authorityHost) => onChange({ authorityHost })}
              placeholder="https://login.microsoftonline.com"
            />
            <TextField
              id={`${id}-graph`}
              label="Graph URL"
              field="graphUrl"
              errors={fe}
              type="url"
              value={values.graphUrl}
              onChange={(graphUrl) => onChange({ graphUrl })}
              placeholder="https://graph.microsoft.com"
            />
          </div>
          <PemField
            id={`${id}-ca`}
            label="CA certificate (PEM)"
            field="caPem"
            errors={fe}
            rows={4}
            value={values.caPem}
            onChange={(caPem) => onChange({ caPem })}
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
    </>
  );
}
