// Reading credentials off a request: the Authorization header only, RFC 6750 §2.1 grammar, nothing from query, body or cookies.
import type { IncomingMessage } from 'node:http';

// RFC 6750 §2.1: credentials = "Bearer" 1*SP b64token; we allow exactly one space (a second one is malformed).
// b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
const BEARER = /^[Bb][Ee][Aa][Rr][Ee][Rr] ([A-Za-z0-9\-._~+/]+=*)$/;
const BEARER_PREFIX = /^bearer(?:$|\s)/i;

/** What the Authorization header holds. */
export type Credentials =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'malformed'; reason: string }
  | { kind: 'other-scheme' };

/** Parses the header value (Node has already trimmed surrounding whitespace). */
export function parseAuthorization(header: string): Credentials {
  const m = BEARER.exec(header);
  if (m !== null) return { kind: 'token', token: m[1] as string };
  if (BEARER_PREFIX.test(header) || header === '') return { kind: 'malformed', reason: 'malformed Bearer credentials' };
  return { kind: 'other-scheme' };
}

/** Node keeps only the first of several Authorization headers; rawHeaders shows them all. */
export function authorizationHeaderCount(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i];
    if (
      name !== undefined &&
      name.length === 13 &&
      (name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization')
    )
      count++;
  }
  return count;
}

/** True when an access_token was sent in the query string or a parsed body (RFC 6750 §2.2/§2.3 are not supported). */
export function tokenOutsideHeader(req: IncomingMessage & { body?: unknown }): boolean {
  const url = req.url ?? '';
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
  const body = req.body;
  return typeof body === 'object' && body !== null && Object.hasOwn(body, 'access_token');
}
