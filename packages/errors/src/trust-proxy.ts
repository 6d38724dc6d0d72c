// The one trust-proxy predicate: which Express "trust proxy" settings are safe, shared by @portcullis/config and @portcullis/ratelimit.
//
// Why here: config (which parses TRUST_PROXY) and ratelimit (whose trustProxy() sets it on the app) may
// depend on nothing of ours but @portcullis/errors (DESIGN §2), and both must refuse exactly the same
// settings — a value config accepts and trustProxy() refuses crashes the app after config said yes. So the
// predicate lives once, in this subpath of the shared leaf, and both import it. It is pure (no Express, no I/O).
import { isIP } from 'node:net';

/**
 * Most proxy hops a hop-count setting may trust. A larger count lets a client prepend that many
 * forged `X-Forwarded-For` entries and still be read as the client: no real deployment has 33
 * proxies in a row.
 */
export const MAX_TRUST_PROXY_HOPS = 32;

/** proxy-addr's named ranges (the only names Express understands besides addresses). */
export const TRUST_PROXY_NAMED_RANGES: readonly string[] = Object.freeze(['loopback', 'linklocal', 'uniquelocal']);

/** Why a trust-proxy setting is refused. */
export type TrustProxyRefusal =
  /** The setting trusts every client (true, "*", or CIDRs covering all of IPv4, IPv6 or the IPv4-mapped range). */
  | 'trusts-any'
  /** A hop count above {@link MAX_TRUST_PROXY_HOPS}, negative or not an integer. */
  | 'bad-hops'
  /** An empty list. */
  | 'empty'
  /** A list entry that is not an address, a CIDR with a valid prefix or a named range. */
  | 'bad-entry'
  /** Neither a hop count nor a list. */
  | 'bad-type';

/** The verdict of {@link checkTrustProxy}. */
export type TrustProxyVerdict =
  | { readonly ok: true; readonly setting: number | readonly string[] }
  | {
      readonly ok: false;
      readonly refusal: TrustProxyRefusal;
      /** What is wrong, in words that fit after the setting's name ("trusts every address…"). Contains no value. */
      readonly problem: string;
      /** Index of the offending entry for `bad-entry`. */
      readonly index?: number | undefined;
    };

/** A closed range of addresses in one 128-bit space where IPv4 a.b.c.d is ::ffff:a.b.c.d (as proxy-addr matches). */
interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

const V4_MAPPED_BASE = 0xffffn << 32n;
const ALL_128 = (1n << 128n) - 1n;

/** Every address, the IPv4-mapped block (= all of IPv4 for proxy-addr) and global unicast IPv6 (2000::/3). */
const EVERYTHING: readonly { readonly name: string; readonly range: Range }[] = [
  { name: 'every address', range: { start: 0n, end: ALL_128 } },
  { name: 'all of IPv4 (and the IPv4-mapped range ::ffff:0:0/96)', range: cidr(V4_MAPPED_BASE, 96) },
  { name: 'every public IPv6 address (2000::/3)', range: cidr(0x2n << 124n, 3) },
];

function cidr(base: bigint, prefix: number): Range {
  const size = 1n << BigInt(128 - prefix);
  const start = base & ~(size - 1n) & ALL_128;
  return { start, end: start + size - 1n };
}

