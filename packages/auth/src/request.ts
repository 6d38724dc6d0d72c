// Reading credentials off a request: the Authorization (and DPoP) header only, RFC 6750 §2.1 / RFC 9449 §7.1 grammar,
// nothing from query, body or cookies. Tolerates hand-built request objects: a missing or odd field is a denial, never a TypeError.
import type { IncomingMessage } from 'node:http';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; RFC 9449 §7.1 uses token68 (the same characters) after "DPoP".
// We allow exactly one space (a second one is malformed).
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const CREDENTIALS = /^(Bearer|DPoP) ([A-Za-z0-9\-._~+/]+=*)$/i;
const KNOWN_PREFIX = /^(?:bearer|dpop)(?:$|\s)/i;

/** The two schemes jwtAuth() reads. */
export type Scheme = 'Bearer' | 'DPoP';

/** What the Authorization header holds. */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'token'; scheme: Scheme; token: string }
  | { kind: 'malformed'; reason: string; scheme: Scheme }
  | { kind: 'other-scheme' };

/** Parses the header value (Node has already trimmed surrounding whitespace). */
export function parseAuthorization(header: string): Credentials {
  const m = CREDENTIALS.exec(header);
  if (m !== null) {
    const scheme: Scheme = (m[1] as string).length === 4 ? 'DPoP' : 'Bearer';
    return { kind: 'token', scheme, token: m[2] as string };
  }
  if (header === '') return { kind: 'malformed', reason: 'malformed Bearer credentials', scheme: 'Bearer' };
  if (KNOWN_PREFIX.test(header)) {
    const scheme: Scheme = header.slice(0, 4).toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    return { kind: 'malformed', reason: `malformed ${scheme} credentials`, scheme };
  }
  return { kind: 'other-scheme' };
}

/**
 * How many times a header was sent. Node keeps only the first of several Authorization headers (and joins
 * several DPoP headers with ", "); rawHeaders shows them all. `name` is lower case. Undefined when the
 * request has no rawHeaders array (a hand-built request): the caller cannot tell one header from several.
 */
export function headerCount(rawHeaders: unknown, name: string): number | undefined {
  if (!Array.isArray(rawHeaders)) return undefined;
  const raw = rawHeaders as unknown[];
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const field = raw[i];
    if (typeof field === 'string' && field.length === name.length && field.toLowerCase() === name) count++;
  }
  return count;
}

/** Node keeps only the first of several Authorization headers; rawHeaders shows them all. */
export function authorizationHeaderCount(rawHeaders: unknown): number | undefined {
  return headerCount(rawHeaders, 'authorization');
}

/** The request's header object, or undefined when a hand-built request has none. */
export function headersOf(req: IncomingMessage): Readonly<Record<string, unknown>> | undefined {
  const headers: unknown = (req as { headers?: unknown }).headers;
  return typeof headers === 'object' && headers !== null ? (headers as Record<string, unknown>) : undefined;
}

/**
 * True when a header object carries `name` under another casing (`Authorization` instead of `authorization`):
 * Node never builds such an object, so it is a hand-built request, and its credentials must not be ignored.
 */
export function hasMiscasedHeader(headers: Readonly<Record<string, unknown>>, name: string): boolean {
  for (const key of Object.keys(headers)) {
    if (key.length === name.length && key !== name && key.toLowerCase() === name) return true;
  }
  return false;
}

/** True when an access_token was sent in the query string or a parsed body (RFC 6750 §2.2/§2.3 are not supported). */
export function tokenOutsideHeader(req: IncomingMessage & { body?: unknown }): boolean {
  const url: unknown = req.url;
  if (typeof url === 'string') {
    const q = url.indexOf('?');
    if (q !== -1) {
      const query = url.slice(q + 1);
      // Parse only when the name could be there, percent-encoded or not (qs also reads access_token[...]).
      if (query.includes('access_token') || query.includes('%')) {
        for (const name of new URLSearchParams(query).keys()) {
          if (name === 'access_token' || name.startsWith('access_token[')) return true;
        }
      }
    }
  }
  const body = req.body;
  return typeof body === 'object' && body !== null && Object.hasOwn(body, 'access_token');
}
