// The sandbox's Okta API over real HTTP: shapes checked against the Okta
// OpenAPI spec, paging, search/filter, auth, OAuth, rate limits, faults, and
// membership changes showing up in System Log polling.
import { createHash, createPrivateKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OKTA_ROUTES } from '../../electron/sandbox/okta-routes.js';
import type { OrgGroup, OrgUser } from '../../electron/sandbox/org-model.js';
import { sandboxInfoLine, startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';
import { loadOktaSpec, operation, schemaOf, validate, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

type Json = Record<string, unknown>;
type Res = { status: number; headers: Headers; text: string; json: unknown };

const START = Date.parse('2026-03-02T10:00:00.000Z');
const clock = { t: START, now(): Date { return new Date(this.t); } };
const sleeps: number[] = [];
let spec: OpenApiSpec;
let s: Sandbox;

beforeAll(async () => {
  spec = loadOktaSpec();
  s = await startSandbox({ users: 600, seed: 11, clock, sleep: (ms) => { sleeps.push(ms); return Promise.resolve(); } });
});
afterAll(async () => {
  await s.close();
});

async function call(path: string, init: { token?: string | null; bearer?: string; method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Res> {
  const headers: Record<string, string> = { Accept: 'application/json', ...init.headers };
  if (init.bearer) headers.Authorization = `Bearer ${init.bearer}`;
  else if (init.token !== null) headers.Authorization = `SSWS ${init.token ?? s.okta.token}`;
  const res = await fetch(path.startsWith('http') ? path : `${s.okta.url}${path}`, { method: init.method ?? 'GET', headers, ...(init.body !== undefined ? { body: init.body } : {}) });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? (JSON.parse(text) as unknown) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, text, json };
}

function links(res: Res): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of (res.headers.get('link') ?? '').matchAll(/<([^>]+)>;\s*rel="(\w+)"/g)) out[m[2] as string] = m[1] as string;
  return out;
}

/** Follows rel="next" from `path`, returning every item once per page seen. */
async function collect(path: string, opts: { token?: string; bearer?: string } = {}): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let url: string | undefined = path;
  let pages = 0;
  while (url) {
    const res = await call(url, opts);
    expect(res.status, res.text).toBe(200);
    items.push(...(res.json as Json[]));
    pages++;
    url = links(res).next;
    expect(pages).toBeLessThan(500);
  }
  return { items, pages };
}

const expectValid = (method: string, template: string, status: number, body: unknown): void => {
  expect(validateResponse(spec, method, template, status, body)).toEqual([]);
};
const expectOktaError = (res: Res, status: number, code: string): Json => {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const body = res.json as Json;
  expect(body.errorCode).toBe(code);
  expect(validate(spec, schemaOf(spec, 'Error'), body)).toEqual([]);
  expect(body).toMatchObject({ errorLink: code, errorCauses: expect.any(Array) as unknown });
  expect(body.errorId).toEqual(expect.any(String));
  return body;
};

const users = (): OrgUser[] => s.org.users;
const groupNamed = (name: string): OrgGroup => {
  const g = s.org.groups.find((x) => x.name === name);
  if (!g) throw new Error(`no group ${name}`);
  return g;
};

