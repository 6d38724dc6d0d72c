// rateLimit(): express-rate-limit 8 configured fail-closed (draft-8 headers, problem+json 429/503, bounded store calls).
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MemoryStore, rateLimit as erlRateLimit, type Logger as ErlLogger, type Store } from 'express-rate-limit';
import { TooManyRequestsError } from '@portcullis/errors';
import { boundKey, ipBucket, missingSubject, subjectOf, type KeyRequest } from './keys.js';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { PKG, intOption, loggerOption, type RateLimitLogger } from './options.js';
import { GuardedStore, isStore, storeFailures, storeKind, type RateLimitStore, type StoreKind } from './store.js';

/** How requests are grouped into buckets. A function receives the Express request and returns the bucket name. */
export type KeyOption = 'ip' | 'subject' | 'subject-or-ip' | ((req: Request) => string);

/** What a limiter does when its store fails or is slower than storeTimeoutMs. */
export type OnStoreError = 'deny' | 'allow';

/**
 * The codes of the errors this package's limiters pass to `next(err)`: 429 `rate_limited` over the
 * limit, 503 `unavailable` when the store fails (unless dangerouslyAllowOnStoreError), 401 `unauthorized` when a
 * limiter keyed by subject sees an unauthenticated request.
 */
export type RateLimitErrorCode = 'rate_limited' | 'unavailable' | 'unauthorized';

/** Options of rateLimit(). */
export interface RateLimitOptions {
  /** Policy name, shown in the RateLimit / RateLimit-Policy headers and in the store keys. Letters, digits, `_.-`, 1 to 64 characters. */
  name: string;
  /** Window length in milliseconds (fixed window), 100 to 2147483647. */
  windowMs: number;
  /** Requests allowed per key per window, 1 to 1e9. */
  limit: number;
  /** Bucket of a request. "ip" groups IPv6 by /56 and reads IPv4-mapped IPv6 as IPv4. @default "ip" */
  key?: KeyOption | undefined;
  /** Where counts live; `redisStore(client)` for several instances. One store per limiter. @default a memory store (per process) */
  store?: RateLimitStore | undefined;
  /**
   * Let requests pass without a limit while the store fails or is slower than storeTimeoutMs (logged
   * once per interval), instead of answering 503 with Retry-After. Turns the control off exactly when
   * an attacker can make the store fail; `checkDeploy` reports it in production. @default false
   */
  dangerouslyAllowOnStoreError?: boolean | undefined;
  /** Milliseconds a store call may take before it counts as a failure, 1 to 60000. @default 200 */
  storeTimeoutMs?: number | undefined;
  /** Synchronous predicate: requests for which it returns `true` are not counted. */
  skip?: ((req: Request) => boolean) | undefined;
  /** Where store failures and express-rate-limit's own warnings go (pino qualifies). Without it they are dropped, never printed. */
  logger?: RateLimitLogger | undefined;
}

/** What a deploy check can learn about a limiter. */
export interface LimiterDescription {
  /** The policy name. */
  readonly name: string;
  /** "memory" (counts per process), "redis" (shared) or "custom". */
  readonly store: StoreKind;
  /** Whether several instances of the app share the counts (false for the memory store). */
  readonly shared: boolean;
  /** Window length in milliseconds. */
  readonly windowMs: number;
  /** Requests allowed per key per window. */
  readonly limit: number;
  /** The key kind ("custom" for a function). */
  readonly key: 'ip' | 'subject' | 'subject-or-ip' | 'login' | 'custom';
  /** Behaviour on store failure. */
  readonly onStoreError: OnStoreError;
  /** Store call timeout in milliseconds. */
  readonly storeTimeoutMs: number;
}

/** The middleware returned by rateLimit(), loginLimiter() and apiLimiter(). */
export type RateLimitMiddleware = RequestHandler & {
  /** The policy name. */
  readonly limiterName: string;
  /**
   * Forgets the count of one bucket, e.g. after a successful login. `key` is the bucket as the key
   * function returns it. Rejects with the store's 503 when the store fails (bounded by storeTimeoutMs).
   */
  resetKey(key: string): Promise<void>;
  /**
   * Forgets the count of the bucket `req` falls in (its key computed as for counting): call it after
   * a successful login so the user's failed attempts stop counting. Rejects like resetKey().
   */
  reset(req: Request): Promise<void>;
  /** Stops the memory store's cleanup timer and calls the store's own shutdown(); a Redis client stays yours to quit(). */
  shutdown(): Promise<void>;
};

/** The request after express-rate-limit counted it. */
type InfoRequest = Request & {
  rateLimit?: { limit: number; remaining: number; resetTime?: Date | undefined; key: string } | undefined;
};

