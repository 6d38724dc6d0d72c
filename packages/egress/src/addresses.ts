// The address table: which IP addresses an outbound connection may reach (deny unless public or allowed), on net.BlockList.
import { BlockList, isIP, isIPv4 } from 'node:net';

/**
 * IPv4 ranges that are never "public" (RFC 6890 special-purpose registry and friends). The last
 * three come from the registry too (AS112, AMT) and are what ipaddr.js also calls non-unicast.
 */
export const DENIED_IPV4: readonly string[] = Object.freeze([
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches the local host on Linux
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT (RFC 6598)
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local: cloud metadata at 169.254.169.254
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4', // includes 255.255.255.255
  '168.63.129.16/32', // Azure wire server / metadata
  '192.31.196.0/24', // AS112 (RFC 7535)
  '192.175.48.0/24', // AS112 (RFC 7534)
  '192.52.193.0/24', // AMT (RFC 7450)
]);

/** The only IPv6 space that may be public: global unicast (RFC 4291). */
export const PUBLIC_IPV6 = '2000::/3';

/** Ranges inside 2000::/3 that are still not public. */
export const DENIED_IPV6: readonly string[] = Object.freeze([
  '2001::/23', // IETF protocol assignments (Teredo, benchmarking, ORCHID…)
  '2001:db8::/32', // documentation
  '2002::/16', // 6to4: embeds an IPv4 address
  '3fff::/20', // documentation (RFC 9637)
  '2620:4f:8000::/48', // AS112 (RFC 7534)
]);

/** A parsed CIDR or single address. */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/** Parses "a.b.c.d/n", "x::y/n" or a single address; null when not valid. */
export function parseCidr(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0 || address.includes('%')) return null;
  const family = version === 4 ? 'ipv4' : 'ipv6';
  const max = version === 4 ? 32 : 128;
  if (slash === -1) return { address, prefix: max, family };
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return null;
  const prefix = Number(bits);
  return prefix <= max ? { address, prefix, family } : null;
}

function blockList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const text of cidrs) {
    const cidr = parseCidr(text);
    /* c8 ignore next */
    if (cidr === null) throw new TypeError(`@portcullis/egress: bad built-in range ${text}`);
    list.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  return list;
}

/**
 * The 16 bytes of an IPv6 address (also with an embedded dotted IPv4 tail), or null. Used to
 * recognise IPv4-mapped addresses in any spelling (`::ffff:7f00:2`, `0:0:0:0:0:ffff:127.0.0.2`).
 */
export function ipv6Bytes(text: string): Uint8Array | null {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || isIP(text) !== 6) return null;
  let head = text;
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (isIPv4(last)) {
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    head = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = head.split('::');
  const parse = (part: string | undefined): number[] =>
    part === undefined || part === '' ? [] : part.split(':').map((h) => parseInt(h, 16));
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  const fill = 8 - left.length - right.length;
  const groups = halves.length === 2 ? [...left, ...new Array<number>(fill).fill(0), ...right] : [...left, ...right];
  if (groups.length !== 8 || groups.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((g, i) => {
    bytes[i * 2] = g >> 8;
    bytes[i * 2 + 1] = g & 0xff;
  });
  return bytes;
}

/**
 * The address in the form the table judges: an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, any
 * spelling) becomes its IPv4 address; other IPv6 addresses are lower-cased; anything that is not an
 * IP address (or carries a zone id) gives null.
 */
export function normaliseAddress(text: string): { address: string; family: 'ipv4' | 'ipv6' } | null {
  if (isIPv4(text)) return { address: text, family: 'ipv4' };
  const bytes = ipv6Bytes(text);
  if (bytes === null) return null;
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return { address: `${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`, family: 'ipv4' };
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return { address: groups.join(':'), family: 'ipv6' };
}

/** How an address was judged. */
export type AddressVerdict = 'public' | 'allowed' | 'denied' | 'internal' | 'invalid';

/** A compiled address table: the built-in ranges plus the policy's allow and deny lists. */
export interface AddressTable {
  /** Classifies one address; `public`/`allowed` may be connected to. */
  classify(address: string): AddressVerdict;
}

const DEFAULT_DENIED_V4 = blockList(DENIED_IPV4);
const PUBLIC_V6 = blockList([PUBLIC_IPV6]);
const DEFAULT_DENIED_V6 = blockList(DENIED_IPV6);

/**
 * Builds the table: `denyAddresses` first (always refused), then `allowAddresses` (let through even
 * if internal), then the built-in table (IPv4 denied ranges; IPv6 only inside 2000::/3 minus its
 * denied ranges). IPv4-mapped IPv6 addresses are judged by their IPv4 address.
 */
export function createAddressTable(allow: readonly Cidr[], deny: readonly Cidr[]): AddressTable {
  const allowList = new BlockList();
  const denyList = new BlockList();
  for (const c of allow) allowList.addSubnet(c.address, c.prefix, c.family);
  for (const c of deny) denyList.addSubnet(c.address, c.prefix, c.family);
  return {
    classify(text: string): AddressVerdict {
      const n = normaliseAddress(text);
      if (n === null) return 'invalid';
      if (denyList.check(n.address, n.family)) return 'denied';
      if (allowList.check(n.address, n.family)) return 'allowed';
      if (n.family === 'ipv4') return DEFAULT_DENIED_V4.check(n.address, 'ipv4') ? 'internal' : 'public';
      if (!PUBLIC_V6.check(n.address, 'ipv6')) return 'internal';
      return DEFAULT_DENIED_V6.check(n.address, 'ipv6') ? 'internal' : 'public';
    },
  };
}

/** True when a verdict lets a connection through. */
export function isReachable(verdict: AddressVerdict): boolean {
  return verdict === 'public' || verdict === 'allowed';
}
