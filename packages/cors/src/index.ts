// Public entry of @portcullis/cors: a strict CORS origin allowlist on top of `cors`.
export {
  strictCors,
  createOriginMatcher,
  CORS_REJECTED,
  REJECTED_ORIGIN_LOG_LENGTH,
  type CorsErrorCode,
  type StrictCorsMiddleware,
} from './middleware.js';
export { parseOrigin, MAX_ORIGIN_LENGTH } from './origin.js';
export {
  DEFAULT_METHODS,
  DEFAULT_ALLOWED_HEADERS,
  DEFAULT_EXPOSED_HEADERS,
  DEFAULT_MAX_AGE_SEC,
  MAX_MAX_AGE_SEC,
  type StrictCorsOptions,
  type CorsRejectHandler,
} from './options.js';