describe('response shapes match the Okta OpenAPI spec', () => {
  it('users: list, get (by id, login, me), groups, roles', async () => {
    const list = await call('/api/v1/users?limit=200');
    expectValid('GET', '/api/v1/users', 200, list.json);
    expect((list.json as Json[]).length).toBe(200);
    expect(list.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    const first = (list.json as Json[])[0] as Json;
    expect(Object.keys(first)).toEqual(['id', 'status', 'created', 'activated', 'statusChanged', 'lastLogin', 'lastUpdated', 'passwordChanged', 'type', 'profile', 'credentials', '_links']);
    const ceo = users()[0] as OrgUser;
    const byId = await call(`/api/v1/users/${ceo.id}`);
    expectValid('GET', '/api/v1/users/{id}', 200, byId.json);
    expect((byId.json as { profile: Json }).profile).toMatchObject({ login: ceo.login, title: 'Chief Executive Officer', department: 'Executive' });
    const byLogin = await call(`/api/v1/users/${encodeURIComponent(ceo.login.toUpperCase())}`);
    expect((byLogin.json as Json).id).toBe(ceo.id);
    const me = await call('/api/v1/users/me');
    expect((me.json as Json).id).toBe(users()[s.org.admins.superAdmin]?.id);
    const someone = users().find((u) => u.managerIndex > 0 && u.status === 'ACTIVE') as OrgUser;
    const profile = ((await call(`/api/v1/users/${someone.id}`)).json as { profile: Json }).profile;
    expect(profile.managerId).toBe(users()[someone.managerIndex]?.id);
    const groups = await call(`/api/v1/users/${someone.id}/groups`);
    expectValid('GET', '/api/v1/users/{id}/groups', 200, groups.json);
    expect((groups.json as Json[]).map((g) => g.id)).toEqual(Array.from(s.org.memberships.groupsOf(someone.index)).map((g) => s.org.groups[g]?.id));
    const roles = await call(`/api/v1/users/${users()[s.org.admins.superAdmin]?.id}/roles`);
    expectValid('GET', '/api/v1/users/{userId}/roles', 200, roles.json);
    expect((roles.json as Json[]).map((r) => r.type)).toEqual(['SUPER_ADMIN']);
    const roRoles = await call(`/api/v1/users/${users()[s.org.admins.readOnlyAdmin]?.id}/roles`);
    expect((roRoles.json as Json[]).map((r) => r.type)).toEqual(['READ_ONLY_ADMIN']);
    expect((await call(`/api/v1/users/${someone.id}/roles`)).json).toEqual([]);
  });

  it('groups: list (with stats), get, members, rules', async () => {
    const list = await call('/api/v1/groups?expand=stats');
    expectValid('GET', '/api/v1/groups', 200, list.json);
    const all = list.json as Json[];
    expect(all.length).toBe(s.org.groups.length);
    const adGroup = all.find((g) => g.type === 'APP_GROUP') as { objectClass: string[]; profile: Json; _links: Json };
    expect(adGroup.objectClass).toEqual(['okta:windows_security_principal']);
    expect(adGroup.profile.samAccountName).toEqual(expect.any(String));
    expect(adGroup._links.source).toBeDefined();
    const everyone = all.find((g) => g.type === 'BUILT_IN') as { _embedded: { stats: { usersCount: number } } };
    expect(everyone._embedded.stats.usersCount).toBe(600);
    const dept = groupNamed('dept-engineering');
    const one = await call(`/api/v1/groups/${dept.id}`);
    expectValid('GET', '/api/v1/groups/{groupId}', 200, one.json);
    const members = await call(`/api/v1/groups/${dept.id}/users`);
    expectValid('GET', '/api/v1/groups/{groupId}/users', 200, members.json);
    expect((members.json as Json[]).every((u) => (u.profile as Json).department === 'Engineering')).toBe(true);
    expect(links(members).self).toBe(`${s.okta.url}/api/v1/groups/${dept.id}/users?limit=1000`);
    const rules = await call('/api/v1/groups/rules?limit=200&expand=groupIdToGroupNameMap');
    expectValid('GET', '/api/v1/groups/rules', 200, rules.json);
    const rule = (rules.json as Json[]).find((r) => (r.name as string) === 'Department: Engineering') as { conditions: { expression: { value: string } }; actions: { assignUserToGroups: { groupIds: string[] } }; _embedded: { groupIdToGroupNameMap: Json } };
    expect(rule.conditions.expression.value).toBe('user.department=="Engineering"');
    expect(rule.actions.assignUserToGroups.groupIds).toEqual([dept.id]);
    expect(rule._embedded.groupIdToGroupNameMap[dept.id]).toBe('dept-engineering');
  });

  it('group owners: listed per group with their type, paged with after, filtered by type; none for rule groups; 404 for an unknown group', async () => {
    const owned: [number, number[]][] = [...s.org.groupOwners.entries()];
    expect(owned.length).toBeGreaterThan(0);
    const pick = owned.find(([, o]) => o.length > 1);
    if (!pick) throw new Error('no group with two owners');
    const [gi, ownerIdx] = pick;
    const group = s.org.groups[gi] as OrgGroup;
    const res = await call(`/api/v1/groups/${group.id}/owners`);
    expectValid('GET', '/api/v1/groups/{groupId}/owners', 200, res.json);
    expect(res.json).toEqual(ownerIdx.map((u) => {
      const user = users()[u] as OrgUser;
      return { id: user.id, type: 'USER', resolved: true, originType: 'OKTA_DIRECTORY', displayName: `${user.firstName} ${user.lastName}`, lastUpdated: new Date(group.lastUpdated).toISOString() };
    }));
    const paged = await collect(`/api/v1/groups/${group.id}/owners?limit=1`);
    expect(paged.items.map((o) => o.id)).toEqual(ownerIdx.map((u) => users()[u]?.id));
    expect(paged.pages).toBe(ownerIdx.length);
    expect(((await call(`/api/v1/groups/${group.id}/owners?search=${encodeURIComponent('type eq "GROUP"')}`)).json as Json[])).toEqual([]);
    expect(((await call(`/api/v1/groups/${group.id}/owners?search=${encodeURIComponent('type eq "USER"')}`)).json as Json[]).length).toBe(ownerIdx.length);
    expectOktaError(await call(`/api/v1/groups/${group.id}/owners?search=${encodeURIComponent('displayName eq "x"')}`), 400, 'E0000031');
    const dept = groupNamed('dept-engineering');
    const none = await call(`/api/v1/groups/${dept.id}/owners`);
    expectValid('GET', '/api/v1/groups/{groupId}/owners', 200, none.json);
    expect(none.json).toEqual([]);
    // One owner is no longer active, and Okta still lists them.
    const inactive = owned.flatMap(([, o]) => o).filter((u) => users()[u]?.status !== 'ACTIVE');
    expect(inactive.length).toBeGreaterThan(0);
    expectOktaError(await call('/api/v1/groups/00gNOPE/owners'), 404, 'E0000007');
  });

  it('apps: list, get, group assignments (the AD app has signOnMode null, as real Okta)', async () => {
    const list = await call('/api/v1/apps');
    const apps = list.json as Json[];
    expect(apps.length).toBe(s.org.apps.filter((a) => a.status === 'ACTIVE').length);
    // Okta returns signOnMode: null for the Active Directory integration
    // although its own spec requires the field; everything else conforms.
    const ad = apps.find((a) => a.name === 'active_directory') as Json;
    expect(ad.signOnMode).toBeNull();
    expectValid('GET', '/api/v1/apps', 200, apps.filter((a) => a !== ad));
    expect(new Set(apps.map((a) => a.signOnMode))).toEqual(new Set(s.org.apps.filter((a) => a.status === 'ACTIVE').map((a) => a.signOnMode)));
    const sf = s.org.apps.find((a) => a.name === 'salesforce');
    const one = await call(`/api/v1/apps/${sf?.id}`);
    expectValid('GET', '/api/v1/apps/{appId}', 200, one.json);
    const assigned = await call(`/api/v1/apps/${sf?.id}/groups?expand=group`);
    expectValid('GET', '/api/v1/apps/{appId}/groups', 200, assigned.json);
    const rows = assigned.json as { id: string; priority: number; _embedded: { group: Json } }[];
    expect(rows.map((r) => r.id)).toEqual(sf?.assignments.map((a) => s.org.groups[a.group]?.id));
    expect(rows.map((r) => r.priority)).toEqual(rows.map((_, i) => i));
    expect(rows[0]?._embedded.group.id).toBe(rows[0]?.id);
  });

  it('logs and org settings', async () => {
    const logs = await call('/api/v1/logs?limit=50');
    expect((logs.json as Json[]).length).toBe(50);
    expectValid('GET', '/api/v1/logs', 200, logs.json);
    const org = await call('/api/v1/org');
    expectValid('GET', '/api/v1/org', 200, org.json);
    expect(org.json).toMatchObject({ companyName: s.org.company.name, subdomain: s.org.company.subdomain, status: 'ACTIVE' });
  });

  it('errors use the Okta error body', async () => {
    const missing = expectOktaError(await call('/api/v1/users/nobody@example.com'), 404, 'E0000007');
    expect(missing.errorSummary).toBe('Not found: Resource not found: nobody@example.com (User)');
    const noGroup = expectOktaError(await call('/api/v1/groups/00gMISSING/users'), 404, 'E0000007');
    expect(noGroup.errorSummary).toBe('Not found: Resource not found: 00gMISSING (UserGroup)');
    expectOktaError(await call('/api/v1/apps/0oaMISSING'), 404, 'E0000007');
    expectOktaError(await call('/api/v1/users?search=status%20eq'), 400, 'E0000031');
    expectOktaError(await call('/api/v1/users?limit=abc'), 400, 'E0000001');
    expectOktaError(await call('/api/v1/users', { method: 'POST', body: '{}' }), 405, 'E0000022');
  });
});

describe('paging', () => {
  it('users: rel="next" with `after` covers every non-deactivated user exactly once', async () => {
    const { items, pages } = await collect('/api/v1/users?limit=50');
    const expected = users().filter((u) => u.status !== 'DEPROVISIONED').map((u) => u.id);
    expect(items.map((u) => u.id)).toEqual(expected);
    expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 50));
    const page = await call('/api/v1/users?limit=50');
    const next = new URL(links(page).next as string);
    expect(next.searchParams.get('after')).toBe((page.json as Json[])[49]?.id);
    expect(next.searchParams.get('limit')).toBe('50');
    expect(links(page).self).toBe(`${s.okta.url}/api/v1/users?limit=50`);
  });

  it('caps limit at 200 for users and rejects a non-positive one', async () => {
    const big = await call('/api/v1/users?limit=1000');
    expect((big.json as Json[]).length).toBe(200);
    expect(links(big).self).toContain('limit=200');
    expectOktaError(await call('/api/v1/users?limit=0'), 400, 'E0000001');
  });

  it('group members, groups, rules and apps page the same way', async () => {
    const everyone = groupNamed('Everyone');
    const members = await collect(`/api/v1/groups/${everyone.id}/users?limit=100`);
    expect(members.items.map((u) => u.id)).toEqual(users().map((u) => u.id));
    expect(members.pages).toBe(6);
    const groups = await collect('/api/v1/groups?limit=7');
    expect(groups.items.map((g) => g.id)).toEqual(s.org.groups.map((g) => g.id));
    const rules = await collect('/api/v1/groups/rules?limit=5');
    expect(rules.items.map((r) => r.id)).toEqual(s.org.rules.map((r) => r.id));
    const apps = await collect('/api/v1/apps?limit=5');
    expect(apps.items.map((a) => a.id)).toEqual(s.org.apps.filter((a) => a.status === 'ACTIVE').map((a) => a.id));
    expect(apps.pages).toBeGreaterThan(1);
  });

  it('an unknown cursor is refused', async () => {
    expectOktaError(await call('/api/v1/users?after=00uNOPE'), 400, 'E0000001');
  });
});

