// Operator sign-in end to end in the engine, against the sandbox Okta and
// Entra over real HTTP(S), a real SQLite workspace synced from them and the
// real keychain: the browser's part (the sign-in page, the redirect to the
// loopback listener) is played with plain HTTP requests. Shows that the
// operator is the IdP account the ID token names, matched to the snapshot;
// that the session lives in the keychain only, for the configured hours, and
// sign-out removes it; and that a forged state, an IdP error, an account the
// snapshot does not have and bad settings are each refused by name.
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addJiraConnectionInput } from '../../shared/contract.js';
import type { EngineContext } from '../../electron/engine/context.js';
import { workspaceId } from '../../electron/engine/context.js';
import { addConnection } from '../../electron/engine/connections/connections.js';
import { offsetClock } from '../../electron/engine/jobs/clock.js';
import { keyringSecretStore } from '../../electron/engine/secrets/keyring-store.js';
import { memorySecretStore } from '../../electron/engine/secrets/secret-store.js';
import { operatorAccount, readSession } from '../../electron/engine/operator/session.js';
import { beginSignIn, isSandboxWorkspace, operatorStatus, signOut } from '../../electron/engine/operator/sign-in.js';
import { getSettings, updateSignInSettings } from '../../electron/engine/settings/settings.js';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { inPrivateKeychain } from '../helpers/keychain.js';
import { tempDir } from '../helpers/tmp.js';
import { jobsWorkspace, type JobsWorkspace } from './job-helpers.js';

let s: Sandbox;
let w: JobsWorkspace;
let ctx: EngineContext;
// One clock for the sandbox IdPs and the engine: moving it ages codes, tokens and sessions alike.
const clock = offsetClock();

type Res = { status: number; location: string | null; text: string };

