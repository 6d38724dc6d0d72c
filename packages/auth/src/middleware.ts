// jwtAuth(): verifies a Bearer JWT with jose, checks what jose leaves to the caller, and sets req.auth.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BadRequestError,
  renderChallenge,
  ServiceUnavailableError,
  UnauthorizedError,
  type HttpError,
} from '@portcullis/errors';
import {
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type CryptoKey,
  type JWSHeaderParameters,
  type JWTPayload,
  type JWTVerifyOptions,
} from 'jose';
import { createKeyResolver, KeysUnavailable } from './keys.js';
import { deepFreeze, tokenDigest, VerifiedTokenCache } from './token-cache.js';
import { logTo } from './log.js';
import { compileOptions } from './options.js';
import { authorizationHeaderCount, parseAuthorization, tokenOutsideHeader } from './request.js';
import { REALM, scopesOf } from './scopes.js';
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

/** A token we refuse for a reason jose does not check; the reason goes to the log only. */
class TokenRejected extends Error {
  override readonly name = 'TokenRejected';
}

/** isRevoked() threw, timed out or answered something other than a boolean: fail closed with 503. */
class RevocationUnavailable extends Error {
  override readonly name = 'RevocationUnavailable';
}

// Header parameters that point at or carry key material: honouring any of them lets the token pick its own key
// (CVE-2018-0114 style); we never fetch or use them, and refuse tokens that carry them.
const FORBIDDEN_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'x5c', 'crit', 'b64', 'enc', 'zip', 'cty'] as const;
// RFC 8725 §3.11/§3.12 explicit typing. Compared case-insensitively, with or without "application/".
const AT_JWT = new Set(['at+jwt', 'application/at+jwt']);
const COMPAT_TYP = new Set(['at+jwt', 'application/at+jwt', 'jwt', 'application/jwt']);
// Claims that mark an OpenID Connect ID token, which must never be accepted as an access token.
const ID_TOKEN_CLAIMS = ['nonce', 'at_hash', 'c_hash'] as const;
const MAX_KID_LENGTH = 1024;

function headerProblem(
  header: JWSHeaderParameters,
  typs: ReadonlySet<string>,
  typRequired: boolean,
): string | undefined {
  for (const name of FORBIDDEN_HEADER_PARAMS) {
    if (header[name] !== undefined) return `header parameter "${name}" is not accepted`;
  }
  const { typ, kid } = header;
  if (typ === undefined) {
    if (typRequired) return 'missing "typ" header (expected at+jwt)';
  } else if (typeof typ !== 'string' || (!typs.has(typ) && !typs.has(typ.toLowerCase()))) {
    return 'unexpected "typ" header';
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_LENGTH))
    return 'invalid "kid" header';
  return undefined;
}

function describe(err: unknown): { reason: string; joseCode?: string } {
  if (err instanceof errors.JOSEError) return { reason: err.message, joseCode: err.code };
  if (err instanceof TokenRejected) return { reason: err.message };
  return { reason: err instanceof Error ? `${err.name}: ${err.message}` : 'unknown failure' };
}

/**
 * JWT bearer authentication. Verifies the token with jose against the configured issuer, audience,
 * algorithms and keys, then sets `req.auth`. Failures go to `next(err)` as @portcullis/errors errors:
 * 401 invalid_token / token_expired / token_not_yet_valid, 400 invalid_request, 503 unavailable.
 * Options are validated here; a bad option throws a TypeError naming it.
 */
