// The sandbox Okta's and Entra's OpenID Connect side, over real HTTP(S): the
// discovery documents and keys in the vendors' shapes, the sign-in page, the
// authorization code flow for a public client with PKCE, and each refusal
// (unknown client, unregistered redirect, missing PKCE, wrong verifier,
// expired code, reused code, code of another client) with its error. The ID
// token is checked claim by claim and its signature against the published JWKS.
import { createHash, createPublicKey, randomBytes, verify, type JsonWebKey } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../electron/sandbox/sandbox.js';

type Res = { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: () => Record<string, unknown> };

let s: Sandbox;
let nowMs = Date.parse('2026-12-07T10:00:00Z');
const clock = { now: () => new Date(nowMs) };

function call(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Res> {
  const body = init.form ? new URLSearchParams(init.form).toString() : undefined;
  const headers: Record<string, string> = body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {};
  const wrap = (status: number, h: Res['headers'], text: string): Res => ({ status, headers: h, text, json: () => JSON.parse(text) as Record<string, unknown> });
  if (url.startsWith('https:')) {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, ca: s.graph?.caPem ?? '' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(wrap(res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf8'))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  return fetch(url, { method: init.method ?? (body ? 'POST' : 'GET'), headers, ...(body !== undefined ? { body } : {}), redirect: 'manual' }).then(async (r) => wrap(r.status, { location: r.headers.get('location') ?? undefined, 'content-type': r.headers.get('content-type') ?? undefined, 'cache-control': r.headers.get('cache-control') ?? undefined }, await r.text()));
}

const pkce = (): { verifier: string; challenge: string } => {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
};

type Idp = { name: string; authorize: string; token: string; discovery: string; clientId: string; redirect: string; login: string; issuer: string };
let okta: Idp;
let entra: Idp;

beforeAll(async () => {
  s = await startSandbox({ users: 60, seed: 3, jira: false, clock });
  const g = s.graph;
  if (!g) throw new Error('graph sandbox missing');
  const active = s.org.users.find((u) => u.status === 'ACTIVE');
  if (!active) throw new Error('no active user');
  okta = { name: 'okta', authorize: `${s.okta.url}/oauth2/v1/authorize`, token: `${s.okta.url}/oauth2/v1/token`, discovery: `${s.okta.url}/.well-known/openid-configuration`, clientId: s.okta.signIn.clientId, redirect: 'http://127.0.0.1:49152/callback', login: active.login, issuer: s.okta.url };
  entra = { name: 'entra', authorize: `${g.url}/${g.tenantId}/oauth2/v2.0/authorize`, token: `${g.url}/${g.tenantId}/oauth2/v2.0/token`, discovery: `${g.url}/${g.tenantId}/v2.0/.well-known/openid-configuration`, clientId: g.signIn.clientId, redirect: 'http://127.0.0.1:49153/callback', login: active.email, issuer: `${g.url}/${g.tenantId}/v2.0` };
});
afterAll(async () => s?.close());

function authorizeUrl(idp: Idp, over: Record<string, string | null> = {}, challenge = pkce().challenge): string {
  const u = new URL(idp.authorize);
  const params: Record<string, string | null> = { client_id: idp.clientId, response_type: 'code', scope: 'openid profile email', redirect_uri: idp.redirect, state: 'st-123', nonce: 'n-456', code_challenge: challenge, code_challenge_method: 'S256', ...over };
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
  return u.toString();
}

/** Signs in on the sandbox page (posting the form as a browser would) and returns the redirect's parameters. */
async function signIn(idp: Idp, login: string, challenge: string, over: Record<string, string | null> = {}): Promise<URL> {
  const page = await call(authorizeUrl(idp, over, challenge));
  expect(page.status).toBe(200);
  expect(page.text).toContain('<form method="post"');
  const form = Object.fromEntries(new URL(authorizeUrl(idp, over, challenge)).searchParams.entries());
  const res = await call(idp.authorize, { form: { ...form, username: login } });
  expect(res.status).toBe(302);
  return new URL(String(res.headers.location));
}

const redeem = (idp: Idp, form: Record<string, string>): Promise<Res> => call(idp.token, { form: { grant_type: 'authorization_code', client_id: idp.clientId, redirect_uri: idp.redirect, ...form } });

const parts = (jwt: string): { header: Record<string, unknown>; claims: Record<string, unknown> } => {
  const [h = '', p = ''] = jwt.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()) as Record<string, unknown>, claims: JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown> };
};

describe('discovery documents', () => {
  it('Okta org authorization server: issuer = org URL, PKCE S256, public clients (none), RS256', async () => {
    const res = await call(okta.discovery);
    expect(res.status).toBe(200);
    const d = res.json();
    expect(d).toMatchObject({
      issuer: s.okta.url,
      authorization_endpoint: `${s.okta.url}/oauth2/v1/authorize`,
      token_endpoint: `${s.okta.url}/oauth2/v1/token`,
      jwks_uri: `${s.okta.url}/oauth2/v1/keys`,
      code_challenge_methods_supported: ['S256'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: ['RS256'],
    });
    expect(d.token_endpoint_auth_methods_supported).toContain('none');
    expect(d.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    const keys = (await call(String(d.jwks_uri))).json().keys as Record<string, unknown>[];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', e: 'AQAB' });
    expect(String(keys[0]?.kid)).not.toBe('');
  });

  it('Entra v2.0: issuer {login}/{tid}/v2.0, authorize and token under the tenant, keys at discovery/v2.0/keys', async () => {
    const g = s.graph;
    const d = (await call(entra.discovery)).json();
    expect(d).toMatchObject({ issuer: entra.issuer, authorization_endpoint: entra.authorize, token_endpoint: entra.token, jwks_uri: `${g?.url}/${g?.tenantId}/discovery/v2.0/keys` });
  });
});

describe.each([
  ['okta', (): Idp => okta],
  ['entra', (): Idp => entra],
])('%s sign-in', (_name, idpOf) => {
  it('the page offers a username field and users to pick; a code redeems once for a signed ID token naming the user', async () => {
    const idp = idpOf();
    const page = await call(authorizeUrl(idp));
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('name="username"');
    expect(page.text).toMatch(/name="login" value="[^"]+"/);
    expect(page.text).toContain('no password');
    const { verifier, challenge } = pkce();
    const back = await signIn(idp, idp.login, challenge);
    expect(back.origin + back.pathname).toBe(idp.redirect);
    expect(back.searchParams.get('state')).toBe('st-123');
    const code = back.searchParams.get('code') ?? '';
    expect(code.length).toBeGreaterThanOrEqual(32);

    const res = await redeem(idp, { code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toContain('no-store');
    const body = res.json();
    expect(body).toMatchObject({ token_type: 'Bearer', scope: 'openid profile email' });
    const idToken = String(body.id_token);
    const { header, claims } = parts(idToken);
    expect(header.alg).toBe('RS256');
    const iat = Math.floor(nowMs / 1000);
    expect(claims).toMatchObject({ iss: idp.issuer, aud: idp.clientId, nonce: 'n-456', iat, exp: iat + 3600 });
    expect(claims.at_hash).toBe(createHash('sha256').update(String(body.access_token)).digest().subarray(0, 16).toString('base64url'));
    const user = s.org.users.find((u) => u.email === idp.login || u.login === idp.login);
    expect(claims.email).toBe(user?.email);
    expect(claims.name).toBe(`${user?.firstName} ${user?.lastName}`);
    if (idp.name === 'okta') {
      expect(claims).toMatchObject({ sub: user?.id, preferred_username: user?.login, ver: 1 });
    } else {
      const g = s.graph;
      const oid = g ? s.graphServer?.directory.userId(user?.index ?? -1) : '';
      expect(claims).toMatchObject({ oid, tid: g?.tenantId, preferred_username: user?.email, ver: '2.0' });
      expect(claims.sub).not.toBe(oid);
    }
    // The signature verifies with the published key of that kid, and not once a claim changes.
    const discovery = (await call(idp.discovery)).json();
    const keys = (await call(String(discovery.jwks_uri))).json().keys as JsonWebKey[];
    const jwk = keys.find((k) => k.kid === header.kid);
    expect(jwk).toBeDefined();
    const [h = '', p = '', sig = ''] = idToken.split('.');
    const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(sig, 'base64url'))).toBe(true);
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString('base64url');
    expect(verify('sha256', Buffer.from(`${h}.${forged}`), key, Buffer.from(sig, 'base64url'))).toBe(false);

    // Reused: the same code again is refused, and named as redeemed.
    const again = await redeem(idp, { code, code_verifier: verifier });
    expect(again.status).toBe(400);
    expect(again.json().error).toBe('invalid_grant');
    expect(String(again.json().error_description)).toMatch(/already redeemed/);
  });

  it('refuses a wrong code verifier, and the code is then spent', async () => {
    const idp = idpOf();
    const { verifier, challenge } = pkce();
    const code = (await signIn(idp, idp.login, challenge)).searchParams.get('code') ?? '';
    const wrong = await redeem(idp, { code, code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.json().error).toBe('invalid_grant');
    expect(String(wrong.json().error_description)).toMatch(/code_verifier does not match the code_challenge/);
    if (idp.name === 'entra') expect(wrong.json().error_codes).toEqual([501481]);
    const right = await redeem(idp, { code, code_verifier: verifier });
    expect(right.json().error).toBe('invalid_grant');
  });

  it('refuses a missing verifier and a malformed one', async () => {
    const idp = idpOf();
    const { challenge } = pkce();
    const code1 = (await signIn(idp, idp.login, challenge)).searchParams.get('code') ?? '';
    expect(String((await redeem(idp, { code: code1 })).json().error_description)).toMatch(/'code_verifier' parameter is required/);
    const code2 = (await signIn(idp, idp.login, challenge)).searchParams.get('code') ?? '';
    expect(String((await redeem(idp, { code: code2, code_verifier: 'short' })).json().error_description)).toMatch(/43-128/);
  });

  it('refuses a code redeemed after its lifetime, and accepts one a second before', async () => {
    const idp = idpOf();
    const lifetime = idp.name === 'okta' ? 300_000 : 600_000;
    const a = pkce();
    const codeA = (await signIn(idp, idp.login, a.challenge)).searchParams.get('code') ?? '';
    const b = pkce();
    const codeB = (await signIn(idp, idp.login, b.challenge)).searchParams.get('code') ?? '';
    const start = nowMs;
    try {
      nowMs = start + lifetime - 1000;
      expect((await redeem(idp, { code: codeA, code_verifier: a.verifier })).status).toBe(200);
      nowMs = start + lifetime;
      const late = await redeem(idp, { code: codeB, code_verifier: b.verifier });
      expect(late.status).toBe(400);
      expect(String(late.json().error_description)).toMatch(/authorization code has expired/);
      if (idp.name === 'entra') expect(late.json().error_codes).toEqual([70008]);
    } finally {
      nowMs = start;
    }
  });

  it('refuses a code presented with another redirect URI, by another client, or never issued', async () => {
    const idp = idpOf();
    const { verifier, challenge } = pkce();
    const code = (await signIn(idp, idp.login, challenge)).searchParams.get('code') ?? '';
    const other = await redeem(idp, { code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:1/callback' });
    expect(String(other.json().error_description)).toMatch(/redirect_uri' does not match/);
    const unknown = await redeem(idp, { code: 'never-issued', code_verifier: verifier });
    expect(unknown.json()).toMatchObject({ error: 'invalid_grant' });
    expect(String(unknown.json().error_description)).toMatch(/invalid or has expired/);
    const stranger = await redeem(idp, { code, code_verifier: verifier, client_id: 'not-an-app' });
    expect(stranger.json().error).toBe('invalid_client');
  });

  it('the authorize endpoint refuses an unknown client and an unregistered redirect on its own page, never redirecting there', async () => {
    const idp = idpOf();
    const unknown = await call(authorizeUrl(idp, { client_id: 'nope' }));
    expect(unknown.status).toBe(400);
    expect(unknown.headers.location).toBeUndefined();
    expect(unknown.text).toMatch(/not registered/);
    const evil = await call(authorizeUrl(idp, { redirect_uri: 'http://evil.example/callback' }));
    expect(evil.status).toBe(400);
    expect(evil.headers.location).toBeUndefined();
    expect(evil.text).toMatch(/http:\/\/evil\.example\/callback is not registered/);
    // Loopback on another port is the registered URI (RFC 8252 §7.3); another path is not.
    expect((await call(authorizeUrl(idp, { redirect_uri: 'http://127.0.0.1:5/callback' }))).status).toBe(200);
    expect((await call(authorizeUrl(idp, { redirect_uri: 'http://127.0.0.1:5/other' }))).status).toBe(400);
  });

  it('sends PKCE, scope and response type errors back to the registered redirect with the state', async () => {
    const idp = idpOf();
    for (const [over, error, text] of [
      [{ code_challenge: null }, 'invalid_request', /PKCE code challenge is required/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /must be 'S256'/],
      [{ scope: 'profile' }, 'invalid_scope', /'openid'/],
      [{ response_type: 'token' }, 'unsupported_response_type', /authorization code flow/],
    ] as const) {
      const res = await call(authorizeUrl(idp, over));
      expect(res.status).toBe(302);
      const back = new URL(String(res.headers.location));
      expect(back.origin + back.pathname).toBe(idp.redirect);
      expect(back.searchParams.get('error')).toBe(error);
      expect(back.searchParams.get('error_description')).toMatch(text);
      expect(back.searchParams.get('state')).toBe('st-123');
    }
  });

  it('a login that is not an active user is refused on the page, with no code', async () => {
    const idp = idpOf();
    const { challenge } = pkce();
    const form = Object.fromEntries(new URL(authorizeUrl(idp, {}, challenge)).searchParams.entries());
    const res = await call(idp.authorize, { form: { ...form, username: 'nobody@nowhere.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.location).toBeUndefined();
    expect(res.text).toMatch(/role="alert">[^<]*nobody@nowhere\.example/);
  });
});

it('Okta requires state; a suspended Okta user cannot sign in', async () => {
  const res = await call(authorizeUrl(okta, { state: null }));
  expect(res.status).toBe(302);
  expect(new URL(String(res.headers.location)).searchParams.get('error_description')).toMatch(/'state' parameter is required/);
  const suspended = s.org.users.find((u) => u.status === 'SUSPENDED');
  if (!suspended) throw new Error('the seeded org has no suspended user');
  const form = Object.fromEntries(new URL(authorizeUrl(okta)).searchParams.entries());
  const page = await call(okta.authorize, { form: { ...form, username: suspended.login } });
  expect(page.text).toContain('their status is SUSPENDED');
});
