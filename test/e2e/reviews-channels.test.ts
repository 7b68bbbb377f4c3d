// End to end, one access review decided through all three ways a reviewer can answer, in
// real Chromium against the sandbox Okta and Jira: a campaign for one catalog app with three
// named reviewers (items spread by person), launched; reviewer 1 signs in through the sandbox
// Okta (operator sign-in) and decides in the review grid with the keyboard (r revoke, a keep,
// j/k), then submits; reviewer 2's workbook is exported with the built CLI, filled in by an
// independent writer (Debian's python3 + openpyxl) and imported back in the console (channel 'workbook', the
// file's SHA-256 on the submission); reviewer 3 approves their JSM request in the sandbox Jira
// as their own Jira account and "Poll JSM now" on the connection card records keep-all
// through channel 'jira' (their Jira account id). Closed
// from the campaign page: the revocation removes the membership in the sandbox Okta, the next
// sync verifies it naming the run, every reviewer issue carries the summary and is done, the
// campaign is complete. Screenshots at 1280 px of the grid and the campaign page.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ServiceDeskClient } from 'jira.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OperatorStatus } from '../../shared/contract-operator.js';
import type { CampaignProgress, CampaignView, ReviewItemRow } from '../../shared/contract-reviews.js';
import type { Page as ListPage, SyncRunSummary } from '../../shared/domain.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import type { JiraAccount } from '../../electron/sandbox/jira-state.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge, openConsole, serveConsole as serve, syncInConsole, type Served } from '../helpers/serve-console.js';
import { adfText, latchkey } from '../helpers/built-cli.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');
const APP = 'Ledger';
const ROLE = 'Bookkeeper';
const OKTA = 'Acme Okta';
const JIRA = 'Acme Jira';
const CAMPAIGN = 'Ledger access, three channels';
const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;
const lower = (u: OrgUser): string => u.email.toLowerCase();

