// Server-side sessions: a random id in a __Host- cookie, stored as its SHA-256, idle and absolute timeouts,
// rotated on login and password change, every other session of the user revoked on password change.
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { ServiceUnavailableError, UnauthorizedError } from '@portcullis/errors';
import { randomToken } from '@portcullis/secrets';
import type { SessionRecord, Store } from './storage/index.js';

/** Where sessions live: the database, or Redis (REDIS_URL) with expiry by TTL. */
export interface SessionStore {
  readonly kind: 'database' | 'redis';
  readonly create: (session: SessionRecord, ttlMs: number) => Promise<void>;
  readonly get: (idHash: string) => Promise<SessionRecord | undefined>;
  readonly touch: (session: SessionRecord, at: number, ttlMs: number) => Promise<void>;
  readonly delete: (session: { idHash: string; userId: string }) => Promise<void>;
  /** Deletes every session of `userId` except `keepIdHash`. */
  readonly deleteOthers: (userId: string, keepIdHash: string) => Promise<void>;
  /** Removes expired sessions (the database; Redis expires them by TTL). */
  readonly sweep: (at: number, timeouts: SessionTimeouts) => Promise<void>;
}

/** Sessions in the users' database (SQLite or PostgreSQL). */
export function databaseSessions(store: Store): SessionStore {
  return {
    kind: 'database',
    create: (s) => store.insertSession(s),
    get: (idHash) => store.getSession(idHash),
    touch: (s, at) => store.touchSession(s.idHash, at),
    delete: (s) => store.deleteSession(s.idHash),
    deleteOthers: (userId, keep) => store.deleteUserSessions(userId, keep),
    sweep: (at, t) => store.sweepSessions(at - t.idleMs, at - t.absoluteMs),
  };
}

/**
 * Sessions in Redis: `<prefix>s:<idHash>` (expires with the session) and a per-user set `<prefix>u:<userId>`
 * of the user's session hashes, which expires `absoluteMs` after the user's last login (no session outlives it).
 */
export function redisSessions(redis: Redis, prefix: string, absoluteMs: number): SessionStore {
  const store = redisSessionsUnguarded(redis, prefix, absoluteMs);
  // Redis down or slow: the request is denied with 503 + Retry-After (fail closed), never a 500.
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw new ServiceUnavailableError('session store unavailable', { cause: error, retryAfterSec: 5 });
      }
    };
  return {
    kind: 'redis',
    create: guard(store.create),
    get: guard(store.get),
    touch: guard(store.touch),
    delete: guard(store.delete),
    deleteOthers: guard(store.deleteOthers),
    sweep: store.sweep,
  };
}

function redisSessionsUnguarded(redis: Redis, prefix: string, absoluteMs: number): SessionStore {
  const key = (idHash: string): string => `${prefix}s:${idHash}`;
  const userKey = (userId: string): string => `${prefix}u:${userId}`;
  return {
    kind: 'redis',
    async create(s, ttlMs) {
      await redis
        .multi()
        .set(key(s.idHash), JSON.stringify(s), 'PX', Math.max(1, Math.ceil(ttlMs)))
        .sadd(userKey(s.userId), s.idHash)
        .pexpire(userKey(s.userId), Math.ceil(absoluteMs))
        .exec();
    },
    async get(idHash) {
      const raw = await redis.get(key(idHash));
      if (raw === null) return undefined;
      const parsed = JSON.parse(raw) as Partial<SessionRecord>;
      if (
        typeof parsed.userId !== 'string' ||
        typeof parsed.createdAt !== 'number' ||
        typeof parsed.lastSeenAt !== 'number'
      )
        return undefined;
      return { idHash, userId: parsed.userId, createdAt: parsed.createdAt, lastSeenAt: parsed.lastSeenAt };
    },
    async touch(s, at, ttlMs) {
      await redis.set(
        key(s.idHash),
        JSON.stringify({ ...s, lastSeenAt: at }),
        'PX',
        Math.max(1, Math.ceil(ttlMs)),
        'XX',
      );
    },
    async delete(s) {
      await redis.multi().del(key(s.idHash)).srem(userKey(s.userId), s.idHash).exec();
    },
    async deleteOthers(userId, keep) {
      const all = await redis.smembers(userKey(userId));
      const others = all.filter((h) => h !== keep);
      if (others.length === 0) return;
      await redis
        .multi()
        .del(...others.map(key))
        .srem(userKey(userId), ...others)
        .exec();
    },
    sweep: () => Promise.resolve(),
  };
}

/** The cookie's flags; weakening any of them is a checkDeploy finding (DEPLOY_COOKIE_FLAGS). */
export interface CookieFlags {
  readonly secure: boolean;
  readonly httpOnly: boolean;
  readonly sameSite: 'strict' | 'lax' | 'none' | false;
}

/** The production flags: Secure, HttpOnly, SameSite=Lax (Lax, not Strict: a link from a mail still arrives logged in). */
export const COOKIE_FLAGS: CookieFlags = Object.freeze({ secure: true, httpOnly: true, sameSite: 'lax' });

/** Timeouts in milliseconds. */
export interface SessionTimeouts {
  readonly idleMs: number;
  readonly absoluteMs: number;
}

