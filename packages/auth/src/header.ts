// Protected-header checks of an access token: the one place that decides which header parameters we accept.
import { decodeProtectedHeader, type JWSHeaderParameters } from 'jose';

// Header parameters that point at or carry key material: honouring any of them lets the token pick its own key
// (CVE-2018-0114 style); we never fetch or use them, and refuse tokens that carry them. crit/b64 (RFC 7797) change
// what is signed; enc/zip/cty mark encrypted or nested tokens.
export const FORBIDDEN_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'enc', 'zip', 'cty'] as const;
// RFC 8725 §3.11/§3.12 explicit typing. Compared case-insensitively, with or without "application/".
/**
 * A compact JWS (RFC 7515 §7.1): three base64url segments without padding (§2). jose decodes '=' padding and
 * other stray characters leniently, which would let one token be spelt several ways.
 */
export const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** A character no segment of a compact JWS may hold ('=' padding, '+', '/', '~' of the wider b64token grammar). */
export const NON_BASE64URL = /[^A-Za-z0-9_.-]/;

const AT_JWT: ReadonlySet<string> = new Set(['at+jwt', 'application/at+jwt']);
const COMPAT_TYP: ReadonlySet<string> = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);
const MAX_KID_LENGTH = 1024;

/** Which `typ` values a profile accepts, and whether `typ` must be present. */
export interface HeaderPolicy {
  readonly typs: ReadonlySet<string>;
  readonly typRequired: boolean;
}

/** The header policy of a profile. */
export function headerPolicy(profile: 'rfc9068' | 'compat'): HeaderPolicy {
  return profile === 'rfc9068' ? { typs: AT_JWT, typRequired: true } : { typs: COMPAT_TYP, typRequired: false };
}

/** Why this protected header is refused, or undefined when it is acceptable. Pure. */
export function headerProblem(header: JWSHeaderParameters, policy: HeaderPolicy): string | undefined {
  for (const name of FORBIDDEN_HEADER_PARAMS) {
    if (header[name] !== undefined) return `header parameter "${name}" is not accepted`;
  }
  const { typ, kid } = header;
  if (typ === undefined) {
    if (policy.typRequired) return 'missing "typ" header (expected at+jwt)';
  } else if (typeof typ !== 'string' || (!policy.typs.has(typ) && !policy.typs.has(typ.toLowerCase()))) {
    return 'unexpected "typ" header';
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH))
    return 'invalid "kid" header';
  return undefined;
}

/**
 * The decoded protected header of a three-segment token, or undefined for any other shape or a header that
 * does not decode: jose then reports the exact problem (a JWE, a missing segment, bad JSON).
 */
export function decodeHeader(token: string): JWSHeaderParameters | undefined {
  const first = token.indexOf('.');
  const second = first === -1 ? -1 : token.indexOf('.', first + 1);
  if (second === -1 || token.indexOf('.', second + 1) !== -1) return undefined;
  try {
    return decodeProtectedHeader(token);
  } catch {
    return undefined;
  }
}
