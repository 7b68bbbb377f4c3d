// ID token validation (engine/operator/id-token.ts) with real RS256 keys:
// a good token passes, and each of these is refused with its own message —
// unsigned (alg none), another algorithm, a key the IdP does not publish,
// a tampered claim, another issuer, another audience, several audiences
// without azp, an expired token (at the exact skew boundary), a token issued
// in the future, a wrong nonce, a missing subject.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ID_TOKEN_SKEW_S, validateIdToken, type Jwk } from '../../electron/engine/operator/id-token.js';

const idp = generateKeyPairSync('rsa', { modulusLength: 2048 });
const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwkOf = (k: KeyObject, kid: string): Jwk => ({ ...(k.export({ format: 'jwk' }) as Jwk), kid, use: 'sig', alg: 'RS256' });
const KEYS: Jwk[] = [jwkOf(idp.publicKey, 'k1')];

const NOW = 1_800_000_000;
const ISSUER = 'https://acme.okta.com';
const CLIENT = '0oaLatchkey';
const expectation = { issuer: ISSUER, clientId: CLIENT, nonce: 'n-1', nowS: NOW };

const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
function jwt(claims: Record<string, unknown> = {}, opts: { header?: Record<string, unknown>; key?: KeyObject } = {}): string {
  const header = { alg: 'RS256', kid: 'k1', ...opts.header };
  const body = { iss: ISSUER, aud: CLIENT, sub: '00u1', iat: NOW - 10, exp: NOW + 3600, nonce: 'n-1', email: 'ada@acme.example', ...claims };
  const input = `${b64(header)}.${b64(body)}`;
  return `${input}.${sign('sha256', Buffer.from(input), opts.key ?? idp.privateKey).toString('base64url')}`;
}

describe('validateIdToken', () => {
  it('accepts a token signed by the published key with the expected claims', () => {
    const claims = validateIdToken(jwt(), KEYS, expectation);
    expect(claims).toMatchObject({ sub: '00u1', email: 'ada@acme.example', iss: ISSUER, aud: CLIENT });
  });

  it('refuses an unsigned token (alg none), with or without a signature part', () => {
    const [, p] = jwt().split('.');
    expect(() => validateIdToken(`${b64({ alg: 'none' })}.${p}.`, KEYS, expectation)).toThrow(/unsigned \(alg "none"/);
    expect(() => validateIdToken(`${b64({ alg: 'RS256', kid: 'k1' })}.${p}.`, KEYS, expectation)).toThrow(/unsigned/);
    expect(() => validateIdToken(`${b64({ alg: 'none' })}.${p}`, KEYS, expectation)).toThrow(/not a signed JWT \(it has 2 parts/);
  });

  it('refuses another algorithm (HS256 with the public key as secret is the classic attack)', () => {
    expect(() => validateIdToken(jwt({}, { header: { alg: 'HS256' } }), KEYS, expectation)).toThrow(/signed with "HS256"; only RS256/);
  });

  it('refuses a token signed by another key, whether it claims the published kid or another one', () => {
    expect(() => validateIdToken(jwt({}, { key: stranger.privateKey }), KEYS, expectation)).toThrow(/signature does not verify/);
    expect(() => validateIdToken(jwt({}, { key: stranger.privateKey, header: { kid: 'k9' } }), KEYS, expectation)).toThrow(/key the IdP does not publish \(kid k9\)/);
  });

  it('refuses a token whose claims were changed after signing', () => {
    const [h, , s] = jwt().split('.');
    const forged = b64({ iss: ISSUER, aud: CLIENT, sub: '00uADMIN', iat: NOW - 10, exp: NOW + 3600, nonce: 'n-1' });
    expect(() => validateIdToken(`${h}.${forged}.${s}`, KEYS, expectation)).toThrow(/signature does not verify/);
  });

  it('refuses another issuer', () => {
    expect(() => validateIdToken(jwt({ iss: 'https://evil.okta.com' }), KEYS, expectation)).toThrow(/issued by "https:\/\/evil\.okta\.com", not by https:\/\/acme\.okta\.com/);
  });

  it('refuses another audience, and several audiences without azp naming us', () => {
    expect(() => validateIdToken(jwt({ aud: '0oaOther' }), KEYS, expectation)).toThrow(/for another app \(audience "0oaOther", this app is 0oaLatchkey\)/);
    expect(() => validateIdToken(jwt({ aud: [CLIENT, '0oaOther'] }), KEYS, expectation)).toThrow(/authorized party \(azp\)/);
    expect(validateIdToken(jwt({ aud: [CLIENT, '0oaOther'], azp: CLIENT }), KEYS, expectation).sub).toBe('00u1');
  });

  it('refuses an expired token from exactly exp + skew, and accepts it one second before', () => {
    const exp = NOW - 1000;
    const token = jwt({ exp, iat: exp - 3600 });
    expect(validateIdToken(token, KEYS, { ...expectation, nowS: exp + ID_TOKEN_SKEW_S - 1 }).exp).toBe(exp);
    expect(() => validateIdToken(token, KEYS, { ...expectation, nowS: exp + ID_TOKEN_SKEW_S })).toThrow(/expired at /);
  });

  it('refuses a token issued beyond the skew in the future', () => {
    expect(validateIdToken(jwt({ iat: NOW + ID_TOKEN_SKEW_S }), KEYS, expectation).sub).toBe('00u1');
    expect(() => validateIdToken(jwt({ iat: NOW + ID_TOKEN_SKEW_S + 1 }), KEYS, expectation)).toThrow(/issued in the future/);
  });

  it('refuses a wrong or missing nonce', () => {
    expect(() => validateIdToken(jwt({ nonce: 'n-2' }), KEYS, expectation)).toThrow(/nonce does not match this sign-in/);
    expect(() => validateIdToken(jwt({ nonce: undefined }), KEYS, expectation)).toThrow(/nonce does not match/);
  });

  it('refuses a token with no subject or no times', () => {
    expect(() => validateIdToken(jwt({ sub: '' }), KEYS, expectation)).toThrow(/no subject/);
    expect(() => validateIdToken(jwt({ exp: undefined }), KEYS, expectation)).toThrow(/no numeric exp and iat/);
  });
});
