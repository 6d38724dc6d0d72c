// The security pipeline around the routes, in the order of @portcullis/baseline (DESIGN.md §5).
// Interim composition of the packages' public middlewares until secureBaseline() lands; same shape
// ({ before, after }) so the switch is one import.
import type { ErrorRequestHandler, NextFunction, Request, RequestHandler, Response } from 'express';
import { jwtAuth, type JwtAuthOptions } from '@portcullis/auth';
import { jsonBody, requireJson, securityHeaders } from '@portcullis/baseline';
import type { SecurityConfig } from '@portcullis/config';
import { strictCors } from '@portcullis/cors';
import { errorHandler, notFoundHandler } from '@portcullis/errors';
import { requestLogger } from '@portcullis/logging';
import { apiLimiter, type RateLimitStore } from '@portcullis/ratelimit';
import type { Logger } from 'pino';

/** Options of {@link casePipeline}: a subset of secureBaseline's. */
export interface PipelineOptions {
  readonly config: SecurityConfig;
  readonly auth: JwtAuthOptions;
  readonly logger: Logger;
  readonly publicRoutes: readonly { method: string; path: string }[];
  readonly bodyTypes: { method: string; path: string; types: string[] }[];
  readonly rateLimit?: { store?: RateLimitStore | undefined; windowMs?: number | undefined; limit?: number | undefined } | undefined;
}

/** Middlewares to mount before and after the routes. */
export interface Pipeline {
  readonly before: (RequestHandler | ErrorRequestHandler)[];
  readonly after: (RequestHandler | ErrorRequestHandler)[];
}

/** request id + logger → headers → CORS → rate limit → JSON body → content-type guard → auth (deny by default). */
export function casePipeline(options: PipelineOptions): Pipeline {
  const { config, logger } = options;
  const authenticate = jwtAuth(options.auth);
  const isPublic = (method: string, path: string): boolean =>
    options.publicRoutes.some((r) => r.method === method && r.path === path);
  return {
    before: [
      requestLogger({ logger, quietRoutes: ['GET /health'] }),
      securityHeaders('api'),
      strictCors({ origins: config.allowedOrigins }),
      apiLimiter({
        windowMs: options.rateLimit?.windowMs ?? config.rateLimitWindowSec * 1000,
        limit: options.rateLimit?.limit ?? config.rateLimitMax,
        store: options.rateLimit?.store,
        logger,
      }),
      jsonBody({ limit: config.bodyLimit }),
      requireJson({ allow: options.bodyTypes }),
      function authenticateUnlessPublic(req: Request, res: Response, next: NextFunction) {
        if (isPublic(req.method, req.path)) {
          next();
          return;
        }
        authenticate(req, res, next);
      },
    ],
    after: [notFoundHandler(), errorHandler({ logger })],
  };
}
