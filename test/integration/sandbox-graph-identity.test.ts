// The Graph sandbox's identity-platform side and the Graph behaviour the
// Entra sync relies on, over real HTTPS: the OpenID configuration and
// signing keys MSAL reads, JWT access tokens carrying the app's granted
// permissions (roles) and 403s without them, client assertions signed with
// the app's certificate, $expand=manager, manager@delta, members@delta split
// across pages, resource-unit costs. Bodies are checked against the Graph
// OpenAPI subset where it has the path.
import { constants, createHash, createPublicKey, randomUUID, sign, type JsonWebKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SANDBOX_GRAPH_ROLES } from '../../electron/sandbox/graph-server.js';
import { startSandbox, type Sandbox, type SandboxGraph } from '../../electron/sandbox/sandbox.js';
import { generateAppCertificate } from '../../electron/sandbox/tls.js';
import { httpsJson, type HttpsResponse, type Json } from '../helpers/https.js';
import { loadGraphSpec, validateResponse, type OpenApiSpec } from '../helpers/openapi.js';

type Res = HttpsResponse;

let spec: OpenApiSpec;
let s: Sandbox;
let g: SandboxGraph;

const https = (url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Res> =>
  httpsJson(url, { ...init, ca: g.caPem });

const tokenRequest = (form: Record<string, string>): Promise<Res> =>
  https(`${g.url}/${g.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: g.clientId, scope: 'https://graph.microsoft.com/.default', ...form }).toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });

async function token(): Promise<string> {
  const res = await tokenRequest({ client_secret: g.clientSecret });
  expect(res.status).toBe(200);
  return res.json.access_token as string;
}

let defaultToken: string | null = null;
const graph = async (path: string, init: { method?: string; body?: string; bearer?: string } = {}): Promise<Res> =>
  https(path.startsWith('https:') ? path : `${g.url}/v1.0${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${init.bearer ?? (defaultToken ??= await token())}`, ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
  });

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
const claimsOf = (jwt: string): Json => JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8')) as Json;

/** A client assertion as MSAL builds one: header alg + thumbprint, iss = sub = client id, aud = the token endpoint. */
function assertion(certPem: string, keyPem: string, opts: { alg?: 'RS256' | 'PS256'; aud?: string; iss?: string; exp?: number } = {}): string {
  const alg = opts.alg ?? 'PS256';
  const der = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const header = alg === 'PS256' ? { alg, typ: 'JWT', 'x5t#S256': createHash('sha256').update(der).digest('base64url') } : { alg, typ: 'JWT', x5t: createHash('sha1').update(der).digest('base64url') };
  const now = Math.floor(Date.now() / 1000);
  const claims = { aud: opts.aud ?? `${g.url}/${g.tenantId}/oauth2/v2.0/token`, iss: opts.iss ?? g.clientId, sub: opts.iss ?? g.clientId, jti: randomUUID(), nbf: now, exp: opts.exp ?? now + 600 };
  const input = `${b64(header)}.${b64(claims)}`;
  const key = alg === 'PS256' ? { key: keyPem, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : keyPem;
  return `${input}.${sign('sha256', Buffer.from(input), key).toString('base64url')}`;
}

const appCert = (): { certPem: string; keyPem: string } => {
  const pem = g.certificatePem;
  const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(pem)?.[0] ?? '';
  return { certPem: cert, keyPem: pem.replace(cert, '') };
};

beforeAll(async () => {
  spec = loadGraphSpec();
  s = await startSandbox({ users: 300, seed: 41, graphDeltaMembersPerPage: 10 });
  if (!s.graph) throw new Error('graph sandbox not started');
  g = s.graph;
});
afterAll(async () => {
  await s.close();
});

describe('identity platform', () => {
  it('serves the OpenID configuration MSAL reads, for the tenant id or its domain', async () => {
    const dir = s.graphServer?.directory;
    for (const tenant of [g.tenantId, dir?.domain ?? '']) {
      const res = await https(`${g.url}/${tenant}/v2.0/.well-known/openid-configuration`);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.json).toMatchObject({
        token_endpoint: `${g.url}/${g.tenantId}/oauth2/v2.0/token`,
        authorization_endpoint: `${g.url}/${g.tenantId}/oauth2/v2.0/authorize`,
        jwks_uri: `${g.url}/${g.tenantId}/discovery/v2.0/keys`,
        issuer: `${g.url}/${g.tenantId}/v2.0`,
        token_endpoint_auth_methods_supported: expect.arrayContaining(['client_secret_post', 'private_key_jwt']) as unknown,
      });
    }
    const unknown = await https(`${g.url}/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration`);
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({ error: 'invalid_tenant', error_codes: [90002] });
  });

  it('issues RS256 JWTs with the app-only claims and the granted roles, verifiable with the published key', async () => {
    const jwt = await token();
    const [h = '', p = '', sig = ''] = jwt.split('.');
    const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as Json;
    expect(header).toMatchObject({ typ: 'JWT', alg: 'RS256' });
    const keys = (await https(`${g.url}/${g.tenantId}/discovery/v2.0/keys`)).json.keys as (JsonWebKey & { kid: string })[];
    const jwk = keys.find((k) => k.kid === header.kid);
    if (!jwk) throw new Error('signing key not published');
    const { verify } = await import('node:crypto');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url'))).toBe(true);
    expect(claimsOf(jwt)).toMatchObject({ aud: 'https://graph.microsoft.com', tid: g.tenantId, appid: g.clientId, appidacr: '1', idtyp: 'app', ver: '1.0', roles: [...SANDBOX_GRAPH_ROLES] });
  });

  it('accepts a client assertion signed with the registered certificate (PS256 or RS256), and refuses bad ones', async () => {
    const { certPem, keyPem } = appCert();
    const form = (jwt: string): Record<string, string> => ({ client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer', client_assertion: jwt });
    for (const alg of ['PS256', 'RS256'] as const) {
      const ok = await tokenRequest(form(assertion(certPem, keyPem, { alg })));
      expect(ok.status).toBe(200);
      expect(claimsOf(ok.json.access_token as string).appidacr).toBe('2');
    }
    const other = await generateAppCertificate('not registered');
    const cases: [string, number][] = [
      [assertion(other.certPem, other.keyPem), 700027],
      [assertion(certPem, other.keyPem), 700027],
      [assertion(certPem, keyPem, { exp: Math.floor(Date.now() / 1000) - 3600 }), 700024],
      [assertion(certPem, keyPem, { aud: 'https://login.microsoftonline.com/common/oauth2/v2.0/token' }), 50027],
      [assertion(certPem, keyPem, { iss: randomUUID() }), 700021],
      ['not.a.jwt', 50027],
    ];
    for (const [jwt, code] of cases) {
      const res = await tokenRequest(form(jwt));
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({ error: 'invalid_client', error_codes: [code] });
      expect(res.json.error_description).toMatch(new RegExp(`^AADSTS${code}: `));
    }
  });

  it('answers 403 Authorization_RequestDenied when the app lacks the operation\'s permission', async () => {
    const server = s.graphServer;
    if (!server) throw new Error('no graph server');
    try {
      server.mutations.setRoles(g.clientId, ['Group.Read.All']);
      const limited = await token();
      expect(claimsOf(limited).roles).toEqual(['Group.Read.All']);
      const users = await graph('/users', { bearer: limited });
      expect(users.status).toBe(403);
      expect(users.json.error).toMatchObject({ code: 'Authorization_RequestDenied', message: 'Insufficient privileges to complete the operation.' });
      expect(validateResponse(spec, 'GET', '/users', users.status, users.json)).toEqual([]);
      expect((await graph('/groups?$top=1', { bearer: limited })).status).toBe(200);
      const dir = server.directory;
      const group = dir.groups.find((i) => !dir.isDynamic(i));
      const add = await graph(`/groups/${dir.groupId(group ?? 0)}/members/$ref`, { method: 'POST', bearer: limited, body: JSON.stringify({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${dir.userId(1)}` }) });
      expect(add.status).toBe(403);

      server.mutations.setRoles(g.clientId, ['User.Read.All']);
      const noAudit = await token();
      expect((await graph('/users?$select=id,signInActivity', { bearer: noAudit })).status).toBe(403);
      expect((await graph('/users?$select=id,mail', { bearer: noAudit })).status).toBe(200);

      server.mutations.setRoles(g.clientId, []);
      expect(claimsOf(await token())).not.toHaveProperty('roles');
    } finally {
      server.mutations.setRoles(g.clientId, SANDBOX_GRAPH_ROLES);
    }
  });
});

