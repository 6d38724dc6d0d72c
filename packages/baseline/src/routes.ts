// Route declarations ({ method, path }) compiled once into exact matchers for public routes and body types.
import { optionError } from '@portcullis/errors/options';

/** A route declared by method and path. `path` is exact; a `:name` segment matches one non-empty segment. */
export interface RouteSpec {
  /** HTTP method, e.g. "GET". */
  method: string;
  /** Exact path such as "/health" or "/cases/:id/attachments". No wildcards, no query. */
  path: string;
}

const METHOD = /^[A-Z]+$/;
const SEGMENT = /^[A-Za-z0-9._~@-]+$/;
const PARAM = /^:[A-Za-z_][A-Za-z0-9_]*$/;

/** A compiled route: method plus per-segment literal or `null` for a parameter. */
export interface CompiledRoute {
  readonly method: string;
  readonly segments: readonly (string | null)[];
  readonly path: string;
}

/** Validates and compiles one route spec. */
export function compileRoute(_fn: string, option: string, spec: unknown): CompiledRoute {
  if (typeof spec !== 'object' || spec === null) {
    throw optionError(
      'baseline',
      option,
      'entries must be { method, path } objects',
      'e.g. { method: "GET", path: "/health" }',
      spec,
    );
  }
  const { method, path } = spec as { method?: unknown; path?: unknown };
  if (typeof method !== 'string' || !METHOD.test(method.toUpperCase())) {
    throw optionError('baseline', `${option}.method`, 'must be an HTTP method', 'e.g. "GET"', method);
  }
  if (typeof path !== 'string' || !path.startsWith('/') || path.includes('?') || path.includes('#')) {
    throw optionError('baseline', `${option}.path`, 'must start with "/" and carry no query', 'e.g. "/health"', path);
  }
  const parts = path === '/' ? [] : path.slice(1).split('/');
  const segments = parts.map((part) => {
    if (PARAM.test(part)) return null;
    if (!SEGMENT.test(part)) {
      throw optionError(
        'baseline',
        `${option}.path`,
        'has an unsupported segment',
        'use literals or ":name"; no wildcards',
        part,
      );
    }
    return part;
  });
  return Object.freeze({ method: method.toUpperCase(), segments: Object.freeze(segments), path });
}

/** True when `method` + `pathname` match the compiled route exactly (HEAD matches a GET route). */
export function matchRoute(route: CompiledRoute, method: string | undefined, pathname: string): boolean {
  if (route.method !== method && !(route.method === 'GET' && method === 'HEAD')) return false;
  const { segments } = route;
  if (segments.length === 0) return pathname === '/';
  let start = 1;
  for (let i = 0; i < segments.length; i++) {
    if (pathname.charCodeAt(start - 1) !== 47 /* '/' */) return false;
    const end = pathname.indexOf('/', start);
    const last = i === segments.length - 1;
    if (last ? end !== -1 : end === -1) return false;
    const part = pathname.slice(start, last ? pathname.length : end);
    const literal = segments[i];
    if (part.length === 0) return false;
    if (literal !== null && literal !== undefined && part !== literal) return false;
    start = (last ? pathname.length : end) + 1;
  }
  return true;
}

/** The path of a request without its query string. */
export function pathnameOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}
