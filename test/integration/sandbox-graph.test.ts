// The sandbox's Microsoft Graph API over real HTTPS: the client-credentials
// token endpoint, shapes checked against the Graph OpenAPI subset, paging,
// $select / $filter, membership changes through $ref, delta queries, errors,
// throttling and TLS trust through the per-start CA only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGraphServer } from '../../electron/sandbox/graph-server.js';
import { generateOrg } from '../../electron/sandbox/org-generator.js';
import { sandboxInfoLine, startSandbox, type Sandbox, type SandboxGraph } from '../../electron/sandbox/sandbox.js';
import { generateSandboxTls } from '../../electron/sandbox/tls.js';
import { httpsJson, type HttpsResponse, type Json } from '../helpers/https.js';
import { loadGraphSpec, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

type Res = HttpsResponse;

const START = Date.parse('2026-03-02T10:00:00.000Z');
// Large enough for the generator to make team and project groups (Microsoft 365 groups in Entra).
const USERS = 2000;
const DELTA_MAX_AGE = 30 * 60_000;
const clock = { t: START, now(): Date { return new Date(this.t); } };
let spec: OpenApiSpec;
let s: Sandbox;
let g: SandboxGraph;
let token: string;

/** One HTTPS request trusting only `ca` (the sandbox's CA unless told otherwise). */
const https = (url: string, init: { method?: string; body?: string; headers?: Record<string, string>; ca?: string | null } = {}): Promise<Res> =>
  httpsJson(url, { ...init, ca: init.ca === undefined ? g.caPem : init.ca });

const graph = (path: string, init: { method?: string; body?: string; bearer?: string | null } = {}): Promise<Res> =>
  https(path.startsWith('https:') ? path : `${g.url}/v1.0${path}`, {
    ...init,
    headers: { ...(init.bearer === null ? {} : { Authorization: `Bearer ${init.bearer ?? token}` }), ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
  });

const tokenRequest = (form: Record<string, string>, tenant = g.tenantId): Promise<Res> =>
  https(`${g.url}/${tenant}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

function expectValid(method: string, template: string, res: Res): void {
  expect(validateResponse(spec, method, template, res.status, res.json)).toEqual([]);
}

function expectGraphError(res: Res, status: number, code: string): Json {
  expect(res.status).toBe(status);
  const error = res.json.error as Json;
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe('string');
  const inner = error.innerError as Json;
  expect(inner['request-id']).toBe(res.headers['request-id']);
  expect(inner['client-request-id']).toEqual(expect.any(String));
  expect(inner.date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  return error;
}

const ids = (res: Res): string[] => (res.json.value as Json[]).map((v) => v.id as string);

beforeAll(async () => {
  spec = loadGraphSpec();
  s = await startSandbox({ users: USERS, seed: 12, clock, graphDeltaTokenMaxAgeMs: DELTA_MAX_AGE });
  if (!s.graph) throw new Error('graph sandbox not started');
  g = s.graph;
  const res = await tokenRequest({ grant_type: 'client_credentials', client_id: g.clientId, client_secret: g.clientSecret, scope: 'https://graph.microsoft.com/.default' });
  token = (res.json as { access_token: string }).access_token;
});
afterAll(async () => {
  await s.close();
});

describe('token endpoint', () => {
  it('issues a bearer token for client credentials with the /.default scope', async () => {
    const res = await tokenRequest({ grant_type: 'client_credentials', client_id: g.clientId, client_secret: g.clientSecret, scope: 'https://graph.microsoft.com/.default' });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ token_type: 'Bearer', expires_in: 3599, ext_expires_in: 3599, access_token: expect.any(String) as unknown });
  });

  it('answers AADSTS errors for a bad secret, an unknown client, a bad scope and an unknown tenant', async () => {
    const base = { grant_type: 'client_credentials', client_id: g.clientId, client_secret: g.clientSecret, scope: 'https://graph.microsoft.com/.default' };
    const cases: [Record<string, string>, string | undefined, number, string, number][] = [
      [{ ...base, client_secret: 'wrong' }, undefined, 401, 'invalid_client', 7000215],
      [{ ...base, client_id: '11111111-1111-4111-8111-111111111111' }, undefined, 400, 'unauthorized_client', 700016],
      [{ ...base, scope: 'User.Read.All' }, undefined, 400, 'invalid_scope', 1002012],
      [{ ...base, grant_type: 'password' }, undefined, 400, 'unsupported_grant_type', 70003],
      [base, 'contoso.onmicrosoft.com', 400, 'invalid_request', 90002],
    ];
    for (const [form, tenant, status, error, code] of cases) {
      const res = await tokenRequest(form, tenant);
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ error, error_codes: [code], trace_id: expect.any(String) as unknown, correlation_id: expect.any(String) as unknown, timestamp: expect.stringMatching(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}Z$/) as unknown });
      expect(res.json.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    }
  });

  it('refuses Graph calls without a token or with a bad one (401 InvalidAuthenticationToken)', async () => {
    const none = await graph('/users', { bearer: null });
    expectGraphError(none, 401, 'InvalidAuthenticationToken');
    expectValid('GET', '/users', none);
    expect(none.headers['www-authenticate']).toMatch(/^Bearer /);
    expectGraphError(await graph('/users', { bearer: 'not-a-token' }), 401, 'InvalidAuthenticationToken');
  });
});

describe('users and groups', () => {
  it('pages users with $top and @odata.nextLink, every user exactly once', async () => {
    const seen: string[] = [];
    let next: string | undefined = '/users?$top=97';
    let pages = 0;
    while (next) {
      const res = await graph(next);
      expect(res.status).toBe(200);
      expectValid('GET', '/users', res);
      expect(res.json['@odata.context']).toBe(`${g.url}/v1.0/$metadata#users`);
      seen.push(...ids(res));
      next = res.json['@odata.nextLink'] as string | undefined;
      if (next) expect(next).toContain('$top=97');
      pages++;
    }
    expect(pages).toBe(Math.ceil(USERS / 97));
    expect(seen.length).toBe(USERS);
    expect(new Set(seen).size).toBe(USERS);
    for (const id of seen) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('returns the default properties, or exactly the $select-ed ones (signInActivity included)', async () => {
    const plain = await graph('/users?$top=1');
    expect(Object.keys((plain.json.value as Json[])[0] ?? {}).sort()).toEqual(
      ['businessPhones', 'displayName', 'givenName', 'id', 'jobTitle', 'mail', 'mobilePhone', 'officeLocation', 'preferredLanguage', 'surname', 'userPrincipalName'].sort(),
    );
    const res = await graph('/users?$top=999&$select=id,mail,employeeId,accountEnabled,signInActivity,department');
    expectValid('GET', '/users', res);
    expect(res.json['@odata.nextLink']).toContain('$select=id,mail,employeeId,accountEnabled,signInActivity,department');
    const users = res.json.value as Json[];
    expect(users).toHaveLength(999);
    for (const u of users) expect(Object.keys(u).sort()).toEqual(['accountEnabled', 'department', 'employeeId', 'id', 'mail', 'signInActivity'].sort());
    // Hybrid: the same people as Okta, matched by e-mail and employee id.
    const byMail = new Map(users.map((u) => [u.mail as string, u]));
    for (const person of s.org.users.slice(0, 50)) expect(byMail.get(person.email)?.employeeId).toBe(person.employeeNumber);
    expectGraphError(await graph('/users?$select=nope'), 400, 'Request_BadRequest');
    expectGraphError(await graph('/users?$top=1000'), 400, 'Request_UnsupportedQuery');
  });

  it('filters with eq and startswith', async () => {
    const person = s.org.users[7];
    if (!person) throw new Error('no user');
    const res = await graph(`/users?$filter=${encodeURIComponent(`mail eq '${person.email.toUpperCase()}'`)}&$select=mail,employeeId`);
    expect(res.json.value).toEqual([{ mail: person.email, employeeId: person.employeeNumber }]);
    const dynamic = await graph(`/groups?$filter=${encodeURIComponent("groupTypes/any(c:c eq 'DynamicMembership')")}&$top=999`);
    expect((dynamic.json.value as Json[]).length).toBeGreaterThan(0);
    for (const grp of dynamic.json.value as Json[]) expect(grp).toMatchObject({ groupTypes: ['DynamicMembership'], membershipRuleProcessingState: 'On', membershipRule: expect.stringMatching(/^\(user\.\w+ -eq ".+"\)$/) as unknown });
    expectGraphError(await graph(`/users?$filter=${encodeURIComponent("favouriteColour eq 'red'")}`), 400, 'Request_UnsupportedQuery');
  });

  it('lists security, Microsoft 365 and dynamic groups, valid against the spec', async () => {
    const res = await graph('/groups?$top=999');
    expectValid('GET', '/groups', res);
    const groups = res.json.value as Json[];
    expect(groups.some((x) => (x.groupTypes as string[]).includes('Unified') && x.mailEnabled === true && x.securityEnabled === false)).toBe(true);
    expect(groups.some((x) => (x.groupTypes as string[]).length === 0 && x.securityEnabled === true)).toBe(true);
    expect(groups.some((x) => x.displayName === 'Everyone')).toBe(false);
  });

  it('expands group owners ($expand=owners($select=id)) on the list and on one group, valid against the spec', async () => {
    const res = await graph('/groups?$top=999&$select=id,displayName&$expand=owners($select=id)');
    expectValid('GET', '/groups', res);
    const groups = res.json.value as { id: string; owners: { '@odata.type': string; id: string }[] }[];
    expect(groups.every((x) => Array.isArray(x.owners))).toBe(true);
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    // Exactly the generated owners, as Entra ids, for every group (none deleted yet).
    for (const x of groups) {
      const want = (dir.org.groupOwners.get(dir.groupIndex(x.id)) ?? []).map((u) => dir.userId(u));
      expect(x.owners.map((o) => o.id)).toEqual(want);
    }
    expect(groups.some((x) => x.owners.length === 0)).toBe(true);
    expect(groups.some((x) => x.owners.length > 0)).toBe(true);
    expect(groups.flatMap((x) => x.owners).every((o) => o['@odata.type'] === '#microsoft.graph.user' && Object.keys(o).length === 2)).toBe(true);
    const owned = groups.find((x) => x.owners.length > 0) as { id: string; owners: { id: string }[] };
    const one = await graph(`/groups/${owned.id}?$expand=owners`);
    expectValid('GET', '/groups/{group-id}', one);
    expect((one.json.owners as Json[]).map((o) => o.id)).toEqual(owned.owners.map((o) => o.id));
    expect((one.json.owners as Json[])[0]?.userPrincipalName).toEqual(expect.any(String));
    expectGraphError(await graph('/groups?$expand=owners($select=nope)'), 400, 'Request_BadRequest');
    expectGraphError(await graph('/groups?$expand=sponsors'), 400, 'Request_BadRequest');
  });
});

