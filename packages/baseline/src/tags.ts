// Marks the middlewares secureBaseline() installs so checkDeploy() can find them in a router stack.

/** The pieces of the pipeline, in their required order. */
export const PIECES = [
  'requestLogger',
  'securityHeaders',
  'cors',
  'rateLimit',
  'jsonBody',
  'requireJson',
  'csrfGuard',
  'authenticate',
] as const;
export type Piece = (typeof PIECES)[number] | 'notFound' | 'errorHandler';

/** How the app says it sets its authentication cookie (checked by checkDeploy). */
export interface CookiePolicy {
  /** The cookie carries `Secure`. */
  secure: boolean;
  /** The cookie carries `HttpOnly`. */
  httpOnly: boolean;
  /** The cookie's `SameSite` attribute. */
  sameSite: 'strict' | 'lax' | 'none' | false;
}

/** What secureBaseline() records on its first middleware for checkDeploy(). */
export interface BaselineMeta {
  readonly cookies: false | CookiePolicy | true;
}

const PIECE = Symbol.for('@portcullis/baseline.piece');
const META = Symbol.for('@portcullis/baseline.meta');

/** Tags `fn` as the given piece and returns it. */
export function tag<F extends object>(fn: F, piece: Piece, meta?: BaselineMeta): F {
  Object.defineProperty(fn, PIECE, { value: piece });
  if (meta !== undefined) Object.defineProperty(fn, META, { value: meta });
  return fn;
}

/** The piece a function was tagged as. */
export function pieceOf(fn: unknown): Piece | undefined {
  if (typeof fn !== 'function') return undefined;
  const value: unknown = (fn as unknown as Record<symbol, unknown>)[PIECE];
  return typeof value === 'string' ? (value as Piece) : undefined;
}

/** The meta recorded on a function, if any. */
export function metaOf(fn: unknown): BaselineMeta | undefined {
  if (typeof fn !== 'function') return undefined;
  const value: unknown = (fn as unknown as Record<symbol, unknown>)[META];
  return typeof value === 'object' && value !== null ? (value as BaselineMeta) : undefined;
}
