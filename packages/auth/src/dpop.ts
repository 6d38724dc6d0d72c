// DPoP proof verification at a resource server (RFC 9449 §4.3, §7.1): one proof, one request, one key, once.
import { hash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { calculateJwkThumbprint, decodeProtectedHeader, EmbeddedJWK, errors, jwtVerify } from 'jose';
import { DependencyUnavailable } from './deadline.js';
import type { DpopNonce, DpopReplayStore } from './types.js';
import { COMPACT_JWS } from './header.js';

/** The dpop option after validation. */
export interface DpopConfig {
  readonly mode: 'allowed' | 'required';
  /** Normalised origin the `htu` claim is compared against, e.g. "https://api.example.com". */
  readonly origin: string;
  readonly algorithms: readonly string[];
  readonly proofMaxAgeSec: number;
  readonly replay: DpopReplayStore;
  readonly nonce: DpopNonce | undefined;
}

/** A proof we refuse: `use_dpop_nonce` asks the client to retry with the nonce we send; the reason is for the log. */
export class ProofRejected extends Error {
  override readonly name = 'ProofRejected';
  readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce';
  constructor(reason: string, code: 'invalid_dpop_proof' | 'use_dpop_nonce' = 'invalid_dpop_proof') {
    super(reason);
    this.code = code;
  }
}

/** What a valid proof leaves for the replay check. */
export interface CheckedProof {
  readonly jti: string;
  /** When the replay entry may be forgotten: the proof cannot pass the iat window after this, epoch seconds. */
  readonly expiresAtSec: number;
}

/** Largest proof accepted, in bytes, checked before decoding. A proof is a header with a public key and 5 claims. */
export const MAX_PROOF_BYTES = 8192;
const MAX_PROOF_JTI = 256;
const DPOP_TYP = new Set(['dpop+jwt', 'application/dpop+jwt']);
// Private members of RSA, EC/OKP and symmetric JWKs (RFC 7518 §6): a proof key that carries one is refused.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
// Header parameters of a proof other than typ/alg/jwk that could steer key selection or processing.
const FORBIDDEN_PROOF_HEADERS = ['jku', 'x5u', 'x5c', 'kid', 'crit', 'b64', 'enc', 'zip', 'cty'] as const;
const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/** RFC 3986 §6.2.2.1/§6.2.2.2: upper-case percent-encoding hex digits and decode percent-encoded unreserved characters. */
function normalisePercent(path: string): string {
  if (!path.includes('%')) return path;
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(Number.parseInt(escape.slice(1), 16));
    return UNRESERVED.test(char) ? char : escape.toUpperCase();
  });
}

/**
 * An http(s) URI reduced to what RFC 9449 §4.3 compares: scheme and host lower-cased, default port dropped,
 * dot segments removed (WHATWG URL, RFC 3986 §6.2.2-§6.2.3), percent-encoding normalised; query and fragment
 * ignored. Undefined for anything else (userinfo, another scheme, not a URL).
 */
export function normaliseHtu(uri: string): string | undefined {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return undefined;
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username !== '' || url.password !== '')
    return undefined;
  return `${url.protocol}//${url.host}${normalisePercent(url.pathname)}`;
}

