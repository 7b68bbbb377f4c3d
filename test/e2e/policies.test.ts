// The Policies page in Chromium through the local bridge, on a workspace
// synced from the sandbox's Okta with its HR feed imported: a policy written
// as YAML in monitor mode shows its what-if (and an impossible condition its
// line) before it is saved; enforcing it waits for a second operator; the
// operator who asked cannot approve; another one can. The screenshot of the
// policy with its what-if is the README's.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syncAndReconcile } from '../../electron/engine/governance/after-sync.js';
import { importHr } from '../../electron/engine/hr/import.js';
import type { OrgUser } from '../../electron/sandbox/org-model.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedRole } from '../fixtures/governance.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { openConsole, serveConsole, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';
import { addConnection, tokenOf, workspace } from '../integration/okta-sync-helpers.js';

const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');
const fullName = (u: OrgUser): string => `${u.firstName} ${u.lastName}`;

const POLICY = `name: Engineering base
description: Everyone in engineering gets GitHub
mode: monitor
grace_days: 7
when:
  all:
    - department: { equals: Engineering }
    - status: { in: [active, pending] }
grants:
  - role: GitHub / Member
`;

describe.runIf(inPrivateKeychain)('the Policies page', () => {
  const dir = tempDir('latchkey-e2e-policies-');
  let sandbox: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let engineers = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ users: 250, seed: 12, graph: false, jira: false });
    const { ctx, db } = workspace(dir);
    ctx.channel = 'cli';
    const okta = addConnection(db, sandbox, { name: 'Okta' });
    await (await syncAndReconcile(ctx, okta.id, { credential: tokenOf(sandbox) })).done;
    expect(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }).ok).toBe(true);
    expect(importHr(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }).ok).toBe(true);
    const group = db.prepare('SELECT id, name FROM cur_groups WHERE connection_id = ? ORDER BY id LIMIT 1').get(okta.id) as { id: string; name: string };
    seedRole(db, { app: 'GitHub', role: 'Member', risk: 'medium', groups: [{ connectionId: okta.id, groupId: group.id, groupName: group.name }] });
    // Active or pending today by HR (a leaver whose day has not come is still active), read independently of the engine.
    const today = new Date().toISOString().slice(0, 10);
    engineers = db.prepare("SELECT count(*) FROM hr_records WHERE department = 'Engineering' AND (status <> 'terminated' OR end_date > ?)").pluck().get(today) as number;
    db.close();
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

  async function actAs(u: OrgUser): Promise<void> {
    await page.getByRole('button', { name: /^Acting as / }).click();
    const dialog = page.getByRole('dialog', { name: 'Who is using this console?' });
    await dialog.getByRole('combobox', { name: 'Find yourself' }).fill(u.email);
    await dialog.getByRole('option', { name: new RegExp(u.email.replace(/[.+]/g, '\\$&'), 'i') }).first().click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByRole('button', { name: `Acting as ${fullName(u)}: change` }).count()).toBe(1);
  }

  it('writes a policy in monitor mode with its what-if, then enforces it with a second operator', async () => {
    expect(engineers).toBeGreaterThan(50);
    const [first, second] = sandbox.org.users.filter((u) => u.status === 'ACTIVE' && u.employmentType === 'Employee' && u.index > 0 && sandbox.org.users.filter((o) => fullName(o) === fullName(u)).length === 1);
    if (!first || !second) throw new Error('the sandbox has no two distinct active employees');
    await openConsole(page, server, '#/policies');
    await page.getByRole('heading', { name: 'Policies', level: 1 }).waitFor();
    await actAs(first);
    await page.getByRole('link', { name: 'New policy' }).first().click();
    const editor = page.getByLabel('Policy (YAML)');
    await editor.fill(POLICY.replace('department: { equals: Engineering }', 'department: { equals: Engineering }\n    - department: { equals: Sales }'));
    // An impossible condition is named with its line, and nothing can be saved.
    await expect.poll(() => page.getByRole('list', { name: 'Problems' }).textContent()).toContain('line 7: department equals "Engineering" and department equals "Sales" can never hold together');
    expect(await page.getByRole('button', { name: 'Create policy' }).isDisabled()).toBe(true);

    await editor.fill(POLICY);
    await expect.poll(() => page.getByLabel(`Affected: ${engineers}`).isVisible()).toBe(true);
    const perRole = page.getByRole('table', { name: 'Gains and losses per role' });
    expect(await perRole.getByRole('row', { name: /GitHub \/ Member/ }).textContent()).toContain(`+${engineers}`);
    const changes = page.getByRole('table', { name: 'Changes' });
    expect(await changes.getByRole('row').nth(1).textContent()).toMatch(/gains.*department equals "Engineering" \("Engineering"\).*from the HR record/);
    // The README's picture: the editor's end and the what-if below it, before anything is saved.
    await page.getByRole('region', { name: 'What-if' }).scrollIntoViewIfNeeded();
    await page.getByRole('button', { name: 'Create policy' }).scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, 'policies.png') });
    await page.getByRole('button', { name: 'Create policy' }).click();
    await page.getByRole('heading', { name: 'Engineering base', level: 1 }).waitFor();

    await page.getByRole('button', { name: 'Enforce' }).click();
    const waiting = page.getByRole('region', { name: 'Waiting for a second operator' });
    await waiting.waitFor();
    expect(await waiting.textContent()).toContain(`it affects ${engineers} people, more than the 50 this workspace allows without a second operator`);
    expect(await waiting.getByRole('button', { name: 'Approve' }).isDisabled()).toBe(true);
    expect(await waiting.textContent()).toContain('You asked for this change');
    await page.screenshot({ path: path.join(shots, 'policies-approval.png') });

    await actAs(second);
    await waiting.getByRole('button', { name: 'Approve' }).click();
    await waiting.waitFor({ state: 'hidden' });
    await expect.poll(() => page.getByText('enforce', { exact: true }).first().isVisible()).toBe(true);
    await page.getByRole('link', { name: '← Policies' }).click();
    const list = page.getByRole('table', { name: 'Policies' });
    await expect.poll(() => list.getByRole('row', { name: /Engineering base/ }).textContent()).toContain('enforce');
    expect(consoleErrors).toEqual([]);
  });
});
