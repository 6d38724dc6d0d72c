// Public entry of @portcullis/egress.
export { createEgressPolicy, type EgressPolicy, type EgressCheck } from './policy.js';
export { safeFetch, type SafeFetchInit } from './fetch.js';
export { createSafeDispatcher } from './dispatcher.js';
export { createSafeAgents, type SafeAgents } from './agents.js';
export { installGlobalEgressGuard } from './global.js';
export {
  EgressError,
  EGRESS_ERROR_CODES,
  UPSTREAM_REFUSED,
  isEgressError,
  type EgressErrorCode,
  type EgressHttpErrorCode,
} from './errors.js';
export {
  DEFAULT_TIMEOUTS,
  DEFAULT_MAX_RESPONSE_BYTES,
  MAX_REDIRECTS,
  type EgressPolicyOptions,
  type EgressTimeouts,
  type EgressResolver,
  type EgressDecisionEvent,
} from './options.js';
export { DENIED_IPV4, DENIED_IPV6, PUBLIC_IPV6 } from './addresses.js';
