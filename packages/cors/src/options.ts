// Validation and compilation of strictCors options: every refusal happens here, at creation, with a TypeError.
import type { IncomingMessage } from 'node:http';
import { parseOrigin, type CompiledOrigins } from './origin.js';
import { checkOptions, optionError, type OptionKeys } from '@portcullis/errors/options';
import { getDomain } from 'tldts';

const PKG = 'cors';

/** Called once per request whose Origin is not allowed, for the security log. Must not throw (a throw is swallowed). */
export type CorsRejectHandler = (origin: string, req: IncomingMessage) => void;

/** Options of {@link strictCors}. */
export interface StrictCorsOptions {
  /**
   * Allowed origins, each exactly `"scheme://host[:port]"` (normalised by URL parsing: lower-case
   * host, default port dropped) or a one-label https wildcard `"https://*.example.com"` that
   * matches `a.example.com` but neither `a.b.example.com` nor `example.com`.
   * Refused: `"*"`, `"null"`, RegExp, functions, paths, queries, fragments, userinfo, trailing
   * slashes, invalid URLs, wildcards anywhere else, http origins other than loopback.
   */
  origins: readonly string[];
  /** Send `Access-Control-Allow-Credentials: true` (cookies / HTTP auth cross-origin). @default false */
  credentials?: boolean;
  /** `Access-Control-Allow-Methods` on preflights; method tokens, no `"*"`. @default ["GET","HEAD","POST","PUT","PATCH","DELETE"] */
  methods?: readonly string[];
  /**
   * `Access-Control-Allow-Headers` on preflights: a fixed list, never a reflection of
   * `Access-Control-Request-Headers`; no `"*"`. May be empty.
   * @default ["Authorization","Content-Type","Idempotency-Key","X-Request-Id"]
   */
  allowedHeaders?: readonly string[];
  /** `Access-Control-Expose-Headers` on allowed responses; no `"*"`. May be empty. @default ["X-Request-Id","Retry-After","RateLimit","RateLimit-Policy"] */
  exposedHeaders?: readonly string[];
  /** `Access-Control-Max-Age` on preflights, in seconds, integer 0..7200. @default 600 */
  maxAgeSec?: number;
  /** Security-log hook called with the (truncated) rejected Origin value and the request. @default undefined */
  onReject?: CorsRejectHandler;
  /** Allow plain-http origins on non-loopback hosts (they can be forged by any network attacker). @default false */
  dangerouslyAllowHttpOrigins?: boolean;
}

/** The validated, precompiled form of the options. */
export interface CompiledOptions {
  readonly origins: CompiledOrigins;
  /** Origins as given (normalised), in order, for documentation and error messages. */
  readonly originList: readonly string[];
  readonly credentials: boolean;
  readonly methods: readonly string[];
  readonly allowedHeaders: readonly string[];
  readonly exposedHeaders: readonly string[];
  readonly maxAgeSec: number;
  readonly onReject: CorsRejectHandler | undefined;
}