describe('enterprise applications', () => {
  it('lists servicePrincipals and their group appRoleAssignedTo, valid against the spec', async () => {
    const res = await graph('/servicePrincipals?$top=999');
    expectValid('GET', '/servicePrincipals', res);
    const sps = res.json.value as Json[];
    expect(sps).toHaveLength(s.org.apps.length);
    const labels = new Set(s.org.apps.map((a) => a.label));
    for (const sp of sps) expect(labels.has(sp.displayName as string)).toBe(true);
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const app = s.org.apps.find((a) => a.assignments.some((as) => dir.groupIndex(dir.groupId(as.group)) >= 0));
    if (!app) throw new Error('no assigned app');
    const assigned = await graph(`/servicePrincipals/${dir.servicePrincipalId(app.index)}/appRoleAssignedTo`);
    expectValid('GET', '/servicePrincipals/{servicePrincipal-id}/appRoleAssignedTo', assigned);
    const rows = assigned.json.value as Json[];
    expect(rows.length).toBeGreaterThan(0);
    const sp = sps.find((x) => x.id === dir.servicePrincipalId(app.index));
    const roleId = (sp?.appRoles as Json[] | undefined)?.[0]?.id;
    for (const row of rows) expect(row).toMatchObject({ principalType: 'Group', resourceId: sp?.id, appRoleId: roleId });
    expectGraphError(await graph('/servicePrincipals/00000000-0000-4000-8000-000000000000/appRoleAssignedTo'), 404, 'Request_ResourceNotFound');
  });
});

