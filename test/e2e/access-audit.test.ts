// End to end in Chromium: revoke a grant early from the Access page with a
// reason (refused without one), see it go revoking → revoked once the job has
// removed the membership from the sandbox Okta, see how it ended and that the
// next sync verified the removal; then find the revoke event in the Audit log
// page filtered by action, verify the chain, and export the filtered events as
// CSV (checked against the events the engine returns, hashes included). A
// snapshot copy opened read-only shows the same Audit log. Then the Evidence
// page exports the workbook (progress bar, result card); openpyxl reads its
// Grants sheet: the early revoke, how it ended and the sync that verified it,
// and `latchkey evidence verify` accepts the file. The workspace is
// set up from the command line (connection, sync) and with approved requests
// written as approval writes them; `latchkey serve` provisions them.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLogEvent } from '../../shared/contract-audit.js';
import type { LedgerGrant } from '../../shared/contract-jobs.js';
import type { SyncRunSummary } from '../../shared/domain.js';
import { openDatabase } from '../../electron/engine/db/database.js';
import { parseCsv } from '../../electron/engine/csv.js';
import type { OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { beneficiariesOf, seedApprovedRequests, seedRole, type Beneficiary } from '../fixtures/governance.js';
import { latchkey } from '../helpers/built-cli.js';
import { py } from '../helpers/openpyxl.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { expectGridsFit } from '../helpers/grid-fit.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge as call, openConsole, serveConsole as serve, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'dist/electron/cli/main.js');
const execFileAsync = promisify(execFile);
const shots = path.join(repo, 'test-results');
const OKTA = 'Acme Okta';
const REASON = 'Left the incident rotation early';

const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;