describe('search, filter and q', () => {
  it('omits DEPROVISIONED from a plain list, returns them to search and filter', async () => {
    const deprovisioned = users().filter((u) => u.status === 'DEPROVISIONED');
    expect(deprovisioned.length).toBeGreaterThan(0);
    const viaFilter = await collect(`/api/v1/users?filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`);
    expect(viaFilter.items.map((u) => u.id)).toEqual(deprovisioned.map((u) => u.id));
    const viaSearch = await collect(`/api/v1/users?search=${encodeURIComponent('status eq "deprovisioned"')}`);
    expect(viaSearch.items.length).toBe(deprovisioned.length);
  });

  it('searches profile attributes with eq/sw/co, and/or, dates', async () => {
    const eng = await collect(`/api/v1/users?search=${encodeURIComponent('profile.department eq "Engineering" and status eq "ACTIVE"')}`);
    const expectedEng = users().filter((u) => s.org.departments[u.department]?.name === 'Engineering' && u.status === 'ACTIVE');
    expect(eng.items.map((u) => u.id)).toEqual(expectedEng.map((u) => u.id));
    const target = users()[42] as OrgUser;
    const sw = await collect(`/api/v1/users?search=${encodeURIComponent(`profile.lastName sw "${target.lastName.slice(0, 3).toLowerCase()}"`)}`);
    expect(sw.items.map((u) => u.id)).toContain(target.id);
    expect(sw.items.every((u) => ((u.profile as Json).lastName as string).toLowerCase().startsWith(target.lastName.slice(0, 3).toLowerCase()))).toBe(true);
    const either = await collect(`/api/v1/users?search=${encodeURIComponent('profile.userType eq "Partner" or profile.userType eq "Contractor"')}`);
    expect(either.items.length).toBe(users().filter((u) => u.employmentType !== 'Employee').length);
    const cutoff = new Date(START - 30 * 86_400_000).toISOString();
    const recent = await collect(`/api/v1/users?filter=${encodeURIComponent(`lastUpdated gt "${cutoff}"`)}`);
    expect(recent.items.length).toBe(users().filter((u) => u.lastUpdated > Date.parse(cutoff)).length);
    expect(recent.items.length).toBeGreaterThan(0);
  });

  it('restricts `filter` to what Okta supports', async () => {
    expectOktaError(await call(`/api/v1/users?filter=${encodeURIComponent('profile.department eq "Sales"')}`), 400, 'E0000031');
    expectOktaError(await call(`/api/v1/users?filter=${encodeURIComponent('status sw "ACT"')}`), 400, 'E0000031');
    expectOktaError(await call(`/api/v1/users?search=${encodeURIComponent('profile.noSuchAttribute eq "x"')}`), 400, 'E0000031');
  });

  it('q is a prefix match with a default limit of 10 and no paging', async () => {
    const target = users()[5] as OrgUser;
    const res = await call(`/api/v1/users?q=${encodeURIComponent(target.firstName.slice(0, 2))}`);
    const found = res.json as Json[];
    expect(found.length).toBeLessThanOrEqual(10);
    expect(found.length).toBeGreaterThan(0);
    expect(links(res).next).toBeUndefined();
    const byEmail = await call(`/api/v1/users?q=${encodeURIComponent(target.email)}`);
    expect((byEmail.json as Json[]).map((u) => u.id)).toContain(target.id);
  });

  it('filters and searches groups; q on group names', async () => {
    const apps = await collect(`/api/v1/groups?filter=${encodeURIComponent('type eq "APP_GROUP"')}`);
    expect(apps.items.map((g) => g.id)).toEqual(s.org.groups.filter((g) => g.type === 'APP_GROUP').map((g) => g.id));
    const since = new Date(START - 3 * 86_400_000).toISOString();
    const changed = await collect(`/api/v1/groups?filter=${encodeURIComponent(`lastMembershipUpdated gt "${since}"`)}`);
    expect(changed.items.length).toBe(s.org.groups.filter((g) => g.lastMembershipUpdated > Date.parse(since)).length);
    const named = await call('/api/v1/groups?q=app-figma');
    expect((named.json as { profile: Json }[]).map((g) => g.profile.name).sort()).toEqual(s.org.groups.filter((g) => g.name.startsWith('app-figma')).map((g) => g.name).sort());
    const searched = await collect(`/api/v1/groups?search=${encodeURIComponent('profile.name sw "dept-" and type eq "OKTA_GROUP"')}`);
    expect(searched.items.length).toBe(s.org.departments.length);
  });

  it('filters apps by status; includeNonDeleted brings inactive ones', async () => {
    const active = await call(`/api/v1/apps?filter=${encodeURIComponent('status eq "ACTIVE"')}`);
    expect((active.json as Json[]).every((a) => a.status === 'ACTIVE')).toBe(true);
    const all = await call('/api/v1/apps?includeNonDeleted=true');
    expect((all.json as Json[]).length).toBe(s.org.apps.length);
  });
});