describe('manager and sign-in log', () => {
  it('serves /users/{id}/manager and /auditLogs/signIns', async () => {
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const person = s.org.users.find((u) => u.managerIndex !== u.index && u.index > 0);
    if (!person) throw new Error('no managed person');
    const manager = await graph(`/users/${dir.userId(person.index)}/manager`);
    expect(manager.status).toBe(200);
    expect(manager.json).toMatchObject({ '@odata.type': '#microsoft.graph.user', id: dir.userId(person.managerIndex) });
    const byUpn = await graph(`/users/${encodeURIComponent(person.email)}?$select=id,employeeId`);
    expect(byUpn.json).toMatchObject({ id: dir.userId(person.index), employeeId: person.employeeNumber });

    const log = await graph('/auditLogs/signIns?$top=50');
    expectValid('GET', '/auditLogs/signIns', log);
    const rows = log.json.value as Json[];
    expect(rows).toHaveLength(50);
    const times = rows.map((r) => Date.parse(r.createdDateTime as string));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    const one = await graph(`/auditLogs/signIns?$filter=${encodeURIComponent(`userId eq '${rows[0]?.userId as string}'`)}`);
    expect(ids(one)).toEqual([rows[0]?.id]);
  });
});

describe('group members', () => {
  const assigned = (): { id: string; orgIndex: number } => {
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const index = dir.groups.find((i) => !dir.isDynamic(i) && dir.memberships.members(i).length > 3 && dir.memberships.members(i).length < 200);
    if (index === undefined) throw new Error('no assigned group');
    return { id: dir.groupId(index), orgIndex: index };
  };

  it('pages members, adds one with $ref, refuses a duplicate, removes it', async () => {
    const { id, orgIndex } = assigned();
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const before: string[] = [];
    let next: string | undefined = `/groups/${id}/members?$top=2`;
    while (next) {
      const res = await graph(next);
      expectValid('GET', '/groups/{group-id}/members', res);
      for (const m of res.json.value as Json[]) expect(m['@odata.type']).toBe('#microsoft.graph.user');
      before.push(...ids(res));
      next = res.json['@odata.nextLink'] as string | undefined;
    }
    expect(before.length).toBe(dir.memberships.members(orgIndex).length);

    const outsider = s.org.users.findIndex((u) => !dir.memberships.has(orgIndex, u.index));
    const userId = dir.userId(outsider);
    const body = JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${userId}` });
    const add = await graph(`/groups/${id}/members/$ref`, { method: 'POST', body });
    expect(add.status).toBe(204);
    const dup = await graph(`/groups/${id}/members/$ref`, { method: 'POST', body });
    expect(expectGraphError(dup, 400, 'Request_BadRequest').message).toBe("One or more added object references already exist for the following modified properties: 'members'.");
    expectValid('POST', '/groups/{group-id}/members/$ref', dup);
    expect(ids(await graph(`/groups/${id}/members?$top=999`))).toContain(userId);

    expect((await graph(`/groups/${id}/members/${userId}/$ref`, { method: 'DELETE' })).status).toBe(204);
    expectGraphError(await graph(`/groups/${id}/members/${userId}/$ref`, { method: 'DELETE' }), 404, 'Request_ResourceNotFound');
    expect(ids(await graph(`/groups/${id}/members?$top=999`))).not.toContain(userId);
    expectGraphError(await graph('/groups/00000000-0000-4000-8000-000000000000/members'), 404, 'Request_ResourceNotFound');
  });

  it('refuses manual membership changes on dynamic groups', async () => {
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const dynamic = dir.groups.find((i) => dir.isDynamic(i));
    if (dynamic === undefined) throw new Error('no dynamic group');
    const body = JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${dir.userId(0)}` });
    expectGraphError(await graph(`/groups/${dir.groupId(dynamic)}/members/$ref`, { method: 'POST', body }), 400, 'Request_BadRequest');
  });
});

