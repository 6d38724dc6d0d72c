// trustProxy(): sets Express "trust proxy" from a hop count or CIDR list, and refuses settings that let any client spoof its IP.
import { MAX_TRUST_PROXY_HOPS, checkTrustProxy } from '@portcullis/errors/trust-proxy';
import { optionError } from '@portcullis/errors/options';
import { PKG } from './options.js';

/** A hop count (trusted proxies in front of the app) or a list of proxy addresses / CIDRs. */
export type TrustProxySetting = number | readonly string[];

/** The least of an Express app that trustProxy() needs. */
export interface TrustProxyApp {
  set(setting: string, value: unknown): unknown;
}

/**
 * Sets Express's "trust proxy" so `req.ip` is the client address as your proxies report it.
 * `setting` is the number of proxies in front of the app (0 = none, at most 32) or a non-empty list of
 * their addresses/CIDRs/named ranges. `true`, `"*"`, hop counts above 32, lists whose ranges together
 * cover every client (`0.0.0.0/1,128.0.0.0/1`, `::ffff:0:0/96`, `::/0` in halves…) and anything else
 * are refused with a TypeError: they let every client choose its own X-Forwarded-For and so its own
 * rate-limit bucket. The check is `checkTrustProxy` of `@portcullis/errors/trust-proxy`, the same one
 * `@portcullis/config` applies to TRUST_PROXY, so a value config accepts is always accepted here.
 *
 * @param app - the Express app (4 or 5).
 * @param setting - hop count 0 to 32, or e.g. `["10.0.0.0/8", "loopback"]`.
 */
export function trustProxy(app: TrustProxyApp, setting: TrustProxySetting): void {
  if (typeof app !== 'object' && typeof app !== 'function')
    throw optionError(PKG, 'app', 'must be an Express app', 'pass your Express app', app);
  if (app === null || typeof (app as { set?: unknown }).set !== 'function')
    throw optionError(PKG, 'app', 'must be an Express app', 'pass your Express app', app);
  const verdict = checkTrustProxy(setting);
  if (verdict.ok) {
    app.set('trust proxy', typeof verdict.setting === 'number' ? verdict.setting : [...verdict.setting]);
    return;
  }
  const option = verdict.index === undefined ? 'setting' : `setting[${verdict.index}]`;
  const shown = verdict.index === undefined ? setting : (setting as readonly unknown[])[verdict.index];
  throw optionError(
    PKG,
    option,
    verdict.problem,
    `pass the number of proxies in front of the app (0 to ${MAX_TRUST_PROXY_HOPS}) or list their addresses/CIDRs, e.g. ["10.0.0.0/8"]`,
    shown,
  );
}
