// The Jira connection's workflow status names in the console, in Chromium,
// against a sandbox Jira whose workflow is Atlassian's example (Open, In
// Progress, Closed; custom status categories): the card shows the default
// names, Test connection lists the workflow's statuses and names the missing
// mappings, Edit status names saves new ones through the engine (audited),
// and the next test finds nothing missing. The connection was added with the
// built CLI, the token in the real (private) keychain.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JiraStatus } from '../../shared/contract-jira.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { launchChromium, openPage } from '../helpers/chromium.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { callBridge as call, openConsole, serveConsole as serve, type Served } from '../helpers/serve-console.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(import.meta.dirname, '../..');
const cli = path.join(repo, 'dist/electron/cli/main.js');
const JIRA = 'Example Jira';

describe.runIf(inPrivateKeychain)('Jira status names in the console', () => {
  const dir = tempDir('latchkey-e2e-jira-statuses-');
  const dbPath = path.join(dir, 'statuses.latchkey');
  let s: Sandbox;
  let server: Served;
  let browser: Browser;
  let page: Page;
  let consoleErrors: string[] = [];

  beforeAll(async () => {
    s = await startSandbox({ users: 30, seed: 5, port: 0, rateLimits: 'off', graph: false, jiraQuirks: { workflow: 'atlassian-example' } });
    const jira = s.jira;
    if (!jira) throw new Error('the sandbox was started without Jira');
    const r = spawnSync(
      process.execPath,
      [cli, '--db', dbPath, 'connection', 'add', JIRA, '--kind', 'jira', '--site', jira.url, '--email', jira.email, '--token-env', 'E2E_JIRA_TOKEN', '--project', jira.projectKey],
      { env: { ...process.env, E2E_JIRA_TOKEN: jira.apiToken }, encoding: 'utf8', timeout: 60_000 },
    );
    if (r.status !== 0) throw new Error(`connection add exited ${r.status}: ${r.stderr}`);
    server = await serve(dbPath);
    browser = await launchChromium();
    ({ page, consoleErrors } = await openPage(browser));
  });

  afterAll(async () => {
    await browser?.close();
    server?.child.kill();
    await s?.close();
  });

  it('shows the names, tests them against the workflow, and edits them', async () => {
    await openConsole(page, server);
    await page.getByRole('link', { name: 'Connections' }).click();
    const card = page.getByRole('region', { name: JIRA });
    const names = card.getByTestId('jira-status-names');
    await expect.poll(() => names.textContent()).toContain('Waiting for approval → “Waiting for approval”');

    // The test lists the workflow's statuses and names what has no status there.
    await card.getByRole('button', { name: 'Test connection' }).click();
    const findings = card.getByRole('list', { name: 'Findings' });
    await expect.poll(() => findings.textContent(), { timeout: 15_000 }).toContain('workflow statuses of ACC: Open (queued), In Progress (in-flight), Closed (completed)');
    const text = (await findings.textContent()) ?? '';
    expect(text).toContain('missing status mapping: waiting (waiting for approval)');
    expect(text).toContain('missing status mapping: declined (declined)');
    expect(text).not.toContain('missing status mapping: done');

    // Edit: Waiting for approval is "Open" here, Declined "Closed"; a blank field keeps its default.
    await card.getByRole('button', { name: 'Edit status names' }).click();
    const form = card.getByRole('form', { name: 'Workflow status names' });
    await form.getByRole('textbox', { name: 'Waiting for approval' }).fill('Open');
    await form.getByRole('textbox', { name: 'Declined' }).fill('Closed');
    await form.getByRole('textbox', { name: 'Done' }).fill('');
    await form.getByRole('button', { name: 'Save status names' }).click();
    await expect.poll(() => names.textContent()).toContain('Waiting for approval → “Open”');
    expect(await names.textContent()).toContain('Declined → “Closed”');
    expect(await names.textContent()).toContain('Done → “Done”');
    const status = await call<JiraStatus>(server, 'jira:status', {});
    expect(status.connection?.statuses).toEqual({ waiting: 'Open', approved: 'In progress', done: 'Done', declined: 'Closed' });

    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => findings.textContent(), { timeout: 15_000 }).toContain('every status mapping has a status: waiting=Open, approved=In progress, done=Done, declined=Closed');
    expect(consoleErrors).toEqual([]);
  });
});