/** The request's target as htu must name it: publicOrigin + the path the client sent (never the Host header). */
export function requestHtu(origin: string, req: IncomingMessage): string | undefined {
  const original: unknown = (req as { originalUrl?: unknown }).originalUrl;
  const target: unknown = typeof original === 'string' ? original : req.url;
  // Only origin-form targets (RFC 9112 §3.2.1); an absolute-form target must not choose the origin.
  if (typeof target !== 'string' || !target.startsWith('/') || target.startsWith('//')) return undefined;
  const end = target.search(/[?#]/);
  return normaliseHtu(origin + (end === -1 ? target : target.slice(0, end)));
}

/** base64url(SHA-256(access token)): the `ath` claim (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return hash('sha256', token, 'base64url');
}

function headerOf(proof: string): Record<string, unknown> {
  try {
    return decodeProtectedHeader(proof);
  } catch {
    throw new ProofRejected('proof header does not decode');
  }
}

/**
 * Verifies one DPoP proof for this request and access token (RFC 9449 §4.3 steps 2-12 without the replay
 * check, which the caller runs last so an invalid proof never fills the store). Throws ProofRejected.
 */
export async function verifyProof(
  proof: string,
  req: IncomingMessage,
  token: string,
  jkt: string,
  config: DpopConfig,
  clockToleranceSec: number,
): Promise<CheckedProof> {
  if (proof.length > MAX_PROOF_BYTES) throw new ProofRejected('proof larger than 8192 bytes');
  if (!COMPACT_JWS.test(proof)) throw new ProofRejected('proof is not a compact JWS');
  const header = headerOf(proof);
  const typ = header['typ'];
  if (typeof typ !== 'string' || !DPOP_TYP.has(typ.toLowerCase()))
    throw new ProofRejected('proof "typ" is not dpop+jwt');
  const alg = header['alg'];
  if (typeof alg !== 'string' || !config.algorithms.includes(alg))
    throw new ProofRejected('proof "alg" is not in the allowlist');
  for (const name of FORBIDDEN_PROOF_HEADERS) {
    if (header[name] !== undefined) throw new ProofRejected(`proof header parameter "${name}" is not accepted`);
  }
  const jwk = header['jwk'];
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk))
    throw new ProofRejected('proof "jwk" header is not a JSON Web Key');
  for (const name of PRIVATE_MEMBERS) {
    if ((jwk as Record<string, unknown>)[name] !== undefined)
      throw new ProofRejected('proof "jwk" header carries private key material');
  }
  let payload: Record<string, unknown>;
  try {
    // jose checks the signature under the embedded (public) key, typ, the algorithm allowlist, and iat:
    // present, not older than proofMaxAgeSec, not in the future beyond the tolerance.
    const verified = await jwtVerify(proof, EmbeddedJWK, {
      algorithms: [...config.algorithms],
      typ: 'dpop+jwt',
      clockTolerance: clockToleranceSec,
      maxTokenAge: config.proofMaxAgeSec,
      requiredClaims: ['jti', 'htm', 'htu', 'iat'],
    });
    payload = verified.payload;
  } catch (err) {
    throw new ProofRejected(err instanceof errors.JOSEError ? `proof: ${err.message}` : 'proof verification failed');
  }
  const { jti, htm, htu, ath, iat, nonce } = payload;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_PROOF_JTI)
    throw new ProofRejected(`proof "jti" must be a string of 1 to ${MAX_PROOF_JTI} characters`);
  if (typeof htm !== 'string' || htm !== req.method) throw new ProofRejected('proof "htm" does not match the method');
  const expected = requestHtu(config.origin, req);
  if (typeof htu !== 'string' || expected === undefined || normaliseHtu(htu) !== expected)
    throw new ProofRejected('proof "htu" does not match publicOrigin + the request path');
  if (typeof ath !== 'string' || ath !== accessTokenHash(token))
    throw new ProofRejected('proof "ath" does not match the access token');
  let thumbprint: string;
  try {
    thumbprint = await calculateJwkThumbprint(jwk, 'sha256');
  } catch {
    throw new ProofRejected('proof "jwk" has no RFC 7638 thumbprint');
  }
  if (thumbprint !== jkt) throw new ProofRejected("proof key does not match the token's cnf.jkt");
  if (config.nonce !== undefined) {
    let accepted: unknown;
    try {
      accepted = typeof nonce === 'string' && config.nonce.accept(nonce);
    } catch (err) {
      throw new DependencyUnavailable('DPoP nonce check', 'dpop.nonce.accept() threw', err);
    }
    if (accepted !== true) throw new ProofRejected('proof without a current server nonce', 'use_dpop_nonce');
  }
  return { jti, expiresAtSec: (iat as number) + config.proofMaxAgeSec + Math.ceil(clockToleranceSec) + 1 };
}
