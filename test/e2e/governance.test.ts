// End to end, as an admin would, the heart of the product: map a catalog role
// to an Okta group, request it for someone, approve it, see the membership in
// the sandbox Okta and the evidence in the sandbox Jira, let it expire with
// the sandbox clock, and see the membership removed and the issue closed.
// The built console is served by `latchkey serve` (the local bridge, with its
// job scheduler) and driven in real Chromium; the connections were added with
// the CLI, credentials in the real (private) keychain. LATCHKEY_TEST_CLOCK=1
// makes the served workspace a sandbox one (every connection is loopback), so
// "Skip ahead" on Needs attention can move its clock.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRunSummary } from '../../shared/domain.js';
import type { GovernanceCounts, RequestableRole } from '../../shared/contract-requests.js';
import type { RequestDetail, RequestRow } from '../../shared/governance.js';
import { CATALOG_IMPORT_COLUMNS, REQUEST_IMPORT_COLUMNS, templateCsv } from '../../shared/import-columns.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { expectGridsFit } from '../helpers/grid-fit.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge as call, openConsole, serveConsole as serve, type Served } from '../helpers/serve-console.js';
import { adfText, latchkey } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');

const APP = 'Incident Console';
const ROLE = 'Responder';
const ROLE_LABEL = `${APP} / ${ROLE}`;
const OKTA = 'Acme Okta';
const JIRA = 'Acme Jira';

const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;
/** An absolute local time with its zone, as every relative time shows on hover ("Jun 1, 2026, 14:00:05 GMT+2"). */
const WITH_ZONE = /\d{4}.*\d{1,2}:\d\d:\d\d.*(UTC|GMT|[A-Z]{3,5})/;

/**
 * Screenshots show the page, not the notifications stacked over it. `tall`: the
 * console scrolls inside its main pane, not the document, so a long page is
 * taken with a taller window instead of fullPage.
 */
async function screenshot(page: Page, name: string, tall?: number): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect.poll(() => page.getByRole('button', { name: 'Dismiss notification' }).count()).toBe(0);
  const size = page.viewportSize();
  if (tall && size) await page.setViewportSize({ width: size.width, height: tall });
  await page.screenshot({ path: path.join(shots, name) });
  if (tall && size) await page.setViewportSize(size);
}

