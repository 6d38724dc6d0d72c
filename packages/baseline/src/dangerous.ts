// The `dangerously…` options Portcullis knows, and the checkDeploy finding id each one is reported under.

/** Every `dangerously…` option and its stable finding id (reported as an error in production unless acknowledged). */
export const DANGEROUS_FINDINGS = {
  dangerouslyDisableContentSecurityPolicy: 'DEPLOY_DANGEROUSLY_DISABLE_CONTENT_SECURITY_POLICY',
  dangerouslyDisableStrictTransportSecurity: 'DEPLOY_DANGEROUSLY_DISABLE_STRICT_TRANSPORT_SECURITY',
  dangerouslyDisableXFrameOptions: 'DEPLOY_DANGEROUSLY_DISABLE_X_FRAME_OPTIONS',
  dangerouslyDisableXContentTypeOptions: 'DEPLOY_DANGEROUSLY_DISABLE_X_CONTENT_TYPE_OPTIONS',
  dangerouslyDisableCrossOriginResourcePolicy: 'DEPLOY_DANGEROUSLY_DISABLE_CROSS_ORIGIN_RESOURCE_POLICY',
  dangerouslyDisableCrossOriginOpenerPolicy: 'DEPLOY_DANGEROUSLY_DISABLE_CROSS_ORIGIN_OPENER_POLICY',
  dangerouslyAllowOnStoreError: 'DEPLOY_DANGEROUSLY_ALLOW_ON_STORE_ERROR',
  dangerouslyAllowHttpJwks: 'DEPLOY_DANGEROUSLY_ALLOW_HTTP_JWKS',
} as const;

/** A `dangerously…` option checkDeploy knows. */
export type DangerousOption = keyof typeof DANGEROUS_FINDINGS;
/** The finding id of a `dangerously…` option. */
export type DangerousFindingId = (typeof DANGEROUS_FINDINGS)[DangerousOption];

const IDS = new Set<string>(Object.values(DANGEROUS_FINDINGS));

/** True for a finding id that `acknowledge` may name. */
export function isDangerousFindingId(id: unknown): id is DangerousFindingId {
  return typeof id === 'string' && IDS.has(id);
}

/** What each option turns off, for the finding message. */
export const WHAT_IT_TURNS_OFF: Readonly<Record<DangerousOption, string>> = {
  dangerouslyDisableContentSecurityPolicy: 'no Content-Security-Policy is sent (XSS and injection are not contained)',
  dangerouslyDisableStrictTransportSecurity: 'no Strict-Transport-Security is sent (browsers may fall back to http)',
  dangerouslyDisableXFrameOptions: 'no X-Frame-Options is sent (responses can be framed: clickjacking)',
  dangerouslyDisableXContentTypeOptions: 'no X-Content-Type-Options: nosniff is sent (MIME sniffing)',
  dangerouslyDisableCrossOriginResourcePolicy: 'no Cross-Origin-Resource-Policy is sent (cross-origin reads)',
  dangerouslyDisableCrossOriginOpenerPolicy: 'no Cross-Origin-Opener-Policy is sent (cross-window attacks)',
  dangerouslyAllowOnStoreError:
    'requests pass without any rate limit while the store fails (an attacker can cause that)',
  dangerouslyAllowHttpJwks: 'the key set is fetched over http (an attacker on the path can substitute keys)',
};
