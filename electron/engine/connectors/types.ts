// Types shared by every connector and by the services that call them.
import type { SyncScope } from '../../../shared/domain.js';

/** An Okta credential as kept in the keychain (serialised as JSON there, never elsewhere). */
export type OktaCredential =
  | { type: 'token'; token: string }
  | { type: 'oauth'; clientId: string; privateKeyPem: string; scopes: string[]; keyId?: string };

/** An Entra app registration's credential (client credentials flow), kept in the keychain. */
export type EntraCredential =
  | { type: 'secret'; clientSecret: string }
  /** The certificate and its private key, PEM, as registered on the app. */
  | { type: 'certificate'; certificatePem: string };

/** A Jira Cloud site's account e-mail and API token (HTTP Basic), kept in the keychain. */
export type JiraCredential = { type: 'jira-token'; email: string; apiToken: string };

export type Credential = OktaCredential | EntraCredential | JiraCredential;

export const isOktaCredential = (c: Credential): c is OktaCredential => c.type === 'token' || c.type === 'oauth';
export const isEntraCredential = (c: Credential): c is EntraCredential => c.type === 'secret' || c.type === 'certificate';
export const isJiraCredential = (c: Credential): c is JiraCredential => c.type === 'jira-token';

/** The strings in a credential that must never appear in output (for redaction). */
export function credentialSecrets(c: Credential): string[] {
  switch (c.type) {
    case 'token':
      return [c.token];
    case 'oauth':
      return [c.privateKeyPem];
    case 'secret':
      return [c.clientSecret];
    case 'certificate':
      return [c.certificatePem];
    case 'jira-token':
      return [c.apiToken, Buffer.from(`${c.email}:${c.apiToken}`).toString('base64')];
  }
}

import type { JiraFieldMap, JiraStatusMap } from './jira/jira-fields.js';

export type ConnectionSettings = {
  /** Share of each rate-limit bucket this connection may use (default 0.5). */
  budgetShare: number;
  /** What the sync is limited to. */
  scope: SyncScope;
  /** Entra: directory (tenant) id or verified domain. */
  tenantId?: string;
  /** Entra: Microsoft identity platform host (https://login.microsoftonline.com unless sovereign cloud / sandbox). */
  authorityHost?: string;
  /** What the last successful connection test found: may the credential change group membership? */
  canWrite?: boolean;
  /** Okta / Entra: a leaver's account is suspended too (Okta lifecycle suspend, Entra accountEnabled false), besides losing its access. Off by default; needs the write permission. */
  suspendLeavers?: boolean;
  /** A CA certificate (PEM) trusted for this connection's hosts, on top of the system ones. Public, not a secret. */
  caPem?: string;
  /** Jira: where requests are recorded and which JSM request type is imported. */
  jira?: JiraSettings;
  /** Jira: the JSM import's progress (written by the poller, not by the user). */
  jiraPoll?: JiraPollState;
};

export type JiraSettings = {
  projectKey: string;
  /** The issue that gets the daily audit checkpoint comment (`latchkey audit anchor-issue`); none: no daily comment. */
  anchorIssueKey?: string | null;
  /** JSM service desk and request type whose portal requests are imported (both or neither). */
  serviceDeskId: string | null;
  requestTypeId: string | null;
  /** The request type's custom field ids where they differ from the defaults (JIRA_FIELDS). */
  fields?: Partial<JiraFieldMap>;
  /** The workflow status names where they differ from the defaults (JIRA_STATUS_NAMES). */
  statuses?: Partial<JiraStatusMap>;
};

export type JiraPollState = {
  /** Created time (ISO) of the newest imported portal request: the next poll asks from that minute on. */
  position: string | null;
  lastPollAt: string | null;
  lastError: string | null;
  /** What the last poll noticed without failing (a pager bound hit, a page the site repeated); absent in older workspaces. */
  lastWarnings?: string[];
  /** The request type's name as Jira calls it (what JQL matches on), resolved on the first poll. */
  requestTypeName: string | null;
  /** The account's time zone: JQL reads dates in it. */
  timeZone: string | null;
  /** Portal requests refused (commented and declined), so a later poll does not refuse them again. Bounded. */
  rejectedIssues: string[];
  /** JSM approval answers already handled without a Latchkey decision (ineligible approver): `<issue>/<approval>/<accountId>`, newest last, bounded. */
  handledApprovals: string[];
};

/** A row of `connections`, decoded. Holds no secret. For Entra, baseUrl is the Graph endpoint. */
export type ConnectionRecord = {
  id: number;
  name: string;
  kind: 'okta' | 'entra' | 'jira';
  baseUrl: string;
  authType: 'token' | 'oauth';
  clientId: string | null;
  scopes: string[];
  settings: ConnectionSettings;
  orgName: string | null;
  liveGen: number;
  createdAt: string;
};
