// Origin and proxy-address parsing for the security config (self-contained: config is a leaf package).
import { isIP } from 'node:net';

/** How one ALLOWED_ORIGINS entry was understood. */
export type OriginEntry =
  | { kind: 'origin'; origin: string; secure: boolean }
  | { kind: 'wildcard' }
  | { kind: 'null' }
  | { kind: 'has-path' }
  | { kind: 'invalid' };

/**
 * Classifies an origin the way a browser sends it (RFC 6454 §6.2): scheme://host[:port], nothing more.
 * A path, query, fragment, userinfo or trailing slash means the operator wrote a URL, not an origin,
 * and an exact-match allowlist would never match it (or would match something unintended).
 */
export function classifyOrigin(raw: string): OriginEntry {
  if (raw.includes('*')) return { kind: 'wildcard' };
  if (raw.toLowerCase() === 'null') return { kind: 'null' };
  const lower = raw.toLowerCase();
  if (!lower.startsWith('http://') && !lower.startsWith('https://')) return { kind: 'invalid' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { kind: 'invalid' };
  }
  if (url.hostname === '') return { kind: 'invalid' };
  // Judge the text as written, not as URL parsing normalised it ("/." and "\\" both become "/").
  const afterScheme = raw.slice(raw.indexOf('://') + 3);
  const hasExtra = /[/?#\\@]/.test(afterScheme) || url.pathname !== '/' || url.username !== '' || url.password !== '';
  if (hasExtra) return { kind: 'has-path' };
  return { kind: 'origin', origin: url.origin, secure: url.protocol === 'https:' };
}

/** Splits a comma-separated list, trimming entries and dropping empty ones and duplicates. */
export function splitList(raw: string): string[] {
  return [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
}

/** Named ranges Express's `trust proxy` (proxy-addr) understands. */
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** The TRUST_PROXY list that "true" and "*" stand for: every address. */
export const TRUST_ANY: readonly string[] = Object.freeze(['0.0.0.0/0', '::/0']);

/** True for an IPv4/IPv6 address, optionally with a /prefix in range, or a proxy-addr named range. */
export function isProxyAddress(entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true;
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (version === 4 ? 32 : 128);
}

/** True when a TRUST_PROXY list trusts every address (a /0 range). */
export function trustsAnyAddress(list: readonly string[]): boolean {
  return list.some((entry) => /\/0+$/.test(entry));
}
