// `npm run screenshots`: retakes the README's screenshots (resources/screenshots/*.png)
// from the demo a newcomer gets. It starts the console as `npm start` does
// (`latchkey start --bridge`: the embedded sandbox with Okta and Entra over the
// same 2,000 people, and a Jira), waits for both first syncs, then works the
// governance the way an admin would in the console, through the bridge's
// contract calls: accepts catalog suggestions, files requests as members of
// the operator's team, approves, denies and leaves some pending, lets the jobs
// provision, skips the sandbox clock ahead so 1-hour access expires, makes a
// change "in Okta" and syncs it. Then it photographs each page in Chromium at
// 1440x900, and a saved copy of the workspace served read-only.
//
// Run it through `npm run screenshots` (test/screenshots.sh): it needs the
// private D-Bus session with a throw-away gnome-keyring and HOME/XDG_* in a
// temp dir that script starts, and refuses to run outside it, so nothing
// touches the developer's own keychain or workspace.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { CatalogSuggestion } from '../shared/contract-catalog.js';
import type { OperatorStatus } from '../shared/contract-operator.js';
import type { ConnectionSummary, ConnectionTestResult, SyncRunSummary, UserRow } from '../shared/domain.js';
import type { DurationOption, RequestDetail, RequestRow } from '../shared/governance.js';
import { openDatabase } from '../electron/engine/db/database.js';
import { workspaceId } from '../electron/engine/context.js';
import { keyringSecretStore } from '../electron/engine/secrets/keyring-store.js';
import { connectionAccount } from '../electron/engine/secrets/secret-store.js';
import { launchChromium } from './helpers/chromium.js';
import { inPrivateKeychain } from './helpers/keychain.js';
import { BRIDGE_URL, callBridge, openConsole, serveConsole, type BridgeAccess } from './helpers/serve-console.js';

const repo = path.resolve(import.meta.dirname, '..');
const cli = path.join(repo, 'dist/electron/cli/main.js');
const outDir = path.join(repo, 'resources/screenshots');
const VIEWPORT = { width: 1440, height: 900 };

/** Child processes to stop however the script ends. */
const children = new Set<ChildProcess>();
let browser: Browser | null = null;

const log = (line: string): void => console.log(`screenshots: ${line}`);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a value (not undefined); fails naming what it waited for. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown = null;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last instanceof Error ? ` (last error: ${last.message})` : ''}`);
    await sleep(everyMs);
  }
}

/** `latchkey start --bridge --no-open` on a new workspace: the newcomer's demo. Resolves once it prints its URL. */
function startDemo(db: string): Promise<{ served: BridgeAccess; oktaUrl: string; output: () => string }> {
  const child = spawn(process.execPath, [cli, '--db', db, 'start', '--bridge', '--no-open'], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`latchkey start exited ${code}:\n${out}`)));
    const check = setInterval(() => {
      const url = BRIDGE_URL.exec(out);
      const okta = /Okta at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (url?.[1] && url[2] && url[3] && okta?.[1]) {
        clearInterval(check);
        resolve({ served: { origin: url[2], token: url[3] }, oktaUrl: okta[1], output: () => out });
      }
    }, 100);
  });
}

/** The built CLI, as a script would run it. */
function latchkey(args: string[]): string {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`latchkey ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

type Bridge = BridgeAccess;

/** Waits until every connection's newest run after `afterRunId` succeeded (and fails on a failed one). */
async function waitForSyncs(s: Bridge, connectionIds: number[], afterRunId = 0): Promise<SyncRunSummary[]> {
  return until(
    'the syncs to finish',
    async () => {
      const runs = await callBridge<SyncRunSummary[]>(s, 'sync:runs', { limit: 50 });
      const newest = connectionIds.map((id) => runs.find((r) => r.connectionId === id && r.id > afterRunId));
      const failed = newest.find((r) => r?.status === 'failed');
      if (failed) throw new Error(`sync of ${failed.connectionName} failed: ${failed.error ?? '?'}`);
      return newest.every((r) => r?.status === 'succeeded') ? (newest as SyncRunSummary[]) : undefined;
    },
    180_000,
  );
}

