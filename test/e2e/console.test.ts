// End to end, as an admin would: the built console served by `latchkey serve`
// (the local bridge), driven in real Chromium against the sandbox tenant over
// real HTTP, with the credential in the real (private) keychain.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { serveConsole as serve, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');

describe.runIf(inPrivateKeychain)('console in Chromium through the local bridge', () => {
  const dir = tempDir('latchkey-e2e-');
  let sandbox: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ users: 400, seed: 7, port: 0, rateLimits: 'okta' });
    server = await serve(path.join(dir, 'e2e.latchkey'));
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await sandbox?.close();
  });

  it('adds a connection, tests it, syncs, searches a user and opens their detail', async () => {
    const first = await page.goto(server.url);
    // The one-time token is exchanged for a session cookie and leaves the address bar at once.
    expect(first?.request().redirectedFrom()?.url()).toBe(server.url);
    await expect.poll(() => page.url()).not.toContain('token=');
    const cookies = await page.context().cookies(server.origin);
    expect(cookies.map((c) => ({ name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path }))).toEqual([
      { name: `latchkey_${new URL(server.origin).port}`, httpOnly: true, sameSite: 'Strict', path: '/' },
    ]);
    // The page's own scripts cannot read it.
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await expect.poll(() => page.getByText('No connection yet').isVisible()).toBe(true);

    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('button', { name: 'Add connection' }).first().click();
    const focused = (l: Locator): Promise<boolean> => l.evaluate((el) => el === document.activeElement);
    // The form opens on its Name field.
    expect(await focused(page.getByRole('textbox', { name: 'Name' }))).toBe(true);
    await page.getByRole('textbox', { name: 'Name' }).fill('Acme sandbox');
    await page.getByRole('textbox', { name: 'Org URL' }).fill('not a url');
    await page.getByLabel('API token', { exact: true }).last().fill(sandbox.okta.token);
    // Arrow keys move between kinds: each kind's fields appear, focus stays on the choice, and what was typed stays.
    const kinds = page.getByRole('radiogroup', { name: 'Connect to' });
    await kinds.getByRole('radio', { name: 'Okta' }).focus();
    for (const [kind, field] of [['Microsoft Entra ID', 'Directory (tenant) ID'], ['Jira Service Management', 'Site URL'], ['Okta', 'Org URL']] as const) {
      await page.keyboard.press('ArrowRight');
      await page.getByRole('textbox', { name: field }).waitFor();
      expect(await focused(kinds.getByRole('radio', { name: kind }))).toBe(true);
    }
    expect(await page.getByRole('textbox', { name: 'Name' }).inputValue()).toBe('Acme sandbox');
    expect(await page.getByRole('textbox', { name: 'Org URL' }).inputValue()).toBe('not a url');
    expect(await page.getByLabel('API token', { exact: true }).last().inputValue()).toBe(sandbox.okta.token);
    await page.getByRole('button', { name: 'Add connection' }).last().click();
    await expect.poll(() => page.getByText(/not a URL/).first().isVisible()).toBe(true);

    await page.getByRole('textbox', { name: 'Org URL' }).fill(sandbox.okta.url);
    await page.getByRole('button', { name: 'Add connection' }).last().click();
    const card = page.getByRole('region', { name: 'Acme sandbox' });
    await card.waitFor();

    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => card.getByText(/Connected to/).isVisible(), { timeout: 30_000 }).toBe(true);
    await expect.poll(() => card.getByText(sandbox.org.company.name).first().isVisible()).toBe(true);

    await card.getByRole('button', { name: 'Sync now' }).click();
    const history = page.getByRole('grid', { name: 'Sync history' });
    await expect.poll(() => history.getByText('Succeeded').first().isVisible(), { timeout: 90_000 }).toBe(true);
    await page.screenshot({ path: path.join(shots, 'e2e-connections.png') });

    // Pick someone the IdP really has, and find them by typing part of their name.
    const person = sandbox.org.users.find((u) => u.status === 'ACTIVE' && u.managerIndex >= 0);
    expect(person).toBeDefined();
    if (!person) return;
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.getByRole('searchbox', { name: 'Search users' }).fill(`${person.firstName} ${person.lastName}`);
    const users = page.getByRole('grid', { name: 'Users' });
    const row = users.getByRole('row').filter({ hasText: person.login });
    await row.first().waitFor({ timeout: 15_000 });
    await row.first().click();

    const detail = page.getByRole('region', { name: 'User details' });
    await detail.getByRole('heading', { name: `${person.firstName} ${person.lastName}` }).waitFor();
    await expect.poll(() => detail.getByText(person.email).first().isVisible()).toBe(true);
    const manager = sandbox.org.users[person.managerIndex];
    expect(manager).toBeDefined();
    await expect.poll(() => detail.getByRole('link', { name: new RegExp(`Manager: ${manager?.firstName} ${manager?.lastName}`) }).isVisible()).toBe(true);
    const adminLink = detail.getByRole('link', { name: 'Open in Okta admin' });
    expect(await adminLink.getAttribute('href')).toContain(person.id);

    // Their groups, as the IdP has them.
    await detail.getByRole('tab', { name: /Groups/ }).click();
    const expectedGroups = sandbox.org.memberships.groupsOf(person.index).length;
    await expect.poll(() => detail.getByRole('grid', { name: 'Groups of this user' }).getByRole('row').count()).toBe(expectedGroups + 1);
    await page.screenshot({ path: path.join(shots, 'e2e-user-detail.png') });

    expect(consoleErrors).toEqual([]);
  });

  it('the link opens the console once: a fresh browser refused, the first one keeps its session across a reload', async () => {
    const fresh = await browser.newContext();
    try {
      const other = await fresh.newPage();
      const res = await other.goto(server.url);
      expect(res?.status()).toBe(401);
      expect(await other.textContent('body')).toContain('already used');
      expect(await fresh.cookies(server.origin)).toEqual([]);
      // Without the cookie, the console page itself loads but its calls are refused.
      const noSession = await other.request.post(`${server.origin}/api/app%3Ainfo`, { data: {} });
      expect(noSession.status()).toBe(401);
    } finally {
      await fresh.close();
    }
    await page.reload();
    await expect.poll(() => page.getByRole('link', { name: 'Connections' }).isVisible()).toBe(true);
    await page.getByRole('link', { name: 'Connections' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Acme sandbox' }).isVisible()).toBe(true);
  });
});
