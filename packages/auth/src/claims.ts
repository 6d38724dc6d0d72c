// Claim and time checks of an access token as pure functions: the one place every path (full, key at hand, cache hit) calls.
import type { JWTPayload } from 'jose';

/** Why a token is refused: the code the client sees and the reason only the log sees. */
export interface Rejection {
  readonly code: 'invalid_token' | 'token_expired' | 'token_not_yet_valid';
  readonly reason: string;
}

/** What the claim checks need, compiled once from the options. */
export interface ClaimPolicy {
  readonly issuers: readonly string[];
  readonly audiences: readonly string[];
  /** Claims that must be present, in the order their absence is reported. */
  readonly required: readonly string[];
  /** RFC 9068 §2.2 types: `sub`, `client_id`, `jti` strings (jti at most 256 characters) when present. */
  readonly strictTypes: boolean;
  readonly clockToleranceSec: number;
  readonly maxTokenLifetimeSec: number;
  readonly maxTokenAgeSec: number | undefined;
}

/** Longest accepted `jti`, in characters (RFC 9068 leaves it open; a denylist key must stay bounded). */
export const MAX_JTI_LENGTH = 256;

// RFC 9068 §2.2: iss exp aud sub client_id iat jti are REQUIRED. Reported in jose's order (iss first).
const RFC9068_REQUIRED = ['iss', 'aud', 'exp', 'sub', 'client_id', 'iat', 'jti'] as const;
// Claims that mark an OpenID Connect ID token, which must never be accepted as an access token (RFC 8725 §3.12).
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;

/** Builds the policy of a profile. */
export function claimPolicy(input: {
  issuer: string | readonly string[];
  audience: string | readonly string[];
  profile: 'rfc9068' | 'compat';
  clockToleranceSec: number;
  maxTokenLifetimeSec: number;
  maxTokenAgeSec: number | undefined;
}): ClaimPolicy {
  const rfc9068 = input.profile === 'rfc9068';
  const required: string[] = rfc9068 ? [...RFC9068_REQUIRED] : ['iss', 'aud', 'exp'];
  if (input.maxTokenAgeSec !== undefined && !required.includes('iat')) required.push('iat');
  return Object.freeze({
    issuers: Object.freeze(typeof input.issuer === 'string' ? [input.issuer] : [...input.issuer]),
    audiences: Object.freeze(typeof input.audience === 'string' ? [input.audience] : [...input.audience]),
    required: Object.freeze(required),
    strictTypes: rfc9068,
    clockToleranceSec: input.clockToleranceSec,
    maxTokenLifetimeSec: input.maxTokenLifetimeSec,
    maxTokenAgeSec: input.maxTokenAgeSec,
  });
}

const invalid = (reason: string): Rejection => ({ code: 'invalid_token', reason });

/** Parses a verified JWS payload: a top-level JSON object, or a rejection. */
export function parseClaims(payload: Uint8Array): JWTPayload | Rejection {
  let parsed: unknown;
  try {
    parsed = JSON.parse(DECODER.decode(payload));
  } catch {
    return invalid('JWT Claims Set must be a top-level JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return invalid('JWT Claims Set must be a top-level JSON object');
  return parsed as JWTPayload;
}
const DECODER = new TextDecoder('utf-8', { fatal: true });

/** True when the value is a rejection (as opposed to claims). */
export function isRejection(value: unknown): value is Rejection {
  return typeof value === 'object' && value !== null && Object.hasOwn(value, 'reason') && Object.hasOwn(value, 'code');
}

/** Presence, issuer, audience and claim types: everything that does not depend on the clock. */
export function claimsProblem(claims: Readonly<JWTPayload>, policy: ClaimPolicy): Rejection | undefined {
  for (const name of policy.required) {
    if (!Object.hasOwn(claims, name)) return invalid(`missing required "${name}" claim`);
  }
  const { iss, aud, sub, exp, iat, nbf } = claims;
  if (typeof iss !== 'string' || !policy.issuers.includes(iss)) return invalid('unexpected "iss" claim value');
  if (!audienceMatches(aud, policy.audiences)) return invalid('unexpected "aud" claim value');
  for (const [name, value] of [
    ['nbf', nbf],
    ['exp', exp],
    ['iat', iat],
  ] as const) {
    if (value !== undefined && typeof value !== 'number') return invalid(`"${name}" claim must be a number`);
  }
  // JSON.parse('1e400') is Infinity: a number jose compares happily; a token must expire.
  if (typeof exp !== 'number' || !Number.isFinite(exp)) return invalid('"exp" must be a finite number');
  if (sub !== undefined && typeof sub !== 'string') return invalid('"sub" must be a string');
  if (policy.strictTypes) {
    const { client_id: clientId, jti } = claims as { client_id?: unknown; jti?: unknown };
    if (typeof clientId !== 'string' || clientId.length === 0) return invalid('"client_id" must be a non-empty string');
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH)
      return invalid(`"jti" must be a string of 1 to ${MAX_JTI_LENGTH} characters`);
  }
  for (const name of ID_TOKEN_CLAIMS) {
    if (claims[name] !== undefined) return invalid(`claim "${name}" marks an ID token`);
  }
  return undefined;
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  if (!Array.isArray(aud)) return false;
  return accepted.some((a) => (aud as unknown[]).includes(a));
}

/**
 * The time checks, against `nowSec` (whole seconds since the epoch): nbf, exp, iat not in the future,
 * maxTokenAgeSec, and the lifetime cap. Assumes claimsProblem() passed (numbers where present, finite exp).
 */
export function timeProblem(claims: Readonly<JWTPayload>, policy: ClaimPolicy, nowSec: number): Rejection | undefined {
  const tol = policy.clockToleranceSec;
  const nbf = claims.nbf;
  const exp = claims.exp as number;
  const iat = claims.iat;
  if (nbf !== undefined && nbf > nowSec + tol)
    return { code: 'token_not_yet_valid', reason: '"nbf" claim timestamp check failed' };
  if (exp <= nowSec - tol) return { code: 'token_expired', reason: '"exp" claim timestamp check failed' };
  if (iat !== undefined && iat > nowSec + tol) return invalid('"iat" is in the future');
  if (policy.maxTokenAgeSec !== undefined && nowSec - (iat as number) - tol > policy.maxTokenAgeSec)
    return { code: 'token_expired', reason: '"iat" claim timestamp check failed (too far in the past)' };
  if (exp - (iat ?? nowSec) > policy.maxTokenLifetimeSec) return invalid('token lifetime exceeds maxTokenLifetimeSec');
  return undefined;
}

/** Every claim check, in one call: the function each verification path runs. */
export function checkClaims(claims: Readonly<JWTPayload>, policy: ClaimPolicy, nowSec: number): Rejection | undefined {
  return claimsProblem(claims, policy) ?? timeProblem(claims, policy, nowSec);
}

/** Whole seconds since the epoch, as jose counts them. */
export const nowSec = (): number => Math.floor(Date.now() / 1000);
