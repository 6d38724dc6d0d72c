// The one corpus of trust-proxy settings, run against checkTrustProxy, ratelimit's trustProxy() and config's TRUST_PROXY.

/** A TRUST_PROXY value as an operator writes it, and the typed setting trustProxy() is called with. */
export interface TrustProxyCase {
  /** What the case is, for the test title. */
  readonly title: string;
  /** The environment string. */
  readonly env: string;
  /** The typed value (a hop count or a list), as config parses `env`. */
  readonly setting: number | readonly string[];
}

const list = (env: string): readonly string[] => env.split(',').map((s) => s.trim());
const entry = (title: string, env: string): TrustProxyCase => ({ title, env, setting: list(env) });

/** Settings that trust every client: refused in every profile with SEC_TRUST_PROXY_ANY, and by trustProxy(). */
export const TRUSTS_ANY: readonly TrustProxyCase[] = [
  entry('0.0.0.0/0', '0.0.0.0/0'),
  entry('::/0', '::/0'),
  entry('all of IPv4 in two halves', '0.0.0.0/1,128.0.0.0/1'),
  entry('all of IPv4 in four quarters, out of order', '192.0.0.0/2,0.0.0.0/2,128.0.0.0/2,64.0.0.0/2'),
  entry('the IPv4-mapped range', '::ffff:0.0.0.0/96'),
  entry('the IPv4-mapped range in hex', '::ffff:0:0/96'),
  entry('the IPv4-mapped range in two halves', '::ffff:0:0/97,::ffff:128.0.0.0/97'),
  entry('IPv4 half plus mapped half', '0.0.0.0/1,::ffff:128.0.0.0/97'),
  entry('::/0 in halves', '::/1,8000::/1'),
  entry('0.0.0.0/0 written as 0/0', '0/0'),
  entry('a /0 on a host address', '10.1.2.3/0'),
  entry('the whole space hidden behind real proxies', '10.0.0.0/8,loopback,::/0'),
  entry('every public IPv6 address', '2000::/3'),
  entry('the IPv4 space with a zero-padded prefix', '0.0.0.0/01,128.0.0.0/001'),
  { title: 'a hop count above the bound', env: '50', setting: 50 },
  { title: 'a hop count of 999', env: '999', setting: 999 },
];

/** Settings that are safe: accepted by config in production and by trustProxy(). */
export const SAFE: readonly TrustProxyCase[] = [
  { title: 'one hop', env: '1', setting: 1 },
  { title: 'the largest hop count', env: '32', setting: 32 },
  entry('a private range', '10.0.0.0/8'),
  entry('named ranges', 'loopback,linklocal,uniquelocal'),
  entry('half of IPv4 (large, but not everything)', '0.0.0.0/1'),
  entry(
    'all of IPv4 but 254.0.0.0/7',
    '0.0.0.0/1,128.0.0.0/2,192.0.0.0/3,224.0.0.0/4,240.0.0.0/5,248.0.0.0/6,252.0.0.0/7',
  ),
  entry('a single IPv6 proxy and a mapped IPv4 proxy', '2001:db8::1,::ffff:10.0.0.1'),
  entry('an IPv6 range', 'fd00::/8'),
];

/** Settings that are not valid at all: CONFIG_INVALID in config, a TypeError from trustProxy(). */
export const INVALID: readonly TrustProxyCase[] = [
  entry('an unknown name', 'banana'),
  entry('a prefix too long', '10.0.0.0/33'),
  entry('an IPv6 prefix too long', '::1/129'),
  entry('a prefix that is not a number', '10.0.0.0/x'),
  entry('a netmask instead of a prefix', '10.0.0.0/255.0.0.0'),
  entry('an octal spelling Express would read as another address', '010.0.0.1'),
  entry('a hex spelling of an address', '0x0a000001'),
  entry('a named range in upper case', 'LOOPBACK'),
];