/** Default Access-Control-Allow-Methods. */
export const DEFAULT_METHODS: readonly string[] = Object.freeze(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']);
/** Default Access-Control-Allow-Headers. */
export const DEFAULT_ALLOWED_HEADERS: readonly string[] = Object.freeze([
  'Authorization',
  'Content-Type',
  'Idempotency-Key',
  'X-Request-Id',
]);
/** Default Access-Control-Expose-Headers. */
export const DEFAULT_EXPOSED_HEADERS: readonly string[] = Object.freeze([
  'X-Request-Id',
  'Retry-After',
  'RateLimit',
  'RateLimit-Policy',
]);
/** Default Access-Control-Max-Age, in seconds. */
export const DEFAULT_MAX_AGE_SEC = 600;
/** Largest accepted maxAgeSec, in seconds (Chromium caps preflight caching at 2 hours). */
export const MAX_MAX_AGE_SEC = 7200;

// A key map TypeScript keeps complete: adding an option without listing it here fails to compile.
const OPTION_KEYS: OptionKeys<StrictCorsOptions> = {
  origins: true,
  credentials: true,
  methods: true,
  allowedHeaders: true,
  exposedHeaders: true,
  maxAgeSec: true,
  onReject: true,
  dangerouslyAllowHttpOrigins: true,
};

// RFC 9110 §5.6.2 token.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const WILDCARD_PROBE = 'https://wildcard-probe';

/** Explains why a string is not an acceptable bare origin, for the creation-time TypeError. */
function originProblem(value: string): string {
  const sep = value.indexOf('://');
  if (sep === -1) return 'is not an origin: expected "scheme://host[:port]"';
  // eslint-disable-next-line no-control-regex -- looking for control characters is the point
  if (/[\s\x00-\x1f\x7f]/.test(value)) return 'contains whitespace or control characters';
  // eslint-disable-next-line no-control-regex -- non-ASCII check
  if (/[^\x00-\x7f]/.test(value))
    return 'contains non-ASCII characters: write internationalised domains in punycode (xn--…)';
  const scheme = value.slice(0, sep).toLowerCase();
  if (scheme !== 'https' && scheme !== 'http') return 'has a scheme other than https/http';
  const rest = value.slice(sep + 3);
  if (rest.includes('@')) return 'contains userinfo ("user@"), which is not part of an origin';
  if (rest.includes('#')) return 'contains a fragment, which is not part of an origin';
  if (rest.includes('?')) return 'contains a query, which is not part of an origin';
  if (rest.endsWith('/') && !rest.slice(0, -1).includes('/'))
    return 'ends with a trailing slash, which is not part of an origin';
  if (rest.includes('/')) return 'contains a path, which is not part of an origin';
  if (rest.includes('%')) return 'contains percent-encoding, which never appears in a serialised origin';
  return 'is not a valid URL origin';
}

function compileWildcard(entry: string, name: string, suffixes: Set<string>, list: string[]): void {
  const fix = 'a wildcard is only allowed as the whole first label of an https origin, e.g. "https://*.example.com"';
  if (/^http:\/\//i.test(entry))
    throw optionError(PKG, name, 'is an http wildcard; wildcards are https only', fix, entry);
  const match = /^https:\/\/\*(\..+)$/i.exec(entry);
  const rest = match?.[1];
  if (rest === undefined || rest.includes('*'))
    throw optionError(PKG, name, 'has a wildcard in an unsupported place', fix, entry);
  // "*.0.0.1" or "*.[::1]": a wildcard over an address is meaningless and URL parsing would reject it obscurely.
  if (/\.[0-9]+$/.test(rest.replace(/:[0-9]*$/, '')) || rest.includes('['))
    throw optionError(PKG, name, 'puts a wildcard on an IP address', fix, entry);
  const probe = parseOrigin(`${WILDCARD_PROBE}${rest}`);
  if (probe === null) throw optionError(PKG, name, originProblem(`${WILDCARD_PROBE}${rest}`), fix, entry);
  const suffix = probe.slice(WILDCARD_PROBE.length);
  const host = suffix.replace(/:\d+$/, '');
  const labels = host.slice(1).split('.');
  if (labels.some((l) => l.length === 0))
    throw optionError(PKG, name, 'has an empty DNS label (double or trailing dot)', fix, entry);
  if (labels.length < 2) {
    throw optionError(
      PKG,
      name,
      'would match every site under a top-level domain',
      'name a registrable domain, e.g. "https://*.example.com"',
      entry,
    );
  }
  // The Public Suffix List, ICANN and private sections: "*.co.uk", "*.github.io", "*.vercel.app" would
  // trust every site anyone can register or deploy under that suffix.
  if (getDomain(host.slice(1), { allowPrivateDomains: true, extractHostname: false }) === null) {
    throw optionError(
      PKG,
      name,
      'would match every site under a public suffix (a name under which anyone can register a domain or deploy a site)',
      'list your own origins exactly, or wildcard a domain you control, e.g. "https://*.example.co.uk" or "https://*.your-app.github.io"',
      entry,
    );
  }
  if (!suffixes.has(suffix)) {
    suffixes.add(suffix);
    list.push(`https://*${suffix}`);
  }
}

function compileOrigins(value: unknown, allowHttp: boolean): { compiled: CompiledOrigins; list: string[] } {
  const fix = 'list exact origins such as ["https://app.example.com"]';
  if (!Array.isArray(value) || value.length === 0)
    throw optionError(PKG, 'origins', 'must be a non-empty array of origins', fix, value);
  const exact = new Set<string>();
  const wildcardSuffixes = new Set<string>();
  const list: string[] = [];
  (value as readonly unknown[]).forEach((entry, i) => {
    const name = `origins[${i}]`;
    if (entry instanceof RegExp) {
      throw optionError(
        PKG,
        name,
        'is a RegExp; regexes are refused because they are easy to leave unanchored (/example\\.com$/ matches evilexample.com)',
        'list exact origins or a one-label wildcard "https://*.example.com"',
        entry,
      );
    }
    if (typeof entry === 'function')
      throw optionError(PKG, name, 'is a function; per-request origin callbacks are refused', fix, entry);
    if (typeof entry !== 'string') throw optionError(PKG, name, 'must be a string', fix, entry);
    if (entry === '*') throw optionError(PKG, name, 'is "*", which allows every site', fix, entry);
    if (entry.toLowerCase() === 'null') {
      throw optionError(
        PKG,
        name,
        'is "null", the origin of sandboxed iframes, file: pages and data: URLs, which any site can produce',
        fix,
        entry,
      );
    }
    if (entry.includes('*')) {
      compileWildcard(entry, name, wildcardSuffixes, list);
      return;
    }
    const origin = parseOrigin(entry);
    if (origin === null)
      throw optionError(
        PKG,
        name,
        originProblem(entry),
        'write a bare origin "https://host[:port]" without path, query, fragment, userinfo or trailing slash',
        entry,
      );
    if (origin.startsWith('http://') && !allowHttp && !LOOPBACK_HOSTS.has(new URL(origin).hostname)) {
      throw optionError(
        PKG,
        name,
        'is a plain-http origin, which any network attacker can impersonate',
        'use https, a loopback host (localhost, 127.0.0.1, [::1]), or set dangerouslyAllowHttpOrigins: true',
        entry,
      );
    }
    if (!exact.has(origin)) {
      exact.add(origin);
      list.push(origin);
    }
  });
  return { compiled: { exact, wildcardSuffixes }, list };
}

function tokenList(
  option: string,
  value: unknown,
  fallback: readonly string[],
  allowEmpty: boolean,
): readonly string[] {
  if (value === undefined) return fallback;
  const fix = `pass an array of header/method names, e.g. ${JSON.stringify(fallback.slice(0, 2))}`;
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0)) {
    throw optionError(
      PKG,
      option,
      allowEmpty ? 'must be an array of names' : 'must be a non-empty array of names',
      fix,
      value,
    );
  }
  const out: string[] = [];
  const seen = new Set<string>();
  (value as readonly unknown[]).forEach((item, i) => {
    if (item === '*')
      throw optionError(PKG, `${option}[${i}]`, 'is "*"; wildcards are refused', 'list the names explicitly', item);
    if (typeof item !== 'string' || !TOKEN.test(item))
      throw optionError(PKG, `${option}[${i}]`, 'must be an HTTP token (RFC 9110 §5.6.2)', fix, item);
    const key = item.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      out.push(item);
    }
  });
  return Object.freeze(out);
}

