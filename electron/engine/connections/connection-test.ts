// Testing a connection: one call to the IdP or Jira with the stored (or a
// new) credential, its result remembered on the connection. Apart from the
// connection records so that readers of them (the evidence sheets in their
// worker, the CLI's listings) do not load the three vendor SDKs.
import type { ConnectionTestResult } from '../../../shared/domain.js';
import { createEntraConnector } from '../connectors/entra/entra-connector.js';
import { createJiraClient } from '../connectors/jira/jira-client.js';
import { testJiraConnection } from '../connectors/jira/jira-connector.js';
import { createOktaConnector } from '../connectors/okta/okta-connector.js';
import { isEntraCredential, isJiraCredential, isOktaCredential, type Credential } from '../connectors/types.js';
import { UserError, type EngineContext } from '../context.js';
import { entraOptions, getConnectionRecord, loadCredential, rememberTestResult } from './connections.js';

/** Calls the IdP with the stored credential: org name and what the credential can do, or the exact error. */
export async function testConnection(ctx: EngineContext, connectionId: number, credential?: Credential): Promise<ConnectionTestResult> {
  const c = getConnectionRecord(ctx.db, connectionId);
  const cred = credential ?? (await loadCredential(ctx, c));
  let result: ConnectionTestResult;
  if (c.kind === 'jira') {
    if (!isJiraCredential(cred)) throw new UserError(`"${c.name}" is a Jira connection: it needs an e-mail and API token`, 'bad-input');
    const target = { projectKey: c.settings.jira?.projectKey ?? '', serviceDeskId: c.settings.jira?.serviceDeskId ?? null, requestTypeId: c.settings.jira?.requestTypeId ?? null, statuses: c.settings.jira?.statuses };
    // The request type's name comes along (what the JSM import matches in JQL).
    result = await testJiraConnection(createJiraClient({ siteUrl: c.baseUrl, email: cred.email, apiToken: cred.apiToken, maxWaitMs: 5_000 }), target);
  } else if (c.kind === 'entra') {
    if (!isEntraCredential(cred)) throw new UserError(`"${c.name}" is an Entra connection: it needs a client secret or certificate`, 'bad-input');
    result = await createEntraConnector(entraOptions(c, cred)).testConnection();
  } else {
    if (!isOktaCredential(cred)) throw new UserError(`"${c.name}" is an Okta connection: it needs an API token or OAuth key`, 'bad-input');
    result = await createOktaConnector({ orgUrl: c.baseUrl, credential: cred, budgetShare: c.settings.budgetShare }).testConnection();
  }
  rememberTestResult(ctx, c.id, result);
  return result;
}
