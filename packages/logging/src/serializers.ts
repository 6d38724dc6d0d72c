// Allowlist serializers for requests and responses: a log line never carries all headers or a body.
import { originFormOf, scrubQuery, scrubText } from './scrub-text.js';

/** What the request serializer keeps. */
export interface SerializedRequest {
  /** The request id (see requestLogger). */
  id?: string | number;
  /** HTTP method. */
  method?: string;
  /** The matched route pattern (`baseUrl` + `route.path`), once the router knows it. */
  route?: string;
  /** The path without the query string, scrubbed (the path of an absolute-form target `http://host/p`). */
  path?: string;
  /** The raw query string (without `?`) with sensitive values masked; absent when empty. */
  query?: string;
  /** Only user-agent, content-type, content-length and accept, each at most 256 characters. */
  headers?: Record<string, string>;
}

/** What the response serializer keeps. */
export interface SerializedResponse {
  /** The HTTP status code. */
  statusCode?: number;
}

/** Headers safe to log; everything else (authorization, cookie, forwarding headers…) is never read. */
export const SAFE_HEADERS = ['user-agent', 'content-type', 'content-length', 'accept'] as const;
const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;
const MAX_HEADER = 256;
const MAX_URL = 2048;
const MAX_METHOD = 32;

interface RequestLike {
  id?: unknown;
  method?: unknown;
  url?: unknown;
  originalUrl?: unknown;
  baseUrl?: unknown;
  route?: unknown;
  headers?: unknown;
}

function routeOf(req: RequestLike): string | undefined {
  const route = req.route;
  if (typeof route !== 'object' || route === null) return undefined;
  const path = (route as { path?: unknown }).path;
  if (typeof path !== 'string') return undefined;
  const base = typeof req.baseUrl === 'string' ? req.baseUrl : '';
  return scrubText((base + path).slice(0, MAX_URL));
}

/**
 * Request serializer: id, method, route pattern when known, path, masked query and four safe
 * headers. Accepts a Node/Express request or an already serialized one.
 */
export function serializeRequest(input: unknown): SerializedRequest {
  const out: SerializedRequest = {};
  if (typeof input !== 'object' || input === null) return out;
  const req = input as RequestLike;
  const id = req.id;
  if (typeof id === 'number' && Number.isFinite(id)) out.id = id;
  else if (typeof id === 'string') out.id = SAFE_ID.test(id) ? id : scrubText(id.slice(0, 128));
  if (typeof req.method === 'string') out.method = req.method.slice(0, MAX_METHOD);
  const route = routeOf(req);
  if (route !== undefined) out.route = route;
  const target = typeof req.originalUrl === 'string' ? req.originalUrl : req.url;
  if (typeof target === 'string') {
    // An absolute-form target (GET http://host/p?access_token=… HTTP/1.1) is logged as its path.
    const url = originFormOf(target.slice(0, 2 * MAX_URL));
    const q = url.indexOf('?');
    out.path = scrubText((q === -1 ? url : url.slice(0, q)).slice(0, MAX_URL));
    if (q !== -1 && q < url.length - 1) out.query = scrubQuery(url.slice(q + 1, q + 1 + MAX_URL));
  }
  const headers = req.headers;
  if (typeof headers === 'object' && headers !== null) {
    let safe: Record<string, string> | undefined;
    for (const name of SAFE_HEADERS) {
      const value = (headers as Record<string, unknown>)[name];
      if (typeof value === 'string') {
        safe ??= {};
        safe[name] = scrubText(value.slice(0, MAX_HEADER));
      }
    }
    if (safe !== undefined) out.headers = safe;
  }
  return out;
}

/** Response serializer: the status code only (never headers, so never Set-Cookie). */
export function serializeResponse(input: unknown): SerializedResponse {
  if (typeof input !== 'object' || input === null) return {};
  const status = (input as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' ? { statusCode: status } : {};
}
