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

export type Credential = OktaCredential | EntraCredential;

export const isOktaCredential = (c: Credential): c is OktaCredential => c.type === 'token' || c.type === 'oauth';
export const isEntraCredential = (c: Credential): c is EntraCredential => c.type === 'secret' || c.type === 'certificate';

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
  }
}

export type ConnectionSettings = {
  /** Share of each rate-limit bucket this connection may use (default 0.5). */
  budgetShare: number;
  /** What the sync is limited to. */
  scope: SyncScope;
  /** Entra: directory (tenant) id or verified domain. */
  tenantId?: string;
  /** Entra: Microsoft identity platform host (https://login.microsoftonline.com unless sovereign cloud / sandbox). */
  authorityHost?: string;
  /** A CA certificate (PEM) trusted for this connection's hosts, on top of the system ones. Public, not a secret. */
  caPem?: string;
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