/** The session a request carries, once authenticated. */
export interface ActiveSession {
  readonly idHash: string;
  readonly userId: string;
}

/** SHA-256 of a session id, base64url: what the store keeps. */
export function hashSessionId(id: string): string {
  return createHash('sha256').update(id, 'utf8').digest('base64url');
}

const SESSION_ID = /^[A-Za-z0-9_-]{43}$/;
/** Expired sessions are swept from the database at most this often (at a login), milliseconds. */
const SWEEP_INTERVAL_MS = 60_000;

/** Reads one cookie from a Cookie header (RFC 6265 §5.4); the first occurrence wins. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Session handling for the app. */
export interface Sessions {
  readonly cookieName: string;
  readonly flags: CookieFlags;
  /** Starts a new session (a fresh random id) for the user and sets the cookie. */
  start(res: ServerResponse, userId: string): Promise<ActiveSession>;
  /** The authentication middleware for secureBaseline's `auth`: a valid session or 401. */
  readonly authenticate: (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void;
  /** The session of an authenticated request. */
  current(req: IncomingMessage): ActiveSession | undefined;
  /** The session a request presents, authenticated or not (login invalidates it: fixation). */
  presented(req: IncomingMessage): string | undefined;
  /** Ends the session server-side and clears the cookie. */
  end(res: ServerResponse, session: ActiveSession): Promise<void>;
  /** Ends a session by its presented id (at login). */
  endPresented(idHash: string): Promise<void>;
  /** Revokes every other session of the user. */
  revokeOthers(userId: string, keep: ActiveSession): Promise<void>;
}

/** Builds the session handling. */
export function createSessions(
  store: SessionStore,
  timeouts: SessionTimeouts,
  flags: CookieFlags,
  now: () => number,
): Sessions {
  // The __Host- prefix (RFC 6265bis §4.1.3.2) makes the browser refuse the cookie unless it is Secure, has
  // Path=/ and no Domain: no subdomain and no plain-http page can set or overwrite it.
  const cookieName = flags.secure ? '__Host-session' : 'session';
  const attributes = [
    'Path=/',
    flags.secure ? 'Secure' : '',
    flags.httpOnly ? 'HttpOnly' : '',
    flags.sameSite === false ? '' : `SameSite=${flags.sameSite[0]?.toUpperCase() ?? ''}${flags.sameSite.slice(1)}`,
  ].filter((a) => a !== '');
  const active = new WeakMap<IncomingMessage, ActiveSession>();
  let lastSweep = Number.NEGATIVE_INFINITY;
  const unauthorized = (): UnauthorizedError =>
    new UnauthorizedError('no valid session', {
      challenge: { scheme: 'Cookie', realm: 'login' },
      detail: 'Log in first.',
    });

  function setCookie(res: ServerResponse, value: string, maxAgeSec: number): void {
    res.setHeader('Set-Cookie', `${cookieName}=${value}; ${[...attributes, `Max-Age=${maxAgeSec}`].join('; ')}`);
  }

  function ttl(session: SessionRecord, at: number): number {
    return Math.min(session.createdAt + timeouts.absoluteMs, at + timeouts.idleMs) - at;
  }

  async function check(req: IncomingMessage): Promise<ActiveSession | undefined> {
    const id = readCookie(req.headers.cookie, cookieName);
    if (id === undefined || !SESSION_ID.test(id)) return undefined;
    const idHash = hashSessionId(id);
    const session = await store.get(idHash);
    if (session === undefined) return undefined;
    const at = now();
    if (at - session.lastSeenAt >= timeouts.idleMs || at - session.createdAt >= timeouts.absoluteMs) {
      await store.delete(session);
      return undefined;
    }
    await store.touch(session, at, ttl(session, at));
    return { idHash, userId: session.userId };
  }

  return {
    cookieName,
    flags,
    async start(res, userId) {
      const id = randomToken({ bytes: 32 });
      const at = now();
      const record: SessionRecord = { idHash: hashSessionId(id), userId, createdAt: at, lastSeenAt: at };
      await store.create(record, timeouts.idleMs);
      setCookie(res, id, Math.floor(timeouts.absoluteMs / 1000));
      if (at - lastSweep >= SWEEP_INTERVAL_MS) {
        lastSweep = at;
        await store.sweep(at, timeouts);
      }
      return { idHash: record.idHash, userId };
    },
    authenticate: function sessionAuth(req, _res, next) {
      check(req).then(
        (session) => {
          if (session === undefined) {
            next(unauthorized());
            return;
          }
          active.set(req, session);
          next();
        },
        (error: unknown) => {
          next(error);
        },
      );
    },
    current: (req) => active.get(req),
    presented(req) {
      const id = readCookie(req.headers.cookie, cookieName);
      return id !== undefined && SESSION_ID.test(id) ? hashSessionId(id) : undefined;
    },
    async end(res, session) {
      await store.delete(session);
      setCookie(res, '', 0);
    },
    async endPresented(idHash) {
      const session = await store.get(idHash);
      if (session !== undefined) await store.delete(session);
    },
    revokeOthers: (userId, keep) => store.deleteOthers(userId, keep.idHash),
  };
}
