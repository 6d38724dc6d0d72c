// createService(deps): the login app — local accounts, argon2id passwords, cookie sessions — on the Portcullis
// baseline in cookie mode. Everything it needs is injected; it does not listen.
import { createHash, randomUUID } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Redis } from 'ioredis';
import { secureBaseline, type DeployFinding } from '@portcullis/baseline';
import type { SecurityConfig } from '@portcullis/config';
import { UnauthorizedError, ValidationError } from '@portcullis/errors';
import type { createLogger } from '@portcullis/logging';
import {
  loginLimiter,
  rateLimit,
  redisStore,
  type RateLimitMiddleware,
  type RateLimitStore,
} from '@portcullis/ratelimit';
import { createPasswordHasher, type PasswordHasherOptions } from '@portcullis/secrets';
import { checkNewPassword } from './passwords.js';
import {
  COOKIE_FLAGS,
  createSessions,
  databaseSessions,
  redisSessions,
  type CookieFlags,
  type SessionStore,
} from './sessions.js';
import { DEFAULT_SESSION_SETTINGS, type SessionSettings } from './settings.js';
import type { Store } from './storage/index.js';

/** The logger type of @portcullis/logging. */
export type AppLogger = ReturnType<typeof createLogger>;

/** Limits of the abuse controls (per window). */
export interface LoginLimits {
  /** Window of every login limit, milliseconds. @default 900000 (15 min) */
  readonly windowMs: number;
  /** Attempts per client address and account (the loginLimiter preset). @default 5 */
  readonly perAddressAndAccount: number;
  /** Attempts per account from all addresses (a botnet on one account). @default 20 */
  readonly perAccount: number;
  /** Attempts per client address on all accounts (one address spraying many). @default 100 */
  readonly perAddress: number;
  /** Registrations per client address per window. @default 10 */
  readonly registrations: number;
  /** Password-change attempts per session user per window. @default 5 */
  readonly passwordChanges: number;
}

/** Defaults of {@link LoginLimits}. */
export const DEFAULT_LIMITS: LoginLimits = Object.freeze({
  windowMs: 15 * 60_000,
  perAddressAndAccount: 5,
  perAccount: 20,
  perAddress: 100,
  registrations: 10,
  passwordChanges: 5,
});

/** Everything the app needs; tests inject their own. */
export interface AppDeps {
  /** Result of loadSecurityConfig(). */
  readonly config: SecurityConfig;
  /** Users (and sessions unless `redis`), migrated. */
  readonly store: Store;
  readonly logger: AppLogger;
  /** Redis (REDIS_URL): then sessions and every rate limit live there, shared by all instances. */
  readonly redis?: Redis | undefined;
  /** Prefix of every Redis key the app writes. @default "login:" */
  readonly redisPrefix?: string | undefined;
  /** Session timeouts. @default 1800 s idle, 43200 s absolute */
  readonly sessions?: SessionSettings | undefined;
  /** Options of the password hasher (argon2id parameters, queue). @default the package defaults (OWASP minimum) */
  readonly hasher?: PasswordHasherOptions | undefined;
  /** Limits of the abuse controls. @default DEFAULT_LIMITS */
  readonly limits?: Partial<LoginLimits> | undefined;
  /** Clock, epoch milliseconds. @default Date.now */
  readonly now?: (() => number) | undefined;
  /** Express factory (tests pass Express 4). @default express (5) */
  readonly createExpress?: (() => Express) | undefined;
  /** Test-only: weaker cookie flags, to prove checkDeploy reports them. Never set it in a deployment. */
  readonly dangerouslyWeakenCookie?: Partial<CookieFlags> | undefined;
}

/** The app and its lifecycle. */
export interface LoginService {
  readonly app: Express;
  /** The password hasher (its stats() show the gate). */
  readonly hasher: ReturnType<typeof createPasswordHasher>;
  /** Stops the limiters' timers; call after the server closed. */
  readonly shutdown: () => Promise<void>;
  /** The baseline's deploy self-check of this app with its config. */
  readonly checkDeploy: () => DeployFinding[];
}

/** Routes reachable without a session. Everything else needs one (deny by default). */
export const PUBLIC_ROUTES = [
  { method: 'GET', path: '/health' },
  { method: 'POST', path: '/register' },
  { method: 'POST', path: '/login' },
] as const;

