// Validates an OpenID Connect ID token with node:crypto only: RS256 signature
// against the IdP's published keys (JWKS), issuer, audience (and azp when
// there are several audiences), expiry and issue time with a small clock
// skew, and the nonce of this sign-in. Each refusal names what was wrong.
// Threats: a forged or unsigned token (alg "none"), a token for another app
// replayed at ours, a stolen old token, one minted by another issuer.
import { createPublicKey, verify, type JsonWebKey } from 'node:crypto';

/** Seconds of clock difference tolerated between us and the IdP. */
export const ID_TOKEN_SKEW_S = 120;

export type Jwk = JsonWebKey & { kid?: string; kty?: string; use?: string; alg?: string };

export type IdTokenExpectation = {
  issuer: string;
  clientId: string;
  nonce: string;
  nowS: number;
  skewS?: number;
};

export type IdTokenClaims = Record<string, unknown> & { iss: string; sub: string; aud: string | string[]; exp: number; iat: number };

/** Why a token was refused; the message is safe to show (it never contains the token). */
export class IdTokenError extends Error {
  override readonly name = 'IdTokenError';
}

function decodePart(part: string, what: string): Record<string, unknown> {
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw new IdTokenError(`the ID token's ${what} is not a JSON object`);
}

/** The JOSE header of a compact JWT (for picking the key). */
export function jwtHeader(jwt: string): Record<string, unknown> {
  const parts = jwt.split('.');
  if (parts.length !== 3) throw new IdTokenError(`the ID token is not a signed JWT (it has ${parts.length} parts, a JWS has 3)`);
  return decodePart(parts[0] ?? '', 'header');
}

/**
 * Validates `jwt` against `keys` (the IdP's JWKS) and `expect`. Returns the
 * claims, or throws IdTokenError naming the first check that failed.
 */
export function validateIdToken(jwt: string, keys: readonly Jwk[], expect: IdTokenExpectation): IdTokenClaims {
  const header = jwtHeader(jwt);
  const [h = '', p = '', s = ''] = jwt.split('.');
  const alg = header.alg;
  if (alg === 'none' || alg === undefined || s === '') throw new IdTokenError('the ID token is unsigned (alg "none" or no signature): refused');
  if (alg !== 'RS256') throw new IdTokenError(`the ID token is signed with ${JSON.stringify(alg)}; only RS256 is accepted`);
  const kid = typeof header.kid === 'string' ? header.kid : null;
  const candidates = keys.filter((k) => k.kty === 'RSA' && (k.use === undefined || k.use === 'sig') && (kid === null || k.kid === kid));
  if (candidates.length === 0) throw new IdTokenError(`the ID token is signed by a key the IdP does not publish (kid ${kid ?? '(none)'})`);
  const input = Buffer.from(`${h}.${p}`);
  const signature = Buffer.from(s, 'base64url');
  const ok = candidates.some((k) => {
    try {
      return verify('sha256', input, createPublicKey({ key: { kty: 'RSA', n: k.n, e: k.e }, format: 'jwk' }), signature);
    } catch {
      return false;
    }
  });
  if (!ok) throw new IdTokenError("the ID token's signature does not verify against the IdP's published key");

  const claims = decodePart(p, 'payload');
  const skew = expect.skewS ?? ID_TOKEN_SKEW_S;
  if (claims.iss !== expect.issuer) throw new IdTokenError(`the ID token was issued by ${JSON.stringify(claims.iss)}, not by ${expect.issuer}`);
  const aud = claims.aud;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
  if (!audiences.includes(expect.clientId)) throw new IdTokenError(`the ID token is for another app (audience ${JSON.stringify(aud)}, this app is ${expect.clientId})`);
  if (audiences.length > 1 && claims.azp !== expect.clientId) throw new IdTokenError(`the ID token has several audiences and its authorized party (azp) is not this app`);
  if (typeof claims.sub !== 'string' || claims.sub === '') throw new IdTokenError('the ID token names no subject (sub)');
  const exp = claims.exp;
  const iat = claims.iat;
  if (typeof exp !== 'number' || typeof iat !== 'number') throw new IdTokenError('the ID token has no numeric exp and iat');
  if (expect.nowS >= exp + skew) throw new IdTokenError(`the ID token expired at ${new Date(exp * 1000).toISOString()}`);
  if (iat > expect.nowS + skew) throw new IdTokenError(`the ID token was issued in the future (${new Date(iat * 1000).toISOString()}): check this computer's clock`);
  if (claims.nonce !== expect.nonce) throw new IdTokenError('the ID token\'s nonce does not match this sign-in (a replayed or foreign token)');
  return claims as IdTokenClaims;
}
