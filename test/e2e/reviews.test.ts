// End to end, an access review as an admin and a reviewer run it in the console: a campaign
// for one catalog app, created in the editor, previewed (counts by connection, app, reviewer,
// recommendation), launched on a frozen population; then, acting as the named reviewer, items
// decided with the keyboard (r revoke, a keep — a reason asked for where the recommendation is
// revoke), the rest kept in bulk with one reason, submitted; closed from the campaign page; the
// revocation removes the membership in the sandbox Okta, and the next sync verifies it, naming
// the run. Screenshots at 1280 px of the grid and the campaign page. The built console is served
// by `latchkey serve` and driven in real Chromium; connections and the catalog come from the CLI.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignView, ReviewItemRow } from '../../shared/contract-reviews.js';
import type { Page as ListPage, SyncRunSummary } from '../../shared/domain.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge as call, openConsole, serveConsole as serve, syncInConsole, type Served } from '../helpers/serve-console.js';
import { latchkey } from '../helpers/built-cli.js';
import { expectGridsFit } from '../helpers/grid-fit.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');
const APP = 'Ledger';
const ROLE = 'Bookkeeper';
const OKTA = 'Acme Okta';
const CAMPAIGN = 'Ledger access, Q4';
const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;
const esc = (s: string): string => s.replace(/[.+*?()[\]^$|\\]/g, '\\$&');

async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await page.screenshot({ path: path.join(shots, name) });
}