function optionalBoolean(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw optionError(PKG, option, 'must be a boolean', 'pass true or false', value);
  return value;
}

/** Validates and compiles strictCors options. Throws a TypeError naming the option and the bad value. */
export function compileOptions(options: unknown): CompiledOptions {
  const input = checkOptions(PKG, options, OPTION_KEYS);
  const allowHttp = optionalBoolean('dangerouslyAllowHttpOrigins', input['dangerouslyAllowHttpOrigins']);
  const { compiled, list } = compileOrigins(input['origins'], allowHttp);
  const credentials = optionalBoolean('credentials', input['credentials']);
  const methods = tokenList('methods', input['methods'], DEFAULT_METHODS, false);
  const allowedHeaders = tokenList('allowedHeaders', input['allowedHeaders'], DEFAULT_ALLOWED_HEADERS, true);
  const exposedHeaders = tokenList('exposedHeaders', input['exposedHeaders'], DEFAULT_EXPOSED_HEADERS, true);
  const maxAge = input['maxAgeSec'];
  if (
    maxAge !== undefined &&
    (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_MAX_AGE_SEC)
  ) {
    throw optionError(
      PKG,
      'maxAgeSec',
      `must be an integer number of seconds from 0 to ${MAX_MAX_AGE_SEC}`,
      `e.g. ${DEFAULT_MAX_AGE_SEC}`,
      maxAge,
    );
  }
  const onReject = input['onReject'];
  if (onReject !== undefined && typeof onReject !== 'function') {
    throw optionError(
      PKG,
      'onReject',
      'must be a function (origin, req) => void',
      'pass a logging function or leave it out',
      onReject,
    );
  }
  return Object.freeze({
    origins: compiled,
    originList: Object.freeze(list),
    credentials,
    methods,
    allowedHeaders,
    exposedHeaders,
    maxAgeSec: typeof maxAge === 'number' ? maxAge : DEFAULT_MAX_AGE_SEC,
    onReject: onReject as CorsRejectHandler | undefined,
  });
}
