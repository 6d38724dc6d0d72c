// jwtAuth(): reads Bearer or DPoP credentials, verifies the token through one path (header → signature → claims →
// binding → proof → revocation), and sets req.auth. A verified-token cache hit skips the signature and nothing else.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestError,
  renderChallenge,
  ServiceUnavailableError,
  UnauthorizedError,
  type AuthChallenge,
  type HttpError,
} from '@portcullis/errors';
import { compactVerify, errors, type CryptoKey, type JWSHeaderParameters, type JWTPayload } from 'jose';
import { bindingOf, certificateProblem, type Binding } from './binding.js';
import { checkClaims, claimPolicy, isRejection, nowSec, parseClaims, type Rejection } from './claims.js';
import { booleanWithin, DependencyUnavailable } from './deadline.js';
import { ProofRejected, verifyProof } from './dpop.js';
import { decodeHeader, headerPolicy, headerProblem, NON_BASE64URL } from './header.js';
import { createKeyResolver, KeysUnavailable } from './keys.js';
import { logTo } from './log.js';
import { compileOptions } from './options.js';
import {
  authorizationHeaderCount,
  hasMiscasedHeader,
  headerCount,
  headersOf,
  parseAuthorization,
  tokenOutsideHeader,
  type Scheme,
} from './request.js';
import { REALM, scopesOf } from './scopes.js';
import { deepFreeze, tokenDigest, VerifiedTokenCache } from './token-cache.js';
import type { AuthErrorCode, AuthInfo, JwtAuthOptions } from './types.js';

/** The middleware returned by jwtAuth(). */
export interface JwtAuthMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  /**
   * Loads (remote) or imports (local) the keys now, so the first requests do not pay for it.
   * Rejects when the key set cannot be fetched; call it before `listen()` to fail closed at startup.
   */
  ready(): Promise<void>;
}

/** A token we refuse for a reason of our own (header, claims, binding); the reason goes to the log only. */
class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
  readonly code: Rejection['code'];
  constructor(rejection: Rejection) {
    super(rejection.reason);
    this.code = rejection.code;
  }
}

/** A cache slot: where an accepted token goes (when the cache is on and was not flushed meanwhile). */
interface CacheSlot {
  readonly digest: string;
  readonly generation: number;
  readonly hit: boolean;
}

/** A token whose header, signature (unless a cache hit) and claims passed. */
interface VerifiedToken {
  readonly header: Readonly<JWSHeaderParameters>;
  readonly claims: Readonly<JWTPayload>;
  readonly scopes: readonly string[];
  readonly binding: Binding;
  readonly slot: CacheSlot | undefined;
}

// RFC 9449 §8: nonce = 1*NQCHAR.
const NQCHAR = /^[\x21\x23-\x5B\x5D-\x7E]{1,512}$/;