describe.runIf(inPrivateKeychain)('an access review: create, preview, launch, decide with the keyboard, submit, close, verified revocation', () => {
  const dir = tempDir('latchkey-e2e-reviews-');
  const dbPath = path.join(dir, 'reviews.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let group: OrgGroup;
  let reviewer: OrgUser;
  let fallback: OrgUser;
  let members: OrgUser[];

  beforeAll(async () => {
    s = await startSandbox({ users: 300, seed: 31, port: 0, rateLimits: 'off', graph: false });
    const active = s.org.users.filter((u) => u.status === 'ACTIVE' && !u.deleted && u.employmentType === 'Employee');
    const unique = (u: OrgUser): boolean => s.org.users.filter((o) => fullName(o) === fullName(u)).length === 1;
    const direct = s.org.groups.filter(
      (g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.ad === null && !g.deleted && g.kind !== 'everyone' && s.org.groups.filter((o) => o.name === g.name).length === 1,
    );
    const picked = direct.find((g) => {
      const n = s.org.memberships.members(g.index).length;
      return n >= 4 && n <= 12;
    });
    if (!picked) throw new Error('the sandbox org has no hand-managed Okta group of 4 to 12 members');
    group = picked;
    members = Array.from(s.org.memberships.members(group.index), (i) => s.org.users[i] as OrgUser);
    const outside = active.filter((u) => unique(u) && !s.org.memberships.has(group.index, u.index));
    const [r, f] = outside;
    if (!r || !f) throw new Error('too few people outside the group');
    [reviewer, fallback] = [r, f];

    latchkey(dbPath, ['connection', 'add', 'okta', '--name', OKTA, '--org-url', s.okta.url, '--token-env', 'E2E_OKTA_TOKEN'], { E2E_OKTA_TOKEN: s.okta.token });
    server = await serve(dbPath, [], { LATCHKEY_TEST_CLOCK: '1' });
    // The sandbox answers in this process: the first sync runs in the served engine, not a blocking CLI child.
    const [okta] = await call<{ id: number }[]>(server, 'connections:list', {});
    if (!okta) throw new Error(`no connection named ${OKTA}`);
    await syncInConsole(server, okta.id);
    const csv = path.join(dir, 'catalog.csv');
    fs.writeFileSync(csv, `app,role,risk,connection,group_id\n${APP},${ROLE},medium,${OKTA},${group.id}\n`);
    latchkey(dbPath, ['catalog', 'import', csv]);
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    await page.setViewportSize({ width: 1280, height: 860 });
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await s?.close();
  });

  async function actAs(u: OrgUser): Promise<void> {
    await page.getByRole('button', { name: /^Acting as / }).click();
    const dialog = page.getByRole('dialog', { name: 'Who is using this console?' });
    await dialog.getByRole('combobox', { name: 'Find yourself' }).fill(u.email);
    await dialog.getByRole('option', { name: new RegExp(esc(u.email), 'i') }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('button', { name: `Acting as ${fullName(u)}: change` }).count()).toBe(1);
  }
  async function pickPerson(label: string, u: OrgUser): Promise<void> {
    await page.getByRole('combobox', { name: label }).fill(u.email);
    await page.getByRole('option', { name: new RegExp(esc(u.email), 'i') }).first().click();
  }
  const isMember = (u: OrgUser): boolean => {
    const gi = s.oktaState.groupIndex(group.id);
    const ui = s.oktaState.userIndex(u.id);
    if (gi === undefined || ui === undefined) throw new Error('the sandbox lost the group or the user');
    return s.org.memberships.has(gi, ui);
  };

  it('runs a campaign from the editor to a verified revocation', async () => {
    await openConsole(page, server, '#/reviews');
    await actAs(reviewer);

    // The editor: refused empty, each message by its field.
    await page.getByRole('link', { name: 'Reviews', exact: true }).click();
    await page.getByRole('button', { name: 'New campaign' }).click();
    await page.getByRole('button', { name: 'Create draft and preview' }).click();
    await page.getByText('Give the campaign a name.').waitFor();
    expect(await page.getByText(/Pick a fallback reviewer/).count()).toBe(1);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(CAMPAIGN);
    expect(await page.getByText('Give the campaign a name.').count()).toBe(0);
    await page.getByRole('checkbox', { name: new RegExp(`^${APP}`) }).check();
    await page.getByRole('combobox', { name: 'Stage 1: who reviews' }).selectOption('named');
    await pickPerson('Reviewers (one reviews everything; several take people in turn)', reviewer);
    await pickPerson('Fallback reviewer (when the chosen one is missing, inactive or the person under review)', fallback);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Due', { exact: true }).fill(due);
    await page.getByRole('button', { name: 'Create draft and preview' }).click();

    // The preview: counts before anyone is asked.
    await page.getByRole('heading', { name: 'Preview before launch' }).waitFor();
    const byConnection = page.getByRole('table', { name: 'By connection' });
    await byConnection.getByRole('cell', { name: OKTA }).waitFor();
    expect(await byConnection.getByRole('row').nth(1).getByRole('cell').nth(1).textContent()).toBe(String(members.length));
    expect(await page.getByRole('table', { name: 'By reviewer' }).getByText(reviewer.email, { exact: false }).count()).toBe(1);
    await screenshot(page, 'e2e-review-preview.png');
    await page.getByRole('button', { name: new RegExp(`^Launch: ask 1 reviewer about ${members.length} items`) }).click();

    // The campaign page: population proof.
    await page.getByRole('region', { name: 'Population' }).waitFor();
    const campaignId = Number(/#\/reviews\/(\d+)$/.exec(page.url())?.[1]);
    const view = await call<CampaignView>(server, 'reviews:get', { campaignId });
    expect(view.status).toBe('active');
    expect(await page.getByText(view.population?.hash ?? 'no hash').count()).toBe(1);
    await page.getByRole('table', { name: 'Items per connection against the snapshot' }).getByText('✔ complete').waitFor();

    // The reviewer's grid.
    await page.getByRole('link', { name: new RegExp(`^Review my ${members.length} items`) }).click();
    const grid = page.getByRole('grid', { name: 'My review items' });
    await grid.getByRole('row').nth(members.length).waitFor();
    await page.getByText(`0 of ${members.length} decided`, { exact: false }).waitFor();
    await grid.focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard keys' }).getByRole('button', { name: 'Close' }).click();
    const launched = (await call<ListPage<ReviewItemRow>>(server, 'reviews:items', { campaignId, limit: 100 })).rows;
    const recommendedRevoke = launched.filter((i) => i.recommendation === 'revoke');
    // The sandbox org always has a deactivated or suspended member, or one past an end date, in a group this size.
    expect(recommendedRevoke.length).toBeGreaterThan(0);

    // a on an item recommended for revoke: a reason is asked for, and required.
    await page.getByRole('combobox', { name: 'Recommended' }).selectOption('revoke');
    await expect.poll(() => grid.getByRole('row').count()).toBe(recommendedRevoke.length + 1);
    await grid.focus();
    await page.keyboard.press('a');
    const dialog = page.getByRole('dialog', { name: /^Decide: / });
    await dialog.getByText('Keeping access recommended for revoke needs a reason.').waitFor();
    await dialog.getByRole('button', { name: /^Keep/ }).click();
    await expect.poll(() => dialog.getByRole('combobox', { name: /^Reason/ }).getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('combobox', { name: /^Reason/ }).selectOption('still-needed');
    await dialog.getByRole('button', { name: /^Keep/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(`1 of ${members.length} decided`, { exact: false }).waitFor();

    // Back to every item: ? shows the keys; j moves; r revokes the row at once and moves on.
    await page.getByRole('combobox', { name: 'Recommended' }).selectOption('any');
    await expect.poll(() => grid.getByRole('row').count()).toBe(members.length + 1);
    await grid.focus();
    await page.keyboard.press('?');
    await page.getByRole('dialog', { name: 'Keyboard keys' }).getByRole('button', { name: 'Close' }).click();
    await grid.focus();
    await page.keyboard.press('k');
    const undecided = await grid.getByRole('row').filter({ hasText: 'Undecided' }).first().getAttribute('aria-rowindex');
    for (let i = 2; i < Number(undecided); i++) await page.keyboard.press('j');
    const target = grid.locator(`[role="row"][aria-rowindex="${undecided}"]`);
    const targetName = (await target.getByRole('gridcell').nth(1).locator('.cell-strong').textContent())?.trim();
    await page.keyboard.press('r');
    await expect.poll(() => target.getByText('Revoke', { exact: true }).count()).toBeGreaterThan(0);
    await page.getByText(`2 of ${members.length} decided`, { exact: false }).waitFor();
    // x selects the row the grid moved to; Escape-free: clear it again with x.
    await page.keyboard.press('x');
    await page.getByText('1 selected', { exact: false }).waitFor();
    await page.keyboard.press('x');
    await expect.poll(() => page.getByText('1 selected', { exact: false }).count()).toBe(0);
    await screenshot(page, 'e2e-review-grid.png');
    // The whole row reads at 1280 and 1440 px: no column cut but free text (names, access, reasons), no sideways scroll.
    await expectGridsFit(page, { ready: () => grid.getByRole('row').nth(1).waitFor() });

    // The rest kept in bulk with one reason, over the filter "Undecided".
    await page.getByRole('combobox', { name: 'Decision' }).selectOption('undecided');
    await page.getByRole('button', { name: 'Keep all shown…' }).click();
    const bulk = page.getByRole('dialog', { name: /^Decide: all / });
    await bulk.getByRole('combobox', { name: /^Reason/ }).selectOption('still-needed');
    await bulk.getByRole('textbox', { name: 'Comment' }).fill('Ledger team, confirmed with finance');
    await bulk.getByRole('button', { name: `Keep ${members.length - 2} items` }).click();
    await bulk.waitFor({ state: 'hidden' });
    await page.getByText(`${members.length} of ${members.length} decided`, { exact: false }).waitFor();
    await page.getByRole('button', { name: `Submit ${members.length} decisions` }).click();
    await page.getByRole('button', { name: 'Submit 0 decisions' }).waitFor();
    const after = (await call<ListPage<ReviewItemRow>>(server, 'reviews:items', { campaignId, limit: 100 })).rows;
    expect(after.every((i) => i.decision?.state === 'submitted' && i.decision.channel === 'console' && i.decision.by === reviewer.email.toLowerCase())).toBe(true);
    expect(after.filter((i) => i.decision?.decision === 'revoke')).toHaveLength(1);
    const revoked = after.find((i) => i.decision?.decision === 'revoke');
    expect(revoked?.person.name).toBe(targetName);
    // The kept revoke-recommended item carries its reason.
    expect(after.find((i) => i.recommendation === 'revoke' && i.decision?.decision === 'keep')?.decision?.reasonCode).toBe('still-needed');
    const revokedUser = members.find((m) => m.id === revoked?.identityId);
    if (!revokedUser) throw new Error('the revoked item names nobody in the group');
    expect(after.filter((i) => i.decision?.reasonCode === 'still-needed').length).toBeGreaterThanOrEqual(members.length - 2);

    // Close from the campaign page (confirmed); the revocation runs through the IdP.
    await page.getByRole('link', { name: `← ${CAMPAIGN}` }).click();
    await page.getByRole('button', { name: 'Close campaign' }).click();
    await page.getByRole('dialog', { name: `Close ${CAMPAIGN}?` }).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => isMember(revokedUser), { timeout: 45_000 }).toBe(false);
    const remediation = page.getByRole('region', { name: 'Remediation' });
    await expect.poll(() => remediation.getByText('Done, not verified yet').count(), { timeout: 20_000 }).toBe(1);

    // The next sync no longer shows the membership: verified, naming that run.
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('region', { name: OKTA }).getByRole('button', { name: 'Sync now', exact: true }).click();
    await expect
      .poll(async () => (await call<SyncRunSummary[]>(server, 'sync:runs', { limit: 5 })).filter((r) => r.connectionName === OKTA && r.status === 'succeeded').length, { timeout: 30_000 })
      .toBe(2);
    const lastRun = (await call<SyncRunSummary[]>(server, 'sync:runs', { limit: 1 }))[0];
    await page.goto(`${server.origin}/#/reviews/${campaignId}`);
    await expect.poll(() => page.getByRole('region', { name: 'Remediation' }).getByText('Verified', { exact: true }).count(), { timeout: 20_000 }).toBe(1);
    const closed = await call<CampaignView>(server, 'reviews:get', { campaignId });
    expect(closed.status).toBe('complete');
    const verified = (await call<ListPage<ReviewItemRow>>(server, 'reviews:items', { campaignId, remediation: 'verified', limit: 10 })).rows;
    expect(verified.map((i) => i.remediation?.verifiedRunId)).toEqual([lastRun?.id]);
    await page.getByRole('grid', { name: 'Campaign items' }).getByText(`run #${lastRun?.id}`).waitFor();
    // The progress: decided per reviewer, the burndown.
    await page.getByRole('region', { name: 'By reviewer' }).getByText(reviewer.email, { exact: false }).or(page.getByRole('region', { name: 'By reviewer' }).getByText(fullName(reviewer))).first().waitFor();
    await expect.poll(() => page.getByRole('img', { name: /^Burndown: 0 of / }).count(), { timeout: 10_000 }).toBe(1);
    await screenshot(page, 'e2e-review-campaign.png');
    expect(consoleErrors).toEqual([]);
  }, 240_000);
});
