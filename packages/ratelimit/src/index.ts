// Public entry of @portcullis/ratelimit.
export {
  rateLimit,
  describeLimiter,
  DEFAULT_STORE_TIMEOUT_MS,
  STORE_FAILURE_LOG_INTERVAL_MS,
  type RateLimitOptions,
  type RateLimitErrorCode,
  type RateLimitMiddleware,
  type LimiterDescription,
  type KeyOption,
  type OnStoreError,
} from './limiter.js';
export {
  loginLimiter,
  apiLimiter,
  LOGIN_DEFAULTS,
  API_DEFAULTS,
  type LoginLimiterOptions,
  type PresetOptions,
} from './presets.js';
export {
  redisStore,
  STORE_RETRY_AFTER_SEC,
  type RateLimitStore,
  type RedisStoreOptions,
  type RedisCallClient,
  type StoreKind,
} from './store.js';
export { trustProxy, type TrustProxySetting, type TrustProxyApp } from './trust-proxy.js';
export { IPV6_SUBNET } from './keys.js';
export type { RateLimitLogger } from './options.js';
