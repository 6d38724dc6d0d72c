// trustProxy(): sets Express "trust proxy" from a hop count or CIDR list, and refuses settings that let any client spoof its IP.
import { isIP } from 'node:net';
import { fail, show, PKG } from './options.js';

/** A hop count (trusted proxies in front of the app) or a list of proxy addresses / CIDRs. */
export type TrustProxySetting = number | readonly string[];

/** The least of an Express app that trustProxy() needs. */
export interface TrustProxyApp {
  set(setting: string, value: unknown): unknown;
}

// proxy-addr's named ranges: loopback, link-local and unique-local (private) addresses.
const NAMED = new Set(['loopback', 'linklocal', 'uniquelocal']);
const MAX_HOPS = 32;

function checkEntry(entry: unknown, index: number): string {
  if (typeof entry !== 'string')
    fail(`setting[${index}]`, 'must be an IP address, a CIDR or loopback/linklocal/uniquelocal', entry);
  const value = entry.trim();
  if (NAMED.has(value)) return value;
  const slash = value.indexOf('/');
  const address = slash === -1 ? value : value.slice(0, slash);
  const family = isIP(address);
  if (family === 0) fail(`setting[${index}]`, 'must be an IP address, a CIDR or loopback/linklocal/uniquelocal', entry);
  if (slash !== -1) {
    const bitsText = value.slice(slash + 1);
    const max = family === 4 ? 32 : 128;
    const bits = /^\d{1,3}$/.test(bitsText) ? Number(bitsText) : Number.NaN;
    if (!Number.isInteger(bits) || bits > max)
      fail(`setting[${index}]`, `has an invalid prefix length (0 to ${max})`, entry);
    if (bits === 0) {
      fail(
        `setting[${index}]`,
        'trusts every address, so any client could spoof X-Forwarded-For',
        entry,
        "list your proxies' addresses",
      );
    }
  }
  return value;
}

/**
 * Sets Express's "trust proxy" so `req.ip` is the client address as your proxies report it.
 * `setting` is the number of proxies in front of the app (0 = none) or a non-empty list of their
 * addresses/CIDRs. `true`, `"*"`, `/0` ranges and anything else are refused with a TypeError:
 * they let every client choose its own X-Forwarded-For and so its own rate-limit bucket.
 *
 * @param app - the Express app (4 or 5).
 * @param setting - hop count 0 to 32, or e.g. `["10.0.0.0/8", "loopback"]`.
 */
export function trustProxy(app: TrustProxyApp, setting: TrustProxySetting): void {
  if (typeof app !== 'object' && typeof app !== 'function') fail('app', 'must be an Express app', app);
  if (app === null || typeof (app as { set?: unknown }).set !== 'function') fail('app', 'must be an Express app', app);
  if (typeof setting === 'number') {
    if (!Number.isInteger(setting) || setting < 0 || setting > MAX_HOPS) {
      fail('setting', `must be a hop count from 0 to ${MAX_HOPS} or a list of proxy CIDRs`, setting);
    }
    app.set('trust proxy', setting);
    return;
  }
  if (Array.isArray(setting)) {
    if (setting.length === 0)
      fail('setting', 'must list at least one proxy address or CIDR', setting, 'or pass a hop count');
    const list = setting.map((entry: unknown, i) => checkEntry(entry, i));
    app.set('trust proxy', list);
    return;
  }
  throw new TypeError(
    `${PKG}: "setting" must be a hop count or a list of proxy CIDRs (got ${show(setting)}); ` +
      'true and "*" trust every client, so anyone could set X-Forwarded-For and dodge the limit',
  );
}