describe('delta', () => {
  const drain = async (first: string): Promise<{ items: Json[]; deltaLink: string }> => {
    const items: Json[] = [];
    let next: string | undefined = first;
    for (;;) {
      const res: Res = await graph(next);
      expect(res.status).toBe(200);
      items.push(...(res.json.value as Json[]));
      next = res.json['@odata.nextLink'] as string | undefined;
      if (!next) return { items, deltaLink: res.json['@odata.deltaLink'] as string };
    }
  };

  it('users: initial round, then changes and @removed, then 410 for an old token', async () => {
    const initial = await drain('/users/delta?$select=displayName,jobTitle,mail&$top=200');
    expect(initial.items.length).toBe(USERS);
    expect(initial.deltaLink).toContain('$deltatoken=');
    const first = await graph(initial.deltaLink);
    expectValid('GET', '/users/microsoft.graph.delta()', first);
    expect(first.json.value).toEqual([]);

    const mutations = s.graphServer?.mutations;
    if (!mutations || !s.graphServer) throw new Error('no graph server');
    mutations.updateUser(3, { jobTitle: 'Chief Delta Officer' });
    mutations.deleteUser(4);
    const changed = await drain(first.json['@odata.deltaLink'] as string);
    const dir = s.graphServer.directory;
    expect(changed.items).toEqual([
      { id: dir.userId(3), displayName: expect.any(String) as unknown, jobTitle: 'Chief Delta Officer', mail: s.org.users[3]?.email },
      { id: dir.userId(4), '@removed': { reason: 'changed' } },
    ]);

    clock.t += DELTA_MAX_AGE + 60_000;
    try {
      const gone = await graph(changed.deltaLink);
      expectGraphError(gone, 410, 'syncStateNotFound');
      const latest = await graph('/users/delta?$deltatoken=latest');
      expect(latest.json.value).toEqual([]);
      expect(latest.json['@odata.deltaLink']).toEqual(expect.any(String));
    } finally {
      clock.t -= DELTA_MAX_AGE + 60_000;
    }
  });

  it('groups: members@delta on the initial round and on changes, with @removed for removed members', async () => {
    const dir = s.graphServer?.directory;
    const mutations = s.graphServer?.mutations;
    if (!dir || !mutations) throw new Error('no graph server');
    const initial = await drain('/groups/delta?$select=displayName,members&$top=50');
    // A group whose members do not fit one page appears again on the next (members@delta continued).
    expect(new Set(initial.items.map((x) => x.id)).size).toBe(dir.groups.length);
    const withMembers = initial.items.find((x) => Array.isArray(x['members@delta']) && (x['members@delta'] as unknown[]).length > 0);
    expect(withMembers).toBeDefined();

    const groupIndex = dir.groups.find((i) => !dir.isDynamic(i) && dir.memberships.members(i).length > 0);
    if (groupIndex === undefined) throw new Error('no group');
    const removed = dir.memberships.members(groupIndex)[0] ?? 0;
    const added = s.org.users.findIndex((u) => !dir.memberships.has(groupIndex, u.index) && !dir.isDeleted(u.index));
    mutations.removeMember(groupIndex, removed);
    mutations.addMember(groupIndex, added);
    const res = await graph(initial.deltaLink);
    expectValid('GET', '/groups/microsoft.graph.delta()', res);
    const value = res.json.value as Json[];
    const changed = value.find((x) => x.id === dir.groupId(groupIndex));
    expect(changed?.['members@delta']).toEqual([
      { '@odata.type': '#microsoft.graph.user', id: dir.userId(removed), '@removed': { reason: 'deleted' } },
      { '@odata.type': '#microsoft.graph.user', id: dir.userId(added) },
    ]);
    expectGraphError(await graph('/groups/delta?$deltatoken=garbage'), 400, 'Request_BadRequest');
  });
});

