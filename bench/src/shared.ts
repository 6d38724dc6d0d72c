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

/**
 * Distinct users, one token each, that a load rotates through: request n carries token n mod USERS.
 * Every variant gets the same mix, so no stack is measured on one token repeated over and over.
 */
export const USERS = 1000;
/** maxEntries of the opt-in verified-token cache in (b2), (b3) and (d3). */
export const CACHE_MAX_ENTRIES = 10_000;
/**
 * Tokens of (b3): twice CACHE_MAX_ENTRIES, rotated in order, so between two uses of a token 19 999
 * others have been inserted and the LRU has always dropped it: every request misses (worst case).
 */
export const MISS_TOKENS = 2 * CACHE_MAX_ENTRIES;

export interface Variant {
  /** Short id used in the table, as the issue numbers them. */
  readonly id: string;
  /** Name passed to the server child. */
  readonly name: string;
  readonly label: string;
  readonly token: TokenKind;
  /** Distinct tokens its load rotates through. @default USERS */
  readonly tokens?: number;
  /** Run in the first this-many rounds only ((b3) and the (e) variants, to keep the whole run near 6 minutes). */
  readonly maxRounds?: number;
}

/** Rounds of (b3) and of the (e) single-middleware variants (the headline variants a–d run every round). */
export const E_ROUNDS = 2;

/** Variants in issue order: (a) … (e). Rounds run them in this order, A B C …, repeatedly. */
export const VARIANTS: readonly Variant[] = Object.freeze([
  { id: 'a', name: 'bare', label: 'bare Express 5 + express.json()', token: 'es256' },
  { id: 'b', name: 'portcullis', label: 'Portcullis secureBaseline, ES256 + policy', token: 'es256' },
  {
    id: 'b2',
    name: 'portcullis-cache',
    label: '(b) + opt-in verifiedTokenCache (1000 users: tokens repeat)',
    token: 'es256',
  },
  {
    id: 'b3',
    name: 'portcullis-cache-miss',
    label: '(b2) but 20000 tokens in rotation: every request misses',
    token: 'es256',
    tokens: MISS_TOKENS,
    maxRounds: E_ROUNDS,
  },
  { id: 'c', name: 'peer', label: 'peer stack, ES256 (express-oauth2-jwt-bearer)', token: 'es256' },
  { id: 'd1', name: 'peer-hs256', label: 'peer stack, HS256 (express-jwt)', token: 'hs256' },
  { id: 'd2', name: 'portcullis-hs256', label: 'Portcullis secureBaseline, HS256 + policy', token: 'hs256' },
  {
    id: 'd3',
    name: 'portcullis-hs256-cache',
    label: '(d2) + opt-in verifiedTokenCache (1000 users: tokens repeat)',
    token: 'hs256',
  },
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
  /** Distinct valid tokens per algorithm (user-1, user-2, …); index 0 is the one single requests use. */
  readonly tokens: Readonly<Record<TokenKind, readonly string[]>>;
}

/** How many distinct tokens of each kind the given variants rotate through (the most any of them needs). */
export function tokenCounts(variants: readonly Variant[]): Record<TokenKind, number> {
  const counts: Record<TokenKind, number> = { es256: 1, hs256: 1 };
  for (const v of variants) counts[v.token] = Math.max(counts[v.token], v.tokens ?? USERS);
  return counts;
}

/**
 * Fresh keys and, per algorithm, `counts[kind]` distinct RFC 9068 access tokens (one per user),
 * valid for `ttlSec` seconds (900 s: the config's default ACCESS_TOKEN_MAX_TTL_SEC; a whole run takes
 * about 7 minutes).
 */
export async function makeKeys(
  counts: Readonly<Record<TokenKind, number>> = { es256: USERS, hs256: USERS },
  ttlSec = 900,
): Promise<Keys> {
  const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const jwk = { ...(pair.publicKey.export({ format: 'jwk' }) as JWK), kid: KID, alg: 'ES256', use: 'sig' };
  const secret = randomBytes(48).toString('base64url');
  const hmacKey = new TextEncoder().encode(secret);
  const now = Math.floor(Date.now() / 1000);
  // Claims both stacks accept in their strictest mode: RFC 9068 (typ at+jwt; iss, exp, aud, sub, iat,
  // client_id, jti) plus what the policy needs (tenant_id, roles). Users differ in sub and jti only.
  const sign = (alg: 'ES256' | 'HS256', user: number): Promise<string> =>
    new SignJWT({ client_id: 'bench-client', tenant_id: 't1', roles: ['reviewer'], scope: 'cases:read' })
      .setProtectedHeader(alg === 'ES256' ? { alg, typ: 'at+jwt', kid: KID } : { alg, typ: 'at+jwt' })
      .setSubject(`user-${String(user)}`)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + ttlSec)
      .setJti(randomUUID())
      .sign(alg === 'ES256' ? pair.privateKey : hmacKey);
  const many = async (alg: 'ES256' | 'HS256', n: number): Promise<string[]> => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 500) {
      const batch = Array.from({ length: Math.min(500, n - i) }, (_, j) => sign(alg, i + j + 1));
      out.push(...(await Promise.all(batch)));
    }
    return out;
  };
  return {
    material: { jwk, secret },
    tokens: {
      es256: await many('ES256', Math.max(1, counts.es256)),
      hs256: await many('HS256', Math.max(1, counts.hs256)),
    },
  };
}

/**
 * Hands out a variant's tokens in order, wrapping around. One rotation per variant lives across its
 * warm-up and measured loads and across rounds, so (b3) never comes back to a token it used recently.
 */
export class TokenRotation {
  #next = 0;
  readonly #tokens: readonly string[];

  constructor(tokens: readonly string[], count = tokens.length) {
    if (count < 1 || count > tokens.length)
      throw new Error(`rotation over ${String(count)} tokens, but ${String(tokens.length)} were made`);
    this.#tokens = tokens.slice(0, count);
  }

  get size(): number {
    return this.#tokens.length;
  }

  next(): string {
    const token = this.#tokens[this.#next] as string;
    this.#next = (this.#next + 1) % this.#tokens.length;
    return token;
  }
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
