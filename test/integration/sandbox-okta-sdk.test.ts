// The official Okta SDK against the sandbox: if @okta/okta-sdk-nodejs can
// page through it, parse every object and authenticate with both API tokens
// and OAuth private-key JWTs, the connector built on the SDK will too.
import { Client } from '@okta/okta-sdk-nodejs';
import { createPrivateKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxInfoLine, startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';

let s: Sandbox;
const requests: string[] = [];

beforeAll(async () => {
  s = await startSandbox({ users: 8000, seed: 4 });
});
afterAll(async () => {
  await s.close();
});

function tokenClient(): Client {
  const client = new Client({ orgUrl: s.okta.url, token: s.okta.token, cacheMiddleware: null });
  client.requestExecutor.on('request', (req: { url: string }) => requests.push(req.url));
  return client;
}

async function drain<T>(collection: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of collection) if (item !== null) out.push(item);
  return out;
}

describe('@okta/okta-sdk-nodejs with an API token', () => {
  it('pages through every user with listUsers({ limit: 200 })', async () => {
    requests.length = 0;
    const client = tokenClient();
    const users = await drain(await client.userApi.listUsers({ limit: 200 }));
    const expected = s.org.users.filter((u) => u.status !== 'DEPROVISIONED');
    expect(users.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(requests.length).toBeGreaterThanOrEqual(Math.ceil(expected.length / 200));
    const sample = users[1];
    expect(sample?.profile?.login).toBe(expected[1]?.login);
    expect(sample?.lastUpdated).toBeInstanceOf(Date);
  });

  it('lists groups (one page and paged) and group members', async () => {
    const client = tokenClient();
    const groups = await drain(await client.groupApi.listGroups());
    expect(groups.map((g) => g.id)).toEqual(s.org.groups.map((g) => g.id));
    const paged = await drain(await client.groupApi.listGroups({ limit: 100 }));
    expect(paged.length).toBe(s.org.groups.length);
    const appGroup = groups.find((g) => g.type === 'APP_GROUP');
    expect(appGroup?.profile?.name).toEqual(expect.any(String));

    requests.length = 0;
    const everyone = groups.find((g) => g.type === 'BUILT_IN');
    const members = await drain(await client.groupApi.listGroupUsers({ groupId: everyone?.id ?? '' }));
    expect(members.length).toBe(8000);
    expect(new Set(members.map((m) => m.id)).size).toBe(8000);
    expect(requests.length).toBe(8);
    const team = s.org.groups.find((g) => g.kind === 'team');
    const teamMembers = await drain(await client.groupApi.listGroupUsers({ groupId: team?.id ?? '' }));
    expect(teamMembers.map((m) => m.id).sort()).toEqual(Array.from(s.org.memberships.members(team?.index ?? -1)).map((i) => s.org.users[i]?.id).sort());
  });

  it('lists apps, including the Active Directory app whose signOnMode is null, and pages app group assignments', async () => {
    const client = tokenClient();
    const apps = await drain(await client.applicationApi.listApplications());
    expect(apps.map((a) => a.id)).toEqual(s.org.apps.filter((a) => a.status === 'ACTIVE').map((a) => a.id));
    // The SDK parses an app with a null signOnMode as the base Application
    // model, which has no `name`: the orn still says what it is.
    const ad = apps.find((a) => a.label === `corp.${s.org.company.domain}`);
    expect(ad?.orn).toContain(':apps:active_directory:');
    expect(ad?.signOnMode ?? null).toBeNull();
    const aws = s.org.apps.find((a) => a.name === 'amazon_aws');
    expect(aws?.assignments.length).toBeGreaterThan(20);
    requests.length = 0;
    const assigned = await drain(await client.applicationApi.listApplicationGroupAssignments({ appId: aws?.id ?? '' }));
    expect(assigned.map((a) => a.id)).toEqual(aws?.assignments.map((a) => s.org.groups[a.group]?.id));
    expect(requests.length).toBe(2);
  });

  it('reads the token owner, org settings and System Log, and changes a membership', async () => {
    const client = tokenClient();
    const me = await client.userApi.getUser({ userId: 'me' });
    expect(me.id).toBe(s.org.users[s.org.admins.superAdmin]?.id);
    const org = await client.orgSettingApi.getOrgSettings();
    expect(org.companyName).toBe(s.org.company.name);
    const logs = await client.systemLogApi.listLogEvents({ limit: 10 });
    const first = await logs.next();
    expect(first.value?.eventType).toEqual(expect.any(String));
    const group = s.org.groups.find((g) => g.kind === 'project');
    const user = s.org.users.find((u) => !s.org.memberships.has(group?.index ?? -1, u.index));
    await client.groupApi.assignUserToGroup({ groupId: group?.id ?? '', userId: user?.id ?? '' });
    expect(s.org.memberships.has(group?.index ?? -1, user?.index ?? -1)).toBe(true);
    await client.groupApi.unassignUserFromGroup({ groupId: group?.id ?? '', userId: user?.id ?? '' });
    expect(s.org.memberships.has(group?.index ?? -1, user?.index ?? -1)).toBe(false);
  });

  it("surfaces Okta's error body through OktaApiError", async () => {
    const client = tokenClient();
    await expect(client.userApi.getUser({ userId: 'nobody@example.com' })).rejects.toMatchObject({ status: 404, errorCode: 'E0000007' });
    const bad = new Client({ orgUrl: s.okta.url, token: 'revoked', cacheMiddleware: null });
    await expect(bad.userApi.getUser({ userId: 'me' })).rejects.toMatchObject({ status: 401, errorCode: 'E0000011', errorSummary: 'Invalid token provided' });
  });

  it('retries an injected 429 after X-Rate-Limit-Reset and succeeds', async () => {
    // Okta's SDK waits until X-Rate-Limit-Reset (measured against the Date
    // header) before retrying, so both headers must be consistent.
    const clockAt = { now: () => new Date(Math.floor(Date.now() / 60_000) * 60_000 + 59_000) };
    const limited = await startSandbox({ users: 20, seed: 2, clock: clockAt });
    try {
      limited.faults.add({ match: '/api/v1/org', kind: '429' });
      const client = new Client({ orgUrl: limited.okta.url, token: limited.okta.token, cacheMiddleware: null });
      const seen: number[] = [];
      client.requestExecutor.on('response', (res: { status: number }) => seen.push(res.status));
      const org = await client.orgSettingApi.getOrgSettings();
      expect(org.id).toBe(limited.org.company.id);
      expect(seen).toEqual([429, 200]);
    } finally {
      await limited.close();
    }
  });
});

describe('@okta/okta-sdk-nodejs with an OAuth service app (PrivateKey mode)', () => {
  it('obtains a token from /oauth2/v1/token with a signed JWT and calls the API with it', async () => {
    const info = (JSON.parse(sandboxInfoLine(s)) as { okta: { url: string; oauth: { clientId: string; privateKeyPem: string; keyId: string } } }).okta;
    const client = new Client({
      orgUrl: info.url,
      authorizationMode: 'PrivateKey',
      clientId: info.oauth.clientId,
      scopes: ['okta.users.read', 'okta.groups.read'],
      privateKey: info.oauth.privateKeyPem,
      keyId: info.oauth.keyId,
      cacheMiddleware: null,
    });
    const page = await client.userApi.listUsers({ limit: 5 });
    const first = await page.next();
    expect(first.value?.id).toBe(s.org.users[0]?.id);
    const groups = await client.groupApi.listGroups({ limit: 3 });
    expect((await groups.next()).value?.profile?.name).toBe('Everyone');
    // Scopes are enforced: apps were not requested.
    await expect(drain(await client.applicationApi.listApplications())).rejects.toMatchObject({ status: 403, errorCode: 'E0000006' });
  });

  it('also accepts the key in PKCS#1 form, and fails cleanly for a scope the app lacks', async () => {
    const pkcs1 = createPrivateKey(s.okta.oauth.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    const client = new Client({ orgUrl: s.okta.url, authorizationMode: 'PrivateKey', clientId: s.okta.oauth.clientId, scopes: ['okta.logs.read'], privateKey: pkcs1, cacheMiddleware: null });
    const logs = await client.systemLogApi.listLogEvents({ limit: 1 });
    expect((await logs.next()).value?.uuid).toEqual(expect.any(String));
    const greedy = new Client({ orgUrl: s.okta.url, authorizationMode: 'PrivateKey', clientId: s.okta.oauth.clientId, scopes: ['okta.users.manage'], privateKey: pkcs1, cacheMiddleware: null });
    const tokenReplies: { status: number; body: string }[] = [];
    greedy.requestExecutor.on('response', (res: { status: number; url: string; clone: () => { text: () => Promise<string> } }) => {
      if (res.url.endsWith('/oauth2/v1/token')) void res.clone().text().then((body) => tokenReplies.push({ status: res.status, body }));
    });
    // The token endpoint refuses the scope (400 invalid_scope); SDK 8.1 then
    // goes on without a token, so what the caller sees is a 401.
    await expect(greedy.userApi.getUser({ userId: s.org.users[0]?.id ?? '' })).rejects.toMatchObject({ status: 401, errorCode: 'E0000011' });
    expect(tokenReplies[0]?.status).toBe(400);
    expect(JSON.parse(tokenReplies[0]?.body ?? '{}')).toMatchObject({ error: 'invalid_scope' });
  });
});