/** Every person of the snapshot (one row each across IdPs). */
async function everyone(s: Bridge): Promise<UserRow[]> {
  const rows: UserRow[] = [];
  for (let offset = 0; ; offset += 1000) {
    const page = await callBridge<{ total: number; rows: UserRow[] }>(s, 'directory:users', { limit: 1000, offset });
    rows.push(...page.rows);
    if (rows.length >= page.total || page.rows.length === 0) return rows;
  }
}

type Plan = {
  /** Who asks (and benefits): they file it themselves, "Acting as" themselves. */
  who: UserRow;
  role: string;
  duration: DurationOption;
  justification: string;
  /**
   * What the operator (their manager) does: 'approve-step' approves the first of two steps and leaves the
   * app owner's pending; 'owner-too' then has the app owner approve it; 'none': auto-approved, nothing to do.
   */
  then: 'approve' | 'deny' | 'pending' | 'approve-step' | 'owner-too' | 'none';
  comment?: string;
};

/** Apps accepted from the suggestions, with the roles kept (all when omitted) and who owns them. */
const ACCEPT: { app: string; roles?: string[]; owner: 'it' | 'operator' }[] = [
  { app: 'Figma', owner: 'it' },
  { app: 'Datadog', owner: 'operator' },
  { app: 'Salesforce', roles: ['Admin', 'Read-only', 'User'], owner: 'it' },
  { app: 'GitHub Enterprise Cloud', roles: ['Member', 'Owner'], owner: 'it' },
  { app: '1Password', owner: 'it' },
  { app: 'Slack', owner: 'it' },
  // With two externally managed groups: the catalog flags them, and their requests become manual tasks.
  { app: 'AWS', owner: 'it' },
];

