// ASVS 5.0.0 requirements this repository's tests cannot verify: why they do not apply, or where the manual
// evidence is. A requirement that a passing test verifies is reported `verified` whatever is declared here.

/** Requirement id or pattern → why it does not apply to these packages and the two reference services. */
export const NOT_APPLICABLE = {
  'V17.*': 'no WebRTC',
  'V4.3.*': 'no GraphQL',
  'V4.4.*': 'no WebSockets',
  'V1.4.*': 'TypeScript on Node.js: memory-safe strings and buffers, no unmanaged code of our own',
  'V1.2.1': 'JSON APIs only: no HTML or XML is rendered',
  'V1.3.1': 'no rich-text (WYSIWYG) input is accepted',
  'V1.5.1': 'no XML is parsed',
  'V3.2.2': 'no client-side rendering: the reference services are JSON APIs',
  'V6.2.6': 'no HTML forms: the login example is a JSON API (a client renders its own password field)',
  'V6.2.7': 'no HTML forms: nothing in the API blocks paste or password managers',
  'V6.3.2': 'no default accounts exist: the login example starts with an empty user table',
  'V6.4.1': 'no system-generated initial passwords or activation codes',
  'V6.4.2': 'no password hints or secret questions exist',
  'V6.5.*': 'no multi-factor authentication is offered',
  'V6.6.*': 'no out-of-band authentication is offered',
  'V6.7.*': 'no cryptographic authenticators (WebAuthn) are offered',
  'V7.4.2': 'the login example has no account disable or delete operation',
  'V10.2.*': 'the packages are resource servers, not OAuth clients',
  'V10.4.*': 'the packages are resource servers, not authorization servers',
  'V10.5.*': 'no OIDC relying party: ID tokens are refused as access tokens',
  'V10.6.*': 'not an OpenID provider',
  'V10.7.*': 'not an authorization server: no consent screens',
  'V11.3.1': 'no symmetric encryption is performed (JOSE algorithms are allowlisted, see V9.1.2)',
  'V11.3.2': 'no symmetric encryption is performed (JOSE algorithms are allowlisted, see V9.1.2)',
  'V14.3.1': 'no browser storage is used by the reference services (the session cookie is HttpOnly)',
};

/** Requirement id or pattern → the document (and anchor) that is the evidence. */
export const MANUAL = {
  'V1.2.2':
    'examples/case-api/README.md (no URL is built from user input; webhook URLs are stored, checked by @portcullis/egress)',
  'V1.2.3': 'packages/errors/README.md (every body is JSON.stringify output with application/json or problem+json)',
  'V1.2.5': 'packages/eslint-plugin/README.md#no-shell-exec (no process is spawned from request data)',
  'V2.1.1': 'examples/case-api/README.md (zod schemas in src/validation.ts are the input rules)',
  'V3.5.3': 'examples/case-api/README.md (every state change is POST, PUT or DELETE)',
  'V6.1.1': 'examples/login/README.md (threat model of the login flow: limiter keys and budgets)',
  'V6.2.5': 'examples/login/README.md (passwords: length and common-password checks only, no composition rules)',
  'V8.1.1': 'docs/threat-model.md (roles, object-level and tenant rules of the case API)',
  'V11.4.1': 'packages/secrets/README.md (SHA-256, HMAC-SHA256 and argon2id only)',
  'V12.1.1': 'docs/threat-model.md (TLS terminates at the reverse proxy; HSTS is set by the baseline)',
  'V12.2.1': 'docs/threat-model.md (TLS terminates at the reverse proxy; HSTS is set by the baseline)',
  'V12.2.2': 'docs/threat-model.md (publicly trusted certificates at the reverse proxy)',
  'V13.4.1':
    'packages/*/package.json files: ["dist"] (the published tarballs hold no source control metadata; check:packages)',
  'V15.1.1': 'docs/supply-chain.md#how-often',
  'V15.2.1': 'docs/supply-chain.md#how-often',
  'V15.3.1': 'examples/case-api/README.md (responses are built from explicit field lists, never whole rows)',
};
