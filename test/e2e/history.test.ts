// End to end, as an admin would: snapshot history, people across IdPs and a
// copied snapshot opened read-only. The built console is served by `latchkey
// serve` (the local bridge) and driven in real Chromium against the sandbox
// tenant over real HTTP; changes are made "in Okta" through the sandbox's
// mutations between syncs, and the test checks the console shows them.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncRunSummary } from '../../shared/domain.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { WRITE_CHANNELS } from '../../electron/engine/api.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { expectGridsFit } from '../helpers/grid-fit.js';
import { callBridge as call, openConsole, serveConsole as serve, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');
const READ_ONLY_REASON = 'Read-only snapshot: opened without credentials; nothing can be changed or synced';

/** Buttons as the browser's accessibility tree has them: name, description, disabled. */
async function axButtons(page: Page): Promise<{ name: string; description: string; disabled: boolean }[]> {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    return nodes
      .filter((n) => !n.ignored && n.role?.value === 'button')
      .map((n) => ({
        name: String(n.name?.value ?? ''),
        description: String(n.description?.value ?? ''),
        disabled: (n.properties ?? []).some((p) => p.name === 'disabled' && p.value.value === true),
      }));
  } finally {
    await cdp.detach();
  }
}

const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;

/** Screenshots show the page, not the sync notifications stacked over it. */
async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await expect.poll(() => page.getByRole('button', { name: 'Dismiss notification' }).count()).toBe(0);
  await page.screenshot({ path: path.join(shots, name) });
}

