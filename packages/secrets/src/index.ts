// Public entry of @portcullis/secrets.
export {
  createPasswordHasher,
  type PasswordHasher,
  type VerifyResult,
  type VerifyFailure,
  type UpgradeResult,
} from './hasher.js';
export {
  MIN_PARAMS,
  DEFAULT_PARAMS,
  DEFAULT_CEILING,
  DEFAULT_MAX_PASSWORD_BYTES,
  type PasswordHasherOptions,
  type Argon2Params,
  type VerifyCeiling,
  type Pepper,
  type LegacyScheme,
  type SecretsLogger,
} from './options.js';
export type { GateStats } from './gate.js';
export type { PasswordNormalization } from './password.js';
export type { StoredRefusal } from './phc.js';
export { wrapLegacy } from './legacy.js';
export {
  randomToken,
  createApiToken,
  parseApiToken,
  type RandomTokenOptions,
  type TokenEncoding,
  type ApiTokenOptions,
  type ApiToken,
  type ParsedApiToken,
} from './tokens.js';
export { safeEqual } from './safe-equal.js';
export { PasswordInputError, HasherBusyError, type SecretsErrorCode } from './errors.js';