const EMAIL_LOCAL = /^[^\s@"<>()[\]\\,;:]{1,64}$/;
const DOMAIN_LABEL = /^[a-z0-9-]{1,63}$/;

function isEmail(value: string): boolean {
  const at = value.lastIndexOf('@');
  if (at <= 0 || value.length > 254) return false;
  const labels = value.slice(at + 1).split('.');
  return (
    EMAIL_LOCAL.test(value.slice(0, at)) &&
    labels.length >= 2 &&
    labels.every((l) => DOMAIN_LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-'))
  );
}
const MAX_FIELD = 65_536;

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null && Object.hasOwn(body, name)
    ? (body as Record<string, unknown>)[name]
    : undefined;
}

function stringField(body: unknown, name: string, issues: { pointer: string; message: string }[]): string {
  const value = field(body, name);
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_FIELD) {
    issues.push({ pointer: `/${name}`, message: 'must be a non-empty string' });
    return '';
  }
  return value;
}

function emailField(body: unknown, issues: { pointer: string; message: string }[]): string {
  const raw = stringField(body, 'email', issues);
  const email = raw.trim().toLowerCase();
  if (raw !== '' && !isEmail(email)) issues.push({ pointer: '/email', message: 'must be an email address' });
  return email;
}

function refuseIf(issues: { pointer: string; message: string }[]): void {
  if (issues.length > 0)
    throw new ValidationError('invalid input', { issues, detail: 'The request body is not valid.' });
}

function invalidCredentials(): UnauthorizedError<'invalid_credentials'> {
  // One error for an unknown account and a wrong password: same status, body and headers (no enumeration).
  return new UnauthorizedError('invalid credentials', {
    code: 'invalid_credentials',
    challenge: { scheme: 'Cookie', realm: 'login' },
    detail: 'The email or the password is wrong.',
  });
}

type Handler = (req: Request, res: Response) => Promise<void>;

// Express 4 does not catch a rejected promise; every handler passes its failure to next() itself.
function route(handler: Handler) {
  return function asyncRoute(req: Request, res: Response, next: NextFunction): void {
    handler(req, res).catch(next);
  };
}