/** The catalog and requests; returns the request to show in detail and the person to show in the directory. */
async function buildGovernance(s: Bridge): Promise<{ featured: number; person: UserRow }> {
  // The sandbox's "Acting as" suggestion: the manager with the most reports, whom a new browser session acts as.
  const status = await until('the demo to suggest its operator', async () => {
    const v = await callBridge<OperatorStatus>(s, 'operator:status', {});
    return v.actingAsSuggestion !== null ? v : undefined;
  });
  const operatorEmail = status.actingAsSuggestion ?? '';
  const people = await everyone(s);
  const byName = (a: UserRow, b: UserRow): number => a.displayName.localeCompare(b.displayName) || a.login.localeCompare(b.login);
  const operator = people.find((p) => p.email?.toLowerCase() === operatorEmail);
  if (!operator) throw new Error(`the operator ${operatorEmail} is not in the directory`);
  const isOperatorAccount = (p: UserRow): boolean => operator.accounts.some((a) => a.connectionId === p.connectionId && a.id === p.managerId);
  const active = people.filter((p) => p.status === 'ACTIVE' && p.email !== null && p.accounts.length === 2).sort(byName);
  const team = active.filter(isOperatorAccount);
  const it = active.find((p) => p.department === 'IT' && /IT Manager$/.test(p.title ?? '') && p !== operator);
  const others = active.filter((p) => p.department === 'Engineering' && !isOperatorAccount(p) && p !== operator && p !== it);
  if (team.length < 10 || !it || others.length < 2) throw new Error(`the demo org lacks the people this script expects (team of ${team.length}, IT manager ${it ? 'found' : 'missing'})`);
  log(`operator ${operator.displayName}, ${team.length} direct reports; app owner ${it.displayName}`);

  // Catalog: accept suggestions, as "Accept" on Catalog → Suggestions does.
  const { suggestions } = await callBridge<{ suggestions: CatalogSuggestion[] }>(s, 'catalog:suggestions', {});
  for (const a of ACCEPT) {
    const sug = suggestions.find((x) => x.appName === a.app);
    if (!sug) throw new Error(`no catalog suggestion for ${a.app}`);
    const roles = sug.roles.filter((r) => !a.roles || a.roles.includes(r.name));
    await callBridge(s, 'catalog:acceptSuggestion', {
      appName: sug.appName,
      owner: a.owner === 'operator' ? operatorEmail : it.email,
      source: sug.sources[0] ? { connectionId: sug.sources[0].connectionId, appId: sug.sources[0].appId } : null,
      roles: roles.map((r) => ({ name: r.name, risk: r.risk, groups: r.groups.map((g) => ({ connectionId: g.connectionId, groupId: g.groupId })) })),
    });
  }
  log(`catalog: ${ACCEPT.length} apps accepted from the suggestions`);

  const t = (i: number): UserRow => team[i] as UserRow;
  const plans: Plan[] = [
    { who: t(0), role: 'Figma / Editor', duration: '30d', justification: 'Reviewing the new onboarding flows with the design team this month', then: 'approve', comment: 'OK for the design review' },
    { who: t(1), role: 'Datadog / Admin', duration: '1h', justification: 'Incident INC-2291: need to mute the noisy payment monitors', then: 'approve', comment: 'One hour, for the incident' },
    { who: t(2), role: 'Salesforce / User', duration: '7d', justification: 'Covering the renewals desk while Priya is out', then: 'approve', comment: '' },
    { who: t(3), role: 'GitHub Enterprise Cloud / Member', duration: '30d', justification: 'Want to read the runbooks repository', then: 'deny', comment: 'The runbooks are published on Confluence; ask #eng-access if you need a repository' },
    { who: t(4), role: '1Password / User', duration: '24h', justification: 'Rotating the shared vendor credentials for the facilities vault', then: 'approve', comment: 'For the rotation only' },
    { who: t(5), role: 'Slack / Admin', duration: '7d', justification: 'Setting up the channels for the warehouse migration', then: 'approve-step', comment: 'Fine by me; over to IT' },
    { who: t(6), role: 'Figma / Viewer', duration: 'permanent', justification: 'To follow the product specs', then: 'none' },
    { who: t(7), role: 'AWS / Prod Admin', duration: '24h', justification: 'Resize the warehouse database before the peak season', then: 'owner-too', comment: 'Approved for the maintenance window' },
    { who: t(8), role: 'Salesforce / Admin', duration: '7d', justification: 'Adding the new partner fields to the opportunity layout', then: 'pending' },
    { who: t(9), role: 'Datadog / User', duration: '30d', justification: 'Dashboards for the fulfilment SLA review', then: 'pending' },
    { who: t(0), role: '1Password / Admin', duration: '24h', justification: 'Create the vault for the new logistics partner', then: 'pending' },
    { who: t(2), role: 'Figma / Editor', duration: '7d', justification: 'Annotating the floor plans for the office move', then: 'pending' },
    { who: t(3), role: 'Datadog / User', duration: '30d', justification: 'Watching the carrier API latency during the peak', then: 'pending' },
    { who: t(6), role: 'AWS / Prod Read-only', duration: '7d', justification: 'Checking the S3 lifecycle rules for the archive bucket', then: 'pending' },
    { who: others[0] as UserRow, role: 'GitHub Enterprise Cloud / Owner', duration: '6h', justification: 'Transfer the mobile repositories to the new organisation', then: 'pending' },
    { who: others[1] as UserRow, role: 'Slack / User', duration: '30d', justification: 'Joining the vendor shared channels for the SDK launch', then: 'pending' },
  ];

  // "Acting as" (a sandbox): per call, as a browser session sends it.
  let actingAs = operatorEmail;
  const actAs = (email: string): void => {
    actingAs = email;
  };
  const callAs = <T,>(channel: string, input: unknown): Promise<T> => callBridge<T>(s, channel, input, { 'X-Latchkey-Acting-As': actingAs });
  const filed: { plan: Plan; row: RequestRow }[] = [];
  for (const plan of plans) {
    actAs(plan.who.email ?? '');
    const row = await callAs<RequestRow>('requests:create', {
      beneficiary: { email: plan.who.email },
      role: plan.role,
      duration: plan.duration,
      justification: plan.justification,
    });
    filed.push({ plan, row });
  }
  actAs(operatorEmail);
  log(`${filed.length} requests filed`);

  // The operator decides their team's requests (the manager step).
  for (const { plan, row } of filed) {
    if (plan.then === 'approve' || plan.then === 'approve-step' || plan.then === 'owner-too') {
      await callAs('requests:decide', { id: row.id, decision: 'approve', comment: plan.comment ?? '' });
    } else if (plan.then === 'deny') {
      await callAs('requests:decide', { id: row.id, decision: 'deny', comment: plan.comment ?? '' });
    }
  }
  // The AWS request's second step belongs to the app owner.
  actAs(it.email ?? '');
  for (const { plan, row } of filed) {
    if (plan.then === 'owner-too') await callAs('requests:decide', { id: row.id, decision: 'approve', comment: 'Break-glass role: done by hand in AWS IAM' });
  }
  actAs(operatorEmail);

  // The scheduler provisions what was approved (in both IdPs) and writes each step to Jira.
  const approved = filed.filter(({ plan }) => plan.then === 'approve' || plan.then === 'none' || plan.then === 'owner-too');
  for (const { plan, row } of approved) {
    await until(
      `request #${row.id} (${plan.role}) to be provisioned`,
      async () => {
        const d = await callBridge<RequestDetail>(s, 'requests:get', { id: row.id });
        if (d.grants.some((g) => g.status === 'failed')) throw new Error(`request #${row.id}: a grant failed`);
        return d.grants.length > 0 && d.grants.every((g) => g.status === 'active' || g.status === 'manual') ? d : undefined;
      },
      120_000,
    );
  }
  log(`${approved.length} requests provisioned`);

  // "Skip ahead" an hour and a minute: the 1-hour access expires and is removed from both IdPs.
  const hourly = filed.find(({ plan }) => plan.duration === '1h');
  if (!hourly) throw new Error('no 1-hour request in the plan');
  // Not before the scheduler's next tick (every 30 s) has written everything to Jira, the expiry
  // notices included, as it would have for anyone who did not skip ahead: the record is then whole.
  await waitForJobs(s);
  await until(
    `request #${hourly.row.id}'s expiry notices to be written to Jira`,
    async () => {
      const d = await callBridge<RequestDetail>(s, 'requests:get', { id: hourly.row.id });
      const notices = d.jiraRecord.entries.filter((e) => e.event === 'notice');
      return notices.length === d.grants.length && notices.every((e) => e.state === 'written') ? d : undefined;
    },
    90_000,
    1000,
  );
  await callBridge(s, 'jobs:advanceClock', { minutes: 61 });
  await until(
    `request #${hourly.row.id}'s access to expire and be removed`,
    async () => {
      const d = await callBridge<RequestDetail>(s, 'requests:get', { id: hourly.row.id });
      return d.grants.every((g) => g.status === 'expired') ? d : undefined;
    },
    120_000,
  );
  log(`request #${hourly.row.id}: the 1-hour access expired and was removed`);
  // The person whose drawer the directory shot opens: their new Figma groups are in both IdPs.
  return { featured: hourly.row.id, person: t(0) };
}

