// Public entry of @portcullis/auth: JWT bearer verification on jose, correct by default.
export { jwtAuth, type JwtAuthMiddleware } from './middleware.js';
export { requireScopes, type RequireScopesMiddleware } from './scopes.js';
export type {
  AuthErrorCode,
  AuthInfo,
  IsRevoked,
  JwsAlgorithm,
  JwtAuthOptions,
  VerifiedTokenCacheOptions,
} from './types.js';