/** Partition-key hashes remembered per limiter; cleared when full, so attacker-chosen keys cannot grow it. */
const PK_MEMO_SIZE = 4096;

/**
 * Writes the IETF draft-8 `RateLimit` / `RateLimit-Policy` entries exactly as express-rate-limit 8's
 * `standardHeaders: 'draft-8'` does (appended to any earlier limiter's entries, `pk` = base64 of the
 * first 12 hex digits of SHA-256(key)), but with the policy prefix built once and `pk` memoised.
 */
export function draft8Writer(
  name: string,
  limit: number,
  windowMs: number,
): (res: Response, info: NonNullable<InfoRequest['rateLimit']>) => void {
  const policyPrefix = `"${name}"; q=${limit}; w=${Math.ceil(windowMs / 1000)}; pk=:`;
  const limitPrefix = `"${name}"; r=`;
  const defaultReset = Math.ceil(windowMs / 1000);
  const pks = new Map<string, string>();
  const append = (res: Response, field: string, value: string): void => {
    const prev = res.getHeader(field);
    if (prev === undefined || prev === '') res.setHeader(field, value);
    else res.setHeader(field, Array.isArray(prev) ? [...prev, value] : [String(prev), value]);
  };
  return function writeDraft8Headers(res, info) {
    if (res.headersSent) return;
    const { key, resetTime } = info;
    let pk = pks.get(key);
    if (pk === undefined) {
      pk = Buffer.from(createHash('sha256').update(key).digest('hex').slice(0, 12)).toString('base64');
      if (pks.size >= PK_MEMO_SIZE) pks.clear();
      pks.set(key, pk);
    }
    const reset = !(resetTime instanceof Date)
      ? defaultReset
      : Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000));
    append(res, 'RateLimit', `${limitPrefix}${info.remaining}; t=${reset}`);
    append(res, 'RateLimit-Policy', `${policyPrefix}${pk}:`);
  };
}

/** Store failures are logged at most once per this many milliseconds per limiter. */
export const STORE_FAILURE_LOG_INTERVAL_MS = 60_000;
/** Default store call timeout in milliseconds. */
export const DEFAULT_STORE_TIMEOUT_MS = 200;

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
// Below 100 ms a window is almost certainly a unit mistake (seconds or minutes typed as ms).
const MIN_WINDOW_MS = 100;
const MAX_WINDOW_MS = 2 ** 31 - 1;
const descriptions = new WeakMap<object, LimiterDescription>();
const usedStores = new WeakSet<object>();

/** Options every limiter factory shares, already validated. */
export interface CommonConfig {
  name: string;
  windowMs: number;
  limit: number;
  store: Store | undefined;
  onStoreError: OnStoreError;
  storeTimeoutMs: number;
  skip: ((req: Request) => boolean) | undefined;
  logger: RateLimitLogger | undefined;
}

/** Option keys shared by every factory. */
export const COMMON_KEYS: OptionKeys<Omit<RateLimitOptions, 'key'>> = {
  name: true,
  windowMs: true,
  limit: true,
  store: true,
  dangerouslyAllowOnStoreError: true,
  storeTimeoutMs: true,
  skip: true,
  logger: true,
};

/** Validates the shared options; `defaults` supplies name/windowMs/limit for presets. */
export function readCommon(
  opts: Readonly<Record<string, unknown>>,
  defaults: { name: string; windowMs: number; limit: number } | undefined,
): CommonConfig {
  const name = opts['name'] ?? defaults?.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw optionError(PKG, 'name', 'must be 1 to 64 letters, digits or "_.-"', 'e.g. "api" or "login"', name);
  }
  if (defaults === undefined) {
    if (opts['windowMs'] === undefined)
      throw optionError(PKG, 'windowMs', 'is required: the window length in milliseconds', 'e.g. 60_000', undefined);
    if (opts['limit'] === undefined)
      throw optionError(PKG, 'limit', 'is required: requests allowed per key per window', 'e.g. 100', undefined);
  }
  const windowMs = intOption(opts, 'windowMs', MIN_WINDOW_MS, MAX_WINDOW_MS, defaults?.windowMs ?? 0, 'milliseconds');
  const limit = intOption(opts, 'limit', 1, 1e9, defaults?.limit ?? 0, 'requests');
  const storeTimeoutMs = intOption(opts, 'storeTimeoutMs', 1, 60_000, DEFAULT_STORE_TIMEOUT_MS, 'milliseconds');
  const allowOnStoreError = opts['dangerouslyAllowOnStoreError'] ?? false;
  if (typeof allowOnStoreError !== 'boolean') {
    throw optionError(
      PKG,
      'dangerouslyAllowOnStoreError',
      'must be a boolean',
      'leave it out: a failing store then denies with 503',
      allowOnStoreError,
    );
  }
  const onStoreError: OnStoreError = allowOnStoreError ? 'allow' : 'deny';
  const store = opts['store'];
  if (store !== undefined) {
    if (!isStore(store))
      throw optionError(
        PKG,
        'store',
        'must implement increment, decrement and resetKey',
        'use redisStore(client)',
        store,
      );
    if (usedStores.has(store)) {
      throw optionError(
        PKG,
        'store',
        'is already used by another limiter',
        'create one store per limiter: redisStore(client) again',
        store,
      );
    }
  }
  const skip = opts['skip'];
  if (skip !== undefined && typeof skip !== 'function')
    throw optionError(PKG, 'skip', 'must be a function (req) => boolean', 'e.g. (req) => req.path === "/health"', skip);
  return {
    name,
    windowMs,
    limit,
    store,
    onStoreError,
    storeTimeoutMs,
    skip: skip as ((req: Request) => boolean) | undefined,
    logger: loggerOption(opts),
  };
}