describe.runIf(inPrivateKeychain)('history, people and read-only snapshots in Chromium through the local bridge', () => {
  const dir = tempDir('latchkey-e2e-history-');
  const dbPath = path.join(dir, 'history.latchkey');
  let sandbox: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ users: 300, seed: 11, port: 0, rateLimits: 'off' });
    server = await serve(dbPath);
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await sandbox?.close();
  });

  const runs = (): Promise<SyncRunSummary[]> => call<SyncRunSummary[]>(server, 'sync:runs', { limit: 50 });

  /** Presses a sync button on the card and waits until the connection has `n` succeeded runs. */
  async function syncAndWait(card: ReturnType<Page['getByRole']>, connectionName: string, n: number, button = 'Sync now'): Promise<SyncRunSummary> {
    await card.getByRole('button', { name: button, exact: true }).click();
    await expect
      .poll(async () => (await runs()).filter((r) => r.connectionName === connectionName && r.status !== 'running').length, { timeout: 90_000 })
      .toBe(n);
    const done = (await runs()).filter((r) => r.connectionName === connectionName);
    const newest = done[0];
    if (!newest) throw new Error('no run');
    expect(newest.error).toBeNull();
    expect(newest.status).toBe('succeeded');
    return newest;
  }

  let runIds: { first: number; second: number; third: number } = { first: 0, second: 0, third: 0 };
  let moved: { member: OrgUser; group: OrgGroup; suspended: OrgUser; retitled: OrgUser } | null = null;

  it('records what changed between syncs, filters it by kind, and compares two runs', async () => {
    await openConsole(page, server);
    await expect.poll(() => page.url()).not.toContain('token=');

    // An Okta connection, through the form.
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'Add connection' }).first().click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Acme sandbox');
    await page.getByRole('textbox', { name: 'Org URL' }).fill(sandbox.okta.url);
    await page.getByLabel('API token', { exact: true }).last().fill(sandbox.okta.token);
    await page.getByRole('button', { name: 'Add connection' }).last().click();
    const card = page.getByRole('region', { name: 'Acme sandbox' });
    await card.waitFor();

    // The first sync is the baseline: nothing to compare with, and the Changes view says so.
    const first = await syncAndWait(card, 'Acme sandbox', 1);
    expect(first.baseline).toBe(true);
    await page.getByRole('link', { name: 'Changes', exact: true }).click();
    await expect.poll(() => page.getByText('First snapshot: nothing to compare with').first().isVisible(), { timeout: 15_000 }).toBe(true);

    // A week in Okta: some random realistic changes, then three we will look for, made to people
    // and a group the random week left as they were at the first sync (so the net diffs are known).
    const live = (u: OrgUser): boolean => u.status === 'ACTIVE' && !u.deleted;
    const before = new Map(sandbox.org.users.map((u) => [u.id, { live: live(u), title: u.title, groups: [...sandbox.org.memberships.groupsOf(u.index)] }]));
    sandbox.mutate({ count: 24, seed: 5 });
    const untouched = (u: OrgUser): boolean => {
      const b = before.get(u.id);
      return b !== undefined && b.live && live(u) && b.title === u.title && b.groups.join() === [...sandbox.org.memberships.groupsOf(u.index)].join();
    };
    const group = sandbox.org.groups.find((g) => g.type === 'OKTA_GROUP' && g.rule < 0 && !g.deleted);
    const people = sandbox.org.users.filter((u) => untouched(u) && group !== undefined && !sandbox.org.memberships.groupsOf(u.index).includes(group.index));
    const [member, suspended, retitled] = people;
    if (!group || !member || !suspended || !retitled) throw new Error('the sandbox org has no fitting group or people');
    moved = { member, group, suspended, retitled };
    expect(sandbox.mutations.addMembership(group.id, member.id)).toBe(true);
    sandbox.mutations.setUserStatus(suspended.id, 'SUSPENDED');
    sandbox.mutations.updateUserProfile(retitled.id, { title: 'Chief Sandbox Officer' });

    await page.getByRole('link', { name: 'Connections' }).click();
    const second = await syncAndWait(card, 'Acme sandbox', 2);
    expect(second.baseline).toBe(false);
    expect(second.changeCounts['membership-add'] ?? 0).toBeGreaterThanOrEqual(1);
    expect(second.changeCounts.status ?? 0).toBeGreaterThanOrEqual(1);

    // Undo the membership in Okta: run 3 sees it removed; comparing runs 1 and 3, it nets out.
    expect(sandbox.mutations.removeMembership(group.id, member.id)).toBe(true);
    const third = await syncAndWait(card, 'Acme sandbox', 3);
    runIds = { first: first.id, second: second.id, third: third.id };

    // The history grid says how each run went: mode, change counts, note.
    const history = page.getByRole('grid', { name: 'Sync history' });
    await expect.poll(() => history.getByRole('row').count()).toBe(4);
    await expect.poll(() => history.getByText('Baseline').isVisible()).toBe(true);
    // At 1280 and 1440 px nothing in the history is cut: dates, badges, counts and headers fit.
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-sync-history' } });

    // Dashboard: the last runs with their change counts, each a link to that run's changes.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const recent = page.getByRole('grid', { name: 'Recent sync runs' });
    const secondLink = recent.getByRole('link', { name: `Changes of run ${second.id}: `, exact: false });
    await secondLink.waitFor({ timeout: 15_000 });
    expect(await secondLink.getAttribute('aria-label')).toMatch(/\+\d+ memberships?/);
    await secondLink.click();
    await expect.poll(() => page.url()).toContain(`#/changes/run/${second.id}`);

    // Changes of run 2: the kind chips count, a chip filters, the search finds the person.
    const changes = page.getByRole('grid', { name: 'Changes' });
    const chips = page.getByRole('group', { name: 'Filter by kind of change' });
    await chips.getByRole('button', { name: /^Membership adds/ }).waitFor({ timeout: 15_000 });
    await expect.poll(() => changes.getByRole('row').count()).toBeGreaterThan(3);
    await screenshot(page, 'e2e-changes.png');
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-changes-fit' } });

    await chips.getByRole('button', { name: /^Membership adds/ }).click();
    await expect.poll(() => chips.getByRole('button', { name: /^Membership adds/ }).getAttribute('aria-pressed')).toBe('true');
    const added = changes.getByRole('row').filter({ hasText: fullName(member) }).filter({ hasText: group.name });
    await expect.poll(() => added.count(), { timeout: 15_000 }).toBe(1);
    // Only membership adds are listed now.
    const kinds = await changes.getByRole('row').locator('[role="gridcell"]:first-child').allTextContents();
    expect(new Set(kinds)).toEqual(new Set(['Membership +']));

    await chips.getByRole('button', { name: /^All kinds/ }).click();
    await page.getByRole('searchbox', { name: 'Search changes' }).fill(suspended.lastName);
    const suspension = changes.getByRole('row').filter({ hasText: fullName(suspended) }).filter({ hasText: 'SUSPENDED' });
    await expect.poll(() => suspension.count(), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    await page.getByRole('searchbox', { name: 'Search changes' }).fill('Chief Sandbox Officer');
    await expect.poll(() => changes.getByRole('row').filter({ hasText: fullName(retitled) }).count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('searchbox', { name: 'Search changes' }).fill('');

    // Run 3 alone: the membership removed again.
    await page.getByRole('combobox', { name: 'Run' }).selectOption(String(third.id));
    await expect.poll(() => page.url()).toContain(`#/changes/run/${third.id}`);
    await expect
      .poll(() => changes.getByRole('row').filter({ hasText: fullName(member) }).filter({ hasText: 'Membership −' }).count(), { timeout: 15_000 })
      .toBe(1);

    // Compare runs 1 and 3: the add and the remove cancel out; the suspension and the new title remain.
    await page.getByRole('link', { name: 'Compare runs' }).click();
    await page.getByRole('combobox', { name: 'From run' }).selectOption(String(first.id));
    await page.getByRole('combobox', { name: 'To run' }).selectOption(String(third.id));
    await expect.poll(() => page.url()).toContain(`#/changes/compare/${first.id}/${third.id}`);
    await page.getByRole('group', { name: 'Compared runs' }).waitFor();
    await page.getByRole('searchbox', { name: 'Search changes' }).fill(fullName(member));
    await expect.poll(() => page.getByText('No changes match these filters').isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByRole('searchbox', { name: 'Search changes' }).fill(suspended.lastName);
    await expect.poll(() => changes.getByRole('row').filter({ hasText: fullName(suspended) }).filter({ hasText: 'SUSPENDED' }).count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('searchbox', { name: 'Search changes' }).fill('');
    await expect.poll(() => changes.getByRole('row').count(), { timeout: 15_000 }).toBeGreaterThan(3);
    await screenshot(page, 'e2e-compare.png');

    // Scope: a bad pattern is refused next to its field; a saved scope shows in one line and makes
    // the next sync a full one. "Full sync" asks for one outright.
    await page.getByRole('link', { name: 'Connections' }).click();
    await card.getByRole('button', { name: 'Edit scope of Acme sandbox' }).click();
    const scope = card.getByRole('form', { name: 'Sync scope of Acme sandbox' });
    await scope.getByRole('textbox', { name: 'Group name pattern (regular expression)' }).fill('(dept');
    await expect.poll(() => scope.getByText(/not a valid regular expression/).isVisible()).toBe(true);
    expect(await scope.getByRole('button', { name: 'Save scope' }).isDisabled()).toBe(true);
    await screenshot(page, 'e2e-scope.png');
    await scope.getByRole('textbox', { name: 'Group name pattern (regular expression)' }).fill('');
    await scope.getByRole('textbox', { name: 'Group name prefixes' }).fill('dept-, app-');
    await scope.getByRole('button', { name: 'Save scope' }).click();
    await expect.poll(() => card.getByTestId('scope-line').textContent()).toBe('Groups starting with “dept-”, “app-” · all apps');
    await expect.poll(() => card.getByRole('status').filter({ hasText: 'the next sync will be a full sync' }).isVisible()).toBe(true);
    const fourth = await syncAndWait(card, 'Acme sandbox', 4, 'Full sync');
    expect(fourth.mode).toBe('full');
    expect(fourth.changeCounts['group-removed'] ?? 0).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await recent.getByRole('link', { name: `Changes of run ${fourth.id}: `, exact: false }).waitFor({ timeout: 15_000 });
    await screenshot(page, 'e2e-dashboard.png');
    // The dashboard's recent runs fit beside the connections, "Result" included.
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-dashboard-fit' } });

    expect(consoleErrors).toEqual([]);
  });

  it('lists each person once with their Okta and Entra accounts', async () => {
    const graph = sandbox.graph;
    if (!graph) throw new Error('the sandbox was started without Graph');
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'Add connection' }).first().click();
    await page.getByRole('radiogroup', { name: 'Connect to' }).getByText('Microsoft Entra ID').click();
    await page.getByRole('textbox', { name: 'Name' }).fill('Acme Entra');
    await page.getByRole('textbox', { name: 'Directory (tenant) ID' }).fill(graph.tenantId);
    await page.getByRole('textbox', { name: 'Application (client) ID' }).fill(graph.clientId);
    await page.getByLabel('Client secret', { exact: true }).last().fill(graph.clientSecret);
    await screenshot(page, 'e2e-add-entra.png');
    await page.getByText('Advanced: sovereign clouds, TLS inspection').click();
    await page.getByRole('textbox', { name: 'Authority host' }).fill(graph.url);
    await page.getByRole('textbox', { name: 'Graph URL' }).fill('not a url');
    await page.getByLabel('CA certificate file').setInputFiles({ name: 'sandbox-ca.pem', mimeType: 'application/x-pem-file', buffer: Buffer.from(graph.caPem) });
    await page.getByRole('button', { name: 'Add connection' }).last().click();
    // A refused field says why, next to the field.
    await expect.poll(() => page.getByText(/not a URL/).first().isVisible()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Graph URL' }).getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('textbox', { name: 'Graph URL' }).fill(graph.url);
    // Fixed: the message goes with the change, before any new submit.
    expect(await page.getByRole('textbox', { name: 'Graph URL' }).getAttribute('aria-invalid')).toBeNull();
    expect(await page.getByText(/not a URL/).count()).toBe(0);
    await page.getByRole('button', { name: 'Add connection' }).last().click();

    const card = page.getByRole('region', { name: 'Acme Entra' });
    await card.waitFor();
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => card.getByText(/Connected to/).isVisible(), { timeout: 30_000 }).toBe(true);
    const permissions = card.getByRole('list', { name: 'Permissions' });
    await expect.poll(() => permissions.getByText(/User\.Read\.All/).isVisible()).toBe(true);
    await syncAndWait(card, 'Acme Entra', 1);
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-entra.png');

    // All people: one row per person, with the IdPs they have an account in.
    await page.getByRole('link', { name: 'Directory' }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Connection' }).inputValue()).toBe('');
    const person = sandbox.org.users.find((u) => u.status === 'ACTIVE' && !u.deleted && u !== moved?.member && u !== moved?.suspended && u !== moved?.retitled);
    if (!person) throw new Error('no active person');
    await page.getByRole('searchbox', { name: 'Search users' }).fill(fullName(person));
    const users = page.getByRole('grid', { name: 'Users' });
    const row = users.getByRole('row').filter({ hasText: person.login });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.textContent()).toContain('Okta · Entra');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('');
    await expect.poll(() => users.getByRole('row').filter({ hasText: 'Okta · Entra' }).count(), { timeout: 15_000 }).toBeGreaterThan(5);
    await screenshot(page, 'e2e-people.png');
    // Ten columns at 1280 px: names, logins and titles give way (ellipsis, whole text on hover); status, last login and counts do not.
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-people-fit' } });

    // The person's detail lists both accounts.
    await page.getByRole('searchbox', { name: 'Search users' }).fill(fullName(person));
    await row.first().click();
    const detail = page.getByRole('region', { name: 'User details' });
    await detail.getByRole('heading', { name: fullName(person) }).waitFor();
    const accounts = detail.getByRole('region', { name: 'Accounts of this person' });
    await expect.poll(() => accounts.getByRole('listitem').count(), { timeout: 15_000 }).toBe(2);
    expect(await accounts.textContent()).toContain('Acme Entra');
    expect(await accounts.textContent()).toContain('Acme sandbox');
    await screenshot(page, 'e2e-person.png');

    // Each connection on its own: accounts, not people.
    await page.getByRole('combobox', { name: 'Connection' }).selectOption({ label: 'Acme Entra (Entra)' });
    await expect.poll(() => users.getByRole('row').filter({ hasText: 'Okta · Entra' }).count()).toBe(0);
    await page.getByRole('combobox', { name: 'Connection' }).selectOption({ label: 'All people' });
    await page.getByRole('searchbox', { name: 'Search users' }).fill('');

    // Groups of both IdPs side by side say whose each is; one IdP picked, the column goes.
    await page.getByRole('navigation', { name: 'Directory' }).getByRole('link', { name: /Groups/ }).click();
    const groups = page.getByRole('grid', { name: 'Groups' });
    await groups.getByRole('columnheader', { name: 'IdP' }).waitFor();
    await expect.poll(() => groups.getByRole('row').filter({ hasText: 'Entra' }).count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => groups.getByRole('row').filter({ hasText: 'Okta' }).count()).toBeGreaterThan(0);
    await page.getByRole('combobox', { name: 'Connection' }).selectOption({ label: 'Acme Entra (Entra)' });
    await expect.poll(() => groups.getByRole('columnheader', { name: 'IdP' }).count()).toBe(0);
    await page.getByRole('combobox', { name: 'Connection' }).selectOption({ index: 0 });
    expect(consoleErrors).toEqual([]);
  });

  /** A person in both IdPs whom the first test left alone. */
  const twoIdpPerson = (): OrgUser => {
    const p = sandbox.org.users.find((u) => u.status === 'ACTIVE' && !u.deleted && u !== moved?.member && u !== moved?.suspended && u !== moved?.retitled);
    if (!p) throw new Error('no active person');
    return p;
  };

  it("lists a person's groups and apps of both IdPs once each, with the IdP, counted alike in the list and the drawer", async () => {
    const person = twoIdpPerson();
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('navigation', { name: 'Directory' }).getByRole('link', { name: /Users/ }).click();
    await page.getByRole('searchbox', { name: 'Search users' }).fill(fullName(person));
    const row = page.getByRole('grid', { name: 'Users' }).getByRole('row').filter({ hasText: person.login });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    const listed = Number((await row.getByRole('gridcell').last().textContent())?.trim());
    await row.click();
    const detail = page.getByRole('region', { name: 'User details' });
    await detail.getByRole('heading', { name: fullName(person) }).waitFor();

    // The groups tab: every account's groups, the IdP of each, and the list's number.
    await detail.getByRole('tab', { name: /Groups \(all accounts\)/ }).click();
    const summary = detail.getByTestId('groups-summary');
    await expect.poll(() => summary.textContent()).toMatch(/^\d+ groups across 2 accounts: \d+ in Acme sandbox, \d+ in Acme Entra$/);
    const [, total, okta, entra] = /^(\d+) groups across 2 accounts: (\d+) in Acme sandbox, (\d+) in Acme Entra$/.exec((await summary.textContent()) ?? '') ?? [];
    expect(Number(total)).toBe(listed);
    expect(Number(okta) + Number(entra)).toBe(listed);
    expect(Number(okta)).toBeGreaterThan(0);
    expect(Number(entra)).toBeGreaterThan(0);
    expect(await detail.getByRole('tab', { name: /Groups/ }).textContent()).toContain(String(listed));
    const groups = detail.getByRole('grid', { name: 'Groups of this person' });
    await groups.getByRole('columnheader', { name: 'IdP' }).waitFor();
    // Each row names its IdP, and no group of one IdP shows twice.
    const groupRows = (await groups.getByRole('row').allTextContents()).slice(1);
    expect(groupRows.length).toBe(Math.min(listed, groupRows.length));
    expect(groupRows.every((t) => /Okta|Entra/.test(t))).toBe(true);
    expect(new Set(groupRows).size).toBe(groupRows.length);
    await screenshot(page, 'e2e-person-groups.png');

    await detail.getByRole('tab', { name: /Apps \(all accounts\)/ }).click();
    const apps = detail.getByRole('grid', { name: 'Apps of this person' });
    await apps.getByRole('columnheader', { name: 'IdP' }).waitFor();
    const appsSummary = (await detail.getByTestId('apps-summary').textContent()) ?? '';
    expect(appsSummary).toMatch(/^\d+ apps? across 2 accounts: \d+ in Acme sandbox, \d+ in Acme Entra$/);
    const appRows = (await apps.getByRole('row').allTextContents()).slice(1);
    expect(appRows.every((t) => /Okta|Entra/.test(t))).toBe(true);
    expect(new Set(appRows).size).toBe(appRows.length);
    await page.keyboard.press('Escape');
    await page.getByRole('searchbox', { name: 'Search users' }).fill('');
    expect(consoleErrors).toEqual([]);
  });

  it('picks people, not accounts, with the keyboard, in "Acting as" and the beneficiary picker', async () => {
    const person = twoIdpPerson();

    // "Acting as": one option per person (their Okta and Entra accounts share the address), with a chip per IdP account.
    await page.getByRole('button', { name: /^Acting as / }).click();
    const dialog = page.getByRole('dialog', { name: 'Who is using this console?' });
    const box = dialog.getByRole('combobox', { name: 'Find yourself' });
    await box.fill(fullName(person));
    const list = dialog.getByRole('listbox');
    const mine = list.getByRole('option').filter({ hasText: person.email });
    await expect.poll(() => mine.count(), { timeout: 15_000 }).toBe(1);
    expect(await mine.textContent()).toMatch(/Okta.*Entra/);
    await box.fill(person.lastName);
    await expect.poll(() => list.getByRole('option').filter({ hasText: person.email }).count(), { timeout: 15_000 }).toBe(1);
    const count = await list.getByRole('option').count();
    expect(await box.getAttribute('aria-expanded')).toBe('true');
    // The first option is active; the arrows move it (wrapping), the list and the input agree.
    const active = async (): Promise<string | null> => {
      const id = await box.getAttribute('aria-activedescendant');
      return id ? dialog.locator(`[id="${id}"]`).getAttribute('aria-selected') : null;
    };
    const first = await box.getAttribute('aria-activedescendant');
    expect(await active()).toBe('true');
    if (count > 1) {
      await box.press('ArrowDown');
      expect(await box.getAttribute('aria-activedescendant')).not.toBe(first);
      expect(await active()).toBe('true');
      await box.press('ArrowUp');
    }
    expect(await box.getAttribute('aria-activedescendant')).toBe(first);
    await box.press('ArrowUp'); // wraps to the last
    await box.press('ArrowDown'); // and back to the first
    expect(await box.getAttribute('aria-activedescendant')).toBe(first);
    // Escape closes the list and leaves the dialog open; Escape again clears the text.
    await box.press('Escape');
    expect(await box.getAttribute('aria-expanded')).toBe('false');
    expect(await dialog.isVisible()).toBe(true);
    await box.press('Escape');
    expect(await box.inputValue()).toBe('');
    expect(await dialog.isVisible()).toBe(true);
    // Enter picks the active person.
    await box.fill(person.email);
    await expect.poll(() => list.getByRole('option').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'e2e-acting-as-picker.png');
    await box.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('button', { name: `Acting as ${fullName(person)}: change` }).count()).toBe(1);

    // The beneficiary picker: the same combobox; a long list keeps the active option in view.
    await page.getByRole('link', { name: 'Requests' }).click();
    await page.getByRole('button', { name: 'New request' }).click();
    const beneficiary = page.getByRole('combobox', { name: 'Beneficiary' });
    await beneficiary.fill(person.email.slice(person.email.indexOf('@') + 1));
    const options = page.getByRole('listbox', { name: /People matching/ }).getByRole('option');
    await expect.poll(() => options.count(), { timeout: 15_000 }).toBe(8);
    await beneficiary.press('End');
    const last = options.last();
    expect(await last.getAttribute('aria-selected')).toBe('true');
    const inView = await last.evaluate((el) => {
      const list = el.parentElement?.getBoundingClientRect();
      const r = el.getBoundingClientRect();
      return list !== undefined && r.top >= list.top - 1 && r.bottom <= list.bottom + 1;
    });
    expect(inView).toBe(true);
    const picked = ((await last.locator('.person-result-name').textContent()) ?? '').trim();
    await beneficiary.press('Enter');
    await page.getByRole('button', { name: `Change beneficiary (now ${picked})` }).waitFor();
    expect(await page.locator('.req-picked').textContent()).toMatch(/Okta|Entra/);
    await screenshot(page, 'e2e-beneficiary-picked.png');
    await page.getByRole('button', { name: 'Cancel' }).click();
    expect(consoleErrors).toEqual([]);
  });

  it('says what its counts count: statuses add up to the people, and why Coverage lists fewer apps', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click();
    const stats = page.getByRole('region', { name: 'Snapshot', exact: true });
    const stat = async (label: string): Promise<number> => {
      const b = stats.getByRole('button', { name: new RegExp(`^${label}: [\\d,]+$`) });
      await b.waitFor();
      return Number(((await b.getAttribute('aria-label')) ?? '').replace(/^.*: /, '').replace(/,/g, ''));
    };
    const people = await stat('Users');
    const parts = await Promise.all(['Active', 'Suspended', 'Deprovisioned', 'Other statuses'].map(stat));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(people);
    const summary = await call<{ users: number; apps: number; appsWithGroups: number; otherStatuses: { status: string; count: number }[] }>(server, 'dashboard:summary', {});
    expect(summary.users).toBe(people);
    if (summary.otherStatuses.length > 0) expect(await stats.getByRole('button', { name: /^Other statuses/ }).getAttribute('title')).toMatch(/\d/);

    // Directory's apps vs Coverage's: the same numbers, explained.
    const coverage = await call<{ totals: { apps: number } }>(server, 'catalog:coverage', {});
    expect(summary.appsWithGroups).toBe(coverage.totals.apps);
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('navigation', { name: 'Directory' }).getByRole('link', { name: /Apps/ }).click();
    const note = page.getByTestId('apps-note');
    if (summary.apps > coverage.totals.apps) {
      await note.waitFor();
      expect(await note.textContent()).toContain(`${summary.apps} apps: ${coverage.totals.apps} have groups assigned (the apps Catalog › Coverage lists), ${summary.apps - coverage.totals.apps}`);
      await screenshot(page, 'e2e-apps-note.png');
    } else {
      expect(await note.count()).toBe(0);
    }
    await page.getByRole('navigation', { name: 'Directory' }).getByRole('link', { name: /Users/ }).click();
    expect(consoleErrors).toEqual([]);
  });

  it('opens a copied snapshot read-only: a banner, every write control disabled with its reason, no write call', async () => {
    expect(runIds.second).toBeGreaterThan(0);
    // A consistent copy while the workspace is open (SQLite online backup, as `snapshot save` does).
    const copy = path.join(dir, 'acme-snapshot.latchkey');
    const source = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      await source.backup(copy);
    } finally {
      source.close();
    }
    // The sandbox's hybrid org matches everyone cleanly; a copied snapshot may carry a match the
    // correlation refused. Write one into the copy, as the correlation stores it, to see it listed.
    const connections = await call<{ id: number; name: string }[]>(server, 'connections:list', {});
    const okta = connections.find((c) => c.name === 'Acme sandbox');
    const entra = connections.find((c) => c.name === 'Acme Entra');
    const entraUsers = entra ? (await call<{ rows: { id: string; email: string | null }[] }>(server, 'directory:users', { connectionId: entra.id, limit: 2 })).rows : [];
    const [clash, other] = entraUsers;
    const oktaUser = okta && clash?.email ? (await call<{ rows: { id: string }[] }>(server, 'directory:users', { connectionId: okta.id, search: clash.email })).rows[0] : undefined;
    if (!okta || !entra || !clash?.email || !other || !oktaUser) throw new Error('the workspace lacks the accounts this test needs');
    const writer = new Database(copy);
    try {
      writer
        .prepare('INSERT INTO correlation_issues (reason, match_key, accounts) VALUES (?, ?, ?)')
        .run('ambiguous-email', clash.email, JSON.stringify([[okta.id, oktaUser.id], [entra.id, clash.id], [entra.id, other.id]]));
    } finally {
      writer.close();
    }
    const ro = await serve(copy, ['--read-only']);
    const roPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    const roErrors: string[] = [];
    const calls: string[] = [];
    roPage.on('console', (m) => {
      if (m.type() === 'error') roErrors.push(m.text());
    });
    roPage.on('request', (r) => {
      const m = /\/api\/([^/?#]+)$/.exec(new URL(r.url()).pathname);
      if (m?.[1]) calls.push(decodeURIComponent(m[1]));
    });
    try {
      await openConsole(roPage, ro);
      const banner = roPage.getByRole('note', { name: 'Read-only snapshot' });
      await banner.waitFor({ timeout: 15_000 });
      expect((await banner.textContent())?.replace(/\s+/g, ' ').trim()).toBe(
        'Read-only snapshot: acme-snapshot.latchkey — opened without credentials; nothing can be changed or synced.',
      );
      // Opening the copy verified its audit chain and signed checkpoints (the syncs ended with one); the badge says so.
      const audit = roPage.getByText(/^Audit chain (verified|does not verify)$/);
      expect(await audit.textContent()).toBe('Audit chain verified');
      const [, events, valid, total] = /^(\d+) events; (\d+) of (\d+) signed checkpoints verify/.exec((await audit.getAttribute('title')) ?? '') ?? [];
      expect(Number(events)).toBeGreaterThan(0);
      expect(Number(total)).toBeGreaterThan(0);
      expect(valid).toBe(total);

      await roPage.getByRole('link', { name: 'Connections' }).click();
      const card = roPage.getByRole('region', { name: 'Acme sandbox' });
      await card.waitFor();
      await roPage.getByRole('grid', { name: 'Sync history' }).getByText('Baseline').first().waitFor();
      const writes = ['Add connection', 'Test connection', 'Sync now', 'Full sync', 'Remove Acme sandbox', 'Edit scope of Acme sandbox'];
      for (const name of writes) {
        const button = name === 'Add connection' ? roPage.getByRole('button', { name }) : card.getByRole('button', { name, exact: true });
        expect(await button.isDisabled(), name).toBe(true);
      }
      // Every button on a connection card is a write control, and all of them are disabled (the
      // removal dialog's own buttons are not counted: the dialog is closed and cannot be opened).
      const cardButtons = await roPage
        .locator('section.conn-card button')
        .evaluateAll((bs) => bs.filter((b) => !b.closest('dialog')).map((b) => ({ text: b.textContent, disabled: (b as HTMLButtonElement).disabled })));
      expect(cardButtons.length).toBeGreaterThanOrEqual(5);
      expect(cardButtons.filter((b) => !b.disabled)).toEqual([]);
      // ...and says why, as its accessible description (and tooltip).
      const ax = await axButtons(roPage);
      for (const name of writes) {
        const found = ax.filter((b) => b.name.trim() === name);
        expect(found.length, name).toBeGreaterThanOrEqual(1);
        for (const b of found) {
          expect(b.disabled, name).toBe(true);
          expect(b.description, name).toBe(READ_ONLY_REASON);
        }
      }
      expect(await card.locator('.tooltip-wrap').first().getAttribute('title')).toBe(READ_ONLY_REASON);
      // The dashboard's governance cards are reads: a snapshot shows them too.
      await roPage.getByRole('link', { name: 'Dashboard' }).click();
      const governance = roPage.getByRole('region', { name: 'Governance' });
      for (const name of ['Pending approvals: 0', 'Time-bound access: 0', 'Expiring in 24 h: 0', 'Failed jobs: 0', 'Manual tasks: 0', 'Open drift: 0']) {
        await governance.getByRole('link', { name }).waitFor({ timeout: 10_000 });
      }
      // The add form does not open, even by its address.
      await roPage.goto(`${ro.origin}/#/connections/new`);
      await roPage.getByRole('region', { name: 'Acme sandbox' }).waitFor();
      expect(await roPage.getByRole('textbox', { name: 'Org URL' }).count()).toBe(0);
      await screenshot(roPage, 'e2e-read-only.png');

      // Reading still works: the recorded changes of the copied history.
      await roPage.getByRole('link', { name: 'Changes', exact: true }).click();
      await roPage.getByRole('combobox', { name: 'Run' }).selectOption(String(runIds.second));
      await expect.poll(() => roPage.getByRole('grid', { name: 'Changes' }).getByRole('row').count(), { timeout: 15_000 }).toBeGreaterThan(3);

      // The match the correlation refused: its accounts side by side, each opening its own detail.
      await roPage.getByRole('link', { name: 'Directory' }).click();
      await roPage.getByRole('link', { name: /^Unmatched accounts/ }).click();
      const unmatched = roPage.getByRole('grid', { name: 'Unmatched accounts' });
      await expect.poll(() => unmatched.getByRole('row').count(), { timeout: 15_000 }).toBe(4);
      expect(await unmatched.getByRole('row').nth(1).textContent()).toContain(clash.email);
      await unmatched.getByRole('row').filter({ hasText: 'Acme Entra' }).first().click();
      await roPage.getByRole('region', { name: 'User details' }).getByRole('heading').first().waitFor();
      await screenshot(roPage, 'e2e-unmatched.png');

      // The catalog and the request queue: their write controls are disabled too, with the reason.
      for (const [link, names] of [['Catalog', ['New app', 'Import…']], ['Requests', ['New request', 'Import CSV…']]] as const) {
        await roPage.getByRole('link', { name: link, exact: true }).click();
        await roPage.getByRole('heading', { name: link, level: 1 }).waitFor();
        const controls = await axButtons(roPage);
        for (const name of names) {
          const found = controls.filter((b) => b.name.trim() === name);
          expect(found.length, name).toBeGreaterThanOrEqual(1);
          for (const b of found) {
            expect(b.disabled, name).toBe(true);
            expect(b.description, name).toBe(READ_ONLY_REASON);
          }
        }
      }

      // Clicking a disabled control does nothing either.
      await roPage.getByRole('link', { name: 'Connections' }).click();
      await roPage.getByRole('region', { name: 'Acme sandbox' }).getByRole('button', { name: 'Sync now' }).click({ force: true });
      await roPage.getByRole('region', { name: 'Acme sandbox' }).getByRole('button', { name: 'Test connection' }).click({ force: true });

      expect(calls.length).toBeGreaterThan(3);
      expect(calls.filter((c) => (WRITE_CHANNELS as readonly string[]).includes(c))).toEqual([]);
      expect(roErrors).toEqual([]);
    } finally {
      await roPage.close();
      ro.child.kill();
    }
  });
});
