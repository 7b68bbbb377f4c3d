// Operator sign-in end to end in real Chromium: the built console served by
// `latchkey serve`, an Okta and a Jira connection to the sandbox (added with
// the CLI, credentials in the private keychain). The operator signs in
// through the sandbox Okta's sign-in page (authorization code + PKCE, the
// loopback redirect to the engine), approves a request, and the request's
// timeline, its audit event and its Jira comment name that operator and the
// channel. Then sign-in is required: after signing out, a write is refused
// while reading still works.
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorStatus } from '../../shared/contract-operator.js';
import type { AuditEvent } from '../../shared/domain.js';
import type { RequestDetail, RequestRow } from '../../shared/governance.js';
import type { OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge as call, openConsole, serveConsole as serve, syncInConsole, type Served } from '../helpers/serve-console.js';
import { adfText, latchkey } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
/** What the flow looked like, for a person to look at (not compared). */
const shot = (p: Page, name: string): Promise<Buffer> => p.screenshot({ path: path.join(repo, 'test-results', name) });
const OKTA = 'Acme Okta';
const JIRA = 'Acme Jira';

const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;

describe.runIf(inPrivateKeychain)('operator sign-in through the sandbox Okta, in Chromium', () => {
  const dir = tempDir('latchkey-e2e-signin-');
  const dbPath = path.join(dir, 'signin.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let operator: OrgUser;
  let requester: OrgUser;
  let beneficiary: OrgUser;

  beforeAll(async () => {
    s = await startSandbox({ users: 200, seed: 31, port: 0, rateLimits: 'off', graph: false });
    const jira = s.jira;
    if (!jira) throw new Error('the sandbox was started without Jira');
    const active = s.org.users.filter((u) => u.status === 'ACTIVE' && !u.deleted && u.employmentType === 'Employee' && s.org.users.filter((o) => fullName(o) === fullName(u)).length === 1);
    const [a, b, c] = active;
    if (!a || !b || !c) throw new Error('too few active employees');
    [operator, requester, beneficiary] = [a, b, c];
    latchkey(dbPath, ['connection', 'add', 'okta', '--name', OKTA, '--org-url', s.okta.url, '--token-env', 'E2E_OKTA_TOKEN'], { E2E_OKTA_TOKEN: s.okta.token });
    latchkey(
      dbPath,
      ['connection', 'add', JIRA, '--kind', 'jira', '--site', jira.url, '--email', jira.email, '--token-env', 'E2E_JIRA_TOKEN', '--project', jira.projectKey, '--service-desk', jira.serviceDeskId, '--request-type', jira.requestTypeId],
      { E2E_JIRA_TOKEN: jira.apiToken },
    );
    server = await serve(dbPath, []);
    browser = await launchChromium();
    ({ page } = await openPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await s?.close();
  });

  it('signs in through the sandbox Okta page, approves, and the timeline, audit event and Jira comment name the operator and the channel; with sign-in required, a write without a session is refused', async () => {
    // A synced snapshot, a role whose one approver is the operator, and a request filed by someone else.
    await syncInConsole(server, 1);
    const app = await call<{ id: number }>(server, 'catalog:saveApp', { name: 'Runbook Wiki', owner: operator.email });
    const role = await call<{ id: number }>(server, 'catalog:saveRole', {
      appId: app.id,
      name: 'Editor',
      risk: 'medium',
      policy: { autoApprove: false, steps: [{ kind: 'named', approvers: [operator.email] }], requireEndDateFor: [], pendingTimeoutHours: 168, onTimeout: 'expire', escalateTo: [] },
    });
    const group = s.org.groups.find((g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.ad === null && !g.deleted && g.kind !== 'everyone');
    if (!group) throw new Error('no hand-managed Okta group');
    await call(server, 'catalog:map', { roleId: role.id, connectionId: 1, groupId: group.id });
    const asRequester = { 'X-Latchkey-Acting-As': requester.email };
    const filed = await call<RequestRow>(server, 'requests:create', { beneficiary: { email: beneficiary.email }, role: 'Runbook Wiki / Editor', duration: '24h', justification: 'Writing the on-call runbook (e2e sign-in)' }, asRequester);

    // Sign-in settings, on the Connections page: the sandbox Okta and its OIDC app.
    await openConsole(page, server, '#/connections');
    const form = page.getByRole('form', { name: 'Sign-in settings' });
    await form.getByRole('combobox', { name: 'Sign in through' }).selectOption({ label: `${OKTA} (Okta)` });
    await form.getByRole('textbox', { name: /Client id of the OIDC app/ }).fill(s.okta.signIn.clientId);
    await form.getByRole('button', { name: 'Save sign-in settings' }).click();
    await expect.poll(async () => (await call<OperatorStatus>(server, 'operator:status', {})).settings).toMatchObject({ connectionId: 1, clientId: s.okta.signIn.clientId, sessionHours: 8, required: false });

    // Sign in: the IdP's page opens in a new tab, the operator signs in there, the loopback redirect completes it.
    const [idp] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await idp.waitForLoadState();
    expect(idp.url().startsWith(`${s.okta.url}/oauth2/v1/authorize?`)).toBe(true);
    await idp.getByRole('textbox', { name: 'Username' }).fill(operator.login);
    await shot(idp, 'e2e-sign-in-idp.png');
    await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
    await idp.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    expect(await idp.locator('#result').textContent()).toContain(`Signed in to Latchkey as ${fullName(operator)}`);
    await idp.close();
    const session = page.getByTestId('operator-session');
    await expect.poll(() => session.textContent(), { timeout: 15_000 }).toContain(fullName(operator));
    expect(await session.textContent()).toMatch(/until /);
    await shot(page, 'e2e-sign-in-signed-in.png');
    // Signed in, the sandbox's "Acting as" is gone from the top bar.
    expect(await page.getByRole('button', { name: /^Acting as / }).count()).toBe(0);

    // Approve the request as the signed-in operator.
    await page.goto(`${server.origin}/#/requests/${filed.id}`);
    const approve = page.getByRole('button', { name: 'Approve', exact: true });
    await expect.poll(() => approve.isDisabled(), { timeout: 10_000 }).toBe(false);
    await page.getByRole('textbox', { name: 'Comment' }).fill('OK for the runbook');
    await approve.click();
    const email = operator.email.toLowerCase();
    await expect.poll(async () => (await call<RequestDetail>(server, 'requests:get', { id: filed.id })).status, { timeout: 15_000 }).toBe('approved');
    const detail = await call<RequestDetail>(server, 'requests:get', { id: filed.id });
    expect(detail.approvals[0]).toMatchObject({ decidedBy: email, channel: 'console', recorded: null });
    // The timeline (as the page shows it) names the operator and the channel.
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect.poll(() => timeline.textContent(), { timeout: 10_000 }).toMatch(new RegExp(`Approved by ${email.replace(/[.+]/g, '\\$&')} via console`));
    // The audit event: actor the operator, channel console.
    const { events } = await call<{ events: AuditEvent[] }>(server, 'audit:recent', { limit: 50 });
    const approved = events.find((e) => e.action === 'request.approved' && e.targetId === String(filed.id));
    expect(approved).toMatchObject({ actor: email, channel: 'console', details: { by: email, channel: 'console' } });
    expect(events.find((e) => e.action === 'operator.signed-in')).toMatchObject({ actor: email, channel: 'console' });
    // The Jira comment names them and the channel.
    const jira = s.jiraServer;
    if (!jira) throw new Error('no Jira server');
    await expect.poll(async () => (await call<RequestDetail>(server, 'requests:get', { id: filed.id })).jira?.key ?? null, { timeout: 30_000 }).not.toBeNull();
    const key = (await call<RequestDetail>(server, 'requests:get', { id: filed.id })).jira?.key ?? '';
    await expect
      .poll(() => jira.state.comments(key).map((c) => adfText(c.body)).find((c) => c.startsWith('Approved')) ?? '', { timeout: 30_000 })
      .toContain(`by ${email} via console`);
    await shot(page, 'e2e-sign-in-approved.png');

    // Require sign-in, then sign out: reading works, writing is refused until someone signs in.
    await page.goto(`${server.origin}/#/connections`);
    await page.getByRole('form', { name: 'Sign-in settings' }).getByRole('checkbox', { name: /Require sign-in/ }).check();
    await page.getByRole('form', { name: 'Sign-in settings' }).getByRole('button', { name: 'Save sign-in settings' }).click();
    await expect.poll(async () => (await call<OperatorStatus>(server, 'operator:status', {})).settings.required).toBe(true);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    expect(await page.getByText('Sign-in required').count()).toBe(1);
    await shot(page, 'e2e-sign-in-required.png');
    await expect(call(server, 'requests:create', { beneficiary: { email: requester.email }, role: 'Runbook Wiki / Editor', duration: '24h', justification: 'x' }, asRequester)).rejects.toThrow(
      /requires operators to sign in through the IdP before making changes: "requests:create" was refused/,
    );
    await expect(call(server, 'settings:set', { expiryNoticeHours: 12 })).rejects.toThrow(/requires operators to sign in/);
    expect((await call<RequestDetail>(server, 'requests:get', { id: filed.id })).status).toBe('approved');
  });
});