/** Builds the app. Does not listen. */
export function createService(deps: AppDeps): LoginService {
  const app = (deps.createExpress ?? express)();
  const now = deps.now ?? Date.now;
  const limits: LoginLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const timeouts = deps.sessions ?? DEFAULT_SESSION_SETTINGS;
  const prefix = deps.redisPrefix ?? 'login:';
  const { redis } = deps;
  const store = deps.store;
  const hasher = createPasswordHasher({ logger: deps.logger, ...deps.hasher });
  const maxPasswordBytes = deps.hasher?.maxPasswordBytes ?? 4096;

  const flags: CookieFlags = { ...COOKIE_FLAGS, ...deps.dangerouslyWeakenCookie };
  const sessionStore: SessionStore =
    redis === undefined
      ? databaseSessions(store)
      : redisSessions(redis, `${prefix}sess:`, timeouts.absoluteTimeoutSec * 1000);
  const sessions = createSessions(
    sessionStore,
    { idleMs: timeouts.idleTimeoutSec * 1000, absoluteMs: timeouts.absoluteTimeoutSec * 1000 },
    flags,
    now,
  );

  // One store per limiter; with Redis every instance shares the counts.
  const storeFor = (): { store?: RateLimitStore } =>
    redis === undefined ? {} : { store: redisStore(redis, { prefix: `${prefix}rl:` }) };
  const common = { windowMs: limits.windowMs, logger: deps.logger };
  const accountKey = (req: Request): string => {
    const email = field(req.body, 'email');
    const normalised = typeof email === 'string' ? email.slice(0, 1024).trim().toLowerCase() : '-';
    return `acct:${createHash('sha256').update(normalised).digest('base64url')}`;
  };
  const limiters: RateLimitMiddleware[] = [
    loginLimiter({ ...common, ...storeFor(), limit: limits.perAddressAndAccount, usernameField: 'email' }),
    rateLimit({ ...common, ...storeFor(), name: 'login-account', limit: limits.perAccount, key: accountKey }),
    rateLimit({ ...common, ...storeFor(), name: 'login-address', limit: limits.perAddress, key: 'ip' }),
  ];
  const [perPair, perAccount, perAddress] = limiters as [RateLimitMiddleware, RateLimitMiddleware, RateLimitMiddleware];
  const registerLimiter = rateLimit({
    ...common,
    ...storeFor(),
    name: 'register',
    limit: limits.registrations,
    key: 'ip',
  });
  const passwordLimiter = rateLimit({
    ...common,
    ...storeFor(),
    name: 'password-change',
    limit: limits.passwordChanges,
    key: (req) => `user:${sessions.current(req)?.userId ?? '-'}`,
  });

  // request id + logger → security headers → CORS → address limiter → CSRF (cookie mode) → session
  // authentication on every route not declared public → content-type guard → JSON body; after: 404 → errors.
  // install() also applies TRUST_PROXY and turns x-powered-by off.
  const baseline = secureBaseline({
    config: deps.config,
    auth: sessions.authenticate,
    logger: deps.logger,
    cookies: { secure: flags.secure, httpOnly: flags.httpOnly, sameSite: flags.sameSite },
    publicRoutes: PUBLIC_ROUTES.map((r) => ({ ...r })),
    rateLimit: storeFor(),
  });
  baseline.install(app);

  app.get('/health', function health(_req, res) {
    res.json({ status: 'ok' });
  });

  app.post(
    '/register',
    registerLimiter,
    route(async function register(req, res) {
      const issues: { pointer: string; message: string }[] = [];
      const email = emailField(req.body, issues);
      const password = stringField(req.body, 'password', issues);
      refuseIf(issues);
      checkNewPassword(password, '/password', maxPasswordBytes);
      // The hash is computed whether or not the address is taken, and the answer is the same: registration
      // does not tell who has an account (a real app would send a confirmation mail here).
      const passwordHash = await hasher.hash(password);
      const created = await store.insertUser({
        id: randomUUID(),
        email,
        passwordHash,
        createdAt: new Date(now()).toISOString(),
      });
      deps.logger.info({ created }, 'registration');
      res.status(202).json({ status: 'accepted' });
    }),
  );

  app.post(
    '/login',
    perAddress,
    perAccount,
    perPair,
    route(async function login(req, res) {
      const issues: { pointer: string; message: string }[] = [];
      const email = emailField(req.body, issues);
      const password = stringField(req.body, 'password', issues);
      refuseIf(issues);
      const user = await store.userByEmail(email);
      // Unknown account: the same argon2 work against nothing, then the same 401.
      const result = await hasher.verifyAndUpgrade(user?.passwordHash, password, (fresh) =>
        user === undefined ? undefined : store.updatePasswordHash(user.id, user.passwordHash, fresh),
      );
      if (!result.ok || user === undefined) throw invalidCredentials();
      // Session fixation: whatever session the client came with is ended; the login gets a fresh id.
      const presented = sessions.presented(req);
      if (presented !== undefined) await sessions.endPresented(presented);
      await sessions.start(res, user.id);
      // The account's failed attempts stop counting (per account, and per address + account); the
      // address-wide limit keeps counting, so a sprayer gains nothing from one valid login.
      await Promise.all([perPair.reset(req), perAccount.reset(req)]).catch((error: unknown) => {
        deps.logger.warn({ err: error }, 'login limiter not reset after a successful login');
      });
      res.status(200).json({ id: user.id, email: user.email });
    }),
  );

  app.post(
    '/logout',
    route(async function logout(req, res) {
      const session = sessions.current(req);
      if (session !== undefined) await sessions.end(res, session);
      res.status(204).end();
    }),
  );

  app.get(
    '/me',
    route(async function me(req, res) {
      const session = sessions.current(req);
      const user = session === undefined ? undefined : await store.userById(session.userId);
      if (user === undefined)
        throw new UnauthorizedError('session without user', { challenge: { scheme: 'Cookie', realm: 'login' } });
      res.json({ id: user.id, email: user.email, createdAt: user.createdAt });
    }),
  );

  app.post(
    '/password',
    passwordLimiter,
    route(async function changePassword(req, res) {
      const session = sessions.current(req);
      const issues: { pointer: string; message: string }[] = [];
      const current = stringField(req.body, 'currentPassword', issues);
      const next = stringField(req.body, 'newPassword', issues);
      refuseIf(issues);
      const user = session === undefined ? undefined : await store.userById(session.userId);
      if (session === undefined || user === undefined) throw invalidCredentials();
      const result = await hasher.verify(user.passwordHash, current);
      if (!result.ok) throw invalidCredentials();
      checkNewPassword(next, '/newPassword', maxPasswordBytes);
      await store.changePassword(user.id, await hasher.hash(next), new Date(now()).toISOString());
      // A new id for this client, and every other session of the user (a thief's included) revoked.
      const fresh = await sessions.start(res, user.id);
      await sessions.revokeOthers(user.id, fresh);
      res.status(200).json({ status: 'changed' });
    }),
  );

  app.use(baseline.after);

  return {
    app,
    hasher,
    checkDeploy: () => baseline.checkDeploy(),
    async shutdown() {
      await Promise.all([
        baseline.shutdown(),
        ...limiters.map((l) => l.shutdown()),
        registerLimiter.shutdown(),
        passwordLimiter.shutdown(),
      ]);
    },
  };
}