describe('throttling', () => {
  it('answers 429 TooManyRequests with Retry-After once the 10 s budget is spent', async () => {
    const tls = await generateSandboxTls();
    const t = { now: () => new Date(START + 2_000) };
    const server = await startGraphServer({ org: generateOrg({ users: 30, seed: 3 }), tls, clients: [{ clientId: 'app', clientSecret: 'secret', displayName: 'x' }], throttling: true, throttleBudget: 10, clock: t });
    try {
      const tok = await https(`${server.url}/${server.tenantId}/oauth2/v2.0/token`, {
        method: 'POST',
        ca: tls.caPem,
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'app', client_secret: 'secret', scope: 'https://graph.microsoft.com/.default' }).toString(),
      });
      const auth = { Authorization: `Bearer ${(tok.json as { access_token: string }).access_token}` };
      const statuses: number[] = [];
      let last: Res | null = null;
      for (let i = 0; i < 6; i++) {
        last = await https(`${server.url}/v1.0/users?$top=5`, { ca: tls.caPem, headers: auth });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      if (!last) throw new Error('no response');
      expectGraphError(last, 429, 'TooManyRequests');
      expect(last.headers['retry-after']).toBe('8');
    } finally {
      await server.close();
    }
  });
});

describe('faults', () => {
  it('answers injected 503s and 429s with Graph error bodies', async () => {
    const server = s.graphServer;
    if (!server) throw new Error('no graph server');
    server.faults.add({ match: '/v1.0/groups', kind: '503' });
    server.faults.add({ match: '/v1.0/groups', kind: '429' });
    expectGraphError(await graph('/groups'), 503, 'serviceNotAvailable');
    const throttled = await graph('/groups');
    expectGraphError(throttled, 429, 'TooManyRequests');
    expect(throttled.headers['retry-after']).toBe('2');
    expect((await graph('/groups?$top=1')).status).toBe(200);
  });
});