describe('Graph behaviour the sync relies on', () => {
  it('expands each user\'s manager in the list ($expand=manager($select=id)), valid against the spec', async () => {
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const res = await graph('/users?$select=id,displayName&$expand=manager($select=id)&$top=999');
    expect(res.status).toBe(200);
    expect(validateResponse(spec, 'GET', '/users', res.status, res.json)).toEqual([]);
    const users = res.json.value as Json[];
    expect(users).toHaveLength(300);
    for (const u of users) {
      const index = dir.userIndex(u.id as string);
      const person = s.org.users[index];
      if (!person) throw new Error('unknown user');
      if (person.managerIndex >= 0 && person.managerIndex !== index) expect(u.manager).toEqual({ '@odata.type': '#microsoft.graph.user', id: dir.userId(person.managerIndex) });
      else expect(u).not.toHaveProperty('manager');
    }
    const full = await graph(`/users/${dir.userId(5)}?$expand=manager`);
    expect(full.json.manager).toMatchObject({ '@odata.type': '#microsoft.graph.user', displayName: expect.any(String) as unknown });
    expect((await graph('/users?$expand=memberOf')).json.error).toMatchObject({ code: 'Request_BadRequest' });
    expect((await graph('/users/delta?$expand=manager')).status).toBe(400);
  });

  it('tracks the manager in users/delta ($select=manager): manager@delta, and its removal', async () => {
    const server = s.graphServer;
    if (!server) throw new Error('no graph server');
    const dir = server.directory;
    const latest = await graph('/users/delta?$select=id,displayName,manager&$deltatoken=latest');
    const person = s.org.users.find((u) => u.managerIndex > 0 && u.managerIndex !== u.index);
    const other = s.org.users.find((u) => u.managerIndex > 0 && u.managerIndex !== u.index && u.index !== person?.index);
    if (!person || !other) throw new Error('no managed people');
    server.mutations.updateUser(person.index, { managerIndex: 0 });
    server.mutations.updateUser(other.index, { managerIndex: null });
    const res = await graph(latest.json['@odata.deltaLink'] as string);
    expect(validateResponse(spec, 'GET', '/users/microsoft.graph.delta()', res.status, res.json)).toEqual([]);
    const value = res.json.value as Json[];
    expect(value).toEqual([
      { id: dir.userId(person.index), displayName: expect.any(String) as unknown, 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: dir.userId(0) }] },
      { id: dir.userId(other.index), displayName: expect.any(String) as unknown, 'manager@delta': [{ '@odata.type': '#microsoft.graph.user', id: dir.userId(other.managerIndex), '@removed': { reason: 'deleted' } }] },
    ]);
  });

  it('splits a large group\'s members@delta across pages; merged by group id they are its members', async () => {
    const dir = s.graphServer?.directory;
    if (!dir) throw new Error('no directory');
    const seen = new Map<string, Set<string>>();
    const appearances = new Map<string, number>();
    let next: string | undefined = '/groups/delta?$select=id,displayName,members&$top=50';
    let pages = 0;
    let deltaLink: string | undefined;
    while (next) {
      const res: Res = await graph(next);
      expect(validateResponse(spec, 'GET', '/groups/microsoft.graph.delta()', res.status, res.json)).toEqual([]);
      pages++;
      let refs = 0;
      for (const item of res.json.value as Json[]) {
        const id = item.id as string;
        appearances.set(id, (appearances.get(id) ?? 0) + 1);
        if ((appearances.get(id) ?? 0) > 1) expect(Object.keys(item).sort()).toEqual(['id', 'members@delta']);
        const members = seen.get(id) ?? new Set<string>();
        for (const m of item['members@delta'] as Json[]) members.add(m.id as string);
        refs += (item['members@delta'] as Json[]).length;
        seen.set(id, members);
      }
      expect(refs).toBeLessThanOrEqual(10);
      next = res.json['@odata.nextLink'] as string | undefined;
      deltaLink = res.json['@odata.deltaLink'] as string | undefined;
    }
    expect(deltaLink).toContain('$deltatoken=');
    expect(pages).toBeGreaterThan(dir.groups.length / 50 + 1);
    expect([...appearances.values()].some((n) => n > 1)).toBe(true);
    expect(seen.size).toBe(dir.groups.length);
    for (const gi of dir.groups) expect(seen.get(dir.groupId(gi))).toEqual(new Set([...dir.memberships.members(gi)].map((u) => dir.userId(u))));
  });

  it('reports what each request cost in resource units ($select one less, $expand one more), and lists enterprise apps by tag', async () => {
    const cost = async (path: string): Promise<string | string[] | undefined> => (await graph(path)).headers['x-ms-resource-unit'];
    expect(await cost('/users?$top=5')).toBe('2');
    expect(await cost('/users?$top=5&$select=id')).toBe('1');
    expect(await cost('/users?$top=5&$select=id&$expand=manager($select=id)')).toBe('2');
    expect(await cost('/users/delta?$deltatoken=latest')).toBe('5');
    const apps = await graph(`/servicePrincipals?$filter=${encodeURIComponent("tags/any(t:t eq 'WindowsAzureActiveDirectoryIntegratedApp')")}&$select=id,appId,displayName,preferredSingleSignOnMode`);
    expect(validateResponse(spec, 'GET', '/servicePrincipals', apps.status, apps.json)).toEqual([]);
    expect((apps.json.value as Json[]).length).toBe(s.org.apps.length);
    const none = await graph(`/servicePrincipals?$filter=${encodeURIComponent("tags/any(t:t eq 'HideApp')")}`);
    expect(none.json.value).toEqual([]);
  });

  it('can point its links at another origin (a forged nextLink, for clients\' tests)', async () => {
    const server = s.graphServer;
    if (!server) throw new Error('no graph server');
    server.setLinkBase('https://elsewhere.example');
    try {
      const res = await graph('/users?$top=5');
      expect(res.json['@odata.nextLink']).toMatch(/^https:\/\/elsewhere\.example\/v1\.0\/users\?/);
    } finally {
      server.setLinkBase(null);
    }
    expect((await graph('/users?$top=5')).json['@odata.nextLink']).toMatch(new RegExp(`^${g.url}/v1\\.0/users\\?`));
    const stats = server.stats();
    expect(stats.requests).toBeGreaterThan(0);
    expect(stats.hosts[new URL(g.url).host]).toBe(stats.requests);
  });
});
