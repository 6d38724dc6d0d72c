// Sensitive names shared by the three redaction layers, and the pino redact paths built from them.

/** Field names redacted by pino's `redact` at the top level and one level down (layer 1). */
const FIELD_NAMES = [
  'password',
  'passwd',
  'secret',
  'token',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'apiKey',
  'api_key',
  'clientSecret',
  'client_secret',
  'privateKey',
] as const;

/**
 * The pino `redact` paths every logger from {@link createLogger} uses (layer 1): credential headers
 * on requests (`authorization`, `cookie`, `proxy-authorization`, `x-api-key`), `set-cookie` on
 * responses, and the usual secret field names at the top level and one level down. Values are
 * replaced by `"[REDACTED]"`.
 */
export const DEFAULT_REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  ...FIELD_NAMES.flatMap((name) => [name, `*.${name}`]),
]);

/** The censor every layer writes in place of a secret. */
export const CENSOR = '[REDACTED]';

/**
 * Short sensitive key names, matched only exactly (case-insensitive, ignoring `-` and `_`): `Auth`,
 * `JWT`, `PIN`, `api_key`, `Pass`… but not `author`, `keyboard`, `passenger` or `shipping`.
 */
export const SHORT_SENSITIVE_KEYS: readonly string[] = [
  'auth',
  'jwt',
  'bearer',
  'pass',
  'pwd',
  'pw',
  'key',
  'apikey',
  'otp',
  'pin',
];

/**
 * Key names (normalised: lower case, letters and digits only) that are sensitive wherever they
 * appear (layer 2). Short names (pin, otp, ssn…) only match exactly, so "shipping" keeps its value.
 */
export const EXACT_SENSITIVE_KEYS: readonly string[] = [
  ...SHORT_SENSITIVE_KEYS,
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'authtoken',
  'xauthtoken',
  'apikey',
  'xapikey',
  'clientsecret',
  'privatekey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'cookies',
  'setcookie',
  'session',
  'sessionid',
  'sid',
  'otp',
  'otpcode',
  'totp',
  'pin',
  'pincode',
  'ssn',
  'cvv',
  'cvv2',
  'cvc',
  'securitycode',
  'cardnumber',
  'creditcard',
  'ccnumber',
  'pan',
  'iban',
  'credentials',
  'credential',
  'signature',
];

/**
 * Fragments that make a normalised key sensitive wherever they occur in it ("userPassword",
 * "x-auth-token", "stripeSecretKey", "sessionCookie"). Each is long enough not to hit ordinary words.
 */
export const SENSITIVE_KEY_FRAGMENTS: readonly string[] = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'apikey',
  'privatekey',
  'authorization',
  'cookie',
  'session',
  'credential',
  'cardnumber',
  'creditcard',
  'signature',
];

/** Query parameter names whose values redactUrl masks (compared case-insensitively). */
export const SENSITIVE_QUERY_PARAMS: readonly string[] = [
  'access_token',
  'token',
  'id_token',
  'refresh_token',
  'code',
  'password',
  'secret',
  'api_key',
  'apikey',
  'key',
  'signature',
  'sig',
  'session',
  'auth',
];

/** Lower-cases a key and keeps only ASCII letters and digits: "API-KEY" → "apikey". */
export function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}