describe('authentication and authorisation', () => {
  it('401 E0000011 without a token or with a bad one', async () => {
    expectOktaError(await call('/api/v1/users', { token: null }), 401, 'E0000011');
    const bad = expectOktaError(await call('/api/v1/users', { token: 'not-a-token' }), 401, 'E0000011');
    expect(bad.errorSummary).toBe('Invalid token provided');
    const bearer = await call('/api/v1/users', { bearer: 'forged' });
    expectOktaError(bearer, 401, 'E0000011');
    expect(bearer.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('the read-only admin token reads but cannot write', async () => {
    expect((await call('/api/v1/groups?limit=1', { token: s.okta.readOnlyToken })).status).toBe(200);
    const g = s.org.groups.find((x) => x.type === 'OKTA_GROUP' && x.rule < 0 && !s.org.memberships.has(x.index, 1)) as OrgGroup;
    const logSize = s.log.size();
    const res = await call(`/api/v1/groups/${g.id}/users/${users()[1]?.id}`, { token: s.okta.readOnlyToken, method: 'PUT' });
    expectOktaError(res, 403, 'E0000006');
    expect(res.headers.get('www-authenticate')).toBeNull();
    expect(s.org.memberships.has(g.index, 1)).toBe(false);
    expect(s.log.size()).toBe(logSize);
  });

  it('the spec and the route table agree on every operation and its OAuth scope', () => {
    for (const route of OKTA_ROUTES) {
      const op = operation(spec, route.method, route.path);
      expect(op.operationId).toBe(route.operationId);
      const oauth = op.security?.find((x) => 'oauth2' in x)?.oauth2;
      expect(oauth, route.path).toEqual([route.scope]);
    }
  });
});

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function clientAssertion(o: { pem?: string; clientId?: string; aud?: string; exp?: number; iat?: number; jti?: string; kid?: string } = {}): string {
  const now = Math.floor(clock.now().getTime() / 1000);
  const clientId = o.clientId ?? s.okta.oauth.clientId;
  const header = { alg: 'RS256', typ: 'JWT', ...(o.kid !== undefined ? { kid: o.kid } : {}) };
  const claims = { iss: clientId, sub: clientId, aud: o.aud ?? `${s.okta.url}/oauth2/v1/token`, iat: o.iat ?? now, exp: o.exp ?? now + 300, jti: o.jti ?? randomUUID() };
  const data = `${b64(header)}.${b64(claims)}`;
  const signature = sign('sha256', Buffer.from(data), createPrivateKey(o.pem ?? s.okta.oauth.privateKeyPem)).toString('base64url');
  return `${data}.${signature}`;
}

async function tokenRequest(form: Record<string, string>): Promise<Res> {
  return call('/oauth2/v1/token', { token: null, method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
}

const grant = (scope: string, assertion = clientAssertion()): Promise<Res> =>
  tokenRequest({ grant_type: 'client_credentials', scope, client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: assertion });

describe('OAuth service app (client_credentials + private_key_jwt)', () => {
  it('issues a Bearer token for a correctly signed assertion and honours its scopes', async () => {
    const res = await grant('okta.users.read okta.logs.read', clientAssertion({ kid: s.okta.oauth.keyId }));
    expect(res.status, res.text).toBe(200);
    const body = res.json as { token_type: string; expires_in: number; access_token: string; scope: string };
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'okta.users.read okta.logs.read' });
    expect((await call('/api/v1/users?limit=1', { bearer: body.access_token })).status).toBe(200);
    const denied = await call('/api/v1/groups', { bearer: body.access_token });
    expectOktaError(denied, 403, 'E0000006');
    const www = denied.headers.get('www-authenticate') ?? '';
    expect(www).toMatch(/^Bearer /);
    expect(www).toContain('error="insufficient_scope"');
    expect(www).toContain('scope="okta.groups.read"');
    const org = await call('/api/v1/org', { bearer: body.access_token });
    expect(org.headers.get('www-authenticate')).toContain('scope="okta.orgs.read"');
    // A service app has no user behind it.
    expectOktaError(await call('/api/v1/users/me', { bearer: body.access_token }), 404, 'E0000007');
  });

  it('okta.groups.manage allows membership writes and implies okta.groups.read', async () => {
    const res = await grant('okta.groups.manage');
    const token = (res.json as { access_token: string }).access_token;
    const g = s.org.groups.find((x) => x.type === 'OKTA_GROUP' && x.rule < 0) as OrgGroup;
    const u = users().find((x) => !s.org.memberships.has(g.index, x.index)) as OrgUser;
    expect((await call(`/api/v1/groups/${g.id}/users`, { bearer: token })).status).toBe(200);
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { bearer: token, method: 'PUT' })).status).toBe(204);
    const event = s.log.all().at(-1);
    expect(event?.actor).toMatchObject({ id: s.okta.oauth.clientId, type: 'PublicClientApp' });
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { bearer: token, method: 'DELETE' })).status).toBe(204);
  });

  it('refuses bad assertions with an OAuth error body', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const cases: [string, Res, number, string][] = [
      ['wrong key', await grant('okta.users.read', clientAssertion({ pem: other })), 401, 'invalid_client'],
      ['unknown client', await grant('okta.users.read', clientAssertion({ clientId: '0oaUNKNOWN' })), 401, 'invalid_client'],
      ['wrong audience', await grant('okta.users.read', clientAssertion({ aud: 'https://elsewhere.example.com/oauth2/v1/token' })), 401, 'invalid_client'],
      ['expired', await grant('okta.users.read', clientAssertion({ exp: Math.floor(START / 1000) - 600, iat: Math.floor(START / 1000) - 900 })), 401, 'invalid_client'],
      ['too long-lived', await grant('okta.users.read', clientAssertion({ exp: Math.floor(START / 1000) + 7200 })), 401, 'invalid_client'],
      ['wrong kid', await grant('okta.users.read', clientAssertion({ kid: 'nope' })), 401, 'invalid_client'],
      ['not a JWT', await grant('okta.users.read', 'abc.def'), 401, 'invalid_client'],
      ['scope not granted', await grant('okta.users.manage'), 400, 'invalid_scope'],
      ['no scope', await grant(''), 400, 'invalid_scope'],
      ['wrong grant', await tokenRequest({ grant_type: 'password', username: 'x', password: 'y' }), 400, 'unsupported_grant_type'],
    ];
    for (const [name, res, status, error] of cases) {
      expect(res.status, name).toBe(status);
      expect((res.json as Json).error, name).toBe(error);
      expect((res.json as Json).error_description, name).toEqual(expect.any(String));
    }
  });

  it('refuses a replayed assertion and an expired access token', async () => {
    const assertion = clientAssertion();
    const first = await grant('okta.users.read', assertion);
    expect(first.status).toBe(200);
    const replay = await grant('okta.users.read', assertion);
    expect(replay.status).toBe(401);
    const token = (first.json as { access_token: string }).access_token;
    clock.t += 3601 * 1000;
    try {
      expectOktaError(await call('/api/v1/users?limit=1', { bearer: token }), 401, 'E0000011');
    } finally {
      clock.t -= 3601 * 1000;
    }
  });
});

