// Sender-constrained tokens: reading `cnf` (RFC 7800) and checking the certificate binding (RFC 8705 §3).
import { hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JWTPayload } from 'jose';
import type { Rejection } from './claims.js';

/** The confirmation methods a token carries: a DPoP key thumbprint, a certificate thumbprint, or neither. */
export interface Binding {
  /** RFC 9449 §6.1 `cnf.jkt`: base64url SHA-256 JWK thumbprint (RFC 7638) of the DPoP key. */
  readonly jkt: string | undefined;
  /** RFC 8705 §3.1 `cnf["x5t#S256"]`: base64url SHA-256 of the client certificate (DER). */
  readonly x5t: string | undefined;
}

const UNBOUND: Binding = Object.freeze({ jkt: undefined, x5t: undefined });
// A base64url SHA-256 digest without padding is exactly 43 characters.
const SHA256_B64URL = /^[A-Za-z0-9_-]{43}$/;

/**
 * The token's binding, or a rejection when `cnf` is malformed or names a confirmation method we cannot
 * check (jwk, jwe, kid, jku, …): accepting such a token as a bearer token would ignore its binding.
 */
export function bindingOf(claims: Readonly<JWTPayload>): Binding | Rejection {
  const cnf: unknown = claims['cnf'];
  if (cnf === undefined) return UNBOUND;
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf))
    return { code: 'invalid_token', reason: '"cnf" claim must be an object' };
  const members = Object.keys(cnf);
  if (members.length === 0) return { code: 'invalid_token', reason: '"cnf" claim names no confirmation method' };
  let jkt: string | undefined;
  let x5t: string | undefined;
  for (const name of members) {
    const value: unknown = (cnf as Record<string, unknown>)[name];
    if (name !== 'jkt' && name !== 'x5t#S256')
      return { code: 'invalid_token', reason: `unsupported confirmation method "cnf.${name.slice(0, 32)}"` };
    if (typeof value !== 'string' || !SHA256_B64URL.test(value))
      return { code: 'invalid_token', reason: `"cnf.${name}" must be a base64url SHA-256 thumbprint` };
    if (name === 'jkt') jkt = value;
    else x5t = value;
  }
  return Object.freeze({ jkt, x5t });
}

/** Reads the client certificate the TLS layer verified (DER), e.g. `(req) => req.socket.getPeerCertificate().raw`. */
export type CertificateSource = (req: IncomingMessage) => Buffer | undefined;

/** base64url SHA-256 of a DER certificate, as RFC 8705 §3.1 `x5t#S256` carries it. */
export function certificateThumbprint(der: Uint8Array): string {
  return hash('sha256', der, 'base64url');
}

/** Why a certificate-bound token is refused for this request, or undefined when the thumbprint matches. */
export function certificateProblem(
  expected: string,
  source: CertificateSource | undefined,
  req: IncomingMessage,
): string | undefined {
  if (source === undefined) return 'certificate-bound token (cnf.x5t#S256) and no "mtls" configured';
  let der: unknown;
  try {
    der = source(req);
  } catch {
    return 'mtls.certificate() threw';
  }
  if (der === undefined || der === null) return 'certificate-bound token without a client certificate';
  if (!(der instanceof Uint8Array) || der.length === 0) return 'mtls.certificate() returned no DER bytes';
  const actual = Buffer.from(certificateThumbprint(der));
  const want = Buffer.from(expected);
  if (actual.length !== want.length || !timingSafeEqual(actual, want))
    return 'client certificate does not match cnf.x5t#S256';
  return undefined;
}
