// Origin parsing and the precompiled allowlist matcher: the only code on the per-request path that looks at Origin.

/**
 * Longest Origin value that is parsed at all, in characters. A DNS name is at most 253
 * characters (RFC 1035 §2.3.4), so no real origin comes near this; longer values are
 * rejected before any parsing so an 8 KB header costs one length check.
 */
export const MAX_ORIGIN_LENGTH = 512;

// RFC 6454 §6.2 serialisation restricted to what browsers send for http(s) pages:
// scheme "://" host [":" port], ASCII only. No whitespace, no userinfo, no path, no query,
// no fragment, no percent-encoding. The WHATWG URL parser alone is too forgiving for a
// security comparison (it strips tabs and newlines, decodes %-escapes and accepts a path).
// eslint-disable-next-line security/detect-unsafe-regex -- linear: host classes exclude ':' so the optional port cannot overlap, input capped at 512 chars
const ORIGIN_SHAPE = /^https?:\/\/(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+)(?::[0-9]{1,5})?$/i;

// One DNS label (RFC 1123 §2.1 letters-digits-hyphen), as it appears in a normalised origin.
// eslint-disable-next-line security/detect-unsafe-regex -- bounded repetition {0,61}, no nested unbounded quantifier
const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const HTTPS_PREFIX = 'https://';

/**
 * Parses a serialised origin ("scheme://host[:port]") and returns its normalised form
 * (lower-case scheme and host, default port dropped, IPv4 in dotted form), or `null` when
 * the value is not exactly an http(s) origin: a path or trailing slash, query, fragment,
 * userinfo, whitespace, percent-encoding, non-ASCII characters, any other scheme, "null",
 * or more than {@link MAX_ORIGIN_LENGTH} characters.
 *
 * @param value - An `Origin` header value or a configured origin.
 * @returns The normalised origin, e.g. `parseOrigin("HTTPS://App.Example.com:443")` → `"https://app.example.com"`.
 */
export function parseOrigin(value: unknown): string | null {
  if (typeof value !== 'string' || value.length > MAX_ORIGIN_LENGTH || !ORIGIN_SHAPE.test(value)) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  const origin = url.origin;
  // The shape check already excludes other schemes; this guards against an opaque ("null") origin.
  if (origin === 'null' || (url.protocol !== 'https:' && url.protocol !== 'http:')) return null;
  return origin;
}

/** A compiled allowlist: exact origins plus one-label https wildcard suffixes. */
export interface CompiledOrigins {
  /** Normalised exact origins. */
  readonly exact: ReadonlySet<string>;
  /** Wildcard suffixes such as ".example.com" or ".example.com:8443" (from "https://*.example.com"). */
  readonly wildcardSuffixes: ReadonlySet<string>;
}

/**
 * Returns the normalised allowed origin that `value` designates, or `null` when it is not
 * allowed. Pure: no I/O, no allocation on the common path (a browser-sent origin that is
 * listed verbatim is one Set lookup).
 */
export function matchOrigin(compiled: CompiledOrigins, value: string): string | null {
  // Browsers send origins already serialised, so the listed form hits here directly.
  if (compiled.exact.has(value)) return value;
  const origin = parseOrigin(value);
  if (origin === null) return null;
  if (compiled.exact.has(origin)) return origin;
  if (compiled.wildcardSuffixes.size === 0 || !origin.startsWith(HTTPS_PREFIX)) return null;
  const dot = origin.indexOf('.', HTTPS_PREFIX.length);
  if (dot === -1) return null;
  // The wildcard covers exactly one label: everything before the first dot must be that label.
  if (!compiled.wildcardSuffixes.has(origin.slice(dot))) return null;
  return DNS_LABEL.test(origin.slice(HTTPS_PREFIX.length, dot)) ? origin : null;
}
