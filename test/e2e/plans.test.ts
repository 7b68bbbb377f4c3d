// The Plans page in Chromium through the local bridge: a workspace synced
// from the sandbox's Okta with its HR feed imported has a backdated leaver's
// plan (done: every removal ✔ with its time) and a joiner's plan whose
// critical base step failed and was rolled back (its error shown, the undone
// step marked). The timeline reads tier by tier.
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importHrAndPlan } from '../../electron/engine/governance/hr-import.js';
import { runJobs } from '../../electron/engine/governance/run-jobs.js';
import { importHr } from '../../electron/engine/hr/import.js';
import { advancePlans } from '../../electron/engine/plans/advance.js';
import { evaluatePlans } from '../../electron/engine/plans/evaluate.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { seedApprovedRequests, seedRole } from '../fixtures/governance.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { openConsole, serveConsole, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';
import { FAST, jobsWorkspace } from '../integration/job-helpers.js';

const escapeRe = (t: string): string => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const repo = path.resolve(import.meta.dirname, '../..');
const shots = path.join(repo, 'test-results');

describe.runIf(inPrivateKeychain)('the Plans page', () => {
  const dir = tempDir('latchkey-e2e-plans-');
  let sandbox: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];
  let leaverPlan = 0;
  let joinerPlan = 0;
  let badGroup = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ users: 250, seed: 12, graph: false, jira: false });
    // Synced, with its credential in the test's keychain (the jobs run in this process before the console is served).
    const { ctx, db, okta } = await jobsWorkspace(dir, sandbox, { entra: false });
    ctx.channel = 'cli';
    expect(importHr(ctx, { fileName: 'employees.csv', bytes: Buffer.from(sandbox.hr.csv), preset: 'bamboohr' }).ok).toBe(true);
    const groups = db.prepare("SELECT id, name FROM cur_groups WHERE connection_id = ? AND managed_by = 'direct' AND type = 'OKTA_GROUP' ORDER BY id LIMIT 3").all(okta.id) as { id: string; name: string }[];
    const [g1, g2, g3] = groups as [{ id: string; name: string }, { id: string; name: string }, { id: string; name: string }];
    badGroup = g3.name;
    // The backdated leaver holds a role through a request.
    const ev = JSON.parse(sandbox.hr.events.split('\n').find((l) => l.includes(`"${sandbox.hr.summary.backdatedLeaver}"`)) ?? '{}') as { employee: { email: string } };
    const leaver = db.prepare('SELECT id, display_name FROM cur_identities WHERE connection_id = ? AND lower(email) = lower(?)').get(okta.id, ev.employee.email) as { id: string; display_name: string };
    const editor = seedRole(db, { app: 'Figma', role: 'Editor', groups: [{ connectionId: okta.id, groupId: g1.id, groupName: g1.name }] });
    seedApprovedRequests(db, { roleId: editor, beneficiaries: [{ connectionId: okta.id, identityId: leaver.id, email: ev.employee.email, name: leaver.display_name }], durationMinutes: null, now: ctx.clock.now() });
    await runJobs(ctx, FAST);
    expect(importHrAndPlan(ctx, { fileName: 'hr-events.jsonl', bytes: Buffer.from(sandbox.hr.events) }).ok).toBe(true);
    await runJobs(ctx, FAST);
    leaverPlan = db.prepare("SELECT id FROM plans WHERE kind = 'leaver'").pluck().get() as number;

    // A joiner whose second base group refuses every add: rolled back.
    const joiner = db
      .prepare("SELECT id, email, employee_number FROM cur_identities i WHERE connection_id = ? AND status = 'ACTIVE' AND NOT EXISTS (SELECT 1 FROM cur_memberships m WHERE m.identity_id = i.id AND m.group_id IN (?, ?)) ORDER BY id LIMIT 1")
      .get(okta.id, g2.id, g3.id) as { id: string; email: string; employee_number: string };
    const person = db.prepare('SELECT coalesce((SELECT person_id FROM directory_accounts WHERE connection_id = ? AND id = ?), ?)').pluck().get(okta.id, joiner.id, `${okta.id}:${joiner.id}`) as string;
    const base = seedRole(db, { app: 'Base', role: 'Employee', groups: [{ connectionId: okta.id, groupId: g2.id, groupName: g2.name }] });
    const vpn = seedRole(db, { app: 'Base', role: 'VPN', groups: [{ connectionId: okta.id, groupId: g3.id, groupName: g3.name }] });
    sandbox.faults.add({ match: `/api/v1/groups/${g3.id}/users/${joiner.id}`, method: 'PUT', kind: '500', times: 100 });
    const today = new Date().toISOString().slice(0, 10);
    const hire = JSON.stringify({ event_id: 'e2e-hire', type: 'employee.hired', timestamp: new Date().toISOString(), effective_date: today, employee: { employee_id: joiner.employee_number, email: joiner.email } });
    expect(importHr(ctx, { fileName: 'hire.jsonl', bytes: Buffer.from(`${hire}\n`) }).ok).toBe(true);
    const roles = [base, vpn].map((roleId) => ({ roleId, policyId: 1, policyVersion: 2, durationDays: null, graceDays: 7, enforced: true, because: 'employmentType equals Employee' }));
    [joinerPlan] = evaluatePlans(ctx, { birthright: () => new Map([[person, roles]]) }) as [number];
    advancePlans(ctx);
    await runJobs(ctx, FAST);
    sandbox.faults.clear();
    db.close();

    server = await serveConsole(ctx.dbPath);
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
    fs.mkdirSync(shots, { recursive: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await sandbox?.close();
  });

  it('lists the plans and shows a timeline per plan: removals done, a failed critical step with its error, the rolled-back step marked', async () => {
    await openConsole(page, server, '#/plans');
    await page.getByRole('heading', { name: 'Plans', level: 1 }).waitFor();
    const list = page.getByRole('table', { name: 'Plans' });
    await list.waitFor();
    expect(await list.getByRole('row').count()).toBe(3);

    await list.getByRole('link', { name: `#${leaverPlan}` }).click();
    const leaverTimeline = page.getByRole('list', { name: `Plan #${leaverPlan} timeline` });
    await leaverTimeline.waitFor();
    expect(await leaverTimeline.getByRole('heading', { name: 'Tier 2 — access removal' }).isVisible()).toBe(true);
    expect(await leaverTimeline.getByLabel('done', { exact: true }).count()).toBeGreaterThan(1);
    expect(await page.getByText(/h after the effective date/).isVisible()).toBe(true);

    await page.goto(page.url().replace(/#.*$/, `#/plans/${joinerPlan}`));
    const timeline = page.getByRole('list', { name: `Plan #${joinerPlan} timeline` });
    await timeline.waitFor();
    expect(await timeline.getByRole('heading', { name: 'Tier 2 — base access' }).isVisible()).toBe(true);
    expect(await timeline.getByLabel('rolled back', { exact: true }).count()).toBe(1);
    expect(await timeline.getByLabel('failed', { exact: true }).count()).toBe(1);
    expect(await timeline.getByText(/gave up after 8 attempts/).isVisible()).toBe(true);
    expect(await page.getByText(new RegExp(`critical step ".*${escapeRe(badGroup)}" \\(tier 2, base access\\) failed`)).first().isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Retry failed steps' }).isEnabled()).toBe(true);
    await page.screenshot({ path: path.join(shots, 'plans.png'), fullPage: true });
    expect(consoleErrors).toEqual([]);
  });
});
