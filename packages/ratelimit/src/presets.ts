// Presets: loginLimiter (IP + hashed username, strict) and apiLimiter (subject else IP).
import type { Request } from 'express';
import { ipBucket, normaliseUsername, sha256, type KeyRequest } from './keys.js';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { PKG } from './options.js';
import {
  COMMON_KEYS,
  buildLimiter,
  readCommon,
  subjectOrIp,
  type RateLimitMiddleware,
  type RateLimitOptions,
} from './limiter.js';

/** Shared preset options: everything of rateLimit() except `key`, with name/windowMs/limit defaulted. */
export type PresetOptions = Partial<Omit<RateLimitOptions, 'key'>>;

/** Options of loginLimiter(). */
export interface LoginLimiterOptions extends PresetOptions {
  /** Field of the parsed body (`req.body`) holding the submitted username. @default "username" */
  usernameField?: string | undefined;
}

/** Defaults of loginLimiter(): 5 attempts per 15 minutes per IP and username, policy "login". */
export const LOGIN_DEFAULTS = Object.freeze({ name: 'login', windowMs: 15 * 60_000, limit: 5 });
/** Defaults of apiLimiter(): 300 requests per minute per subject (else IP), policy "api". */
export const API_DEFAULTS = Object.freeze({ name: 'api', windowMs: 60_000, limit: 300 });

const FIELD = /^[A-Za-z0-9_-]{1,64}$/;
const LOGIN_KEYS: OptionKeys<LoginLimiterOptions> = { ...COMMON_KEYS, usernameField: true };
const API_KEYS: OptionKeys<PresetOptions> = COMMON_KEYS;

/**
 * Strict limiter for login (or password reset) routes: keyed by client IP plus the submitted
 * username, normalised (trim, NFKC, lower-case) and SHA-256 hashed so no store holds it in clear.
 * Mount it after the body parser; a request without a string username counts against its IP's
 * "no username" bucket. Default: 5 per 15 minutes.
 */
export function loginLimiter(options?: LoginLimiterOptions): RateLimitMiddleware {
  const opts = checkOptions(PKG, options, LOGIN_KEYS);
  const field = opts['usernameField'] ?? 'username';
  if (typeof field !== 'string' || !FIELD.test(field)) {
    throw optionError(PKG, 'usernameField', 'must be 1 to 64 letters, digits, "_" or "-"', 'e.g. "email"', field);
  }
  const config = readCommon(opts, LOGIN_DEFAULTS);
  return buildLimiter(config, 'login', (onPermissive) => (req: Request) => {
    const ip = ipBucket(req as KeyRequest, onPermissive);
    const body = (req as KeyRequest).body;
    let username: unknown;
    if (typeof body === 'object' && body !== null && Object.hasOwn(body, field)) {
      username = (body as Record<string, unknown>)[field];
    }
    // Missing or non-string usernames share one bucket per IP: omitting the field buys nothing.
    const user = typeof username === 'string' ? sha256(normaliseUsername(username)) : '-';
    return `${ip}|u:${user}`;
  });
}

/**
 * General API limiter keyed by the authenticated subject (`req.auth.subject`), else the client IP.
 * Default: 300 requests per minute, policy "api"; windowMs, limit, store and the rest can be overridden.
 */
export function apiLimiter(options?: PresetOptions): RateLimitMiddleware {
  const opts = checkOptions(PKG, options, API_KEYS);
  return buildLimiter(readCommon(opts, API_DEFAULTS), 'subject-or-ip', subjectOrIp);
}
