// Validation and compilation of createEgressPolicy options: every refusal happens here, at creation, with a TypeError.
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { getDomain } from 'tldts';
import { createAddressTable, parseCidr, type AddressTable, type Cidr } from './addresses.js';
import type { EgressErrorCode } from './errors.js';

const PKG = 'egress';

/** The DNS resolver the connector asks; `dns.promises.Resolver` fits (c-ares: off the libuv threadpool). */
export interface EgressResolver {
  /** A records of a name (addresses as strings). */
  resolve4(hostname: string): Promise<string[]>;
  /** AAAA records of a name. */
  resolve6(hostname: string): Promise<string[]>;
}

/** Time limits of one outbound request, in milliseconds. */
export interface EgressTimeouts {
  /** Resolving a name (A and AAAA together). @default 2000 */
  dnsMs?: number | undefined;
  /** Opening the TCP connection and finishing the TLS handshake. @default 5000 */
  connectMs?: number | undefined;
  /** From sending the request to the end of the response headers. @default 10000 */
  headersMs?: number | undefined;
  /** Reading the whole response body (safeFetch); idle time between chunks for the dispatcher. @default 30000 */
  bodyMs?: number | undefined;
  /** The whole safeFetch call, redirects included. @default 60000 */
  totalMs?: number | undefined;
}

/** The time limits with every default filled in, in milliseconds. */
export type ResolvedTimeouts = { readonly [K in keyof EgressTimeouts]-?: number };

/** One decision of the policy, for the security log. Never carries a URL's query or fragment. */
export interface EgressDecisionEvent {
  /** `allow`: a connection was opened; `refuse`: the request was stopped. */
  readonly decision: 'allow' | 'refuse';
  /** Where it was decided. */
  readonly stage: 'url' | 'dns' | 'connect' | 'redirect' | 'response';
  /** The refusal code (refusals only). */
  readonly code?: EgressErrorCode;
  /** `protocol//host[:port]/path` of the request, without query or fragment (cut to 200 characters). */
  readonly url: string;
  /** The host name or literal as normalised. */
  readonly host: string;
  /** The address connected to or refused, when one is known. */
  readonly address?: string;
}

/** Options of {@link createEgressPolicy}. */
export interface EgressPolicyOptions {
  /**
   * Which hosts may be contacted: a non-empty list of exact names (`"api.partner.example"`), IP
   * literals, or one-label wildcards (`"*.partner.example"` matches `a.partner.example`, neither
   * `partner.example` nor `a.b.partner.example`; a wildcard over a public suffix such as `*.co.uk`
   * is refused); or `"public"`: any host whose every resolved address is public (webhooks).
   * Every host is still subject to the address table. Required.
   */
  hosts: readonly string[] | 'public';
  /** URL schemes allowed: `"https:"` and/or `"http:"` only. @default ["https:"] */
  protocols?: readonly ('https:' | 'http:')[] | undefined;
  /** TCP ports allowed, integers 1..65535. @default [443], plus 80 when "http:" is allowed */
  ports?: readonly number[] | undefined;
  /** CIDRs (or single addresses) let through although the table calls them internal, e.g. an internal service. @default [] */
  allowAddresses?: readonly string[] | undefined;
  /** CIDRs (or single addresses) always refused, even if public or in allowAddresses. @default [] */
  denyAddresses?: readonly string[] | undefined;
  /** Resolver for names. @default new dns.promises.Resolver({ timeout: dnsMs / 2, tries: 2 }) with the system's servers */
  resolver?: EgressResolver | undefined;
  /** `"reject"`: any disallowed A/AAAA answer refuses the host; `"filter"`: connect to an allowed answer. @default "reject" */
  mixedAnswers?: 'reject' | 'filter' | undefined;
  /** Redirects safeFetch follows, each re-checked; integer 0..10. @default 0 */
  maxRedirects?: number | undefined;
  /** Time limits in milliseconds (each an integer 1..600000). */
  timeouts?: EgressTimeouts | undefined;
  /** Largest response body safeFetch reads, in decoded bytes (after gzip/br/deflate); integer ≥ 1. @default 1048576 (1 MiB) */
  maxResponseBytes?: number | undefined;
  /** Extra trusted CA certificates (PEM) for https upstreams, e.g. an internal CA. @default Node's bundled roots */
  ca?: string | readonly string[] | undefined;
  /** Security-log hook; called for each allowed connection and each refusal. Must not throw (a throw is swallowed). */
  onDecision?: ((event: EgressDecisionEvent) => void) | undefined;
}