// proxy-addr's IP_RANGES, in the unified space.
const NAMED: Readonly<Record<string, readonly string[]>> = {
  loopback: ['127.0.0.1/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

// A part of an IPv4 address as inet_aton and ipaddr.js (Express's parser) read it: hex, octal or decimal.
const V4_PART = '(?:0x[0-9a-f]+|0[0-7]*|[1-9][0-9]*)';
const V4_LENIENT = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$|^${V4_PART}$`, 'i');

function partValue(part: string): number {
  const lower = part.toLowerCase();
  if (lower.startsWith('0x')) return Number.parseInt(lower.slice(2), 16);
  if (lower.length > 1 && lower.startsWith('0')) return Number.parseInt(lower.slice(1), 8);
  return Number(lower);
}

/** An IPv4 address in any spelling Express's parser accepts ("0", "010.0.0.1", "0x7f.0.0.1"), as 32 bits. */
function parseV4Lenient(text: string): bigint | undefined {
  if (text.length > 64 || !V4_LENIENT.test(text)) return undefined;
  const parts = text.split('.').map(partValue);
  if (parts.length === 1) {
    const value = parts[0] ?? Number.NaN;
    return Number.isSafeInteger(value) && value <= 0xffffffff ? BigInt(value) : undefined;
  }
  let out = 0n;
  for (const part of parts) {
    if (!Number.isInteger(part) || part > 255) return undefined;
    out = (out << 8n) | BigInt(part);
  }
  return out;
}

/** An IPv6 address (Node-valid; a zone id is ignored) as 128 bits. */
function parseV6(text: string): bigint | undefined {
  const zone = text.indexOf('%');
  const address = zone === -1 ? text : text.slice(0, zone);
  if (isIP(address) !== 6) return undefined;
  let head = address;
  let tail4: bigint | undefined;
  const lastColon = address.lastIndexOf(':');
  if (address.slice(lastColon + 1).includes('.')) {
    tail4 = parseV4Lenient(address.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    head = `${address.slice(0, lastColon + 1)}0:0`;
  }
  const [left = '', right] = head.split('::');
  const leftGroups = left === '' ? [] : left.split(':');
  const rightGroups = right === undefined || right === '' ? [] : right.split(':');
  const fill = right === undefined ? 0 : 8 - leftGroups.length - rightGroups.length;
  const groups = [...leftGroups, ...Array<string>(fill).fill('0'), ...rightGroups];
  if (groups.length !== 8) return undefined;
  let out = 0n;
  for (const group of groups) out = (out << 16n) | BigInt(Number.parseInt(group, 16));
  if (tail4 !== undefined) out = (out & ~0xffffffffn) | tail4;
  return out;
}

/** One parsed entry: its ranges in the unified space, and whether it is written the canonical way. */
interface ParsedEntry {
  readonly ranges: readonly Range[];
  readonly canonical: boolean;
}

function parseEntry(entry: string): ParsedEntry | undefined {
  const named = NAMED[entry];
  if (named !== undefined && Object.hasOwn(NAMED, entry)) {
    return { ranges: named.map((n) => parseEntry(n)?.ranges[0]).filter((r) => r !== undefined), canonical: true };
  }
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const prefixText = slash === -1 ? undefined : entry.slice(slash + 1);
  const v4 = parseV4Lenient(address);
  const v6 = v4 === undefined ? parseV6(address) : undefined;
  if (v4 === undefined && v6 === undefined) return undefined;
  const max = v4 !== undefined ? 32 : 128;
  let prefix = max;
  if (prefixText !== undefined) {
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  const range = v4 !== undefined ? cidr(V4_MAPPED_BASE | v4, 96 + prefix) : cidr(v6 ?? 0n, prefix);
  // A /0 is refused by Express itself (proxy-addr throws on a zero range), so it is never canonical.
  const canonical = isIP(address.split('%')[0] ?? '') !== 0 && prefix > 0;
  return { ranges: [range], canonical };
}

/** True when the union of `ranges` contains all of `target`. */
function covers(ranges: readonly Range[], target: Range): boolean {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  let next = target.start;
  for (const r of sorted) {
    if (r.end < next) continue;
    if (r.start > next) return false;
    next = r.end + 1n;
    if (next > target.end) return true;
  }
  return next > target.end;
}

const ANY_PROBLEM =
  'trusts X-Forwarded-For from every client, so any client can spoof its address and dodge rate limits';

/**
 * What a list of trusted proxies covers that makes it trust every client, or undefined. Entries are
 * normalised (IPv4 in any spelling Express reads, IPv4-mapped IPv6, zone ids, named ranges) and their
 * union is compared with every address, all of IPv4 (= the IPv4-mapped range, which proxy-addr matches
 * IPv4 clients against) and global unicast IPv6 — however the list splits or spells them
 * (`0.0.0.0/1,128.0.0.0/1`, `::ffff:0:0/96`, `0/0`). Unparsable entries are ignored here.
 */
export function trustProxyCoverage(entries: readonly string[]): string | undefined {
  const ranges: Range[] = [];
  for (const entry of entries) {
    const parsed = parseEntry(entry.trim());
    if (parsed !== undefined) ranges.push(...parsed.ranges);
  }
  return EVERYTHING.find(({ range }) => covers(ranges, range))?.name;
}

/**
 * The one check of an Express "trust proxy" setting. Accepts a hop count from 0 to
 * {@link MAX_TRUST_PROXY_HOPS} or a non-empty list of IPv4/IPv6 addresses, CIDRs (`10.0.0.0/8`, decimal
 * prefix) and named ranges (`loopback`, `linklocal`, `uniquelocal`), written as Node's `net.isIP` reads
 * them. Refuses `true`, `"*"`, any other type, hop counts beyond the bound, unparsable entries, and any
 * list whose union covers every client (see {@link trustProxyCoverage}). Entries are trimmed.
 */
export function checkTrustProxy(setting: unknown): TrustProxyVerdict {
  if (setting === true || setting === '*') return { ok: false, refusal: 'trusts-any', problem: ANY_PROBLEM };
  if (typeof setting === 'number') {
    if (!Number.isInteger(setting) || setting < 0 || setting > MAX_TRUST_PROXY_HOPS) {
      return {
        ok: false,
        refusal: 'bad-hops',
        problem: `must be a hop count from 0 to ${MAX_TRUST_PROXY_HOPS}; a larger count lets clients forge X-Forwarded-For entries`,
      };
    }
    return { ok: true, setting };
  }
  if (!Array.isArray(setting)) {
    return { ok: false, refusal: 'bad-type', problem: 'must be a hop count or a list of proxy addresses/CIDRs' };
  }
  if (setting.length === 0) return { ok: false, refusal: 'empty', problem: 'must list at least one proxy address' };
  const list: string[] = [];
  const ranges: Range[] = [];
  let firstBad: number | undefined;
  for (const [index, raw] of (setting as unknown[]).entries()) {
    const entry = typeof raw === 'string' ? raw.trim() : undefined;
    const parsed = entry === undefined ? undefined : parseEntry(entry);
    if (entry === undefined || parsed === undefined || !parsed.canonical) firstBad ??= index;
    if (parsed !== undefined) ranges.push(...parsed.ranges);
    if (entry !== undefined) list.push(entry);
  }
  // Coverage first: "0/0" is an unusual spelling, but what matters is that it trusts everyone.
  const everything = EVERYTHING.find(({ range }) => covers(ranges, range));
  if (everything !== undefined) {
    return { ok: false, refusal: 'trusts-any', problem: `covers ${everything.name}: it ${ANY_PROBLEM}` };
  }
  if (firstBad !== undefined) {
    return {
      ok: false,
      refusal: 'bad-entry',
      index: firstBad,
      problem:
        'has an entry that is not an IP address, a CIDR with a prefix in range (1-32 for IPv4, 1-128 for IPv6) or loopback/linklocal/uniquelocal',
    };
  }
  return { ok: true, setting: Object.freeze(list) };
}
