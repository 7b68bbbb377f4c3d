// Types shared by every connector and by the services that call them.

/** An Okta credential as kept in the keychain (serialised as JSON there, never elsewhere). */
export type OktaCredential =
  | { type: 'token'; token: string }
  | { type: 'oauth'; clientId: string; privateKeyPem: string; scopes: string[]; keyId?: string };

export type ConnectionSettings = {
  /** Share of each rate-limit bucket this connection may use (default 0.5). */
  budgetShare: number;
};

/** A row of `connections`, decoded. Holds no secret. */
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