/** Logs store failures at most once per interval, with the number suppressed since the last line. */
function failureReporter(
  logger: RateLimitLogger | undefined,
  name: string,
  mode: OnStoreError,
): (cause: unknown) => void {
  let last = Number.NEGATIVE_INFINITY;
  let suppressed = 0;
  return function reportStoreFailure(cause) {
    if (logger === undefined) return;
    const now = Date.now();
    if (now - last < STORE_FAILURE_LOG_INTERVAL_MS) {
      suppressed += 1;
      return;
    }
    last = now;
    const entry = { limiter: name, onStoreError: mode, err: cause, suppressed };
    suppressed = 0;
    try {
      logger.error(
        entry,
        mode === 'allow'
          ? 'rate limit store failed: requests pass without a limit'
          : 'rate limit store failed: requests denied with 503',
      );
    } catch {
      // A throwing logger must not turn a store failure into a 500.
    }
  };
}

/** Builds a limiter from validated options. `keyOf` may throw an HttpError (it reaches next(err)). */
export function buildLimiter(
  config: CommonConfig,
  keyKind: LimiterDescription['key'],
  makeKey: (onPermissive: () => void) => (req: Request) => string,
): RateLimitMiddleware {
  const { name, windowMs, limit, onStoreError, storeTimeoutMs, logger, skip } = config;

  const safeLog = (level: 'warn' | 'error', error: unknown, message: string | undefined): void => {
    if (logger === undefined) return;
    try {
      logger[level]({ limiter: name, err: error }, message ?? 'express-rate-limit');
    } catch {
      // ignore: logging must never break a request
    }
  };
  // express-rate-limit's own checks report here instead of console.
  const erlLogger: ErlLogger = {
    warn: (error, message) => {
      safeLog('warn', error, message);
    },
    error: (error, message) => {
      // Store failures were already reported (once per interval) by the guard.
      if (typeof error === 'object' && error !== null && storeFailures.has(error)) return;
      safeLog('error', error, message);
    },
  };

  let warnedPermissive = false;
  const onPermissive = (): void => {
    if (warnedPermissive) return;
    warnedPermissive = true;
    safeLog(
      'warn',
      undefined,
      '"trust proxy" is true: X-Forwarded-For is ignored and the socket address is used; set it with trustProxy(app, hops)',
    );
  };
  const keyOf = makeKey(onPermissive);

  const userStore = config.store;
  let store: Store;
  if (userStore === undefined) store = new MemoryStore();
  else if (userStore instanceof MemoryStore) store = userStore;
  else store = new GuardedStore(userStore, `${name}:`, storeTimeoutMs, failureReporter(logger, name, onStoreError));
  if (userStore !== undefined) usedStores.add(userStore);

  const retryDetail = 'Too many requests. Retry after the number of seconds in Retry-After.';
  const inner = erlRateLimit({
    windowMs,
    limit,
    // The draft-8 headers are written by rateLimitMiddleware below (same text as express-rate-limit's
    // draft-8 output, with the partition-key hash memoised), so express-rate-limit writes none.
    standardHeaders: false,
    legacyHeaders: false,
    store,
    passOnStoreError: onStoreError === 'allow',
    logger: erlLogger,
    // Our key functions handle IPv6 subnets and trust proxy; options and store reuse are checked at creation.
    validate: {
      ip: false,
      trustProxy: false,
      xForwardedForHeader: false,
      forwardedHeader: false,
      keyGeneratorIpFallback: false,
      unsharedStore: false,
      windowMs: false,
    },
    keyGenerator: (req) => keyOf(req),
    ...(skip === undefined ? {} : { skip: (req: Request) => (skip(req) as unknown) === true }),
    handler: function rateLimitExceeded(req, _res, next) {
      const resetTime = (req as InfoRequest).rateLimit?.resetTime;
      const retryAfterSec =
        resetTime instanceof Date
          ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000))
          : Math.ceil(windowMs / 1000);
      next(new TooManyRequestsError(`rate limit "${name}" exceeded`, { retryAfterSec, detail: retryDetail }));
    },
  });
  const writeHeaders = draft8Writer(name, limit, windowMs);

  const rateLimitMiddleware = function rateLimitMiddleware(req: Request, res: Response, next: NextFunction): void {
    // express-rate-limit sets a fresh req.rateLimit once the store has counted this request; an
    // unchanged one (skip, store failure, key error) means no headers, as before.
    const before = (req as InfoRequest).rateLimit;
    // An arrow, not a named function expression: under tsx/esbuild keepNames a named one costs a
    // defineProperty per request.
    void inner(req, res, (err?: unknown) => {
      const info = (req as InfoRequest).rateLimit;
      if (info !== before && info !== undefined) writeHeaders(res, info);
      next(err);
    });
  };
  const resetKey = async function resetKey(key: string): Promise<void> {
    if (typeof key !== 'string' || key === '') {
      throw new TypeError(`@portcullis/ratelimit: resetKey of "${name}" needs the bucket key, a non-empty string`);
    }
    await store.resetKey(key);
  };
  Object.defineProperties(rateLimitMiddleware, {
    limiterName: { value: name, enumerable: true },
    resetKey: { value: resetKey },
    reset: {
      value: async function reset(req: Request): Promise<void> {
        await resetKey(keyOf(req));
      },
    },
    shutdown: {
      value: async function shutdown(): Promise<void> {
        await store.shutdown?.();
      },
    },
  });
  const kind = storeKind(userStore ?? store);
  descriptions.set(
    rateLimitMiddleware,
    Object.freeze({
      name,
      store: kind,
      shared: kind !== 'memory',
      windowMs,
      limit,
      key: keyKind,
      onStoreError,
      storeTimeoutMs,
    }),
  );
  return rateLimitMiddleware as RateLimitMiddleware;
}

