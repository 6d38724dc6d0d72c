// Public entry of @portcullis/policy: deny-by-default authorization with object-level and tenant checks.
export {
  definePolicy,
  type Policy,
  type PolicyOptions,
  type Decision,
  type DecisionEvent,
  type DecisionContext,
  type DecisionReason,
  type Rule,
  type CrossTenantMode,
} from './policy.js';
export { principalFromClaims, type ClaimsErrorCode } from './claims.js';
export { authorize, type AuthorizeOptions } from './middleware.js';

/** Stable codes of every error this package produces. */
export type PolicyErrorCode = 'unauthorized' | 'forbidden' | 'not_found' | 'invalid_claims';