describe.runIf(inPrivateKeychain)('Access page revoke → Audit log → CSV export → evidence workbook, in Chromium', () => {
  const dir = tempDir('latchkey-e2e-access-');
  const dbPath = path.join(dir, 'access.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let operator: OrgUser;
  let held: Beneficiary[];
  let group: { id: string; name: string };
  /** The grant revoked early and the sync that verified its removal (the evidence workbook's Grants sheet shows both). */
  const revoked = { grantId: 0, runId: 0 };

  beforeAll(async () => {
    s = await startSandbox({ users: 200, seed: 41, port: 0, rateLimits: 'off', graph: false });
    latchkey(dbPath, ['connection', 'add', 'okta', '--name', OKTA, '--org-url', s.okta.url, '--token-env', 'E2E_OKTA_TOKEN'], { E2E_OKTA_TOKEN: s.okta.token });
    // Not spawnSync: the sandbox answers the sync from this process.
    await execFileAsync(process.execPath, [cli, '--db', dbPath, 'sync'], { timeout: 60_000 });
    // A hand-managed group, two people outside it granted it for a week (approved, provisioning queued).
    const picked = s.org.groups.find((g) => g.type === 'OKTA_GROUP' && g.rule < 0 && g.ad === null && !g.deleted && g.kind !== 'everyone' && s.org.groups.filter((o) => o.name === g.name).length === 1);
    if (!picked) throw new Error('the sandbox org has no hand-managed Okta group');
    group = { id: picked.id, name: picked.name };
    const db = openDatabase(dbPath);
    try {
      const connectionId = db.prepare('SELECT id FROM connections WHERE name = ?').pluck().get(OKTA) as number;
      const roleId = seedRole(db, { app: 'Incident Console', role: 'Responder', durations: ['24h', '7d'], groups: [{ connectionId, groupId: group.id, groupName: group.name }] });
      held = beneficiariesOf(db, connectionId, 2, group.id);
      seedApprovedRequests(db, { roleId, beneficiaries: held, durationMinutes: 7 * 24 * 60, now: new Date() });
    } finally {
      db.close();
    }
    const heldIds = new Set(held.map((b) => b.identityId));
    const op = s.org.users.find((u) => u.status === 'ACTIVE' && !u.deleted && u.employmentType === 'Employee' && !heldIds.has(u.id) && s.org.users.filter((o) => fullName(o) === fullName(u)).length === 1);
    if (!op) throw new Error('no operator in the sandbox org');
    operator = op;
    server = await serve(dbPath, [], { LATCHKEY_TEST_CLOCK: '1' });
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    await page.setViewportSize({ width: 1280, height: 860 });
    fs.mkdirSync(shots, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await s?.close();
  });

  const grants = (filter: string): Promise<{ rows: LedgerGrant[] }> => call(server, 'jobs:grants', { filter, limit: 50 });
  const isMember = (identityId: string): boolean => {
    const gi = s.oktaState.groupIndex(group.id);
    const ui = s.oktaState.userIndex(identityId);
    if (gi === undefined || ui === undefined) throw new Error('the sandbox lost the group or the user');
    return s.org.memberships.has(gi, ui);
  };

  it('revokes a grant early with a reason, sees it revoked and verified, finds the event in the Audit log and exports it', async () => {
    // The scheduler provisions both grants.
    await expect.poll(async () => (await grants('active')).rows.filter((g) => g.status === 'active').length, { timeout: 60_000 }).toBe(2);
    const target = held[0] as Beneficiary;
    expect(isMember(target.identityId)).toBe(true);

    await openConsole(page, server, '#/access/active');
    // Who is at the console (a sandbox workspace: "acting as", recorded as such).
    await page.getByRole('button', { name: /^Acting as / }).click();
    const who = page.getByRole('dialog', { name: 'Who is using this console?' });
    await who.getByRole('combobox', { name: 'Find yourself' }).fill(operator.email);
    await who.getByRole('option', { name: new RegExp(operator.email.replace(/[.+]/g, '\\$&'), 'i') }).first().click();
    await who.waitFor({ state: 'hidden' });

    const grid = page.getByRole('grid', { name: 'Access: All active' });
    const row = grid.getByRole('row').filter({ hasText: target.name });
    await row.getByText('Active', { exact: true }).waitFor();
    // Why, the request and the until come with the row.
    await row.getByText('seeded for a test').waitFor();
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-access-active' } });

    // Extend is offered on the row: a new request for the role's allowed lengths (looked at, then left).
    const other = held[1] as Beneficiary;
    await grid.getByRole('row').filter({ hasText: other.name }).getByRole('button', { name: `Extend ${other.name}'s access to ${group.name}` }).click();
    const extend = page.getByRole('dialog', { name: `Extend ${other.name}’s access` });
    await extend.waitFor();
    await expect.poll(() => extend.getByRole('combobox', { name: 'New period, from approval' }).locator('option').allTextContents()).toEqual(['24 hours', '7 days']);
    await page.screenshot({ path: path.join(shots, 'e2e-access-extend-dialog.png') });
    await extend.getByRole('button', { name: 'Cancel' }).click();
    await extend.waitFor({ state: 'hidden' });

    await row.getByRole('button', { name: `Revoke ${target.name}'s access to ${group.name} now` }).click();
    const dialog = page.getByRole('dialog', { name: /^Revoke .*access now$/ });
    // No reason: refused at the field, nothing sent.
    await dialog.getByRole('button', { name: 'Revoke now' }).click();
    await dialog.getByText(/Say why the access ends now/).waitFor();
    expect(await dialog.getByRole('textbox', { name: 'Reason (required)' }).getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: path.join(shots, 'e2e-access-revoke-dialog.png') });
    expect((await grants('active')).rows.find((g) => g.identityId === target.identityId)?.status).toBe('active');
    await dialog.getByRole('textbox', { name: 'Reason (required)' }).fill(REASON);
    await dialog.getByRole('button', { name: 'Revoke now' }).click();
    await dialog.waitFor({ state: 'hidden' });

    // Revoking, then gone from the active list once the job has removed the membership.
    const seen: string[] = [];
    await expect
      .poll(
        async () => {
          const status = (await grants('all')).rows.find((g) => g.identityId === target.identityId)?.status ?? '?';
          if (seen.at(-1) !== status) seen.push(status);
          return status;
        },
        { timeout: 30_000, interval: 50 },
      )
      .toBe('revoked');
    expect(seen[0]).toMatch(/^(revoking|revoked)$/);
    expect(isMember(target.identityId)).toBe(false);
    await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(0);

    // Ended: how (by whom, through the console) and the removal awaiting a sync, then verified by it.
    await page.getByRole('link', { name: 'Ended', exact: true }).click();
    const ended = page.getByRole('grid', { name: 'Access: Ended' }).getByRole('row').filter({ hasText: target.name });
    await ended.getByText('Revoked', { exact: true }).waitFor();
    const how = `Revoked by ${operator.email.toLowerCase()} (acting as, sandbox) · console`;
    await ended.getByText(how).waitFor();
    await ended.getByText('Awaiting a sync').waitFor();
    const { runId } = await call<{ runId: number }>(server, 'sync:start', { connectionId: 1 });
    await expect.poll(async () => (await call<SyncRunSummary[]>(server, 'sync:runs', { limit: 5 })).find((r) => r.id === runId)?.status, { timeout: 30_000 }).toBe('succeeded');
    await ended.getByText(`Verified · sync #${runId}`).waitFor({ timeout: 10_000 });
    const endedRow = (await grants('ended')).rows.find((g) => g.identityId === target.identityId);
    expect(endedRow).toMatchObject({ status: 'revoked', ended: { how: 'revoked', channel: 'console', note: REASON }, removal: { state: 'verified', runId } });
    revoked.grantId = endedRow?.id ?? 0;
    revoked.runId = runId;
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-access-ended' } });

    // The Audit log: filtered by action, the revoke event names the operator and the console.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('combobox', { name: 'Action' }).selectOption('grant.revoke_requested');
    const events = page.getByRole('grid', { name: 'Audit events' });
    await expect.poll(() => page.getByText('1 matching event, newest first', { exact: true }).count()).toBe(1);
    const event = events.getByRole('row').filter({ hasText: 'grant.revoke_requested' });
    await event.getByText(`${operator.email.toLowerCase()} (acting as, sandbox)`).waitFor();
    await event.getByText('console', { exact: true }).waitFor();
    const [api] = (await call<{ rows: AuditLogEvent[] }>(server, 'audit:events', { action: 'grant.revoke_requested' })).rows;
    expect(api).toMatchObject({ channel: 'console', targetType: 'grant', details: { reason: REASON } });
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.locator('.audit-chain').getByText('Verifies', { exact: true }).waitFor({ timeout: 20_000 });
    await expectGridsFit(page, { shot: { dir: shots, name: 'e2e-audit-log' } });

    // The filtered export: one event, every hashed field and the hashes as the engine holds them.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^latchkey-audit-.*\.csv$/);
    const file = path.join(dir, download.suggestedFilename());
    await download.saveAs(file);
    const [header, ...rows] = parseCsv(fs.readFileSync(file, 'utf8'));
    expect(header).toEqual(['seq', 'at', 'actor', 'channel', 'action', 'target_type', 'target_id', 'details', 'prev_hash', 'hash', 'format']);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 0: String(api?.seq), 2: api?.actor, 3: 'console', 4: 'grant.revoke_requested', 8: api?.prevHash, 9: api?.hash });

    // One event opens whole.
    await event.click();
    const open = page.getByRole('dialog', { name: `Audit event ${api?.seq}` });
    await open.getByText(api?.hash ?? '?').waitFor();
    await page.screenshot({ path: path.join(shots, 'e2e-audit-event.png') });
    await open.getByRole('button', { name: 'Close' }).click();
    expect(consoleErrors).toEqual([]);
  }, 240_000);

  it('exports the evidence workbook from the Evidence page; its Grants sheet shows the early revoke and the sync that verified it', async () => {
    expect(revoked.grantId).toBeGreaterThan(0);
    await openConsole(page, server, '#/evidence');
    await page.getByRole('heading', { name: 'Evidence', level: 1 }).waitFor();
    // Whether the progress bar was ever on screen (the export of 200 people may take a moment only).
    await page.evaluate(() => {
      const w = window as unknown as { sawProgress: boolean };
      w.sawProgress = false;
      new MutationObserver(() => {
        if (document.querySelector('[role="progressbar"][aria-label="Export progress"]')) w.sawProgress = true;
      }).observe(document.body, { childList: true, subtree: true });
    });
    await page.getByRole('button', { name: 'Year to date' }).click();
    await page.getByRole('button', { name: 'Export workbook' }).click();
    const card = page.getByRole('region', { name: 'Workbook written' });
    await card.waitFor({ timeout: 120_000 });
    expect(await page.evaluate(() => (window as unknown as { sawProgress: boolean }).sawProgress)).toBe(true);
    await page.screenshot({ path: path.join(shots, 'e2e-evidence.png') });
    const file = (await card.locator('.ev-facts code.ev-path').first().textContent()) ?? '';
    const sha = (await card.getByTestId('ev-sha256').textContent()) ?? '';
    expect(path.dirname(file)).toBe(dir);
    expect(sha).toMatch(/^[0-9a-f]{64}$/);

    // The independent reader: the Grants sheet as openpyxl sees it.
    const grantsSheet = py<{ header: string[]; rows: unknown[][] }>(
      `wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\nrows = [list(r) for r in wb['Grants'].iter_rows(values_only=True)]\nprint(json.dumps({'header': rows[0], 'rows': rows[1:]}, default=str))`,
      file,
    );
    const col = (name: string): number => grantsSheet.header.indexOf(name);
    const row = grantsSheet.rows.find((r) => r[col('Grant')] === revoked.grantId);
    expect(row, 'the revoked grant is on the Grants sheet').toBeDefined();
    expect(row?.[col('Status')]).toBe('revoked');
    expect(String(row?.[col('End reason')])).toContain(REASON);
    expect(row?.[col('Verified by sync run')]).toBe(revoked.runId);
    // The file checks out against its manifest.
    const verify = await execFileAsync(process.execPath, [cli, 'evidence', 'verify', file, '--json']);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
  }, 180_000);

  it('shows the Audit log of a snapshot copy opened read-only, and exports from it', async () => {
    const copy = path.join(dir, 'copy.latchkey');
    latchkey(dbPath, ['snapshot', 'save', copy]);
    const ro = await serve(copy, ['--read-only']);
    const roPage = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    try {
      await openConsole(roPage, ro, '#/audit');
      await roPage.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
      await roPage.locator('.audit-chain').getByText('Verified on opening', { exact: true }).waitFor({ timeout: 20_000 });
      await roPage.getByRole('combobox', { name: 'Action' }).selectOption('grant.revoke_requested');
      await expect.poll(() => roPage.getByText('1 matching event, newest first', { exact: true }).count()).toBe(1);
      await roPage.getByRole('button', { name: 'Verify now' }).click();
      await roPage.locator('.audit-chain').getByText('Verifies', { exact: true }).waitFor({ timeout: 20_000 });
      const [download] = await Promise.all([roPage.waitForEvent('download'), roPage.getByRole('button', { name: 'Export CSV' }).click()]);
      const file = path.join(dir, `ro-${download.suggestedFilename()}`);
      await download.saveAs(file);
      expect(parseCsv(fs.readFileSync(file, 'utf8'))).toHaveLength(2);
      await roPage.screenshot({ path: path.join(shots, 'e2e-audit-log-read-only.png') });
    } finally {
      await roPage.close();
      ro.child.kill();
    }
  }, 120_000);
});