/** Describes a limiter made by this package (store kind, name, window, limit), or undefined for any other value. */
export function describeLimiter(middleware: unknown): LimiterDescription | undefined {
  if (typeof middleware !== 'function') return undefined;
  return descriptions.get(middleware);
}

const RATE_LIMIT_KEYS: OptionKeys<RateLimitOptions> = { ...COMMON_KEYS, key: true };

/**
 * Rate limiting middleware on express-rate-limit 8: draft-8 `RateLimit` / `RateLimit-Policy`
 * headers named by `name`, 429 TooManyRequestsError with Retry-After over the limit, and a
 * store that fails closed (503) within `storeTimeoutMs`. Options are validated here.
 */
export function rateLimit(options: RateLimitOptions): RateLimitMiddleware {
  const opts = checkOptions(PKG, options, RATE_LIMIT_KEYS);
  const config = readCommon(opts, undefined);
  const key = opts['key'] ?? 'ip';
  switch (key) {
    case 'ip':
      return buildLimiter(config, 'ip', (onPermissive) => (req) => ipBucket(req as KeyRequest, onPermissive));
    case 'subject':
      return buildLimiter(config, 'subject', () => (req) => {
        const subject = subjectOf(req as KeyRequest);
        if (subject === undefined) throw missingSubject();
        return `sub:${boundKey(subject)}`;
      });
    case 'subject-or-ip':
      return buildLimiter(config, 'subject-or-ip', subjectOrIp);
    default: {
      if (typeof key !== 'function') {
        throw optionError(
          PKG,
          'key',
          'must be "ip", "subject", "subject-or-ip" or a function (req) => string',
          'e.g. "subject-or-ip"',
          key,
        );
      }
      const custom = key as (req: Request) => unknown;
      return buildLimiter(config, 'custom', () => (req) => {
        const value = custom(req);
        if (typeof value !== 'string' || value === '')
          throw new TypeError(
            `@portcullis/ratelimit: key function of "${config.name}" returned ${typeof value === 'string' ? 'an empty string' : typeof value}`,
          );
        return `k:${boundKey(value)}`;
      });
    }
  }
}

/** Subject when authenticated, else the client IP bucket. */
export function subjectOrIp(onPermissive: () => void): (req: Request) => string {
  return (req) => {
    const subject = subjectOf(req as KeyRequest);
    return subject === undefined ? ipBucket(req as KeyRequest, onPermissive) : `sub:${boundKey(subject)}`;
  };
}