/** A change "in Okta" (the sandbox's random realistic changes), read back by an incremental sync. */
async function changeOktaAndSync(s: Bridge, db: string, oktaUrl: string): Promise<void> {
  const connections = await callBridge<ConnectionSummary[]>(s, 'connections:list', {});
  const okta = connections.find((c) => c.kind === 'okta');
  if (!okta) throw new Error('the demo has no Okta connection');
  // The demo keeps the sandbox's admin token where it keeps every credential: in the (private, throw-away) keychain.
  const wsDb = openDatabase(db, { readOnly: true });
  const account = connectionAccount(workspaceId(wsDb), okta.id);
  wsDb.close();
  const secret = await keyringSecretStore().get(account);
  if (!secret) throw new Error('the demo Okta token is not in the keychain');
  const { token } = JSON.parse(secret) as { token: string };
  const res = await fetch(`${oktaUrl}/__sandbox/mutate`, {
    method: 'POST',
    headers: { Authorization: `SSWS ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ count: 40, seed: 7 }),
  });
  if (!res.ok) throw new Error(`POST /__sandbox/mutate: HTTP ${res.status} ${await res.text()}`);
  const runs = await callBridge<SyncRunSummary[]>(s, 'sync:runs', { limit: 1 });
  await callBridge(s, 'sync:start', { connectionId: okta.id, full: false });
  const [run] = await waitForSyncs(s, [okta.id], runs[0]?.id ?? 0);
  log(`40 changes made in Okta; the ${run?.mode ?? '?'} sync recorded ${run?.changes ?? 0} changes`);
}

/** Jobs still to run (Jira write-backs after the sync, the revocations of the expiry). */
async function waitForJobs(s: Bridge): Promise<void> {
  await until(
    'the job queue to drain',
    async () => {
      const [queued, running] = await Promise.all(
        ['queued', 'running'].map((status) => callBridge<{ total: number }>(s, 'jobs:list', { status, limit: 1 })),
      );
      return (queued?.total ?? 0) + (running?.total ?? 0) === 0 ? true : undefined;
    },
    120_000,
    1000,
  );
}

/**
 * Waits until the page shows its content: no skeletons or busy grids, no
 * notifications over it (dismissed), no inline error, and the text unchanged
 * for a second.
 */
async function settle(page: Page, name: string): Promise<void> {
  await page.mouse.move(VIEWPORT.width - 2, VIEWPORT.height - 2);
  let previous = '';
  let stableSince = Date.now();
  const end = Date.now() + 30_000;
  for (;;) {
    await page.evaluate(() => document.querySelectorAll<HTMLButtonElement>('button[aria-label="Dismiss notification"]').forEach((b) => b.click()));
    const state = await page.evaluate(() => ({
      loading: document.querySelectorAll('.skeleton, [aria-busy="true"], .toast').length,
      errors: Array.from(document.querySelectorAll('.inline-error'), (e) => e.textContent ?? ''),
      text: document.body.innerText,
    }));
    if (state.errors.length > 0) throw new Error(`${name}: the page shows an error: ${state.errors.join(' | ')}`);
    if (state.loading > 0 || state.text !== previous) {
      previous = state.text;
      stableSince = Date.now();
    } else if (Date.now() - stableSince >= 1000) return;
    if (Date.now() > end) throw new Error(`${name}: the page did not settle in 30 s (${state.loading} loading placeholders or notifications)`);
    await sleep(200);
  }
}

async function go(page: Page, hash: string): Promise<void> {
  await page.evaluate((h) => (window.location.hash = h), hash);
}

/**
 * `whole`: the page's whole length rather than the first screen (the console
 * scrolls inside its main pane, not the document, so the window is made as
 * tall as the pane's content instead of using fullPage).
 */
async function shoot(page: Page, name: string, taken: string[], o: { whole?: boolean } = {}): Promise<void> {
  await settle(page, name);
  if (o.whole) {
    const height = await page.evaluate(() => {
      const main = document.getElementById('main');
      return main ? main.getBoundingClientRect().top + main.scrollHeight : 0;
    });
    await page.setViewportSize({ width: VIEWPORT.width, height: Math.max(VIEWPORT.height, Math.ceil(height)) });
    await settle(page, name);
  }
  const file = path.join(outDir, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled', caret: 'hide' });
  if (o.whole) await page.setViewportSize(VIEWPORT);
  taken.push(file);
  log(`${name}.png`);
}

async function photograph(served: BridgeAccess, shown: { featured: number; person: UserRow }, readOnly: BridgeAccess): Promise<string[]> {
  const taken: string[] = [];
  browser = await launchChromium();
  // One language and zone wherever it runs, so a retake differs only where the state does.
  const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', reducedMotion: 'reduce', locale: 'en-US', timezoneId: 'UTC' });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  await openConsole(page, served);
  await until('the console to load', async () => ((await page.getByRole('link', { name: 'Dashboard' }).count()) > 0 ? true : undefined));

  await go(page, '#/dashboard');
  await page.getByRole('grid', { name: 'Recent sync runs' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'dashboard', taken);

  await go(page, '#/directory/users');
  await page.getByRole('grid', { name: 'Users' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'people', taken);

  // One person with both accounts, found as an admin would: by name, then their row.
  const person = shown.person;
  await page.getByRole('searchbox', { name: 'Search users' }).fill(person.displayName);
  await page.getByRole('grid', { name: 'Users' }).getByRole('row').filter({ hasText: person.login }).first().click();
  await page.getByRole('region', { name: 'User details' }).getByText(person.displayName).first().waitFor();
  await shoot(page, 'directory', taken);
  await page.getByRole('button', { name: 'Close details' }).click();

  await go(page, '#/directory/groups');
  await page.getByRole('grid', { name: 'Groups' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'groups', taken);

  await go(page, '#/connections');
  await page.getByRole('grid', { name: 'Sync history' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'connections', taken);

  await go(page, '#/changes');
  await shoot(page, 'changes', taken);

  await go(page, '#/catalog');
  await shoot(page, 'catalog', taken);

  await go(page, '#/catalog/suggestions');
  await shoot(page, 'catalog-suggestions', taken);

  await go(page, '#/requests');
  await page.getByRole('grid', { name: 'Requests' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'requests', taken);

  await go(page, `#/requests/${shown.featured}`);
  await page.getByRole('region', { name: 'Timeline' }).waitFor();
  await shoot(page, 'request', taken, { whole: true });

  await go(page, '#/access');
  await shoot(page, 'access', taken);

  await go(page, '#/attention');
  await shoot(page, 'attention', taken);

  await go(page, '#/audit');
  await page.getByRole('grid', { name: 'Audit events' }).getByRole('row').nth(1).waitFor();
  await shoot(page, 'audit', taken);

  // The evidence workbook of the year so far, written beside the demo's workspace file.
  await go(page, '#/evidence');
  await page.getByRole('button', { name: 'Year to date' }).click();
  await page.getByRole('button', { name: 'Export workbook' }).click();
  await page.getByRole('region', { name: 'Workbook written' }).waitFor({ timeout: 180_000 });
  await shoot(page, 'evidence', taken, { whole: true });

  // The saved copy, served read-only: no credentials, nothing can change.
  const ro = await context.newPage();
  await openConsole(ro, readOnly);
  await until('the read-only console to load', async () => ((await ro.getByRole('link', { name: 'Dashboard' }).count()) > 0 ? true : undefined));
  await go(ro, '#/connections');
  await ro.getByRole('grid', { name: 'Sync history' }).getByRole('row').nth(1).waitFor();
  await shoot(ro, 'read-only', taken);

  if (consoleErrors.length > 0) log(`console errors in the page:\n  ${consoleErrors.join('\n  ')}`);
  return taken;
}

async function stopAll(): Promise<void> {
  await browser?.close().catch(() => undefined);
  browser = null;
  await Promise.all(
    [...children].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGTERM');
          setTimeout(() => {
            c.kill('SIGKILL');
            resolve();
          }, 5000).unref();
        }),
    ),
  );
  children.clear();
}

