// createEgressPolicy and the URL-level check (no DNS): parse, protocol, port, userinfo, host, allowlist, literal addresses.
import { isIP } from 'node:net';
import { isReachable } from './addresses.js';
import { trackOwnServers } from './connect.js';
import { EgressError, type EgressErrorCode } from './errors.js';
import {
  compilePolicy,
  normaliseName,
  type CompiledPolicy,
  type EgressDecisionEvent,
  type EgressPolicyOptions,
} from './options.js';

/** The result of {@link EgressPolicy.check}. */
export type EgressCheck =
  { readonly ok: true; readonly url: URL } | { readonly ok: false; readonly error: EgressError };

/** A compiled egress policy: pass it to safeFetch, createSafeDispatcher, createSafeAgents or installGlobalEgressGuard. */
export interface EgressPolicy {
  /**
   * The URL-level decision, without DNS: WHATWG parse, protocol, port, userinfo, host normalisation,
   * the `hosts` allowlist, and the address table for IP literals. A name that passes may still be
   * refused at connect time (its addresses are checked then). Never throws.
   */
  check(url: string | URL): EgressCheck;
}

const POLICIES = new WeakMap<EgressPolicy, CompiledPolicy>();

/** The compiled form of a policy made by {@link createEgressPolicy}; throws a TypeError for anything else. */
export function compiledOf(policy: unknown, pkgFunction: string): CompiledPolicy {
  const compiled = typeof policy === 'object' && policy !== null ? POLICIES.get(policy as EgressPolicy) : undefined;
  if (compiled === undefined) {
    throw new TypeError(`@portcullis/egress: ${pkgFunction}() needs a policy from createEgressPolicy(options)`);
  }
  return compiled;
}

/** A target the connector is asked to reach, after URL parsing. */
export interface Target {
  readonly protocol: string;
  /** Normalised host: a name without trailing dot, or an IP literal without brackets. */
  readonly host: string;
  readonly port: number;
  readonly literal: boolean;
}

/** `protocol//host[:port]/path` without query or fragment, at most 200 characters: what logs may see. */
export function loggableUrl(url: URL): string {
  const text = `${url.protocol}//${url.host}${url.pathname}`;
  return text.length <= 200 ? text : `${text.slice(0, 199)}…`;
}

/** Calls the policy's onDecision hook; a throwing hook is ignored (logging must not change the outcome). */
export function emit(c: CompiledPolicy, event: EgressDecisionEvent): void {
  if (c.onDecision === undefined) return;
  try {
    c.onDecision(Object.freeze(event));
  } catch {
    // swallowed on purpose
  }
}

/** Reports a refusal through onDecision and returns the error to throw. */
export function refuse(
  c: CompiledPolicy,
  code: EgressErrorCode,
  stage: EgressDecisionEvent['stage'],
  where: { url: string; host: string; address?: string },
  message: string,
  cause?: unknown,
): EgressError {
  emit(c, { decision: 'refuse', stage, code, ...where });
  return new EgressError(code, message, cause === undefined ? {} : { cause });
}

function defaultPort(protocol: string): number {
  return protocol === 'http:' ? 80 : 443;
}

/** Whether the `hosts` allowlist admits a normalised host. */
export function hostAllowed(c: CompiledPolicy, host: string): boolean {
  if (c.hosts.public || c.hosts.exact.has(host)) return true;
  const dot = host.indexOf('.');
  // One label only: "a.partner.example" matches ".partner.example", "a.b.partner.example" does not.
  return dot > 0 && c.hosts.suffixes.has(host.slice(dot));
}

/**
 * Checks protocol, port, host and (for literals) address of a target; the connector calls this too,
 * so every entry point runs the same check. Returns the refusal, or undefined.
 */
export function checkTarget(c: CompiledPolicy, t: Target, logUrl: string): EgressError | undefined {
  const where = { url: logUrl, host: t.host };
  if (!c.protocols.has(t.protocol))
    return refuse(c, 'egress_protocol', 'url', where, `Scheme ${t.protocol} is not allowed`);
  if (!c.ports.has(t.port)) return refuse(c, 'egress_port', 'url', where, `Port ${t.port} is not allowed`);
  if (!hostAllowed(c, t.host)) return refuse(c, 'egress_host', 'url', where, 'Host is not in the allowlist');
  if (t.literal && !isReachable(c.table.classify(t.host))) {
    return refuse(c, 'egress_address', 'url', { ...where, address: t.host }, 'Address is not public');
  }
  return undefined;
}

/** Normalises a URL/connector host: brackets off IPv6, names lower-cased without a trailing dot; null when invalid. */
export function normaliseHost(hostname: string): { host: string; literal: boolean } | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  if (isIP(bare) !== 0) return bare.includes('%') ? null : { host: bare.toLowerCase(), literal: true };
  const name = normaliseName(bare);
  return name === null ? null : { host: name, literal: false };
}

/** Parses and checks a URL (the first stage of every entry point). */
export function checkUrl(c: CompiledPolicy, input: unknown): EgressCheck & { target?: Target } {
  let url: URL;
  try {
    if (typeof input !== 'string' && !(input instanceof URL)) throw new TypeError('not a URL');
    url = new URL(String(input));
  } catch {
    return {
      ok: false,
      error: refuse(c, 'egress_host', 'url', { url: '(unparsable)', host: '' }, 'URL does not parse'),
    };
  }
  const logUrl = loggableUrl(url);
  const rawHost = url.hostname;
  if (!c.protocols.has(url.protocol)) {
    return {
      ok: false,
      error: refuse(
        c,
        'egress_protocol',
        'url',
        { url: logUrl, host: rawHost },
        `Scheme ${url.protocol} is not allowed`,
      ),
    };
  }
  const port = url.port === '' ? defaultPort(url.protocol) : Number(url.port);
  if (!c.ports.has(port)) {
    return {
      ok: false,
      error: refuse(c, 'egress_port', 'url', { url: logUrl, host: rawHost }, `Port ${port} is not allowed`),
    };
  }
  // "http://good@evil" and "http://1.1.1.1 &@127.0.0.2# @x/": userinfo is how parsers are made to disagree.
  if (url.username !== '' || url.password !== '') {
    return {
      ok: false,
      error: refuse(c, 'egress_userinfo', 'url', { url: logUrl, host: rawHost }, 'URL carries userinfo'),
    };
  }
  const h = normaliseHost(rawHost);
  if (h === null) {
    return {
      ok: false,
      error: refuse(c, 'egress_host', 'url', { url: logUrl, host: rawHost }, 'Host is not a valid name'),
    };
  }
  const target: Target = { protocol: url.protocol, host: h.host, port, literal: h.literal };
  const error = checkTarget(c, target, logUrl);
  return error === undefined ? { ok: true, url, target } : { ok: false, error };
}

/**
 * Creates an egress policy: validates and compiles the options once (a TypeError names the option
 * and the bad value). The policy is what every entry point enforces.
 */
export function createEgressPolicy(options: EgressPolicyOptions): EgressPolicy {
  const compiled = compilePolicy(options);
  // From here on, sockets this process listens on are refused as targets (a request must not loop back into the app).
  trackOwnServers();
  const policy: EgressPolicy = Object.freeze({
    check: function check(url: string | URL): EgressCheck {
      const result = checkUrl(compiled, url);
      return result.ok ? { ok: true, url: result.url } : { ok: false, error: result.error };
    },
  });
  POLICIES.set(policy, compiled);
  return policy;
}