export function jwtAuth(options: JwtAuthOptions): JwtAuthMiddleware {
  const config = compileOptions(options);
  const keys = createKeyResolver(config);
  const { realm, clockToleranceSec, maxTokenLifetimeSec, maxTokenBytes, credentialsRequired, isRevoked, timeoutMs } =
    config;
  const rfc9068 = config.profile === 'rfc9068';
  const typs = rfc9068 ? AT_JWT : COMPAT_TYP;
  const verifyOptions: JWTVerifyOptions = {
    algorithms: config.algorithms,
    issuer: config.issuer,
    audience: config.audience,
    clockTolerance: clockToleranceSec,
    requiredClaims: rfc9068 ? ['exp', 'iat', 'sub'] : ['exp'],
    ...(config.maxTokenAgeSec === undefined ? {} : { maxTokenAge: config.maxTokenAgeSec }),
  };
  const missingChallenge = Object.freeze({ realm });
  const invalidTokenChallenge = Object.freeze({ realm, error: 'invalid_token' });
  // RFC 6750 §3.1: invalid_request is a 400 that still carries the Bearer challenge.
  const invalidRequestHeaders = Object.freeze({
    'WWW-Authenticate': renderChallenge({ realm, error: 'invalid_request' }),
  });

  /** What jose leaves to us: finite exp, iat not in the future, lifetime cap, ID-token markers, sub type. */
  function claimsProblem(claims: Readonly<JWTPayload>): string | undefined {
    const now = Math.floor(Date.now() / 1000);
    const { exp, iat, sub } = claims;
    if (typeof exp !== 'number' || !Number.isFinite(exp)) return '"exp" must be a finite number';
    if (iat !== undefined && iat > now + clockToleranceSec) return '"iat" is in the future';
    if (exp - (iat ?? now) > maxTokenLifetimeSec) return 'token lifetime exceeds maxTokenLifetimeSec';
    if (sub !== undefined && typeof sub !== 'string') return '"sub" must be a string';
    for (const name of ID_TOKEN_CLAIMS) {
      if (claims[name] !== undefined) return `claim "${name}" marks an ID token`;
    }
    return undefined;
  }

  async function revoked(claims: Readonly<JWTPayload>, hook: NonNullable<typeof isRevoked>): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        reject(new RevocationUnavailable(`isRevoked did not answer within ${timeoutMs} ms`));
      }, timeoutMs);
      timer.unref();
    });
    try {
      const answer: unknown = await Promise.race([Promise.resolve().then(() => hook(claims)), deadline]);
      if (typeof answer !== 'boolean') throw new RevocationUnavailable('isRevoked did not resolve to a boolean');
      return answer;
    } catch (err) {
      if (err instanceof RevocationUnavailable) throw err;
      throw new RevocationUnavailable('isRevoked failed', { cause: err });
    } finally {
      clearTimeout(timer);
    }
  }

  // One resolver for static keys; a remote key set gets a per-request one so fetch events reach req.log
  // (built only when the key is not at hand and no cache hit answered).
  function checkedHeader(header: JWSHeaderParameters): void {
    const problem = headerProblem(header, typs, rfc9068);
    if (problem !== undefined) throw new TokenRejected(problem);
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

  /**
   * The verification key, when the token's protected header decodes, passes our header checks and
   * the key source already holds the key it selects: jose then gets the CryptoKey itself. Given a
   * resolver function jose spends about 15 µs more per call (HS256, development machine); decoding
   * the header here costs about 6, so the net saving is about 9 µs per request. Anything else — undecodable header, a header we refuse, a key not selected yet, a key
   * set due for refresh — returns undefined and goes through the resolver, so what is checked, in
   * which order, and every error stay exactly as they are. jose still applies the algorithm
   * allowlist, crit/b64 rules and the key-type check to the key given directly.
   */
  function keyAtHand(token: string): CryptoKey | undefined {
    let header: JWSHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      return undefined;
    }
    if (headerProblem(header, typs, rfc9068) !== undefined) return undefined;
    return keys.peek(header);
  }

  // Opt-in verified-token cache (off by default): a hit skips only the signature check.
  const cache = config.verifiedTokenCache === undefined ? undefined : new VerifiedTokenCache(config.verifiedTokenCache);
  if (cache !== undefined) {
    keys.onChange(() => {
      cache.clear();
    });
  }
  const maxTokenAgeSec = config.maxTokenAgeSec;

  /** On a cache hit, the time-dependent checks jose would have run (same comparisons, same error classes). */
  function timeProblem(claims: Readonly<JWTPayload>): Error | undefined {
    const now = Math.floor(Date.now() / 1000);
    const { nbf, exp, iat } = claims;
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > now + clockToleranceSec)) {
      return new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', claims, 'nbf', 'check_failed');
    }
    if (typeof exp !== 'number' || exp <= now - clockToleranceSec)
      return new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
    if (maxTokenAgeSec !== undefined) {
      if (typeof iat !== 'number')
        return new errors.JWTClaimValidationFailed('missing required "iat" claim', claims, 'iat', 'missing');
      const age = now - iat;
      if (age - clockToleranceSec > maxTokenAgeSec)
        return new errors.JWTExpired(
          '"iat" claim timestamp check failed (too far in the past)',
          claims,
          'iat',
          'check_failed',
        );
      if (age < -clockToleranceSec)
        return new errors.JWTClaimValidationFailed(
          '"iat" claim timestamp check failed (it should be in the past)',
          claims,
          'iat',
          'check_failed',
        );
    }
    return undefined;
  }

  /** Where a token goes once accepted: into the cache (when on and not flushed meanwhile). */
  interface CacheSlot {
    readonly digest: string;
    readonly generation: number;
    readonly hit: boolean;
  }

  function accept(
    req: IncomingMessage & { auth?: AuthInfo | undefined },
    next: (err?: unknown) => void,
    token: string,
    claims: Readonly<JWTPayload>,
    scopes: readonly string[],
    slot: CacheSlot | undefined,
  ): void {
    if (slot !== undefined && !slot.hit && cache !== undefined) {
      cache.set(slot.digest, { claims, scopes }, claims.exp as number, Date.now(), slot.generation);
    }
    // A fresh frozen object per request: nothing mutable is shared between requests.
    const info: AuthInfo & { [REALM]: string } = Object.freeze({
      subject: claims.sub,
      claims,
      scopes,
      token,
      [REALM]: realm,
    });
    req.auth = info;
    next();
  }

  /** Claims checks jose leaves to us, then isRevoked, then accept. `claims` is frozen (deep-frozen when the cache is on). */
  function checked(
    req: IncomingMessage & { auth?: AuthInfo | undefined },
    next: (err?: unknown) => void,
    token: string,
    claims: Readonly<JWTPayload>,
    scopes: readonly string[] | undefined,
    slot: CacheSlot | undefined,
  ): void {
    const problem = claimsProblem(claims);
    if (problem !== undefined) {
      next(toHttpError(req, new TokenRejected(problem)));
      return;
    }
    const s = scopes ?? scopesOf(claims);
    if (isRevoked === undefined) {
      accept(req, next, token, claims, s, slot);
      return;
    }
    revoked(claims, isRevoked).then(
      (isRev) => {
        if (isRev) {
          if (slot !== undefined) cache?.delete(slot.digest);
          next(toHttpError(req, new TokenRejected('token is revoked')));
        } else accept(req, next, token, claims, s, slot);
      },
      (err: unknown) => {
        next(toHttpError(req, err));
      },
    );
  }

  function verified(
    req: IncomingMessage & { auth?: AuthInfo | undefined },
    next: (err?: unknown) => void,
    token: string,
    payload: JWTPayload,
    slot: CacheSlot | undefined,
  ): void {
    checked(req, next, token, slot === undefined ? Object.freeze(payload) : deepFreeze(payload), undefined, slot);
  }

  function toHttpError(req: IncomingMessage, err: unknown): HttpError {
    const detail = describe(err);
    if (err instanceof KeysUnavailable) {
      logTo(req, 'warn', { ...detail, retryAfterSec: err.retryAfterSec }, 'auth: key set unavailable, request denied');
      return new ServiceUnavailableError('auth: key set unavailable', { retryAfterSec: err.retryAfterSec });
    }
    if (err instanceof RevocationUnavailable) {
      logTo(req, 'warn', detail, 'auth: revocation check unavailable, request denied');
      return new ServiceUnavailableError('auth: revocation check unavailable', { retryAfterSec: 1 });
    }
    let code: AuthErrorCode = 'invalid_token';
    if (err instanceof errors.JWTExpired) code = 'token_expired';
    else if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'nbf' && err.reason === 'check_failed')
      code = 'token_not_yet_valid';
    // Anything that is neither jose's verdict nor ours is unexpected (e.g. a key the IdP published that cannot be imported): still a denial, but worth a warning.
    const expected = err instanceof errors.JOSEError || err instanceof TokenRejected;
    logTo(
      req,
      expected ? 'debug' : 'warn',
      { code, ...detail },
      expected ? 'auth: bearer token rejected' : 'auth: bearer token rejected (unexpected verification error)',
    );
    return new UnauthorizedError(`auth: token rejected (${detail.reason})`, { challenge: invalidTokenChallenge, code });
  }

  function deny(req: IncomingMessage, next: (err?: unknown) => void, err: HttpError, reason: string): void {
    logTo(req, 'debug', { code: err.code, reason }, 'auth: request denied');
    next(err);
  }

  function jwtAuthMiddleware(req: IncomingMessage, _res: ServerResponse, next: (err?: unknown) => void): void {
    const r = req as IncomingMessage & { auth?: AuthInfo | undefined; body?: unknown };
    r.auth = undefined;
    const header = req.headers.authorization;
    if (header === undefined) {
      if (tokenOutsideHeader(r)) {
        deny(req, next, invalidRequest('access_token in the query string or body'), 'token in query or body');
        return;
      }
      if (credentialsRequired)
        deny(
          req,
          next,
          new UnauthorizedError('auth: no bearer token', { challenge: missingChallenge }),
          'no credentials',
        );
      else next();
      return;
    }
    const creds = parseAuthorization(header);
    if (creds.kind === 'other-scheme') {
      deny(
        req,
        next,
        new UnauthorizedError('auth: unsupported authorization scheme', { challenge: missingChallenge }),
        'not a Bearer scheme',
      );
      return;
    }
    if (creds.kind !== 'token' || authorizationHeaderCount(req.rawHeaders) > 1 || tokenOutsideHeader(r)) {
      const reason = creds.kind === 'token' ? 'several credentials sent' : 'malformed Authorization header';
      deny(req, next, invalidRequest(reason), reason);
      return;
    }
    const token = creds.token;
    if (token.length > maxTokenBytes) {
      deny(
        req,
        next,
        new UnauthorizedError('auth: token larger than maxTokenBytes', { challenge: invalidTokenChallenge }),
        'token too large',
      );
      return;
    }
    let slot: CacheSlot | undefined;
    if (cache !== undefined) {
      const digest = tokenDigest(token);
      // A remote key set due for a refresh is refreshed by the full path first (which may flush the cache).
      const nowMs = Date.now();
      const hit = keys.fresh(nowMs) ? cache.get(digest, nowMs) : undefined;
      if (hit !== undefined) {
        const problem = timeProblem(hit.claims);
        if (problem !== undefined) {
          cache.delete(digest);
          next(toHttpError(req, problem));
          return;
        }
        checked(r, next, token, hit.claims, hit.scopes, { digest, generation: cache.generation, hit: true });
        return;
      }
      slot = { digest, generation: cache.generation, hit: false };
    }
    jwtVerify(token, keyAtHand(token) ?? resolverFor(req), verifyOptions).then(
      (result) => {
        verified(r, next, token, result.payload, slot);
      },
      (err: unknown) => {
        next(toHttpError(req, err));
      },
    );
  }

  function invalidRequest(reason: string): HttpError {
    return new BadRequestError(`auth: ${reason}`, { code: 'invalid_request', headers: invalidRequestHeaders });
  }

  return Object.assign(jwtAuthMiddleware, { ready: () => keys.ready() });
}