describe('rate limits', () => {
  it('okta mode: headers on every response, 429 E0000047 when a bucket is spent, reset after the window', async () => {
    const rlClock = { t: Date.parse('2026-03-02T10:00:05.000Z'), now(): Date { return new Date(this.t); } };
    const limited = await startSandbox({ users: 50, seed: 3, rateLimits: 'okta', clock: rlClock });
    try {
      const get = async (path: string): Promise<Res> => {
        const res = await fetch(`${limited.okta.url}${path}`, { headers: { Authorization: `SSWS ${limited.okta.token}` } });
        const text = await res.text();
        return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as unknown) : null };
      };
      const reset = String(Date.parse('2026-03-02T10:01:00.000Z') / 1000);
      for (let i = 1; i <= 100; i++) {
        const res = await get('/api/v1/apps');
        expect(res.status).toBe(200);
        expect(res.headers.get('x-rate-limit-limit')).toBe('100');
        expect(res.headers.get('x-rate-limit-remaining')).toBe(String(100 - i));
        expect(res.headers.get('x-rate-limit-reset')).toBe(reset);
      }
      const spent = await get('/api/v1/apps/nope');
      expect(spent.status).toBe(429);
      expect(spent.json).toMatchObject({ errorCode: 'E0000047', errorSummary: 'API call exceeded rate limit due to too many requests.' });
      expect(spent.headers.get('x-rate-limit-remaining')).toBe('0');
      expect(spent.headers.get('x-rate-limit-reset')).toBe(reset);
      expect(new Date(spent.headers.get('date') ?? '').getTime()).toBe(Date.parse('2026-03-02T10:00:05.000Z'));
      // Other buckets are separate.
      const users = await get('/api/v1/users?limit=1');
      expect(users.status).toBe(200);
      expect(users.headers.get('x-rate-limit-limit')).toBe('600');
      expect((await get('/api/v1/org')).headers.get('x-rate-limit-limit')).toBe('1200');
      expect((await get('/api/v1/logs?limit=1')).headers.get('x-rate-limit-limit')).toBe('120');
      expect((await get('/api/v1/groups?limit=1')).headers.get('x-rate-limit-limit')).toBe('500');
      rlClock.t = Date.parse('2026-03-02T10:01:00.000Z');
      const after = await get('/api/v1/apps');
      expect(after.status).toBe(200);
      expect(after.headers.get('x-rate-limit-remaining')).toBe('99');
    } finally {
      await limited.close();
    }
  });

  it('off mode: never 429, headers still sent', async () => {
    let last: Res | null = null;
    for (let i = 0; i < 130; i++) last = await call('/api/v1/apps?limit=1');
    expect(last?.status).toBe(200);
    expect(Number(last?.headers.get('x-rate-limit-limit'))).toBeGreaterThan(100_000);
    expect(Number(last?.headers.get('x-rate-limit-remaining'))).toBeGreaterThan(100_000);
    expect(last?.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
  });
});

