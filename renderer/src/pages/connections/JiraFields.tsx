// The Jira Service Management part of "Add a connection": site, the bot account's e-mail and API token, and where requests go.
import type { ReactNode } from 'react';
import { TextField, type FieldErrorProps } from '../../components/FormFields.js';
import type { AddConnectionInput } from '../../stores/connections-store.js';
import { ownStatuses, STATUS_ROWS } from './JiraStatusNames.js';

/** The Jira fields as the engine names them (for placing its messages next to them). */
export const JIRA_FIELDS = ['siteUrl', 'email', 'apiToken', 'projectKey', 'serviceDeskId', 'requestTypeId'] as const;
type JiraField = (typeof JIRA_FIELDS)[number];

export type JiraValues = { siteUrl: string; email: string; apiToken: string; projectKey: string; serviceDeskId: string; requestTypeId: string; statuses: { waiting: string; approved: string; done: string; declined: string } };

export const NEW_JIRA: JiraValues = { siteUrl: '', email: '', apiToken: '', projectKey: '', serviceDeskId: '', requestTypeId: '', statuses: { waiting: '', approved: '', done: '', declined: '' } };

/** What connections:add gets for a Jira site. */
export function jiraInput(name: string, v: JiraValues): AddConnectionInput {
  // Blank JSM ids mean "record requests only, import none"; blank status names the defaults.
  const statuses = ownStatuses(v.statuses);
  return {
    kind: 'jira',
    name,
    siteUrl: v.siteUrl,
    email: v.email,
    apiToken: v.apiToken,
    projectKey: v.projectKey.trim().toUpperCase(),
    serviceDeskId: v.serviceDeskId.trim() === '' ? null : v.serviceDeskId,
    requestTypeId: v.requestTypeId.trim() === '' ? null : v.requestTypeId,
    ...(Object.keys(statuses).length > 0 ? { statuses } : {}),
  };
}

/** `id` is the form's useId(); `nameField` is the form's Name field, placed beside the site URL. */
export function JiraFields({
  id,
  fe,
  values,
  onChange,
  nameField,
}: {
  id: string;
  fe: FieldErrorProps<JiraField>;
  values: JiraValues;
  onChange: (patch: Partial<JiraValues>) => void;
  nameField: ReactNode;
}): ReactNode {
  return (
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
          value={values.siteUrl}
          onChange={(siteUrl) => onChange({ siteUrl })}
          placeholder="https://acme.atlassian.net"
        />
      </div>
      <fieldset className="fieldset">
        <legend>Authentication</legend>
        <div className="form-row form-row-even">
          <TextField id={`${id}-email`} label="Account e-mail" field="email" errors={fe} value={values.email} onChange={(email) => onChange({ email })} placeholder="latchkey-bot@acme.com" />
          <TextField
            id={`${id}-api-token`}
            label="API token"
            field="apiToken"
            errors={fe}
            type="password"
            mono
            value={values.apiToken}
            onChange={(apiToken) => onChange({ apiToken })}
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
            value={values.projectKey}
            onChange={(projectKey) => onChange({ projectKey })}
            placeholder="ACC"
            hint={<>Every request gets an issue here; each step is commented and the issue is transitioned.</>}
          />
          <TextField id={`${id}-sd`} label="Service desk ID (optional)" field="serviceDeskId" errors={fe} mono value={values.serviceDeskId} onChange={(serviceDeskId) => onChange({ serviceDeskId })} placeholder="1" />
          <TextField
            id={`${id}-rt`}
            label="Request type ID (optional)"
            field="requestTypeId"
            errors={fe}
            mono
            value={values.requestTypeId}
            onChange={(requestTypeId) => onChange({ requestTypeId })}
            placeholder="10"
            hint={<>With both IDs, new portal requests of this type are imported as Latchkey requests.</>}
          />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Workflow status names (optional)</legend>
        <p className="field-hint">What this project's workflow calls the statuses Latchkey moves an issue to; blank keeps the default. The connection test lists the workflow's statuses and names any that are missing.</p>
        <div className="form-row form-row-even">
          {STATUS_ROWS.map((r) => (
            <div className="field" key={r.key}>
              <label htmlFor={`${id}-status-${r.key}`}>{r.label}</label>
              <input id={`${id}-status-${r.key}`} value={values.statuses[r.key]} placeholder={r.fallback} onChange={(e) => onChange({ statuses: { ...values.statuses, [r.key]: e.target.value } })} />
            </div>
          ))}
        </div>
      </fieldset>
    </>
  );
}
