// PLACEHOLDER (being written): the Entra ID connector over Microsoft Graph.
import type { ConnectionTestResult } from '../../../../shared/domain.js';
import type { EntraCredential } from '../types.js';

export type EntraConnectorOptions = {
  /** Graph endpoint, e.g. https://graph.microsoft.com (the sandbox: https://127.0.0.1:P). */
  graphUrl: string;
  /** Microsoft identity platform host, e.g. https://login.microsoftonline.com. */
  authorityHost: string;
  tenantId: string;
  clientId: string;
  credential: EntraCredential;
  /** Extra CA certificate(s) to trust for both hosts. */
  caPem?: string;
  /** Share of Graph's throttling budget this connection may use. */
  budgetShare?: number;
  concurrency?: number;
  signal?: AbortSignal;
};

export type EntraConnector = {
  testConnection: () => Promise<ConnectionTestResult>;
};

export function createEntraConnector(_options: EntraConnectorOptions): EntraConnector {
  throw new Error('the Entra connector is not built yet');
}
