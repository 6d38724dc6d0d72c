// Marks the middlewares secureBaseline() installs so checkDeploy() can find them in a router stack.
import type { CompiledRoute } from './routes.js';

/** The pieces of the pipeline, in their required order. */
export const PIECES = [
  'requestLogger',
  'securityHeaders',
  'cors',
  'rateLimit',
  'csrfGuard',
  'authenticate',
  'subjectRateLimit',
  'requireJson',
  'jsonBody',
] as const;
/** One piece of the pipeline (or of `after`). */
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

/** A finding the app accepts on purpose, with the reason (for the production deploy check). */
export interface Acknowledgement {
  /** The finding id, e.g. "DEPLOY_DANGEROUSLY_DISABLE_CONTENT_SECURITY_POLICY". */
  id: string;
  /** Why it is acceptable here: a sentence for the reviewer, at least 10 characters. */
  reason: string;
}

/** What secureBaseline() records on each of its middlewares for checkDeploy(). */
export interface BaselineMeta {
  readonly cookies: false | CookiePolicy | true;
  /** The routes declared reachable without a token. */
  readonly publicRoutes: readonly CompiledRoute[];
  /** Mount paths where static files before authentication are intended (publicStatic). */
  readonly publicStatic: readonly string[];
  /** `dangerously…` options in use outside the pieces that carry their own mark (e.g. auth). */
  readonly dangerous: readonly string[];
  /** Findings accepted with a reason. */
  readonly acknowledge: readonly Acknowledgement[];
}

const PIECE = Symbol.for('@portcullis/baseline.piece');
const META = Symbol.for('@portcullis/baseline.meta');
const DANGEROUS = Symbol.for('@portcullis/baseline.dangerous');

/** Tags `fn` as the given piece and returns it. */
export function tag<F extends object>(fn: F, piece: Piece, meta?: BaselineMeta): F {
  Object.defineProperty(fn, PIECE, { value: piece });
  if (meta !== undefined) Object.defineProperty(fn, META, { value: meta });
  return fn;
}

/** Records the `dangerously…` options a middleware was built with (none: nothing recorded). */
export function markDangerous<F extends object>(fn: F, options: readonly string[]): F {
  if (options.length > 0) Object.defineProperty(fn, DANGEROUS, { value: Object.freeze([...options]) });
  return fn;
}

function symbolValue(fn: unknown, symbol: symbol): unknown {
  if (typeof fn !== 'function') return undefined;
  return (fn as unknown as Record<symbol, unknown>)[symbol];
}

/** The piece a function was tagged as. */
export function pieceOf(fn: unknown): Piece | undefined {
  const value = symbolValue(fn, PIECE);
  return typeof value === 'string' ? (value as Piece) : undefined;
}

/** The meta recorded on a function, if any. */
export function metaOf(fn: unknown): BaselineMeta | undefined {
  const value = symbolValue(fn, META);
  return typeof value === 'object' && value !== null ? (value as BaselineMeta) : undefined;
}

/** The `dangerously…` options recorded on a function. */
export function dangerousOf(fn: unknown): readonly string[] {
  const value = symbolValue(fn, DANGEROUS);
  return Array.isArray(value) ? (value as string[]) : [];
}
