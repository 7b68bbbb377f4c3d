// The HR feed page in Chromium through the local bridge: a workspace synced
// from the sandbox's Okta with its HR feed imported shows the counts, the due
// and pending events (the due ones processed by the scheduler's first tick); a bad file chosen with the BambooHR preset lists its row
// errors and changes nothing; the events file again is all duplicates.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { openConsole, serveConsole, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, tokenOf, workspace } from '../integration/okta-sync-helpers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');

describe.runIf(inPrivateKeychain)('the HR feed page', () => {
  const dir = tempDir('latchkey-e2e-hr-');
  let sandbox: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    sandbox = await startSandbox({ users: 250, seed: 12, graph: false, jira: false });
    const { ctx, db } = workspace(dir);
    ctx.channel = 'cli';
    const okta = addConnection(db, sandbox, { name: 'Okta' });
    await (await syncAndReconcile(ctx, okta.id, { credential: tokenOf(sandbox) })).done;
    // Everyone but the last two people, so the page has someone without an HR record.
    const lines = sandbox.hr.csv.trim().split('\r\n');
    const r = importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(`${lines.slice(0, -2).join('\r\n')}\r\n`), preset: 'bamboohr' });
    expect(r.ok).toBe(true);
    expect(importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }).ok).toBe(true);
    db.close();
    fs.writeFileSync(path.join(dir, 'hr-events.jsonl'), sandbox.hr.events);
    fs.writeFileSync(path.join(dir, 'bad.csv'), 'Employee #,Work Email,Hire Date,Shoe Size\r\n1,a@x.example,31/12/2026,42\r\n');
    server = await serveConsole(ctx.dbPath);
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    fs.mkdirSync(shots, { recursive: true });
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await sandbox?.close();
  });

  it('shows the counts and events, lists a bad file\'s rows without importing it, and counts a repeat as duplicates', async () => {
    await openConsole(page, server, '#/hr');
    await page.getByRole('heading', { name: 'HR feed', level: 1 }).waitFor();
    const people = sandbox.org.users.length;
    await expect.poll(() => page.getByLabel(`HR records: ${people - 2}`).isVisible()).toBe(true);
    expect(await page.getByLabel('People without HR record: 2').isVisible()).toBe(true);
    // Two events are due; the scheduler's first tick processes both (the backdated leaver gets a plan; the mover, whom no policy gives
    // anything and who holds nothing through requests, needs none), so none stays due.
    await expect.poll(() => page.getByLabel('Due events: 0').isVisible()).toBe(true);
    expect(await page.getByRole('table', { name: 'Due events' }).count()).toBe(0);
    expect(await page.getByText('hr-events.jsonl (HR events)').isVisible()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'hr-feed.png'), fullPage: true });

    await page.getByLabel('Columns of a CSV export').selectOption('bamboohr');
    await page.getByLabel('File (.csv, or .jsonl / .ndjson for HR events)').setInputFiles(path.join(dir, 'bad.csv'));
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('bad.csv: 1 problem, nothing was imported');
    expect(await alert.textContent()).toContain('row 1, column "Shoe Size": unknown column for the bamboohr preset');
    expect(await page.getByLabel(`HR records: ${people - 2}`).isVisible()).toBe(true);

    await page.getByLabel('File (.csv, or .jsonl / .ndjson for HR events)').setInputFiles(path.join(dir, 'hr-events.jsonl'));
    const lines = sandbox.hr.events.trim().split('\n').length;
    await expect.poll(() => page.getByText(`0 events stored, ${lines} duplicates ignored`).isVisible()).toBe(true);
    expect(consoleErrors).toEqual([]);
  });
});