describe('TLS and the info line', () => {
  it('is trusted through the per-start CA only', async () => {
    expect((await https(`${g.url}/v1.0/users`, { ca: g.caPem })).status).toBe(401);
    await expect(https(`${g.url}/v1.0/users`, { ca: null })).rejects.toMatchObject({ code: expect.stringMatching(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT_LOCALLY/) as unknown });
    const other = await generateSandboxTls();
    await expect(https(`${g.url}/v1.0/users`, { ca: other.caPem })).rejects.toMatchObject({ code: expect.any(String) as unknown });
  });

  it('can serve a separate Entra org, or none', async () => {
    const separate = await startSandbox({ users: 60, seed: 12, graphOrg: 'separate' });
    const none = await startSandbox({ users: 60, seed: 12, graph: false, jira: false, notices: false });
    try {
      const mails = new Set(separate.org.users.map((u) => u.email));
      const dir = separate.graphServer?.directory;
      if (!dir) throw new Error('no directory');
      expect(dir.org).not.toBe(separate.org);
      expect(dir.org.users.some((u) => mails.has(u.email))).toBe(false);
      expect(none.graph).toBeUndefined();
      expect(Object.keys(JSON.parse(sandboxInfoLine(none)) as Json)).toEqual(['okta']);
    } finally {
      await Promise.all([separate.close(), none.close()]);
    }
  });

  it('adds a "graph" key to the sandbox JSON line', () => {
    const parsed = JSON.parse(sandboxInfoLine(s)) as { graph: SandboxGraph };
    expect(parsed.graph).toEqual({ url: g.url, tenantId: g.tenantId, clientId: g.clientId, clientSecret: g.clientSecret, caPem: g.caPem, signIn: g.signIn });
    expect(parsed.graph.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });
});