describe('fault injection', () => {
  it('429, 500, 502 and 503 faults answer like Okta and its edge, then stop', async () => {
    s.faults.add({ match: '/api/v1/users', kind: '429', times: 2 });
    const first = await call('/api/v1/users?limit=1');
    expectOktaError(first, 429, 'E0000047');
    expect(first.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(first.headers.get('x-rate-limit-reset')).toMatch(/^\d+$/);
    expectOktaError(await call('/api/v1/users?limit=1'), 429, 'E0000047');
    expect((await call('/api/v1/users?limit=1')).status).toBe(200);

    s.faults.add({ match: '/api/v1/groups', kind: '500' });
    expectOktaError(await call('/api/v1/groups?limit=1'), 500, 'E0000009');
    s.faults.add({ match: '/api/v1/groups', kind: '503' });
    expectOktaError(await call('/api/v1/groups?limit=1'), 503, 'E0000010');
    s.faults.add({ match: '/api/v1/groups', kind: '502' });
    const gateway = await call('/api/v1/groups?limit=1');
    expect(gateway.status).toBe(502);
    expect(gateway.headers.get('content-type')).toBe('text/html');
    expect((await call('/api/v1/groups?limit=1')).status).toBe(200);
  });

  it('only matching methods and paths are affected', async () => {
    s.faults.add({ match: /^\/api\/v1\/apps\/[^/]+\/groups$/, method: 'GET', kind: '500' });
    expect((await call('/api/v1/apps?limit=1')).status).toBe(200);
    const app = s.org.apps[1];
    expect((await call(`/api/v1/apps/${app?.id}/groups`)).status).toBe(500);
    expect((await call(`/api/v1/apps/${app?.id}/groups`)).status).toBe(200);
  });

  it('slow holds the response for delayMs, then answers normally', async () => {
    sleeps.length = 0;
    s.faults.add({ match: '/api/v1/org', kind: 'slow', delayMs: 4321 });
    const res = await call('/api/v1/org');
    expect(res.status).toBe(200);
    expect(sleeps).toEqual([4321]);
  });

  it('drop closes the connection without a response', async () => {
    s.faults.add({ match: '/api/v1/users', kind: 'drop' });
    await expect(fetch(`${s.okta.url}/api/v1/users`, { headers: { Authorization: `SSWS ${s.okta.token}` } })).rejects.toThrow();
    expect((await call('/api/v1/users?limit=1')).status).toBe(200);
  });

  it('reset-mid-body sends headers and part of the body, then cuts the connection', async () => {
    s.faults.add({ match: '/api/v1/users', kind: 'reset-mid-body' });
    const res = await fetch(`${s.okta.url}/api/v1/users?limit=100`, { headers: { Authorization: `SSWS ${s.okta.token}` } });
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });

  it('can be driven over HTTP by an admin: POST, GET and DELETE /__sandbox/faults', async () => {
    const post = await call('/__sandbox/faults', { method: 'POST', body: JSON.stringify([{ match: '^/api/v1/logs$', regex: true, kind: '503', times: 1 }]), headers: { 'Content-Type': 'application/json' } });
    expect(post.status).toBe(200);
    expect((post.json as { faults: Json[] }).faults).toEqual([expect.objectContaining({ match: new RegExp('^/api/v1/logs$').source, regex: true, kind: '503', remaining: 1 })]);
    expectOktaError(await call('/api/v1/logs?limit=1'), 503, 'E0000010');
    expect((await call('/api/v1/logs?limit=1')).status).toBe(200);
    await call('/__sandbox/faults', { method: 'POST', body: JSON.stringify({ match: '/api/v1/org', kind: '500', times: 5 }) });
    expect((await call('/__sandbox/faults', { method: 'DELETE' })).status).toBe(204);
    expect((await call('/api/v1/org')).status).toBe(200);
    expectOktaError(await call('/__sandbox/faults', { method: 'POST', body: '{"kind":"boom","match":"/"}' }), 400, 'E0000001');
    expectOktaError(await call('/__sandbox/faults', { token: s.okta.readOnlyToken }), 403, 'E0000006');
    expectOktaError(await call('/__sandbox/faults', { token: null }), 401, 'E0000011');
  });
});

describe('membership changes and System Log polling', () => {
  it('PUT/DELETE are idempotent 204s whose changes, and only those, appear in /api/v1/logs polling', async () => {
    // Drain the history first: a poll from a week back returns the seeded events.
    const since = new Date(s.org.anchor - 8 * 86_400_000).toISOString();
    let page = await call(`/api/v1/logs?since=${encodeURIComponent(since)}&limit=1000`);
    const seeded: Json[] = [];
    for (;;) {
      expect(page.status).toBe(200);
      const events = page.json as Json[];
      seeded.push(...events);
      const next = links(page).next;
      expect(next, 'polling always has a next link').toBeDefined();
      if (events.length === 0) break;
      page = await call(next as string);
    }
    expect(seeded.length).toBeGreaterThan(10);
    expectValid('GET', '/api/v1/logs', 200, seeded);
    const published = seeded.map((e) => Date.parse(e.published as string));
    expect(published).toEqual([...published].sort((a, b) => a - b));
    let cursor = links(page).next as string;
    const poll = async (): Promise<Json[]> => {
      const res = await call(cursor);
      cursor = links(res).next as string;
      expect(cursor).toBeDefined();
      return res.json as Json[];
    };

    const g = s.org.groups.find((x) => x.type === 'OKTA_GROUP' && x.rule < 0 && x.kind !== 'app') as OrgGroup;
    const u = users().find((x) => x.status === 'ACTIVE' && !s.org.memberships.has(g.index, x.index)) as OrgUser;
    clock.t += 60_000;
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { method: 'PUT' })).status).toBe(204);
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { method: 'PUT' })).status).toBe(204);
    const added = await poll();
    expect(added).toHaveLength(1);
    expectValid('GET', '/api/v1/logs', 200, added);
    const admin = users()[s.org.admins.superAdmin] as OrgUser;
    expect(added[0]).toMatchObject({
      eventType: 'group.user_membership.add',
      displayMessage: 'Add user to group membership',
      outcome: { result: 'SUCCESS' },
      published: new Date(clock.t).toISOString(),
      actor: { id: admin.id, type: 'User', alternateId: admin.login },
      target: [
        { id: u.id, type: 'User', alternateId: u.login },
        { id: g.id, type: 'UserGroup', displayName: g.name },
      ],
    });
    const members = await collect(`/api/v1/groups/${g.id}/users`);
    expect(members.items.map((m) => m.id)).toContain(u.id);
    const userGroups = await call(`/api/v1/users/${u.id}/groups`);
    expect((userGroups.json as Json[]).map((x) => x.id)).toContain(g.id);
    const groupJson = (await call(`/api/v1/groups/${g.id}`)).json as Json;
    expect(groupJson.lastMembershipUpdated).toBe(new Date(clock.t).toISOString());

    expect(await poll()).toEqual([]);
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(`/api/v1/groups/${g.id}/users/${u.id}`, { method: 'DELETE' })).status).toBe(204);
    const removed = await poll();
    expect(removed.map((e) => e.eventType)).toEqual(['group.user_membership.remove']);
    expect((await collect(`/api/v1/groups/${g.id}/users`)).items.map((m) => m.id)).not.toContain(u.id);

    // Okta-owned memberships cannot be changed through the API.
    const adGroup = s.org.groups.find((x) => x.type === 'APP_GROUP') as OrgGroup;
    expectOktaError(await call(`/api/v1/groups/${adGroup.id}/users/${u.id}`, { method: 'PUT' }), 403, 'E0000006');
    expectOktaError(await call(`/api/v1/groups/${groupNamed('Everyone').id}/users/${u.id}`, { method: 'DELETE' }), 403, 'E0000006');
    const unknownUser = expectOktaError(await call(`/api/v1/groups/${g.id}/users/00uMISSING`, { method: 'PUT' }), 404, 'E0000007');
    expect(unknownUser.errorSummary).toContain('(User)');
    expectOktaError(await call(`/api/v1/groups/00gMISSING/users/${u.id}`, { method: 'PUT' }), 404, 'E0000007');
    expect(await poll()).toEqual([]);

    // Changes made "in Okta" by the programmatic helpers are logged too.
    clock.t += 60_000;
    s.mutations.setUserStatus(u.id, 'SUSPENDED');
    const suspended = await poll();
    expect(suspended.map((e) => e.eventType)).toEqual(['user.lifecycle.suspend']);
    const fresh = (await call(`/api/v1/users/${u.id}`)).json as Json;
    expect(fresh).toMatchObject({ status: 'SUSPENDED', statusChanged: new Date(clock.t).toISOString() });
    const listed = await collect(`/api/v1/users?search=${encodeURIComponent(`id eq "${u.id}"`)}`);
    expect(listed.items[0]?.status).toBe('SUSPENDED');

    const from = s.org.departments[u.department]?.name as string;
    const to = s.org.departments.find((d) => d.name !== from && d.slug !== 'executive')?.name as string;
    s.mutations.updateUserProfile(u.id, { department: to });
    const moved = await poll();
    expect(moved.map((e) => e.eventType).sort()).toEqual(['group.user_membership.add', 'group.user_membership.remove', 'user.account.update_profile']);
    const ruleEvents = moved.filter((e) => (e.eventType as string).startsWith('group.'));
    for (const e of ruleEvents) expect((e.actor as Json).type).toBe('SystemPrincipal');
    expect(s.org.memberships.has(groupNamed(`dept-${s.org.departments.find((d) => d.name === to)?.slug}`).index, u.index)).toBe(true);
  });

  it('bounded queries end without a next link; DESCENDING and filters work; bad input is a 400', async () => {
    const since = new Date(s.org.anchor - 8 * 86_400_000).toISOString();
    const until = new Date(s.org.anchor).toISOString();
    const bounded = await collect(`/api/v1/logs?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&limit=100`);
    expect(bounded.items.length).toBe(s.org.events.length);
    const desc = await call(`/api/v1/logs?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&sortOrder=DESCENDING&limit=5`);
    const descTimes = (desc.json as Json[]).map((e) => Date.parse(e.published as string));
    expect(descTimes).toEqual([...descTimes].sort((a, b) => b - a));
    const adds = await collect(`/api/v1/logs?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&filter=${encodeURIComponent('eventType eq "group.user_membership.add"')}&limit=1000`);
    expect(adds.items.length).toBe(s.org.events.filter((e) => e.eventType === 'group.user_membership.add').length);
    const someone = s.org.events.find((e) => e.eventType === 'user.lifecycle.create');
    const aboutUser = await collect(`/api/v1/logs?since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}&filter=${encodeURIComponent(`target.id eq "${users()[someone?.user ?? 0]?.id}"`)}`);
    expect(aboutUser.items.length).toBeGreaterThan(0);
    expectOktaError(await call('/api/v1/logs?since=yesterday'), 400, 'E0000001');
    expectOktaError(await call('/api/v1/logs?sortOrder=UP'), 400, 'E0000001');
    expectOktaError(await call(`/api/v1/logs?filter=${encodeURIComponent('nope eq "x"')}`), 400, 'E0000001');
    expectOktaError(await call('/api/v1/logs?after=garbage'), 400, 'E0000001');
  });
});