function describe(err: unknown): { reason: string; joseCode?: string } {
  if (err instanceof errors.JOSEError) return { reason: err.message, joseCode: err.code };
  if (err instanceof TokenRejected || err instanceof ProofRejected) return { reason: err.message };
  return { reason: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown failure' };
}

const reject = (reason: string, code: Rejection['code'] = 'invalid_token'): TokenRejected =>
  new TokenRejected({ code, reason });

/**
 * JWT access-token authentication. Verifies the token with jose against the configured algorithms and keys,
 * checks header, claims and time (one set of functions for every path), the token's binding (DPoP proof,
 * client certificate), then sets `req.auth`. Failures go to `next(err)` as @portcullis/errors errors:
 * 401 invalid_token / token_expired / token_not_yet_valid / invalid_dpop_proof / use_dpop_nonce,
 * 400 invalid_request, 503 unavailable. Options are validated here; a bad option throws a TypeError naming it.
 */
export function jwtAuth(options: JwtAuthOptions): JwtAuthMiddleware {
  const config = compileOptions(options);
  const keys = createKeyResolver(config);
  const { realm, maxTokenBytes, credentialsRequired, isRevoked, timeoutMs, clockToleranceSec, dpop, mtls } = config;
  const headers = headerPolicy(config.profile);
  const policy = claimPolicy(config);
  const verifyOptions = { algorithms: config.algorithms };
  const bearerAccepted = dpop === undefined || dpop.mode === 'allowed';

  // Challenges, rendered once (RFC 6750 §3, RFC 9449 §7.1): the scheme the client used comes first, with the
  // error; the other accepted scheme follows without one.
  const algs = dpop?.algorithms.join(' ') ?? '';
  const bearerChallenge = (error?: string): AuthChallenge => (error === undefined ? { realm } : { realm, error });
  const dpopChallenge = (error?: string): AuthChallenge =>
    error === undefined ? { scheme: 'DPoP', realm, algs } : { scheme: 'DPoP', realm, error, algs };
  function challengesFor(scheme: Scheme, error?: string): readonly AuthChallenge[] {
    const list: AuthChallenge[] = [];
    if (scheme === 'Bearer') {
      list.push(bearerAccepted ? bearerChallenge(error) : dpopChallenge(error));
      if (bearerAccepted && dpop !== undefined) list.push(dpopChallenge());
    } else {
      list.push(dpopChallenge(error));
      if (bearerAccepted) list.push(bearerChallenge());
    }
    return Object.freeze(list.map((c) => Object.freeze(c)));
  }
  const missingChallenges = dpop?.mode === 'required' ? challengesFor('DPoP') : challengesFor('Bearer');
  const tokenChallenges = {
    Bearer: challengesFor('Bearer', 'invalid_token'),
    DPoP: challengesFor('DPoP', 'invalid_token'),
  };
  const proofChallenges = challengesFor('DPoP', 'invalid_dpop_proof');
  const nonceChallenges = challengesFor('DPoP', 'use_dpop_nonce');
  // RFC 6750 §3.1: invalid_request is a 400 that still carries the challenge.
  const invalidRequestHeaders = {
    Bearer: Object.freeze({ 'WWW-Authenticate': renderChallenge(challengesFor('Bearer', 'invalid_request')) }),
    DPoP: Object.freeze({ 'WWW-Authenticate': renderChallenge(challengesFor('DPoP', 'invalid_request')) }),
  };

  // One resolver for static keys; a remote key set gets a per-request one so fetch events reach req.log
  // (built only when the key is not at hand and no cache hit answered).
  function checkedHeader(header: JWSHeaderParameters): void {
    const problem = headerProblem(header, headers);
    if (problem !== undefined) throw reject(problem);
  }
  const staticResolver = (header: JWSHeaderParameters) => {
    checkedHeader(header);
    return keys.resolve(header, undefined);
  };
  const remote = config.source.kind === 'remote';
  function resolverFor(req: IncomingMessage): (header: JWSHeaderParameters) => Promise<CryptoKey> | CryptoKey {
    if (!remote) return staticResolver;
    return (header) => {
      checkedHeader(header);
      return keys.resolve(header, (level, obj, msg) => {
        logTo(req, level, obj, msg);
      });
    };
  }

  // Opt-in verified-token cache (off by default): a hit skips only the signature check.
  const cache = config.verifiedTokenCache === undefined ? undefined : new VerifiedTokenCache(config.verifiedTokenCache);
  if (cache !== undefined) {
    keys.onChange(() => {
      cache.clear();
    });
  }

  /**
   * Everything but the signature: header, claims and time, binding shape. Every path ends here — a full
   * verification, a verification with the key at hand, and a cache hit — so every check exists once.
   */
  function checked(
    header: Readonly<JWSHeaderParameters>,
    claims: Readonly<JWTPayload>,
    scopes: readonly string[] | undefined,
    slot: CacheSlot | undefined,
  ): VerifiedToken {
    const headerIssue = headerProblem(header, headers);
    const problem =
      headerIssue === undefined
        ? checkClaims(claims, policy, nowSec())
        : { code: 'invalid_token' as const, reason: headerIssue };
    if (problem !== undefined) {
      if (slot?.hit === true) cache?.delete(slot.digest);
      throw new TokenRejected(problem);
    }
    const binding = bindingOf(claims);
    if (isRejection(binding)) throw new TokenRejected(binding);
    return { header, claims, scopes: scopes ?? scopesOf(claims), binding, slot };
  }

  /** The token's verified header and claims: from the cache (no signature check), or through jose. */
  function verifyToken(token: string, req: IncomingMessage): Promise<VerifiedToken> | VerifiedToken {
    // Before the cache and jose, on every path: a padded or otherwise non-canonical spelling of a token is refused.
    if (NON_BASE64URL.test(token)) {
      throw new TokenRejected({ code: 'invalid_token', reason: 'token segments are not unpadded base64url' });
    }
    let slot: CacheSlot | undefined;
    if (cache !== undefined) {
      const digest = tokenDigest(token);
      // A remote key set due for a refresh is refreshed by the full path first (which may flush the cache).
      const nowMs = Date.now();
      const hit = keys.fresh(nowMs) ? cache.get(digest, nowMs) : undefined;
      if (hit !== undefined)
        return checked(hit.header, hit.claims, hit.scopes, { digest, generation: cache.generation, hit: true });
      slot = { digest, generation: cache.generation, hit: false };
    }
    // Our header checks before any key is looked up (no fetch for a token we refuse anyway). A token that is
    // not three segments, or whose header does not decode, goes to jose, which names the exact problem.
    const header = decodeHeader(token);
    if (header !== undefined) checkedHeader(header);
    // The key itself when the source already holds it (saves jose ~15 µs per call); otherwise the resolver.
    const key = header === undefined ? undefined : keys.peek(header);
    return compactVerify(token, key ?? resolverFor(req), verifyOptions).then((result) => {
      const claims = parseClaims(result.payload);
      if (isRejection(claims)) throw new TokenRejected(claims);
      const freeze = slot === undefined ? Object.freeze : deepFreeze;
      return checked(freeze(result.protectedHeader), freeze(claims), undefined, slot);
    });
  }

  /** Binding, proof, replay and revocation: the request-dependent steps, run on every path. */
  async function authenticate(
    req: IncomingMessage,
    scheme: Scheme,
    token: string,
    proof: string | undefined,
  ): Promise<AuthInfo & { [REALM]: string }> {
    const verified = await verifyToken(token, req);
    const { binding, claims, slot } = verified;
    // RFC 9449 §7.2: a DPoP-bound token must never be accepted as a bearer token, whatever the mode.
    if (scheme === 'Bearer' && binding.jkt !== undefined)
      throw reject('DPoP-bound token (cnf.jkt) presented as Bearer');
    if (scheme === 'DPoP' && binding.jkt === undefined)
      throw reject('DPoP scheme with a token that is not DPoP-bound (no cnf.jkt)');
    // RFC 8705 §3: a certificate-bound token needs the very certificate.
    if (binding.x5t !== undefined) {
      const problem = certificateProblem(binding.x5t, mtls, req);
      if (problem !== undefined) throw reject(problem);
    }
    if (scheme === 'DPoP' && dpop !== undefined && binding.jkt !== undefined) {
      const checkedProof = await verifyProof(proof ?? '', req, token, binding.jkt, dpop, clockToleranceSec);
      // Last: only a proof valid in every other respect is recorded.
      const replayed = await booleanWithin('DPoP replay store', timeoutMs, () =>
        dpop.replay.seen(checkedProof.jti, checkedProof.expiresAtSec),
      );
      if (replayed) throw new ProofRejected('proof replayed (jti already seen)');
    }
    if (isRevoked !== undefined) {
      const revoked = await booleanWithin('revocation check', timeoutMs, () => isRevoked(claims));
      if (revoked) {
        if (slot !== undefined) cache?.delete(slot.digest);
        throw reject('token is revoked');
      }
    }
    if (slot !== undefined && !slot.hit && cache !== undefined) {
      cache.set(
        slot.digest,
        { header: verified.header, claims, scopes: verified.scopes },
        claims.exp as number,
        Date.now(),
        slot.generation,
      );
    }
    // A fresh frozen object per request: nothing mutable is shared between requests.
    return Object.freeze({ subject: claims.sub, claims, scopes: verified.scopes, token, scheme, [REALM]: realm });
  }

  function currentNonce(): string {
    let value: unknown;
    try {
      value = dpop?.nonce?.current();
    } catch (err) {
      throw new DependencyUnavailable('DPoP nonce source', 'dpop.nonce.current() threw', err);
    }
    if (typeof value !== 'string' || !NQCHAR.test(value))
      throw new DependencyUnavailable('DPoP nonce source', 'dpop.nonce.current() did not return 1-512 NQCHAR');
    return value;
  }

  function toHttpError(req: IncomingMessage, scheme: Scheme, err: unknown): HttpError {
    const detail = describe(err);
    if (err instanceof KeysUnavailable) {
      logTo(req, 'warn', { ...detail, retryAfterSec: err.retryAfterSec }, 'auth: key set unavailable, request denied');
      return new ServiceUnavailableError('auth: key set unavailable', { retryAfterSec: err.retryAfterSec });
    }
    if (err instanceof DependencyUnavailable) {
      logTo(req, 'warn', detail, `auth: ${err.dependency} unavailable, request denied`);
      return new ServiceUnavailableError(`auth: ${err.dependency} unavailable`, { retryAfterSec: 1 });
    }
    if (err instanceof ProofRejected) {
      let nonce: string | undefined;
      if (err.code === 'use_dpop_nonce') {
        try {
          nonce = currentNonce();
        } catch (nonceErr) {
          return toHttpError(req, scheme, nonceErr);
        }
      }
      logTo(req, 'debug', { code: err.code, ...detail }, 'auth: DPoP proof rejected');
      return new UnauthorizedError(`auth: DPoP proof rejected (${detail.reason})`, {
        code: err.code,
        challenge: err.code === 'use_dpop_nonce' ? nonceChallenges : proofChallenges,
        ...(nonce === undefined ? {} : { dpopNonce: nonce }),
      });
    }
    let code: AuthErrorCode = 'invalid_token';
    if (err instanceof TokenRejected) code = err.code;
    else if (err instanceof errors.JWTExpired) code = 'token_expired';
    // Anything that is neither jose's verdict nor ours is unexpected (e.g. a key the IdP published that cannot be imported): still a denial, but worth a warning.
    const expected = err instanceof errors.JOSEError || err instanceof TokenRejected;
    logTo(
      req,
      expected ? 'debug' : 'warn',
      { code, ...detail },
      expected ? 'auth: bearer token rejected' : 'auth: bearer token rejected (unexpected verification error)',
    );
    return new UnauthorizedError(`auth: token rejected (${detail.reason})`, {
      challenge: tokenChallenges[scheme],
      code,
    });
  }

  function deny(req: IncomingMessage, next: (err?: unknown) => void, err: HttpError, reason: string): void {
    logTo(req, 'debug', { code: err.code, reason }, 'auth: request denied');
    next(err);
  }

  function invalidRequest(reason: string, scheme: Scheme): HttpError {
    return new BadRequestError(`auth: ${reason}`, { code: 'invalid_request', headers: invalidRequestHeaders[scheme] });
  }

  function unauthorized(reason: string, challenge: readonly AuthChallenge[], code?: AuthErrorCode): HttpError {
    return new UnauthorizedError(`auth: ${reason}`, { challenge, ...(code === undefined ? {} : { code }) });
  }

  function jwtAuthMiddleware(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void {
    const r = req as IncomingMessage & { auth?: AuthInfo | undefined; body?: unknown };
    r.auth = undefined;
    const requestHeaders = headersOf(req);
    if (requestHeaders === undefined) {
      deny(req, next, invalidRequest('request without headers', 'Bearer'), 'request without headers');
      return;
    }
    const header = requestHeaders['authorization'];
    if (header === undefined) {
      // Node lower-cases header names; a hand-built request may not. Its credentials must not be silently ignored.
      if (hasMiscasedHeader(requestHeaders, 'authorization')) {
        deny(req, next, invalidRequest('Authorization header under a non-canonical name', 'Bearer'), 'miscased header');
        return;
      }
      if (tokenOutsideHeader(r)) {
        deny(req, next, invalidRequest('access_token in the query string or body', 'Bearer'), 'token in query or body');
        return;
      }
      if (credentialsRequired) deny(req, next, unauthorized('no access token', missingChallenges), 'no credentials');
      else next();
      return;
    }
    const creds = typeof header === 'string' ? parseAuthorization(header) : undefined;
    if (creds === undefined) {
      deny(req, next, invalidRequest('malformed Authorization header', 'Bearer'), 'Authorization is not a string');
      return;
    }
    if (creds.kind === 'other-scheme' || (creds.kind !== 'none' && creds.scheme === 'DPoP' && dpop === undefined)) {
      deny(req, next, unauthorized('unsupported authorization scheme', missingChallenges), 'unsupported scheme');
      return;
    }
    if (creds.kind !== 'token') {
      const scheme = creds.kind === 'malformed' ? creds.scheme : 'Bearer';
      deny(req, next, invalidRequest('malformed Authorization header', scheme), 'malformed Authorization header');
      return;
    }
    const { scheme, token } = creds;
    const count = authorizationHeaderCount(req.rawHeaders);
    if (count !== 1 || tokenOutsideHeader(r)) {
      const reason =
        count === undefined
          ? 'request without rawHeaders: cannot tell one Authorization header from several'
          : 'several credentials sent';
      deny(req, next, invalidRequest(reason, scheme), reason);
      return;
    }
    if (token.length > maxTokenBytes) {
      deny(req, next, unauthorized('token larger than maxTokenBytes', tokenChallenges[scheme]), 'token too large');
      return;
    }
    if (scheme === 'Bearer' && !bearerAccepted) {
      deny(
        req,
        next,
        unauthorized('bearer tokens are refused (dpop.mode "required")', tokenChallenges.Bearer, 'invalid_token'),
        'bearer tokens are refused (dpop.mode "required")',
      );
      return;
    }
    let proof: string | undefined;
    if (scheme === 'DPoP') {
      // RFC 9449 §4.3 step 1: exactly one DPoP header (Node joins several into one value; rawHeaders shows them).
      const value = requestHeaders['dpop'];
      if (headerCount(req.rawHeaders, 'dpop') !== 1 || typeof value !== 'string') {
        next(toHttpError(req, scheme, new ProofRejected('not exactly one DPoP header')));
        return;
      }
      proof = value;
    }
    authenticate(req, scheme, token, proof).then(
      (info) => {
        r.auth = info;
        next();
      },
      (err: unknown) => {
        next(toHttpError(req, scheme, err));
      },
    );
  }

  return Object.assign(jwtAuthMiddleware, { ready: () => keys.ready() });
}
