// Public entry of @portcullis/baseline.
export { secureBaseline, type SecureBaseline, type SecureBaselineOptions } from './baseline.js';
export {
  securityHeaders,
  RESTRICTIVE_PERMISSIONS_POLICY,
  type HeaderProfile,
  type SecurityHeadersOverrides,
} from './headers.js';
export { jsonBody, requireJson, type JsonBodyOptions, type RequireJsonOptions, type BodyTypeRoute } from './json.js';
export { csrfGuard, type CsrfGuardOptions } from './csrf.js';
export { checkDeploy, assertDeploy, type DeployFinding, type CheckDeployOptions } from './deploy.js';
export { PIECES, type CookiePolicy } from './tags.js';
export type { RouteSpec } from './routes.js';
