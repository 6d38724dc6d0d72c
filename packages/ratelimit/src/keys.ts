// Key functions: which bucket a request counts against (client IP, authenticated subject, or the caller's choice).
import { createHash } from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { ipKeyGenerator } from 'express-rate-limit';
import { UnauthorizedError } from '@portcullis/errors';

/** The request as a key function sees it: Express's `req` (v4 or v5), read structurally. */
export type KeyRequest = IncomingMessage & {
  ip?: string | undefined;
  app?: { get(setting: string): unknown } | undefined;
  auth?: unknown;
  body?: unknown;
};

/** IPv6 clients usually hold a whole /56 (RFC 6177), so they count as one client. */
export const IPV6_SUBNET = 56;
/** IPv6 buckets remembered (parsing an IPv6 address costs tens of µs); the memo is cleared when full. */
const IPV6_MEMO_SIZE = 4096;
const ipv6Buckets = new Map<string, string>();
/** Keys longer than this are replaced by their SHA-256, so no client can make a store key arbitrarily long. */
const MAX_KEY_LENGTH = 128;

/** SHA-256 of a string, base64url: for usernames and over-long keys, so stores never hold them in clear. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** Bounds the length of a key taken from the request. */
export function boundKey(key: string): string {
  return key.length > MAX_KEY_LENGTH ? `#${sha256(key)}` : key;
}

/**
 * The client address as a bucket: IPv4 as is, IPv4-mapped IPv6 as IPv4, other IPv6 as its /56.
 * `onPermissive` is called when the app trusts every proxy ("trust proxy" = true): then
 * X-Forwarded-For is attacker-chosen, so the socket peer is used instead.
 */
export function ipBucket(req: KeyRequest, onPermissive: () => void): string {
  const trust = req.app?.get('trust proxy');
  let ip: string | undefined;
  if (trust === true) {
    onPermissive();
    ip = req.socket.remoteAddress;
  } else if (trust === false) {
    // With trust proxy off, Express's req.ip is exactly the socket address: read it directly and
    // skip proxy-addr's per-request X-Forwarded-For parse.
    ip = req.socket.remoteAddress;
  } else {
    ip = req.ip;
  }
  const version = typeof ip === 'string' ? isIP(ip) : 0;
  // IPv4 needs no grouping (ipKeyGenerator would return it unchanged after one more IPv6 regex).
  if (version === 4) return ip as string;
  if (version === 6 && ip !== undefined && ip.startsWith('::ffff:')) {
    // IPv4-mapped, as a dual-stack server (listen on "::") sees every IPv4 client: the same answer
    // as ipKeyGenerator (to4().correctForm(): a valid dotted quad has no leading zeros to fix)
    // without parsing the address.
    const v4 = ip.slice(7);
    if (isIPv4(v4)) return v4;
  }
  if (version === 0) ip = req.socket.remoteAddress;
  // A destroyed socket has no address: such requests share one bucket rather than escaping the limit.
  if (typeof ip !== 'string' || ip === '') return 'unknown';
  let bucket = ipv6Buckets.get(ip);
  if (bucket === undefined) {
    bucket = ipKeyGenerator(ip, IPV6_SUBNET);
    // Bounded: a client rotating through its /56 only empties the memo, it cannot grow it.
    if (ipv6Buckets.size >= IPV6_MEMO_SIZE) ipv6Buckets.clear();
    ipv6Buckets.set(ip, bucket);
  }
  return bucket;
}

/** `req.auth.subject` when it is a non-empty string, read structurally (set by @portcullis/auth). */
export function subjectOf(req: KeyRequest): string | undefined {
  const auth = req.auth;
  if (typeof auth !== 'object' || auth === null) return undefined;
  const subject = (auth as { subject?: unknown }).subject;
  return typeof subject === 'string' && subject !== '' ? subject : undefined;
}

/** The 401 raised when a limiter keyed by subject sees an unauthenticated request. */
export function missingSubject(): UnauthorizedError {
  return new UnauthorizedError('rate limit is keyed by subject but the request has no req.auth.subject', {
    detail: 'Authentication is required.',
  });
}

/** Usernames are compared as people read them: trimmed, NFKC-folded, lower-cased (and bounded in length). */
export function normaliseUsername(username: string): string {
  return username.slice(0, 1024).trim().normalize('NFKC').toLowerCase();
}