describe.runIf(inPrivateKeychain)('request → approval → Okta membership → Jira evidence → expiry, in Chromium', () => {
  const dir = tempDir('latchkey-e2e-governance-');
  const dbPath = path.join(dir, 'governance.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  // Three people of the sandbox org and a hand-managed Okta group the beneficiary is not in.
  let requester: OrgUser;
  let approver: OrgUser;
  let beneficiary: OrgUser;
  /** Someone else, for a request made after the clock moved. */
  let later: OrgUser;
  let group: OrgGroup;

  beforeAll(async () => {
    s = await startSandbox({ users: 300, seed: 23, port: 0, rateLimits: 'off', graph: false });
    const jira = s.jira;
    if (!jira) throw new Error('the sandbox was started without Jira');

    const active = s.org.users.filter((u) => u.status === 'ACTIVE' && !u.deleted && u.employmentType === 'Employee');
    const unique = (u: OrgUser): boolean => s.org.users.filter((o) => fullName(o) === fullName(u)).length === 1;
    const direct = s.org.groups.filter(
      (g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.ad === null && !g.deleted && g.kind !== 'everyone' && s.org.groups.filter((o) => o.name === g.name).length === 1,
    );
    const picked = direct.find((g) => s.org.memberships.members(g.index).length >= 2);
    if (!picked) throw new Error('the sandbox org has no hand-managed Okta group');
    group = picked;
    const outside = active.filter((u) => unique(u) && !s.org.memberships.has(group.index, u.index));
    const [a, b, c, d] = outside;
    if (!a || !b || !c || !d) throw new Error('the sandbox org has too few active employees outside the group');
    [requester, approver, beneficiary, later] = [a, b, c, d];

    // Both connections with the CLI, before serving (serve checks they are all loopback for the test clock).
    latchkey(dbPath, ['connection', 'add', 'okta', '--name', OKTA, '--org-url', s.okta.url, '--token-env', 'E2E_OKTA_TOKEN'], { E2E_OKTA_TOKEN: s.okta.token });
    latchkey(
      dbPath,
      ['connection', 'add', JIRA, '--kind', 'jira', '--site', jira.url, '--email', jira.email, '--token-env', 'E2E_JIRA_TOKEN', '--project', jira.projectKey, '--service-desk', jira.serviceDeskId, '--request-type', jira.requestTypeId],
      { E2E_JIRA_TOKEN: jira.apiToken },
    );
    server = await serve(dbPath, [], { LATCHKEY_TEST_CLOCK: '1' });
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await s?.close();
  });

  const isMember = (): boolean => {
    const gi = s.oktaState.groupIndex(group.id);
    const ui = s.oktaState.userIndex(beneficiary.id);
    if (gi === undefined || ui === undefined) throw new Error('the sandbox lost the group or the user');
    return s.org.memberships.has(gi, ui);
  };
  const detail = (id: number): Promise<RequestDetail> => call<RequestDetail>(server, 'requests:get', { id });

  /** "Acting as" in the top bar: who uses the console now. */
  async function actAs(u: OrgUser): Promise<void> {
    await page.getByRole('button', { name: /^Acting as / }).click();
    const dialog = page.getByRole('dialog', { name: 'Who is using this console?' });
    await dialog.getByRole('combobox', { name: 'Find yourself' }).fill(u.email);
    await dialog.getByRole('option', { name: new RegExp(u.email.replace(/[.+]/g, '\\$&'), 'i') }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('button', { name: `Acting as ${fullName(u)}: change` }).count()).toBe(1);
  }

  it('maps a role, requests it, approves it, provisions it in Okta with Jira evidence, and lets it expire', async () => {
    await openConsole(page, server);
    await expect.poll(() => page.url()).not.toContain('token=');

    // One Okta sync, from its card.
    await page.getByRole('link', { name: 'Connections' }).click();
    const card = page.getByRole('region', { name: OKTA });
    await card.getByRole('button', { name: 'Sync now', exact: true }).click();
    await expect
      .poll(async () => (await call<SyncRunSummary[]>(server, 'sync:runs', { limit: 5 })).find((r) => r.connectionName === OKTA)?.status, { timeout: 30_000 })
      .toBe('succeeded');
    // A sync counts its calls to the IdP's API as such, never "requests" beside the request queue.
    await expect.poll(() => card.getByText(/^\d[\d,]* API calls$/).count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByRole('grid', { name: 'Sync history' }).getByRole('columnheader', { name: 'API calls' }).count()).toBe(1);
    // Jira is the request record, not an identity provider: the Changes page offers no Jira filter.
    await page.getByRole('link', { name: 'Changes', exact: true }).click();
    await page.getByRole('heading', { name: 'Changes', level: 1 }).waitFor();
    expect(await page.locator('option', { hasText: JIRA }).count()).toBe(0);

    // Catalog: a new app with one role.
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('button', { name: 'New app' }).click();
    const appForm = page.getByRole('form', { name: 'New app' });
    await appForm.getByRole('textbox', { name: 'App name' }).fill(APP);
    // The engine refuses a bad owner: the message sits at the field and goes as soon as the field changes.
    const ownerBox = appForm.getByRole('textbox', { name: 'Owner e-mail' });
    await ownerBox.fill('not-an-address');
    await appForm.getByRole('button', { name: 'Add app' }).click();
    await expect.poll(() => ownerBox.getAttribute('aria-invalid')).toBe('true');
    expect(await appForm.locator('.field-error').count()).toBe(1);
    await ownerBox.fill(approver.email);
    expect(await ownerBox.getAttribute('aria-invalid')).toBeNull();
    expect(await appForm.locator('.field-error').count()).toBe(0);
    await appForm.getByRole('button', { name: 'Add app' }).click();
    await page.getByRole('button', { name: `Add a role to ${APP}` }).click();
    const roleForm = page.getByRole('form', { name: `New role in ${APP}` });
    await roleForm.getByRole('textbox', { name: 'Role name' }).fill(ROLE);
    await roleForm.getByRole('radiogroup', { name: 'Risk' }).getByText('Medium').click();
    await roleForm.getByRole('button', { name: 'Add role' }).click();

    // The role's page: one named approver, 1 hour only.
    await page.getByRole('heading', { name: ROLE_LABEL }).waitFor();
    const settings = page.getByRole('form', { name: 'Role settings' });
    await settings.getByRole('combobox', { name: 'Approval step 1' }).selectOption('named');
    await settings.getByRole('textbox', { name: 'Approvers of step 1 (e-mails)' }).fill(approver.email);
    const durations = settings.getByRole('group', { name: 'Allowed durations' });
    await durations.getByRole('checkbox', { name: '1 hour' }).check();
    for (const d of ['Permanent', '6 hours', '24 hours', '7 days', '30 days', 'Custom length']) await durations.getByRole('checkbox', { name: d }).uncheck();
    await settings.getByRole('combobox', { name: 'Default duration' }).selectOption('1h');
    await settings.getByRole('button', { name: 'Save role' }).click();
    await expect
      .poll(async () => {
        const roles = await call<RequestableRole[]>(server, 'requests:requestableRoles', {});
        const r = roles.find((x) => x.appName === APP && x.name === ROLE);
        return r ? { durations: r.durations, steps: r.steps.map((x) => ({ kind: x.kind, approvers: x.approvers })) } : null;
      })
      .toEqual({ durations: ['1h'], steps: [{ kind: 'named', approvers: [approver.email.toLowerCase()] }] });

    // The mapper: the role selected, the group found and mapped with its button.
    await page.getByRole('link', { name: 'Map a group…' }).click();
    await expect.poll(() => page.getByRole('button', { name: `Select ${ROLE_LABEL} as the role to map groups to` }).getAttribute('aria-pressed')).toBe('true');
    await page.getByRole('searchbox', { name: 'Search IdP groups' }).fill(group.name);
    await page.getByRole('button', { name: `Map ${group.name} to ${ROLE_LABEL}` }).click();
    await expect.poll(() => page.getByRole('list', { name: `Roles of ${APP}` }).getByText('1 group').isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => page.getByRole('button', { name: `Map ${group.name} to ${ROLE_LABEL}` }).textContent()).toBe('Mapped');
    await screenshot(page, 'e2e-catalog.png');
    // A hand-managed group: nothing flagged on the role.
    await page.getByRole('link', { name: `Open ${ROLE_LABEL}` }).click();
    const mappings = page.getByRole('region', { name: 'Mapped groups' });
    await mappings.getByText(group.name, { exact: true }).waitFor();
    expect(await mappings.getByRole('button', { name: `Unmap ${group.name} from ${ROLE_LABEL}` }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^Problem: / }).count()).toBe(0);

    // A request on someone else's behalf, filed by the requester.
    await actAs(requester);
    await page.getByRole('link', { name: 'Requests' }).click();
    await page.getByRole('button', { name: 'New request' }).click();
    // Submitted empty: each missing answer is named at its field, and each message goes once its cause is fixed.
    const form = page.getByRole('region', { name: 'New request' });
    const pickPerson = form.getByText('Pick the person the access is for.');
    const pickRole = form.getByText('Pick a role.');
    const sayWhy = form.getByText('Say why the access is needed.');
    await form.getByRole('button', { name: 'Submit request' }).click();
    await expect.poll(async () => [await pickPerson.count(), await pickRole.count(), await sayWhy.count()]).toEqual([1, 1, 1]);
    expect(await form.getByRole('combobox', { name: 'Beneficiary' }).getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'e2e-request-form-errors.png');
    await page.getByRole('combobox', { name: 'Beneficiary' }).fill(beneficiary.email);
    await page.getByRole('option', { name: new RegExp(beneficiary.email.replace(/[.+]/g, '\\$&'), 'i') }).first().click();
    await page.getByRole('button', { name: `Change beneficiary (now ${fullName(beneficiary)})` }).waitFor();
    expect([await pickPerson.count(), await pickRole.count(), await sayWhy.count()]).toEqual([0, 1, 1]);
    const roleSelect = page.getByRole('combobox', { name: 'Role' });
    const option = (await roleSelect.locator('option').allTextContents()).find((t) => t.includes(ROLE));
    if (!option) throw new Error(`"${ROLE}" is not among the requestable roles`);
    await roleSelect.selectOption({ label: option });
    expect([await pickRole.count(), await sayWhy.count()]).toEqual([0, 1]);
    await page.getByRole('combobox', { name: 'Duration' }).selectOption('1h');
    const why = `On call this week for ${APP} (e2e ${Date.now()})`;
    await page.getByRole('textbox', { name: 'Justification' }).fill(why);
    expect(await sayWhy.count()).toBe(0);
    expect(await form.locator('.field-error, .inline-error').count()).toBe(0);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await expect.poll(() => /#\/requests\/(\d+)$/.exec(page.url())?.[1] ?? null).not.toBeNull();
    const id = Number(/#\/requests\/(\d+)$/.exec(page.url())?.[1]);
    await page.getByRole('heading', { name: new RegExp(`#${id}\\s+${ROLE_LABEL}`) }).waitFor();

    // The requester is not an approver: the decision is refused, with why.
    const approve = page.getByRole('button', { name: 'Approve', exact: true });
    expect(await approve.isDisabled()).toBe(true);
    const whyNot = page.getByText(/is not an approver of this step/);
    expect((await whyNot.textContent())?.toLowerCase()).toBe(`${requester.email.toLowerCase()} is not an approver of this step.`);

    // The approver decides, with a comment.
    await actAs(approver);
    await expect.poll(() => approve.isDisabled()).toBe(false);
    const comment = `Approved for the on-call week (e2e ${id})`;
    await page.getByRole('textbox', { name: 'Comment' }).fill(comment);
    expect(isMember()).toBe(false);
    await approve.click();
    const access = page.getByRole('region', { name: 'Access' });
    // Provisioning is a job the scheduler runs: the detail follows it live (no reload). Today it
    // starts at the scheduler's next tick (up to 30 s after the approval), see the report.
    await expect.poll(() => access.getByText('Active', { exact: true }).isVisible(), { timeout: 45_000 }).toBe(true);
    expect(isMember()).toBe(true);
    const approvedDetail = await detail(id);
    expect(approvedDetail.status).toBe('approved');
    expect(approvedDetail.approvals[0]).toMatchObject({ status: 'approved', channel: 'console', comment });
    const [grant] = approvedDetail.grants;
    expect(grant).toMatchObject({ status: 'active', groupName: group.name });
    expect(grant?.expiresAt).not.toBeNull();

    // Jira: the request's issue, the approval and the provisioning written back, the issue in progress.
    const jira = s.jiraServer;
    if (!jira) throw new Error('no Jira server');
    const issueKey = async (): Promise<string | null> => (await detail(id)).jira?.key ?? null;
    await expect.poll(issueKey, { timeout: 20_000 }).not.toBeNull();
    const key = (await issueKey()) ?? '';
    const comments = (): string[] => jira.state.comments(key).map((c) => adfText(c.body));
    await expect.poll(() => comments().some((c) => c.includes('Access provisioned')), { timeout: 20_000 }).toBe(true);
    const approval = comments().find((c) => c.startsWith('Approved'));
    expect(approval).toContain(`by ${approver.email.toLowerCase()}`);
    expect(approval).toContain(comment);
    expect(comments().find((c) => c.includes('Access provisioned'))).toContain(group.name);
    expect(jira.state.issue(key)?.status).toBe('inProgress');
    await expect
      .poll(() => page.getByRole('region', { name: 'About this request' }).getByRole('link', { name: key }).count(), { timeout: 10_000 })
      .toBe(1);

    // The Jira record in the console: each update as Latchkey wrote it, when, and the status it set.
    const record = page.getByRole('region', { name: `Jira record · ${key}` });
    const updates = record.getByRole('list', { name: 'Updates written to Jira' });
    await expect.poll(() => updates.getByRole('listitem').filter({ hasText: 'Access provisioned' }).filter({ hasText: 'Written' }).count(), { timeout: 20_000 }).toBe(1);
    const approvedItem = updates.getByRole('listitem').filter({ hasText: comment });
    expect(await approvedItem.count()).toBe(1);
    expect(await approvedItem.textContent()).toMatch(/^Written\s*Approved→ In progress\s*written /);
    expect(await record.locator('.req-jira-status').textContent()).toContain('In progress');
    // Its link opens the issue; in the sandbox, a read-only page of it that needs no token.
    const [issuePage] = await Promise.all([page.context().waitForEvent('page'), record.getByRole('link', { name: `Open ${key} in Jira` }).click()]);
    await issuePage.waitForLoadState();
    expect(issuePage.url()).toBe(`${s.jira?.url ?? '?'}/browse/${key}`);
    await issuePage.getByRole('heading', { name: new RegExp(`Access request #${id}:`) }).waitFor();
    const issueText = (await issuePage.textContent('body')) ?? '';
    expect(issueText).toContain('Jira sandbox');
    expect(issueText).toContain(comment);
    expect(issueText).toContain('Access provisioned');
    expect(await issuePage.getByLabel('Status').textContent()).toBe('In progress');
    expect(await issuePage.content()).not.toContain(s.jira?.apiToken ?? '?');
    await issuePage.setViewportSize({ width: 1280, height: 900 });
    await issuePage.screenshot({ path: path.join(shots, 'e2e-jira-sandbox-issue.png') });
    await issuePage.close();

    // Its jobs read as outcomes: "succeeded on attempt 1", never "1/8 attempts" (which reads as 7 to go).
    const jobs = page.getByRole('region', { name: 'Jobs' });
    await expect.poll(() => jobs.getByText(/succeeded on attempt 1/).count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    expect(await jobs.getByText(/\d+\/\d+ attempts/).count()).toBe(0);

    // The dashboard's governance cards count what the engine counts; each opens its list, filtered.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const counts = await call<GovernanceCounts>(server, 'requests:governanceCounts', {});
    expect(counts).toMatchObject({ pendingApprovals: 0, activeTimeBound: 1, expiringSoon: 1, expiringWithinHours: 24, failedJobs: 0, manualTasks: 0, openDrift: 0 });
    const cards = page.getByRole('region', { name: 'Governance' });
    await cards.getByRole('link', { name: 'Time-bound access: 1' }).waitFor({ timeout: 10_000 });
    const hrefs = Object.fromEntries(
      await Promise.all(
        ['Pending approvals: 0', 'Time-bound access: 1', 'Expiring in 24 h: 1', 'Failed jobs: 0', 'Manual tasks: 0', 'Open drift: 0'].map(
          async (name) => [name, await cards.getByRole('link', { name }).getAttribute('href')] as const,
        ),
      ),
    );
    expect(hrefs).toEqual({
      'Pending approvals: 0': '#/requests/open',
      'Time-bound access: 1': '#/access',
      'Expiring in 24 h: 1': '#/access/expiring?within=24',
      'Failed jobs: 0': '#/attention/failed',
      'Manual tasks: 0': '#/attention/tasks',
      'Open drift: 0': '#/attention/drift',
    });
    // Jira is not counted as an identity provider, and shows as the request record.
    expect(await page.getByRole('button', { name: /^Users: / }).textContent()).toContain('1 identity provider');
    expect(await page.getByRole('region', { name: 'Connections' }).getByText('System of record for requests').count()).toBe(1);
    await expectGridsFit(page, {
      ready: () => page.getByRole('grid', { name: 'Recent sync runs' }).getByRole('row').nth(1).waitFor(),
      shot: { dir: shots, name: 'e2e-dashboard-governance' },
    });
    // "Expiring in 24 h" lands on the access ledger, filtered to that window: the grant, its end ahead.
    await cards.getByRole('link', { name: 'Expiring in 24 h: 1' }).click();
    await expect.poll(() => page.url()).toContain('#/access/expiring?within=24');
    const ledger = page.getByRole('grid', { name: 'Access: Expiring within 24 h' });
    const grantRow = ledger.getByRole('row').filter({ hasText: fullName(beneficiary) });
    await expect.poll(() => grantRow.count(), { timeout: 10_000 }).toBe(1);
    const ends = grantRow.getByRole('gridcell').nth(5).locator('time');
    expect(await ends.textContent()).toMatch(/^in \d+ min$/);
    expect(await ends.getAttribute('title')).toMatch(WITH_ZONE);
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-access' } });
    await page.goBack();
    await page.goBack();
    await page.getByRole('heading', { name: new RegExp(`#${id}\\s+${ROLE_LABEL}`) }).waitFor();

    // Needs attention lists the access as expiring soon; "Skip ahead" one hour lets it expire.
    await page.getByRole('link', { name: /^Needs attention/ }).click();
    const expiring = page.getByRole('region', { name: /^Expiring within/ });
    await expect.poll(() => expiring.getByText(ROLE_LABEL, { exact: false }).isVisible(), { timeout: 15_000 }).toBe(true);
    // The notice lead time is the workspace's setting: changed here, the section follows it.
    await expiring.getByRole('textbox', { name: 'Notice before expiry' }).fill('48');
    await expiring.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: /^Expiring within 48 h/ }).waitFor({ timeout: 15_000 });
    expect((await call<{ expiryNoticeHours: number }>(server, 'settings:get', {})).expiryNoticeHours).toBe(48);
    const clock = page.getByLabel('Sandbox clock');
    await clock.getByRole('combobox', { name: 'Minutes to skip' }).selectOption('60');
    await screenshot(page, 'e2e-attention.png');
    await clock.getByRole('button', { name: 'Skip ahead' }).click();
    await expect.poll(() => clock.getByText(/\(\+60 min\)/).isVisible(), { timeout: 15_000 }).toBe(true);

    // The grant expired: the membership is gone from Okta, Jira has the removal and the issue is Done.
    await page.goBack();
    await page.getByRole('heading', { name: new RegExp(`#${id}\\s+${ROLE_LABEL}`) }).waitFor();
    await expect.poll(() => access.getByText('Expired', { exact: true }).isVisible(), { timeout: 30_000 }).toBe(true);
    expect(isMember()).toBe(false);
    const ended = await detail(id);
    expect(ended.grants[0]).toMatchObject({ status: 'expired' });
    expect(ended.grants[0]?.endReason).toMatch(/^expired at /);
    // The write-back is its own job: today it waits for the scheduler's next tick (up to 30 s), see the report.
    await expect.poll(() => comments().some((c) => c.includes('Access removed') && c.includes(group.name) && c.includes('expired at')), { timeout: 40_000 }).toBe(true);
    await expect.poll(() => jira.state.issue(key)?.status, { timeout: 10_000 }).toBe('done');
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await expect.poll(() => timeline.getByText(`Expired: ${group.name} (${OKTA})`).count(), { timeout: 10_000 }).toBe(1);
    expect(await timeline.getByText(`Approved by ${approver.email.toLowerCase()} via console`, { exact: false }).count()).toBe(1);
    expect(await timeline.getByText(`Recorded in Jira issue ${key}`).count()).toBe(1);
    // One status: "Expired", never "Approved" beside it; the access says when it ended, with no "until" and no "Ends by —".
    const sub = page.locator('.req-detail .detail-sub');
    await expect.poll(() => sub.textContent(), { timeout: 10_000 }).toMatch(/^ExpiredMedium riskEnded .+ · expired$/);
    const facts = page.getByRole('region', { name: 'About this request' });
    expect(await facts.locator('dt').allTextContents()).toContain('Access ended');
    expect(await facts.textContent()).not.toMatch(/Ends by|until in/);
    await expect.poll(() => record.getByRole('listitem').filter({ hasText: 'Access expired' }).filter({ hasText: 'Written' }).count(), { timeout: 10_000 }).toBe(1);
    expect(await record.locator('.req-jira-status').textContent()).toContain('Done');
    await screenshot(page, 'e2e-request.png', 2400);

    // The list: the Expired filter finds it, Approved does not, and its row says when the access ended.
    await page.getByRole('link', { name: '← All requests' }).click();
    const grid = page.getByRole('grid', { name: 'Requests' });
    const chips = page.getByRole('group', { name: 'Status' });
    await chips.getByRole('button', { name: 'Expired' }).click();
    const row = grid.getByRole('row').filter({ hasText: `#${id}` });
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
    expect(await row.textContent()).toMatch(/Expired.*Ended \w+ \d+, \d/);
    expect(await row.textContent()).not.toMatch(/Approved|until/);
    await screenshot(page, 'e2e-requests-expired.png');
    await chips.getByRole('button', { name: 'Expired' }).click();
    await chips.getByRole('button', { name: 'Approved' }).click();
    // The grid shows the filter's own total (the engine's count for Approved) before the row is looked for.
    const approvedTotal = (await call<{ total: number }>(server, 'requests:list', { view: 'all', status: ['approved'], search: '', offset: 0, limit: 1 })).total;
    await expect.poll(() => page.getByRole('search', { name: 'Filter requests' }).locator('.toolbar-count').textContent(), { timeout: 10_000 }).toBe(`${approvedTotal} request${approvedTotal === 1 ? '' : 's'}`);
    expect(await row.count()).toBe(0);
    await chips.getByRole('button', { name: 'Approved' }).click();

    // The request import: columns and a template before any file; bad rows named by their spreadsheet row.
    await page.getByRole('button', { name: 'Import CSV…' }).click();
    const importPanel = page.getByRole('region', { name: 'Import requests from CSV' });
    const columns = importPanel.getByRole('table', { name: 'Expected columns' });
    expect(await columns.locator('tbody th code').allTextContents()).toEqual(REQUEST_IMPORT_COLUMNS.map((c) => c.name));
    expect(await columns.getByRole('row').filter({ hasText: 'duration' }).textContent()).toContain('Yes');
    const [download] = await Promise.all([page.waitForEvent('download'), importPanel.getByRole('button', { name: 'Download template (CSV)' }).click()]);
    expect(download.suggestedFilename()).toBe('latchkey-requests-template.csv');
    expect(fs.readFileSync(await download.path(), 'utf8')).toBe(templateCsv(REQUEST_IMPORT_COLUMNS));
    await importPanel.getByLabel('Import requests from a CSV file').setInputFiles({
      name: 'bad.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(`beneficiary,role,duration,justification\nghost@example.com,${ROLE_LABEL},1h,x\n,,,\n${beneficiary.email},${ROLE_LABEL},1y,x\n`),
    });
    const problems = importPanel.getByRole('alert');
    await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toMatch(/Nothing imported from bad\.csv: 2 bad rows \(row 1 is the header\)/);
    expect(await problems.getByRole('listitem').allTextContents()).toEqual([
      expect.stringMatching(/^row 2: /) as unknown,
      expect.stringMatching(/^row 4: duration "1y"/) as unknown,
    ]);
    await screenshot(page, 'e2e-import-requests.png', 1300);
    await importPanel.getByRole('button', { name: 'Close' }).click();

    // The catalog import: the same, from the catalog's columns.
    await page.getByRole('link', { name: 'Catalog' }).click();
    await page.getByRole('button', { name: 'Import…' }).click();
    const catalogImport = page.getByRole('region', { name: 'Import the catalog from CSV or XLSX' });
    expect(await catalogImport.getByRole('table', { name: 'Expected columns' }).locator('tbody th code').allTextContents()).toEqual(CATALOG_IMPORT_COLUMNS.map((c) => c.name));
    const [catalogTemplate] = await Promise.all([page.waitForEvent('download'), catalogImport.getByRole('button', { name: 'Download template (CSV)' }).click()]);
    expect(fs.readFileSync(await catalogTemplate.path(), 'utf8')).toBe(templateCsv(CATALOG_IMPORT_COLUMNS));
    await screenshot(page, 'e2e-import-catalog.png', 1300);
    await catalogImport.getByRole('button', { name: 'Close' }).click();

    // After Skip ahead every relative time counts from the engine's clock: a request made now reads
    // "just now" (the browser's clock, an hour behind, made it "in 60 min"); the expired request reads
    // "Expired", with when its access ended, never "until in …"; the first request was made about an hour ago.
    await actAs(requester);
    // "Acting as" is the browser session's: a call made outside the page names whom it acts as itself.
    const fresh = await call<RequestRow>(
      server,
      'requests:create',
      { beneficiary: { email: later.email }, role: ROLE_LABEL, duration: '1h', justification: `Made after the clock moved (e2e ${Date.now()})` },
      { 'X-Latchkey-Acting-As': requester.email },
    );
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByRole('navigation', { name: 'Request lists' }).getByRole('link', { name: /^All(?! open)/ }).click();
    const queue = page.getByRole('grid', { name: 'Requests' });
    const rowOf = (n: number) => queue.getByRole('row').filter({ has: page.getByText(`#${n}`, { exact: true }) });
    const created = rowOf(fresh.id).getByRole('gridcell').last().locator('time');
    await expect.poll(() => created.textContent(), { timeout: 10_000 }).toBe('just now');
    expect(await created.getAttribute('title')).toMatch(WITH_ZONE);
    const first = rowOf(id);
    expect(await first.textContent()).toMatch(/Expired.*Ended [A-Z][a-z]{2} \d+/);
    expect(await first.textContent()).not.toMatch(/until|\bin \d/);
    expect(await first.getByRole('gridcell').last().textContent()).toMatch(/^(1 h|\d+ min) ago$/);
    expect(await queue.textContent()).not.toMatch(/\bin \d+ (min|h)\b/);
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-requests' } });

    expect(consoleErrors).toEqual([]);
  });
});
