// Public entry of @portcullis/baseline.
export { secureBaseline, type SecureBaseline, type SecureBaselineOptions } from './baseline.js';
export { authOptionsFromConfig, type AuthOverrides } from './auth-options.js';
export {
  securityHeaders,
  RESTRICTIVE_PERMISSIONS_POLICY,
  PROTECTIVE_HEADERS,
  type HeaderProfile,
  type SecurityHeadersOverrides,
  type DangerousHeaderOverrides,
  type DangerousHeaderOption,
} from './headers.js';
export { jsonBody, requireJson, type JsonBodyOptions, type RequireJsonOptions, type BodyTypeRoute } from './json.js';
export { csrfGuard, type CsrfGuardOptions } from './csrf.js';
export type { BaselineErrorCode } from './errors.js';
export {
  checkDeploy,
  assertDeploy,
  PUBLIC_PROBE_ADDRESSES,
  type DeployFinding,
  type CheckDeployOptions,
} from './deploy.js';
export { DANGEROUS_FINDINGS, type DangerousOption, type DangerousFindingId } from './dangerous.js';
export { PIECES, type CookiePolicy, type Acknowledgement } from './tags.js';
export type { RouteSpec } from './routes.js';
