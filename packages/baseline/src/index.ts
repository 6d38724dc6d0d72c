// Public entry of @portcullis/baseline.
export { securityHeaders, RESTRICTIVE_PERMISSIONS_POLICY, type HeaderProfile, type SecurityHeadersOverrides } from './headers.js';
export { jsonBody, requireJson, type JsonBodyOptions, type RequireJsonOptions, type BodyTypeRoute } from './json.js';
export { csrfGuard, type CsrfGuardOptions } from './csrf.js';
export type { RouteSpec } from './routes.js';
