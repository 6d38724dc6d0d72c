// Public entry of @portcullis/auth: JWT bearer verification on jose, correct by default.
export { jwtAuth, type JwtAuthMiddleware } from './middleware.js';
export { requireScopes, type RequireScopesMiddleware } from './scopes.js';
export { SUPPORTED_ALGORITHMS } from './options.js';
export {
  memoryReplayStore,
  redisReplayStore,
  type MemoryReplayStore,
  type MemoryReplayStoreOptions,
  type RedisCallClient,
  type RedisReplayStoreOptions,
} from './replay.js';
export type {
  AuthErrorCode,
  AuthInfo,
  DpopAlgorithm,
  DpopNonce,
  DpopOptions,
  DpopReplayStore,
  IsRevoked,
  JwsAlgorithm,
  JwtAuthOptions,
  MtlsOptions,
  VerifiedTokenCacheOptions,
} from './types.js';