async function main(): Promise<void> {
  const tmp = process.env.LATCHKEY_TEST_TMP;
  if (!inPrivateKeychain || !tmp) {
    throw new Error('run this with `npm run screenshots`: it needs the private D-Bus session and throw-away keychain that test/screenshots.sh starts');
  }
  if (!fs.existsSync(cli) || !fs.existsSync(path.join(repo, 'dist/renderer/index.html'))) throw new Error('the console is not built: run `npm run build` first');
  const began = Date.now();
  const db = path.join(tmp, 'workspace.latchkey');
  const demo = await startDemo(db);
  const s = demo.served;
  log(`demo started at ${s.origin}; waiting for the first syncs of Okta and Entra`);
  const idps = (await callBridge<ConnectionSummary[]>(s, 'connections:list', {})).filter((c) => c.kind !== 'jira').map((c) => c.id);
  await waitForSyncs(s, idps);
  // "Test connection" on each card, as a newcomer would: the cards then name the org, tenant and site.
  for (const c of await callBridge<ConnectionSummary[]>(s, 'connections:list', {})) {
    const r = await callBridge<ConnectionTestResult>(s, 'connections:test', { connectionId: c.id });
    if (!r.ok) throw new Error(`testing ${c.name} failed: ${r.error ?? '?'}`);
  }
  const shown = await buildGovernance(s);
  await changeOktaAndSync(s, db, demo.oktaUrl);
  await waitForJobs(s);

  const copy = path.join(tmp, 'workspace-copy.latchkey');
  latchkey(['--db', db, 'snapshot', 'save', copy]);
  const readOnly = await serveConsole(copy, ['--read-only']);
  children.add(readOnly.child);

  fs.mkdirSync(outDir, { recursive: true });
  const taken = await photograph(s, shown, readOnly);
  await stopAll();
  log(`${taken.length} screenshots in ${path.relative(process.cwd(), outDir) || outDir} (${Math.round((Date.now() - began) / 1000)} s):`);
  for (const f of taken) console.log(`  ${f}`);
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

main().then(
  () => process.exit(0),
  async (e: unknown) => {
    console.error(`screenshots: failed: ${e instanceof Error ? e.message : String(e)}`);
    await stopAll();
    process.exit(1);
  },
);
