import { describe, expect, it } from 'vitest';
import { createOktaConnector, nextLink } from '../../electron/engine/connectors/okta/okta-connector.js';
import { OktaError, redact, toOktaError } from '../../electron/engine/connectors/okta/okta-errors.js';
import { classifyGroup, normaliseGroup, normaliseUser, ruleIndex } from '../../electron/engine/connectors/okta/okta-normalise.js';
import type { Transport } from '../../electron/engine/connectors/okta/request-executor.js';
import { fakeTime, response } from './okta-fakes.js';

const ORG = 'https://acme.okta.com';
const TOKEN = '00abcdefghijklmnopqrstuvwxyz0123456789ABCD';

function connector(transport: Transport) {
  const time = fakeTime();
  const c = createOktaConnector({ orgUrl: `${ORG}/admin`, credential: { type: 'token', token: TOKEN }, clock: time.clock, sleep: time.sleep, transport, maxRetries: 1 });
  return { c, time };
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

const user = (id: string, status = 'ACTIVE', profile: Record<string, unknown> = {}) => ({
  id,
  status,
  lastLogin: null,
  created: '2024-01-01T00:00:00.000Z',
  lastUpdated: '2024-02-01T00:00:00.000Z',
  profile: { login: `${id}@acme.example.com`, email: `${id}@acme.example.com`, firstName: 'Ada', lastName: id, ...profile },
});

describe('okta connector', () => {
  it('follows Link rel="next", asks for DEPROVISIONED users separately and sends the SSWS token', async () => {
    const seen: { url: string; auth: string | undefined }[] = [];
    const transport: Transport = (url, init) => {
      seen.push({ url, auth: init.headers.Authorization });
      const u = new URL(url);
      if (u.searchParams.get('filter') === 'status eq "DEPROVISIONED"') return Promise.resolve(response(200, [user('00ugone0000000000000', 'DEPROVISIONED')]));
      if (!u.searchParams.get('after')) {
        return Promise.resolve(response(200, [user('00uone00000000000000')], { link: `<${ORG}/api/v1/users?limit=200>; rel="self", <${ORG}/api/v1/users?after=p2&limit=200>; rel="next"` }));
      }
      return Promise.resolve(response(200, [user('00utwo00000000000000', 'SUSPENDED', { department: 'Finance', userType: 'Contractor', city: 'Lyon', countryCode: 'FR', managerId: 'boss@acme.example.com' })]));
    };
    const { c, time } = connector(transport);
    const pages = await time.run(drain(c.users()));
    expect(pages.flatMap((p) => p.identities.map((i) => [i.id, i.status]))).toEqual([
      ['00uone00000000000000', 'ACTIVE'],
      ['00utwo00000000000000', 'SUSPENDED'],
      ['00ugone0000000000000', 'DEPROVISIONED'],
    ]);
    expect(pages[1]!.identities[0]).toMatchObject({ department: 'Finance', employeeType: 'Contractor', location: 'Lyon, FR', displayName: 'Ada 00utwo00000000000000' });
    expect(pages[1]!.managerRefs).toEqual([{ identityId: '00utwo00000000000000', ref: 'boss@acme.example.com' }]);
    expect(new URL(seen[0]!.url).searchParams.get('limit')).toBe('200');
    expect(seen.every((s) => s.auth === `SSWS ${TOKEN}`)).toBe(true);
    expect(c.stats().requests).toBe(3);
  });

  it('never follows a next link to another host (it would carry the token there)', async () => {
    const hosts: string[] = [];
    const transport: Transport = (url) => {
      hosts.push(new URL(url).host);
      return Promise.resolve(response(200, [{ id: '00g1', type: 'OKTA_GROUP', profile: { name: 'x' } }], { link: '<https://evil.example.com/api/v1/groups?after=1>; rel="next"' }));
    };
    const { c, time } = connector(transport);
    await expect(time.run(drain(c.groups()))).rejects.toThrow(/points outside https:\/\/acme\.okta\.com/);
    expect(hosts).toEqual(['acme.okta.com']);
  });

  it('maps a revoked token to a clear 401 without the token in the text', async () => {
    const transport: Transport = () =>
      Promise.resolve(response(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided', errorLink: 'E0000011', errorId: 'oae1', errorCauses: [] }));
    const { c, time } = connector(transport);
    const err = (await time.run(drain(c.users())).catch((e: unknown) => e)) as OktaError;
    expect(err).toBeInstanceOf(OktaError);
    expect(err.kind).toBe('unauthorized');
    expect(err.message).toContain('Invalid token provided');
    expect(err.message).not.toContain(TOKEN);
  });

  it('names the missing scope of a 403, from WWW-Authenticate or from the endpoint', async () => {
    const challenge: Transport = () =>
      Promise.resolve(
        response(403, { errorCode: 'E0000006', errorSummary: 'You do not have permission to perform the requested action' }, {
          'www-authenticate': 'Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="IdpRealm", scope="okta.groups.read", error="insufficient_scope"',
        }),
      );
    const a = connector(challenge);
    const e1 = (await a.time.run(drain(a.c.groups())).catch((e: unknown) => e)) as OktaError;
    expect(e1.details.missingScope).toBe('okta.groups.read');
    expect(e1.message).toMatch(/lacks the okta\.groups\.read scope/);

    const bare: Transport = () => Promise.resolve(response(403, { errorCode: 'E0000006', errorSummary: 'You do not have permission to perform the requested action' }));
    const b = connector(bare);
    const e2 = (await b.time.run(drain(b.c.appGroups('0oa1'))).catch((e: unknown) => e)) as OktaError;
    expect(e2.details.missingScope).toBe('okta.apps.read');
  });

  it('tests a connection: org name, read ability, write ability from admin roles', async () => {
    const routes = (roles: string[]): Transport => (url) => {
      const p = new URL(url).pathname;
      if (p === '/api/v1/org') return Promise.resolve(response(200, { id: '00o1', companyName: 'Acme Corp', subdomain: 'acme' }));
      if (p === '/api/v1/logs') return Promise.resolve(response(403, { errorCode: 'E0000006', errorSummary: 'You do not have permission' }));
      if (p === '/api/v1/users/me') return Promise.resolve(response(200, user('00ume000000000000000')));
      if (p.endsWith('/roles')) return Promise.resolve(response(200, roles.map((type) => ({ id: `r-${type}`, type }))));
      return Promise.resolve(response(200, []));
    };
    const ro = connector(routes(['READ_ONLY_ADMIN']));
    const r1 = await ro.time.run(ro.c.testConnection());
    expect(r1).toMatchObject({ ok: true, orgName: 'Acme Corp', orgUrl: ORG, canRead: true, canWrite: false, error: null });
    expect(r1.details).toContain('cannot read logs: okta.logs.read not granted');

    const admin = connector(routes(['SUPER_ADMIN']));
    expect(await admin.time.run(admin.c.testConnection())).toMatchObject({ ok: true, canWrite: true });
  });

  it('says so when the URL is not an Okta org, and when the token is refused', async () => {
    const html: Transport = () => Promise.resolve(response(200, '<!doctype html><title>Welcome</title>', { 'content-type': 'text/html' }));
    const a = connector(html);
    const r1 = await a.time.run(a.c.testConnection());
    expect(r1.ok).toBe(false);
    expect(r1.error).toMatch(/did not answer with JSON \(text\/html\): is this an Okta org URL\?/);

    const revoked: Transport = () => Promise.resolve(response(401, { errorCode: 'E0000011', errorSummary: 'Invalid token provided' }));
    const b = connector(revoked);
    const r2 = await b.time.run(b.c.testConnection());
    expect(r2).toMatchObject({ ok: false, canRead: false });
    expect(r2.error).toBe('Okta rejected the credential (401 E0000011: Invalid token provided): the API token is invalid, revoked or expired');
  });

  it('reports an unreachable host in one line', async () => {
    const refused: Transport = () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }));
    const { c, time } = connector(refused);
    const r = await time.run(c.testConnection());
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^cannot reach acme\.okta\.com \(ECONNREFUSED\)/);
  });
});