const OPTION_KEYS: OptionKeys<EgressPolicyOptions> = {
  hosts: true,
  protocols: true,
  ports: true,
  allowAddresses: true,
  denyAddresses: true,
  resolver: true,
  mixedAnswers: true,
  maxRedirects: true,
  timeouts: true,
  maxResponseBytes: true,
  ca: true,
  onDecision: true,
};

const TIMEOUT_KEYS: OptionKeys<EgressTimeouts> = {
  dnsMs: true,
  connectMs: true,
  headersMs: true,
  bodyMs: true,
  totalMs: true,
};

/** Default time limits, in milliseconds. */
export const DEFAULT_TIMEOUTS: ResolvedTimeouts = Object.freeze({
  dnsMs: 2000,
  connectMs: 5000,
  headersMs: 10_000,
  bodyMs: 30_000,
  totalMs: 60_000,
});
/** Default maxResponseBytes: 1 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
/** Largest maxRedirects accepted. */
export const MAX_REDIRECTS = 10;
const MAX_TIMEOUT_MS = 600_000;

/** The matcher of the `hosts` option. */
export interface HostMatcher {
  readonly public: boolean;
  readonly exact: ReadonlySet<string>;
  /** Wildcard suffixes with their leading dot: ".partner.example". */
  readonly suffixes: ReadonlySet<string>;
}

/** The validated, compiled options. */
export interface CompiledPolicy {
  readonly hosts: HostMatcher;
  readonly protocols: ReadonlySet<string>;
  readonly ports: ReadonlySet<number>;
  readonly table: AddressTable;
  readonly resolver: EgressResolver;
  readonly mixedAnswers: 'reject' | 'filter';
  readonly maxRedirects: number;
  readonly timeouts: ResolvedTimeouts;
  readonly maxResponseBytes: number;
  readonly ca: readonly string[] | undefined;
  readonly onDecision: ((event: EgressDecisionEvent) => void) | undefined;
}

// A DNS name as WHATWG URL parsing leaves it (lower case, punycode): LDH labels (and "_", seen in the wild).
// eslint-disable-next-line security/detect-unsafe-regex -- bounded repetition, one label of at most 63 characters
const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Normalises a DNS name (lower case, one trailing dot dropped); null unless every label is valid and the last is not numeric. */
export function normaliseName(name: string): string | null {
  const lower = name.toLowerCase();
  const bare = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (bare.length === 0 || bare.length > 253) return null;
  const labels = bare.split('.');
  if (!labels.every((l) => LABEL.test(l))) return null;
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return null;
  return bare;
}

