// Origin parsing for the security config (TRUST_PROXY is checked by @portcullis/errors/trust-proxy, shared with ratelimit).

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
