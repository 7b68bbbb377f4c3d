// A Jira connection through the engine: added with the e-mail and API token in
// the keychain only, tested against the sandbox (site, account, project,
// request type, permissions), removed with its keychain entry.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addConnectionInput, describeZodError } from '../../shared/contract.js';
import { addConnection, loadCredential } from '../../electron/engine/connections/connections.js';
import { testConnection } from '../../electron/engine/connections/connection-test.js';
import { removeConnection } from '../../electron/engine/governance/connection-removal.js';
import { connectionSummaries } from '../../electron/engine/sync/sync-runs.js';
import { workspaceId } from '../../electron/engine/context.js';
import { connectionAccount, memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { openWorkspace } from '../../electron/engine/workspace/workspace.js';
import { startJiraServer, type JiraServer } from '../../electron/sandbox/jira-server.js';
import { tempDir } from '../helpers/tmp.js';

const dir = tempDir('latchkey-jira-conn-');
let jira: JiraServer;
beforeAll(async () => {
  jira = await startJiraServer();
});
afterAll(async () => {
  await jira.close();
});

const input = (over: Record<string, unknown> = {}) =>
  addConnectionInput.parse({ kind: 'jira', name: 'Jira', siteUrl: `${jira.url}/jira/your-work`, email: jira.email, apiToken: jira.apiToken, projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10', ...over });

describe('Jira connection', () => {
  it('adds (credential in the keychain only), tests and removes', async () => {
    const f = path.join(dir, 'a.latchkey');
    const secrets = memorySecretStore();
    const ctx = openWorkspace({ dbPath: f, secrets, transport: 'cli', actor: 'tester' });
    const c = await addConnection(ctx, input());
    expect(c).toMatchObject({ kind: 'jira', baseUrl: jira.url, authType: 'token' });
    expect(connectionSummaries(ctx.db)[0]).toMatchObject({ kind: 'jira', jira: { projectKey: 'ACC', serviceDeskId: '1', requestTypeId: '10' } });
    expect(await loadCredential(ctx, c)).toEqual({ type: 'jira-token', email: jira.email, apiToken: jira.apiToken });

    const ok = await testConnection(ctx, c.id);
    expect(ok).toMatchObject({ ok: true, orgName: '127.0.0.1', orgUrl: jira.url, canRead: true, canWrite: true, error: null });
    expect(ok.details).toEqual([
      `signed in as Latchkey Bot <${jira.email}>`,
      'project ACC "Access requests" found',
      'workflow statuses of ACC: Waiting for approval (new), In progress (indeterminate), Done (done), Declined (done)',
      'every status mapping has a status: waiting=Waiting for approval, approved=In progress, done=Done, declined=Declined',
      'request type 10 "Access request" found in service desk 1: its portal requests are imported',
      'can create issues, comment and transition in ACC',
    ]);
    ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    const bytes = fs.readFileSync(f).toString('latin1');
    expect(bytes).not.toContain(jira.apiToken);
    expect(bytes).not.toContain(jira.email);

    await removeConnection(ctx, c.id);
    expect(connectionSummaries(ctx.db)).toEqual([]);
    expect(await secrets.get(connectionAccount(workspaceId(ctx.db), c.id))).toBeNull();
    ctx.db.close();
  });

  it('reports a missing project or request type and missing permissions; a bad token without echoing it', async () => {
    const secrets = memorySecretStore();
    const ctx = openWorkspace({ dbPath: path.join(dir, 'b.latchkey'), secrets, transport: 'cli', actor: 'tester' });
    const wrong = await addConnection(ctx, input({ name: 'Wrong', projectKey: 'NOPE', requestTypeId: '99' }));
    const r = await testConnection(ctx, wrong.id);
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/project NOPE not found/);
    expect(r.error).toMatch(/The request type with id 99 does not exist/);

    const viewer = jira.state.addUser({ email: 'viewer@example.com', permissions: ['BROWSE_PROJECTS'] });
    const limited = await addConnection(ctx, input({ name: 'Viewer', email: viewer.email, apiToken: viewer.apiToken }));
    const lr = await testConnection(ctx, limited.id);
    expect(lr).toMatchObject({ ok: true, canRead: true, canWrite: false });
    expect(lr.details).toContain('missing permission in ACC: CREATE_ISSUES (create issues), ADD_COMMENTS (add comments), TRANSITION_ISSUES (transition issues)');

    const badToken = 'ATATTwrong-token-that-is-long-enough-1234';
    const bad = await addConnection(ctx, input({ name: 'Bad', apiToken: badToken }));
    const br = await testConnection(ctx, bad.id);
    expect(br).toMatchObject({ ok: false, canRead: false });
    expect(br.error).toMatch(/HTTP 401/);
    expect(JSON.stringify(br)).not.toContain(badToken);
    ctx.db.close();
  });

  it('names the bad field of an add', () => {
    const r = addConnectionInput.safeParse({ kind: 'jira', name: 'J', siteUrl: 'not a url', email: 'nope', apiToken: '', projectKey: 'ACC' });
    expect(r.success).toBe(false);
    if (!r.success) expect(describeZodError(r.error)).toMatch(/siteUrl: not a URL.*email: not an e-mail address.*apiToken: the API token is empty/);
  });
});