function compileHosts(value: unknown): HostMatcher {
  const fix = 'pass "public" or a list of names such as ["api.partner.example", "*.partner.example"]';
  if (value === 'public') return { public: true, exact: new Set(), suffixes: new Set() };
  if (!Array.isArray(value) || value.length === 0) {
    throw optionError(PKG, 'hosts', 'must be "public" or a non-empty array of host names', fix, value);
  }
  const exact = new Set<string>();
  const suffixes = new Set<string>();
  (value as readonly unknown[]).forEach((entry, i) => {
    const name = `hosts[${i}]`;
    if (typeof entry !== 'string') throw optionError(PKG, name, 'must be a string', fix, entry);
    if (entry === '*' || entry === 'public') throw optionError(PKG, name, 'is not a host name', fix, entry);
    const literal = entry.startsWith('[') && entry.endsWith(']') ? entry.slice(1, -1) : entry;
    if (isIP(literal) !== 0) {
      const cidr = parseCidr(literal);
      if (cidr === null) throw optionError(PKG, name, 'is not a valid IP address', fix, entry);
      exact.add(
        new URL(`http://${cidr.family === 'ipv6' ? `[${literal}]` : literal}/`).hostname.replace(/^\[|\]$/g, ''),
      );
      return;
    }
    if (entry.startsWith('*.')) {
      const rest = normaliseName(entry.slice(2));
      if (rest === null || entry.slice(2).includes('*')) {
        throw optionError(PKG, name, 'is not a one-label wildcard over a valid DNS name', fix, entry);
      }
      if (!rest.includes('.')) {
        throw optionError(
          PKG,
          name,
          'would match every host under a top-level domain',
          'wildcard a domain you control',
          entry,
        );
      }
      // The Public Suffix List (ICANN and private sections): "*.co.uk" or "*.github.io" would allow any
      // host anyone can register or deploy under that suffix, as in @portcullis/cors.
      if (getDomain(rest, { allowPrivateDomains: true, extractHostname: false }) === null) {
        throw optionError(
          PKG,
          name,
          'would match every host under a public suffix (a name under which anyone can register a domain or deploy a site)',
          'list hosts exactly, or wildcard a domain you control, e.g. "*.partner.example"',
          entry,
        );
      }
      suffixes.add(`.${rest}`);
      return;
    }
    const host = normaliseName(entry);
    if (host === null || entry.endsWith('.')) {
      throw optionError(
        PKG,
        name,
        'is not a host name (no scheme, port, path, "*" only as the whole first label)',
        fix,
        entry,
      );
    }
    exact.add(host);
  });
  return { public: false, exact, suffixes };
}

function compileProtocols(value: unknown): ReadonlySet<string> {
  if (value === undefined) return new Set(['https:']);
  const fix = 'pass ["https:"] or ["https:", "http:"]';
  if (!Array.isArray(value) || value.length === 0) {
    throw optionError(PKG, 'protocols', 'must be a non-empty array', fix, value);
  }
  const out = new Set<string>();
  (value as readonly unknown[]).forEach((p, i) => {
    // data:, file:, blob:, ftp:, ws: never: they read local state or bypass the connection check.
    if (p !== 'https:' && p !== 'http:') {
      throw optionError(
        PKG,
        `protocols[${i}]`,
        'must be "https:" or "http:" (other schemes are never allowed)',
        fix,
        p,
      );
    }
    out.add(p);
  });
  return out;
}

function compilePorts(value: unknown, protocols: ReadonlySet<string>): ReadonlySet<number> {
  if (value === undefined) return new Set(protocols.has('http:') ? [443, 80] : [443]);
  const fix = 'pass an array of TCP ports, e.g. [443]';
  if (!Array.isArray(value) || value.length === 0)
    throw optionError(PKG, 'ports', 'must be a non-empty array', fix, value);
  const out = new Set<number>();
  (value as readonly unknown[]).forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isInteger(p) || p < 1 || p > 65535) {
      throw optionError(PKG, `ports[${i}]`, 'must be an integer from 1 to 65535', fix, p);
    }
    out.add(p);
  });
  return out;
}

function compileCidrs(option: string, value: unknown): Cidr[] {
  if (value === undefined) return [];
  const fix = 'pass CIDRs such as ["10.1.2.0/24", "fd00::/8"] or single addresses';
  if (!Array.isArray(value)) throw optionError(PKG, option, 'must be an array of CIDRs', fix, value);
  return (value as readonly unknown[]).map((c, i) => {
    const cidr = typeof c === 'string' ? parseCidr(c) : null;
    if (cidr === null) throw optionError(PKG, `${option}[${i}]`, 'is not a CIDR or an IP address', fix, c);
    return cidr;
  });
}

function positiveInteger(option: string, value: unknown, fallback: number, max: number, unit: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw optionError(PKG, option, `must be an integer from 1 to ${max} (${unit})`, `e.g. ${fallback}`, value);
  }
  return value;
}

