// What the harness, the server children, the micro-benchmarks and the smoke test agree on:
// variants, the request, the expected body, key material and tokens.
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, type JWK } from 'jose';

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'https://api.example';
export const ORIGIN = 'https://app.example.com';
export const KID = 'bench-es256';
export const PATH = '/cases/123';

/** The one case the route serves; every variant answers GET /cases/123 with exactly this JSON. */
export const CASE = Object.freeze({ id: '123', tenantId: 't1', title: 'Bench case', status: 'open' });

/** Which token a variant's requests carry. Variants without verification still get one (same request). */
export type TokenKind = 'es256' | 'hs256';

export interface Variant {
  /** Short id used in the table, as the issue numbers them. */
  readonly id: string;
  /** Name passed to the server child. */
  readonly name: string;
  readonly label: string;
  readonly token: TokenKind;
  /** Run in the first this-many rounds only (the (e) variants, to keep the whole run under ~7 minutes). */
  readonly maxRounds?: number;
}

/** Rounds of the (e) single-middleware variants (the headline variants a–d run every round). */
export const E_ROUNDS = 2;

/** Variants in issue order: (a) … (e). Rounds run them in this order, A B C …, repeatedly. */
export const VARIANTS: readonly Variant[] = Object.freeze([
  { id: 'a', name: 'bare', label: 'bare Express 5 + express.json()', token: 'es256' },
  { id: 'b', name: 'portcullis', label: 'Portcullis secureBaseline, ES256 + policy', token: 'es256' },
  { id: 'b2', name: 'portcullis-cache', label: '(b) + opt-in verifiedTokenCache (repeated token: best case)', token: 'es256' },
  { id: 'c', name: 'peer', label: 'peer stack, ES256 (express-oauth2-jwt-bearer)', token: 'es256' },
  { id: 'd1', name: 'peer-hs256', label: 'peer stack, HS256 (express-jwt)', token: 'hs256' },
  { id: 'd2', name: 'portcullis-hs256', label: 'Portcullis secureBaseline, HS256 + policy', token: 'hs256' },
  { id: 'd3', name: 'portcullis-hs256-cache', label: '(d2) + opt-in verifiedTokenCache (repeated token: best case)', token: 'hs256' },
  { id: 'e1', name: 'only-headers', label: 'securityHeaders("api") alone', token: 'es256', maxRounds: E_ROUNDS },
  { id: 'e2', name: 'only-cors', label: 'strictCors alone', token: 'es256', maxRounds: E_ROUNDS },
  { id: 'e3', name: 'only-ratelimit', label: 'rateLimit (memory) alone', token: 'es256', maxRounds: E_ROUNDS },
  { id: 'e4', name: 'only-logger', label: 'requestLogger alone', token: 'es256', maxRounds: E_ROUNDS },
  { id: 'e5', name: 'only-jwt-es256', label: 'jwtAuth ES256 alone', token: 'es256', maxRounds: E_ROUNDS },
  { id: 'e6', name: 'only-jwt-hs256', label: 'jwtAuth HS256 alone', token: 'hs256', maxRounds: E_ROUNDS },
]);

export function variantByName(name: string): Variant | undefined {
  return VARIANTS.find((v) => v.name === name);
}

/** Key material the server children need (public JWK, HMAC secret); the private key stays in the parent. */
export interface Material {
  readonly jwk: JWK;
  /** 64 ASCII characters: 64 bytes as UTF-8, enough for HS256 everywhere. */
  readonly secret: string;
}

export interface Keys {
  readonly material: Material;
  readonly tokens: Readonly<Record<TokenKind, string>>;
}

/**
 * Fresh keys and one RFC 9068 access token per algorithm, valid for `ttlSec` seconds
 * (900 s: the config's default ACCESS_TOKEN_MAX_TTL_SEC; a whole run takes about 6 minutes).
 */
export async function makeKeys(ttlSec = 900): Promise<Keys> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid: KID, alg: 'ES256', use: 'sig' };
  const secret = randomBytes(48).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  // Claims both stacks accept in their strictest mode: RFC 9068 (typ at+jwt; iss, exp, aud, sub, iat,
  // client_id, jti) plus what the policy needs (tenant_id, roles).
  const claims = {
    sub: 'user-1',
    client_id: 'bench-client',
    tenant_id: 't1',
    roles: ['reviewer'],
    scope: 'cases:read',
  };
  const sign = (alg: 'ES256' | 'HS256'): Promise<string> =>
    new SignJWT(claims)
      .setProtectedHeader(alg === 'ES256' ? { alg, typ: 'at+jwt', kid: KID } : { alg, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSec)
      .setJti(randomUUID())
      .sign(alg === 'ES256' ? pair.privateKey : new TextEncoder().encode(secret));
  return { material: { jwk, secret }, tokens: { es256: await sign('ES256'), hs256: await sign('HS256') } };
}

/** The request headers every load sends: a valid bearer token and the Origin of an allowed site. */
export function requestHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, origin: ORIGIN, accept: 'application/json' };
}

/** A pino destination that drops every line (both stacks log to it). */
export const discard = {
  write(_line: string): boolean {
    return true;
  },
};

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
