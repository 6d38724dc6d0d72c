// Public types of @portcullis/auth and the typed `req.auth` augmentation of Express's Request.
import type { KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { JSONWebKeySet, JWK, JWTPayload } from 'jose';

/** JWS algorithms jwtAuth() can be configured with ("none" is never accepted). */
export type JwsAlgorithm =
  | 'RS256'
  | 'RS384'
  | 'RS512'
  | 'PS256'
  | 'PS384'
  | 'PS512'
  | 'ES256'
  | 'ES384'
  | 'ES512'
  | 'EdDSA'
  | 'Ed25519'
  | 'HS256'
  | 'HS384'
  | 'HS512';

/** Codes of the errors jwtAuth() and requireScopes() pass to next(); stable, switch on these. */
export type AuthErrorCode =
  | 'unauthorized'
  | 'invalid_token'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_request'
  | 'insufficient_scope'
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  | 'unavailable';

/** Asymmetric JWS algorithms accepted for DPoP proofs (RFC 9449 §4.2: never "none", never a MAC). */
export type DpopAlgorithm = Exclude<JwsAlgorithm, 'HS256' | 'HS384' | 'HS512'>;

/**
 * Remembers DPoP proof ids (RFC 9449 §11.1). `seen` records `jti` until `expiresAtSec` (epoch seconds) and
 * resolves `false` the first time, `true` for a replay. Must be atomic across instances that share it.
 * Rejecting or not answering within `timeoutMs` denies the request with 503.
 */
export interface DpopReplayStore {
  seen(jti: string, expiresAtSec: number): Promise<boolean>;
}

/**
 * Server-provided DPoP nonces (RFC 9449 §8). `current()` is the nonce to send in `DPoP-Nonce` (1*NQCHAR);
 * `accept(nonce)` tells whether a proof's nonce is still good (e.g. the current or the previous one).
 */
export interface DpopNonce {
  current(): string;
  accept(nonce: string): boolean;
}

/** The `dpop` option of jwtAuth(): DPoP-bound access tokens (RFC 9449). */
export interface DpopOptions {
  /**
   * "off": the DPoP scheme is not accepted; "allowed": DPoP and Bearer (unbound tokens) both accepted;
   * "required": only DPoP, every bearer token refused. A `cnf.jkt` token presented as Bearer is refused in every mode.
   * @default "off"
   */
  mode: 'off' | 'allowed' | 'required';
  /**
   * The origin clients address, e.g. "https://api.example.com" (scheme, host, optional port; no path). The
   * proof's `htu` is compared against it plus the request path — never against the Host header. Required
   * when mode is not "off".
   */
  publicOrigin?: string | URL | undefined;
  /** JWS algorithms accepted for proofs; asymmetric only. @default ["ES256", "EdDSA"] */
  algorithms?: readonly DpopAlgorithm[] | undefined;
  /** Oldest proof accepted (now − iat), in seconds, 1..300. @default 60 */
  proofMaxAgeSec?: number | undefined;
  /** Where proof ids are remembered. Use redisReplayStore() with several instances. @default memoryReplayStore() */
  replay?: DpopReplayStore | undefined;
  /** Server nonces: a proof without an accepted nonce gets 401 use_dpop_nonce with a DPoP-Nonce header. @default none */
  nonce?: DpopNonce | undefined;
}

/** The `mtls` option of jwtAuth(): certificate-bound access tokens (RFC 8705 §3). */
export interface MtlsOptions {
  /**
   * The client certificate (DER) the TLS layer verified for this request, or undefined when none, e.g.
   * `(req) => (req.socket as TLSSocket).getPeerCertificate().raw`. A token's `cnf["x5t#S256"]` must equal
   * its SHA-256 thumbprint.
   */
  certificate: (req: IncomingMessage) => Buffer | undefined;
}

/** What a verified request carries in `req.auth`. Frozen. */
export interface AuthInfo {
  /** The `sub` claim. Always present with profile "rfc9068"; may be undefined with "compat". */
  readonly subject: string | undefined;
  /** The verified claims set (frozen). */
  readonly claims: Readonly<JWTPayload>;
  /** Scopes merged from `scope` (space-delimited), `scp` and `permissions`, de-duplicated, frozen. */
  readonly scopes: readonly string[];
  /** The raw access token, e.g. to call a downstream API on the user's behalf. Never log it. */
  readonly token: string;
  /** How the token was presented: "Bearer", or "DPoP" with a verified proof (RFC 9449). */
  readonly scheme: 'Bearer' | 'DPoP';
}

/** Revocation hook: resolve `true` to reject the token (401). Throwing or timing out fails closed (503). */
export type IsRevoked = (claims: Readonly<JWTPayload>) => Promise<boolean>;

/** Options of jwtAuth(). Exactly one key source: `jwksUri`, `jwks`, `publicKey` or `secret`. */
export interface JwtAuthOptions {
  /** Accepted `iss` value(s), compared as exact strings (no normalisation of slashes or case). Required. */
  issuer: string | readonly string[];
  /** Accepted audience(s); the token's `aud` (string or array) must contain one of them. Required. */
  audience: string | readonly string[];
  /** Allowlist of JWS algorithms. Required, non-empty; "none" is refused; HS* and asymmetric are never mixed. */
  algorithms: readonly JwsAlgorithm[];
  /** HTTPS URL of the issuer's JSON Web Key Set (http only for loopback hosts with `dangerouslyAllowHttpJwks`). */
  jwksUri?: string | URL;
  /** Accept an http: `jwksUri` on a loopback host (127.0.0.0/8, ::1, localhost). For tests only. @default false */
  dangerouslyAllowHttpJwks?: boolean;
  /** A local JSON Web Key Set of public keys. */
  jwks?: JSONWebKeySet;
  /** One public key: a KeyObject, a public JWK, or a PEM string (SPKI, PKCS#1 or X.509 certificate). */
  publicKey?: KeyObject | JWK | string;
  /** HMAC secret (HS* only): at least 32 / 48 / 64 bytes for HS256 / HS384 / HS512. */
  secret?: string | Uint8Array | KeyObject;
  /**
   * "rfc9068": `typ` must be "at+jwt"; iss, exp, aud, sub, client_id, iat and jti are required (RFC 9068 §2.2),
   * sub and client_id strings, jti a string of at most 256 characters.
   * "compat": `typ` "JWT" or absent is accepted too; ID tokens and other JWT types are still rejected.
   * @default "rfc9068"
   */
  profile?: 'rfc9068' | 'compat';
  /** Clock skew allowed on exp/nbf/iat, in seconds, 0..300. @default 5 */
  clockToleranceSec?: number;
  /** Largest accepted exp − iat (or exp − now when iat is absent), in seconds. @default 86400 */
  maxTokenLifetimeSec?: number;
  /** When set, tokens whose iat is older than this many seconds are rejected (iat becomes required). */
  maxTokenAgeSec?: number;
  /** Largest accepted token, in bytes, checked before any decoding. @default 8192 */
  maxTokenBytes?: number;
  /** When false, a request without any credentials passes with `req.auth` undefined (a bad token is still rejected). @default true */
  credentialsRequired?: boolean;
  /** Revocation check (e.g. a jti denylist), bounded by `timeoutMs`. */
  isRevoked?: IsRevoked;
  /** Timeout of one key set fetch, and of one `isRevoked` call, in milliseconds. @default 5000 */
  timeoutMs?: number;
  /** Minimum time between two key set fetches caused by an unknown `kid` or a failure, in milliseconds. @default 30000 */
  cooldownMs?: number;
  /** Age after which the key set is refetched, in milliseconds. @default 600000 */
  cacheMaxAgeMs?: number;
  /** How long past `cacheMaxAgeMs` the last good key set keeps being used while the endpoint fails, in seconds. @default 3600 */
  staleIfErrorSec?: number;
  /** `realm` of the WWW-Authenticate challenge. @default "api" */
  realm?: string;
  /**
   * Opt-in cache of tokens that passed full verification, so a repeated token skips only the signature
   * check (every time-dependent claim check and `isRevoked` still run). Off by default. See the README
   * for the trade-off. @default undefined (off)
   */
  verifiedTokenCache?: VerifiedTokenCacheOptions | false | undefined;
  /** DPoP-bound tokens (RFC 9449). @default { mode: "off" } */
  dpop?: DpopOptions | undefined;
  /** Certificate-bound tokens (RFC 8705): without it, a token with `cnf["x5t#S256"]` is refused. @default undefined */
  mtls?: MtlsOptions | undefined;
}

/** Options of the opt-in verified-token cache. */
export interface VerifiedTokenCacheOptions {
  /** Most entries kept (least recently used evicted first), 1..1000000. Required. */
  maxEntries: number;
  /**
   * Longest time an entry is trusted, in seconds, 1..3600: an entry expires at the earlier of the
   * token's `exp` and insertion + maxAgeSec. Bounds how long a key removed from a JWKS keeps
   * validating cached tokens. @default 60
   */
  maxAgeSec?: number | undefined;
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- Express's documented augmentation point.
  namespace Express {
    interface Request {
      /** Set by @portcullis/auth jwtAuth() when a bearer token was verified; undefined otherwise. */
      auth?: AuthInfo | undefined;
    }
  }
}