function compileTimeouts(value: unknown): ResolvedTimeouts {
  const t = checkOptions<EgressTimeouts>(PKG, value, TIMEOUT_KEYS, 'timeouts');
  const out: { -readonly [K in keyof EgressTimeouts]-?: number } = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(TIMEOUT_KEYS) as (keyof EgressTimeouts)[]) {
    out[key] = positiveInteger(`timeouts.${key}`, t[key], DEFAULT_TIMEOUTS[key], MAX_TIMEOUT_MS, 'milliseconds');
  }
  return Object.freeze(out);
}

function compileResolver(value: unknown, dnsMs: number): EgressResolver {
  if (value === undefined) return new Resolver({ timeout: Math.max(1, Math.ceil(dnsMs / 2)), tries: 2 });
  if (
    typeof value !== 'object' ||
    value === null ||
    !('resolve4' in value) ||
    !('resolve6' in value) ||
    typeof value.resolve4 !== 'function' ||
    typeof value.resolve6 !== 'function'
  ) {
    throw optionError(
      PKG,
      'resolver',
      'must have resolve4(name) and resolve6(name) methods',
      'pass a dns.promises.Resolver or leave it out',
      value,
    );
  }
  return value as EgressResolver;
}

function compileCa(value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (
    !Array.isArray(list) ||
    list.length === 0 ||
    !list.every((c) => typeof c === 'string' && c.includes('-----BEGIN'))
  ) {
    throw optionError(PKG, 'ca', 'must be a PEM certificate or a non-empty array of them', 'pass PEM text', value);
  }
  return Object.freeze([...(list as string[])]);
}

/** Validates and compiles the options; throws a TypeError naming the option and the bad value. */
export function compilePolicy(options: unknown): CompiledPolicy {
  const o = checkOptions<EgressPolicyOptions>(PKG, options, OPTION_KEYS);
  if (o.hosts === undefined) {
    throw optionError(
      PKG,
      'hosts',
      'is required',
      'pass "public" or a list of host names such as ["api.partner.example"]',
    );
  }
  const hosts = compileHosts(o.hosts);
  const protocols = compileProtocols(o.protocols);
  const ports = compilePorts(o.ports, protocols);
  const table = createAddressTable(
    compileCidrs('allowAddresses', o.allowAddresses),
    compileCidrs('denyAddresses', o.denyAddresses),
  );
  const timeouts = compileTimeouts(o.timeouts);
  const mixed = o.mixedAnswers ?? 'reject';
  if (mixed !== 'reject' && mixed !== 'filter') {
    throw optionError(PKG, 'mixedAnswers', 'must be "reject" or "filter"', 'leave it out for "reject"', mixed);
  }
  const maxRedirects = o.maxRedirects ?? 0;
  if (
    typeof maxRedirects !== 'number' ||
    !Number.isInteger(maxRedirects) ||
    maxRedirects < 0 ||
    maxRedirects > MAX_REDIRECTS
  ) {
    throw optionError(
      PKG,
      'maxRedirects',
      `must be an integer from 0 to ${MAX_REDIRECTS}`,
      'e.g. 0 or 3',
      maxRedirects,
    );
  }
  const onDecision = o.onDecision;
  if (onDecision !== undefined && typeof onDecision !== 'function') {
    throw optionError(
      PKG,
      'onDecision',
      'must be a function (event) => void',
      'pass a logging function or leave it out',
      onDecision,
    );
  }
  return Object.freeze({
    hosts,
    protocols,
    ports,
    table,
    resolver: compileResolver(o.resolver, timeouts.dnsMs),
    mixedAnswers: mixed,
    maxRedirects,
    timeouts,
    maxResponseBytes: positiveInteger(
      'maxResponseBytes',
      o.maxResponseBytes,
      DEFAULT_MAX_RESPONSE_BYTES,
      Number.MAX_SAFE_INTEGER,
      'bytes',
    ),
    ca: compileCa(o.ca),
    onDecision: onDecision as ((event: EgressDecisionEvent) => void) | undefined,
  });
}