describe('okta normalisation', () => {
  it('parses Link headers', () => {
    expect(nextLink('<https://a/x?after=1>; rel="next"')).toBe('https://a/x?after=1');
    expect(nextLink('<https://a/x>; rel="self", <https://a/x?after=2&limit=5>; rel="next"')).toBe('https://a/x?after=2&limit=5');
    expect(nextLink('<https://a/x>; rel="self"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });

  it('skips records without an id or login instead of failing the page', () => {
    expect(normaliseUser({ id: 'x', profile: {} })).toBeNull();
    expect(normaliseUser(null)).toBeNull();
    expect(normaliseUser({ id: '00u1', profile: { login: 'a@b.c', manager: 'Grace Hopper' } })?.managerRef).toEqual({ identityId: '00u1', ref: 'Grace Hopper' });
  });

  it('classifies who manages each group', () => {
    const rules = ruleIndex([
      { id: 'r1', name: 'Engineering dept', status: 'ACTIVE', groupIds: ['00geng'] },
      { id: 'r2', name: 'Old rule', status: 'INACTIVE', groupIds: ['00gold'] },
    ]);
    const labels = new Map([['0oaad', 'Active Directory']]);
    const g = (raw: Record<string, unknown>) => classifyGroup(normaliseGroup(raw)!, rules, labels);
    expect(g({ id: '00geng', type: 'OKTA_GROUP', profile: { name: 'eng' } })).toMatchObject({ managedBy: 'rule', managedByName: 'Engineering dept' });
    expect(g({ id: '00gold', type: 'OKTA_GROUP', profile: { name: 'old' } })).toMatchObject({ managedBy: 'direct', managedByName: null });
    expect(
      g({ id: '00gad', type: 'APP_GROUP', profile: { name: 'AD users' }, _links: { source: { href: 'https://acme.okta.com/api/v1/apps/0oaad' } } }),
    ).toMatchObject({ managedBy: 'external', managedByName: 'Active Directory' });
    expect(g({ id: '00gall', type: 'BUILT_IN', profile: { name: 'Everyone' } })).toMatchObject({ managedBy: 'external' });
  });

  it('error text never carries a secret', () => {
    expect(redact(`failed with SSWS ${TOKEN} and ${TOKEN}`, [TOKEN])).toBe('failed with SSWS [redacted] and [redacted]');
    const e = toOktaError({ status: 403, errorCode: 'E0000006', errorSummary: 'no', url: `${ORG}/api/v1/logs?since=x`, headers: { get: () => null } });
    expect(e.details.missingScope).toBe('okta.logs.read');
  });
});