describe('startSandbox', () => {
  it('prints one JSON line with the URL and credentials', () => {
    const line = sandboxInfoLine(s);
    expect(line).not.toContain('\n');
    const parsed = JSON.parse(line) as { okta: { url: string; token: string; readOnlyToken: string; oauth: { clientId: string; privateKeyPem: string; keyId: string; scopes: string[] } } };
    expect(parsed.okta.url).toBe(s.okta.url);
    expect(parsed.okta.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(parsed.okta.token).toMatch(/^00[\w-]{40}$/);
    expect(parsed.okta.readOnlyToken).not.toBe(parsed.okta.token);
    expect(parsed.okta.oauth.clientId).toMatch(/^0oa[0-9A-Za-z]{17}$/);
    expect(parsed.okta.oauth.privateKeyPem).toContain('-----BEGIN PRIVATE KEY-----');
    expect(parsed.okta.oauth.scopes).toContain('okta.groups.manage');
  });

  it('serves the same organisation for the same seed and size, with fresh credentials', async () => {
    const twinClock = { now: () => new Date(START) };
    const a = await startSandbox({ users: 120, seed: 5, clock: twinClock });
    const b = await startSandbox({ users: 120, seed: 5, clock: twinClock });
    try {
      const page = async (x: Sandbox, path: string): Promise<string> => {
        const res = await fetch(`${x.okta.url}${path}`, { headers: { Authorization: `SSWS ${x.okta.token}` } });
        // Compared by digest: a mismatch in a 200-user page is unreadable as a diff anyway.
        return createHash('sha256').update((await res.text()).split(x.okta.url).join('<org>')).digest('hex');
      };
      for (const path of ['/api/v1/users?limit=200', '/api/v1/groups', '/api/v1/apps']) expect(await page(b, path)).toBe(await page(a, path));
      expect(b.okta.token).not.toBe(a.okta.token);
      expect(b.okta.oauth.privateKeyPem).not.toBe(a.okta.oauth.privateKeyPem);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