/** Channels only read: a call the bridge's idle keep-alive socket dropped under it is made again, once. */
const READS = new Set(['reviews:items', 'reviews:progress', 'reviews:get', 'sync:runs', 'operator:status', 'connections:list', 'catalog:list']);
async function call<T>(s: Served, channel: string, input: unknown): Promise<T> {
  try {
    return await callBridge<T>(s, channel, input);
  } catch (e) {
    if (!READS.has(channel) || !(e instanceof TypeError && e.message === 'fetch failed')) throw e;
    return callBridge<T>(s, channel, input);
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
  await page.screenshot({ path: path.join(shots, name) });
}

/** Fills every row's Decision/Reason/Comment with openpyxl (a writer that shares no code with Latchkey); returns how many rows. */
function fillWorkbook(file: string, decision: string, reason: string, comment: string): number {
  const script = `
import sys, openpyxl
path, decision, reason, comment = sys.argv[1:5]
wb = openpyxl.load_workbook(path)
ws = wb['Review']
header = [c.value for c in ws[1]]
d, r, m = header.index('Decision') + 1, header.index('Reason') + 1, header.index('Comment') + 1
n = 0
for row in range(2, ws.max_row + 1):
    if ws.cell(row=row, column=1).value in (None, ''):
        continue
    ws.cell(row=row, column=d).value = decision
    ws.cell(row=row, column=r).value = reason
    ws.cell(row=row, column=m).value = comment
    n += 1
wb.save(path)
print(n)
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, file, decision, reason, comment], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`openpyxl failed: ${r.stderr}`);
  return Number(r.stdout.trim());
}

describe.runIf(inPrivateKeychain)('an access review answered in the console (signed in), by workbook and in Jira', () => {
  const dir = tempDir('latchkey-e2e-review-channels-');
  const dbPath = path.join(dir, 'channels.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let group: OrgGroup;
  let members: OrgUser[];
  let reviewers: [OrgUser, OrgUser, OrgUser];
  let fallback: OrgUser;
  let jiraOf3: JiraAccount;

  beforeAll(async () => {
    s = await startSandbox({ users: 300, seed: 31, port: 0, rateLimits: 'off', graph: false });
    const jira = s.jira;
    if (!jira || !s.jiraServer) throw new Error('the sandbox was started without Jira');
    const unique = (u: OrgUser): boolean => s.org.users.filter((o) => fullName(o) === fullName(u)).length === 1;
    const direct = s.org.groups.filter(
      (g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.ad === null && !g.deleted && g.kind !== 'everyone' && s.org.groups.filter((o) => o.name === g.name).length === 1,
    );
    // Enough people that each of three reviewers gets at least two.
    const picked = direct.find((g) => {
      const n = s.org.memberships.members(g.index).length;
      return n >= 8 && n <= 16;
    });
    if (!picked) throw new Error('the sandbox org has no hand-managed Okta group of 8 to 16 members');
    group = picked;
    members = Array.from(s.org.memberships.members(group.index), (i) => s.org.users[i] as OrgUser);
    const outside = s.org.users.filter((u) => u.status === 'ACTIVE' && !u.deleted && u.employmentType === 'Employee' && unique(u) && !s.org.memberships.has(group.index, u.index));
    const [a, b, c, f] = outside;
    if (!a || !b || !c || !f) throw new Error('too few people outside the group');
    reviewers = [a, b, c];
    fallback = f;
    // Reviewer 3 has a Jira account with their e-mail: the engine finds it by user search and makes them the approver.
    jiraOf3 = s.jiraServer.state.addUser({ email: lower(c), displayName: fullName(c) });

    latchkey(dbPath, ['connection', 'add', 'okta', '--name', OKTA, '--org-url', s.okta.url, '--token-env', 'E2E_OKTA_TOKEN'], { E2E_OKTA_TOKEN: s.okta.token });
    latchkey(
      dbPath,
      ['connection', 'add', JIRA, '--kind', 'jira', '--site', jira.url, '--email', jira.email, '--token-env', 'E2E_JIRA_TOKEN', '--project', jira.projectKey, '--service-desk', jira.serviceDeskId, '--request-type', jira.requestTypeId],
      { E2E_JIRA_TOKEN: jira.apiToken },
    );
    server = await serve(dbPath, []);
    const okta = (await call<{ id: number; name: string }[]>(server, 'connections:list', {})).find((c) => c.name === OKTA);
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

  const isMember = (u: OrgUser): boolean => {
    const gi = s.oktaState.groupIndex(group.id);
    const ui = s.oktaState.userIndex(u.id);
    if (gi === undefined || ui === undefined) throw new Error('the sandbox lost the group or the user');
    return s.org.memberships.has(gi, ui);
  };
  const itemsOf = async (campaignId: number, reviewer?: string): Promise<ReviewItemRow[]> =>
    (await call<ListPage<ReviewItemRow>>(server, 'reviews:items', { campaignId, limit: 1000, ...(reviewer ? { reviewer } : {}) })).rows;

  it('is decided in the console, by workbook and in Jira, then closed, revoked, verified and summarised in Jira', async () => {
    const [r1, r2, r3] = reviewers;
    const jira = s.jiraServer;
    if (!jira) throw new Error('no Jira server');

    // Reviewer 1 signs in through the sandbox Okta (authorization code + PKCE, the loopback redirect).
    await openConsole(page, server, '#/connections');
    const form = page.getByRole('form', { name: 'Sign-in settings' });
    await form.getByRole('combobox', { name: 'Sign in through' }).selectOption({ label: `${OKTA} (Okta)` });
    await form.getByRole('textbox', { name: /Client id of the OIDC app/ }).fill(s.okta.signIn.clientId);
    await form.getByRole('button', { name: 'Save sign-in settings' }).click();
    await expect.poll(async () => (await call<OperatorStatus>(server, 'operator:status', {})).settings.clientId).toBe(s.okta.signIn.clientId);
    const [idp] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('button', { name: 'Sign in', exact: true }).click()]);
    await idp.waitForLoadState();
    await idp.getByRole('textbox', { name: 'Username' }).fill(r1.login);
    await idp.getByRole('button', { name: 'Sign in', exact: true }).click();
    await idp.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
    await idp.close();
    await expect.poll(() => page.getByTestId('operator-session').textContent(), { timeout: 15_000 }).toContain(fullName(r1));

    // The campaign: one catalog app, three named reviewers taking people in turn; launched.
    const appId = (await call<{ apps: { id: number; name: string }[] }>(server, 'catalog:list', {})).apps.find((x) => x.name === APP)?.id;
    if (!appId) throw new Error(`the catalog has no app ${APP}`);
    const due = new Date(Date.now() + 14 * 86_400_000).toISOString().slice(0, 10);
    const draft = await call<CampaignView>(server, 'reviews:create', {
      name: CAMPAIGN,
      scope: { appIds: [appId] },
      reviewers: { stage1: { kind: 'named', named: reviewers.map(lower) }, fallback: lower(fallback) },
      dueAt: due,
    });
    const campaignId = draft.id;
    const active = await call<CampaignView>(server, 'reviews:launch', { campaignId });
    expect(active.status).toBe('active');
    const launched = await itemsOf(campaignId);
    expect(launched).toHaveLength(members.length);
    const mine = (u: OrgUser): ReviewItemRow[] => launched.filter((i) => i.reviewer === lower(u));
    // Spread by person over the three: each has items, nobody else does.
    for (const u of reviewers) expect(mine(u).length).toBeGreaterThanOrEqual(2);
    expect(mine(r1).length + mine(r2).length + mine(r3).length).toBe(members.length);

    // The engine's tick after launch makes one Jira issue per reviewer; reviewer 3's is a JSM request with them as approver.
    const progressOf = (): Promise<CampaignProgress> => call<CampaignProgress>(server, 'reviews:progress', { campaignId });
    await expect.poll(async () => (await progressOf()).byReviewer.filter((r) => r.jiraIssueKey !== null).length, { timeout: 30_000 }).toBe(3);
    const keyOf = async (u: OrgUser): Promise<string> => (await progressOf()).byReviewer.find((r) => r.reviewer === lower(u))?.jiraIssueKey ?? '';
    const key3 = await keyOf(r3);
    expect(jira.state.issue(key3)?.approverIds).toEqual([jiraOf3.accountId]);
    expect(jira.state.issue(key3)?.summary).toBe(`Access review: ${CAMPAIGN} — ${mine(r3).length} items for ${lower(r3)}`);

    // Reviewer 1, signed in: the grid, decided with the keyboard — r revokes the first row, a keeps the others.
    await page.goto(`${server.origin}/#/reviews/${campaignId}`);
    await page.getByRole('link', { name: new RegExp(`^Review my ${mine(r1).length} items`) }).click();
    const grid = page.getByRole('grid', { name: 'My review items' });
    const n1 = mine(r1).length;
    await grid.getByRole('row').nth(n1).waitFor();
    await page.getByText(`0 of ${n1} decided`, { exact: false }).waitFor();
    await grid.focus();
    for (let i = 0; i < n1; i++) await page.keyboard.press('j');
    for (let i = 0; i < n1; i++) await page.keyboard.press('k');
    const first = grid.locator('[role="row"][aria-rowindex="2"]');
    const revokedName = (await first.getByRole('gridcell').nth(1).locator('.cell-strong').textContent())?.trim();
    await page.keyboard.press('r');
    await expect.poll(() => first.getByText('Revoke', { exact: true }).count()).toBeGreaterThan(0);
    await page.getByText(`1 of ${n1} decided`, { exact: false }).waitFor();
    for (let done = 1; done < n1; done++) {
      // r moved down one row; a keeps it (a reason asked for where the recommendation is revoke).
      await grid.focus();
      await page.keyboard.press('a');
      const dialog = page.getByRole('dialog', { name: /^Decide: / });
      const decidedText = page.getByText(`${done + 1} of ${n1} decided`, { exact: false });
      await Promise.race([dialog.waitFor(), decidedText.waitFor()]);
      if (await dialog.isVisible()) {
        await dialog.getByRole('combobox', { name: /^Reason/ }).selectOption('still-needed');
        await dialog.getByRole('button', { name: /^Keep/ }).click();
        await dialog.waitFor({ state: 'hidden' });
      }
      await decidedText.waitFor();
      if (done < n1 - 1) {
        await grid.focus();
        await page.keyboard.press('j');
      }
    }
    await page.getByText(`${n1} of ${n1} decided`, { exact: false }).waitFor();
    await screenshot(page, 'e2e-review-channels-grid.png');
    await page.getByRole('button', { name: `Submit ${n1} decisions` }).click();
    await page.getByRole('button', { name: 'Submit 0 decisions' }).waitFor();
    const after1 = await itemsOf(campaignId, lower(r1));
    expect(after1.every((i) => i.decision?.state === 'submitted' && i.decision.channel === 'console' && i.decision.by === lower(r1))).toBe(true);
    const revoked = after1.filter((i) => i.decision?.decision === 'revoke');
    expect(revoked).toHaveLength(1);
    expect(revoked[0]?.person.name).toBe(revokedName);
    const revokedUser = members.find((m) => m.id === revoked[0]?.identityId);
    if (!revokedUser) throw new Error('the revoked item names nobody in the group');

    // Reviewer 2: the workbook, exported by the CLI, filled in by openpyxl, imported back in the console.
    const book = path.join(dir, 'reviewer2.xlsx');
    const exported = JSON.parse(latchkey(dbPath, ['review', 'workbook', 'export', String(campaignId), '--reviewer', lower(r2), '--out', book, '--json'])) as { rows: number; sha256: string };
    expect(exported.rows).toBe(mine(r2).length);
    expect(fillWorkbook(book, 'Keep', 'still-needed', 'Confirmed with finance (workbook)')).toBe(mine(r2).length);
    const fileSha = createHash('sha256').update(fs.readFileSync(book)).digest('hex');
    expect(fileSha).not.toBe(exported.sha256);
    // Imported in the console, from the campaign page's row of that reviewer (all rows or none; channel workbook, the file's SHA-256).
    await page.goto(`${server.origin}/#/reviews/${campaignId}`);
    await page.getByLabel(`Workbook file of ${lower(r2)}`).setInputFiles(book);
    await page.getByText(`${mine(r2).length} decisions of ${lower(r2)} recorded (SHA-256 ${fileSha.slice(0, 12)}…)`).waitFor();
    const after2 = await itemsOf(campaignId, lower(r2));
    expect(after2.every((i) => i.decision?.state === 'submitted' && i.decision.channel === 'workbook' && i.decision.decision === 'keep' && i.decision.reasonCode === 'still-needed' && i.decision.comment === 'Confirmed with finance (workbook)')).toBe(true);

    // Reviewer 3: approves their JSM request in the sandbox Jira as their own account; the JSM poll records keep-all.
    const approval = jira.state.issue(key3)?.approvals[0];
    expect(approval?.finalDecision).toBe('pending');
    const portal = new ServiceDeskClient({ host: s.jira?.url ?? '', authentication: { basic: { email: jiraOf3.email, apiToken: jiraOf3.apiToken } } });
    await portal.request.answerApproval({ issueIdOrKey: key3, approvalId: Number(approval?.id), decision: 'approve' });
    // "Poll JSM now" on the Jira connection's card (the scheduler polls every 5 minutes).
    await page.getByRole('link', { name: 'Connections' }).click();
    await page.getByRole('region', { name: JIRA }).getByRole('button', { name: 'Poll JSM now' }).click();
    await page.getByText('JSM polled').first().waitFor();
    await expect.poll(async () => (await itemsOf(campaignId, lower(r3))).every((i) => i.decision?.state === 'submitted'), { timeout: 15_000 }).toBe(true);
    const after3 = await itemsOf(campaignId, lower(r3));
    expect(after3.every((i) => i.decision?.state === 'submitted' && i.decision.channel === 'jira' && i.decision.decision === 'keep' && i.decision.by === lower(r3) && i.decision.recordedBy?.startsWith(jiraOf3.accountId))).toBe(true);

    // The submissions, read from the workspace file by an independent reader: who, which channel, the evidence.
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      const subs = db.prepare('SELECT reviewer, channel, submitted_by, evidence, items FROM review_submissions WHERE campaign_id = ? ORDER BY id').all(campaignId);
      expect(subs).toEqual([
        { reviewer: lower(r1), channel: 'console', submitted_by: lower(r1), evidence: null, items: n1 },
        { reviewer: lower(r2), channel: 'workbook', submitted_by: lower(r2), evidence: `sha256:${fileSha}`, items: mine(r2).length },
        { reviewer: lower(r3), channel: 'jira', submitted_by: expect.stringContaining(jiraOf3.accountId) as unknown, evidence: expect.stringContaining(`${key3} approval ${approval?.id} by ${jiraOf3.accountId}`) as unknown, items: mine(r3).length },
      ]);
    } finally {
      db.close();
    }

    // The campaign page: every reviewer done, each with their Jira issue.
    await page.goto(`${server.origin}/#/reviews/${campaignId}`);
    const byReviewer = page.getByRole('region', { name: 'By reviewer' });
    for (const u of reviewers) await byReviewer.getByText(await keyOf(u)).waitFor();
    const prog = await progressOf();
    expect(prog.byReviewer.map((r) => [r.reviewer, r.submitted, r.total])).toEqual(expect.arrayContaining(reviewers.map((u) => [lower(u), mine(u).length, mine(u).length])));
    // Who answered where: the console, the workbook, Jira.
    expect(Object.fromEntries(prog.byReviewer.map((r) => [r.reviewer, r.channels]))).toEqual({ [lower(r1)]: ['console'], [lower(r2)]: ['workbook'], [lower(r3)]: ['jira'] });
    // ...and the page says so, on each reviewer's row.
    for (const [u, channel] of [[r1, 'console'], [r2, 'workbook'], [r3, 'jira']] as const) {
      const row = byReviewer.getByRole('row').filter({ hasText: await keyOf(u) });
      await expect.poll(() => row.locator('.rv-channel').allTextContents(), { timeout: 10_000 }).toEqual([channel]);
    }
    await byReviewer.scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-review-channels-campaign.png');

    // Close from the campaign page: the revocation through the IdP, the summary on every reviewer issue.
    await page.getByRole('button', { name: 'Close campaign' }).click();
    await page.getByRole('dialog', { name: `Close ${CAMPAIGN}?` }).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => isMember(revokedUser), { timeout: 45_000 }).toBe(false);
    for (const u of reviewers) {
      const key = await keyOf(u);
      await expect.poll(() => jira.state.issue(key)?.status, { timeout: 30_000 }).toBe('done');
      const summary = jira.state.comments(key).map((c) => adfText(c.body)).find((t) => t.startsWith(`Access review "${CAMPAIGN}"`)) ?? '';
      const kept = u === r1 ? n1 - 1 : mine(u).length;
      expect(summary).toContain(`Your ${mine(u).length} items: ${kept} kept, ${u === r1 ? 1 : 0} revoked.`);
      expect(summary).toContain(`Population: ${members.length} items, SHA-256 ${active.population?.hash ?? 'no hash'}`);
    }

    // The next sync no longer shows the membership: verified, naming that run; the campaign complete.
    const okta = (await call<{ id: number; name: string }[]>(server, 'connections:list', {})).find((c) => c.name === OKTA);
    const { runId } = await call<{ runId: number }>(server, 'sync:start', { connectionId: okta?.id, full: true });
    await expect.poll(async () => (await call<SyncRunSummary[]>(server, 'sync:runs', { limit: 5 })).find((r) => r.id === runId)?.status, { timeout: 60_000 }).toBe('succeeded');
    await expect.poll(async () => (await call<CampaignView>(server, 'reviews:get', { campaignId })).status, { timeout: 30_000 }).toBe('complete');
    const verified = (await call<ListPage<ReviewItemRow>>(server, 'reviews:items', { campaignId, remediation: 'verified', limit: 10 })).rows;
    expect(verified.map((i) => [i.identityId, i.remediation?.verifiedRunId])).toEqual([[revokedUser.id, runId]]);
    await page.goto(`${server.origin}/#/reviews/${campaignId}`);
    await expect.poll(() => page.getByRole('region', { name: 'Remediation' }).getByText('Verified', { exact: true }).count(), { timeout: 20_000 }).toBe(1);
    await page.getByRole('region', { name: 'Remediation' }).scrollIntoViewIfNeeded();
    await screenshot(page, 'e2e-review-channels-complete.png');
    expect(consoleErrors).toEqual([]);
  }, 300_000);
});