/** What a browser does with one URL: GET (or POST a form), no redirect following; https trusts the sandbox CA. */
function browser(url: string, form?: Record<string, string>): Promise<Res> {
  const body = form ? new URLSearchParams(form).toString() : undefined;
  const headers: Record<string, string> = body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {};
  if (url.startsWith('https:')) {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: body ? 'POST' : 'GET', headers, ca: s.graph?.caPem ?? '' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, location: typeof res.headers.location === 'string' ? res.headers.location : null, text: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return fetch(url, { method: body ? 'POST' : 'GET', headers, redirect: 'manual', ...(body !== undefined ? { body } : {}) }).then(async (r) => ({ status: r.status, location: r.headers.get('location'), text: await r.text() }));
}

/** Opens the authorize URL, signs in as `login` on the sandbox page, and follows the redirect to the loopback callback. */
async function signInAs(authorizeUrl: string, login: string): Promise<Res> {
  const page = await browser(authorizeUrl);
  expect(page.status).toBe(200);
  const u = new URL(authorizeUrl);
  const back = await browser(`${u.origin}${u.pathname}`, { ...Object.fromEntries(u.searchParams.entries()), username: login });
  expect(back.status).toBe(302);
  expect(back.location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback\?/);
  return browser(back.location ?? '');
}

const manager = (): { id: string; login: string; email: string; name: string } => {
  const managers = new Set(s.org.users.map((u) => u.managerIndex));
  const u = s.org.users.find((x) => x.status === 'ACTIVE' && managers.has(x.index));
  if (!u) throw new Error('no active manager');
  return { id: u.id, login: u.login, email: u.email, name: `${u.firstName} ${u.lastName}` };
};

beforeAll(async () => {
  s = await startSandbox({ users: 60, seed: 3, jira: false, clock });
  w = await jobsWorkspace(tempDir('signin-'), s);
  ctx = w.ctx;
  ctx.clock = clock;
  // The sign-in session goes to the real keychain (the connections' credentials stayed in the set-up's store).
  ctx.secrets = inPrivateKeychain ? keyringSecretStore(`latchkey-test-signin-${process.pid}`) : memorySecretStore();
});
afterAll(async () => {
  await signOut(ctx).catch(() => undefined);
  await s?.close();
});

describe('sign-in settings', () => {
  it('default to no connection, 8 hours, not required; refuse a Jira connection, an unknown one, and requiring sign-in before it is set up', async () => {
    expect(getSettings(ctx.db).signIn).toEqual({ connectionId: null, clientId: null, sessionHours: 8, required: false });
    expect(() => updateSignInSettings(ctx, { required: true })).toThrow(/cannot be required before a connection and the OIDC app's client id are set/);
    expect(() => updateSignInSettings(ctx, { connectionId: 999 })).toThrow(/no connection 999/);
    const jira = await addConnection(ctx, addJiraConnectionInput.parse({ kind: 'jira', name: 'J', siteUrl: 'http://127.0.0.1:9', email: 'a@b.example', apiToken: 'x'.repeat(24), projectKey: 'ACC' }));
    expect(() => updateSignInSettings(ctx, { connectionId: jira.id })).toThrow(/"J" is a jira connection; operators sign in through Okta or Entra/);
    expect(getSettings(ctx.db).signIn.connectionId).toBeNull();
    await expect(beginSignIn(ctx)).rejects.toThrow(/sign-in is not set up/);
  });
});

describe('through the sandbox Okta', () => {
  beforeAll(() => {
    updateSignInSettings(ctx, { connectionId: w.okta.id, clientId: s.okta.signIn.clientId, sessionHours: 8 });
  });

  it('signs in the account the ID token names, keeps the session in the keychain only, for 8 hours', async () => {
    const m = manager();
    const started = await beginSignIn(ctx);
    const url = new URL(started.authorizeUrl);
    expect(url.origin + url.pathname).toBe(`${s.okta.url}/oauth2/v1/authorize`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('scope')).toBe('openid profile email');
    expect(url.searchParams.get('redirect_uri')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/callback$/);
    const page = await signInAs(started.authorizeUrl, m.login);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`Signed in to Latchkey as ${m.name}`);
    const session = await started.done;
    expect(session).toMatchObject({ connectionId: w.okta.id, idp: 'okta', subject: m.id, email: m.email.toLowerCase(), name: m.name });
    const signedIn = clock.now().getTime();
    expect(Date.parse(session.expiresAt) - Date.parse(session.signedInAt)).toBe(8 * 3_600_000);
    expect(Math.abs(Date.parse(session.signedInAt) - signedIn)).toBeLessThan(5_000);

    // In the keychain, under this workspace; no token kept.
    const raw = await ctx.secrets.get(operatorAccount(workspaceId(ctx.db)));
    expect(JSON.parse(raw ?? '{}')).toEqual(session);
    expect(raw).not.toMatch(/eyJ/);
    expect((await operatorStatus(ctx)).session).toEqual(session);
    // Nothing about the session in SQLite but the audit event of the sign-in.
    const tables = (ctx.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name);
    expect(tables.filter((t) => /session|operator/i.test(t))).toEqual([]);
    const event = ctx.db.prepare("SELECT actor, target_id FROM audit_events WHERE action = 'operator.signed-in' ORDER BY seq DESC LIMIT 1").get() as { actor: string; target_id: string };
    expect(event).toEqual({ actor: m.email.toLowerCase(), target_id: String(w.okta.id) });

    // A second later than 8 hours minus a second, it is still there; at 8 hours it is gone (and removed from the keychain).
    clock.advance(Date.parse(session.expiresAt) - clock.now().getTime() - 1000);
    expect((await readSession(ctx))?.subject).toBe(m.id);
    clock.advance(1000);
    expect(await readSession(ctx)).toBeNull();
    expect(await ctx.secrets.get(operatorAccount(workspaceId(ctx.db)))).toBeNull();
  });

  it('sign-out removes the session from the keychain and records it', async () => {
    const m = manager();
    const started = await beginSignIn(ctx);
    await signInAs(started.authorizeUrl, m.login);
    await started.done;
    expect(await signOut(ctx)).toBe(true);
    expect(await readSession(ctx)).toBeNull();
    expect(await ctx.secrets.get(operatorAccount(workspaceId(ctx.db)))).toBeNull();
    expect(ctx.db.prepare("SELECT actor FROM audit_events WHERE action = 'operator.signed-out' ORDER BY seq DESC LIMIT 1").get()).toEqual({ actor: m.email.toLowerCase() });
  });

  it('refuses a redirect whose state is not this sign-in\'s, and nobody is signed in', async () => {
    const started = await beginSignIn(ctx);
    const redirect = new URL(started.authorizeUrl).searchParams.get('redirect_uri') ?? '';
    const res = await browser(`${redirect}?code=stolen-code&state=forged-state`);
    expect(res.status).toBe(400);
    expect(res.text).toMatch(/state that is not this sign-in&#39;s/);
    await expect(started.done).rejects.toThrow(/state that is not this sign-in's \(a forged or stale redirect\)/);
    expect(await readSession(ctx)).toBeNull();
    // The listener is done: a later, genuine-looking callback is not accepted either.
    await expect(browser(`${redirect}?code=x&state=y`)).rejects.toThrow();
  });

  it("names the IdP's refusal when the browser comes back with an error", async () => {
    const started = await beginSignIn(ctx);
    const u = new URL(started.authorizeUrl);
    const redirect = u.searchParams.get('redirect_uri') ?? '';
    await browser(`${redirect}?error=access_denied&error_description=${encodeURIComponent('User is not assigned to the client application.')}&state=${u.searchParams.get('state') ?? ''}`);
    await expect(started.done).rejects.toThrow(/the IdP refused the sign-in: access_denied \(User is not assigned to the client application\.\)/);
  });

  it('refuses an IdP account the snapshot does not have (created after the last sync)', async () => {
    const id = s.mutations.createUser({ firstName: 'Nova', lastName: 'Late', department: s.org.departments[0]?.name ?? '', city: s.org.locations[0]?.city ?? '', title: 'Analyst', employmentType: 'Employee' }, { activate: true });
    const login = s.oktaState.org.users[s.oktaState.findUser(id) ?? -1]?.login ?? '';
    const started = await beginSignIn(ctx);
    const page = await signInAs(started.authorizeUrl, login);
    expect(page.status).toBe(400);
    await expect(started.done).rejects.toThrow(new RegExp(`${login.replace(/[.+]/g, '\\$&')} \\(${id}\\) is not in this workspace's snapshot of "Okta"; sync it first`));
  });

  it('a workspace whose connections are all on loopback is a sandbox one ("Acting as" allowed there only)', () => {
    expect(isSandboxWorkspace(ctx.db)).toBe(true);
  });
});

describe('through the sandbox Entra', () => {
  it('signs in the account the ID token names by its object id (oid), in the connection tenant', async () => {
    const entra = w.entra;
    const g = s.graph;
    if (!entra || !g) throw new Error('no Entra');
    updateSignInSettings(ctx, { connectionId: entra.id, clientId: g.signIn.clientId, sessionHours: 1.5 });
    const m = manager();
    const started = await beginSignIn(ctx);
    expect(started.authorizeUrl.startsWith(`${g.url}/${g.tenantId}/oauth2/v2.0/authorize?`)).toBe(true);
    const page = await signInAs(started.authorizeUrl, m.email);
    expect(page.status).toBe(200);
    const session = await started.done;
    const index = s.org.users.findIndex((u) => u.email === m.email);
    expect(session).toMatchObject({ idp: 'entra', connectionId: entra.id, subject: s.graphServer?.directory.userId(index), email: m.email.toLowerCase(), name: m.name });
    expect(Date.parse(session.expiresAt) - Date.parse(session.signedInAt)).toBe(1.5 * 3_600_000);
    await signOut(ctx);
  });

  it('refuses when the configured client id is for another app: the IdP never redirects back', async () => {
    const entra = w.entra;
    if (!entra) throw new Error('no Entra');
    updateSignInSettings(ctx, { connectionId: entra.id, clientId: s.okta.signIn.clientId });
    const started = await beginSignIn(ctx, { timeoutMs: 2000 });
    const page = await browser(started.authorizeUrl);
    expect(page.status).toBe(400);
    expect(page.text).toMatch(/AADSTS700016/);
    await expect(started.done).rejects.toThrow(/not completed within/);
  });
});
