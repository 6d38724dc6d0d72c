// Reads an Express 4 or 5 router stack structurally: what each layer is, where it is mounted, which routes it holds.

/** A layer of an Express 4 (`app._router.stack`) or Express 5 (`app.router.stack`, router 2) stack. */
export interface Layer {
  name?: unknown;
  handle?: unknown;
  route?: unknown;
  /** router 2 (Express 5): the path given to use()/route(). */
  rawPath?: unknown;
  /** Express 4: the compiled mount path; `fast_slash` for "/". */
  regexp?: unknown;
}

/** What a layer is, for the deploy check. */
export type LayerKind =
  'route' | 'router' | 'app' | 'static' | 'bodyParser' | 'errorHandler' | 'internal' | 'middleware';

/** One route: its methods (upper case; "ALL" for app.all) and its full path ("?" when unknown). */
export interface RouteInfo {
  readonly methods: readonly string[];
  readonly path: string;
}

const BODY_PARSERS = new Set(['jsonParser', 'urlencodedParser', 'rawParser', 'textParser']);
// Express 4 puts these two first in every app's stack.
const INTERNAL = new Set(['query', 'expressInit']);

/** The top-level stack of an app: Express 4 keeps `app._router` (absent until first use); Express 5 has `app.router`. */
export function stackOf(app: object): Layer[] {
  const v4 = (app as { _router?: { stack?: unknown } })._router;
  let router: { stack?: unknown } | undefined = v4;
  if (router === undefined) {
    try {
      // Express 4's `app.router` is a getter that throws ("deprecated"); Express 5's creates the router.
      router = (app as { router?: { stack?: unknown } }).router;
    } catch {
      router = undefined;
    }
  }
  return Array.isArray(router?.stack) ? (router.stack as Layer[]) : [];
}

/** The handler's function name ("" when anonymous or not a function). */
export function handlerName(layer: Layer): string {
  const handle = layer.handle;
  if (typeof handle === 'function' && handle.name !== '') return handle.name;
  return typeof layer.name === 'string' && layer.name !== '<anonymous>' ? layer.name : '';
}

function nestedStack(layer: Layer): Layer[] | undefined {
  const stack = (layer.handle as { stack?: unknown } | undefined)?.stack;
  return Array.isArray(stack) ? (stack as Layer[]) : undefined;
}

/** Classifies a layer. */
export function kindOf(layer: Layer): LayerKind {
  if (typeof layer.route === 'object' && layer.route !== null) return 'route';
  const name = handlerName(layer);
  if (name === 'mounted_app') return 'app';
  if (nestedStack(layer) !== undefined) return 'router';
  if (name === 'serveStatic') return 'static';
  if (BODY_PARSERS.has(name)) return 'bodyParser';
  if (INTERNAL.has(name)) return 'internal';
  if (typeof layer.handle === 'function' && layer.handle.length === 4) return 'errorHandler';
  return 'middleware';
}

/** A middleware that takes no `next` cannot pass a request on: it answers it. */
export function responds(layer: Layer): boolean {
  return typeof layer.handle === 'function' && layer.handle.length < 3;
}

// Express 4 compiles use('/api', …) to /^\/api\/?(?=\/|$)/i: read the literal path back.
const V4_HEAD = '^';
const V4_TAIL = '\\/?(?=\\/|$)';
const LITERAL = /^[A-Za-z0-9._~@-]+$/;

function v4Prefix(source: string): string | undefined {
  if (!source.startsWith(V4_HEAD) || !source.endsWith(V4_TAIL)) return undefined;
  const body = source.slice(V4_HEAD.length, source.length - V4_TAIL.length);
  if (!body.startsWith('\\/')) return undefined;
  const segments = body.slice(2).split('\\/');
  return segments.every((s) => LITERAL.test(s)) ? `/${segments.join('/')}` : undefined;
}

/** The path a use() layer is mounted at ("/" for the root, undefined when it cannot be read). */
export function mountPathOf(layer: Layer): string | undefined {
  if (typeof layer.rawPath === 'string') return layer.rawPath === '' ? '/' : layer.rawPath;
  const regexp = layer.regexp;
  if (regexp instanceof RegExp) {
    if ((regexp as RegExp & { fast_slash?: unknown }).fast_slash === true) return '/';
    return v4Prefix(regexp.source);
  }
  return undefined;
}

function join(prefix: string, path: string): string {
  if (prefix === '/' || prefix === '') return path;
  return path === '/' ? prefix : `${prefix}${path}`;
}

function routeOf(route: unknown, prefix: string): RouteInfo {
  const r = route as { path?: unknown; methods?: unknown };
  const methods =
    typeof r.methods === 'object' && r.methods !== null
      ? Object.keys(r.methods)
          .filter((m) => (r.methods as Record<string, unknown>)[m] === true)
          .map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()))
      : [];
  const path = typeof r.path === 'string' ? join(prefix, r.path) : '?';
  return { methods, path };
}

/** The routes a layer holds: itself when it is a route, the routes of a router (mount prefix added), else none. */
export function routesOf(layer: Layer, prefix = '', depth = 0): RouteInfo[] {
  if (typeof layer.route === 'object' && layer.route !== null) return [routeOf(layer.route, prefix)];
  const nested = nestedStack(layer);
  if (nested === undefined || depth > 8) return [];
  const mount = join(prefix === '' ? '/' : prefix, mountPathOf(layer) ?? '/');
  return nested.flatMap((inner) => routesOf(inner, mount === '/' ? '' : mount, depth + 1));
}

/** Every layer of a stack with its nested router layers (depth-first), for option marks. */
export function allLayers(stack: readonly Layer[], depth = 0): Layer[] {
  if (depth > 8) return [];
  return stack.flatMap((layer) => {
    const nested = nestedStack(layer);
    const route = layer.route as { stack?: unknown } | undefined;
    const inner = nested ?? (Array.isArray(route?.stack) ? (route.stack as Layer[]) : []);
    return [layer, ...allLayers(inner, depth + 1)];
  });
}
